"""Post-mortems: revisions hashed into the log, publishing meets the deadline, the public page
is 404 until then and proves its text; reminders at 24 h and 48 h."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from execflow.access.roles import Role
from execflow.clock import ManualClock
from execflow.db import Database
from execflow.prove.log.entry import canonical_json
from execflow.prove.log.models import LogEntry
from execflow.respond.incidents import actions
from tests.conftest import MakeWorkers, TokenFactory, auth, drain
from tests.respond.factories import ADMIN, make_incident, make_person, standard_setup
from tests.smtp import Mailbox
from tests.tell.helpers import log_types

TEXT = {
    "summary": "Checkout failed for 40 minutes.",
    "impact": "12 % of orders failed.",
    "root_cause": "A config push removed the payment provider's key.",
    "contributing_factors": ["No canary for config pushes"],
    "action_items": [{"title": "Canary config pushes", "due": "2026-12-15"}],
}


def _entry(db: Database, index: int) -> dict[str, object]:
    with db.read() as session:
        data = session.execute(select(LogEntry.data).where(LogEntry.idx == index)).scalar_one()
    parsed: dict[str, object] = json.loads(data)
    return parsed


def test_write_publish_and_prove_a_post_mortem(
    client: TestClient, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    headers = auth(make_token(Role.RESPONDER))
    with db.write() as session:
        incident = make_incident(session, clock.now(), None, severity="P1")
        incident_id = incident.id
    url = f"/api/v1/incidents/{incident_id}/postmortem"
    assert client.get(f"/postmortems/{incident_id}").status_code == 404
    draft = client.put(url, json=TEXT, headers=headers)
    assert draft.status_code == 200 and draft.json()["revision"] == 1
    early = client.post(f"{url}/publish", headers=headers)
    assert early.status_code == 409, "an open incident has no post-mortem to publish yet"
    with db.write() as session:
        actions.resolve(session, incident_id=incident_id, actor=ADMIN, now=clock.now())
    second = client.put(url, json={**TEXT, "impact": "9 % of orders failed."}, headers=headers)
    assert second.json()["revision"] == 2
    published = client.post(f"{url}/publish", headers=headers)
    assert published.status_code == 200 and published.json()["state"] == "published"
    digest = hashlib.sha256(
        canonical_json(
            {
                **TEXT,
                "impact": "9 % of orders failed.",
                "action_items": [
                    {"title": "Canary config pushes", "owner_id": None, "due": "2026-12-15"}
                ],
            }
        )
    ).hexdigest()
    assert published.json()["content_sha256"] == digest
    entry = _entry(db, published.json()["audit_index"])
    assert entry["type"] == "postmortem.revised"
    assert entry["data"] == {
        "revision": 2,
        "sha256": digest,
        "bytes": len(
            canonical_json(
                {
                    **TEXT,
                    "impact": "9 % of orders failed.",
                    "action_items": [
                        {"title": "Canary config pushes", "owner_id": None, "due": "2026-12-15"}
                    ],
                }
            )
        ),
    }
    page = client.get(f"/postmortems/{incident_id}")
    assert page.status_code == 200
    assert digest in page.text and "9 % of orders failed." in page.text
    assert f"#{published.json()['audit_index']}" in page.text
    deadlines = client.get(f"/api/v1/incidents/{incident_id}", headers=headers).json()
    assert deadlines["deadlines"]["postmortem"]["state"] == "met"
    assert "postmortem.published" in log_types(db)
    again = client.post(f"{url}/publish", headers=headers)
    assert again.status_code == 409


def test_bad_post_mortems_are_refused_and_write_nothing(
    client: TestClient, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    headers = auth(make_token(Role.RESPONDER))
    viewer = auth(make_token(Role.VIEWER))
    with db.write() as session:
        incident_id = make_incident(session, clock.now(), None, severity="P2").id
    before = log_types(db)
    url = f"/api/v1/incidents/{incident_id}/postmortem"
    assert (
        client.put("/api/v1/incidents/inc_nope/postmortem", json=TEXT, headers=headers).status_code
        == 404
    )
    assert client.put(url, json={**TEXT, "extra": 1}, headers=headers).status_code == 422
    owner = {**TEXT, "action_items": [{"title": "x", "owner_id": "per_nope"}]}
    assert client.put(url, json=owner, headers=headers).status_code == 422
    huge = {**TEXT, "summary": "x" * 30_000}
    assert client.put(url, json=huge, headers=headers).status_code == 422
    assert client.put(url, json=TEXT, headers=viewer).status_code == 403
    assert client.post(f"{url}/publish", headers=headers).status_code == 409
    assert client.get("/postmortems/inc_nope").status_code == 404
    assert log_types(db) == before


def test_the_commander_is_reminded_at_24_and_48_hours(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now())
        incident = make_incident(session, clock.now(), setup.service, severity="P1")
        person = make_person(session, clock.now(), "Carol Commander")
        actions.set_commander(
            session, incident_id=incident.id, person_id=person.id, actor=ADMIN, now=clock.now()
        )
        actions.resolve(session, incident_id=incident.id, actor=ADMIN, now=clock.now())
    workers = make_workers()
    drain(workers)
    before = len(mailbox.snapshot())
    clock.advance(timedelta(hours=23, minutes=59))
    drain(workers)
    assert len(mailbox.snapshot()) == before
    clock.advance(timedelta(minutes=1))
    drain(workers)
    first = mailbox.wait_for(before + 1)[-1]
    assert first.to == ["carol.commander@example.test"] and "48 h" in first.message["Subject"]
    clock.advance(timedelta(hours=24))
    drain(workers)
    assert "24 h" in mailbox.wait_for(before + 2)[-1].message["Subject"]
    clock.advance(timedelta(hours=24))
    drain(workers)
    assert log_types(db).count("postmortem.reminder") == 2
    assert "incident.deadline_breached" in log_types(db)
