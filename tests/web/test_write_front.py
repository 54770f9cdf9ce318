"""The write front answers exactly as the FastAPI routes it stands in front of."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from execflow.access.roles import Role
from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.web.write_front import MAX_BODY
from tests.conftest import TokenFactory, auth

EVENTS = "/api/v1/audit/events"
INCIDENTS = "/api/v1/incidents"
JSON = {"Content-Type": "application/json"}
EVENT = b'{"type": "custom.deploy", "subject": {"kind": "service", "id": "api"}}'

# (path, raw body, role of the token or None for none, or a literal bad secret)
REFUSED: list[tuple[str, bytes, Role | str | None]] = [
    (EVENTS, b'{"type": ', Role.RESPONDER),
    (EVENTS, b"", Role.RESPONDER),
    (EVENTS, b"[]", Role.RESPONDER),
    (EVENTS, b'"text"', Role.RESPONDER),
    (EVENTS, b'{"type": "custom.deploy"}', Role.RESPONDER),
    (EVENTS, b'{"type": "deploy", "subject": {"kind": "s", "id": "a"}}', Role.RESPONDER),
    (EVENTS, b'{"type": "custom.x", "subject": {"kind": "s", "id": "a"}, "x": 1}', Role.RESPONDER),
    (EVENTS, b'{"type": "custom.x", "subject": {"kind": "s", "id": ""}}', Role.RESPONDER),
    (EVENTS, EVENT, None),
    (EVENTS, EVENT, "ef_not_a_token"),
    (EVENTS, EVENT, Role.VIEWER),
    (EVENTS, b'{"type": ', None),
    (EVENTS, b'{"type": "custom.deploy"}', Role.VIEWER),
    (INCIDENTS, b'{"title": "x", "severity": "P9"}', Role.RESPONDER),
    (INCIDENTS, b'{"title": "", "severity": "P1"}', Role.RESPONDER),
    (INCIDENTS, b'{"title": "x", "service_id": "svc_nope"}', Role.RESPONDER),
    (INCIDENTS, b'{"title": "x", "component_ids": ["nope"]}', Role.RESPONDER),
    (INCIDENTS, b'{"title": "x", "started_at": "2020-01-01T00:00:00Z"}', Role.RESPONDER),
    (INCIDENTS, b'{"title": "x", "started_at": "2999-01-01T00:00:00Z"}', Role.ADMIN),
    (INCIDENTS, b'{"title": "x"}', Role.VIEWER),
]


@pytest.fixture
def doors(settings: Settings, db: Database, clock: ManualClock) -> Iterator[list[TestClient]]:
    """The app as served (front first) and the same app with its front taken away."""
    fronted = create_app(settings, db=db, clock=clock)
    routed = create_app(settings, db=db, clock=clock)
    assert fronted.writes is not None
    routed.writes = None
    with TestClient(fronted) as first, TestClient(routed) as second:
        yield [first, second]


def _headers(role: Role | str | None, make_token: TokenFactory) -> dict[str, str]:
    if role is None:
        return dict(JSON)
    secret = make_token(role) if isinstance(role, Role) else role
    return {**JSON, **auth(secret)}


@pytest.mark.parametrize(("path", "raw", "role"), REFUSED)
def test_a_refused_write_gets_the_same_answer_from_both_doors(
    doors: list[TestClient],
    make_token: TokenFactory,
    path: str,
    raw: bytes,
    role: Role | str | None,
) -> None:
    headers = _headers(role, make_token)
    answers = [door.post(path, content=raw, headers=headers) for door in doors]
    assert answers[0].status_code == answers[1].status_code
    assert 400 <= answers[0].status_code < 500
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["error"]["code"]


def _shape(body: dict[str, Any]) -> dict[str, Any]:
    """An incident's answer without what differs between two incidents."""
    varying = {"id", "created_at", "updated_at", "timeline", "audit_indexes", "deadlines"}
    return {k: v for k, v in body.items() if k not in varying}


def test_an_accepted_write_gets_the_same_answer_from_both_doors(
    doors: list[TestClient], make_token: TokenFactory
) -> None:
    headers = _headers(Role.RESPONDER, make_token)
    events = [door.post(EVENTS, content=EVENT, headers=headers) for door in doors]
    assert [e.status_code for e in events] == [201, 201]
    assert events[1].json()["index"] == events[0].json()["index"] + 1
    body = b'{"title": "Checkout slow", "severity": "P2", "summary": "p99 above 2 s"}'
    made = [door.post(INCIDENTS, content=body, headers=headers) for door in doors]
    assert [m.status_code for m in made] == [201, 201]
    assert _shape(made[0].json()) == _shape(made[1].json())
    assert made[0].json()["severity"] == "P2"
    assert set(made[0].json()["deadlines"]) == set(made[1].json()["deadlines"])
    timeline = [[row["kind"] for row in m.json()["timeline"]] for m in made]
    assert timeline[0] == timeline[1] == ["triggered"]
    fetched = doors[1].get(f"{INCIDENTS}/{made[0].json()['id']}", headers=headers)
    assert fetched.json()["title"] == "Checkout slow", "the front's write is committed"


def test_a_body_past_the_front_limit_is_handed_to_the_route_whole(
    doors: list[TestClient], make_token: TokenFactory
) -> None:
    headers = _headers(Role.RESPONDER, make_token)
    big = b'{"type": "custom.big", "subject": {"kind": "s", "id": "a"}, "data": {"x": "'
    raw = big + b"y" * (MAX_BODY + 10) + b'"}}'
    answers = [door.post(EVENTS, content=raw, headers=headers) for door in doors]
    assert answers[0].status_code == answers[1].status_code == 422
    assert answers[0].json() == answers[1].json()


def test_the_front_takes_only_plain_json_posts(doors: list[TestClient]) -> None:
    front = doors[0].app.writes  # type: ignore[attr-defined]

    def scope(**changes: Any) -> dict[str, Any]:
        base = {
            "type": "http",
            "method": "POST",
            "path": EVENTS,
            "query_string": b"",
            "headers": [(b"content-type", b"application/json; charset=utf-8")],
        }
        return {**base, **changes}

    assert front.handles(scope())
    assert not front.handles(scope(method="GET"))
    assert not front.handles(scope(query_string=b"x=1"))
    assert not front.handles(scope(headers=[(b"content-type", b"text/plain")]))
    assert not front.handles(scope(headers=[]))
    assert not front.handles(scope(path="/api/v1/incidents/inc_1/notes"))
