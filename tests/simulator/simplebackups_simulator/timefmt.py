"""Timestamp formats used by the SimpleBackups API (all in UTC)."""

from __future__ import annotations

from datetime import datetime, timezone


def to_dt(ts: float) -> datetime:
    """POSIX timestamp -> aware UTC datetime."""
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def sql_datetime(ts: float | None) -> str | None:
    """Laravel's ``Y-m-d H:i:s`` (backups and jobs use it)."""
    if ts is None:
        return None
    return to_dt(ts).strftime("%Y-%m-%d %H:%M:%S")


def iso_datetime(ts: float | None) -> str | None:
    """Laravel's default model serialisation, e.g. ``2025-01-01T00:06:43.000000Z``.

    The database keeps whole seconds, hence the zero microseconds.
    """
    if ts is None:
        return None
    return to_dt(ts).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def parse_iso(text: str) -> float:
    """Inverse of :func:`iso_datetime` (used for seed data)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def schedule_label(moment: datetime) -> str:
    """Format a scheduled run like the reference: ``Sat, Mar 12, 2022 3:00 AM``."""
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    return f"{moment:%a, %b} {moment.day}, {moment.year} {hour}:{moment:%M} {meridiem}"
