"""Detection latency: a target goes down; how long until the incident opens and the page
reaches the SMTP server? A monitor at a 1 s interval with 2 failures before down, on
`execflow serve` (SQLite) with a real SMTP server and a real HTTP target on loopback.

    python bench/detection.py [--json] [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import median, report
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.probes.monitors import create_monitor
from execflow.detect.probes.schemas import MonitorCreate
from execflow.instance import initialise
from tests.respond.factories import ADMIN, make_person, make_policy, make_service
from tests.server import serve
from tests.smtp import smtp_server
from tests.target import target

INTERVAL, FAILURES = 1.0, 2


def _one(workdir: Path) -> dict[str, float]:
    with smtp_server() as mailbox, target() as site:
        settings = Settings(_env_file=None, data_dir=workdir, smtp_url=mailbox.url)
        made = initialise(settings, now=datetime.now(UTC))
        assert made is not None
        db = Database.from_url(settings.resolved_database_url)
        now = datetime.now(UTC)
        with db.write() as session:
            person = make_person(session, now, "Oncall")
            policy = make_policy(
                session,
                now,
                [{"delay_minutes": 0, "targets": [{"type": "person", "id": person.id}]}],
            )
            service = make_service(session, now, policy.id)
            create_monitor(
                session,
                actor=ADMIN,
                now=now,
                data=MonitorCreate(
                    name="site",
                    kind="http",
                    target=site.url,
                    interval_seconds=INTERVAL,
                    timeout_seconds=0.5,
                    failures_before_down=FAILURES,
                    service_id=service.id,
                    severity="P2",
                ),
            )
        db.dispose()
        headers = {"Authorization": f"Bearer {made.admin_token}"}
        with serve(settings) as server:
            time.sleep(3 * INTERVAL)  # a few passing checks first
            down_at = time.time()
            site.stop()
            opened_at = None
            deadline = time.time() + 30
            while time.time() < deadline and opened_at is None:
                found = httpx.get(server.url + "/api/v1/incidents", headers=headers).json()
                if found:
                    opened_at = datetime.fromisoformat(found[0]["created_at"]).timestamp()
                time.sleep(0.05)
            page = mailbox.wait_for(1, timeout=30)[0]
    assert opened_at is not None
    return {"incident": opened_at - down_at, "page": page.arrived - down_at}


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="execflow-bench-") as tmp:
        for n in range(args.runs):
            runs.append(_one(Path(tmp) / f"run{n}"))
    incident = [r["incident"] for r in runs]
    page = [r["page"] for r in runs]
    figures: dict[str, Any] = {
        "interval_seconds": INTERVAL,
        "failures_before_down": FAILURES,
        "runs": args.runs,
        "goal_seconds": INTERVAL * FAILURES + 2,
        "down_to_incident_median_s": round(median(incident), 3),
        "down_to_incident_max_s": round(max(incident), 3),
        "down_to_page_median_s": round(median(page), 3),
        "down_to_page_max_s": round(max(page), 3),
    }
    report("detection", figures, as_json=args.json)


if __name__ == "__main__":
    main()
