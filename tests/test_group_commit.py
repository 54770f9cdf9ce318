"""Group commit: concurrent units share a commit, a failing unit harms nobody, all durable."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, event, func, select

from execflow.clock import ManualClock
from execflow.db import Database
from execflow.group_commit import GroupCommit
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.prove.log.models import LogEntry


@pytest.fixture
def commits() -> Iterator[list[int]]:
    """Counts every COMMIT any engine sends while the test runs (a savepoint is no commit)."""
    seen: list[int] = []

    def count(_connection: Connection) -> None:
        seen.append(1)

    event.listen(Engine, "commit", count)
    yield seen
    event.remove(Engine, "commit", count)


def _entries(db: Database) -> list[str]:
    with db.read() as session:
        rows = session.execute(select(LogEntry.subject_id).order_by(LogEntry.idx)).scalars()
        return list(rows)


def _unit(writes: GroupCommit, clock: ManualClock, name: str, hold: float = 0.0) -> None:
    with writes.write() as session:
        append(
            session,
            type="custom.test",
            at=clock.now(),
            actor=Ref("system", "test"),
            subject=Ref("thing", name),
            data={},
        )
        time.sleep(hold)  # keeps the batch open while the others queue up


def test_units_queued_behind_a_batch_share_the_next_commit(
    db: Database, clock: ManualClock, commits: list[int]
) -> None:
    writes = GroupCommit(db)
    first = threading.Thread(target=_unit, args=(writes, clock, "first", 0.3))
    first.start()
    time.sleep(0.1)
    others = [threading.Thread(target=_unit, args=(writes, clock, f"u{n}")) for n in range(20)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(timeout=30)
    assert sorted(_entries(db)) == sorted(["first", *(f"u{n}" for n in range(20))])
    assert len(commits) <= 2, "units that waited behind a batch share its commit"


def test_a_failing_unit_rolls_back_alone(db: Database, clock: ManualClock) -> None:
    writes = GroupCommit(db)
    errors: list[BaseException] = []

    def failing() -> None:
        try:
            with writes.write() as session:
                append(
                    session,
                    type="custom.test",
                    at=clock.now(),
                    actor=Ref("system", "test"),
                    subject=Ref("thing", "doomed"),
                    data={},
                )
                time.sleep(0.1)
                raise ValueError("this request is refused")
        except ValueError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=failing)] + [
        threading.Thread(target=_unit, args=(writes, clock, f"ok{n}")) for n in range(5)
    ]
    for thread in threads:
        thread.start()
        time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=30)
    assert len(errors) == 1
    assert sorted(_entries(db)) == [f"ok{n}" for n in range(5)]
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(LogEntry)).scalar_one() == 5


def test_a_unit_returns_only_after_its_commit(db: Database, clock: ManualClock) -> None:
    writes = GroupCommit(db)
    _unit(writes, clock, "alone")
    assert _entries(db) == ["alone"], "visible to another connection once write() returns"
