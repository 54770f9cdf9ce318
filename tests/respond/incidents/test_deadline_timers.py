"""Deadlines on a moved clock: each met or breached is logged once; P1 commander reminders."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from execflow.clock import ManualClock
from execflow.db import Database
from execflow.respond.incidents import actions
from execflow.respond.incidents.models import Incident, IncidentUpdate, TimelineEvent
from execflow.respond.incidents.public_updates import INVESTIGATING
from execflow.respond.incidents.schemas import UpdateIn
from execflow.respond.incidents.service import read
from execflow.respond.severity import Severity
from tests.conftest import MakeWorkers, drain
from tests.respond.factories import ADMIN, make_incident, standard_setup
from tests.smtp import Mailbox


def _events(db: Database, incident_id: str) -> list[tuple[str, str | None]]:
    with db.read() as session:
        rows = session.execute(
            select(TimelineEvent)
            .where(TimelineEvent.incident_id == incident_id)
            .order_by(TimelineEvent.id)
        ).scalars()
        return [(e.kind, e.data.get("deadline")) for e in rows]


def _state(db: Database, clock: ManualClock, incident_id: str) -> dict[str, str]:
    with db.read() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        return {k: v.state for k, v in read(session, incident, now=clock.now()).deadlines.items()}


def test_unacknowledged_p2_breach_is_logged_when_it_passes(
    db: Database, clock: ManualClock, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now())
        incident_id = make_incident(session, clock.now(), setup.service, severity="P2").id
    workers = make_workers()
    clock.advance(timedelta(minutes=59))
    drain(workers)
    assert ("deadline_breached", "acknowledge") not in _events(db, incident_id)
    clock.advance(timedelta(minutes=1))
    drain(workers)
    assert _events(db, incident_id).count(("deadline_breached", "acknowledge")) == 1
    clock.advance(timedelta(hours=5))
    drain(workers)
    assert _events(db, incident_id).count(("deadline_breached", "acknowledge")) == 1
    assert _state(db, clock, incident_id)["acknowledge"] == "breached"


def test_p2_deadlines_met_in_time_are_logged_as_met(
    db: Database, clock: ManualClock, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now())
        incident_id = make_incident(session, clock.now(), setup.service, severity="P2").id
    clock.advance(timedelta(minutes=20))
    with db.write() as session:
        actions.acknowledge(session, incident_id=incident_id, actor=ADMIN, now=clock.now())
    clock.advance(timedelta(minutes=10))
    with db.write() as session:
        actions.add_update(
            session,
            incident_id=incident_id,
            actor=ADMIN,
            now=clock.now(),
            data=UpdateIn(status="identified", body="Cause found"),
        )
    clock.advance(timedelta(hours=1))
    with db.write() as session:
        actions.resolve(session, incident_id=incident_id, actor=ADMIN, now=clock.now())
    drain(make_workers())
    events = _events(db, incident_id)
    assert ("deadline_met", "acknowledge") in events and ("deadline_met", "status_page") in events
    assert _state(db, clock, incident_id) == {
        "acknowledge": "met",
        "status_page": "met",
        "postmortem": "pending",
    }
    clock.advance(timedelta(hours=72))
    drain(make_workers())
    assert ("deadline_breached", "postmortem") in _events(db, incident_id)


def test_the_status_page_promise_holds_by_itself_ten_minutes_after_acknowledgement(
    db: Database, clock: ManualClock, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now())
        incident_id = make_incident(session, clock.now(), setup.service, severity="P2").id
    clock.advance(timedelta(minutes=5))
    with db.write() as session:
        actions.acknowledge(session, incident_id=incident_id, actor=ADMIN, now=clock.now())
    workers = make_workers()
    clock.advance(timedelta(minutes=9, seconds=59))
    drain(workers)
    assert ("update_published", None) not in _events(db, incident_id)
    clock.advance(timedelta(seconds=1))
    drain(workers)
    events = _events(db, incident_id)
    assert ("update_published", None) in events, "the automatic 'investigating' update"
    clock.advance(timedelta(minutes=10))
    drain(workers)
    events = _events(db, incident_id)
    assert ("deadline_met", "status_page") in events
    assert ("deadline_breached", "status_page") not in events
    assert ("deadline_met", "acknowledge") in events
    with db.read() as session:
        said = session.execute(
            select(IncidentUpdate).where(IncidentUpdate.incident_id == incident_id)
        ).scalars()
        assert [(u.status, u.body) for u in said] == [("investigating", INVESTIGATING)]


def test_no_automatic_update_when_a_responder_spoke_first(
    db: Database, clock: ManualClock, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now())
        incident_id = make_incident(session, clock.now(), setup.service, severity="P1").id
        actions.acknowledge(session, incident_id=incident_id, actor=ADMIN, now=clock.now())
    clock.advance(timedelta(minutes=3))
    with db.write() as session:
        update = UpdateIn(status="identified", body="A bad deploy; rolling back.")
        actions.add_update(
            session, incident_id=incident_id, data=update, actor=ADMIN, now=clock.now()
        )
    clock.advance(timedelta(minutes=20))
    drain(make_workers())
    with db.read() as session:
        said = session.execute(
            select(IncidentUpdate.status).where(IncidentUpdate.incident_id == incident_id)
        ).scalars()
        assert list(said) == ["identified"]


def test_p1_without_commander_is_repaged_at_ten_and_breached_at_fifteen(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=60)
        incident_id = make_incident(session, clock.now(), setup.service, severity="P1").id
    workers = make_workers()
    drain(workers)
    assert len(mailbox.wait_for(1)) == 1
    clock.advance(timedelta(minutes=9, seconds=59))
    drain(workers)
    assert len(mailbox.snapshot()) == 1
    clock.advance(timedelta(seconds=1))
    drain(workers)
    reminder = mailbox.wait_for(2)[1]
    assert reminder.to == ["alice@example.test"] and "commander" in reminder.body
    assert ("commander_reminder", None) in _events(db, incident_id)
    clock.advance(timedelta(minutes=5))
    drain(workers)
    events = _events(db, incident_id)
    assert ("deadline_breached", "commander") in events
    assert ("deadline_breached", "acknowledge") in events


def test_commander_named_in_time_is_met_and_no_reminder_goes_out(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=60)
        incident_id = make_incident(session, clock.now(), setup.service, severity="P1").id
    workers = make_workers()
    drain(workers)
    clock.advance(timedelta(minutes=4))
    with db.write() as session:
        actions.set_commander(
            session, incident_id=incident_id, person_id=setup.bob, actor=ADMIN, now=clock.now()
        )
    clock.advance(timedelta(minutes=30))
    drain(workers)
    events = _events(db, incident_id)
    assert ("deadline_met", "commander") in events
    assert ("commander_reminder", None) not in events
    assert [m.to[0] for m in mailbox.snapshot()] == ["alice@example.test"]


def test_a_raise_gives_the_new_deadlines_from_the_raise_and_pages_again(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=600)
        incident_id = make_incident(session, clock.now(), setup.service, severity="P4").id
    workers = make_workers()
    drain(workers)
    assert [m.to[0] for m in mailbox.wait_for(1)] == ["alice@example.test"]
    clock.advance(timedelta(minutes=14, seconds=44))
    with db.write() as session:
        actions.set_severity(
            session, incident_id=incident_id, severity=Severity.P1, actor=ADMIN, now=clock.now()
        )
    raised_at = clock.now()
    assert set(_state(db, clock, incident_id)) == {
        "acknowledge",
        "commander",
        "status_page",
        "postmortem",
    }
    with db.read() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        due = read(session, incident, now=clock.now()).deadlines
    assert due["acknowledge"].due_at == raised_at + timedelta(minutes=15)
    assert due["commander"].due_at == raised_at + timedelta(minutes=15)
    drain(workers)
    # Step 1 runs afresh: Alice is paged again about the P1.
    again = mailbox.wait_for(2)[1]
    assert again.to == ["alice@example.test"] and again.message["Subject"].startswith("[P1]")
    clock.advance(timedelta(minutes=14, seconds=59))
    drain(workers)
    events = _events(db, incident_id)
    assert ("deadline_breached", "acknowledge") not in events, "16 s was the old bug"
    assert ("deadline_breached", "commander") not in events
    assert ("commander_reminder", None) in events, "5 minutes before the commander is due"
    clock.advance(timedelta(seconds=1))
    drain(workers)
    events = _events(db, incident_id)
    assert events.count(("deadline_breached", "acknowledge")) == 1
    assert events.count(("deadline_breached", "commander")) == 1


def test_logged_breaches_stay_breached_through_a_downgrade_and_a_late_answer(
    db: Database, clock: ManualClock, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=600)
        incident_id = make_incident(session, clock.now(), setup.service, severity="P1").id
    workers = make_workers()
    drain(workers)
    clock.advance(timedelta(minutes=15))
    drain(workers)
    with db.write() as session:
        actions.set_severity(
            session, incident_id=incident_id, severity=Severity.P3, actor=ADMIN, now=clock.now()
        )
    state = _state(db, clock, incident_id)
    assert state["acknowledge"] == "breached", "a downgrade does not make it pending again"
    assert state["commander"] == "breached", "nor drop the commander deadline"
    with db.write() as session:
        actions.acknowledge(session, incident_id=incident_id, actor=ADMIN, now=clock.now())
        actions.set_commander(
            session, incident_id=incident_id, person_id=setup.bob, actor=ADMIN, now=clock.now()
        )
    clock.advance(timedelta(hours=5))
    drain(workers)
    events = _events(db, incident_id)
    assert ("deadline_met", "acknowledge") not in events
    assert ("deadline_met", "commander") not in events
    assert events.count(("deadline_breached", "acknowledge")) == 1
    assert _state(db, clock, incident_id)["acknowledge"] == "breached"


def test_a_p1_that_fired_and_cleared_meets_its_commander_deadline(
    db: Database, clock: ManualClock, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=600)
        incident_id = make_incident(session, clock.now(), setup.service, severity="P1").id
    workers = make_workers()
    drain(workers)
    clock.advance(timedelta(minutes=3))
    with db.write() as session:
        actions.resolve(session, incident_id=incident_id, actor=ADMIN, now=clock.now())
    clock.advance(timedelta(minutes=30))
    drain(workers)
    events = _events(db, incident_id)
    assert ("deadline_met", "commander") in events
    assert ("deadline_breached", "commander") not in events
