"""In-memory state of the simulated service.

The state is a plain dict of collections keyed by integer id, so that it can
be dumped to JSON (state file, ``GET /_sim/state``) without an ORM. Every
access happens under the simulator's lock (see ``runtime.Simulator``); this
class itself does no locking.

Layout of ``state``::

    version, clock_offset, next_ids{server, backup, job},
    accounts{id: {id, owner_id, team_ids, current_team_id}},
    teams, storages, projects, servers, backups, jobs   # {id: record}

Records of teams, storages, projects, servers and backups carry ``team_id``
(teams carry their own ``id``); jobs carry the ``team_id`` of their backup
so that they survive the backup's deletion in the statistics.
"""

from __future__ import annotations

import copy
from typing import Iterable, Optional

from .seed import SCHEMA_VERSION, seed_state

COLLECTIONS = ("accounts", "teams", "storages", "projects", "servers", "backups", "jobs")

REDACTED = "<redacted>"

# Record fields that hold secrets; ``redacted()`` hides them.
_SECRET_FIELDS = {
    "servers": ("private_key", "password", "setup_token"),
    "backups": ("db_psw", "db_connection_string", "backup_encryption_key", "trigger_token"),
}


class Store:
    """The collections plus small helpers for team-scoped lookups."""

    def __init__(self, state: Optional[dict] = None):
        self.state = state if state is not None else seed_state()
        #: Set by every mutation; the app saves the state file when it is set.
        self.dirty = False

    # --- collections ----------------------------------------------------------

    def __getitem__(self, collection: str) -> dict:
        return self.state[collection]

    def next_id(self, kind: str) -> int:
        """Allocate the next id of ``kind`` (server, backup or job)."""
        value = self.state["next_ids"][kind]
        self.state["next_ids"][kind] = value + 1
        return value

    def mark_dirty(self) -> None:
        self.dirty = True

    # --- scoping --------------------------------------------------------------

    def account(self, account_id: int) -> dict:
        return self.state["accounts"][account_id]

    def current_team_id(self, account_id: int) -> int:
        return self.state["accounts"][account_id]["current_team_id"]

    def team_items(self, collection: str, team_id: int) -> list[dict]:
        """Records of ``collection`` that belong to ``team_id``, by ascending id."""
        items = (r for r in self.state[collection].values() if r.get("team_id") == team_id)
        return sorted(items, key=lambda r: r["id"])

    def find_in_team(self, collection: str, record_id, team_id: int) -> Optional[dict]:
        """The record with ``record_id`` if it exists *in this team*, else None.

        ``record_id`` may be anything a client sent (string, int, garbage): an
        object of another team is as invisible as one that does not exist.
        """
        key = as_int(record_id)
        if key is None:
            return None
        record = self.state[collection].get(key)
        if record is None or record.get("team_id") != team_id:
            return None
        return record

    # --- (de)serialisation ------------------------------------------------------

    def to_document(self) -> dict:
        """JSON-ready copy (collections become lists sorted by id)."""
        document = {key: copy.deepcopy(value) for key, value in self.state.items() if key not in COLLECTIONS}
        for name in COLLECTIONS:
            document[name] = [copy.deepcopy(record) for dummy_id, record in sorted(self.state[name].items())]
        return document

    @classmethod
    def from_document(cls, document: dict) -> "Store":
        """Inverse of :meth:`to_document`; rejects other schema versions."""
        if document.get("version") != SCHEMA_VERSION:
            raise ValueError(f"unsupported state version {document.get('version')!r}")
        state = {key: value for key, value in document.items() if key not in COLLECTIONS}
        for name in COLLECTIONS:
            state[name] = {int(r["id"]): r for r in document.get(name, [])}
        return cls(state)

    def redacted(self, extra: Iterable[tuple[str, dict]] = ()) -> dict:
        """A dump of the whole state with every secret replaced by a marker."""
        document = self.to_document()
        for collection, fields in _SECRET_FIELDS.items():
            for record in document[collection]:
                for field in fields:
                    if record.get(field) is not None:
                        record[field] = REDACTED
        for key, value in extra:
            document[key] = value
        return document


def as_int(value) -> Optional[int]:
    """Laravel-ish id coercion: ints and digit strings; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii():
            return int(text)
    return None
