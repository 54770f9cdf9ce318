"""Fan-out benchmark: one P1 update to 10,000 confirmed subscribers, to a real SMTP server.

    python bench/fanout.py [--json] [--subscribers N] [--backends sqlite,postgresql]

N confirmed subscribers; `execflow worker` processes (one on SQLite, two on a durable
PostgreSQL) already running on the wall clock; then a P1 incident gets a public update,
committed at T. The figure is the time from T to the last mail reaching the SMTP server
(aiosmtpd on loopback, in this process), with how many arrived, to how many addresses,
and how many twice.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import median, percentile, report
from bench.servers import database
from execflow.config import Settings
from execflow.db import Database
from execflow.instance import initialise
from execflow.tell.subscribers.models import Subscriber
from tests.server import worker
from tests.smtp import smtp_server
from tests.tell.helpers import incident_with_update

GOAL_SECONDS = 60


def _fanout(backend: str, subscribers: int, workdir: Path) -> dict[str, Any]:
    nodes = 1 if backend == "sqlite" else 2
    with database(backend) as url, smtp_server() as mailbox:
        settings = Settings(
            _env_file=None, data_dir=workdir / backend, database_url=url, smtp_url=mailbox.url
        )
        initialise(settings, now=datetime.now(UTC))
        db = Database.from_url(settings.resolved_database_url)
        now = datetime.now(UTC)
        rows = [
            {
                "id": f"sub_{n:012d}",
                "email": f"reader{n}@example.test",
                "component_ids": [],
                "created_at": now,
                "confirmed_at": now,
            }
            for n in range(subscribers)
        ]
        with db.write() as session:
            session.execute(insert(Subscriber), rows)
        with contextlib.ExitStack() as stack:
            for _ in range(nodes):
                stack.enter_context(worker(settings))
            time.sleep(2)  # the workers are up and idle before the update
            published = time.time()
            incident_with_update(db, datetime.now(UTC), "P1", [], body="Everything is down.")
            received = mailbox.wait_for(subscribers, timeout=GOAL_SECONDS * 5)
            time.sleep(2)  # anything sent twice would arrive now
            received = mailbox.snapshot()
        db.dispose()
    per_address = Counter(m.to[0] for m in received)
    delays = sorted(m.arrived - published for m in received)
    return {
        f"{backend}_subscribers": subscribers,
        f"{backend}_worker_processes": nodes,
        f"{backend}_mails_received": len(received),
        f"{backend}_addresses_reached": len(per_address),
        f"{backend}_sent_twice": sum(c - 1 for c in per_address.values()),
        f"{backend}_first_mail_s": round(delays[0], 3),
        f"{backend}_median_mail_s": round(median(delays), 3),
        f"{backend}_p99_mail_s": round(percentile(delays, 99), 3),
        f"{backend}_all_delivered_s": round(delays[-1], 3),
        f"{backend}_mails_per_second": round(len(received) / max(delays[-1], 1e-9), 1),
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    figures: dict[str, Any] = {"goal_all_delivered_s": GOAL_SECONDS}
    with tempfile.TemporaryDirectory(prefix="execflow-fanout-") as tmp:
        for backend in args.backends.split(","):
            figures.update(_fanout(backend, args.subscribers, Path(tmp)))
    report("fanout", figures, as_json=args.json)


if __name__ == "__main__":
    main()
