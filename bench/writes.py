"""API write benchmark: audit events and incidents over HTTP, beside a hello-world POST.

    python bench/writes.py [--json] [--seconds S] [--backends sqlite,postgresql]

For each backend, a fresh `execflow serve` (with its workers) on SQLite (WAL,
synchronous=FULL) or on a durable PostgreSQL cluster (fsync on, synchronous_commit on,
full_page_writes on) is loaded by wrk with 16 connections:
- POST /healthz with the same body as the write (the hello-world of the same size);
- POST /api/v1/audit/events (one log entry each), and in a second server
  POST /api/v1/incidents (an incident, its deadlines, its log entries and timers).
Every 201 counted means the write was committed durably before the answer.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import report
from bench.load import post_against_hello
from tests.pg import Cluster

EVENT = {
    "type": "custom.deploy",
    "subject": {"kind": "service", "id": "api"},
    "data": {"version": "1.2.3"},
}
INCIDENT = {"title": "Checkout latency above 2 s", "severity": "P3"}


def _database(cluster: Cluster, name: str) -> str:
    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return cluster.url(name)


def _backend(
    workdir: Path, backend: str, seconds: float, cluster: Cluster | None
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for prefix, path, body in (
        ("events", "/api/v1/audit/events", EVENT),
        ("incidents", "/api/v1/incidents", INCIDENT),
    ):
        url = _database(cluster, f"bench_{prefix}") if cluster is not None else None
        measured = post_against_hello(
            workdir / backend,
            path=path,
            body=body,
            prefix=f"{backend}_{prefix}",
            seconds=seconds,
            hello_method="POST",
            database_url=url,
        )
        hello = {k: v for k, v in measured.items() if k.startswith("http_hello_post")}
        figures.update({k: v for k, v in measured.items() if k not in hello})
        figures.update(
            {k.replace("http_hello_post", f"{backend}_{prefix}_hello"): v for k, v in hello.items()}
        )
    return figures


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="execflow-writes-") as tmp:
        for backend in args.backends.split(","):
            if backend == "postgresql":
                cluster = Cluster(durable=True)
                cluster.start()
                try:
                    figures.update(_backend(Path(tmp), backend, args.seconds, cluster))
                finally:
                    cluster.stop()
            else:
                figures.update(_backend(Path(tmp), backend, args.seconds, None))
    report("writes", figures, as_json=args.json)


if __name__ == "__main__":
    main()
