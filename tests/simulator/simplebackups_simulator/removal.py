"""The server removal queue (``POST /server/{id}/remove``).

Removal is asynchronous on the real service: the server stays listed for a
while. Here it stays for REMOVAL_DELAY seconds of simulator time; then it
goes, and so do the backups that run on it (the service cannot run them any
more). Backups that only tunnel through it lose their tunnel.
"""

from __future__ import annotations

from .store import Store


def queue_removal(store: Store, server: dict, now: float, delay: float) -> None:
    """Queue ``server`` for removal; a second request keeps the first due time."""
    if server.get("removal_due_at") is None:
        server["removal_due_at"] = now + delay
        store.mark_dirty()


def process_removals(store: Store, now: float) -> None:
    """Remove every server whose removal is due, with its backups."""
    due = [s for s in store["servers"].values() if s.get("removal_due_at") is not None and s["removal_due_at"] <= now]
    for server in due:
        del store["servers"][server["id"]]
        for backup in list(store["backups"].values()):
            if backup["server_id"] == server["id"]:
                del store["backups"][backup["id"]]
            elif backup.get("tunnel_server_id") == server["id"]:
                backup["tunnel_server_id"] = None
        store.mark_dirty()
