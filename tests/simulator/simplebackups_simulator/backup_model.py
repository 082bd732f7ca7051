"""Turning validated ``backup/create`` and ``backup/{id}/update`` input into records."""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any, Optional

from .rules import META_BOOLEAN_FIELDS, META_ENCRYPTION_KEY
from .store import Store
from .validation import as_boolean, as_integer

_TRIGGER_ALPHABET = string.ascii_letters + string.digits

# Optional fields copied as given (strings or null); required ones are handled apart.
_TEXT_FIELDS = ("db_type", "db_host", "db_user", "db_psw", "db_name", "db_connection_string",
                "file_path", "excluded_file_path", "storage_path")
_ID_FIELDS = ("project_id", "tunnel_server_id")


def _int_or_none(value: Any) -> Optional[int]:
    return None if value is None else as_integer(value)


def _schedule_entry(item: dict) -> dict:
    schedule = item["schedule"]
    return {
        "schedule": schedule,
        # The cron only means something for custom schedules.
        "schedule_cron": item.get("schedule_cron") if schedule == "custom" else None,
        "retention": as_integer(item["retention"]),
    }


def _storage_entry(item: dict) -> dict:
    return {"storage_id": as_integer(item["storage_id"]), "storage_path": item.get("storage_path")}


def _apply_common(backup: dict, data: dict, *, creating: bool) -> None:
    """Fields shared by create and update; on update only the fields sent change."""
    def given(key: str) -> bool:
        return creating or key in data

    backup["name"] = data["name"]
    backup["schedule"] = data["schedule"]
    backup["schedule_cron"] = data.get("schedule_cron") if data["schedule"] == "custom" else None
    backup["retention"] = as_integer(data["retention"])
    for key in _TEXT_FIELDS:
        if given(key):
            backup[key] = data.get(key)
    if given("db_port"):
        backup["db_port"] = _int_or_none(data.get("db_port"))
    for key in _ID_FIELDS:
        if given(key):
            backup[key] = _int_or_none(data.get(key))

    meta = data.get("meta")
    if isinstance(meta, dict):
        # Flags sent are merged into those stored; null removes one.
        for key in META_BOOLEAN_FIELDS:
            if key in meta:
                if meta[key] is None:
                    backup["flags"].pop(key, None)
                else:
                    backup["flags"][key] = as_boolean(meta[key])
        if META_ENCRYPTION_KEY in meta:
            backup["backup_encryption_key"] = meta[META_ENCRYPTION_KEY]
    if given("secondary_schedules"):
        backup["secondary_schedules"] = [_schedule_entry(i) for i in data.get("secondary_schedules") or []]
    if given("secondary_storages"):
        backup["secondary_storages"] = [_storage_entry(i) for i in data.get("secondary_storages") or []]


def new_backup(store: Store, team_id: int, data: dict, now: float) -> dict:
    """Create and store a backup from validated ``backup/create`` input."""
    backup = {
        "id": store.next_id("backup"),
        "team_id": team_id,
        "uuid": str(uuid.uuid4()),
        "trigger_token": "".join(secrets.choice(_TRIGGER_ALPHABET) for dummy in range(20)),
        "type": data["type"],
        "server_id": as_integer(data["server_id"]),
        "storage_id": as_integer(data["storage_id"]),
        "db_port": None,
        "status": 1,
        "created_at": now,
        "flags": {},
        "backup_encryption_key": None,
        "secondary_schedules": [],
        "secondary_storages": [],
    }
    _apply_common(backup, data, creating=True)
    store["backups"][backup["id"]] = backup
    store.mark_dirty()
    return backup


def update_backup(store: Store, backup: dict, data: dict) -> None:
    """Apply validated ``backup/{id}/update`` input (type, server and storage stay)."""
    _apply_common(backup, data, creating=False)
    store.mark_dirty()
