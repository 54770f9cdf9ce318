"""The status page: Statuspage v2 JSON in its published shapes, feeds, the HTML page."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.probes.models import Monitor, Rollup
from execflow.respond.incidents import actions
from execflow.respond.incidents.schemas import UpdateIn
from execflow.respond.maintenance import service as maintenance
from execflow.respond.maintenance.schemas import MaintenanceCreate
from execflow.tell.statuspage.cache import FRESH_SECONDS
from tests.respond.factories import ADMIN, make_incident
from tests.tell.helpers import component, incident_with_update

PAGE = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT = {
    "id",
    "name",
    "status",
    "created_at",
    "updated_at",
    "position",
    "description",
    "showcase",
    "start_date",
    "group_id",
    "page_id",
    "group",
    "only_show_if_degraded",
}
INCIDENT = {
    "id",
    "name",
    "status",
    "impact",
    "created_at",
    "updated_at",
    "monitoring_at",
    "resolved_at",
    "started_at",
    "shortlink",
    "page_id",
    "components",
    "incident_updates",
}
UPDATE = {
    "id",
    "status",
    "body",
    "incident_id",
    "created_at",
    "updated_at",
    "display_at",
    "affected_components",
    "deliver_notifications",
}
COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}


def _fresh(client: TestClient, clock: ManualClock, path: str) -> Any:
    """A path read once the page's cache has expired (the app's clock moved past it).

    The first read after expiry still answers from the kept page and starts a rebuild;
    once that is done, the read sees the change.
    """
    clock.advance(timedelta(seconds=FRESH_SECONDS))
    client.get(path)
    assert client.app.state.status_cache.settle()  # type: ignore[attr-defined]
    return client.get(path)


def _monitor(
    session: Session, component_id: str, clock: ManualClock, days: list[tuple[int, int, int, int]]
) -> None:
    now = clock.now()
    monitor = Monitor(
        id=f"mon_{component_id[-6:]}",
        name="probe",
        kind="http",
        target="http://x",
        interval_seconds=60,
        timeout_seconds=5,
        expect={},
        component_id=component_id,
        next_due_at=now,
        created_at=now,
    )
    session.add(monitor)
    session.flush()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for back, checks, failures, held in days:
        session.add(
            Rollup(
                monitor_id=monitor.id,
                period="day",
                start=today - timedelta(days=back),
                checks=checks,
                failures=failures,
                maintenance=held,
                latency_ms_sum=0.0,
                latency_ms_max=0.0,
            )
        )


def test_the_v2_json_has_the_published_fields_and_enumerations(
    client: TestClient, db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    with db.write() as session:
        api = component(session, now, "API", group="Platform").id
        web = component(session, now, "Web").id
        quiet = make_incident(session, now, None, severity="P4", title="Typo on a page")
    incident_id = incident_with_update(db, now, "P2", [api], body="Errors on the API.")
    clock.advance(timedelta(minutes=2))
    now = clock.now()
    with db.write() as session:
        update = UpdateIn(
            status="identified", body="Bad deploy.", component_statuses={api: "partial_outage"}
        )
        actions.add_update(session, incident_id=incident_id, data=update, actor=ADMIN, now=now)
    summary = _fresh(client, clock, "/api/v2/summary.json").json()
    assert set(summary) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert set(summary["page"]) == PAGE
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    groups = [c for c in summary["components"] if c["group"]]
    plain = [c for c in summary["components"] if not c["group"]]
    assert [g["name"] for g in groups] == ["Platform"] and groups[0]["components"] == [api]
    assert set(groups[0]) == COMPONENT | {"components"}
    assert {c["id"] for c in plain} == {api, web}
    for c in plain:
        assert set(c) == COMPONENT and c["status"] in COMPONENT_STATUSES
    shown = {i["id"]: i for i in summary["incidents"]}
    assert quiet.id not in shown, "P4 is nothing public"
    incident = shown[incident_id]
    assert set(incident) == INCIDENT
    assert incident["impact"] == "major" and incident["status"] == "identified"
    assert [u["status"] for u in incident["incident_updates"]] == ["identified", "investigating"]
    first = incident["incident_updates"][0]
    assert set(first) == UPDATE
    assert first["affected_components"] == [
        {"code": api, "name": "API", "old_status": "operational", "new_status": "partial_outage"}
    ]
    for path, key in (
        ("/api/v2/status.json", "status"),
        ("/api/v2/components.json", "components"),
        ("/api/v2/incidents.json", "incidents"),
        ("/api/v2/incidents/unresolved.json", "incidents"),
        ("/api/v2/scheduled-maintenances.json", "scheduled_maintenances"),
        ("/api/v2/scheduled-maintenances/upcoming.json", "scheduled_maintenances"),
        ("/api/v2/scheduled-maintenances/active.json", "scheduled_maintenances"),
    ):
        body = client.get(path).json()
        assert set(body) == {"page", key}, path


def test_maintenance_shows_scheduled_then_in_progress_and_holds_its_components(
    client: TestClient, db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    with db.write() as session:
        db_id = component(session, now, "Database").id
        window = maintenance.create(
            session,
            data=MaintenanceCreate(
                title="Upgrade",
                body="Ten minutes of read-only mode.",
                component_ids=[db_id],
                starts_at=now + timedelta(hours=1),
                ends_at=now + timedelta(hours=2),
            ),
            actor=ADMIN,
            now=now,
        )
    upcoming = _fresh(client, clock, "/api/v2/scheduled-maintenances/upcoming.json").json()
    item = upcoming["scheduled_maintenances"][0]
    assert item["id"] == window.id and item["status"] == "scheduled"
    assert item["impact"] == "maintenance" and {"scheduled_for", "scheduled_until"} <= set(item)
    clock.advance(timedelta(hours=1, minutes=1))
    active = _fresh(client, clock, "/api/v2/scheduled-maintenances/active.json").json()
    assert [m["id"] for m in active["scheduled_maintenances"]] == [window.id]
    summary = client.get("/api/v2/summary.json").json()
    assert summary["components"][0]["status"] == "under_maintenance"
    assert summary["status"]["description"] == "Service Under Maintenance"


def test_the_feeds_parse_and_list_incidents_and_maintenance(
    client: TestClient, db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    with db.write() as session:
        api = component(session, now, "API").id
    incident_id = incident_with_update(db, now, "P1", [api], body="Down & out <badly>.")
    for path in ("/history.atom", "/history.rss"):
        answer = _fresh(client, clock, path)
        feed = feedparser.parse(answer.content)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.feed.title.endswith("status history")
        entry = feed.entries[0]
        assert entry.link.endswith(f"#{incident_id}")
        text = entry.content[0].value if "content" in entry else entry.summary
        assert "Down & out <badly>." in html.unescape(text), "escaped, never markup"


def test_the_page_shows_status_incidents_bars_and_the_form(
    client: TestClient, db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    with db.write() as session:
        api = component(session, now, "API").id
        component(session, now, "Web")
        _monitor(
            session,
            api,
            clock,
            [(0, 1440, 0, 0), (1, 1440, 1000, 0), (2, 1440, 3, 0), (3, 1440, 10, 1440)],
        )
    incident_with_update(db, now, "P1", [api], body="Checkout fails.")
    page = _fresh(client, clock, "/status.html")
    assert page.status_code == 200
    text = page.text
    assert "Major Service Outage" in text and "Checkout fails." in text
    assert 'action="/subscriptions"' in text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    # the API's bars: today up, yesterday down, the day before degraded, then maintenance
    assert text.count('class="x" title') == 1
    assert text.count('class="g" title') == 1
    assert text.count('class="m" title') == 1
    assert text.count('class="u" title') == 1
    assert "% up, 1,000 of 1,440 checks failed" in text
    assert 'aria-label="Web, last 90 days: no data; 90 days no data"' in text
    assert "uptime" in text
    again = client.get("/status.html", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304
    with db.write() as session:
        actions.resolve(
            session,
            incident_id=client.get("/api/v2/incidents.json").json()["incidents"][0]["id"],
            actor=ADMIN,
            now=clock.now(),
        )
    assert "Major Service Outage" in client.get("/status.html").text, "kept while fresh"
    assert "All Systems Operational" in _fresh(client, clock, "/status.html").text


def test_the_page_name_colours_and_components_shown_are_settings(
    settings: Settings, db: Database, clock: ManualClock
) -> None:
    now = clock.now()
    with db.write() as session:
        shown = component(session, now, "Public API").id
        component(session, now, "Internal admin")
    conf = settings.model_copy(
        update={
            "page_name": "Acme Status",
            "page_accent": "#aa3300",
            "page_components": shown,
            "page_logo_url": "/branding/logo.svg",
        }
    )
    with TestClient(create_app(conf, db=db, clock=clock)) as client:
        page = client.get("/status.html").text
        assert "<title>Acme Status</title>" in page
        assert 'src="/branding/logo.svg"' in page
        assert "Public API" in page and "Internal admin" not in page
        listed = client.get("/api/v2/components.json").json()["components"]
        assert [c["name"] for c in listed] == ["Public API"]
        assert "--accent: #aa3300" in client.get("/theme.css").text
    with pytest.raises(ValueError, match="path on this server"):
        Settings(_env_file=None, page_logo_url="https://cdn.example.com/logo.svg")
