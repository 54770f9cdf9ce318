"""What the sender said reaches the responder, and a more severe re-trigger raises the incident."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.respond.catalog.models import Service
from execflow.respond.incidents.models import Incident, TimelineEvent
from tests.conftest import MakeWorkers, drain
from tests.detect.ingest.test_ingest import AM_BODY
from tests.receiver import receiver
from tests.respond.factories import (
    make_incident,
    make_person,
    make_policy,
    make_service,
    standard_setup,
)
from tests.smtp import Mailbox


@pytest.fixture
def api(mail_settings: Settings, db: Database, clock: ManualClock) -> Iterator[TestClient]:
    """The app, no background threads."""
    with TestClient(create_app(mail_settings, db=db, clock=clock)) as client:
        yield client


def _key(db: Database, clock: ManualClock) -> str:
    """A service whose policy pages Alice at once (and Bob half an hour later)."""
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=30)
        service = session.get(Service, setup.service)
        assert service is not None
        return service.integration_key


def _incident(db: Database) -> Incident:
    with db.read() as session:
        [incident] = session.execute(select(Incident)).scalars().all()
        return incident


def _trigger(key: str, severity: str = "error") -> dict[str, Any]:
    return {
        "routing_key": key,
        "event_action": "trigger",
        "dedup_key": "disk-db-1",
        "client": "Nagios",
        "client_url": "https://nagios.example.test/db-1",
        "links": [{"href": "https://runbooks.example.test/disk", "text": "Runbook"}],
        "payload": {
            "summary": "Disk full on db-1",
            "source": "db-1.prod",
            "severity": severity,
            "component": "postgres",
            "group": "storage",
            "class": "disk",
            "custom_details": {"free": "1%", "mount": "/var/lib/postgresql"},
        },
    }


def test_a_pagerduty_page_carries_service_severity_source_and_details(
    api: TestClient,
    db: Database,
    clock: ManualClock,
    mailbox: Mailbox,
    make_workers: MakeWorkers,
) -> None:
    key = _key(db, clock)
    assert api.post("/v2/enqueue", json=_trigger(key)).status_code == 202
    workers = make_workers()
    drain(workers)
    drain(workers)
    summary = _incident(db).summary
    for said in (
        "Source: db-1.prod",
        "Component: postgres",
        "Group: storage",
        "Class: disk",
        "free: 1%",
        "mount: /var/lib/postgresql",
        "Client: Nagios https://nagios.example.test/db-1",
        "Link: Runbook https://runbooks.example.test/disk",
    ):
        assert said in summary, said
    [page] = mailbox.wait_for(1)
    for said in ("Service:  checkout", "Severity: P2", "Via:      pagerduty", "free: 1%"):
        assert said in page.body, said


def test_an_alertmanager_incident_keeps_labels_annotations_and_the_graph_link(
    api: TestClient, db: Database, clock: ManualClock, make_workers: MakeWorkers
) -> None:
    key = _key(db, clock)
    body = {**AM_BODY, "alerts": AM_BODY["alerts"][:1]}
    assert api.post(f"/api/v1/integrations/{key}/alertmanager", json=body).status_code == 202
    drain(make_workers())
    summary = _incident(db).summary
    assert "instance: web-1" in summary and "summary: 5xx above 2%" in summary
    assert "Source: http://prom/graph" in summary


def test_a_more_severe_retrigger_raises_the_incident_and_pages_again(
    api: TestClient,
    db: Database,
    clock: ManualClock,
    mailbox: Mailbox,
    make_workers: MakeWorkers,
) -> None:
    key = _key(db, clock)
    workers = make_workers()
    api.post("/v2/enqueue", json=_trigger(key, "error"))
    drain(workers)
    drain(workers)
    assert _incident(db).severity == "P2"
    api.post("/v2/enqueue", json=_trigger(key, "warning"))
    drain(workers)
    assert _incident(db).severity == "P2", "a less severe repeat changes nothing"
    api.post("/v2/enqueue", json=_trigger(key, "critical"))
    drain(workers)
    drain(workers)
    incident = _incident(db)
    assert incident.severity == "P1"
    with db.read() as session:
        [changed] = session.execute(
            select(TimelineEvent).where(TimelineEvent.kind == "severity_changed")
        ).scalars()
    assert (changed.actor_kind, changed.data["from"], changed.data["to"]) == (
        "integration",
        "P2",
        "P1",
    )
    subjects = [m.message["Subject"][:4] for m in mailbox.wait_for(2)]
    assert subjects == ["[P2]", "[P1]"], "step 1 runs afresh after the raise"


def test_webhook_pages_are_signed_in_the_standard_webhooks_style(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with receiver() as hook:
        with db.write() as session:
            dave = make_person(session, clock.now(), "Dave", webhook_url=hook.url + "/pager")
            target = {"type": "person", "id": dave.id}
            policy = make_policy(session, clock.now(), [{"delay_minutes": 0, "targets": [target]}])
            service = make_service(session, clock.now(), policy.id)
            make_incident(session, clock.now(), service.id, severity="P2")
            secret = dave.webhook_secret
        assert secret is not None and secret.startswith("whsec_")
        drain(make_workers())
        [request] = hook.requests
    headers = {k.lower(): v for k, v in request.headers.items()}
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request.raw
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert int(headers["webhook-timestamp"]) == int(clock.now().timestamp())
    assert request.body["incident"]["service"] == "checkout"
    assert "Checkout is down" in mailbox.wait_for(1)[0].message["Subject"]
