"""Group commit for API writes: concurrent requests share one durable transaction.

Each request runs its change as a unit inside the open batch transaction, in a SAVEPOINT
of its own, one unit at a time. The unit that finds nobody else waiting commits the
batch; everyone whose unit is in it is answered only after that commit, so an answer
still means "on disk". While one batch commits (the fsync), the next requests queue up
and form the next batch, so a burst costs one commit per batch instead of one per
request. A unit that fails rolls back to its savepoint and takes nobody else down; a
commit that fails fails every unit in its batch.

The session is shared by the units of a batch but used by one thread at a time (the
mutex), and the services never commit themselves: the batch owns the transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from execflow.db import Database


@dataclass
class _Batch:
    """One shared transaction and what became of it."""

    session: Session
    scope: AbstractContextManager[Session]
    committed: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommit:
    """Runs write units from many threads in shared transactions; see the module docstring."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._mutex = threading.Lock()
        self._count_lock = threading.Lock()
        self._waiting = 0
        self._batch: _Batch | None = None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one request's change; returns once the change is committed."""
        with self._count_lock:
            self._waiting += 1
        self._mutex.acquire()
        with self._count_lock:
            self._waiting -= 1
        try:
            batch = self._batch or self._open()
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
                with self._count_lock:
                    last = self._waiting == 0
                if last:
                    self._commit(batch)
        finally:
            self._mutex.release()
        batch.committed.wait()
        if batch.error is not None:
            raise batch.error

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
