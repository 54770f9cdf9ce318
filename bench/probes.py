"""Probe scheduler benchmark: many HTTP monitors against a local target on one node.

    python bench/probes.py [--json] [--monitors N] [--interval S] [--seconds S] [--processes K]

The target is bench/http_target.py in its own process; the scheduler runs in K
processes on one SQLite database (as `execflow worker --role probes` processes share the
monitors through their leases; K=1 is one scheduler alone). Lag is the time from a
check's due time to its claim, in the steady state after the first interval (and, apart,
including it: every new monitor's first check logs its state change); RSS is the peak
resident memory of each scheduler process (its checks and the database layer), the
largest one reported. Failed checks are counted: they would mean the target gave way.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, update

from bench.figures import median, percentile, report
from execflow.clock import SystemClock
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.probes.models import CheckResult, Monitor
from execflow.detect.probes.monitors import create_monitor
from execflow.detect.probes.runner import ProbeRunner
from execflow.detect.probes.schemas import MonitorCreate
from execflow.detect.probes.service import Due
from execflow.instance import initialise
from tests.respond.factories import ADMIN
from tests.server import free_port


class MeasuredRunner(ProbeRunner):
    """A probe runner that notes how late each claimed check was, and when."""

    lags: list[tuple[float, float]]
    checks: int
    started: float

    def claim(self, limit: int = 500) -> list[Due]:
        """Claim, and note (seconds since start, lag behind due time) for each check."""
        claimed = super().claim(limit)
        now = self.clock.now()
        since = time.monotonic() - self.started
        self.lags.extend((since, (now - due.due_at).total_seconds()) for due in claimed)
        self.checks += len(claimed)
        return claimed


def _child(data_dir: Path, out: Path, seconds: float, owner: str) -> None:
    """One scheduler process: run for `seconds`, then write what it measured to `out`."""
    settings = Settings(_env_file=None, data_dir=data_dir)
    runner = MeasuredRunner(Database.from_url(settings.resolved_database_url), SystemClock(), owner)
    runner.lags, runner.checks, runner.started = [], 0, time.monotonic()
    runner.start()
    time.sleep(seconds)
    runner.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_text(json.dumps({"lags": runner.lags, "checks": runner.checks, "rss_mb": rss}))


def _monitors(settings: Settings, count: int, interval: float, port: int) -> datetime:
    """Create the monitors; returns the time their first checks were spread from."""
    initialise(settings, now=datetime.now(UTC))
    db = Database.from_url(settings.resolved_database_url)
    now = datetime.now(UTC)
    for start in range(0, count, 1000):
        with db.write() as session:
            for n in range(start, min(start + 1000, count)):
                create_monitor(
                    session,
                    actor=ADMIN,
                    now=now,
                    data=MonitorCreate(
                        name=f"m{n}",
                        kind="http",
                        target=f"http://127.0.0.1:{port}/",
                        interval_seconds=interval,
                        timeout_seconds=10,
                    ),
                )
    db.dispose()
    return now


def _start_at(settings: Settings, created: datetime, start: datetime) -> None:
    """Move every first check by (start - created): creating 10,000 monitors takes a while,
    and checks falling due before the schedulers run would be a backlog, not lag."""
    db = Database.from_url(settings.resolved_database_url)
    with db.write() as session:
        rows = session.execute(select(Monitor.id, Monitor.next_due_at)).all()
        session.execute(
            update(Monitor),
            [{"id": row.id, "next_due_at": row.next_due_at + (start - created)} for row in rows],
        )
    db.dispose()


def _failed_checks(settings: Settings) -> int:
    """Checks that failed (the target refused or was slow): each one is real work too."""
    db = Database.from_url(settings.resolved_database_url)
    with db.read() as session:
        count = session.execute(
            select(func.count()).select_from(CheckResult).where(CheckResult.ok.is_(False))
        ).scalar_one()
    db.dispose()
    return int(count)


def _measure(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    port = free_port()
    target = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("http_target.py")), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        settings = Settings(_env_file=None, data_dir=tmp / "data")
        created = _monitors(settings, args.monitors, args.interval, port)
        _start_at(settings, created, datetime.now(UTC) + timedelta(seconds=2))
        outs = [tmp / f"scheduler-{n}.json" for n in range(args.processes)]
        started = time.perf_counter()
        command = [sys.executable, __file__, "--seconds", str(args.seconds)]
        command += ["--data-dir", str(settings.data_dir)]
        children = [subprocess.Popen([*command, "--child", str(out)]) for out in outs]
        for child in children:
            child.wait(timeout=args.seconds + 120)
        elapsed = time.perf_counter() - started
        failed = _failed_checks(settings)
    finally:
        target.terminate()
        target.wait()
    results = [json.loads(out.read_text()) for out in outs]
    every = [lag for r in results for _, lag in r["lags"]]
    # Steady state: after the first interval, in which every new monitor leaves "unknown"
    # (a logged state change each) and the processes start.
    steady = [lag for r in results for since, lag in r["lags"] if since >= args.interval]
    checks = sum(r["checks"] for r in results)
    return {
        "monitors": args.monitors,
        "interval_seconds": args.interval,
        "scheduler_processes": args.processes,
        "checks": checks,
        "failed_checks": failed,
        "checks_per_second": round(checks / elapsed, 1),
        "expected_checks_per_second": round(args.monitors / args.interval, 1),
        "lag_p50_s": round(median(steady), 3),
        "lag_p99_s": round(percentile(steady, 99), 3),
        "lag_p99_with_first_interval_s": round(percentile(every, 99), 3),
        "rss_peak_mb": round(max(r["rss_mb"] for r in results), 1),
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=30)
    parser.add_argument("--seconds", type=float, default=70)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.data_dir, args.child, args.seconds, owner=args.child.stem)
        return
    with tempfile.TemporaryDirectory(prefix="execflow-bench-") as tmp:
        figures = _measure(args, Path(tmp))
    report("probes", figures, as_json=args.json)


if __name__ == "__main__":
    main()
