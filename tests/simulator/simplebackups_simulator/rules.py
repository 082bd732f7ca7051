"""Validation rules of each endpoint, transcribed from the API reference.

Field order follows the reference's tables, because Laravel reports errors
in rule order and the 422 ``message`` is the first of them.
"""

from __future__ import annotations

from typing import Optional

from .schedule import SCHEDULES
from .store import Store
from .validation import (
    Between,
    Boolean,
    Cron,
    Date,
    Exists,
    In,
    Integer,
    ListOf,
    Mapping,
    Max,
    Min,
    Nullable,
    Prohibited,
    Regex,
    Required,
    RequiredIf,
    RequiredUnless,
    String,
)

BACKUP_TYPES = ("full", "file", "db")
DB_TYPES = ("MySQL", "mongoDB", "PostgreSQL")
CONNECTION_TYPES = ("ssh", "password")
STATS_TYPES = ("backup", "snapshot", "cloudsync")

#: The reference's "JSON Meta Fields": all booleans but the encryption key.
META_BOOLEAN_FIELDS = (
    "backup_is_incremental",
    "backup_tar_donot_expand_symlinks",
    "backup_tar_no_compression",
    "backup_file_flatten_archive_contents",
    "backup_file_streaming",
    "backup_tar_donot_ignore_failed_read",
    "backup_file_using_sudo",
    "backup_store_uncompressed_db",
    "backup_is_incremental_database",
    "backup_db_streaming",
    "backup_db_dumpall_single",
    "backup_postgres_quick",
)
META_ENCRYPTION_KEY = "backup_encryption_key"
META_FIELDS = META_BOOLEAN_FIELDS + (META_ENCRYPTION_KEY,)

Fields = list[tuple[str, list]]


def _exists(store: Store, collection: str, team_id: int) -> Exists:
    return Exists(lambda value: store.find_in_team(collection, value, team_id) is not None)


def backup_fields(store: Store, team_id: int, data: dict, *, creating: bool,
                  has_stored_connection_string: bool = False) -> Fields:
    """Rules of ``backup/create`` (``creating``) or ``backup/{id}/update``.

    On update ``type``, ``server_id`` and ``storage_id`` cannot change, so
    they have no rules there (the caller validates against the stored type).
    The database fields may be replaced by ``db_connection_string``; on update
    a connection string stored earlier counts, since a client cannot read it
    back to resend it.
    """

    def connection_string_given(values: dict) -> bool:
        return values.get("db_connection_string") is not None or has_stored_connection_string

    def db_required() -> RequiredUnless:
        return RequiredUnless("type", ["file"], waived=connection_string_given)

    fields: Fields = [("name", [Required(), String(), Max(255)])]
    if creating:
        fields.append(("type", [Required(), In(BACKUP_TYPES)]))
    fields += [
        ("db_type", [db_required(), Nullable(), In(DB_TYPES)]),
        ("db_host", [db_required(), Nullable(), String(), Max(255)]),
        ("db_port", [db_required(), Nullable(), Integer(), Between(1, 65535)]),
        ("db_user", [Nullable(), String(), Max(255)]),
        ("db_psw", [Nullable(), String()]),
        ("project_id", [Nullable(), Integer(), _exists(store, "projects", team_id)]),
        ("db_name", [db_required(), Nullable(), String(), Max(255)]),
        ("db_connection_string", [Nullable(), String()]),
        ("file_path", [RequiredUnless("type", ["db"]), Nullable(), String()]),
        ("excluded_file_path", [Nullable(), String()]),
    ]
    if creating:
        fields.append(("server_id", [Required(), Integer(), _exists(store, "servers", team_id)]))
    fields.append(("tunnel_server_id", [Nullable(), Integer(), _exists(store, "servers", team_id)]))
    fields.append(("storage_path", [Nullable(), String(), Max(255)]))
    if creating:
        fields.append(("storage_id", [Required(), Integer(), _exists(store, "storages", team_id)]))
    fields += [
        ("schedule", [Required(), In(SCHEDULES)]),
        ("schedule_cron", [RequiredIf("schedule", "custom"), Nullable(), String(), Cron()]),
        ("retention", [Required(), Integer(), Min(1)]),
        ("meta", [Nullable(), Mapping()]),
    ]
    fields += [(f"meta.{name}", [Nullable(), Boolean()]) for name in META_BOOLEAN_FIELDS]
    fields.append((f"meta.{META_ENCRYPTION_KEY}", [Nullable(), String()]))
    meta = data.get("meta")
    if isinstance(meta, dict):
        # Laravel ignores unknown keys silently; the service stores meta as
        # flags, so a misspelt flag would be lost without a word: refuse it.
        fields += [(f"meta.{key}", [Prohibited()]) for key in meta if key not in META_FIELDS]
    fields += [
        ("secondary_schedules", [Nullable(), ListOf()]),
        ("secondary_schedules.*.schedule", [Required(), In(SCHEDULES)]),
        ("secondary_schedules.*.schedule_cron",
         [RequiredIf("secondary_schedules.*.schedule", "custom"), Nullable(), String(), Cron()]),
        ("secondary_schedules.*.retention", [Required(), Integer(), Min(1)]),
        ("secondary_storages", [Nullable(), ListOf()]),
        ("secondary_storages.*.storage_id", [Required(), Integer(), _exists(store, "storages", team_id)]),
        ("secondary_storages.*.storage_path", [Nullable(), String(), Max(255)]),
    ]
    return fields


def server_fields(store: Store, team_id: int) -> Fields:
    """Rules of ``server/add`` (the reference's "name: integer" is a typo for string)."""
    return [
        ("name", [Required(), String(), Max(255)]),
        ("connection_type", [Required(), In(CONNECTION_TYPES)]),
        ("host", [Required(), String(), Max(255)]),
        ("port", [Required(), Integer(), Between(1, 65535)]),
        ("user", [Required(), String(), Max(255)]),
        ("password", [RequiredIf("connection_type", "password"), Nullable(), String()]),
        ("temp_directory", [Nullable(), String(), Max(255)]),
        ("project_id", [Nullable(), Integer(), _exists(store, "projects", team_id)]),
    ]


# Comma-separated ids, spaces around the commas tolerated.
_IDS_PATTERN = r"\s*[0-9]+\s*(,\s*[0-9]+\s*)*"


def stats_fields(*, needs_type: bool, dated: bool = True, with_ids: bool = True) -> Fields:
    """Rules of the ``stats/*`` query parameters."""
    fields: Fields = []
    if needs_type:
        fields.append(("type", [Required(), In(STATS_TYPES)]))
    if dated:
        fields += [("date_from", [Nullable(), Date()]), ("date_to", [Nullable(), Date()])]
    if with_ids:
        fields.append(("resource_ids", [Nullable(), Regex(_IDS_PATTERN)]))
    return fields


def parse_ids(text: Optional[str]) -> Optional[set[int]]:
    """``"10, 214,477"`` -> ``{10, 214, 477}``; None when no filter was given."""
    if text is None:
        return None
    return {int(part) for part in text.split(",")}
