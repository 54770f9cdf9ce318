"""Run `execflow serve` as a real subprocess on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from execflow.config import Settings


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli_env(settings: Settings) -> dict[str, str]:
    """The environment that points the CLI at settings' data dir, database and mail server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXECFLOW_")}
    env["EXECFLOW_DATA_DIR"] = str(settings.data_dir)
    env["EXECFLOW_DATABASE_URL"] = settings.resolved_database_url
    env["EXECFLOW_CHECKPOINT_INTERVAL_SECONDS"] = "0.1"
    env["EXECFLOW_BASE_URL"] = settings.base_url
    if settings.smtp_url:
        env["EXECFLOW_SMTP_URL"] = settings.smtp_url
    if settings.banner_origins:
        env["EXECFLOW_BANNER_ORIGINS"] = settings.banner_origins
    return env


def execflow(
    settings: Settings, *args: str, cwd: Path | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the execflow CLI against settings and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "execflow", *args],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
        cwd=cwd,
    )


@dataclass
class Server:
    """A running server process."""

    process: subprocess.Popen[bytes]
    url: str

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@contextmanager
def worker(settings: Settings, *extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run `execflow worker [extra...]` in the background; SIGTERM it afterwards."""
    log = open(settings.data_dir / "worker.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "execflow", "worker", *extra],
        env=cli_env(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


@contextmanager
def serve(settings: Settings, *extra: str) -> Iterator[Server]:
    """Start `execflow serve`, wait until it answers, stop it afterwards."""
    port = free_port()
    settings = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    log = open(settings.data_dir / f"serve-{port}.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "execflow", "serve", "--port", str(port), *extra],
        env=cli_env(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("server exited: " + (settings.data_dir / log.name).read_text())
            try:
                if httpx.get(server.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
