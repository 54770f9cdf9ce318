"""Console pages are kept for a second per session and made again after any logged change."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi.testclient import TestClient

from execflow.access.roles import Role
from execflow.clock import ManualClock
from execflow.console.page_cache import FRESH_SECONDS
from execflow.db import Database
from execflow.respond.incidents import actions
from execflow.respond.incidents.models import Incident
from tests.conftest import TokenFactory
from tests.console.signin import csrf_of, sign_in_with_token
from tests.respond.factories import ADMIN, make_incident


def _until(check: object, seconds: float = 3.0) -> bool:
    """Poll a condition the log watcher (0.25 s on the wall clock) makes true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_a_kept_page_lasts_until_the_log_changes_or_a_second_passes(
    client: TestClient, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    with db.write() as session:
        incident = make_incident(session, clock.now(), None, severity="P3", title="Old title")
    sign_in_with_token(client, make_token(Role.RESPONDER))
    assert _until(lambda: "Old title" in client.get("/").text)
    assert client.get("/").text == client.get("/").text
    with db.write() as session:  # a change the log does not see (never done by ExecFlow)
        row = session.get(Incident, incident.id)
        assert row is not None
        row.title = "Quietly renamed"
    assert "Old title" in client.get("/").text, "kept: the log has not changed"
    clock.advance(timedelta(seconds=FRESH_SECONDS))
    assert "Quietly renamed" in client.get("/").text, "made again after a second"
    with db.write() as session:
        actions.acknowledge(session, incident_id=incident.id, actor=ADMIN, now=clock.now())
    assert _until(lambda: "acknowledged" in client.get("/").text), "a logged change shows"


def test_signing_out_drops_the_kept_pages(client: TestClient, make_token: TokenFactory) -> None:
    sign_in_with_token(client, make_token(Role.VIEWER))
    assert _until(lambda: client.get("/", follow_redirects=False).status_code == 200)
    page = client.get("/")
    client.post("/logout", data={"csrf": csrf_of(page)})
    assert client.get("/", follow_redirects=False).status_code == 303
