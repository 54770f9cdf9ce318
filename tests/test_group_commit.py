"""Group commit: concurrent units share a commit, a failing unit harms nobody, all durable."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, event, func, select
from sqlalchemy.orm import Session

from execflow.clock import ManualClock
from execflow.db import Database
from execflow.group_commit import GroupCommit, Unit
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


def _appending(clock: ManualClock, name: str, fail: bool = False) -> Unit[int]:
    def unit(session: Session) -> int:
        index = append(
            session,
            type="custom.test",
            at=clock.now(),
            actor=Ref("system", "test"),
            subject=Ref("thing", name),
            data={},
        )
        if fail:
            raise ValueError(f"{name} is refused")
        return index

    return unit


def test_run_answers_each_unit_with_its_own_result_after_one_commit(
    db: Database, clock: ManualClock, commits: list[int]
) -> None:
    writes = GroupCommit(db)

    async def burst() -> list[int]:
        return await asyncio.gather(*(writes.run(_appending(clock, f"a{n}")) for n in range(30)))

    indexes = asyncio.run(burst())
    assert sorted(indexes) == list(range(30)), "each caller gets the index its own entry got"
    assert sorted(_entries(db)) == sorted(f"a{n}" for n in range(30))
    assert len(commits) < 30, "units queued together share commits"


def test_a_failing_run_unit_fails_alone_and_the_others_are_kept(
    db: Database, clock: ManualClock
) -> None:
    writes = GroupCommit(db)

    async def burst() -> list[int | BaseException]:
        units = [_appending(clock, f"ok{n}", fail=False) for n in range(4)]
        units.insert(2, _appending(clock, "doomed", fail=True))
        return await asyncio.gather(*(writes.run(u) for u in units), return_exceptions=True)

    answers = asyncio.run(burst())
    refused = [a for a in answers if isinstance(a, BaseException)]
    assert [str(e) for e in refused] == ["doomed is refused"]
    assert sorted(_entries(db)) == [f"ok{n}" for n in range(4)]
    kept = sorted(a for a in answers if isinstance(a, int))
    assert kept == list(range(4)), "the replayed units hand out indexes without a gap"


def test_run_and_write_share_the_log_without_gaps(db: Database, clock: ManualClock) -> None:
    writes = GroupCommit(db)
    threads = [threading.Thread(target=_unit, args=(writes, clock, f"w{n}")) for n in range(10)]

    async def burst() -> list[int]:
        return await asyncio.gather(*(writes.run(_appending(clock, f"r{n}")) for n in range(10)))

    for thread in threads:
        thread.start()
    asyncio.run(burst())
    for thread in threads:
        thread.join(timeout=30)
    names = _entries(db)
    assert sorted(names) == sorted([*(f"w{n}" for n in range(10)), *(f"r{n}" for n in range(10))])
    with db.read() as session:
        indexes = list(session.execute(select(LogEntry.idx).order_by(LogEntry.idx)).scalars())
    assert indexes == list(range(20))
