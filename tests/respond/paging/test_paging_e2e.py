"""The whole product in real time: `execflow serve`, a real SMTP server, and the mailed link."""

from __future__ import annotations

import re
import time

import httpx

from execflow.access.roles import Role
from execflow.config import Settings
from tests.conftest import TokenFactory, auth
from tests.server import serve
from tests.smtp import Mailbox

SECOND_STEP_DELAY_MINUTES = 0.05  # three seconds: fractions are allowed


def test_p1_reaches_on_call_in_seconds_escalates_and_the_link_stops_it(
    mail_settings: Settings, make_token: TokenFactory, mailbox: Mailbox
) -> None:
    admin = auth(make_token(Role.ADMIN))
    with (
        serve(mail_settings) as server,
        httpx.Client(base_url=server.url, headers=admin, timeout=10) as api,
    ):
        people = [
            api.post("/api/v1/people", json={"name": name, "email": f"{name}@example.test"}).json()[
                "id"
            ]
            for name in ("ann", "ben")
        ]
        schedule = api.post(
            "/api/v1/schedules",
            json={
                "name": "primary",
                "layers": [
                    {"start": "2020-01-06T09:00:00Z", "rotation": "P1W", "members": [people[0]]}
                ],
            },
        ).json()["id"]
        policy = api.post(
            "/api/v1/escalation-policies",
            json={
                "name": "default",
                "steps": [
                    {"delay_minutes": 0, "targets": [{"type": "schedule", "id": schedule}]},
                    {
                        "delay_minutes": SECOND_STEP_DELAY_MINUTES,
                        "targets": [{"type": "person", "id": people[1]}],
                    },
                ],
            },
        ).json()["id"]
        service = api.post(
            "/api/v1/services", json={"name": "checkout", "escalation_policy_id": policy}
        ).json()["id"]
        opened = time.time()
        incident = api.post(
            "/api/v1/incidents",
            json={"title": "Checkout down", "severity": "P1", "service_id": service},
        )
        assert incident.status_code == 201
        first = mailbox.wait_for(1, timeout=10)[0]
        assert first.to == ["ann@example.test"]
        assert first.arrived - opened < 3, "the on-call person hears within seconds"
        second = mailbox.wait_for(2, timeout=15)[1]
        assert second.to == ["ben@example.test"]
        assert second.arrived - first.arrived >= SECOND_STEP_DELAY_MINUTES * 60 - 0.5
        link = re.search(r"(http://\S+/ack/\S+)", second.body)
        assert link is not None and link.group(1).startswith(server.url)
        shown = httpx.get(link.group(1))
        assert shown.status_code == 200 and ">Acknowledge</button>" in shown.text
        page = httpx.post(link.group(1), follow_redirects=True)
        assert page.status_code == 200 and "Acknowledged" in page.text
        state = api.get(f"/api/v1/incidents/{incident.json()['id']}").json()
        assert state["status"] == "acknowledged"
        acknowledged = [e for e in state["timeline"] if e["kind"] == "acknowledged"]
        assert acknowledged[0]["actor"] == {"kind": "person", "id": people[1]}
        time.sleep(1)
        assert len(mailbox.snapshot()) == 2
