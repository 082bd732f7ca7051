"""Test hooks under /_sim: no auth, no throttle, not in the request log.

They exist for tests and demos; the real service has nothing like them.
Errors answer 400 ``{"error": "..."}``.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..config import RUNTIME_KEYS, ConfigError
from ..context import current_sim
from ..faults import Fault, FaultSpecError
from ..jobs import job_status
from ..timefmt import iso_datetime

bp = Blueprint("control", __name__)


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _bad(message: str):
    return jsonify({"error": message}), 400


@bp.get("/requests")
def get_requests():
    return jsonify({"requests": current_sim().requests.entries()})


@bp.delete("/requests")
def clear_requests():
    current_sim().requests.clear()
    return jsonify({"requests": []})


@bp.post("/reset")
def reset():
    body = _body()
    current_sim().reset(keep_config=bool(body.get("keep_config")), keep_requests=body.get("keep_requests"))
    return jsonify({"reset": True, "config": current_sim().config.runtime()})


@bp.get("/config")
def get_config():
    return jsonify(current_sim().config.runtime())


@bp.post("/config")
def set_config():
    body = _body()
    unknown = sorted(set(body) - set(RUNTIME_KEYS))
    if unknown:
        return _bad(f"not a runtime setting: {', '.join(unknown)} (settable: {', '.join(RUNTIME_KEYS)})")
    sim = current_sim()
    with sim.lock:
        try:
            sim.config = sim.config.replace(**body)
        except ConfigError as exc:
            return _bad(str(exc))
        return jsonify(sim.config.runtime())


@bp.get("/faults")
def get_faults():
    return jsonify({"faults": current_sim().faults.pending()})


@bp.post("/faults")
def add_fault():
    try:
        fault = Fault.from_json(request.get_json(silent=True))
    except FaultSpecError as exc:
        return _bad(str(exc))
    sim = current_sim()
    sim.faults.add(fault)
    return jsonify({"faults": sim.faults.pending()})


@bp.delete("/faults")
def clear_faults():
    current_sim().faults.clear()
    return jsonify({"faults": []})


def _clock_json():
    clock = current_sim().clock
    now = clock.now()
    return jsonify({"now": iso_datetime(now), "timestamp": now, "offset": clock.offset})


@bp.get("/clock")
def get_clock():
    return _clock_json()


@bp.post("/clock")
def advance_clock():
    seconds = _body().get("advance")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        return _bad('send {"advance": <seconds >= 0>}')
    current_sim().advance_clock(float(seconds))
    return _clock_json()


@bp.get("/state")
def state():
    """The whole state, secrets redacted, with each job's current status."""
    sim = current_sim()
    with sim.lock:
        now = sim.settle()
        accounts = [
            {**account, "token": token}
            for account, token in (
                (sim.store.account(1), sim.config.token[:4] + "\u2026"),
                (sim.store.account(2), sim.config.token2[:4] + "\u2026"),
            )
        ]
        document = sim.store.redacted(extra=[("accounts", accounts)])
        document.pop("clock_offset", None)  # only meaningful in the state file; see "clock"
        for job in document["jobs"]:
            job["current_status"] = job_status(job, now)
        for server in document["servers"]:
            server["validated"] = server["validated_at"] is not None
        document["clock"] = {"now": iso_datetime(now), "timestamp": now, "offset": sim.clock.offset}
    sim.save_if_dirty()
    return jsonify(document)
