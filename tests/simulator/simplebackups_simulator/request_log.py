"""The log of API requests that ``GET /_sim/requests`` returns."""

from __future__ import annotations

import copy
import threading
from typing import Any, Optional


def token_hint(token: Optional[str]) -> Optional[str]:
    """First four characters of a token and an ellipsis: enough to tell tokens apart."""
    if not token:
        return None
    return token[:4] + "\u2026"


class RequestLog:
    """Append-only list of request records, with a running sequence number."""

    def __init__(self):
        self._entries: list[dict] = []
        self._seq = 0
        self._lock = threading.Lock()

    def add(self, *, method: str, path: str, query: dict, body: Any, status: Optional[int],
            token: Optional[str], fault: Optional[str] = None) -> None:
        with self._lock:
            self._seq += 1
            entry = {
                "seq": self._seq,
                "method": method,
                "path": path,
                "query": query,
                "json": copy.deepcopy(body),
                "status": status,
                "token": token_hint(token),
            }
            if fault:
                entry["fault"] = fault
            self._entries.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._entries)

    def clear(self) -> None:
        with self._lock:
            # The sequence number keeps counting so that entries stay unique.
            self._entries.clear()
