"""A token bucket per integration key: bursts are fine, floods get 429 and retry."""

from __future__ import annotations

import threading
import time

RATE_PER_SECOND = 500.0
BURST = 2000.0


class Throttle:
    """Admits up to RATE_PER_SECOND events per key on average, BURST at once."""

    def __init__(self, rate: float = RATE_PER_SECOND, burst: float = BURST) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def admit(self, key: str) -> bool:
        """Take one token for key; False when the bucket is empty."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1, now)
            return True
