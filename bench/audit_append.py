"""Audit log benchmark: durable batched appends, signing, inclusion proofs at 1M, and HTTP.

    python bench/audit_append.py [--json] [--appends N] [--proof-size N] [--http-seconds S]

Figures:
- appends_per_second: entries encoded (RFC 8785) and committed durably to SQLite
  (WAL, synchronous=FULL) in batches of --batch through the product's append path.
- integrate_per_second: entries hashed into tiles and covered by a signed checkpoint.
- inclusion_proof_p50_ms / p99: one proof from stored tiles in a log of --proof-size
  entries, each in its own read transaction, as the HTTP endpoint does.
- http_events_per_second / p99: POST /api/v1/audit/events over HTTP with 16 concurrent
  connections (wrk) against `execflow serve` on SQLite, next to GET /healthz measured in
  the same run: client and server share the machine's two cores.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.figures import median, percentile, report
from bench.load import post_against_hello
from execflow.config import Settings
from execflow.db import Database
from execflow.instance import initialise
from execflow.migrate import upgrade
from execflow.prove.log import store
from execflow.prove.log.append import append_prepared, prepare
from execflow.prove.log.entry import Ref
from execflow.prove.log.integrate import integrate
from execflow.prove.log.keys import load_signer

ACTOR = Ref("system", "bench")


def _batch(start: int, size: int, now: datetime) -> list[Any]:
    return [
        prepare(
            type="custom.bench",
            at=now,
            actor=ACTOR,
            subject=Ref("job", str(start + i)),
            data={"n": start + i, "note": "benchmark entry"},
        )
        for i in range(size)
    ]


def _append(db: Database, total: int, batch: int) -> float:
    now = datetime.now(UTC)
    started = time.perf_counter()
    done = 0
    while done < total:
        size = min(batch, total - done)
        items = _batch(done, size, now)
        with db.write() as session:
            append_prepared(session, items)
        done += size
    return time.perf_counter() - started


def _integrate(db: Database, settings: Settings) -> float:
    signer = load_signer(settings.key_path, settings.log_origin)
    started = time.perf_counter()
    while True:
        with db.write() as session:
            if integrate(session, signer=signer, now=datetime.now(UTC)) is None:
                break
    return time.perf_counter() - started


def _proofs(db: Database, size: int, samples: int) -> list[float]:
    rng = random.Random(1)
    timings = []
    for _ in range(samples):
        index = rng.randrange(size)
        started = time.perf_counter()
        with db.read() as session:
            store.inclusion(session, index=index, size=size)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _http(workdir: Path, seconds: float) -> dict[str, Any]:
    body = {
        "type": "custom.deploy",
        "subject": {"kind": "service", "id": "api"},
        "data": {"version": "1.2.3"},
    }
    return post_against_hello(
        workdir, path="/api/v1/audit/events", body=body, prefix="http_events", seconds=seconds
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--appends", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--proof-size", type=int, default=1_000_000)
    parser.add_argument("--proof-samples", type=int, default=2_000)
    parser.add_argument("--http-seconds", type=float, default=10.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="execflow-bench-") as tmp:
        workdir = Path(tmp)
        settings = Settings(_env_file=None, data_dir=workdir / "log")
        made = initialise(settings, now=datetime.now(UTC))
        assert made is not None
        db = Database.from_url(settings.resolved_database_url)
        upgrade(db.engine)
        append_seconds = _append(db, args.appends, args.batch)
        integrate_seconds = _integrate(db, settings)
        grow_to = max(args.proof_size - args.appends - 1, 0)
        _append(db, grow_to, 5_000)
        _integrate(db, settings)
        with db.read() as session:
            size = store.tree(session).size
        proof_ms = _proofs(db, size, args.proof_samples)
        db.dispose()
        figures: dict[str, Any] = {
            "appends": args.appends,
            "batch": args.batch,
            "appends_per_second": round(args.appends / append_seconds),
            "integrate_per_second": round(args.appends / integrate_seconds),
            "appends_with_checkpoint_per_second": round(
                args.appends / (append_seconds + integrate_seconds)
            ),
            "proof_log_size": size,
            "inclusion_proof_p50_ms": round(median(proof_ms), 3),
            "inclusion_proof_p99_ms": round(percentile(proof_ms, 99), 3),
        }
        if args.http_seconds > 0:
            figures.update(_http(workdir, args.http_seconds))
    report("audit_append", figures, as_json=args.json)


if __name__ == "__main__":
    main()
