"""Command line: ``PYTHONPATH=tests/simulator python3 -m simplebackups_simulator``.

Settings come from environment variables (see README); the flags below
override them. Prints the listening URL and the token on stdout, then serves
until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Optional, Sequence

from .config import ConfigError, SimulatorConfig
from .persistence import StateFileError
from .server import build_wsgi_server

_FLAGS = {
    # flag: (setting, help)
    "--host": ("host", "address to bind (HOST, default 127.0.0.1)"),
    "--port": ("port", "port, 0 = any free port (PORT, default 8765)"),
    "--token": ("token", "bearer token of the seeded account (TOKEN)"),
    "--token2": ("token2", "bearer token of the second account (TOKEN2)"),
    "--rate-limit": ("rate_limit", "requests per minute per token (RATE_LIMIT, default 60)"),
    "--state-file": ("state_file", "load/save the state here (STATE_FILE)"),
    "--job-seconds": ("job_seconds", "duration of a backup job (JOB_SECONDS, default 6)"),
    "--removal-delay": ("removal_delay", "seconds a removed server stays listed (REMOVAL_DELAY, default 5)"),
    "--validation-mode": ("validation_mode", "ssh or callback (VALIDATION_MODE, default ssh)"),
    "--job-outcome": ("job_outcome", "auto, success or error (JOB_OUTCOME, default auto)"),
    "--page-size": ("page_size", "paginate every list with this many items (PAGE_SIZE)"),
    "--tls-cert": ("tls_cert", "serve HTTPS with this certificate (TLS_CERT)"),
    "--tls-key": ("tls_key", "private key of the certificate (TLS_KEY)"),
    "--ssh-timeout": ("ssh_timeout", "seconds for the validation SSH login (SSH_TIMEOUT, default 5)"),
}


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 -m simplebackups_simulator",
                                     description="Offline simulator of the SimpleBackups REST API.")
    for flag, (dest, text) in _FLAGS.items():
        parser.add_argument(flag, dest=dest, help=text)
    parser.add_argument("--quiet", action="store_true", default=None, help="no access log on stderr (QUIET=1)")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse_args(argv)
    try:
        config = SimulatorConfig.from_env(os.environ)
        overrides = {key: value for key, value in vars(args).items() if value is not None}
        config = config.replace(**overrides)
        server = build_wsgi_server(config)
    except (ConfigError, StateFileError, ValueError) as exc:
        print(f"simplebackups simulator: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"simplebackups simulator: cannot listen on {config.host}:{config.port}: {exc}", file=sys.stderr)
        return 1

    stop = threading.Event()

    def request_stop(signum, frame):  # noqa: ARG001 (signal handler signature)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    thread = threading.Thread(target=server.serve_forever, name="sb-simulator", daemon=True)
    thread.start()
    scheme = "https" if config.tls_cert else "http"
    print(f"SimpleBackups simulator listening on {scheme}://{config.host}:{server.server_port}/api", flush=True)
    print(f"token: {config.token}", flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
