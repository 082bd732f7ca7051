"""The running simulator: state, clock, config and the test-hook registries.

One ``Simulator`` backs one Flask app. Request handlers take ``lock`` for the
whole of their work on the state (the only long operation, the SSH login of
``validate-connection``, runs outside it), so the threaded server is safe.
"""

from __future__ import annotations

import threading
from typing import Optional

from .clock import SimClock
from .config import SimulatorConfig
from .faults import FaultRegistry
from .jobs import settle_jobs
from .persistence import load_state_file, save_state_file
from .ratelimit import RateLimiter
from .removal import process_removals
from .request_log import RequestLog
from .store import Store


class Simulator:
    """Everything one simulated SimpleBackups service knows."""

    def __init__(self, config: SimulatorConfig):
        self.lock = threading.RLock()
        self.initial_config = config
        self.config = config
        self.clock = SimClock()
        self.limiter = RateLimiter(self.clock.now)
        self.faults = FaultRegistry()
        self.requests = RequestLog()
        self.store = Store()
        if config.state_file:
            document = load_state_file(config.state_file)
            if document is not None:
                self.store = Store.from_document(document)
                self.clock.set_offset(document.get("clock_offset", 0.0))

    # --- accounts -------------------------------------------------------------

    def account_for_token(self, token: Optional[str]) -> Optional[int]:
        """Account id of a bearer token (tokens come from the config)."""
        if not token:
            return None
        return {self.config.token: 1, self.config.token2: 2}.get(token)

    # --- time-driven changes -------------------------------------------------------

    def settle(self) -> float:
        """Apply what the clock says has happened (jobs ended, servers removed).

        Called under ``lock`` at the start of every request; returns "now".
        """
        now = self.clock.now()
        settle_jobs(self.store, now)
        process_removals(self.store, now)
        return now

    # --- persistence ----------------------------------------------------------------

    def save_if_dirty(self) -> None:
        """Write the state file after a request that changed the state."""
        with self.lock:
            if not self.store.dirty:
                return
            self.store.dirty = False
            if self.config.state_file:
                document = self.store.to_document()
                document["clock_offset"] = self.clock.offset
                save_state_file(self.config.state_file, document)

    # --- test hooks ------------------------------------------------------------------

    def reset(self, keep_config: bool = False, keep_requests: Optional[bool] = None) -> None:
        """Back to the seed: state, clock, rate limits and faults.

        The config and the request log are reset too unless kept;
        ``keep_requests`` defaults to ``keep_config``.
        """
        if keep_requests is None:
            keep_requests = keep_config
        with self.lock:
            self.store = Store()
            self.store.mark_dirty()
            self.clock.set_offset(0.0)
            self.limiter.clear()
            self.faults.clear()
            if not keep_config:
                self.config = self.initial_config
            if not keep_requests:
                self.requests.clear()
        self.save_if_dirty()

    def advance_clock(self, seconds: float) -> None:
        with self.lock:
            self.clock.advance(seconds)
            self.store.mark_dirty()  # the offset is part of the state file
        self.save_if_dirty()
