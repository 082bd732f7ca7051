"""The Flask application: routing, and the middleware every /api request passes.

Order for an /api request, as in the Laravel service:

1. routing: an unknown path is a 404, a known path with the wrong method a
   405 (before authentication, like Laravel's router);
2. authentication (``Authorization: Bearer``), except the host-side setup
   endpoints: 401 ``Unauthenticated.``, not counted by the throttle;
3. throttle per token: 429 over the limit, rate-limit headers otherwise;
4. test faults (``/_sim/faults``), if one matches;
5. the endpoint itself;
6. the request log entry and, if the state changed, the state file.
"""

from __future__ import annotations

import socket
import time
from typing import Any, Mapping, Optional, Union

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .config import SimulatorConfig
from .context import API_PREFIX, EXTENSION_KEY, api_path, current_sim, raw_json
from .errors import ApiError, Unauthenticated
from .faults import error_page
from .routes import register
from .routes.setup import PUBLIC_ENDPOINTS
from .runtime import Simulator

# Laravel lists the allowed methods in this order in its 405 message.
_LARAVEL_VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def create_app(config: Union[SimulatorConfig, Mapping[str, Any], None] = None) -> Flask:
    """Build a simulator app; ``config`` is a SimulatorConfig or keyword settings."""
    if config is None:
        config = SimulatorConfig()
    elif not isinstance(config, SimulatorConfig):
        config = SimulatorConfig.from_mapping(config)

    app = Flask(__name__)
    app.json.sort_keys = False  # keep the reference's field order
    app.json.compact = True
    app.url_map.strict_slashes = False  # Laravel ignores a trailing slash
    app.extensions[EXTENSION_KEY] = Simulator(config)
    register(app)
    app.before_request(_gate)
    app.after_request(_finish)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def _bearer_token() -> Optional[str]:
    """The token the way Laravel's ``bearerToken()`` reads it ("Bearer " is case-sensitive)."""
    header = request.headers.get("Authorization", "")
    position = header.rfind("Bearer ")
    if position < 0:
        return None
    token = header[position + len("Bearer "):].split(",", 1)[0]
    return token or None


def _gate() -> Optional[Response]:
    """before_request: authentication, throttle and faults for /api requests."""
    if not _is_api_request():
        return None
    g.api = True
    g.token = _bearer_token()
    g.rate = None
    g.fault = None
    if request.routing_exception is not None or request.method == "OPTIONS":
        return None  # 404/405 are answered before any middleware
    sim = current_sim()
    if request.endpoint not in PUBLIC_ENDPOINTS:
        account = sim.account_for_token(g.token)
        if account is None:
            raise Unauthenticated()
        g.account_id = account
        g.rate = sim.limiter.hit(g.token, sim.config.rate_limit)
        if not g.rate.allowed:
            response = jsonify({"message": "Too Many Attempts."})
            response.status_code = 429
            response.headers.update(g.rate.headers())
            return response
    fault = sim.faults.take(request.method, api_path())
    if fault is None:
        return None
    g.fault = fault
    if fault.kind == "latency":
        time.sleep(fault.seconds)
        return None
    if fault.kind == "status":
        return Response(error_page(fault.status), status=fault.status, mimetype="text/html")
    if fault.kind == "drop":
        # Logged before the connection is cut: the client's next request comes after it.
        _log_request(sim, None)
        _drop_connection()
        return Response(status=500)  # never reaches the client
    return None  # commit_then_*: handled in _finish


def _drop_connection() -> None:
    """Cut the client's connection without a response.

    Werkzeug's dev server exposes the socket in the environ. After a shutdown
    its attempt to write the response fails with a broken pipe, which it
    treats as a client that went away (no traceback).
    """
    sock = request.environ.get("werkzeug.socket")
    if sock is None:
        raise RuntimeError("drop faults need the werkzeug server (werkzeug.socket missing)")
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def _finish(response: Response) -> Response:
    """after_request: rate-limit headers, late faults, request log, state file."""
    if not getattr(g, "api", False):
        return response
    sim = current_sim()
    fault = g.fault
    if fault is not None and fault.kind == "drop":
        return response  # logged before the connection was cut
    if fault is not None and fault.kind == "commit_then_status":
        response = Response(error_page(fault.status), status=fault.status, mimetype="text/html")
    elif g.rate is not None and g.rate.allowed and (fault is None or fault.kind == "latency"):
        response.headers.update(g.rate.headers())
    sim.save_if_dirty()
    if fault is not None and fault.kind == "commit_then_drop":
        _log_request(sim, None)
        _drop_connection()
        return Response(status=500)  # never reaches the client
    _log_request(sim, response.status_code)
    return response


def _log_request(sim: Simulator, status: Optional[int]) -> None:
    """One entry of the request log (``status`` None: no answer reached the client)."""
    sim.requests.add(
        method=request.method,
        path=api_path(),
        query=request.args.to_dict(flat=True),
        body=raw_json() if request.method not in ("GET", "HEAD") else None,
        status=status,
        token=g.token,
        fault=g.fault.kind if g.fault is not None else None,
    )


def _api_error(error: ApiError):
    response = jsonify(error.body)
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def _laravel_path() -> str:
    # Laravel's $request->path(): no leading or trailing slash ("/" for the root).
    return request.path.strip("/") or "/"


def _http_error(error: HTTPException):
    if isinstance(error, MethodNotAllowed):
        allowed = [m for m in _LARAVEL_VERBS if m in (error.valid_methods or []) and m != request.method]
        message = (
            f"The {request.method} method is not supported for route {_laravel_path()}. "
            f"Supported methods: {', '.join(allowed)}."
        )
        response = jsonify({"message": message})
        response.status_code = 405
        response.headers["Allow"] = ", ".join(allowed)
        return response
    if error.code == 404:
        response = jsonify({"message": f"The route {_laravel_path()} could not be found."})
        response.status_code = 404
        return response
    response = jsonify({"message": error.description or error.name})
    response.status_code = error.code or 500
    return response


def _unexpected_error(error: Exception):
    # A simulator bug: answer like Laravel in production, keep the traceback.
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    response = jsonify({"message": "Server Error"})
    response.status_code = 500
    return response
