"""Status page benchmark: 100 components, a year of probe history, 32 concurrent readers.

    python bench/status_page.py [--json] [--seconds S]

Seeds a fresh SQLite instance with 100 components in 10 groups, one monitor each with 365
days of day rollups (some days degraded, some down, some in maintenance), 60 resolved
incidents with their updates and 2 open ones; serves it with `bench/status_server.py`
(`bench/page_server.py`: the real app and its workers, plus a constant hello page of the
same size) and loads
both pages with wrk, 32 connections, in the same run. Also times one build of the page
(read and render), which the server does at most once a second, in the background.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import wrk
from bench.figures import report
from bench.servers import page_server
from execflow.config import Settings
from execflow.detect.probes.models import Monitor, Rollup
from execflow.instance import initialise, prepare
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.schemas import ComponentCreate
from execflow.respond.catalog.service import create_component
from execflow.respond.incidents import actions
from execflow.respond.incidents.schemas import IncidentCreate, UpdateIn
from execflow.respond.incidents.service import create_incident
from execflow.tell.statuspage.view import read_view
from execflow.web.pages import Pages

ACTOR = Ref("system", "bench")
COMPONENTS, GROUPS, DAYS = 100, 10, 365


def seed(settings: Settings, now: datetime) -> int:
    """Fill the instance; returns how many day rollups it wrote."""
    db = prepare(settings)
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with db.write() as session:
        ids = []
        for n in range(COMPONENTS):
            data = ComponentCreate(name=f"Component {n:03d}", group=f"Group {n % GROUPS}")
            ids.append(create_component(session, data=data, actor=ACTOR, now=now).id)
        for n, component_id in enumerate(ids):
            monitor = Monitor(
                id=f"mon_bench{n:03d}",
                name=f"probe {n}",
                kind="http",
                target="http://127.0.0.1:9/",
                interval_seconds=60,
                timeout_seconds=5,
                expect={},
                component_id=component_id,
                next_due_at=now + timedelta(days=999),
                paused=True,
                created_at=now,
            )
            session.add(monitor)
            for back in range(DAYS):
                roll = rng.random()
                failures = 0 if roll < 0.95 else (rng.randint(1, 50) if roll < 0.99 else 900)
                held = 60 if rng.random() < 0.01 else 0
                rows.append(
                    {
                        "monitor_id": monitor.id,
                        "period": "day",
                        "start": today - timedelta(days=back),
                        "checks": 1440,
                        "failures": failures,
                        "maintenance": held,
                        "latency_ms_sum": 1440 * 80.0,
                        "latency_ms_max": 900.0,
                    }
                )
        session.flush()
        session.execute(insert(Rollup), rows)
        for n in range(62):
            started = now - timedelta(days=n * 5 + 1)
            incident = create_incident(
                session,
                data=IncidentCreate(
                    title=f"Incident {n}",
                    severity=("P1", "P2", "P3")[n % 3],
                    component_ids=[ids[n % COMPONENTS]],
                ),
                actor=ACTOR,
                now=started,
            )
            for status in ("investigating", "identified", "monitoring"):
                actions.add_update(
                    session,
                    incident_id=incident.id,
                    data=UpdateIn(status=status, body=f"{status.capitalize()}: details follow."),
                    actor=ACTOR,
                    now=started,
                )
            if n >= 2:
                actions.resolve(session, incident_id=incident.id, actor=ACTOR, now=started)
    db.dispose()
    return len(rows)


def _rebuild_ms(settings: Settings, url: str) -> float:
    """How long one build of the whole page takes (read and render), median of five."""
    conf = settings.model_copy(update={"base_url": url})
    db = prepare(conf)
    pages = Pages(conf)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        with db.read() as session:
            view = read_view(session, conf, datetime.now(UTC))
        pages.html("status.html", view=view)
        times.append(time.perf_counter() - started)
    db.dispose()
    return round(sorted(times)[2] * 1000, 1)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="execflow-status-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp) / "data")
        now = datetime.now(UTC)
        assert initialise(settings, now=now) is not None
        rollups = seed(settings, now)
        with page_server(settings) as url:
            size = len(httpx.get(url + "/status.html").content)
            figures: dict[str, Any] = {"page_bytes": size, "day_rollups": rollups}
            # Alternated, and each measured twice: the second pair is reported, once the
            # workers have signed the seeded entries and both paths are warm.
            for name, path in (("hello", f"/hello/{size}.html"), ("status", "/status.html")) * 2:
                wrk.run(url + path, seconds=1, connections=32)
                load = wrk.run(url + path, seconds=args.seconds, connections=32)
                figures.update(load.as_dict(f"{name}_page"))
            figures["status_to_hello_ratio"] = round(
                figures["status_page_per_second"] / max(figures["hello_page_per_second"], 1), 3
            )
            figures["rebuild_ms"] = _rebuild_ms(settings, url)
    report("status_page", figures, as_json=args.json)


if __name__ == "__main__":
    main()
