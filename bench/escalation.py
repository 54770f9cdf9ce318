"""Escalation benchmark: many incidents escalating at once, page delay to a real SMTP server.

    python bench/escalation.py [--json] [--incidents N] [--backends sqlite,postgresql]

N incidents are opened with their first step due at one instant T; `execflow worker`
processes (one on SQLite, two on PostgreSQL) run on the wall clock. For each page the
figure is the time from T to the message reaching the SMTP server (aiosmtpd on loopback).
Also: incident creation over HTTP (POST /api/v1/incidents, 16 connections, wrk) on SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import median, percentile, report
from bench.load import post_against_hello
from bench.servers import database
from execflow.config import Settings
from execflow.db import Database
from execflow.instance import initialise
from tests.respond.factories import make_incident, make_person, make_policy, make_service
from tests.server import worker
from tests.smtp import smtp_server

STEP_DELAY = timedelta(seconds=45)


def _escalate(backend: str, incidents: int, workdir: Path) -> dict[str, Any]:
    nodes = 1 if backend == "sqlite" else 2
    with database(backend) as url, smtp_server() as mailbox:
        settings = Settings(
            _env_file=None, data_dir=workdir / backend, database_url=url, smtp_url=mailbox.url
        )
        initialise(settings, now=datetime.now(UTC))
        db = Database.from_url(settings.resolved_database_url)
        t0 = datetime.now(UTC)
        with db.write() as session:
            person = make_person(session, t0, "Oncall Person")
            policy = make_policy(
                session,
                t0,
                [
                    {
                        "delay_minutes": STEP_DELAY.total_seconds() / 60,
                        "targets": [{"type": "person", "id": person.id}],
                    }
                ],
            )
            service = make_service(session, t0, policy.id)
        started = time.perf_counter()
        for batch in range(0, incidents, 100):
            with db.write() as session:
                for n in range(batch, min(batch + 100, incidents)):
                    make_incident(session, t0, service.id, severity="P3", title=f"outage {n}")
        create_seconds = time.perf_counter() - started
        db.dispose()
        due = (t0 + STEP_DELAY).timestamp()
        if time.time() > due:
            raise RuntimeError("opening the incidents took longer than the step delay")
        with contextlib.ExitStack() as stack:
            for _ in range(nodes):
                stack.enter_context(worker(settings))
            received = mailbox.wait_for(incidents, timeout=STEP_DELAY.total_seconds() + 300)
        delays = [m.arrived - due for m in received]
        unique = {m.message["X-ExecFlow-Incident"] for m in received}
    return {
        f"{backend}_incidents": incidents,
        f"{backend}_worker_processes": nodes,
        f"{backend}_pages_received": len(received),
        f"{backend}_duplicate_pages": len(received) - len(unique),
        f"{backend}_page_delay_min_s": round(min(delays), 3),
        f"{backend}_page_delay_p50_s": round(median(delays), 3),
        f"{backend}_page_delay_p99_s": round(percentile(delays, 99), 3),
        f"{backend}_page_delay_max_s": round(max(delays), 3),
        f"{backend}_open_incidents_per_second": round(incidents / create_seconds, 1),
    }


def _http(workdir: Path, seconds: float) -> dict[str, Any]:
    body = {"title": "Load test", "severity": "P4"}
    return post_against_hello(
        workdir, path="/api/v1/incidents", body=body, prefix="http_incidents", seconds=seconds
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--http-seconds", type=float, default=10)
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="execflow-bench-") as tmp:
        for backend in args.backends.split(","):
            figures.update(_escalate(backend, args.incidents, Path(tmp)))
        if args.http_seconds > 0:
            figures.update(_http(Path(tmp), args.http_seconds))
    report("escalation", figures, as_json=args.json)


if __name__ == "__main__":
    main()
