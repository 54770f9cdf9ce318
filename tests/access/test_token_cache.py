"""The token cache: a burst reads the table once; a revoked token lives at most the TTL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from execflow.access.cache import TokenCache
from execflow.access.roles import Role
from execflow.access.service import revoke_token
from execflow.clock import ManualClock
from execflow.db import Database
from execflow.instance import CLI_ACTOR
from tests.conftest import TokenFactory, auth


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_token_revoked_elsewhere_is_refused_once_the_ttl_passes(
    client: TestClient, make_token: TokenFactory, db: Database, clock: ManualClock
) -> None:
    ticks = Ticks()
    client.app.state.execflow.tokens = TokenCache(ttl=2.0, clock=ticks)  # type: ignore[attr-defined]
    admin = make_token(Role.ADMIN)
    viewer = client.post(
        "/api/v1/tokens", json={"name": "other", "role": "viewer"}, headers=auth(admin)
    ).json()
    assert client.get("/api/v1/components", headers=auth(viewer["token"])).status_code == 200
    with db.write() as session:  # another node revokes it: this process's cache still has it
        revoke_token(session, token_id=viewer["id"], actor=CLI_ACTOR, now=clock.now())
    ticks.now += 1.9
    assert client.get("/api/v1/components", headers=auth(viewer["token"])).status_code == 200
    ticks.now += 0.1
    assert client.get("/api/v1/components", headers=auth(viewer["token"])).status_code == 401


def test_a_token_revoked_here_is_refused_at_once(
    client: TestClient, make_token: TokenFactory
) -> None:
    admin = make_token(Role.ADMIN)
    viewer = client.post(
        "/api/v1/tokens", json={"name": "other", "role": "viewer"}, headers=auth(admin)
    ).json()
    assert client.get("/api/v1/components", headers=auth(viewer["token"])).status_code == 200
    client.delete(f"/api/v1/tokens/{viewer['id']}", headers=auth(admin))
    assert client.get("/api/v1/components", headers=auth(viewer["token"])).status_code == 401
