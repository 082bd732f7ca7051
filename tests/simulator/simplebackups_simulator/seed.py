"""The seed state: two accounts, their teams, storages and projects.

Account 1 mirrors the reference's ``team/list`` example. Account 2 owns a
single team so that isolation between accounts can be tested. Storage names
are chosen so that partial (SQL ``LIKE``) matching and team scoping are both
visible: "Prod S3" is a substring of "Prod S3 Archive", and "SimpleStorage"
exists in teams 1, 2 and 3.
"""

from __future__ import annotations

from .timefmt import parse_iso

SCHEMA_VERSION = 1

# Ids the simulator hands out for new objects start here, well clear of the
# seeded ids and of each other so that a mixed-up id shows as a 404.
FIRST_SERVER_ID = 101
FIRST_BACKUP_ID = 201
FIRST_JOB_ID = 9_937_401

_TEAMS = [
    # id, owner_id, name, created_at
    (1, 4, "ACME Inc", "2025-01-01T23:19:32.000000Z"),
    (2, 4, "Jim Doe's Team", "2025-02-01T23:19:32.000000Z"),
    (3, 4, "Smart Agency Inc", "2025-03-01T23:19:32.000000Z"),
    (4, 8, "Other Corp", "2025-04-01T23:19:32.000000Z"),
]

_STORAGES = [
    # id, team_id, name, type, status
    (1, 1, "Backblaze Limited Scope", "backblaze", 1),
    (2, 1, "SimpleStorage", "simple", 1),
    (3, 1, "AWS S3", "s3", 1),
    (4, 1, "Old S3", "s3", 0),
    (5, 1, "Prod S3", "s3", 1),
    (6, 1, "Prod S3 Archive", "s3", 1),
    (7, 2, "SimpleStorage", "simple", 1),
    (8, 2, "DigitalOcean Spaces", "digitalocean_spaces", 1),
    (9, 3, "SimpleStorage", "simple", 1),
    (10, 3, "Wasabi Agency", "wasabi", 1),
    (11, 4, "Other Corp S3", "s3", 1),
]

_PROJECTS = [
    # id, team_id, name
    (5, 1, "project 03"),
    (6, 1, "project 04"),
    (7, 2, "Jim's project"),
    (8, 3, "agency clients"),
    (9, 4, "other project"),
]

_STORAGE_CREATED_AT = "2025-01-01T00:06:43.000000Z"


def seed_state() -> dict:
    """A fresh copy of the seed state (see ``store.Store`` for the layout)."""
    return {
        "version": SCHEMA_VERSION,
        "clock_offset": 0.0,
        "next_ids": {"server": FIRST_SERVER_ID, "backup": FIRST_BACKUP_ID, "job": FIRST_JOB_ID},
        "accounts": {
            # Tokens are not part of the state: they come from the config
            # (TOKEN / TOKEN2) and map to these account ids.
            1: {"id": 1, "owner_id": 4, "team_ids": [1, 2, 3], "current_team_id": 1},
            2: {"id": 2, "owner_id": 8, "team_ids": [4], "current_team_id": 4},
        },
        "teams": {
            tid: {"id": tid, "owner_id": owner, "name": name, "timezone": "UTC", "created_at": parse_iso(created)}
            for tid, owner, name, created in _TEAMS
        },
        "storages": {
            sid: {
                "id": sid,
                "team_id": team,
                "name": name,
                "type": kind,
                "status": status,
                "created_at": parse_iso(_STORAGE_CREATED_AT),
            }
            for sid, team, name, kind, status in _STORAGES
        },
        "projects": {pid: {"id": pid, "team_id": team, "name": name} for pid, team, name in _PROJECTS},
        "servers": {},
        "backups": {},
        "jobs": {},
    }
