"""Links from mail lead people to the console: a page links the incident's console page,
and the acknowledge link's page links there too."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from tests.conftest import MakeWorkers, drain
from tests.respond.factories import make_incident, standard_setup
from tests.smtp import Mailbox


def test_a_page_links_the_console_and_so_does_the_acknowledge_page(
    *,
    client: TestClient,
    db: Database,
    clock: ManualClock,
    mailbox: Mailbox,
    make_workers: MakeWorkers,
    mail_settings: Settings,
) -> None:
    with db.write() as session:
        setup = standard_setup(session, clock.now())
        incident = make_incident(session, clock.now(), setup.service, severity="P1")
    drain(make_workers())
    body = mailbox.wait_for(1)[0].body.replace("=\n", "")
    base = mail_settings.base_url.rstrip("/")
    assert f"{base}/incidents/{incident.id}" in body
    assert f"{base}/api/v1/incidents/" not in body, "a person never lands on the JSON API"
    ack = re.search(r"/ack/[\w.\-]+", body)
    assert ack is not None
    page = client.get(ack.group(0))
    assert f"href='/incidents/{incident.id}'" in page.text
