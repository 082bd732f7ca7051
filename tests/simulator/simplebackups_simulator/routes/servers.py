"""Servers: list, add, validate-connection, remove."""

from __future__ import annotations

import secrets
import uuid

from flask import Blueprint, jsonify

from ..context import api_base, current_sim, current_team_id, json_input, list_json
from ..errors import NotFound, ValidationFailed, envelope
from ..keys import generate_keypair, worker_comment
from ..presenters import server_added_json, server_json
from ..removal import queue_removal
from ..rules import server_fields
from ..ssh_check import check_login
from ..validation import as_integer, validate

bp = Blueprint("servers", __name__)


def _find_server(server_id: str) -> dict:
    server = current_sim().store.find_in_team("servers", server_id, current_team_id())
    if server is None:
        raise NotFound("Server")
    return server


@bp.get("/server/list")
def list_servers():
    sim = current_sim()
    with sim.lock:
        sim.settle()
        items = [server_json(sim.store, s) for s in sim.store.team_items("servers", current_team_id())]
    return list_json(items)


@bp.post("/server/add")
def add():
    sim = current_sim()
    data = json_input()
    with sim.lock:
        now = sim.settle()
        team_id = current_team_id()
        errors = validate(data, server_fields(sim.store, team_id))
        if errors:
            raise ValidationFailed(errors)
        ssh_key = data["connection_type"] == "ssh"
        keypair = generate_keypair(worker_comment(team_id)) if ssh_key else None
        project_id = data.get("project_id")
        server = {
            "id": sim.store.next_id("server"),
            "team_id": team_id,
            "name": data["name"],
            "connection_type": data["connection_type"],
            "host": data["host"],
            "port": as_integer(data["port"]),
            "user": data["user"],
            # An SSH-key server may still carry a password (reference: "if your
            # server requires a password in addition to a key").
            "password": data.get("password"),
            "temp_directory": data.get("temp_directory"),
            "project_id": as_integer(project_id) if project_id is not None else None,
            "status": 1,
            "created_at": now,
            "public_key": keypair.public_line if keypair else None,
            "private_key": keypair.private_openssh if keypair else None,
            "setup_token": secrets.token_hex(10) if ssh_key else None,
            "setup_uuid": str(uuid.uuid4()) if ssh_key else None,
            "called_back_at": None,
            "validated_at": None,
            "last_validation": None,
            "removal_due_at": None,
        }
        sim.store["servers"][server["id"]] = server
        sim.store.mark_dirty()
        return jsonify(envelope("Server was added successfully!", server_added_json(sim.store, server, api_base())))


@bp.get("/server/<server_id>/validate-connection")
def validate_connection(server_id: str):
    sim = current_sim()
    with sim.lock:
        sim.settle()
        server = dict(_find_server(server_id))
        mode = sim.config.validation_mode
        timeout = sim.config.ssh_timeout
        allow_remote = sim.config.ssh_allow_remote
    if mode == "callback":
        # Demo mode: there is no host to log in to. A password server would be
        # reached with its password, so it counts as connected.
        ok = server["connection_type"] == "password" or server["called_back_at"] is not None
        message = "" if ok else (
            f"Server {server['name']} has not connected yet: run its install command on {server['host']} "
            f"as {server['user']}."
        )
    else:
        # The SSH login may take up to SSH_TIMEOUT: never hold the lock over it.
        result = check_login(
            server["host"], server["port"], server["user"],
            private_key=server["private_key"] if server["connection_type"] == "ssh" else None,
            password=server["password"],
            timeout=timeout,
            allow_remote=allow_remote,
        )
        ok, message = result.ok, ("" if result.ok else result.message)
    with sim.lock:
        now = sim.clock.now()
        stored = sim.store["servers"].get(server["id"])
        if stored is not None:
            stored["last_validation"] = {"at": now, "status": ok, "message": message}
            if ok:
                stored["validated_at"] = now
            sim.store.mark_dirty()
    return jsonify({"success": True, "data": {"status": ok, "message": message}})


@bp.post("/server/<server_id>/remove")
def remove(server_id: str):
    sim = current_sim()
    with sim.lock:
        now = sim.settle()
        server = _find_server(server_id)
        queue_removal(sim.store, server, now, sim.config.removal_delay)
        return jsonify(envelope("Server removal queued! May take a couple of minutes."))
