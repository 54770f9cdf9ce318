"""The Respond HTTP API: resources, incident actions, iCalendar, and every kind of bad input."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from icalendar import Calendar

from execflow.access.roles import Role
from execflow.clock import ManualClock
from execflow.workers import Workers
from tests.conftest import TokenFactory, auth


@pytest.fixture
def admin(make_token: TokenFactory) -> dict[str, str]:
    """Admin headers."""
    return auth(make_token(Role.ADMIN))


def _ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _error(response: Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["message"] and isinstance(body["details"], list)
    if code is not None:
        assert body["code"] == code
    return body


def _people(client: TestClient, admin: dict[str, str]) -> tuple[str, str]:
    ann = _ok(
        client.post(
            "/api/v1/people",
            headers=admin,
            json={"name": "Ann", "email": "ann@example.test", "timezone": "Europe/Berlin"},
        ),
        201,
    )["id"]
    ben = _ok(
        client.post(
            "/api/v1/people", headers=admin, json={"name": "Ben", "email": "ben@example.test"}
        ),
        201,
    )["id"]
    return ann, ben


def test_components_people_services_round_trip(client: TestClient, admin: dict[str, str]) -> None:
    component = _ok(
        client.post("/api/v1/components", headers=admin, json={"name": "API", "group": "Core"}), 201
    )
    assert component["group"] == "Core" and component["status"] == "operational"
    other = _ok(
        client.post("/api/v1/components", headers=admin, json={"name": "Web", "group": "Core"}), 201
    )
    assert other["group_id"] == component["group_id"], "groups are made once, on first use"
    changed = _ok(
        client.patch(
            f"/api/v1/components/{component['id']}", headers=admin, json={"status": "major_outage"}
        )
    )
    assert changed["status"] == "major_outage"
    ann, _ = _people(client, admin)
    service = _ok(
        client.post(
            "/api/v1/services",
            headers=admin,
            json={"name": "checkout", "component_ids": [component["id"]], "default_severity": "P2"},
        ),
        201,
    )
    assert len(service["integration_key"]) == 32
    patched = client.patch(
        f"/api/v1/services/{service['id']}", headers=admin, json={"integration_key": "mine"}
    )
    _error(patched, 422, "validation_error")
    assert _ok(client.get(f"/api/v1/people/{ann}", headers=admin))["timezone"] == "Europe/Berlin"
    assert client.delete(f"/api/v1/components/{other['id']}", headers=admin).status_code == 204
    _error(client.get(f"/api/v1/components/{other['id']}", headers=admin), 404, "not_found")


def test_schedule_oncall_and_ics(
    client: TestClient, admin: dict[str, str], clock: ManualClock
) -> None:
    ann, ben = _people(client, admin)
    schedule = _ok(
        client.post(
            "/api/v1/schedules",
            headers=admin,
            json={
                "name": "primary",
                "timezone": "Europe/Berlin",
                "layers": [
                    {"start": "2026-02-02T09:00:00", "rotation": "P1D", "members": [ann, ben]}
                ],
                "overrides": [
                    {
                        "start": "2026-03-01T20:00:00+00:00",
                        "end": "2026-03-01T22:00:00+00:00",
                        "person_id": ann,
                    }
                ],
            },
        ),
        201,
    )
    sid = schedule["id"]
    at_noon = _ok(
        client.get(
            f"/api/v1/schedules/{sid}/oncall", params={"at": "2026-03-01T12:00:00Z"}, headers=admin
        )
    )
    # 27 daily turns after 2 February: Ben's day (the list is [Ann, Ben]).
    assert at_noon["person_id"] == ben and at_noon["source"] == "layer"
    at_nine_pm = _ok(
        client.get(
            f"/api/v1/schedules/{sid}/oncall", params={"at": "2026-03-01T21:00:00Z"}, headers=admin
        )
    )
    assert at_nine_pm == {**at_nine_pm, "person_id": ann, "source": "override"}
    ics = client.get(f"/api/v1/schedules/{sid}.ics", headers=admin, params={"days": 7})
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(ics.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) >= 7
    starts = [e.decoded("dtstart") for e in events]
    assert starts == sorted(starts)
    assert all(e.decoded("dtend") > e.decoded("dtstart") for e in events)
    assert {str(e.get("summary")) for e in events} <= {"On call: Ann", "On call: Ben"}
    _error(client.delete(f"/api/v1/people/{ann}", headers=admin), 409, "conflict")


def test_incident_lifecycle_over_http(
    client: TestClient,
    admin: dict[str, str],
    make_token: TokenFactory,
    clock: ManualClock,
    workers: Workers,
) -> None:
    responder = auth(make_token(Role.RESPONDER))
    ann, _ = _people(client, admin)
    component = _ok(client.post("/api/v1/components", headers=admin, json={"name": "API"}), 201)
    policy = _ok(
        client.post(
            "/api/v1/escalation-policies",
            headers=admin,
            json={
                "name": "default",
                "steps": [{"delay_minutes": 0, "targets": [{"type": "person", "id": ann}]}],
            },
        ),
        201,
    )
    service = _ok(
        client.post(
            "/api/v1/services",
            headers=admin,
            json={"name": "checkout", "escalation_policy_id": policy["id"]},
        ),
        201,
    )
    incident = _ok(
        client.post(
            "/api/v1/incidents",
            headers=responder,
            json={
                "title": "Checkout down",
                "severity": "P1",
                "service_id": service["id"],
                "component_ids": [component["id"]],
                "summary": "500s everywhere",
            },
        ),
        201,
    )
    iid = incident["id"]
    assert incident["status"] == "triggered"
    assert set(incident["deadlines"]) == {"acknowledge", "commander", "status_page", "postmortem"}
    clock.advance(timedelta(minutes=3))
    steps = [
        ("acknowledge", None),
        ("commander", {"person_id": ann}),
        ("notes", {"body": "looking at the load balancer"}),
        (
            "updates",
            {
                "status": "identified",
                "body": "A bad deploy",
                "component_statuses": {component["id"]: "major_outage"},
            },
        ),
        ("severity", {"severity": "P2"}),
        ("resolve", None),
    ]
    for verb, body in steps:
        _ok(client.post(f"/api/v1/incidents/{iid}/{verb}", headers=responder, json=body))
    final = _ok(client.get(f"/api/v1/incidents/{iid}", headers=responder))
    kinds = [event["kind"] for event in final["timeline"]]
    for kind in (
        "triggered",
        "acknowledged",
        "commander_assigned",
        "note_added",
        "update_published",
        "severity_changed",
        "resolved",
    ):
        assert kind in kinds
    assert final["status"] == "resolved" and final["severity"] == "P2"
    assert final["deadlines"]["acknowledge"]["state"] == "met"
    assert final["audit_indexes"] == sorted(final["audit_indexes"])
    assert len(final["audit_indexes"]) == len(final["timeline"])
    component_now = _ok(client.get(f"/api/v1/components/{component['id']}", headers=admin))
    assert component_now["status"] == "major_outage"
    workers.integrate_once()  # sign a checkpoint covering the incident's entries
    for index, event in zip(final["audit_indexes"], final["timeline"], strict=True):
        entry = client.get(f"/log/entries/{index}", headers=admin)
        assert entry.status_code == 200
        assert entry.json()["type"] == f"incident.{event['kind']}"
        assert entry.json()["subject"] == {"kind": "incident", "id": iid}
    _error(client.post(f"/api/v1/incidents/{iid}/acknowledge", headers=responder), 409, "conflict")
    _error(client.post(f"/api/v1/incidents/{iid}/resolve", headers=responder), 409, "conflict")
    _error(client.delete(f"/api/v1/incidents/{iid}", headers=responder), 409, "conflict")
    # No worker runs in this test: the first step is queued in the outbox, not yet sent.
    assert _ok(client.get(f"/api/v1/incidents/{iid}/pages", headers=responder)) == []


def test_admins_import_past_incidents_and_others_may_not(
    client: TestClient, admin: dict[str, str], make_token: TokenFactory
) -> None:
    past = {
        "title": "Old outage",
        "severity": "P2",
        "started_at": "2026-01-10T08:00:00Z",
        "resolved_at": "2026-01-10T09:30:00Z",
    }
    imported = _ok(client.post("/api/v1/incidents", headers=admin, json=past), 201)
    assert imported["status"] == "resolved"
    assert imported["created_at"].startswith("2026-01-10T08:00:00")
    assert imported["resolved_at"].startswith("2026-01-10T09:30:00")
    _error(
        client.post("/api/v1/incidents", json=past, headers=auth(make_token(Role.RESPONDER))),
        403,
        "forbidden",
    )


BAD: list[tuple[str, str, dict[str, Any], int]] = [
    (
        "post",
        "/api/v1/people",
        {"name": "X", "email": "x@example.test", "timezone": "Mars/Olympus"},
        422,
    ),
    ("post", "/api/v1/people", {"name": "X", "email": "not-an-address"}, 422),
    ("post", "/api/v1/people", {"name": "", "email": "x@example.test"}, 422),
    (
        "post",
        "/api/v1/people",
        {"name": "X", "email": "x@example.test", "webhook_url": "ftp://x"},
        422,
    ),
    ("post", "/api/v1/components", {"name": "X", "status": "on_fire"}, 422),
    ("post", "/api/v1/services", {"name": "X", "escalation_policy_id": "esc_missing"}, 422),
    ("post", "/api/v1/services", {"name": "X", "component_ids": ["cmp_missing"]}, 422),
    ("post", "/api/v1/services", {"name": "X", "default_severity": "P5"}, 422),
    ("post", "/api/v1/schedules", {"name": "S", "timezone": "Nowhere/City"}, 422),
    (
        "post",
        "/api/v1/schedules",
        {
            "name": "S",
            "layers": [{"start": "2026-01-01T00:00:00", "rotation": "P1M", "members": ["per_x"]}],
        },
        422,
    ),
    (
        "post",
        "/api/v1/schedules",
        {
            "name": "S",
            "layers": [
                {"start": "2026-01-01T00:00:00", "rotation": "P1D", "members": ["per_unknown"]}
            ],
        },
        422,
    ),
    (
        "post",
        "/api/v1/schedules",
        {
            "name": "S",
            "layers": [{"start": "2026-01-01T00:00:00", "rotation": "P1D", "members": []}],
        },
        422,
    ),
    (
        "post",
        "/api/v1/schedules",
        {
            "name": "S",
            "layers": [
                {
                    "start": "2026-01-01T00:00:00",
                    "rotation": "P1D",
                    "members": ["{ann}"],
                    "restrictions": [{"days": ["mon"], "start": "25:00", "end": "10:00"}],
                }
            ],
        },
        422,
    ),
    (
        "post",
        "/api/v1/schedules",
        {
            "name": "S",
            "overrides": [
                {
                    "start": "2026-01-02T00:00:00Z",
                    "end": "2026-01-01T00:00:00Z",
                    "person_id": "{ann}",
                }
            ],
        },
        422,
    ),
    (
        "post",
        "/api/v1/schedules",
        {
            "name": "S",
            "overrides": [
                {
                    "start": "2026-01-01T00:00:00Z",
                    "end": "2026-01-01T05:00:00Z",
                    "person_id": "{ann}",
                },
                {
                    "start": "2026-01-01T04:00:00Z",
                    "end": "2026-01-01T06:00:00Z",
                    "person_id": "{ann}",
                },
            ],
        },
        422,
    ),
    (
        "post",
        "/api/v1/escalation-policies",
        {
            "name": "P",
            "steps": [{"delay_minutes": -1, "targets": [{"type": "person", "id": "{ann}"}]}],
        },
        422,
    ),
    (
        "post",
        "/api/v1/escalation-policies",
        {
            "name": "P",
            "steps": [{"delay_minutes": 5, "targets": [{"type": "person", "id": "per_unknown"}]}],
        },
        422,
    ),
    (
        "post",
        "/api/v1/escalation-policies",
        {
            "name": "P",
            "steps": [{"delay_minutes": 5, "targets": [{"type": "team", "id": "{ann}"}]}],
        },
        422,
    ),
    ("post", "/api/v1/escalation-policies", {"name": "P", "steps": []}, 422),
    (
        "post",
        "/api/v1/escalation-policies",
        {
            "name": "P",
            "repeat": -1,
            "steps": [{"delay_minutes": 5, "targets": [{"type": "person", "id": "{ann}"}]}],
        },
        422,
    ),
    ("post", "/api/v1/incidents", {"title": "T", "severity": "P9"}, 422),
    ("post", "/api/v1/incidents", {"title": "", "severity": "P1"}, 422),
    ("post", "/api/v1/incidents", {"title": "T", "service_id": "svc_missing"}, 422),
    ("post", "/api/v1/incidents", {"title": "T", "component_ids": ["cmp_missing"]}, 422),
    ("post", "/api/v1/incidents", {"title": "T", "resolved_at": "2026-01-01T00:00:00Z"}, 422),
    ("post", "/api/v1/incidents", {"title": "T", "started_at": "2026-01-01T00:00:00"}, 422),
    ("get", "/api/v1/schedules/sch_missing/oncall", {}, 404),
    ("get", "/api/v1/incidents/inc_missing", {}, 404),
    ("post", "/api/v1/incidents/inc_missing/acknowledge", {}, 404),
    ("patch", "/api/v1/people/per_missing", {"name": "Y"}, 404),
    ("delete", "/api/v1/services/svc_missing", {}, 404),
]


@pytest.mark.parametrize(
    "case",
    BAD,
    ids=[f"{m} {p} {i}" for i, (m, p, _, _) in enumerate(BAD)],
)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(
    client: TestClient, admin: dict[str, str], case: tuple[str, str, dict[str, Any], int]
) -> None:
    method, path, body, status = case
    ann, _ = _people(client, admin)
    payload = json.loads(json.dumps(body).replace("{ann}", ann)) if body else None
    before = client.get("/api/v1/audit/verify", headers=admin).json()
    kwargs: dict[str, Any] = {"headers": admin}
    if payload is not None and method != "get":
        kwargs["json"] = payload
    response = getattr(client, method)(path, **kwargs)
    _error(response, status)
    after = client.get("/api/v1/audit/verify", headers=admin).json()
    assert after["size"] == before["size"]


def test_incident_actions_on_bad_targets(client: TestClient, admin: dict[str, str]) -> None:
    incident = _ok(
        client.post("/api/v1/incidents", headers=admin, json={"title": "T", "severity": "P3"}), 201
    )
    iid = incident["id"]
    _error(
        client.post(
            f"/api/v1/incidents/{iid}/commander", headers=admin, json={"person_id": "per_missing"}
        ),
        422,
        "invalid_input",
    )
    _error(
        client.post(
            f"/api/v1/incidents/{iid}/updates", headers=admin, json={"status": "fixed", "body": "x"}
        ),
        422,
        "validation_error",
    )
    _error(
        client.post(
            f"/api/v1/incidents/{iid}/updates",
            headers=admin,
            json={
                "status": "identified",
                "body": "x",
                "component_statuses": {"cmp_missing": "major_outage"},
            },
        ),
        422,
    )
    _error(
        client.post(f"/api/v1/incidents/{iid}/severity", headers=admin, json={"severity": "P3"}),
        409,
        "conflict",
    )
    _error(
        client.post(
            f"/api/v1/incidents/{iid}/resolve",
            headers=admin,
            json={"resolved_at": "2020-01-01T00:00:00Z"},
        ),
        422,
        "invalid_input",
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/people"),
        ("post", "/api/v1/components"),
        ("post", "/api/v1/services"),
        ("post", "/api/v1/schedules"),
        ("post", "/api/v1/escalation-policies"),
        ("delete", "/api/v1/people/per_x"),
    ],
)
def test_configuration_needs_admin(
    client: TestClient, make_token: TokenFactory, method: str, path: str
) -> None:
    kwargs: dict[str, Any] = {"headers": auth(make_token(Role.RESPONDER))}
    if method == "post":
        kwargs["json"] = {"name": "x"}
    _error(getattr(client, method)(path, **kwargs), 403, "forbidden")


def test_incidents_need_responder_to_change_and_viewer_to_read(
    client: TestClient, make_token: TokenFactory
) -> None:
    viewer = auth(make_token(Role.VIEWER))
    assert client.get("/api/v1/incidents", headers=viewer).status_code == 200
    _error(client.post("/api/v1/incidents", headers=viewer, json={"title": "T"}), 403)
    _error(client.get("/api/v1/incidents"), 401, "unauthorized")


def test_patch_changes_only_what_it_names(client: TestClient, admin: dict[str, str]) -> None:
    person = _ok(
        client.post(
            "/api/v1/people",
            headers=admin,
            json={
                "name": "Cy",
                "email": "cy@example.test",
                "webhook_url": "http://127.0.0.1:9/hook",
            },
        ),
        201,
    )
    renamed = _ok(
        client.patch(f"/api/v1/people/{person['id']}", headers=admin, json={"name": "Cyrus"})
    )
    assert (renamed["name"], renamed["webhook_url"]) == ("Cyrus", "http://127.0.0.1:9/hook")
    cleared = _ok(
        client.patch(f"/api/v1/people/{person['id']}", headers=admin, json={"webhook_url": None})
    )
    assert cleared["webhook_url"] is None and cleared["email"] == "cy@example.test"
    service = _ok(client.post("/api/v1/services", headers=admin, json={"name": "api"}), 201)
    raised = _ok(
        client.patch(
            f"/api/v1/services/{service['id']}", headers=admin, json={"default_severity": "P1"}
        )
    )
    assert raised["default_severity"] == "P1" and raised["name"] == "api"
