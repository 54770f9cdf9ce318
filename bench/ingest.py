"""Alert intake benchmark: PagerDuty Events v2 over HTTP next to a hello-world POST.

    python bench/ingest.py [--json] [--seconds S]

16 connections (wrk) against `execflow serve` on SQLite; each 202 means the event is
committed (group commit). Reports events/s and latency next to POST /healthz measured in
the same run, on the same two cores as the load generator. Only 202s count as events.

The events rotate over SERVICES integration keys and ALERTS dedup keys per service:
one key alone is throttled at 500 events/s (429 beyond), as PagerDuty throttles a key.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import report
from bench.load import post_against_hello
from execflow.config import Settings
from execflow.db import Database
from tests.respond.factories import make_service

SERVICES = 16
ALERTS = 8


def _service_keys(settings: Settings) -> dict[str, str]:
    db = Database.from_url(settings.resolved_database_url)
    with db.write() as session:
        keys = {
            f"key{n}": make_service(session, datetime.now(UTC), None).integration_key
            for n in range(SERVICES)
        }
    db.dispose()
    return keys


def _event(service: int, alert: int) -> dict[str, Any]:
    return {
        "routing_key": f"{{key{service}}}",
        "event_action": "trigger",
        "dedup_key": f"disk-{alert}",
        "payload": {
            "summary": f"Disk full on db-{alert}",
            "source": f"db-{alert}",
            "severity": "warning",
        },
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    events = [_event(s, a) for a in range(ALERTS) for s in range(SERVICES)]
    with tempfile.TemporaryDirectory(prefix="execflow-bench-") as tmp:
        figures: dict[str, Any] = post_against_hello(
            Path(tmp),
            path="/v2/enqueue",
            body=None,
            bodies=events,
            prefix="pagerduty_events",
            seconds=args.seconds,
            hello_method="POST",
            setup=_service_keys,
        )
    report("ingest", figures, as_json=args.json)


if __name__ == "__main__":
    main()
