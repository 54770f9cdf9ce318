"""Probe scheduler benchmark: many HTTP monitors against a local target on one node.

    python bench/probes.py [--json] [--monitors N] [--interval S] [--seconds S]

The target is `python -m http.server` in its own process; the scheduler runs in this
process on SQLite. Lag is the time from a check's due time to its claim; RSS is this
process's peak resident memory (the scheduler, its checks and the database layer).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import median, percentile, write
from execflow.clock import SystemClock
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.probes.runner import ProbeRunner
from execflow.detect.probes.schemas import MonitorCreate
from execflow.detect.probes.service import Due, create_monitor
from execflow.instance import initialise
from tests.respond.factories import ADMIN
from tests.server import free_port


class MeasuredRunner(ProbeRunner):
    """A probe runner that notes how late each claimed check was."""

    lags: list[float]
    checks: int

    def claim(self, limit: int = 500) -> list[Due]:
        """Claim, and note each check's lag behind its due time."""
        claimed = super().claim(limit)
        now = self.clock.now()
        self.lags.extend((now - due.due_at).total_seconds() for due in claimed)
        self.checks += len(claimed)
        return claimed


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=30)
    parser.add_argument("--seconds", type=float, default=70)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="execflow-bench-") as tmp:
        port = free_port()
        target = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(port),
                "--bind",
                "127.0.0.1",
                "--directory",
                tmp,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            settings = Settings(_env_file=None, data_dir=Path(tmp) / "data")
            initialise(settings, now=datetime.now(UTC))
            db = Database.from_url(settings.resolved_database_url)
            now = datetime.now(UTC)
            for start in range(0, args.monitors, 1000):
                with db.write() as session:
                    for n in range(start, min(start + 1000, args.monitors)):
                        create_monitor(
                            session,
                            actor=ADMIN,
                            now=now,
                            data=MonitorCreate(
                                name=f"m{n}",
                                kind="http",
                                target=f"http://127.0.0.1:{port}/",
                                interval_seconds=args.interval,
                                timeout_seconds=10,
                            ),
                        )
            runner = MeasuredRunner(db, SystemClock(), "bench")
            runner.lags, runner.checks = [], 0
            started = time.perf_counter()
            runner.start()
            time.sleep(args.seconds)
            runner.stop()
            elapsed = time.perf_counter() - started
        finally:
            target.terminate()
            target.wait()
    lags = runner.lags[len(runner.lags) // 10 :]  # skip the first tenth: start-up
    figures: dict[str, Any] = {
        "monitors": args.monitors,
        "interval_seconds": args.interval,
        "checks": runner.checks,
        "checks_per_second": round(runner.checks / elapsed, 1),
        "expected_checks_per_second": round(args.monitors / args.interval, 1),
        "lag_p50_s": round(median(lags), 3),
        "lag_p99_s": round(percentile(lags, 99), 3),
        "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    path = write("probes", figures)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:40} {value}")
        print(f"written to {path}")


if __name__ == "__main__":
    main()
