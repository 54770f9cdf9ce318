"""Recently authenticated tokens, kept briefly so a burst of requests reads the table once.

A token revoked through this process is forgotten at once (`forget`); another process
may accept it for at most TTL seconds more.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from execflow.access.models import ApiToken
from execflow.access.service import hash_secret

TTL = 2.0
MAX_TOKENS = 10_000


class TokenCache:
    """Secret hash -> (when read, token), each entry good for TTL seconds."""

    def __init__(self, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._entries: dict[str, tuple[float, ApiToken]] = {}

    def get(self, secret: str) -> ApiToken | None:
        """The live token for secret read less than TTL ago, if any."""
        found = self._entries.get(hash_secret(secret))
        if found is None or self.clock() - found[0] >= self.ttl:
            return None
        return found[1]

    def put(self, secret: str, token: ApiToken) -> None:
        """Remember a live token just read."""
        if len(self._entries) >= MAX_TOKENS:
            self._entries = {}
        self._entries[hash_secret(secret)] = (self.clock(), token)

    def forget(self) -> None:
        """Drop everything (a token was revoked)."""
        self._entries = {}
