"""Escalation after the workers were down, steps that find nobody, and people who are gone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, text

from execflow.clock import ManualClock
from execflow.db import Database
from execflow.respond.incidents.models import TimelineEvent
from execflow.respond.oncall.schemas import ScheduleCreate
from execflow.respond.oncall.service import create_schedule
from tests.conftest import MakeWorkers, drain
from tests.respond.factories import (
    ADMIN,
    make_incident,
    make_person,
    make_policy,
    make_service,
    standard_setup,
)
from tests.smtp import Mailbox


def _events(db: Database, incident_id: str, kind: str) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.execute(
            select(TimelineEvent.data)
            .where(TimelineEvent.incident_id == incident_id, TimelineEvent.kind == kind)
            .order_by(TimelineEvent.id)
        ).scalars()
        return list(rows)


def test_missed_steps_are_caught_up_once_and_the_rest_runs_from_now(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=5, repeat=3)
        incident_id = make_incident(session, clock.now(), setup.service, severity="P2").id
    workers = make_workers()
    drain(workers)
    assert [m.to[0] for m in mailbox.wait_for(1)] == ["alice@example.test"]
    # The workers stop for 32 minutes: six steps fall due meanwhile (+5 .. +30).
    clock.advance(timedelta(minutes=32))
    drain(workers)
    caught_up = mailbox.wait_for(3)[1:]
    assert sorted(m.to[0] for m in caught_up) == ["alice@example.test", "bob@example.test"]
    assert len(mailbox.snapshot()) == 3, "each person once, not once per missed step"
    for message in caught_up:
        assert "27 min late" in message.body and "no ExecFlow worker was running" in message.body
    [first, late] = _events(db, incident_id, "escalated")
    assert "late_seconds" not in first
    assert late["caught_up"] == [[0, 1], [1, 0], [1, 1], [2, 0], [2, 1], [3, 0]]
    assert late["late_seconds"] == 27 * 60
    assert sorted(late["person_ids"]) == sorted([setup.alice, setup.bob])
    # The last step (Bob, cycle 3) runs its own delay from now, not from its missed time.
    clock.advance(timedelta(minutes=4, seconds=59))
    drain(workers)
    assert len(mailbox.snapshot()) == 3
    clock.advance(timedelta(seconds=1))
    drain(workers)
    assert [m.to[0] for m in mailbox.wait_for(4)][3] == "bob@example.test"
    assert "late" not in mailbox.snapshot()[3].body


def test_deadlines_passed_while_down_are_logged_once_with_their_due_time(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=5)
        incident_id = make_incident(session, clock.now(), setup.service, severity="P1").id
    started = clock.now()
    workers = make_workers()
    drain(workers)
    clock.advance(timedelta(minutes=35))
    drain(workers)
    drain(workers)
    breaches = _events(db, incident_id, "deadline_breached")
    assert sorted(b["deadline"] for b in breaches) == ["acknowledge", "commander"]
    due = (started + timedelta(minutes=15)).isoformat()
    assert all(b["due_at"] == due for b in breaches)
    received = [m.to[0] for m in mailbox.wait_for(3)]
    assert len(mailbox.snapshot()) == 3
    # Alice at the start; Bob (step 2, late); Alice once more as commander candidate.
    assert sorted(received) == ["alice@example.test", "alice@example.test", "bob@example.test"]


def test_a_late_reminder_and_a_late_step_page_the_same_person_once(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        alice = make_person(session, clock.now(), "Alice")
        steps = [{"delay_minutes": 12, "targets": [{"type": "person", "id": alice.id}]}]
        service = make_service(session, clock.now(), make_policy(session, clock.now(), steps).id)
        incident_id = make_incident(session, clock.now(), service.id, severity="P1").id
    clock.advance(timedelta(minutes=35))  # nothing ran: the step (+12) and reminder (+10)
    drain(make_workers())
    assert [m.to[0] for m in mailbox.wait_for(1)] == ["alice@example.test"]
    assert len(mailbox.snapshot()) == 1
    logged = _events(db, incident_id, "escalated") + _events(db, incident_id, "commander_reminder")
    named = [p for data in logged for p in data["person_ids"]]
    skipped = [s for data in logged for s in data.get("skipped", [])]
    assert named == [alice.id], "the log names only who was paged"
    assert skipped == [{"type": "person", "id": alice.id, "reason": "paged_within_a_minute"}]


def test_a_step_that_finds_nobody_falls_through_to_the_next(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        bob = make_person(session, clock.now(), "Bob")
        ann = make_person(session, clock.now(), "Ann")
        # Ann's rotation starts next year: nobody is on call now.
        empty = create_schedule(
            session,
            actor=ADMIN,
            now=clock.now(),
            data=ScheduleCreate.model_validate(
                {
                    "name": "later",
                    "timezone": "UTC",
                    "layers": [
                        {"start": "2027-01-04T09:00:00", "rotation": "P1W", "members": [ann.id]}
                    ],
                }
            ),
        )
        steps = [
            {"delay_minutes": 0, "targets": [{"type": "schedule", "id": empty.id}]},
            {"delay_minutes": 30, "targets": [{"type": "person", "id": bob.id}]},
        ]
        service = make_service(session, clock.now(), make_policy(session, clock.now(), steps).id)
        incident_id = make_incident(session, clock.now(), service.id, severity="P1").id
    workers = make_workers()
    drain(workers)
    assert [m.to[0] for m in mailbox.wait_for(1)] == ["bob@example.test"]
    [escalated] = _events(db, incident_id, "escalated")
    assert escalated["person_ids"] == [bob.id] and escalated["step"] == 1
    assert escalated["fell_through"] == [0]
    assert escalated["skipped"] == [
        {"type": "schedule", "id": empty.id, "reason": "nobody_on_call"}
    ]
    clock.advance(timedelta(minutes=10))
    drain(workers)
    [reminder] = _events(db, incident_id, "commander_reminder")
    assert reminder["person_ids"] == [bob.id], "the reminder falls through to step 2 too"
    assert reminder["fell_through"] == [0]
    assert [m.to[0] for m in mailbox.wait_for(2)] == ["bob@example.test"] * 2


def test_a_person_deleted_by_an_older_release_is_skipped_and_logged(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        alice = make_person(session, clock.now(), "Alice")
        gone = make_person(session, clock.now(), "Gone")
        targets = [{"type": "person", "id": gone.id}, {"type": "person", "id": alice.id}]
        policy = make_policy(session, clock.now(), [{"delay_minutes": 1, "targets": targets}])
        service = make_service(session, clock.now(), policy.id)
        incident_id = make_incident(session, clock.now(), service.id, severity="P2").id
    with db.write() as session:  # what an older release allowed: the row is gone
        session.execute(text("UPDATE escalation_policies SET steps = '[]'"))
        session.execute(text("DELETE FROM people WHERE id = :id"), {"id": gone.id})
    clock.advance(timedelta(minutes=1))
    drain(make_workers())
    assert [m.to[0] for m in mailbox.wait_for(1)] == ["alice@example.test"]
    [escalated] = _events(db, incident_id, "escalated")
    assert escalated["person_ids"] == [alice.id]
    assert escalated["skipped"] == [{"type": "person", "id": gone.id, "reason": "person_deleted"}]
