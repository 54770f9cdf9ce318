"""What is queued, what a worker holds, and how each kind is handled."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Queued:
    """A side effect to queue with enqueue_many."""

    kind: str
    payload: dict[str, Any]
    due_at: datetime | None = None
    max_attempts: int = 12


@dataclass(frozen=True)
class Claimed:
    """A row a worker holds the lease on."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    owner: str = ""
    """The worker holding the lease (a delivery may complete its own row early)."""


Deliver = Callable[[Claimed], None]
"""Sends one item to the outside world; raises when it was not accepted."""
Done = Callable[[Session, Sequence[Claimed], datetime], None]
"""Database work for a delivered batch (session, items, now) where it is marked done."""
Failed = Callable[[Session, Claimed, str, bool], None]
"""Records a failed try (session, item, error, final) in the transaction that reschedules it."""


@dataclass(frozen=True)
class Handler:
    """How one outbox kind is delivered, what its delivery records, and what a failure does.

    A handler without `deliver` is database work only (a timer): its `done` is the whole
    job, and it runs in its own loop so a slow mail server never delays it.
    """

    deliver: Deliver | None = None
    done: Done | None = None
    failed: Failed | None = None
    serial: bool = False
    """Applied in queue order, never side by side (intake: no resolve before its trigger); on
    PostgreSQL only the holder of a transaction-level advisory lock claims these rows."""

    @property
    def inline(self) -> bool:
        """Whether this kind is database work only."""
        return self.deliver is None


class Job:
    """A typed payload: subclasses are frozen dataclasses naming their outbox KIND."""

    KIND: ClassVar[str]

    def queued(self, due_at: datetime | None = None) -> Queued:
        """This job as a row to queue (due now, or at due_at)."""
        return Queued(self.KIND, asdict(self), due_at)  # type: ignore[call-overload]

    @classmethod
    def of(cls, payload: dict[str, Any]) -> Self:
        """The job a stored payload holds (keys it does not know are ignored)."""
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in payload.items() if k in known})


J = TypeVar("J", bound=Job)


def each(job: type[J], work: Callable[[Session, J, datetime], None]) -> Handler:
    """A timer handler running work for one typed job at a time, in the completing transaction."""

    def done(session: Session, items: Sequence[Claimed], now: datetime) -> None:
        for item in items:
            work(session, job.of(item.payload), now)

    return Handler(done=done)
