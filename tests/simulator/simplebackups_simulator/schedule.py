"""Backup schedules: their cron expressions and next run times."""

from __future__ import annotations

from datetime import datetime, timezone as dt_timezone, tzinfo
from typing import Iterable, Optional
from zoneinfo import ZoneInfo

from croniter import CroniterError, croniter

from .timefmt import schedule_label

SCHEDULES = ("on-demand", "twice-daily", "hourly", "daily", "weekly", "custom")

#: Cron expression behind each named schedule (``custom`` uses the backup's own).
NAMED_CRONS = {
    "hourly": "0 * * * *",
    "twice-daily": "0 0,12 * * *",
    "daily": "0 0 * * *",
    "weekly": "0 0 * * 0",
}

ON_DEMAND_LABEL = "On demand"


def cron_for(schedule: str, schedule_cron: Optional[str]) -> Optional[str]:
    """The cron expression of a schedule; None for ``on-demand``."""
    if schedule == "custom":
        return schedule_cron
    return NAMED_CRONS.get(schedule)


def next_runs(crons: Iterable[str], after: datetime, timezone: str, count: int = 5) -> list[datetime]:
    """The next ``count`` distinct run times of all ``crons`` together, in ``timezone``."""
    zone = _zone(timezone)
    start = after.astimezone(zone)
    runs: set[datetime] = set()
    for expression in crons:
        iterator = croniter(expression, start)
        try:
            for dummy in range(count):
                runs.add(iterator.get_next(datetime))
        except CroniterError:
            continue  # an expression that never fires has no next runs
    return sorted(runs)[:count]


def _zone(name: str) -> tzinfo:
    # UTC needs no tz database, which slim containers may lack.
    return dt_timezone.utc if name == "UTC" else ZoneInfo(name)


def schedule_labels(backup: dict, after: datetime, timezone: str, count: int = 5) -> list[str]:
    """The ``schedules`` list of stats/resource and stats/schedule for a backup.

    The primary schedule and every secondary schedule count; a backup with no
    cron-driven schedule shows ``["On demand"]`` like the reference. A paused
    backup runs nothing automatically, so it has no next runs at all.
    """
    if backup["status"] == 0:
        return []
    entries = [(backup["schedule"], backup.get("schedule_cron"))]
    entries += [(s["schedule"], s.get("schedule_cron")) for s in backup.get("secondary_schedules", [])]
    crons = [c for c in (cron_for(name, cron) for name, cron in entries) if c]
    if not crons:
        return [ON_DEMAND_LABEL]
    return [schedule_label(moment) for moment in next_runs(crons, after, timezone, count)]
