"""Statistics: activity, resource, report, schedule.

Only backups exist in the simulator; ``type=snapshot`` and ``type=cloudsync``
are accepted and have no resources and no jobs.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone
from typing import Optional

from flask import Blueprint, jsonify

from ..context import current_sim, current_team_id, list_json, query_input
from ..errors import ValidationFailed
from ..jobs import IN_PROGRESS, job_status
from ..presenters import job_json, storage_ref
from ..rules import STATS_TYPES, parse_ids, stats_fields
from ..schedule import schedule_labels
from ..timefmt import sql_datetime, to_dt
from ..validation import as_date, validate

bp = Blueprint("stats", __name__)


def _month_before(moment: datetime) -> datetime:
    """Same day and time a calendar month earlier (clamped to the month's end)."""
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _as_utc(moment: datetime) -> datetime:
    # The teams' timezone is UTC: a date without zone is a UTC date.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _params(*, needs_type: bool, dated: bool = True, with_ids: bool = True) -> tuple[dict, float, float]:
    """Validated query parameters plus the [from, to] window as timestamps."""
    query = query_input()
    errors = validate(query, stats_fields(needs_type=needs_type, dated=dated, with_ids=with_ids))
    if errors:
        raise ValidationFailed(errors)
    now = current_sim().clock.now_dt()
    start = _as_utc(as_date(query["date_from"])) if query.get("date_from") else _month_before(now)
    if query.get("date_to"):
        end = _as_utc(as_date(query["date_to"]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", query["date_to"]):
            # "until that date" includes the whole of that day
            end += timedelta(days=1, microseconds=-1)
    else:
        end = now
    return query, start.timestamp(), end.timestamp()


def _team_jobs(team_id: int, ids, start: float, end: float) -> list[dict]:
    """The team's jobs in the window (optionally of some backups), newest first."""
    jobs = [
        j for j in current_sim().store["jobs"].values()
        if j["team_id"] == team_id and start <= j["created_at"] <= end and (ids is None or j["backup_id"] in ids)
    ]
    return sorted(jobs, key=lambda j: (j["created_at"], j["id"]), reverse=True)


def _team_backups(team_id: int, ids) -> list[dict]:
    backups = current_sim().store.team_items("backups", team_id)
    return [b for b in backups if ids is None or b["id"] in ids]


def _backup_stats(*, dated: bool = True) -> Optional[tuple[float, int, Optional[set[int]], float, float]]:
    """A per-resource stats request: (now, team, backup ids or None for all, from, to).

    None when its ``type`` is one the simulator has no resources of (snapshot, cloudsync).
    Called with the lock held.
    """
    now = current_sim().settle()
    query, start, end = _params(needs_type=True, dated=dated)
    if query["type"] != "backup":
        return None
    return now, current_team_id(), parse_ids(query.get("resource_ids")), start, end


@bp.get("/stats/activity")
def activity():
    sim = current_sim()
    with sim.lock:
        asked = _backup_stats()
        items = []
        if asked is not None:
            now, team_id, ids, start, end = asked
            items = [job_json(sim.store, j, now) for j in _team_jobs(team_id, ids, start, end)]
    return list_json(items)


@bp.get("/stats/resource")
def resource():
    sim = current_sim()
    with sim.lock:
        asked = _backup_stats()
        items = []
        if asked is not None:
            now, team_id, ids, start, end = asked
            timezone_name = sim.store["teams"][team_id]["timezone"]
            for backup in _team_backups(team_id, ids):
                server = sim.store["servers"].get(backup["server_id"])
                items.append({
                    "id": backup["id"],
                    "name": backup["name"],
                    "created_at": sql_datetime(backup["created_at"]),
                    "storage": storage_ref(sim.store, backup["storage_id"]),
                    "server": {"id": server["id"], "name": server["name"]} if server else None,
                    "schedules": schedule_labels(backup, to_dt(now), timezone_name),
                    "logs": [job_json(sim.store, j, now) for j in _team_jobs(team_id, {backup["id"]}, start, end)],
                })
    return list_json(items)


@bp.get("/stats/schedule")
def schedule():
    sim = current_sim()
    with sim.lock:
        asked = _backup_stats(dated=False)
        items = []
        if asked is not None:
            now, team_id, ids, _start, _end = asked
            timezone_name = sim.store["teams"][team_id]["timezone"]
            items = [
                {"id": b["id"], "name": b["name"], "schedules": schedule_labels(b, to_dt(now), timezone_name)}
                for b in _team_backups(team_id, ids)
            ]
    return list_json(items)


def _summary(jobs: list[dict], now: float) -> dict:
    statuses = [job_status(j, now) for j in jobs]
    # What is on storage now: the successful copies that were not rotated away.
    usage = sum(float(j["filesize"]) for j, s in zip(jobs, statuses) if s == "success" and j["filesize"])
    return {
        "total": len(jobs),
        "success": statuses.count("success"),
        "error": statuses.count("error"),
        "rotated": statuses.count("rotated"),
        "in_progress": sum(statuses.count(s) for s in IN_PROGRESS),
        "storage_usage": f"{usage:.2f}",
    }


@bp.get("/stats/report")
def report():
    sim = current_sim()
    with sim.lock:
        now = sim.settle()
        _query, start, end = _params(needs_type=False, with_ids=False)
        jobs = _team_jobs(current_team_id(), None, start, end)
        per_kind = {kind: _summary(jobs if kind == "backup" else [], now) for kind in STATS_TYPES}
        data = {
            "date_from": sql_datetime(start),
            "date_to": sql_datetime(end),
            **per_kind,
            "total": _summary(jobs, now),
        }
    return jsonify({"data": data})
