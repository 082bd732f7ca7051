"""The host-side setup endpoints behind ``install_command`` (no bearer token).

``connect`` serves the bash script; the script calls ``callback``. Both need
the server's setup token; a wrong token, a password server or a server on
its way out all answer 404, so the URL reveals nothing.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, jsonify, request

from ..context import api_base, current_sim
from ..errors import NotFound, envelope
from ..setup_script import render_setup_script
from ..store import as_int

bp = Blueprint("setup", __name__)

#: Endpoints that a host fetches with curl: no Authorization header, no throttle.
PUBLIC_ENDPOINTS = {"setup.connect", "setup.callback"}


def _server_for_token(server_id: str) -> dict:
    sim = current_sim()
    server = sim.store["servers"].get(as_int(server_id))
    token = request.args.get("token", "")
    if (
        server is None
        or server["connection_type"] != "ssh"
        or server.get("removal_due_at") is not None
        or not hmac.compare_digest(token.encode(), server["setup_token"].encode())
    ):
        raise NotFound("Server")
    return server


@bp.get("/setup/<server_id>/connect")
def connect(server_id: str):
    sim = current_sim()
    with sim.lock:
        sim.settle()
        server = _server_for_token(server_id)
        callback = f"{api_base()}/setup/{server['id']}/callback?token={server['setup_token']}"
        script = render_setup_script(
            server_id=server["id"],
            public_key=server["public_key"],
            callback_url=callback,
            authorise_key=sim.config.validation_mode == "ssh",
        )
    return Response(script, mimetype="text/x-shellscript")


@bp.get("/setup/<server_id>/callback")
def callback(server_id: str):
    sim = current_sim()
    with sim.lock:
        now = sim.settle()
        server = _server_for_token(server_id)
        # The uuid is the argument install_command passes to the script: a
        # mangled command (no "bash -s <uuid>") does not count as a callback.
        uuid = request.args.get("uuid", "")
        if not hmac.compare_digest(uuid.encode(), server["setup_uuid"].encode()):
            raise NotFound("Server")
        server["called_back_at"] = now
        sim.store.mark_dirty()
    return jsonify(envelope("Server connected."))
