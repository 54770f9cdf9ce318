"""Prometheus Alertmanager's own binary posts to a running ExecFlow: fire, then resolve."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from execflow.access.roles import Role
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from tests.conftest import TokenFactory, auth
from tests.respond.factories import make_service
from tests.server import free_port, serve


def _wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_alertmanager_fires_and_resolves_an_incident(
    settings: Settings, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        pytest.fail("prometheus-alertmanager is not installed; run 'make install'")
    with db.write() as session:
        key = make_service(session, clock.now(), None).integration_key
    token = auth(make_token(Role.VIEWER))
    port = free_port()
    workdir = settings.data_dir / "alertmanager"
    workdir.mkdir()
    with serve(settings) as server:
        config = workdir / "alertmanager.yml"
        config.write_text(
            "route:\n  receiver: execflow\n  group_wait: 1s\n  group_interval: 1s\n"
            "  repeat_interval: 1h\nreceivers:\n  - name: execflow\n    webhook_configs:\n"
            f"      - url: {server.url}/api/v1/integrations/{key}/alertmanager\n"
            "        send_resolved: true\n"
        )
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={workdir}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "log.txt").open("wb"),
        )
        try:
            manager = f"http://127.0.0.1:{port}"

            def ready() -> bool:
                try:
                    return httpx.get(f"{manager}/-/ready", timeout=1).status_code == 200
                except httpx.HTTPError:
                    return False

            _wait(ready, 30, "alertmanager to start")
            now = datetime.now(UTC)
            alert = {
                "labels": {"alertname": "DiskFull", "severity": "critical", "instance": "db-1"},
                "annotations": {"summary": "disk at 95%"},
                "startsAt": now.isoformat(),
                "endsAt": (now + timedelta(hours=1)).isoformat(),
            }
            assert httpx.post(f"{manager}/api/v2/alerts", json=[alert]).status_code == 200

            def incidents() -> list[dict[str, Any]]:
                found: list[dict[str, Any]] = httpx.get(
                    f"{server.url}/api/v1/incidents", headers=token
                ).json()
                return found

            opened = _wait(incidents, 30, "the incident to open")[0]
            assert opened["severity"] == "P1" and opened["source"] == "alertmanager"
            assert opened["title"] == "DiskFull: disk at 95%"
            alert["endsAt"] = datetime.now(UTC).isoformat()
            assert httpx.post(f"{manager}/api/v2/alerts", json=[alert]).status_code == 200
            _wait(lambda: incidents()[0]["status"] == "resolved", 30, "the incident to resolve")
            assert len(incidents()) == 1
        finally:
            process.terminate()
            process.wait(timeout=20)
