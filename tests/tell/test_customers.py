"""/api/v1/customers: admins manage them; contacts are personal data (counts for viewers,
never in the log)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from execflow.access.roles import Role
from execflow.clock import ManualClock
from execflow.db import Database
from tests.conftest import TokenFactory, auth
from tests.tell.helpers import component, log_bytes, log_types


def test_customers_keep_their_contacts_out_of_viewers_lists_and_the_log(
    client: TestClient, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    with db.write() as session:
        api = component(session, clock.now(), "API").id
    admin, viewer = auth(make_token(Role.ADMIN)), auth(make_token(Role.VIEWER))
    body = {"name": "Acme", "component_ids": [api], "contacts": ["ops@acme.test", "OPS@Acme.Test"]}
    made = client.post("/api/v1/customers", json=body, headers=admin)
    assert made.status_code == 201
    assert made.json()["contacts"] == ["ops@acme.test", "OPS@acme.test"]
    listed = client.get("/api/v1/customers", headers=viewer).json()
    assert listed[0]["contacts"] is None and listed[0]["contacts_count"] == 2
    assert client.post("/api/v1/customers", json=body, headers=viewer).status_code == 403
    customer_id = made.json()["id"]
    patched = client.patch(
        f"/api/v1/customers/{customer_id}", json={"contacts": ["cfo@acme.test"]}, headers=admin
    )
    assert patched.json()["contacts"] == ["cfo@acme.test"]
    assert b"acme.test" not in log_bytes(db)
    assert {"customer.created", "customer.updated"} <= set(log_types(db))
    assert client.delete(f"/api/v1/customers/{customer_id}", headers=admin).status_code == 204


def test_bad_customers_are_refused_and_write_nothing(
    client: TestClient, db: Database, make_token: TokenFactory
) -> None:
    admin = auth(make_token(Role.ADMIN))
    before = log_types(db)
    for body in (
        {"name": "Acme", "contacts": ["not an address"]},
        {"name": "Acme", "component_ids": ["cmp_nope"]},
        {"name": ""},
        {"name": "Acme", "plan": "gold"},
    ):
        answer = client.post("/api/v1/customers", json=body, headers=admin)
        assert answer.status_code == 422, body
    assert client.get("/api/v1/customers/cus_nope", headers=admin).status_code == 404
    assert log_types(db) == before
