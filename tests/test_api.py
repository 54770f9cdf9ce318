"""The HTTP contract: auth and roles, error JSON, tokens, audit events and the log endpoints."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from execflow.access.roles import Role
from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.prove.log import merkle, store
from execflow.prove.log.checkpoint import open_checkpoint
from execflow.prove.log.entry import decode_entry
from execflow.prove.log.note import parse_vkey
from execflow.prove.log.tiles import decode_bundle, split_hashes
from execflow.workers import Workers
from tests.conftest import TokenFactory, auth

EVENT = {
    "type": "custom.deploy",
    "subject": {"kind": "service", "id": "api"},
    "data": {"version": "1.2.3"},
}


def _assert_error(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)


def test_health_ready_metrics_openapi(client: TestClient, workers: Workers) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 503  # no checkpoint signed yet
    workers.integrate_once()
    assert client.get("/readyz").json()["ready"] is True
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert "execflow_http_requests_total" in metrics.text
    assert "execflow_log_signed_size 0.0" in metrics.text
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/audit/events",
        "/api/v1/audit/verify",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    ):
        assert path in paths


def test_missing_bad_and_weak_tokens(client: TestClient, make_token: TokenFactory) -> None:
    _assert_error(client.post("/api/v1/audit/events", json=EVENT), 401, "unauthorized")
    _assert_error(
        client.post("/api/v1/audit/events", json=EVENT, headers=auth("ef_nope")),
        401,
        "unauthorized",
    )
    _assert_error(
        client.post("/api/v1/audit/events", json=EVENT, headers={"Authorization": "Basic abc"}),
        401,
        "unauthorized",
    )
    viewer = make_token(Role.VIEWER)
    _assert_error(
        client.post("/api/v1/audit/events", json=EVENT, headers=auth(viewer)), 403, "forbidden"
    )
    _assert_error(client.get("/api/v1/tokens", headers=auth(viewer)), 403, "forbidden")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({**EVENT, "type": "deploy"}, 422),
        ({**EVENT, "type": "incident.resolved"}, 422),
        ({"type": "custom.x"}, 422),
        ({**EVENT, "subject": {"kind": "Bad Kind", "id": "1"}}, 422),
        ({**EVENT, "data": {"contact": "someone@example.com"}}, 422),
        ({**EVENT, "data": {"blob": "x" * 70_000}}, 422),
        ({**EVENT, "extra": 1}, 422),
        ([1, 2], 422),
    ],
)
def test_bad_audit_events_are_refused_and_not_logged(
    client: TestClient, make_token: TokenFactory, db: Database, body: object, status: int
) -> None:
    secret = make_token(Role.RESPONDER)
    with db.read() as session:
        before = store.appended_size(session)
    response = client.post("/api/v1/audit/events", json=body, headers=auth(secret))
    _assert_error(response, status, response.json()["error"]["code"])
    assert response.json()["error"]["code"] in {"validation_error", "invalid_input"}
    with db.read() as session:
        assert store.appended_size(session) == before


def test_non_json_body_is_a_clear_422(client: TestClient, make_token: TokenFactory) -> None:
    response = client.post(
        "/api/v1/audit/events",
        content=b"{not json",
        headers={**auth(make_token(Role.ADMIN)), "content-type": "application/json"},
    )
    _assert_error(response, 422, "validation_error")
    assert "not valid JSON" in response.json()["error"]["message"]


def test_audit_event_is_logged_signed_and_provable(
    client: TestClient, make_token: TokenFactory, workers: Workers
) -> None:
    secret = make_token(Role.RESPONDER)
    created = client.post("/api/v1/audit/events", json=EVENT, headers=auth(secret))
    assert created.status_code == 201
    index = created.json()["index"]
    _assert_error(client.get(f"/log/entries/{index}", headers=auth(secret)), 404, "not_found")
    workers.integrate_once()
    raw = client.get(f"/log/entries/{index}", headers=auth(secret)).content
    entry = decode_entry(raw)
    assert entry["type"] == "custom.deploy" and entry["data"] == {"version": "1.2.3"}
    assert entry["actor"]["kind"] == "token" and entry["subject"] == {
        "kind": "service",
        "id": "api",
    }

    verifier = parse_vkey(client.get("/log/vkey").text)
    checkpoint = open_checkpoint(client.get("/log/checkpoint").text, verifier)
    proof = client.get(
        "/log/proof/inclusion",
        params={"index": index, "size": checkpoint.size},
        headers=auth(secret),
    ).json()
    path = [base64.b64decode(h) for h in proof["hashes"]]
    merkle.verify_inclusion(merkle.leaf_hash(raw), index, checkpoint.size, path, checkpoint.root)

    tile = client.get(f"/log/tile/0/000.p/{checkpoint.size}", headers=auth(secret))
    assert tile.status_code == 200 and tile.headers["content-type"] == "application/octet-stream"
    bundle = client.get(f"/log/tile/entries/000.p/{checkpoint.size}", headers=auth(secret))
    entries = decode_bundle(bundle.content)
    assert split_hashes(tile.content) == [merkle.leaf_hash(e) for e in entries]
    assert merkle.root_of(split_hashes(tile.content)) == checkpoint.root

    report = client.get("/api/v1/audit/verify", headers=auth(secret)).json()
    assert report["ok"] is True and report["size"] == checkpoint.size
    assert report["first_bad_index"] is None


LOG_READS = (
    "/log/tile/0/000.p/1",
    "/log/tile/entries/000.p/1",
    "/log/entries/0",
    "/log/proof/inclusion?index=0&size=1",
    "/log/proof/consistency?old=1&new=1",
)


def test_log_reads_need_a_token_when_private(
    client: TestClient, make_token: TokenFactory, workers: Workers
) -> None:
    viewer = make_token(Role.VIEWER)
    workers.integrate_once()
    assert client.get("/log/checkpoint").status_code == 200
    assert client.get("/log/vkey").status_code == 200
    for path in LOG_READS:
        _assert_error(client.get(path), 401, "unauthorized")
        assert client.get(path, headers=auth(viewer)).status_code == 200


def test_log_reads_are_open_when_public(
    settings: Settings,
    db: Database,
    clock: ManualClock,
    make_token: TokenFactory,
    workers: Workers,
) -> None:
    make_token(Role.VIEWER)
    workers.integrate_once()
    public = settings.model_copy(update={"public_log": True})
    with TestClient(create_app(public, db=db, clock=clock)) as open_client:
        for path in LOG_READS:
            assert open_client.get(path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/log/tile/0/1",
        "/log/tile/0/000.p/0",
        "/log/tile/0/000.p/256",
        "/log/tile/64/000",
        "/log/tile/entries/x000/001",
        "/log/tile/0/000.p/9",
        "/log/tile/0/001",
        "/log/proof/inclusion?index=5&size=2",
        "/log/proof/inclusion?index=-1&size=2",
        "/log/proof/inclusion?index=a&size=2",
        "/log/proof/consistency?old=3&new=2",
        "/log/proof/consistency?old=1&new=999",
        "/log/entries/99",
        "/log/entries/abc",
    ],
)
def test_bad_log_reads_are_4xx(
    client: TestClient, make_token: TokenFactory, workers: Workers, path: str
) -> None:
    workers.integrate_once()
    response = client.get(path, headers=auth(make_token(Role.VIEWER)))
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] in {"not_found", "invalid_input", "validation_error"}


def test_tokens_are_created_listed_revoked_and_logged(
    client: TestClient, make_token: TokenFactory, db: Database
) -> None:
    admin = make_token(Role.ADMIN)
    created = client.post(
        "/api/v1/tokens", json={"name": "grafana", "role": "viewer"}, headers=auth(admin)
    )
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("ef_") and body["role"] == "viewer"
    listed = client.get("/api/v1/tokens", headers=auth(admin)).json()
    assert body["id"] in {t["id"] for t in listed}
    assert all("token" not in t for t in listed)
    assert client.get("/api/v1/audit/verify", headers=auth(body["token"])).status_code == 200
    revoked = client.delete(f"/api/v1/tokens/{body['id']}", headers=auth(admin))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    _assert_error(
        client.get("/api/v1/audit/verify", headers=auth(body["token"])), 401, "unauthorized"
    )
    _assert_error(
        client.delete("/api/v1/tokens/tok_missing", headers=auth(admin)), 404, "not_found"
    )
    _assert_error(
        client.post("/api/v1/tokens", json={"name": "x", "role": "root"}, headers=auth(admin)),
        422,
        "validation_error",
    )
    with db.read() as session:
        entries = [decode_entry(e) for e in store.entries(session, 0, 100)]
    kinds = [(e["type"], e["subject"]["id"]) for e in entries]
    assert ("token.created", body["id"]) in kinds and ("token.revoked", body["id"]) in kinds
    assert all(body["token"] not in str(e) for e in entries)


def test_unknown_paths_and_methods_use_the_error_shape(client: TestClient) -> None:
    _assert_error(client.get("/nope"), 404, "not_found")
    _assert_error(client.put("/healthz"), 405, "method_not_allowed")
