"""Teams: list, current, switch.

The current team belongs to the account, not to a token or a client: after a
switch, every request of that account is scoped to the new team.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..context import account_id, current_sim, list_json
from ..errors import NotFound
from ..presenters import team_json
from ..store import as_int

bp = Blueprint("teams", __name__)


@bp.get("/team/list")
def list_teams():
    sim = current_sim()
    with sim.lock:
        sim.settle()
        account = sim.store.account(account_id())
        items = [team_json(sim.store["teams"][tid]) for tid in sorted(account["team_ids"])]
    return list_json(items)


@bp.get("/team/current")
def current():
    sim = current_sim()
    with sim.lock:
        sim.settle()
        account = sim.store.account(account_id())
        return jsonify({"data": team_json(sim.store["teams"][account["current_team_id"]])})


@bp.patch("/team/<team_id>/switch")
def switch(team_id: str):
    sim = current_sim()
    with sim.lock:
        sim.settle()
        account = sim.store.account(account_id())
        wanted = as_int(team_id)
        if wanted not in account["team_ids"]:
            raise NotFound("Team")
        if account["current_team_id"] != wanted:
            account["current_team_id"] = wanted
            sim.store.mark_dirty()
    return Response(status=204)
