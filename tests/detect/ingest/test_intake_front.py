"""The intake front: alert paths answered ahead of routing, with the routes' own replies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from starlette.types import Message, Scope

from execflow.app import ExecFlowAPI, create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.ingest.asgi_front import IntakeFront
from execflow.detect.ingest.batcher import Batcher
from execflow.detect.ingest.intake import Intake
from execflow.detect.ingest.keys import ServiceKeys
from execflow.ops.metrics import HttpCounters
from execflow.outbox import pending_count
from tests.respond.factories import make_service


@pytest.fixture
def app(settings: Settings, db: Database, clock: ManualClock) -> ExecFlowAPI:
    """The whole application, no background workers."""
    return create_app(settings, db=db, clock=clock)


@pytest.fixture
def api(app: ExecFlowAPI) -> Iterator[TestClient]:
    """A client of the app."""
    with TestClient(app) as client:
        yield client


@pytest.fixture
def key(db: Database, clock: ManualClock) -> str:
    """A service's integration key."""
    with db.write() as session:
        return make_service(session, clock.now(), None).integration_key


def _event(key: str) -> dict[str, Any]:
    return {
        "routing_key": key,
        "event_action": "trigger",
        "dedup_key": "disk",
        "payload": {"summary": "Disk full", "source": "db-1", "severity": "error"},
    }


def _queued(db: Database) -> int:
    with db.read() as session:
        return pending_count(session)


def test_intake_requests_are_counted_like_every_other(api: TestClient, key: str) -> None:
    assert api.post("/v2/enqueue", json=_event(key)).status_code == 202
    assert api.post("/v2/enqueue", content=b"{nope").status_code == 400
    assert api.post("/api/v1/integrations/nope/alertmanager", json={}).status_code == 404
    text = api.get("/metrics").text
    for route, status in (
        ("/v2/enqueue", 202),
        ("/v2/enqueue", 400),
        ("/api/v1/integrations/{key}/alertmanager", 404),
    ):
        line = f'execflow_http_requests_total{{method="POST",route="{route}",status="{status}"}}'
        assert f"{line} 1.0" in text, line


def test_oversized_bodies_are_refused_in_each_paths_words(
    api: TestClient, key: str, db: Database
) -> None:
    big = json.dumps({**_event(key), "padding": "a" * 1_000_001}).encode()
    pagerduty = api.post("/v2/enqueue", content=big)
    assert pagerduty.status_code == 400
    assert pagerduty.json()["errors"] == ["the body is larger than 1 MB"]
    webhook = api.post(f"/api/v1/integrations/{key}/alertmanager", content=big)
    assert webhook.status_code == 422
    assert webhook.json()["error"]["code"] == "invalid_input"
    assert _queued(db) == 0


def test_other_methods_and_lookalike_paths_go_on_to_the_application(
    api: TestClient, key: str
) -> None:
    assert api.get("/v2/enqueue").status_code == 405
    assert api.get("/v2/enqueue").json()["error"]["code"] == "method_not_allowed"
    for path in (
        "/api/v1/integrations//alertmanager",
        f"/api/v1/integrations/{key}/more/alertmanager",
    ):
        response = api.post(path, json=_event(key))
        assert response.status_code in (404, 405), path
        assert "error" in response.json(), path


def test_a_database_failure_is_a_500_in_the_error_shape(
    app: ExecFlowAPI, db: Database, clock: ManualClock, key: str, tmp_path: Path
) -> None:
    broken = Database.from_url(f"sqlite:///{tmp_path / 'no-schema.db'}")
    state = app.state.execflow
    intake = Intake(lambda: state.throttle, ServiceKeys(db), Batcher(broken, clock))
    app.front = IntakeFront(intake, HttpCounters(CollectorRegistry()))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/v2/enqueue", json=_event(key))
    broken.dispose()
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert _queued(db) == 0


def _scope(path: str) -> Scope:
    return {"type": "http", "method": "POST", "path": path, "headers": [], "query_string": b""}


def _call(front: IntakeFront, path: str, messages: list[Message]) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(front(_scope(path), receive, send))
    return sent


def test_a_body_in_pieces_is_read_whole(app: ExecFlowAPI, key: str, db: Database) -> None:
    assert app.front is not None
    raw = json.dumps(_event(key)).encode()
    pieces: list[Message] = [
        {"type": "http.request", "body": raw[:10], "more_body": True},
        {"type": "http.request", "body": raw[10:], "more_body": False},
    ]
    sent = _call(app.front, "/v2/enqueue", pieces)
    assert sent[0]["status"] == 202
    assert json.loads(sent[1]["body"])["dedup_key"] == "disk"
    assert _queued(db) == 1


def test_a_client_gone_before_its_body_is_not_answered(app: ExecFlowAPI, db: Database) -> None:
    assert app.front is not None
    sent = _call(app.front, "/v2/enqueue", [{"type": "http.disconnect"}])
    assert sent == []
    assert _queued(db) == 0
