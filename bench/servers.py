"""What several benchmarks start: a durable database for a backend, and the page server."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from execflow.config import Settings
from tests.pg import Cluster
from tests.server import cli_env, free_port


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    """A database URL for the backend: "" (SQLite in the data dir) or a new database on a
    durable PostgreSQL cluster (fsync, synchronous commit and full-page writes on)."""
    if backend == "sqlite":
        yield ""
        return
    cluster = Cluster(durable=True)
    cluster.start()
    try:
        admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE execflow"))
        admin.dispose()
        yield cluster.url("execflow")
    finally:
        cluster.stop()


@contextlib.contextmanager
def page_server(settings: Settings) -> Iterator[str]:
    """`bench/page_server.py` on a free port (the app, its workers, hello pages); its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **cli_env(settings), "EXECFLOW_BASE_URL": url}
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("page_server.py")), str(port)], env=env
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the page server did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
