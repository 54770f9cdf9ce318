"""GET /events: Server-Sent Events for open console pages, one per log entry appended.

Every state change appends a log entry, so the log's size is the one thing to watch: one
watcher per process reads it every POLL_SECONDS while anyone listens (any node's change
shows), and each stream sends the entries past what its page has seen. The event id is
the entry's index; a browser that reconnects sends it back as Last-Event-ID and misses
nothing. A page refetches itself when told; polling is the fallback when the stream fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from starlette.responses import StreamingResponse

from execflow.console.auth import Signed
from execflow.db import Database
from execflow.prove.log import store
from execflow.prove.log.models import LogEntry
from execflow.web.deps import State

log = logging.getLogger("execflow.console")
router = APIRouter(include_in_schema=False)
POLL_SECONDS = 0.25
KEEPALIVE_SECONDS = 15.0
MOST_PER_WAKE = 100


class LogWatch:
    """The log's appended size, read every POLL_SECONDS by one task; waiters are woken."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.size: int | None = None
        self._changed: asyncio.Condition | None = None
        self._task: asyncio.Task[None] | None = None

    def _read(self) -> int:
        with self.db.read() as session:
            return store.appended_size(session)

    def seen(self) -> int | None:
        """The size last read (None before the first read); keeps the watcher running."""
        self._start()
        return self.size

    async def current(self) -> int:
        """The size now."""
        self._start()
        if self.size is None:
            self.size = await run_in_threadpool(self._read)
        return self.size

    async def beyond(self, position: int, timeout: float) -> int:
        """Wait until the log is larger than position (or timeout); the size then."""
        self._start()
        assert self._changed is not None
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: (self.size or 0) > position), timeout
                )
        return self.size or position

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._changed = asyncio.Condition()
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            try:
                size = await run_in_threadpool(self._read)
            except Exception:  # the database is away: try again on the next beat
                size = self.size or 0
            if size != self.size and self._changed is not None:
                async with self._changed:
                    self.size = size
                    self._changed.notify_all()
            await asyncio.sleep(POLL_SECONDS)


def _watch(request: Request) -> LogWatch:
    found: LogWatch = request.app.state.log_watch
    return found


def _entries(db: Database, start: int, stop: int) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.execute(
            select(LogEntry.idx, LogEntry.type, LogEntry.subject_kind, LogEntry.subject_id)
            .where(LogEntry.idx >= start, LogEntry.idx < stop)
            .order_by(LogEntry.idx)
        ).all()
    return [
        {"index": r.idx, "type": r.type, "subject": {"kind": r.subject_kind, "id": r.subject_id}}
        for r in rows
    ]


@router.get("/events")
async def events(request: Request, state: State, _me: Signed) -> StreamingResponse:
    """One `change` event per new log entry (id = its index), resuming after Last-Event-ID."""
    watch = _watch(request)
    last = request.headers.get("last-event-id", "")
    since = request.query_params.get("since", "")
    if last.isdigit():
        position = int(last) + 1
    elif since.isdigit():
        position = int(since)  # the log's size when the page was made: nothing is missed
    else:
        position = await watch.current()

    async def stream() -> AsyncIterator[str]:
        seen = position
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            try:
                size = await watch.beyond(seen, KEEPALIVE_SECONDS)
                if size <= seen:
                    yield ": still here\n\n"
                    continue
                stop = min(size, seen + MOST_PER_WAKE)
                items = await run_in_threadpool(_entries, state.db, seen, stop)
            except Exception:  # the stream stays open; the page keeps its last state
                log.exception("reading the log for a console stream failed")
                await asyncio.sleep(POLL_SECONDS)
                continue
            for item in items:
                yield f"id: {item['index']}\nevent: change\ndata: {json.dumps(item)}\n\n"
            seen = stop

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
