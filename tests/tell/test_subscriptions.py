"""Subscribing end to end: double opt-in by mail, a P1 mail with RFC 8058 headers, one-click
unsubscribe; the same answer for any address; the rate limit; bad input writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from execflow.clock import ManualClock
from execflow.db import Database
from execflow.tell.subscribers import tokens
from execflow.tell.subscribers.models import Subscriber
from tests.conftest import MakeWorkers, drain
from tests.smtp import Mailbox
from tests.tell.helpers import component, incident_with_update, link_in, log_bytes, log_types


def _path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def _subscribers(db: Database) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(Subscriber)).scalar_one()


def test_subscribe_confirm_get_a_p1_mail_and_unsubscribe_with_one_click(
    client: TestClient,
    db: Database,
    clock: ManualClock,
    mailbox: Mailbox,
    make_workers: MakeWorkers,
) -> None:
    with db.write() as session:
        api = component(session, clock.now(), "API").id
    workers = make_workers()
    answer = client.post(
        "/subscriptions", data={"email": "ada@example.test", "component_ids": [api]}
    )
    assert answer.status_code == 202
    assert "Check your inbox" in answer.text
    drain(workers)
    confirmation = mailbox.wait_for(1)[0]
    assert confirmation.to == ["ada@example.test"]
    assert "Confirm" in confirmation.message["Subject"]
    incident_with_update(db, clock.now(), "P1", [api], body="Checkout fails for everyone.")
    drain(workers)
    assert len(mailbox.snapshot()) == 1, "nothing is sent before the address confirms"
    page = client.get(_path(link_in(confirmation)))
    assert page.status_code == 200 and "Subscription confirmed" in page.text
    incident_with_update(db, clock.now(), "P1", [api], body="Payments are failing.")
    drain(workers)
    update = mailbox.wait_for(2)[1]
    assert update.to == ["ada@example.test"]
    assert "Payments are failing." in update.body
    unsubscribe = update.message["List-Unsubscribe"].strip("<>")
    assert update.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in update.body.replace("=\n", ""), "the same link is in the text"
    one_click = client.post(_path(unsubscribe), content=b"List-Unsubscribe=One-Click")
    assert one_click.status_code == 200
    assert _subscribers(db) == 0
    incident_with_update(db, clock.now(), "P1", [api], body="Still failing.")
    drain(workers)
    assert len(mailbox.snapshot()) == 2, "no mail after unsubscribing"
    assert b"ada@example.test" not in log_bytes(db), "the log names ids, never addresses"
    types = log_types(db)
    for kind in ("subscription.requested", "subscription.confirmed", "subscription.removed"):
        assert kind in types
    assert types.count("notification.batch") == 1


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    client: TestClient, db: Database, clock: ManualClock
) -> None:
    first = client.post("/subscriptions", json={"email": "known@example.test"})
    again = client.post("/subscriptions", json={"email": "known@example.test"})
    other = client.post("/subscriptions", json={"email": "new@example.test"})
    assert first.status_code == again.status_code == other.status_code == 202
    assert first.json() == again.json() == other.json()
    assert _subscribers(db) == 2


def test_a_flood_from_one_client_gets_429_with_retry_after(client: TestClient) -> None:
    codes = [
        client.post("/subscriptions", json={"email": f"u{n}@example.test"}).status_code
        for n in range(8)
    ]
    assert codes[:5] == [202] * 5
    refused = client.post("/subscriptions", json={"email": "late@example.test"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "too_many_requests"


def test_bad_input_is_a_clear_4xx_and_writes_nothing(
    client: TestClient, db: Database, clock: ManualClock
) -> None:
    before = log_types(db)
    visitors = iter(range(100))

    def post(**kwargs: Any) -> Response:
        """Each request from its own client address, so the rate limit stays out of it."""
        visitor = TestClient(client.app, client=(f"10.0.0.{next(visitors)}", 50000))
        answer: Response = visitor.post("/subscriptions", **kwargs)
        return answer

    cases = [
        ({"email": "not-an-address"}, 422),
        ({"email": "a@b"}, 422),
        ({"email": "ok@example.test", "component_ids": ["cmp_nope"]}, 422),
        ({"email": "ok@example.test", "extra": 1}, 422),
        ({}, 422),
    ]
    for body, status in cases:
        answer = post(json=body)
        assert answer.status_code == status, body
        assert answer.json()["error"]["code"] in ("validation_error", "invalid_input")
    huge = post(
        content=b'{"email": "' + b"a" * 20_000 + b'@example.test"}',
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    form = post(data={"email": "nope"})
    assert form.status_code == 422 and "not an e-mail address" in form.text
    assert _subscribers(db) == 0
    assert log_types(db) == before


def test_forged_expired_and_misused_links_are_refused(
    client: TestClient,
    db: Database,
    clock: ManualClock,
    make_workers: MakeWorkers,
    mailbox: Mailbox,
) -> None:
    client.post("/subscriptions", json={"email": "late@example.test"})
    drain(make_workers())
    link = link_in(mailbox.wait_for(1)[0])
    token = link.split("token=")[1]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(f"/subscriptions/confirm?token={forged}").status_code == 400
    assert client.get("/subscriptions/confirm?token=").status_code == 400
    unsubscribe = client.get(f"/subscriptions/unsubscribe?token={token}")
    assert unsubscribe.status_code == 400, "a confirm link is no unsubscribe link"
    clock.advance(tokens.CONFIRM_LIFETIME + timedelta(seconds=1))
    expired = client.get(_path(link))
    assert expired.status_code == 410 and "expired" in expired.text
    with db.read() as session:
        row = session.execute(select(Subscriber)).scalar_one()
        assert row.confirmed_at is None
