"""Group commit for API writes: concurrent requests share one durable transaction.

There are two doors, one batch. A handler on a worker thread uses `write()`, a context
manager; an async handler awaits `run(unit)` with a function of the session, which a
committer thread runs. Either way a request's change runs inside the open batch
transaction, and the unit that finds nobody else waiting commits the batch; everyone
whose change is in it is answered only after that commit, so an answer still means "on
disk". While one batch commits (the fsync), the next requests queue up and form the next
batch, so a burst costs one commit per batch instead of one per request.

A failing request takes nobody else down. A `write()` unit runs in a SAVEPOINT of its
own. The committer runs everything it took under one SAVEPOINT (one per batch, not one
per request); if any unit raises, it rolls that back and runs each unit again in its own
SAVEPOINT, so the failure stays with its request. Units given to `run` must therefore
touch nothing but the session. A commit that fails fails every unit in its batch.

The session is shared by the units of a batch but used by one thread at a time (the
mutex), and the services never commit themselves: the batch owns the transaction.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from execflow.db import Database

log = logging.getLogger("execflow.writes")
T = TypeVar("T")
Unit = Callable[[Session], T]
MAX_UNITS = 500
"""The most queued units the committer runs in one batch."""


@dataclass
class _Batch:
    """One shared transaction and what became of it."""

    session: Session
    scope: AbstractContextManager[Session]
    committed: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


@dataclass
class _Queued:
    """A unit given to `run`, and where its caller waits."""

    unit: Unit[Any]
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[Any]
    result: Any = None
    error: BaseException | None = None


class GroupCommit:
    """Runs write units from many threads in shared transactions; see the module docstring."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._mutex = threading.Lock()
        self._count_lock = threading.Lock()
        self._waiting = 0
        self._batch: _Batch | None = None
        self._queue: queue.SimpleQueue[_Queued] = queue.SimpleQueue()
        self._committer: threading.Thread | None = None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one request's change; returns once the change is committed."""
        batch = self._join()
        try:
            savepoint = batch.session.begin_nested()
            try:
                yield batch.session
                if savepoint.is_active:
                    savepoint.commit()
            except BaseException:
                if savepoint.is_active:
                    savepoint.rollback()
                raise
            finally:
                self._leave(batch)
        finally:
            self._mutex.release()
        batch.committed.wait()
        if batch.error is not None:
            raise batch.error

    async def run(self, unit: Unit[T]) -> T:
        """Run unit(session) in the next batch; return its result once committed."""
        self._start()
        loop = asyncio.get_running_loop()
        queued = _Queued(unit, loop, loop.create_future())
        self._queue.put(queued)
        result: T = await queued.done
        return result

    def _join(self) -> _Batch:
        """Wait for the mutex (counted as waiting meanwhile); the open batch or a new one."""
        with self._count_lock:
            self._waiting += 1
        self._mutex.acquire()
        with self._count_lock:
            self._waiting -= 1
        try:
            return self._batch or self._open()
        except BaseException:
            self._mutex.release()
            raise

    def _leave(self, batch: _Batch) -> None:
        """Commit the batch if nobody else is waiting to join it (the mutex is held)."""
        with self._count_lock:
            last = self._waiting == 0
        if last:
            self._commit(batch)

    def _start(self) -> None:
        if self._committer is None:
            with self._count_lock:
                if self._committer is None:
                    self._committer = threading.Thread(
                        target=self._commit_queued, name="execflow-writes", daemon=True
                    )
                    self._committer.start()

    def _take(self) -> list[_Queued]:
        items = [self._queue.get()]
        while len(items) < MAX_UNITS:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return items

    def _commit_queued(self) -> None:
        """The committer thread: run what is queued as one batch, commit, answer, repeat."""
        while True:
            items = self._take()
            try:
                batch = self._join()
                try:
                    _run_units(batch.session, items)
                finally:
                    self._leave(batch)
                    self._mutex.release()
                batch.committed.wait()
                commit_error = batch.error
            except BaseException as exc:  # opening the batch failed: nobody's change is in
                log.exception("a write batch could not be opened")
                commit_error = exc
            _answer(items, commit_error)

    def _open(self) -> _Batch:
        scope = self.db.write()
        batch = _Batch(scope.__enter__(), scope)
        self._batch = batch
        return batch

    def _commit(self, batch: _Batch) -> None:
        """Commit the batch (the caller holds the mutex) and wake every unit in it."""
        self._batch = None
        try:
            batch.scope.__exit__(None, None, None)
        except BaseException as exc:
            batch.error = exc
        finally:
            batch.committed.set()


def _run_units(session: Session, items: list[_Queued]) -> None:
    """Run every unit under one savepoint; on any failure, again one savepoint each."""
    group = session.begin_nested()
    try:
        for item in items:
            item.result = item.unit(session)
        group.commit()
        return
    except Exception:
        group.rollback()
    for item in items:
        item.result = None
        alone = session.begin_nested()
        try:
            item.result = item.unit(session)
            alone.commit()
        except Exception as exc:
            alone.rollback()
            item.error = exc


def _answer(items: list[_Queued], commit_error: BaseException | None) -> None:
    """Settle each caller's future on its own loop: one wake-up per loop per batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Queued]] = {}
    for item in items:
        if commit_error is not None and item.error is None:
            item.error = commit_error
        by_loop.setdefault(item.loop, []).append(item)
    for loop, settled in by_loop.items():
        loop.call_soon_threadsafe(_settle, settled)


def _settle(items: list[_Queued]) -> None:
    for item in items:
        if item.done.done():
            continue  # the caller went away
        if item.error is None:
            item.done.set_result(item.result)
        else:
            item.done.set_exception(item.error)
