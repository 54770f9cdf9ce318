"""Integration keys to services, cached briefly so alert floods do not re-read them.

A key that was rotated is forgotten at once by the process that rotated it (`forget`);
other processes, and keys deleted with their service, keep it for at most TTL seconds.
"""

from __future__ import annotations

import time

from fastapi.concurrency import run_in_threadpool

from execflow.db import Database
from execflow.respond.catalog.models import Service
from execflow.respond.catalog.service import service_by_key

TTL = 5.0
MAX_KEYS = 10_000


class ServiceKeys:
    """A small time-limited cache in front of `service_by_key`."""

    def __init__(self, db: Database, ttl: float = TTL) -> None:
        self.db, self.ttl = db, ttl
        self._entries: dict[str, tuple[float, Service | None]] = {}

    def _read(self, key: str) -> Service | None:
        with self.db.read() as session:
            return service_by_key(session, key)

    def forget(self) -> None:
        """Drop every cached key (one was rotated)."""
        self._entries = {}

    async def get(self, key: str) -> Service | None:
        """The service for key (None if there is none), at most TTL seconds old."""
        now = time.monotonic()
        cached = self._entries.get(key)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        found = await run_in_threadpool(self._read, key)
        if len(self._entries) >= MAX_KEYS:
            self._entries.clear()
        self._entries[key] = (now, found)
        return found
