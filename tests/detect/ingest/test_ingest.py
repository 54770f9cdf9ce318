"""Alert intake: PagerDuty Events v2 and Alertmanager/Grafana webhooks, persisted then applied."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.event import listen
from sqlalchemy.orm import ORMExecuteState

from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.ingest.models import Alert
from execflow.detect.ingest.service import apply
from execflow.respond.catalog.models import Service
from execflow.respond.incidents.models import Incident
from execflow.web.throttle import Throttle
from tests.conftest import MakeWorkers, drain
from tests.respond.factories import make_service


@pytest.fixture
def key(db: Database, clock: ManualClock) -> str:
    """The integration key of a service without an escalation policy."""
    with db.write() as session:
        return make_service(session, clock.now(), None).integration_key


@pytest.fixture
def api(settings: Settings, db: Database, clock: ManualClock) -> Iterator[TestClient]:
    """The app, no background threads."""
    with TestClient(create_app(settings, db=db, clock=clock)) as client:
        yield client


def _incidents(db: Database) -> list[Incident]:
    with db.read() as session:
        return list(session.execute(select(Incident).order_by(Incident.created_at)).scalars())


def _pd(key: str, action: str = "trigger", **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"routing_key": key, "event_action": action}
    if action == "trigger":
        event["payload"] = {
            "summary": "Disk full on db-1",
            "source": "db-1",
            "severity": "critical",
        }
    event.update(extra)
    return event


def test_pagerduty_trigger_dedup_acknowledge_resolve(
    api: TestClient, key: str, db: Database, make_workers: MakeWorkers
) -> None:
    first = api.post("/v2/enqueue", json=_pd(key, dedup_key="disk-db-1"))
    assert first.status_code == 202
    assert first.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "disk-db-1",
    }
    assert _incidents(db) == [], "the reply does not wait for processing"
    workers = make_workers()
    drain(workers)
    [incident] = _incidents(db)
    assert (incident.severity, incident.source, incident.status) == ("P1", "pagerduty", "triggered")
    assert api.post("/v2/enqueue", json=_pd(key, dedup_key="disk-db-1")).status_code == 202
    drain(workers)
    assert len(_incidents(db)) == 1, "the same dedup_key joins the open incident"
    api.post("/v2/enqueue", json=_pd(key, "acknowledge", dedup_key="disk-db-1"))
    drain(workers)
    assert _incidents(db)[0].status == "acknowledged"
    api.post("/v2/enqueue", json=_pd(key, "resolve", dedup_key="disk-db-1"))
    drain(workers)
    assert _incidents(db)[0].status == "resolved"
    with db.read() as session:
        alert = session.execute(select(Alert)).scalar_one()
    assert (alert.count, alert.status) == (2, "resolved")


def test_a_burst_applied_in_one_pass_keeps_each_services_order(
    api: TestClient, key: str, db: Database, clock: ManualClock, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        other = make_service(session, clock.now(), None).integration_key
    burst = [
        _pd(key, dedup_key="disk"),
        _pd(other, dedup_key="disk"),
        _pd(key, dedup_key="disk"),
        _pd(key, "resolve", dedup_key="disk"),
        _pd(other, dedup_key="cpu"),
        _pd(key, dedup_key="disk"),
        _pd(other, dedup_key="disk"),
    ]
    for event in burst:
        assert api.post("/v2/enqueue", json=event).status_code == 202
    workers = make_workers()
    assert workers.deliver_once() >= 1
    with db.read() as session:
        names = {
            s.id: ("first" if s.integration_key == key else "other")
            for s in session.execute(select(Service)).scalars()
        }
        alerts = {
            (names[a.service_id], a.dedup_key, a.count, a.status)
            for a in session.execute(select(Alert)).scalars()
        }
    incidents = sorted((names[i.service_id or ""], i.dedup_key, i.status) for i in _incidents(db))
    assert incidents == [
        ("first", "disk", "resolved"),  # trigger, repeat, resolve: resolved ...
        ("first", "disk", "triggered"),  # ... and the trigger after it opened a new one
        ("other", "cpu", "triggered"),
        ("other", "disk", "triggered"),
    ]
    assert alerts == {
        ("first", "disk", 2, "firing"),  # counts triggers while its incident is open
        ("other", "disk", 2, "firing"),
        ("other", "cpu", 1, "firing"),
    }


def test_a_storm_of_new_alerts_costs_the_same_reads_however_large(
    db: Database, clock: ManualClock
) -> None:
    """A new alert used to cost two reads of its own (its key, its group) under the write lock."""
    with db.write() as session:
        service_id = make_service(session, clock.now(), None).id

    def reads_to_apply(count: int, tag: str) -> int:
        signals = [
            {
                "action": "trigger",
                "dedup_key": f"{tag}{n}",
                "group_key": f"{tag}{n}",
                "summary": "down",
                "severity": "P2",
                "source": "pagerduty",
            }
            for n in range(count)
        ]
        selects = 0

        def count_selects(state: ORMExecuteState) -> None:
            nonlocal selects
            selects += state.is_select

        with db.write() as session:
            listen(session, "do_orm_execute", count_selects)
            apply(
                session,
                [{"services": [{"service_id": service_id, "signals": signals}]}],
                now=clock.now(),
            )
        return selects

    assert reads_to_apply(40, "big") == reads_to_apply(5, "small")
    assert len(_incidents(db)) == 45
    assert reads_to_apply(40, "big") == 2, "repeats: the service and the alerts, nothing more"


def test_pagerduty_trigger_without_dedup_key_gets_one(api: TestClient, key: str) -> None:
    answer = api.post("/v2/enqueue", json=_pd(key)).json()
    assert len(answer["dedup_key"]) == 32


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"routing_key": "short"}, "routing_key"),
        ({"event_action": "explode"}, "event_action"),
        ({"payload": {"source": "x", "severity": "critical"}}, "payload.summary"),
        ({"payload": {"summary": "x", "source": "x", "severity": "fatal"}}, "payload.severity"),
        ({"payload": {"summary": "x", "severity": "info"}}, "payload.source"),
        ({"event_action": "resolve", "payload": None}, "dedup_key"),
        ({"dedup_key": "x" * 256}, "dedup_key"),
        ({"routing_key": "0" * 32}, "routing_key"),
    ],
)
def test_pagerduty_invalid_events_get_its_400(
    api: TestClient, key: str, db: Database, change: dict[str, Any], needle: str
) -> None:
    event = {**_pd(key), **change}
    response = api.post("/v2/enqueue", json=event)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "invalid event" and body["message"] == "Event object is invalid"
    assert any(needle in error for error in body["errors"]), body


def test_pagerduty_non_json_is_a_400(api: TestClient) -> None:
    response = api.post(
        "/v2/enqueue", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["status"] == "invalid event"


def test_floods_get_429_and_clients_retry(api: TestClient, key: str) -> None:
    api.app.state.execflow.throttle = Throttle(rate=0.0, burst=2)  # type: ignore[attr-defined]
    codes = [api.post("/v2/enqueue", json=_pd(key)).status_code for _ in range(4)]
    assert codes == [202, 202, 429, 429]


AM_BODY: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}:{alertname="HighErrorRate"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "execflow",
    "groupLabels": {"alertname": "HighErrorRate"},
    "commonLabels": {"alertname": "HighErrorRate", "severity": "warning"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "HighErrorRate", "instance": "web-1", "severity": "warning"},
            "annotations": {"summary": "5xx above 2%"},
            "startsAt": "2026-03-01T11:59:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prom/graph",
            "fingerprint": "aaaa1111",
        },
        {
            "status": "firing",
            "labels": {"alertname": "HighErrorRate", "instance": "web-2", "severity": "warning"},
            "annotations": {"summary": "5xx above 2%"},
            "startsAt": "2026-03-01T11:59:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prom/graph",
            "fingerprint": "bbbb2222",
        },
    ],
}


def _resolved(body: dict[str, Any], *fingerprints: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    for alert in changed["alerts"]:
        if alert["fingerprint"] in fingerprints:
            alert["status"] = "resolved"
            alert["endsAt"] = "2026-03-01T12:05:00Z"
    return changed


@pytest.mark.parametrize("flavour", ["alertmanager", "grafana"])
def test_alertmanager_group_opens_one_incident_and_resolves_with_its_last_alert(
    api: TestClient, key: str, db: Database, make_workers: MakeWorkers, flavour: str
) -> None:
    body = copy.deepcopy(AM_BODY)
    if flavour == "grafana":
        body.update(
            {
                "version": "1",
                "orgId": 1,
                "title": "[FIRING:2] HighErrorRate",
                "state": "alerting",
                "message": "errors",
            }
        )
        for alert in body["alerts"]:
            alert.update(
                {
                    "silenceURL": "x",
                    "dashboardURL": "",
                    "panelURL": "",
                    "values": {"B": 2.3},
                    "valueString": "B=2.3",
                    "imageURL": "",
                }
            )
    url = f"/api/v1/integrations/{key}/alertmanager"
    assert api.post(url, json=body).status_code == 202
    workers = make_workers()
    drain(workers)
    [incident] = _incidents(db)
    assert incident.severity == "P3" and incident.title == "HighErrorRate: 5xx above 2%"
    api.post(url, json=body)
    drain(workers)
    assert len(_incidents(db)) == 1
    api.post(url, json=_resolved(body, "aaaa1111"))
    drain(workers)
    assert _incidents(db)[0].status == "triggered", "one alert still fires"
    api.post(url, json=_resolved(body, "aaaa1111", "bbbb2222"))
    drain(workers)
    assert _incidents(db)[0].status == "resolved"


def test_alertmanager_severity_words_and_priorities(
    api: TestClient, key: str, db: Database, make_workers: MakeWorkers
) -> None:
    body = copy.deepcopy(AM_BODY)
    body["groupKey"] = "g2"
    body["commonLabels"] = {"alertname": "Down"}
    body["alerts"] = [body["alerts"][0]]
    body["alerts"][0]["labels"] = {"alertname": "Down", "priority": "p1"}
    api.post(f"/api/v1/integrations/{key}/alertmanager", json=body)
    drain(make_workers())
    assert _incidents(db)[0].severity == "P1"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"alerts": []}, 422),
        ({"alerts": [{"status": "burning"}]}, 422),
        ([1, 2], 422),
    ],
)
def test_alertmanager_bad_bodies_are_4xx(api: TestClient, key: str, body: Any, status: int) -> None:
    response = api.post(f"/api/v1/integrations/{key}/alertmanager", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == "invalid_input"


def test_alertmanager_unknown_key_is_404(api: TestClient) -> None:
    response = api.post("/api/v1/integrations/nope/alertmanager", json=AM_BODY)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
