"""Storage: list (filters: name, status)."""

from __future__ import annotations

from flask import Blueprint

from ..context import current_sim, current_team_id, filter_value, list_json
from ..filters import like_contains, same_id
from ..presenters import storage_json

bp = Blueprint("storage", __name__)


@bp.get("/storage/list")
def list_storages():
    sim = current_sim()
    name, status = filter_value("name"), filter_value("status")
    with sim.lock:
        sim.settle()
        items = [
            storage_json(storage)
            for storage in sim.store.team_items("storages", current_team_id())
            if (name is None or like_contains(name, storage["name"]))
            and (status is None or same_id(status, storage["status"]))
        ]
    return list_json(items)
