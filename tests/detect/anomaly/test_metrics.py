"""POST /api/v1/metrics/{key}: points stream through the series' detector; alerts open one."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.anomaly.models import MetricSeries
from execflow.respond.incidents.models import Incident, TimelineEvent
from tests.respond.factories import make_service


@pytest.fixture
def key(db: Database, clock: ManualClock) -> str:
    """A service's integration key."""
    with db.write() as session:
        return make_service(session, clock.now(), None).integration_key


@pytest.fixture
def api(settings: Settings, db: Database, clock: ManualClock) -> Iterator[TestClient]:
    """The app."""
    with TestClient(create_app(settings, db=db, clock=clock)) as client:
        yield client


def _points(start: int, count: int, shift: float = 0.0) -> list[list[float]]:
    rng = random.Random(start)
    return [
        [
            1_700_000_000 + 300 * i,
            50 + 20 * math.sin(2 * math.pi * i / 288) + rng.gauss(0, 0.5) + shift,
        ]
        for i in range(start, start + count)
    ]


def test_a_shift_in_a_series_opens_one_incident(api: TestClient, key: str, db: Database) -> None:
    url = f"/api/v1/metrics/{key}"
    for start in range(0, 2000, 500):
        answer = api.post(url, json={"series": "checkout.latency", "points": _points(start, 500)})
        assert answer.status_code == 202 and answer.json()["alerts"] == 0
    shifted = api.post(
        url, json={"series": "checkout.latency", "points": _points(2000, 300, shift=80)}
    ).json()
    assert shifted["accepted"] == 300 and shifted["alerts"] >= 1
    with db.read() as session:
        incidents = list(session.execute(select(Incident)).scalars())
    assert len(incidents) == 1 and incidents[0].source == "anomaly"
    again = api.post(url, json={"series": "checkout.latency", "points": _points(10, 5)}).json()
    assert again == {"accepted": 0, "skipped": 5, "alerts": 0}, "old points are skipped"


@pytest.mark.parametrize(
    "body",
    [
        {"series": "x", "points": []},
        {"series": "", "points": [[1, 2]]},
        {"series": "x", "points": [[1]]},
        {"series": "x", "points": [["a", 2]]},
        {"series": "x", "points": [[1, 2]], "settings": {"sensitivity": 3}},
        {"series": "x", "points": [[1, 2]], "settings": {"quiet": "lots"}},
        {"series": "x", "points": [[1, 2]], "settings": {"slow": -1}},
        {"series": "x", "points": [[1, 2]], "settings": {"volatility": 2}},
        # Python's JSON reader takes NaN and Infinity, so a client can send them
        '{"series": "x", "points": [[1, 2]], "settings": {"threshold": NaN}}',
        '{"series": "x", "points": [[1, 2]], "settings": {"season_seconds": Infinity}}',
        '{"series": "x", "points": [[1, 2]], "settings": {"warmup": Infinity}}',
        {"series": "x", "points": [[1, 2]], "settings": {"pause": -3}},
    ],
)
def test_bad_metric_pushes_are_refused(
    api: TestClient, key: str, db: Database, body: object
) -> None:
    url = f"/api/v1/metrics/{key}"
    if isinstance(body, str):
        response = api.post(url, content=body, headers={"content-type": "application/json"})
    else:
        response = api.post(url, json=body)
    assert response.status_code == 422, response.text
    assert {"code", "message"} <= response.json()["error"].keys()
    with db.read() as session:
        assert session.execute(select(MetricSeries)).first() is None, "nothing written"


def test_unknown_key_is_404(api: TestClient) -> None:
    response = api.post("/api/v1/metrics/nope", json={"series": "x", "points": [[1, 2]]})
    assert response.status_code == 404


def test_an_anomaly_incident_keeps_its_title_logs_each_alert_and_resolves_when_normal(
    api: TestClient, key: str, db: Database
) -> None:
    url = f"/api/v1/metrics/{key}"
    for start in range(0, 2000, 500):
        api.post(url, json={"series": "checkout.latency", "points": _points(start, 500)})
    shifted = _points(2000, 30, shift=80)
    alerts = api.post(url, json={"series": "checkout.latency", "points": shifted}).json()["alerts"]
    back = api.post(url, json={"series": "checkout.latency", "points": _points(2030, 10)}).json()
    alerts += back["alerts"]
    assert alerts >= 2, "the shift and the return each alert"
    with db.read() as session:
        [incident] = session.execute(select(Incident)).scalars().all()
        detected = session.execute(
            select(TimelineEvent.data).where(TimelineEvent.kind == "anomaly_detected")
        ).scalars()
        values = [d["value"] for d in detected]
    assert incident.title == "Anomaly in checkout.latency", "the title does not freeze a value"
    assert len(values) == alerts and len(set(values)) == alerts
    assert incident.status == "triggered", "not yet normal for 30 minutes of the series' time"
    api.post(url, json={"series": "checkout.latency", "points": _points(2040, 20)})
    with db.read() as session:
        resolved = session.get(Incident, incident.id)
        assert resolved is not None and resolved.status == "resolved"
        assert resolved.resolved_at is not None
