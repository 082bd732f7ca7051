"""Per-request helpers shared by the route modules."""

from __future__ import annotations

from typing import Any, Optional

from flask import current_app, g, jsonify, request

from .pagination import list_response
from .runtime import Simulator
from .validation import normalize_input

EXTENSION_KEY = "simplebackups_simulator"
API_PREFIX = "/api"


def current_sim() -> Simulator:
    return current_app.extensions[EXTENSION_KEY]


def api_base() -> str:
    """The /api base URL as the client addressed it (scheme + Host header)."""
    return request.host_url.rstrip("/") + API_PREFIX


def api_path() -> str:
    """The request path relative to /api, e.g. ``/backup/list``."""
    path = request.path
    return path[len(API_PREFIX):] or "/"


def raw_json() -> Any:
    """The JSON body as sent, or None (a non-JSON content type counts as no body).

    Laravel only decodes the body when the request says it is JSON; a client
    that forgets ``Content-Type: application/json`` sends, in effect, nothing.
    """
    return request.get_json(silent=True)


def json_input() -> dict:
    """The request's JSON object after Laravel's input middleware (trim, "" -> null)."""
    body = raw_json()
    return normalize_input(body) if isinstance(body, dict) else {}


def query_input() -> dict:
    """Query parameters (first value of each) after the same normalisation."""
    return normalize_input(request.args.to_dict(flat=True))


def account_id() -> int:
    return g.account_id


def current_team_id() -> int:
    """The team the authenticated account has switched to (under the lock)."""
    return current_sim().store.current_team_id(g.account_id)


def filter_value(name: str) -> Optional[str]:
    """``filters[name]`` from the query string; empty means "no filter"."""
    value = request.args.get(f"filters[{name}]")
    if value is None:
        return None
    value = value.strip()
    return value or None


def list_json(items: list):
    """A list answer, paginated when the config says so."""
    page_size = current_sim().config.page_size
    return jsonify(list_response(items, page_size, request.base_url, request.args))
