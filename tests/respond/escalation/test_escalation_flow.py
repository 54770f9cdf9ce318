"""Escalation end to end on a moved clock: real SMTP, the mailed link, restarts, two workers."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from execflow import outbox
from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.prove.log.entry import decode_entry
from execflow.prove.log.models import LogEntry
from execflow.respond.escalation.schemas import PolicyUpdate
from execflow.respond.escalation.service import update_policy
from execflow.respond.incidents.actions import acknowledge
from execflow.respond.incidents.models import Incident, TimelineEvent
from execflow.respond.paging.models import Page
from tests.conftest import MakeWorkers, drain
from tests.receiver import receiver
from tests.respond.factories import (
    ADMIN,
    make_incident,
    make_person,
    make_policy,
    make_service,
    standard_setup,
)
from tests.server import free_port
from tests.smtp import Mailbox


def _entries(db: Database, kind: str) -> list[dict[str, object]]:
    with db.read() as session:
        rows = session.execute(select(LogEntry.data).where(LogEntry.type == kind)).scalars()
        return [decode_entry(r) for r in rows]


def test_p1_pages_on_call_escalates_and_the_mailed_link_stops_it(
    db: Database,
    clock: ManualClock,
    mailbox: Mailbox,
    mail_settings: Settings,
    make_workers: MakeWorkers,
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=5, repeat=2)
        incident_id = make_incident(session, clock.now(), setup.service).id
    workers = make_workers()
    drain(workers)
    first = mailbox.wait_for(1)
    assert first[0].to == ["alice@example.test"]
    assert first[0].message["Subject"].startswith("[P1] Checkout is down")

    clock.advance(timedelta(minutes=4, seconds=59))
    drain(workers)
    assert len(mailbox.snapshot()) == 1, "step 2 must wait for its delay"
    clock.advance(timedelta(seconds=1))
    drain(workers)
    second = mailbox.wait_for(2)[1]
    assert second.to == ["bob@example.test"]

    token = re.search(r"/ack/(\S+)", second.body)
    assert token is not None
    with TestClient(create_app(mail_settings, db=db, clock=clock)) as client:
        # A GET (a mail scanner following the link) shows the button and changes nothing.
        shown = client.get(f"/ack/{token.group(1)}")
        assert shown.status_code == 200 and ">Acknowledge</button>" in shown.text
        with db.read() as session:
            still = session.get(Incident, incident_id)
            assert still is not None and still.status == "triggered"
        answer = client.post(f"/ack/{token.group(1)}")
        assert answer.status_code == 200 and "Acknowledged" in answer.text and "Bob" in answer.text
        assert answer.history and answer.history[0].status_code == 303
        again = client.post(f"/ack/{token.group(1)}")
        assert again.status_code == 200 and "is acknowledged" in again.text
        forged = client.get(f"/ack/{token.group(1)[:-2]}xx")
        assert forged.status_code == 410
        assert client.post(f"/ack/{token.group(1)[:-2]}xx").status_code == 410

    clock.advance(timedelta(hours=2))
    drain(workers)
    after_ack = mailbox.snapshot()[2:]
    # The escalation stopped; only the P1's 10-minute commander reminder still goes out.
    assert [m.to[0] for m in after_ack] == ["alice@example.test"]
    assert "commander" in after_ack[0].body
    with db.read() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.status == "acknowledged"
        ack = session.execute(
            select(TimelineEvent).where(
                TimelineEvent.incident_id == incident_id, TimelineEvent.kind == "acknowledged"
            )
        ).scalar_one()
        assert (ack.actor_kind, ack.actor_id) == ("person", setup.bob)
    sent = [e["data"] for e in _entries(db, "page.sent")]
    people = sorted(d["person_id"] for d in sent if isinstance(d, dict))
    assert people == sorted([setup.alice, setup.bob, setup.alice])


def test_the_policy_repeats_when_nobody_answers(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=1, repeat=1)
        make_incident(session, clock.now(), setup.service, severity="P2")
    workers = make_workers()
    for _ in range(12):
        drain(workers)
        clock.advance(timedelta(minutes=1))
    received = [m.to[0] for m in mailbox.wait_for(4)]
    assert received == ["alice@example.test", "bob@example.test"] * 2
    clock.advance(timedelta(hours=1))
    drain(workers)
    assert len(mailbox.snapshot()) == 4, "repeat=1 means two rounds, then silence"


def test_a_restart_resumes_the_running_escalation(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=3)
        make_incident(session, clock.now(), setup.service)
    before = make_workers(owner="node-before-restart")
    drain(before)
    mailbox.wait_for(1)
    del before  # the process is gone; only the database remembers
    clock.advance(timedelta(minutes=3))
    after = make_workers(owner="node-after-restart")
    drain(after)
    assert [m.to[0] for m in mailbox.wait_for(2)] == ["alice@example.test", "bob@example.test"]


def test_a_policy_edited_mid_incident_does_not_change_the_running_escalation(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=2)
        make_incident(session, clock.now(), setup.service)
        carol = make_person(session, clock.now(), "Carol")
        update_policy(
            session,
            policy_id=setup.policy,
            actor=ADMIN,
            now=clock.now(),
            data=PolicyUpdate.model_validate(
                {"steps": [{"delay_minutes": 0, "targets": [{"type": "person", "id": carol.id}]}]}
            ),
        )
    workers = make_workers()
    drain(workers)
    clock.advance(timedelta(minutes=2))
    drain(workers)
    assert [m.to[0] for m in mailbox.wait_for(2)] == ["alice@example.test", "bob@example.test"]


def test_smtp_down_is_retried_with_backoff_and_nothing_is_lost(
    db: Database,
    clock: ManualClock,
    settings: Settings,
    make_workers: MakeWorkers,
    mailbox: Mailbox,
) -> None:
    dead = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    with db.write() as session:
        setup = standard_setup(session, clock.now())
        incident_id = make_incident(session, clock.now(), setup.service).id
    down = make_workers(conf=dead)
    drain(down)
    clock.advance(outbox.backoff(1))
    drain(down)
    retrying = _entries(db, "page.retrying")
    assert len(retrying) == 2 and "@" not in str(retrying)
    with db.read() as session:
        page = session.execute(select(Page).where(Page.incident_id == incident_id)).scalar_one()
        assert page.status == "queued" and page.attempts == 2
    up = make_workers()
    clock.advance(outbox.backoff(2))
    drain(up)
    assert mailbox.wait_for(1)[0].to == ["alice@example.test"]
    with db.read() as session:
        assert session.get(Page, page.id).status == "sent"  # type: ignore[union-attr]


def test_pages_go_by_webhook_too(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with receiver() as hook:
        with db.write() as session:
            dave = make_person(session, clock.now(), "Dave", webhook_url=hook.url + "/pager")
            target = {"type": "person", "id": dave.id}
            policy = make_policy(session, clock.now(), [{"delay_minutes": 0, "targets": [target]}])
            service = make_service(session, clock.now(), policy.id)
            incident_id = make_incident(session, clock.now(), service.id, severity="P2").id
        drain(make_workers())
        assert len(hook.requests) == 1
        body = hook.requests[0].body
    assert body["incident"]["id"] == incident_id and body["person_id"] == dave.id
    assert "/ack/" in body["ack_url"]
    assert mailbox.wait_for(1)[0].to == ["dave@example.test"]


def test_two_workers_send_each_page_exactly_once(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now())
        ids = {
            make_incident(session, clock.now(), setup.service, title=f"outage {n}").id
            for n in range(200)
        }
    nodes = [make_workers(owner=f"node-{n}") for n in range(2)]
    errors: list[BaseException] = []

    def run(node: object) -> None:
        try:
            drain(node)  # type: ignore[arg-type]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    received = mailbox.wait_for(200)
    incidents = [m.message["X-ExecFlow-Incident"] for m in received]
    assert len(incidents) == 200 and set(incidents) == ids, "one page per incident, no duplicates"


def test_steps_due_together_run_as_one_batch_and_skip_answered_incidents(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=5)
        ids = [
            make_incident(session, clock.now(), setup.service, title=f"outage {n}").id
            for n in range(3)
        ]
    workers = make_workers()
    drain(workers)
    assert len(mailbox.wait_for(3)) == 3
    with db.write() as session:
        acknowledge(session, incident_id=ids[0], actor=ADMIN, now=clock.now())
    clock.advance(timedelta(minutes=5))
    assert workers.run_timers() == 3  # three step rows in one claim; the answered one is void
    drain(workers)
    second = [m for m in mailbox.wait_for(5) if m.to == ["bob@example.test"]]
    assert sorted(m.message["X-ExecFlow-Incident"] for m in second) == sorted(ids[1:])
    with db.read() as session:
        for incident_id in ids:
            incident = session.get(Incident, incident_id)
            assert incident is not None and incident.escalation is not None
            steps = session.execute(
                select(TimelineEvent.data, TimelineEvent.audit_index).where(
                    TimelineEvent.incident_id == incident_id, TimelineEvent.kind == "escalated"
                )
            ).all()
            expected = 1 if incident_id == ids[0] else 2
            assert len(steps) == expected
            assert incident.escalation["active"] is False  # answered, or out of steps
            for data, index in steps:
                entry = decode_entry(
                    session.execute(select(LogEntry.data).where(LogEntry.idx == index)).scalar_one()
                )
                assert entry["type"] == "incident.escalated"
                assert entry["subject"] == {"kind": "incident", "id": incident_id}
                assert entry["data"] == data
