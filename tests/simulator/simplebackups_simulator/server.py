"""Run the simulator in a background thread, for tests and embedding.

Example::

    with SimulatorServer(page_size=2) as sim:
        requests.get(sim.base_url + "/backup/list",
                     headers={"Authorization": f"Bearer {sim.token}"})
        sim.advance(10)          # POST /_sim/clock
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any, Optional

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app
from .config import SimulatorConfig


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler minus the per-request access log line."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass


def build_wsgi_server(config: SimulatorConfig) -> BaseWSGIServer:
    """A threaded werkzeug server for ``config`` (HTTPS when cert and key are set)."""
    app = create_app(config)
    ssl_context = (config.tls_cert, config.tls_key) if config.tls_cert else None
    handler = QuietRequestHandler if config.quiet else WSGIRequestHandler
    server = make_server(config.host, config.port, app, threaded=True, request_handler=handler,
                         ssl_context=ssl_context)
    server.daemon_threads = True  # a hung client must not keep the process alive
    return server


class SimulatorServer:
    """A simulator listening on a free port of 127.0.0.1 (by default).

    Keyword arguments are settings of :class:`SimulatorConfig` (``port``
    defaults to 0 here: a free port). ``tls_cert``/``tls_key`` serve HTTPS.
    """

    def __init__(self, **settings: Any):
        settings.setdefault("port", 0)
        settings.setdefault("quiet", True)
        self.config = SimulatorConfig.from_mapping(settings)
        self._server: Optional[BaseWSGIServer] = None
        self._thread: Optional[threading.Thread] = None

    # --- lifecycle ----------------------------------------------------------------

    def start(self) -> "SimulatorServer":
        if self._server is not None:
            raise RuntimeError("already started")
        self._server = build_wsgi_server(self.config)
        # A short poll interval makes stop() quick (tests start and stop servers).
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sb-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "SimulatorServer":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # --- addresses and credentials ---------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("not started")
        return self._server.server_port

    @property
    def scheme(self) -> str:
        return "https" if self.config.tls_cert else "http"

    @property
    def root_url(self) -> str:
        """e.g. ``http://127.0.0.1:54321``."""
        return f"{self.scheme}://{self.config.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:54321/api``."""
        return self.root_url + "/api"

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def token2(self) -> str:
        return self.config.token2

    @property
    def app(self):
        """The Flask app (for ``app.test_client()``)."""
        if self._server is None:
            raise RuntimeError("not started")
        return self._server.app

    @property
    def simulator(self):
        """The in-process :class:`~.runtime.Simulator` (state, clock, config)."""
        return self.app.extensions["simplebackups_simulator"]

    # --- test-hook shortcuts (in-process, no HTTP) ------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the simulator clock forward."""
        self.simulator.advance_clock(seconds)

    def reset(self, keep_config: bool = False) -> None:
        self.simulator.reset(keep_config=keep_config)

    def control(self, method: str, path: str, payload: Optional[dict] = None) -> Any:
        """Call a /_sim hook over HTTP (plain urllib, no extra dependency)."""
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.root_url + "/_sim" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        context = None
        if self.scheme == "https":
            import ssl

            context = ssl.create_default_context(cafile=self.config.tls_cert)
        with urllib.request.urlopen(req, context=context, timeout=10) as response:  # noqa: S310 (local URL)
            return json.loads(response.read() or b"null")
