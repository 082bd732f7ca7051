"""How stored records look on the wire (the reference's JSON shapes).

Secrets never leave through here: no server password or private key, no
``db_psw`` / ``db_connection_string``, no encryption key. The only secrets
shown are those the reference itself returns (``trigger_url``'s token, and
``install_command`` in the ``server/add`` answer only).
"""

from __future__ import annotations

from typing import Optional

from .jobs import job_status, last_success_at
from .store import Store
from .timefmt import iso_datetime, sql_datetime


def team_json(team: dict) -> dict:
    return {
        "id": team["id"],
        "owner_id": team["owner_id"],
        "name": team["name"],
        "timezone": team["timezone"],
        "created_at": iso_datetime(team["created_at"]),
    }


def storage_json(storage: dict) -> dict:
    return {
        "id": storage["id"],
        "name": storage["name"],
        "type": storage["type"],
        "status": storage["status"],
        "created_at": iso_datetime(storage["created_at"]),
    }


def storage_ref(store: Store, storage_id: Optional[int]) -> Optional[dict]:
    storage = store["storages"].get(storage_id)
    return {"id": storage["id"], "name": storage["name"], "type": storage["type"]} if storage else None


def project_ref(store: Store, project_id: Optional[int]) -> Optional[dict]:
    project = store["projects"].get(project_id) if project_id is not None else None
    return {"id": project["id"], "name": project["name"]} if project else None


def server_json(store: Store, server: dict) -> dict:
    """A server in ``server/list``."""
    return {
        "id": server["id"],
        "name": server["name"],
        "host": server["host"],
        "port": server["port"],
        "user": server["user"],
        "connection_type": server["connection_type"],
        "status": server["status"],
        "public_key": server["public_key"],
        "temp_directory": server["temp_directory"],
        "created_at": iso_datetime(server["created_at"]),
        "project": project_ref(store, server["project_id"]),
    }


def server_added_json(store: Store, server: dict, api_base: str) -> dict:
    """The ``data`` of the ``server/add`` answer (the only place with ``install_command``)."""
    install_command = None
    if server["connection_type"] == "ssh":
        url = f"{api_base}/setup/{server['id']}/connect?token={server['setup_token']}"
        install_command = f'curl -sSL "{url}" | bash -s {server["setup_uuid"]}'
    return {
        "id": server["id"],
        "name": server["name"],
        "connection_type": server["connection_type"],
        "status": server["status"],
        "public_key": server["public_key"],
        "created_at": iso_datetime(server["created_at"]),
        "install_command": install_command,
        "project": project_ref(store, server["project_id"]),
    }


def backup_json(store: Store, backup: dict, api_base: str) -> dict:
    """A backup, as in the ``backup/create`` answer and in ``backup/list``."""
    server = store["servers"].get(backup["server_id"])
    last_success = sql_datetime(last_success_at(store, backup["id"]))
    kind = backup["type"]
    return {
        "id": backup["id"],
        "server_id": backup["server_id"],
        "storage_id": backup["storage_id"],
        "type": kind,
        "name": backup["name"],
        "schedule": backup["schedule"],
        "schedule_cron": backup["schedule_cron"],
        "status": backup["status"],
        "retention": backup["retention"],
        "created_at": sql_datetime(backup["created_at"]),
        "file_path": backup["file_path"],
        "excluded_file_path": backup["excluded_file_path"],
        "storage": storage_ref(store, backup["storage_id"]),
        "server": {"id": server["id"], "name": server["name"], "connection_type": server["connection_type"]}
        if server else None,
        "project": project_ref(store, backup["project_id"]),
        # PHP encodes an empty array as [], not {}: so does the service.
        "flags": dict(backup["flags"]) if backup["flags"] else [],
        "last_file_backup": last_success if kind in ("file", "full") else None,
        "last_db_backup": last_success if kind in ("db", "full") else None,
        "trigger_url": f"{api_base}/backup/{backup['uuid']}/run?api_token={backup['trigger_token']}",
        "restore_command": None,
        "secondary_schedules": [dict(s) for s in backup["secondary_schedules"]],
        "secondary_storages": [
            {**s, "storage": storage_ref(store, s["storage_id"])} for s in backup["secondary_storages"]
        ],
        "db_type": backup["db_type"],
        "db_host": backup["db_host"],
        "db_port": backup["db_port"],
        "db_user": backup["db_user"],
        "db_name": backup["db_name"],
        "storage_path": backup["storage_path"],
        "tunnel_server_id": backup["tunnel_server_id"],
        "project_id": backup["project_id"],
    }


def job_json(store: Store, job: dict, now: float) -> dict:
    """A job in ``stats/activity`` and in the ``logs`` of ``stats/resource``."""
    backup = store["backups"].get(job["backup_id"])
    status = job_status(job, now)
    return {
        "id": job["id"],
        "status": status,
        "filesize": job["filesize"],
        "created_at": sql_datetime(job["created_at"]),
        "finished_at": sql_datetime(job["finished_at"]),
        "backup": {
            "id": job["backup_id"],
            "name": backup["name"] if backup else job["backup_name"],
            "type": job["backup_type"],
        },
    }


def job_dispatched_json(job: dict) -> dict:
    """The ``data`` of the ``backup/{id}/run`` answer."""
    return {
        "created_at": sql_datetime(job["created_at"]),
        "filename": job["filename"],
        "filesize": None,
        "id": job["id"],
        "status": "initiated",
        "type": job["backup_type"],
    }
