"""Client helpers shared by the simulator tests (imported by conftest and tests)."""

from __future__ import annotations

from typing import Any, Optional

import requests

from simplebackups_simulator import SimulatorServer


class Api:
    """A minimal client that talks to the simulator like a well-behaved client."""

    def __init__(self, base_url: str, token: Optional[str], verify: Any = True):
        self.base_url = base_url
        self.token = token
        self.session = requests.Session()
        # Passed with each request: a session-level verify loses against
        # REQUESTS_CA_BUNDLE in the environment.
        self.verify = verify

    def request(self, method: str, path: str, *, json: Any = None, params: Any = None,
                headers: Optional[dict] = None, **kwargs: Any) -> requests.Response:
        all_headers = {"Accept": "application/json"}
        if self.token is not None:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if json is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        return self.session.request(method, self.base_url + path, json=json, params=params,
                                    headers=all_headers, timeout=30, verify=self.verify, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, json=json, **kwargs)


class Control:
    """The /_sim test hooks over HTTP."""

    def __init__(self, server: SimulatorServer):
        self.root = server.root_url + "/_sim"
        self.verify = server.config.tls_cert or True

    def get(self, path: str) -> Any:
        response = requests.get(self.root + path, timeout=10, verify=self.verify)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, payload: Optional[dict] = None) -> Any:
        response = requests.post(self.root + path, json=payload if payload is not None else {}, timeout=10,
                                 verify=self.verify)
        response.raise_for_status()
        return response.json()

    def delete(self, path: str) -> Any:
        response = requests.delete(self.root + path, timeout=10, verify=self.verify)
        response.raise_for_status()
        return response.json()

    def config(self, **settings: Any) -> dict:
        return self.post("/config", settings)

    def advance(self, seconds: float) -> dict:
        return self.post("/clock", {"advance": seconds})

    def fault(self, **spec: Any) -> dict:
        return self.post("/faults", spec)

    def state(self) -> dict:
        return self.get("/state")

    def requests(self) -> list[dict]:
        return self.get("/requests")["requests"]


# --- object factories ---------------------------------------------------------------------

def add_server(api: Api, **fields: Any) -> dict:
    """Add a password server (or whatever ``fields`` say) and return the answer's data."""
    # Loopback host: if a test ever validates it in ssh mode, nothing leaves the machine.
    body = {"name": "web-01", "connection_type": "password", "host": "127.0.0.1", "port": "22",
            "user": "ubuntu", "password": "s3cret"}
    body.update(fields)
    response = api.post("/server/add", body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def backup_body(default_server_id: int, /, **fields: Any) -> dict:
    """A ``backup/create`` body for that server.

    ``fields`` override or add keys (a ``server_id`` field replaces the default one);
    a field given as ``...`` is left out.
    """
    body = {"name": "site-files", "type": "file", "file_path": "/var/www", "server_id": str(default_server_id),
            "storage_id": "3", "schedule": "daily", "retention": "3"}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not ...}


def add_backup(api: Api, default_server_id: int, /, **fields: Any) -> dict:
    """Create a backup from :func:`backup_body` and return the answer's data."""
    response = api.post("/backup/create", backup_body(default_server_id, **fields))
    assert response.status_code == 200, response.text
    return response.json()["data"]
