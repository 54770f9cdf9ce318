"""What a first real use found, over HTTP: secrets and roles, references, ids, lists, times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from execflow.access.roles import Role
from execflow.clock import ManualClock
from execflow.db import Database
from execflow.prove.log.models import LogEntry
from tests.conftest import MakeWorkers, TokenFactory, auth, drain


@pytest.fixture
def admin(make_token: TokenFactory) -> dict[str, str]:
    """Admin headers."""
    return auth(make_token(Role.ADMIN))


@pytest.fixture
def viewer(make_token: TokenFactory) -> dict[str, str]:
    """Viewer headers."""
    return auth(make_token(Role.VIEWER))


def _ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _error(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and isinstance(error["details"], list)
    return str(error["message"])


def _person(client: TestClient, admin: dict[str, str], name: str, **extra: Any) -> str:
    body = {"name": name, "email": f"{name.lower()}@example.test", **extra}
    return str(_ok(client.post("/api/v1/people", headers=admin, json=body), 201)["id"])


def _service(client: TestClient, admin: dict[str, str], **extra: Any) -> dict[str, Any]:
    body = {"name": "checkout", **extra}
    created: dict[str, Any] = _ok(client.post("/api/v1/services", headers=admin, json=body), 201)
    return created


def _pd(key: str) -> dict[str, Any]:
    payload = {"summary": "Disk full", "source": "db-1", "severity": "error"}
    return {"routing_key": key, "event_action": "trigger", "payload": payload}


def test_viewers_see_secrets_masked_and_admins_rotate_them(
    client: TestClient,
    admin: dict[str, str],
    viewer: dict[str, str],
    make_token: TokenFactory,
    db: Database,
) -> None:
    service = _service(client, admin)
    key = service["integration_key"]
    assert len(key) == 32
    for read in (
        _ok(client.get(f"/api/v1/services/{service['id']}", headers=viewer)),
        _ok(client.get("/api/v1/services", headers=viewer))[0],
    ):
        assert read["integration_key"] != key and read["integration_key"].endswith(key[-4:])
        assert key[:28] not in read["integration_key"]
    monitor = _ok(
        client.post(
            "/api/v1/monitors", headers=admin, json={"name": "nightly", "kind": "heartbeat"}
        ),
        201,
    )
    push_url = monitor["push_url"]
    masked = _ok(client.get(f"/api/v1/monitors/{monitor['id']}", headers=viewer))["push_url"]
    assert masked != push_url and "*" in masked
    hooked = _person(client, admin, "Hook", webhook_url="http://127.0.0.1:9/hook")
    secret = _ok(client.get(f"/api/v1/people/{hooked}", headers=admin))["webhook_secret"]
    assert secret.startswith("whsec_")
    shown = _ok(client.get(f"/api/v1/people/{hooked}", headers=viewer))["webhook_secret"]
    assert shown != secret and secret[6:-4] not in shown

    responder = auth(make_token(Role.RESPONDER))
    rotate = f"/api/v1/services/{service['id']}/rotate-key"
    _error(client.post(rotate, headers=responder), 403)
    assert client.post("/v2/enqueue", json=_pd(key)).status_code == 202
    new_key = _ok(client.post(rotate, headers=admin))["integration_key"]
    assert new_key != key and len(new_key) == 32
    refused = client.post("/v2/enqueue", json=_pd(key))
    assert refused.status_code == 400, "the old key is refused from then on"
    assert client.post(f"/api/v1/integrations/{key}/alertmanager", json={}).status_code == 404
    assert client.post("/v2/enqueue", json=_pd(new_key)).status_code == 202

    rotated = _ok(client.post(f"/api/v1/monitors/{monitor['id']}/rotate-key", headers=admin))
    assert rotated["push_url"] != push_url
    assert client.post(push_url).status_code == 404
    assert client.post(rotated["push_url"]).status_code == 202
    new_secret = _ok(client.post(f"/api/v1/people/{hooked}/rotate-webhook-secret", headers=admin))[
        "webhook_secret"
    ]
    assert new_secret.startswith("whsec_") and new_secret != secret

    with db.read() as session:
        kinds = set(session.execute(select(LogEntry.type)).scalars())
    assert {"service.key_rotated", "monitor.key_rotated", "person.webhook_secret_rotated"} <= kinds


def test_a_component_still_named_is_not_deleted(
    client: TestClient, admin: dict[str, str], clock: ManualClock
) -> None:
    def component() -> str:
        made = client.post("/api/v1/components", headers=admin, json={"name": "API"})
        return str(_ok(made, 201)["id"])

    named = component()
    service = _service(client, admin, component_ids=[named])
    assert "still referenced" in _error(
        client.delete(f"/api/v1/components/{named}", headers=admin), 409
    )
    _ok(
        client.patch(f"/api/v1/services/{service['id']}", headers=admin, json={"component_ids": []})
    )
    assert client.delete(f"/api/v1/components/{named}", headers=admin).status_code == 204

    watched = component()
    monitor = {"name": "m", "kind": "heartbeat", "component_id": watched}
    _ok(client.post("/api/v1/monitors", headers=admin, json=monitor), 201)
    assert "still referenced" in _error(
        client.delete(f"/api/v1/components/{watched}", headers=admin), 409
    )

    in_window = component()
    starts = clock.now() + timedelta(days=1)
    window = {
        "title": "Upgrade",
        "component_ids": [in_window],
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
    }
    _ok(client.post("/api/v1/maintenances", headers=admin, json=window), 201)
    _error(client.delete(f"/api/v1/components/{in_window}", headers=admin), 409)

    in_incident = component()
    incident = _ok(
        client.post(
            "/api/v1/incidents",
            headers=admin,
            json={"title": "Down", "severity": "P3", "component_ids": [in_incident]},
        ),
        201,
    )
    _error(client.delete(f"/api/v1/components/{in_incident}", headers=admin), 409)
    # The update that used to fail with "unknown component_statuses" still works.
    update = {
        "status": "identified",
        "body": "Found it",
        "component_statuses": {in_incident: "partial_outage"},
    }
    _ok(client.post(f"/api/v1/incidents/{incident['id']}/updates", headers=admin, json=update))
    _ok(client.post(f"/api/v1/incidents/{incident['id']}/resolve", headers=admin))
    assert client.delete(f"/api/v1/components/{in_incident}", headers=admin).status_code == 204


def test_a_person_an_open_incident_still_names_is_not_deleted(
    client: TestClient, admin: dict[str, str]
) -> None:
    carol = _person(client, admin, "Carol")
    dan = _person(client, admin, "Dan")
    step = {"delay_minutes": 0, "targets": [{"type": "person", "id": carol}]}
    policy = _ok(
        client.post(
            "/api/v1/escalation-policies", headers=admin, json={"name": "p", "steps": [step]}
        ),
        201,
    )
    service = _service(client, admin, escalation_policy_id=policy["id"])
    incident = _ok(
        client.post(
            "/api/v1/incidents",
            headers=admin,
            json={"title": "Down", "severity": "P2", "service_id": service["id"]},
        ),
        201,
    )
    dan_step = {"delay_minutes": 0, "targets": [{"type": "person", "id": dan}]}
    _ok(
        client.patch(
            f"/api/v1/escalation-policies/{policy['id']}",
            headers=admin,
            json={"steps": [dan_step]},
        )
    )
    message = _error(client.delete(f"/api/v1/people/{carol}", headers=admin), 409)
    assert incident["id"] in message, "the frozen policy of the open incident still names Carol"
    _ok(client.post(f"/api/v1/incidents/{incident['id']}/resolve", headers=admin))
    assert client.delete(f"/api/v1/people/{carol}", headers=admin).status_code == 204


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/monitors", {"name": "m", "kind": "heartbeat", "service_id": ""}),
        ("/api/v1/monitors", {"name": "m", "kind": "heartbeat", "component_id": ""}),
        ("/api/v1/incidents", {"title": "t", "service_id": ""}),
        ("/api/v1/incidents", {"title": "t", "component_ids": [""]}),
        ("/api/v1/services", {"name": "s", "escalation_policy_id": ""}),
        ("/api/v1/services", {"name": "s", "component_ids": ["  "]}),
    ],
)
def test_an_empty_id_is_a_422_and_writes_nothing(
    client: TestClient, admin: dict[str, str], path: str, body: dict[str, Any]
) -> None:
    before = _ok(client.get("/api/v1/audit/verify", headers=admin))["size"]
    _error(client.post(path, headers=admin, json=body), 422)
    assert _ok(client.get("/api/v1/audit/verify", headers=admin))["size"] == before


def test_lists_page_with_a_cursor_and_a_link_header(
    client: TestClient, admin: dict[str, str]
) -> None:
    made = [
        _ok(
            client.post("/api/v1/components", headers=admin, json={"name": f"c{n}", "position": 1}),
            201,
        )["id"]
        for n in range(5)
    ]
    all_at_once = [c["id"] for c in _ok(client.get("/api/v1/components", headers=admin))]
    assert sorted(all_at_once) == sorted(made)
    seen: list[str] = []
    url: str | None = "/api/v1/components?limit=2"
    pages = 0
    while url is not None:
        answer = client.get(url, headers=admin)
        body = _ok(answer)
        assert isinstance(body, list) and len(body) <= 2
        seen += [c["id"] for c in body]
        pages += 1
        link = answer.headers.get("link")
        if link is None:
            url = None
        else:
            assert link.endswith('>; rel="next"')
            url = link[1 : link.index(">")]
    assert pages == 3 and seen == all_at_once, "every item once, in the same stable order"
    for person in range(3):
        _person(client, admin, f"P{person}")
    assert len(_ok(client.get("/api/v1/people?limit=1", headers=admin))) == 1
    assert "offset" in _error(client.get("/api/v1/components?offset=2", headers=admin), 422)
    _error(client.get("/api/v1/components?limit=501", headers=admin), 422)
    _error(client.get("/api/v1/components?limit=0", headers=admin), 422)
    _error(client.get("/api/v1/components?cursor=bm90LWEtY3Vyc29y", headers=admin), 422)
    _error(client.get("/api/v1/incidents?stauts=resolved", headers=admin), 422)


def test_incident_lists_page_newest_first_with_their_filter(
    client: TestClient, admin: dict[str, str], clock: ManualClock
) -> None:
    for n in range(3):
        _ok(client.post("/api/v1/incidents", headers=admin, json={"title": f"i{n}"}), 201)
        clock.advance(timedelta(seconds=1))
    first = client.get("/api/v1/incidents?limit=2&status=triggered", headers=admin)
    assert [i["title"] for i in _ok(first)] == ["i2", "i1"]
    url = first.headers["link"][1 : first.headers["link"].index(">")]
    assert "status=triggered" in url
    assert [i["title"] for i in _ok(client.get(url, headers=admin))] == ["i0"]


def test_admin_times_are_not_in_the_future_nor_out_of_order(
    client: TestClient, admin: dict[str, str], clock: ManualClock
) -> None:
    now = clock.now()
    future = {"title": "t", "started_at": "2027-01-01T00:00:00Z"}
    assert "future" in _error(client.post("/api/v1/incidents", headers=admin, json=future), 422)
    later = {
        "title": "t",
        "started_at": (now - timedelta(hours=1)).isoformat(),
        "resolved_at": "2030-01-01T00:00:00Z",
    }
    assert "future" in _error(client.post("/api/v1/incidents", headers=admin, json=later), 422)
    backwards = {
        "title": "t",
        "started_at": (now - timedelta(hours=1)).isoformat(),
        "resolved_at": (now - timedelta(hours=2)).isoformat(),
    }
    _error(client.post("/api/v1/incidents", headers=admin, json=backwards), 422)
    open_one = _ok(client.post("/api/v1/incidents", headers=admin, json={"title": "t"}), 201)
    resolve = f"/api/v1/incidents/{open_one['id']}/resolve"
    _error(client.post(resolve, headers=admin, json={"resolved_at": "2030-01-01T00:00:00Z"}), 422)
    _ok(client.post(resolve, headers=admin, json={"resolved_at": now.isoformat()}))


def test_a_resolved_incidents_severity_cannot_change(
    client: TestClient, admin: dict[str, str]
) -> None:
    incident = _ok(client.post("/api/v1/incidents", headers=admin, json={"title": "t"}), 201)
    _ok(client.post(f"/api/v1/incidents/{incident['id']}/resolve", headers=admin))
    answer = client.post(
        f"/api/v1/incidents/{incident['id']}/severity", headers=admin, json={"severity": "P1"}
    )
    _error(answer, 409)
    assert _ok(client.get(f"/api/v1/incidents/{incident['id']}", headers=admin))["severity"] == "P3"


def test_heartbeats_take_a_plain_get_or_head(
    client: TestClient, admin: dict[str, str], clock: ManualClock
) -> None:
    monitor = _ok(
        client.post("/api/v1/monitors", headers=admin, json={"name": "cron", "kind": "heartbeat"}),
        201,
    )
    path = monitor["push_url"].removeprefix("http://127.0.0.1:8000")
    for method in ("GET", "HEAD", "POST"):
        clock.advance(timedelta(minutes=1))
        assert client.request(method, path).status_code == 202, method
    assert client.get(path + "?rid=abc").status_code == 202, "a cron tool's extra query is fine"
    assert client.get("/api/v1/heartbeats/" + "0" * 32).status_code == 404


def test_an_open_incident_imported_is_run_like_any_other(
    client: TestClient,
    admin: dict[str, str],
    clock: ManualClock,
    make_workers: MakeWorkers,
) -> None:
    ann = _person(client, admin, "Ann")
    step = {"delay_minutes": 0, "targets": [{"type": "person", "id": ann}]}
    policy = _ok(
        client.post(
            "/api/v1/escalation-policies", headers=admin, json={"name": "p", "steps": [step]}
        ),
        201,
    )
    service = _service(client, admin, escalation_policy_id=policy["id"])
    started = clock.now() - timedelta(hours=2)
    body = {
        "title": "Still down",
        "severity": "P2",
        "service_id": service["id"],
        "started_at": started.isoformat(),
    }
    incident = _ok(client.post("/api/v1/incidents", headers=admin, json=body), 201)
    drain(make_workers())
    read = _ok(client.get(f"/api/v1/incidents/{incident['id']}", headers=admin))
    kinds = [e["kind"] for e in read["timeline"]]
    assert "escalated" in kinds, "its escalation starts now"
    [breach] = [e for e in read["timeline"] if e["kind"] == "deadline_breached"]
    assert breach["data"]["deadline"] == "acknowledge"
    assert breach["data"]["due_at"] == (started + timedelta(hours=1)).isoformat()
    pages = _ok(client.get(f"/api/v1/incidents/{incident['id']}/pages", headers=admin))
    assert [p["person_id"] for p in pages] == [ann]
