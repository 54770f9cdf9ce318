"""Alert intake benchmark: PagerDuty Events v2 over HTTP next to a hello-world POST.

    python bench/ingest.py [--json] [--seconds S]

16 connections (wrk) against `execflow serve` on SQLite; each 202 means the event is
committed (group commit). Reports events/s and latency next to POST /healthz measured in
the same run, on the same two cores as the load generator.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write
from bench.load import post_against_hello
from execflow.config import Settings
from execflow.db import Database
from tests.respond.factories import make_service


def _service_key(settings: Settings) -> dict[str, str]:
    db = Database.from_url(settings.resolved_database_url)
    with db.write() as session:
        key = make_service(session, datetime.now(UTC), None).integration_key
    db.dispose()
    return {"key": key}


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    event = {
        "routing_key": "{key}",
        "event_action": "trigger",
        "dedup_key": "bench-disk",
        "payload": {"summary": "Disk full on db-1", "source": "db-1", "severity": "warning"},
    }
    with tempfile.TemporaryDirectory(prefix="execflow-bench-") as tmp:
        figures: dict[str, Any] = post_against_hello(
            Path(tmp),
            path="/v2/enqueue",
            body=event,
            prefix="pagerduty_events",
            seconds=args.seconds,
            hello_method="POST",
            setup=_service_key,
        )
    path = write("ingest", figures)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:40} {value}")
        print(f"written to {path}")


if __name__ == "__main__":
    main()
