"""Backup jobs: dispatch, progress on the simulator clock, and rotation.

A job is ``initiated`` for the first quarter of its duration, then
``running``, and ends as ``success`` or ``error`` once its duration has
passed. Progress is derived from the clock, and :func:`settle_jobs` writes
the final status into the record (so that rotation, which changes a status
for good, has something to work on).
"""

from __future__ import annotations

from typing import Optional

from .store import Store
from .timefmt import to_dt

IN_PROGRESS = ("initiated", "running")


def choose_outcome(store: Store, backup: dict, forced: str) -> str:
    """``success`` or ``error`` for a job dispatched now.

    ``forced`` is the JOB_OUTCOME setting. In ``auto`` a job fails when the
    backup's server is an SSH-key server that has never validated its
    connection: the service could not have reached it.
    """
    if forced in ("success", "error"):
        return forced
    server = store["servers"].get(backup["server_id"])
    if server and server["connection_type"] == "ssh" and not server.get("validated_at"):
        return "error"
    return "success"


def _filesize(job_id: int) -> str:
    # Deterministic but varied sizes in MB, formatted like the reference ("12.43").
    return f"{1 + (job_id * 7919) % 5000 / 100:.2f}"


def dispatch(store: Store, backup: dict, now: float, duration: float, outcome: str) -> dict:
    """Create the job for one run of ``backup`` and return it."""
    job_id = store.next_id("job")
    stamp = to_dt(now).strftime("%y-%m-%d_%H%M%S")
    job = {
        "id": job_id,
        "team_id": backup["team_id"],
        "backup_id": backup["id"],
        # Kept so that the job still names its backup after the backup is deleted.
        "backup_name": backup["name"],
        "backup_type": backup["type"],
        "filename": f"simplebackups.io.{backup['type']}.b{backup['id']}_{stamp}.tar.gz",
        "created_at": now,
        "duration": duration,
        "outcome": outcome,
        "status": None,  # set when the job ends (and again when it is rotated)
        "finished_at": None,
        "filesize": None,
    }
    store["jobs"][job_id] = job
    store.mark_dirty()
    return job


def job_status(job: dict, now: float) -> str:
    """The job's status as of ``now``."""
    if job["status"]:
        return job["status"]
    elapsed = now - job["created_at"]
    if elapsed >= job["duration"]:
        return job["outcome"]
    return "initiated" if elapsed < job["duration"] / 4 else "running"


def settle_jobs(store: Store, now: float) -> None:
    """Finish every job whose time is up, then rotate old successful backups."""
    due = [j for j in store["jobs"].values() if j["status"] is None and j["created_at"] + j["duration"] <= now]
    for job in sorted(due, key=lambda j: (j["created_at"] + j["duration"], j["id"])):
        job["status"] = job["outcome"]
        job["finished_at"] = job["created_at"] + job["duration"]
        job["filesize"] = _filesize(job["id"]) if job["outcome"] == "success" else None
        store.mark_dirty()
    for backup in store["backups"].values():
        rotate(store, backup)


def rotate(store: Store, backup: dict) -> None:
    """Mark the oldest successful jobs ``rotated`` while more than ``retention`` exist."""
    kept = sorted(
        (j for j in store["jobs"].values() if j["backup_id"] == backup["id"] and j["status"] == "success"),
        key=lambda j: (j["finished_at"], j["id"]),
    )
    for job in kept[: max(0, len(kept) - backup["retention"])]:
        job["status"] = "rotated"
        store.mark_dirty()


def last_success_at(store: Store, backup_id: int) -> Optional[float]:
    """When the backup's latest successful job (kept or since rotated) finished."""
    times = [
        j["finished_at"]
        for j in store["jobs"].values()
        if j["backup_id"] == backup_id and j["status"] in ("success", "rotated")
    ]
    return max(times) if times else None
