"""Backups: create, update, list, run, pause, resume, delete."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..backup_model import new_backup, update_backup
from ..context import api_base, current_sim, current_team_id, filter_value, json_input, list_json
from ..errors import NotFound, ValidationFailed, envelope
from ..filters import like_contains, same_id, same_text
from ..jobs import choose_outcome, dispatch
from ..presenters import backup_json, job_dispatched_json
from ..rules import backup_fields
from ..validation import validate

bp = Blueprint("backups", __name__)


def _find_backup(backup_id: str) -> dict:
    backup = current_sim().store.find_in_team("backups", backup_id, current_team_id())
    if backup is None:
        raise NotFound("Backup")
    return backup


@bp.post("/backup/create")
def create():
    sim = current_sim()
    data = json_input()
    with sim.lock:
        now = sim.settle()
        team_id = current_team_id()
        errors = validate(data, backup_fields(sim.store, team_id, data, creating=True))
        if errors:
            raise ValidationFailed(errors)
        backup = new_backup(sim.store, team_id, data, now)
        return jsonify(envelope("Backup was created successfully!", backup_json(sim.store, backup, api_base())))


@bp.patch("/backup/<backup_id>/update")
def update(backup_id: str):
    sim = current_sim()
    data = json_input()
    with sim.lock:
        sim.settle()
        backup = _find_backup(backup_id)
        # type, server_id and storage_id cannot change: whatever was sent is
        # ignored, and type-dependent rules see the stored type.
        for frozen in ("type", "server_id", "storage_id"):
            data.pop(frozen, None)
        data["type"] = backup["type"]
        fields = backup_fields(sim.store, backup["team_id"], data, creating=False,
                               has_stored_connection_string=backup.get("db_connection_string") is not None)
        errors = validate(data, fields)
        if errors:
            raise ValidationFailed(errors)
        del data["type"]
        update_backup(sim.store, backup, data)
        # A lower retention rotates surplus copies right away.
        sim.settle()
        return jsonify(envelope("Backup was updated successfully!", backup_json(sim.store, backup, api_base())))


@bp.get("/backup/list")
def list_backups():
    sim = current_sim()
    wanted = {key: filter_value(key) for key in ("id", "name", "status", "type", "server", "storage")}
    checks = {
        "id": lambda b, v: same_id(v, b["id"]),
        "name": lambda b, v: like_contains(v, b["name"]),
        "status": lambda b, v: same_id(v, b["status"]),
        "type": lambda b, v: same_text(v, b["type"]),
        "server": lambda b, v: same_id(v, b["server_id"]),
        "storage": lambda b, v: same_id(v, b["storage_id"]),
    }
    with sim.lock:
        sim.settle()
        items = [
            backup_json(sim.store, backup, api_base())
            for backup in sim.store.team_items("backups", current_team_id())
            if all(value is None or checks[key](backup, value) for key, value in wanted.items())
        ]
    return list_json(items)


@bp.get("/backup/<backup_id>/run")
def run(backup_id: str):
    sim = current_sim()
    with sim.lock:
        now = sim.settle()
        backup = _find_backup(backup_id)
        outcome = choose_outcome(sim.store, backup, sim.config.job_outcome)
        job = dispatch(sim.store, backup, now, sim.config.job_seconds, outcome)
        # With JOB_SECONDS=0 the job is already over.
        sim.settle()
        message = "Backup dispatched! You'll be notified when your backup is available."
        return jsonify(envelope(message, job_dispatched_json(job)))


PAUSED_MESSAGE = ("Backup has been paused! We will no longer run this backup automatically with respect to the "
                  "selected schedule ({schedule}). However, you can still run this backup on demand.")
RESUMED_MESSAGE = "Backup has been resumed! We will run this backup with respect to the selected schedule ({schedule})."


def _set_status(backup_id: str, status: int, message: str):
    """Pause (0) or resume (1) a backup; doing it twice succeeds again, as the service does."""
    sim = current_sim()
    with sim.lock:
        sim.settle()
        backup = _find_backup(backup_id)
        if backup["status"] != status:
            backup["status"] = status
            sim.store.mark_dirty()
        return jsonify(envelope(message.format(schedule=backup["schedule"])))


@bp.patch("/backup/<backup_id>/pause")
def pause(backup_id: str):
    return _set_status(backup_id, 0, PAUSED_MESSAGE)


@bp.patch("/backup/<backup_id>/resume")
def resume(backup_id: str):
    return _set_status(backup_id, 1, RESUMED_MESSAGE)


@bp.post("/backup/<backup_id>/delete")
def delete(backup_id: str):
    sim = current_sim()
    with sim.lock:
        sim.settle()
        backup = _find_backup(backup_id)
        # Its jobs stay: they are history (stats/activity still shows them).
        del sim.store["backups"][backup["id"]]
        sim.store.mark_dirty()
        return jsonify(envelope("Backup was successfully deleted!"))
