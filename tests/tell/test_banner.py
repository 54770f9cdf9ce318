"""The banner JSON: on during a P1, off after; ETag revalidation; CORS for configured origins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.respond.incidents import actions
from execflow.tell.banner.routes import FRESH_SECONDS
from tests.respond.factories import ADMIN, make_incident
from tests.tell.helpers import incident_with_update

APP = "https://app.example.test"


@pytest.fixture
def banner_client(settings: Settings, db: Database, clock: ManualClock) -> Iterator[TestClient]:
    """The app with one origin allowed to read the banner."""
    conf = settings.model_copy(update={"banner_origins": f"{APP}, https://other.example.test"})
    with TestClient(create_app(conf, db=db, clock=clock)) as client:
        yield client


def _later(clock: ManualClock) -> None:
    clock.advance(timedelta(seconds=FRESH_SECONDS))


def test_the_banner_is_on_while_a_p1_is_open(
    banner_client: TestClient, db: Database, clock: ManualClock
) -> None:
    quiet = banner_client.get("/api/v1/banner")
    assert quiet.json() == {
        "active": False,
        "severity": None,
        "message": None,
        "incident_id": None,
        "updated_at": None,
    }
    with db.write() as session:
        make_incident(session, clock.now(), None, severity="P2")
    _later(clock)
    assert banner_client.get("/api/v1/banner").json()["active"] is False, "P2: no banner"
    incident_id = incident_with_update(db, clock.now(), "P1", [], body="Logins fail.")
    _later(clock)
    on = banner_client.get("/api/v1/banner")
    assert on.json()["active"] is True
    assert on.json()["incident_id"] == incident_id and on.json()["message"] == "Logins fail."
    assert on.json()["severity"] == "P1"
    unchanged = banner_client.get("/api/v1/banner", headers={"If-None-Match": on.headers["ETag"]})
    assert unchanged.status_code == 304
    with db.write() as session:
        actions.resolve(session, incident_id=incident_id, actor=ADMIN, now=clock.now())
    _later(clock)
    off = banner_client.get("/api/v1/banner", headers={"If-None-Match": on.headers["ETag"]})
    assert off.status_code == 200 and off.json()["active"] is False


def test_cors_is_open_to_configured_origins_only(banner_client: TestClient) -> None:
    allowed = banner_client.get("/api/v1/banner", headers={"Origin": APP})
    assert allowed.headers["Access-Control-Allow-Origin"] == APP
    assert "Origin" in allowed.headers["Vary"]
    stranger = banner_client.get("/api/v1/banner", headers={"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    preflight = banner_client.options(
        "/api/v1/banner",
        headers={"Origin": APP, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET"
    script = banner_client.get("/banner.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "/api/v1/banner" in script.text
