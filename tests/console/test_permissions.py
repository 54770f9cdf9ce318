"""Who may do what in the console: anonymous, viewer, responder and admin on every page
and action; a form without its CSRF token is refused; sign-in links expire and work once."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from execflow.access.models import ApiToken
from execflow.access.roles import Role
from execflow.access.signin import signin_link
from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.prove.log import merkle
from execflow.prove.log.checkpoint import open_checkpoint
from execflow.prove.log.note import Signer
from execflow.prove.log.proofs import decode
from execflow.respond.incidents.models import Incident
from execflow.workers import Workers
from tests.conftest import TokenFactory
from tests.console.signin import csrf_of, sign_in_with_token
from tests.respond.factories import make_incident, make_person, make_schedule
from tests.tell.helpers import log_types

PAGES = ["/", "/oncall", "/services", "/monitors", "/audit", "/incidents/{incident}"]
ADMIN_PAGES = ["/admin"]


@pytest.fixture
def app_client(settings: Settings, db: Database, clock: ManualClock) -> Iterator[TestClient]:
    """A fresh client (its own cookie jar) on the app."""
    with TestClient(create_app(settings, db=db, clock=clock)) as client:
        yield client


@pytest.fixture
def incident(db: Database, clock: ManualClock) -> str:
    """An open P2."""
    with db.write() as session:
        return make_incident(session, clock.now(), None, severity="P2").id


def test_anonymous_visitors_are_sent_to_sign_in(app_client: TestClient, incident: str) -> None:
    for path in [*PAGES, *ADMIN_PAGES, "/events"]:
        answer = app_client.get(path.format(incident=incident), follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login"), path
    acted = app_client.post(f"/incidents/{incident}/acknowledge", data={}, follow_redirects=False)
    assert acted.status_code == 303 and acted.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.RESPONDER, Role.ADMIN])
def test_each_role_sees_and_does_exactly_what_it_may(
    role: Role,
    app_client: TestClient,
    make_token: TokenFactory,
    db: Database,
    incident: str,
) -> None:
    csrf = sign_in_with_token(app_client, make_token(role))
    for path in PAGES:
        page = app_client.get(path.format(incident=incident))
        assert page.status_code == 200, path
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["Cache-Control"] == "no-store"
    admin = app_client.get("/admin")
    assert admin.status_code == (200 if role is Role.ADMIN else 403)
    before = log_types(db)
    ack = app_client.post(
        f"/incidents/{incident}/acknowledge", data={"csrf": csrf}, follow_redirects=False
    )
    with db.read() as session:
        status = session.get(Incident, incident).status  # type: ignore[union-attr]
    if role is Role.VIEWER:
        assert ack.status_code == 403 and status == "triggered"
        assert log_types(db) == before, "nothing written"
    else:
        assert ack.status_code == 303 and status == "acknowledged"
    role_change = app_client.post(
        "/admin/person",
        data={"csrf": csrf, "name": "Ned", "email": "ned@example.test", "role": "viewer"},
        follow_redirects=False,
    )
    assert role_change.status_code == (303 if role is Role.ADMIN else 403)


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    app_client: TestClient, make_token: TokenFactory, db: Database, incident: str
) -> None:
    sign_in_with_token(app_client, make_token(Role.ADMIN))
    before = log_types(db)
    for data in ({}, {"csrf": "forged"}):
        answer = app_client.post(
            f"/incidents/{incident}/acknowledge", data=data, follow_redirects=False
        )
        assert answer.status_code == 403
    login = app_client.post("/login", data={"token": "x"}, follow_redirects=False)
    assert login.status_code == 403, "the sign-in form has a CSRF token too"
    assert log_types(db) == before


def test_sign_in_links_expire_and_work_once(
    app_client: TestClient, settings: Settings, db: Database, clock: ManualClock
) -> None:
    secret = settings.link_key_path.read_bytes()
    with db.write() as session:
        person = make_person(session, clock.now(), "Rita Responder", role=Role.RESPONDER)
        outsider = make_person(session, clock.now(), "Otto Outsider")
    link = signin_link(secret, kind="person", ident=person.id, now=clock.now())
    first = app_client.get(f"/login/{link}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/"
    assert "Rita Responder" in app_client.get("/").text
    again = TestClient(app_client.app).get(f"/login/{link}", follow_redirects=False)
    assert again.status_code == 410 and "used already" in again.text
    late = signin_link(secret, kind="person", ident=person.id, now=clock.now())
    clock.advance(timedelta(minutes=15, seconds=1))
    expired = TestClient(app_client.app).get(f"/login/{late}", follow_redirects=False)
    assert expired.status_code == 410 and "expired" in expired.text
    forged = TestClient(app_client.app).get(f"/login/{late[:-2]}xx", follow_redirects=False)
    assert forged.status_code == 400
    nobody = signin_link(secret, kind="person", ident=outsider.id, now=clock.now())
    refused = TestClient(app_client.app).get(f"/login/{nobody}", follow_redirects=False)
    assert refused.status_code == 303
    assert TestClient(app_client.app).get("/", follow_redirects=False).status_code == 303


def test_signing_out_everywhere_ends_every_session(
    settings: Settings, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    app = create_app(settings, db=db, clock=clock)
    secret = make_token(Role.RESPONDER)
    with TestClient(app) as laptop, TestClient(app) as phone:
        sign_in_with_token(laptop, secret)
        sign_in_with_token(phone, secret)
        out = laptop.post(
            "/logout",
            data={"csrf": csrf_of(laptop.get("/")), "everywhere": "yes"},
            follow_redirects=False,
        )
        assert out.status_code == 303
        assert phone.get("/", follow_redirects=False).status_code == 303
    types = log_types(db)
    assert types.count("session.signed_in") == 2 and types.count("session.signed_out") == 1


def test_a_revoked_token_or_a_removed_role_ends_the_session_at_once(
    app_client: TestClient, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    sign_in_with_token(app_client, make_token(Role.RESPONDER))
    with db.write() as session:
        for token in session.execute(select(ApiToken)).scalars():
            token.revoked_at = clock.now()
    assert app_client.get("/", follow_redirects=False).status_code == 303


def test_sessions_expire_when_idle(
    app_client: TestClient, clock: ManualClock, make_token: TokenFactory
) -> None:
    sign_in_with_token(app_client, make_token(Role.VIEWER))
    clock.advance(timedelta(hours=11))
    assert app_client.get("/", follow_redirects=False).status_code == 200
    clock.advance(timedelta(hours=11))
    assert app_client.get("/", follow_redirects=False).status_code == 200, "used: not idle"
    clock.advance(timedelta(hours=12, seconds=1))
    assert app_client.get("/", follow_redirects=False).status_code == 303


def test_an_unknown_incident_or_monitor_is_a_page_saying_so(
    app_client: TestClient, make_token: TokenFactory
) -> None:
    sign_in_with_token(app_client, make_token(Role.VIEWER))
    for path in ("/incidents/inc_nope", "/monitors/mon_nope"):
        answer = app_client.get(path)
        assert answer.status_code == 404
        assert "text/html" in answer.headers["content-type"] and "Not found" in answer.text


def test_my_shifts_calendar_downloads_with_the_session(
    app_client: TestClient, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    with db.write() as session:
        person = make_person(session, clock.now(), "Cal Endar")
        schedule = make_schedule(session, clock.now(), [person.id])
    sign_in_with_token(app_client, make_token(Role.VIEWER))
    answer = app_client.get(f"/oncall/{schedule.id}.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in answer.text and "Cal Endar" in answer.text


def test_an_entry_proof_downloads_and_verifies_offline(
    app_client: TestClient,
    make_token: TokenFactory,
    workers: Workers,
    signer: Signer,
) -> None:
    sign_in_with_token(app_client, make_token(Role.VIEWER))
    workers.integrate_once()
    answer = app_client.get("/audit/proof/0.tlog-proof")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    proof = decode(answer.text)
    with_entry = app_client.get("/audit/proof/0").json()
    leaf = merkle.leaf_hash(base64.b64decode(with_entry["entry"]))
    checkpoint = open_checkpoint(proof.checkpoint_note, signer.verifier)
    merkle.verify_inclusion(leaf, proof.index, checkpoint.size, proof.path, checkpoint.root)
    assert app_client.get("/audit/proof/999999.tlog-proof").status_code == 404
