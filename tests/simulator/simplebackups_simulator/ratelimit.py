"""Per-token request throttling, modelled on Laravel's ``throttle`` middleware.

Laravel keeps, per key, a hit counter and a timer that starts with the first
hit and lasts the decay period (60 s): a fixed window, not a sliding one. A
request that finds the counter at the limit is refused without being counted.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Callable

WINDOW_SECONDS = 60


@dataclass
class Decision:
    """Outcome of one hit, with everything needed for the response headers."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int = 0  # seconds until the window resets (refusals only)
    reset_at: int = 0  # epoch of the reset (refusals only)

    def headers(self) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
            headers["X-RateLimit-Reset"] = str(self.reset_at)
        return headers


class RateLimiter:
    """Fixed-window counters keyed by token, on the simulator clock."""

    def __init__(self, now: Callable[[], float]):
        self._now = now
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window start, hits)
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int) -> Decision:
        """Count one request for ``key`` unless it is over ``limit``."""
        now = self._now()
        with self._lock:
            start, hits = self._windows.get(key, (now, 0))
            if now >= start + WINDOW_SECONDS:
                start, hits = now, 0
            if hits >= limit:
                left = start + WINDOW_SECONDS - now
                retry_after = max(1, math.ceil(left))
                return Decision(False, limit, 0, retry_after, math.ceil(now + retry_after))
            hits += 1
            self._windows[key] = (start, hits)
            return Decision(True, limit, max(0, limit - hits))

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()
