"""Group commit for alert intake: concurrent requests share one durable transaction.

Each request's signals go on a queue; a committer thread takes everything queued (up to
BATCH items, without waiting for more: what arrives while a batch commits forms the next
one), writes it in one transaction, and only then answers each waiting request. So every
202 still means "persisted", but a burst costs one fsync per batch instead of one per
request.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass

from execflow.clock import Clock
from execflow.db import Database
from execflow.detect.ingest import service as ingest
from execflow.detect.ingest.signals import Signal
from execflow.respond.catalog.models import Service

log = logging.getLogger("execflow.ingest")
BATCH = 500


@dataclass
class _Item:
    service: Service
    signals: list[Signal]
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[None]


class Batcher:
    """Commits queued intake in batches on its own thread."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def accept(self, service: Service, signals: list[Signal]) -> None:
        """Return once the signals are committed."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.put(_Item(service, signals, loop, done))
        await done

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="execflow-intake", daemon=True
                )
                self._thread.start()

    def _take(self) -> list[_Item]:
        items = [self._queue.get()]
        while len(items) < BATCH:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return items

    def _run(self) -> None:
        while True:
            items = self._take()
            error: BaseException | None = None
            try:
                signals: dict[str, list[Signal]] = {}
                for item in items:
                    signals.setdefault(item.service.id, []).extend(item.signals)
                with self.db.write_connection() as connection:
                    ingest.accept(connection, signals=signals, now=self.clock.now())
            except Exception as exc:  # every waiting request hears about it
                log.exception("committing %d intake requests failed", len(items))
                error = exc
            # One wake-up per event loop for the whole batch, not one per request.
            waiting: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
            for item in items:
                waiting.setdefault(item.loop, []).append(item.done)
            for loop, futures in waiting.items():
                loop.call_soon_threadsafe(_settle, futures, error)


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for done in futures:
        if done.done():
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)
