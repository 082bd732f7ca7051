"""Fault injection: make the next matching API requests fail on purpose.

Kinds:

* ``status``: answer ``status`` with an HTML error page; the request is not
  processed, so the state does not change;
* ``drop``: close the connection without any answer;
* ``latency``: wait ``seconds`` and then answer normally;
* ``commit_then_status``: process the request (the state changes) and then
  answer ``status`` anyway, like a server that dies after its commit;
* ``commit_then_drop``: process the request (the state changes) and then
  close the connection without an answer, like a network that fails on the way back.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any, Optional

KINDS = ("status", "drop", "latency", "commit_then_status", "commit_then_drop")

_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class FaultSpecError(ValueError):
    """A fault definition that makes no sense."""


@dataclass
class Fault:
    kind: str
    status: int = 500
    count: int = 1
    method: Optional[str] = None
    path: Optional[str] = None
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        """Does this fault apply to ``method path`` (path relative to /api)?"""
        if self.method and self.method != method:
            return False
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path

    @classmethod
    def from_json(cls, spec: Any) -> "Fault":
        if not isinstance(spec, dict):
            raise FaultSpecError("a fault is a JSON object")
        unknown = set(spec) - {"kind", "status", "count", "method", "path", "seconds"}
        if unknown:
            raise FaultSpecError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise FaultSpecError(f"kind must be one of {', '.join(KINDS)}")
        try:
            status = int(spec.get("status", 500))
            count = int(spec.get("count", 1))
            seconds = float(spec.get("seconds", 0))
        except (TypeError, ValueError):
            raise FaultSpecError("status and count are integers, seconds a number") from None
        if kind in ("status", "commit_then_status") and not 400 <= status <= 599:
            raise FaultSpecError("status must be an HTTP error status (400-599)")
        if count < 1:
            raise FaultSpecError("count must be at least 1")
        if seconds < 0 or (kind == "latency" and seconds == 0):
            raise FaultSpecError("latency needs seconds > 0")
        method = spec.get("method")
        path = spec.get("path")
        if method is not None and not isinstance(method, str):
            raise FaultSpecError("method must be a string")
        if path is not None and (not isinstance(path, str) or not path.startswith("/")):
            raise FaultSpecError("path is relative to /api and starts with '/', e.g. /backup/create")
        return cls(kind, status, count, method.upper() if method else None, path, seconds)


def error_page(status: int) -> str:
    """The kind of HTML body a proxy or PHP-FPM crash answers with."""
    reason = _REASONS.get(status, "Error")
    return (
        "<!DOCTYPE html>\n<html>\n<head><title>"
        f"{status} {reason}</title></head>\n<body>\n<center><h1>{status} {reason}</h1></center>\n"
        "<hr><center>nginx</center>\n</body>\n</html>\n"
    )


class FaultRegistry:
    """Pending faults, consumed first-come first-served."""

    def __init__(self):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def take(self, method: str, path: str) -> Optional[Fault]:
        """Consume one use of the first fault matching this request."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None
