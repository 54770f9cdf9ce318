"""Who is told, for each severity: exactly the recipients the policy names, once each."""

from __future__ import annotations

import pytest

from execflow.clock import ManualClock
from execflow.db import Database
from tests.conftest import MakeWorkers, drain
from tests.smtp import Mailbox
from tests.tell.helpers import component, confirmed, customer, incident_with_update, log_bytes

EXPECTED = {
    # every confirmed subscriber and every customer contact (once each)
    "P1": {
        "all@x.test",
        "api@x.test",
        "db@x.test",
        "ops@acme.test",
        "cto@acme.test",
        "it@globex.test",
    },
    # subscribers of the affected component (or of all) and contacts of customers using it
    "P2": {"all@x.test", "api@x.test", "ops@acme.test", "cto@acme.test"},
    "P3": set(),
    "P4": set(),
}


@pytest.mark.parametrize("severity", ["P1", "P2", "P3", "P4"])
def test_each_severity_mails_exactly_whom_the_policy_names(
    severity: str,
    db: Database,
    clock: ManualClock,
    mailbox: Mailbox,
    make_workers: MakeWorkers,
) -> None:
    now = clock.now()
    with db.write() as session:
        api = component(session, now, "API").id
        database = component(session, now, "Database").id
        confirmed(session, now, "all@x.test", [])
        confirmed(session, now, "api@x.test", [api])
        confirmed(session, now, "db@x.test", [database])
        # also a contact of Acme: told once
        customer(session, now, "Acme", [api], ["ops@acme.test", "cto@acme.test", "api@x.test"])
        customer(session, now, "Globex", [database], ["it@globex.test"])
    incident_with_update(db, now, severity, [api], body="Something is wrong.")
    drain(make_workers())
    expected = EXPECTED[severity]
    received = mailbox.wait_for(len(expected)) if expected else mailbox.snapshot()
    addresses = [m.to[0] for m in received]
    assert sorted(addresses) == sorted(expected), "each address once, nobody else"
    for message in received:
        assert message.message["List-Unsubscribe"], "every status mail can be left in one click"
        assert "Something is wrong." in message.body
    logged = log_bytes(db)
    for address in expected:
        assert address.encode() not in logged
