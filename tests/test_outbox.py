"""The outbox on a real database: delivery after commit, leases, retries, and two workers."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.delivery.webhook import client, webhook_handler
from execflow.prove.log.note import Signer
from execflow.workers import Workers
from tests.receiver import receiver


def _queue(
    db: Database,
    clock: ManualClock,
    url: str,
    n: int,
    *,
    due_at: datetime | None = None,
    max_attempts: int = 12,
) -> None:
    with db.write() as session:
        for i in range(n):
            outbox.enqueue(
                session,
                kind="webhook",
                payload={"url": url, "body": {"n": i}},
                now=clock.now(),
                due_at=due_at,
                max_attempts=max_attempts,
            )


def test_nothing_is_sent_for_a_rolled_back_change(db: Database, clock: ManualClock) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        outbox.enqueue(session, kind="webhook", payload={}, now=clock.now())
        raise RuntimeError("the change failed")
    with db.write() as session:
        assert outbox.claim(session, owner="a", now=clock.now()) == []


def test_a_lease_keeps_others_off_until_it_runs_out(db: Database, clock: ManualClock) -> None:
    _queue(db, clock, "http://unused", 3)
    with db.write() as session:
        first = outbox.claim(session, owner="a", now=clock.now(), lease=timedelta(seconds=30))
    assert len(first) == 3
    with db.write() as session:
        assert outbox.claim(session, owner="b", now=clock.now()) == []
    clock.advance(timedelta(seconds=31))
    with db.write() as session:
        taken_over = outbox.claim(session, owner="b", now=clock.now())
    assert [c.id for c in taken_over] == [c.id for c in first]
    assert all(c.attempts == 2 for c in taken_over)
    with db.write() as session:
        ids = [first[0].id]
        assert outbox.complete_many(session, item_ids=ids, owner="a", now=clock.now()) == set()
        assert outbox.complete_many(session, item_ids=ids, owner="b", now=clock.now()) == set(ids)


def test_work_due_later_waits(db: Database, clock: ManualClock) -> None:
    _queue(db, clock, "http://unused", 1, due_at=clock.now() + timedelta(minutes=5))
    with db.write() as session:
        assert outbox.claim(session, owner="a", now=clock.now()) == []
    clock.advance(timedelta(minutes=5))
    with db.write() as session:
        assert len(outbox.claim(session, owner="a", now=clock.now())) == 1


def test_failed_delivery_backs_off_then_succeeds(
    db: Database, clock: ManualClock, signer: Signer, settings: Settings
) -> None:
    workers = Workers(db, signer, clock, settings, handlers={"webhook": webhook_handler(client())})
    with receiver() as target:
        target.statuses = [503, 500]
        _queue(db, clock, target.url + "/hook", 1)
        assert workers.deliver_once() == 1
        assert target.requests == []
        assert workers.deliver_once() == 0  # backing off: not due yet
        clock.advance(outbox.backoff(1))
        assert workers.deliver_once() == 1
        assert target.requests == []
        clock.advance(outbox.backoff(2))
        assert workers.deliver_once() == 1
        assert [r.body for r in target.requests] == [{"n": 0}]
        assert target.requests[0].headers["Idempotency-Key"].startswith("execflow-outbox-")
    with db.read() as session:
        assert outbox.pending_count(session) == 0


def test_delivery_gives_up_after_max_attempts_and_says_so(
    db: Database, clock: ManualClock, signer: Signer, settings: Settings
) -> None:
    workers = Workers(db, signer, clock, settings, handlers={"webhook": webhook_handler(client())})
    _queue(db, clock, "http://127.0.0.1:9/closed", 1, max_attempts=2)
    workers.deliver_once()
    clock.advance(timedelta(hours=1))
    workers.deliver_once()
    with db.read() as session:
        row = session.query(outbox.OutboxRow).one()
    assert row.state == outbox.DEAD and row.attempts == 2
    assert row.last_error and "ConnectError" in row.last_error


def test_two_workers_deliver_each_item_exactly_once(
    db: Database, clock: ManualClock, signer: Signer, settings: Settings
) -> None:
    with receiver() as target:
        _queue(db, clock, target.url + "/hook", 300)
        nodes = [
            Workers(
                db,
                signer,
                clock,
                settings,
                handlers={"webhook": webhook_handler(client())},
                owner=name,
            )
            for name in ("node-a", "node-b")
        ]
        errors: list[BaseException] = []

        def drain(node: Workers) -> None:
            try:
                while node.deliver_once(limit=16):
                    pass
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=drain, args=(n,)) for n in nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        numbers = sorted(r.body["n"] for r in target.requests)
    assert numbers == list(range(300))
    with db.read() as session:
        assert outbox.pending_count(session) == 0


def test_enqueue_many_queues_in_one_go_and_next_due_looks_ahead(
    db: Database, clock: ManualClock
) -> None:
    later = clock.now() + timedelta(seconds=90)
    with db.write() as session:
        assert outbox.next_due(session, now=clock.now()) is None
        outbox.enqueue_many(
            session,
            [
                outbox.Queued("webhook", {"n": 1}, due_at=later),
                outbox.Queued("other", {"n": 2}, due_at=later - timedelta(seconds=30)),
            ],
            now=clock.now(),
        )
    with db.read() as session:
        assert outbox.next_due(session, now=clock.now(), kinds=["webhook"]) == later
        assert outbox.next_due(session, now=clock.now()) == later - timedelta(seconds=30)
        both = ["webhook", "other"]
        assert outbox.next_due(session, now=clock.now(), kinds=both) == later - timedelta(
            seconds=30
        )
        assert outbox.next_due(session, now=clock.now(), kinds=[]) is None
    clock.advance(timedelta(seconds=90))
    with db.write() as session:
        claimed = outbox.claim(session, owner="a", now=clock.now(), kinds=["webhook"])
    assert [(c.kind, c.payload, c.attempts) for c in claimed] == [("webhook", {"n": 1}, 1)]
    with db.read() as session:  # leased rows are not due for anyone else
        assert outbox.next_due(session, now=clock.now(), kinds=["webhook"]) is None


def test_a_worker_role_must_be_known(
    db: Database, clock: ManualClock, signer: Signer, settings: Settings
) -> None:
    with pytest.raises(ValueError, match="role must be one of"):
        Workers(db, signer, clock, settings, handlers={}, role="sideways")


@pytest.mark.parametrize("serial", [True, False])
def test_serial_kinds_are_taken_by_one_worker_at_a_time_in_order(
    db: Database, clock: ManualClock, serial: bool
) -> None:
    """While one worker holds the first intake rows in its open transaction, another gets
    none of the later ones (it would apply them first); other kinds stay open to it."""
    if db.is_sqlite:
        pytest.skip("SQLite runs one write transaction at a time: order comes for free")
    with db.write() as session:
        for n in range(4):
            outbox.enqueue(session, kind="ingest", payload={"n": n}, now=clock.now())
        outbox.enqueue(session, kind="timer", payload={}, now=clock.now())
    turn = {"ingest"} if serial else set()
    kinds = ["ingest", "timer"]
    with db.write() as first:
        held = outbox.claim(first, owner="a", now=clock.now(), limit=2, kinds=kinds, serial=turn)
        assert [c.payload.get("n") for c in held] == [0, 1]
        with db.write() as second:
            meanwhile = outbox.claim(second, owner="b", now=clock.now(), kinds=kinds, serial=turn)
        outbox.complete_many(first, item_ids=[c.id for c in held], owner="a", now=clock.now())
    taken = [(c.kind, c.payload.get("n")) for c in meanwhile]
    if serial:
        assert taken == [("timer", None)]
        with db.write() as second:
            after = outbox.claim(second, owner="b", now=clock.now(), kinds=kinds, serial=turn)
        assert [c.payload.get("n") for c in after] == [2, 3]
    else:  # without the turn the later rows go to the second worker at once
        assert ("ingest", 2) in taken and ("ingest", 3) in taken


def test_two_workers_apply_serial_work_in_queue_order(
    db: Database, clock: ManualClock, signer: Signer, settings: Settings
) -> None:
    """Worker a holds the first rows mid-work; worker b, asked meanwhile, applies none of
    the later ones and does its other work; afterwards the rest follow in order."""
    if db.is_sqlite:
        pytest.skip("SQLite runs one write transaction at a time: order comes for free")
    applied: list[tuple[str, int]] = []
    holding, release = threading.Event(), threading.Event()

    def work(owner: str) -> outbox.Handler:
        def done(session: Session, items: Sequence[outbox.Claimed], now: datetime) -> None:
            applied.extend((owner, item.payload["n"]) for item in items)
            if owner == "a":
                holding.set()
                assert release.wait(timeout=30)

        return outbox.Handler(done=done, serial=True)

    def timer(session: Session, items: Sequence[outbox.Claimed], now: datetime) -> None:
        applied.append(("timer", 0))

    def node(owner: str) -> Workers:
        kinds = {"ingest": work(owner), "tick": outbox.Handler(done=timer)}
        return Workers(db, signer, clock, settings, handlers=kinds, owner=owner)

    with db.write() as session:
        for n in range(4):
            outbox.enqueue(session, kind="ingest", payload={"n": n}, now=clock.now())
    a, b = node("a"), node("b")
    first = threading.Thread(target=a.deliver_once, kwargs={"limit": 2, "kinds": ["ingest"]})
    first.start()
    try:
        assert holding.wait(timeout=30)
        with db.write() as session:
            outbox.enqueue(session, kind="tick", payload={}, now=clock.now())
        assert b.deliver_once(kinds=["ingest", "tick"]) == 1  # the tick only
    finally:
        release.set()
        first.join(timeout=30)
    assert b.deliver_once(kinds=["ingest", "tick"]) == 2
    assert applied == [("a", 0), ("a", 1), ("timer", 0), ("b", 2), ("b", 3)]
