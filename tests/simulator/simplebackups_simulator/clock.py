"""The simulator clock: wall-clock time plus an offset that tests can advance.

Everything time-dependent (job progress, queued server removals, schedules,
rate-limit windows, timestamps) reads this clock, so a test can jump forward
with ``POST /_sim/clock`` instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Callable


class SimClock:
    """Monotonic-enough UTC clock with an adjustable forward offset."""

    def __init__(self, offset: float = 0.0, source: Callable[[], float] = time.time):
        self._offset = float(offset)
        self._source = source
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        """Seconds the simulator clock is ahead of the wall clock."""
        with self._lock:
            return self._offset

    def now(self) -> float:
        """Current simulator time as a POSIX timestamp."""
        with self._lock:
            return self._source() + self._offset

    def now_dt(self) -> datetime:
        """Current simulator time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never backward) and return the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def set_offset(self, offset: float) -> None:
        """Restore a saved offset (used when loading a state file or resetting)."""
        with self._lock:
            self._offset = float(offset)
