"""Console benchmark: 10,000 incidents and 10,000 monitors; pages, weight, live latency.

    python bench/console.py [--json] [--seconds S] [--acks N]

Seeds a fresh SQLite instance (10,000 incidents, 40 of them open; 10,000 paused monitors),
serves it with `bench/page_server.py` (the real app and workers plus hello pages of any
size) and measures, signed in with a session cookie, 32 connections (wrk):
- the incidents page (`/`) and the monitors page (`/monitors`), each beside a hello page
  of the same size in the same run (a page is kept for a second per session and dropped
  by any logged change, so this is mostly the kept page), and one build of each;
- the weight of the largest page with everything it loads (stylesheets, script);
- in Chromium, from an acknowledgement through the API returning to the incident's row
  showing "acknowledged" in an open incidents page (N times).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import wrk
from bench.figures import percentile, report
from bench.servers import page_server
from execflow.config import Settings
from execflow.detect.probes.models import Monitor
from execflow.instance import initialise, prepare
from execflow.respond.incidents.models import Incident

INCIDENTS, OPEN, MONITORS = 10_000, 40, 10_000
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ASSET = re.compile(r'(?:href|src)="(/(?:static|theme)[^"]*)"')


def seed(settings: Settings, now: datetime) -> None:
    """Incidents (most resolved) and paused monitors, written in bulk."""
    db = prepare(settings)
    incidents: list[dict[str, Any]] = [
        {
            "id": f"inc_b{n:015d}",
            "title": f"Incident {n}: elevated errors on checkout",
            "severity": ("P1", "P2", "P3", "P4")[n % 4],
            "status": "triggered" if n < OPEN else "resolved",
            "component_ids": [],
            "summary": "",
            "source": "manual",
            "created_at": now - timedelta(minutes=n),
            "updated_at": now - timedelta(minutes=n),
            "resolved_at": None if n < OPEN else now - timedelta(minutes=n) + timedelta(minutes=30),
            "recorded": [],
            "imported": True,
        }
        for n in range(INCIDENTS)
    ]
    monitors = [
        {
            "id": f"mon_b{n:015d}",
            "name": f"probe {n:05d}",
            "kind": "http",
            "target": "http://127.0.0.1:9/",
            "interval_seconds": 60.0,
            "timeout_seconds": 5.0,
            "expect": {},
            "next_due_at": now + timedelta(days=365),
            "paused": True,
            "created_at": now,
        }
        for n in range(MONITORS)
    ]
    with db.write() as session:
        session.execute(insert(Incident), incidents)
        session.execute(insert(Monitor), monitors)
    db.dispose()


def _sign_in(url: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    page = client.get("/login")
    csrf = CSRF.search(page.text)
    assert csrf is not None
    answer = client.post("/login", data={"csrf": csrf.group(1), "token": token})
    assert answer.status_code in (200, 303), answer.status_code
    return client


def _weight(client: httpx.Client, path: str) -> int:
    page = client.get(path)
    total = len(page.content)
    for asset in sorted(set(ASSET.findall(page.text))):
        total += len(client.get(asset).content)
    return total


def _build_ms(client: httpx.Client, path: str) -> float:
    """One build of the page, not kept (a flash line makes each answer its own), median of 9."""
    times = []
    for n in range(9):
        started = time.perf_counter()
        client.get(path, params={"flash": f"bench {n}"})
        times.append(time.perf_counter() - started)
    return round(sorted(times)[4] * 1000, 2)


def _live(url: str, token: str, acks: int) -> list[float]:
    """Seconds from each API acknowledgement's answer to the row showing it in Chromium."""
    delays = []
    headers = {"Authorization": f"Bearer {token}"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.goto(f"{url}/login")
        page.get_by_label("API token").fill(token)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("[data-row]")
        for n in range(acks):
            incident = f"inc_b{n:015d}"
            answer = httpx.post(f"{url}/api/v1/incidents/{incident}/acknowledge", headers=headers)
            assert answer.status_code == 200, answer.text
            done = time.monotonic()
            page.wait_for_function(
                f"""() => {{
                    const row = document.querySelector("[data-incident='{incident}'] .status");
                    return row && row.textContent.trim() === "acknowledged";
                }}""",
                timeout=10_000,
                polling=20,
            )
            delays.append(time.monotonic() - done)
        browser.close()
    return delays


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--acks", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="execflow-console-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp) / "data")
        now = datetime.now(UTC)
        made = initialise(settings, now=now)
        assert made is not None
        seed(settings, now)
        figures: dict[str, Any] = {"incidents": INCIDENTS, "monitors": MONITORS}
        with page_server(settings) as url:
            client = _sign_in(url, made.admin_token)
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            for name, path in (("incidents", "/"), ("monitors", "/monitors")):
                size = len(client.get(path).content)
                figures[f"{name}_build_ms"] = _build_ms(client, path)
                figures[f"{name}_page_bytes"] = size
                for label, target in (("hello", f"/hello/{size}.html"), (name, path)) * 2:
                    wrk.run(url + target, seconds=1, connections=32, headers={"Cookie": cookie})
                    load = wrk.run(
                        url + target,
                        seconds=args.seconds,
                        connections=32,
                        headers={"Cookie": cookie},
                    )
                    key = f"{name}_hello" if label == "hello" else f"{name}_page"
                    figures.update(load.as_dict(key))
                figures[f"{name}_to_hello_ratio"] = round(
                    figures[f"{name}_page_per_second"]
                    / max(figures[f"{name}_hello_per_second"], 1),
                    3,
                )
            figures["largest_page_with_assets_bytes"] = max(
                _weight(client, path)
                for path in ("/", "/monitors", "/audit", "/oncall", "/services")
            )
            delays = _live(url, made.admin_token, args.acks)
            figures["ack_to_browser_p50_s"] = round(percentile(delays, 50), 3)
            figures["ack_to_browser_p99_s"] = round(percentile(delays, 99), 3)
            figures["ack_to_browser_max_s"] = round(max(delays), 3)
    report("console", figures, as_json=args.json)


if __name__ == "__main__":
    main()
