"""An independent implementation accepts our log: Go's golang.org/x/mod sumdb note and tlog
(the Debian package golang-golang-x-mod-dev) verify the checkpoint signature, recompute
the tree from the entry bundles, compare the hash tiles and check every inclusion proof."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from execflow.access.roles import Role
from execflow.config import Settings
from tests.conftest import TokenFactory, auth
from tests.server import serve

SOURCE = Path(__file__).parent / "tlogcheck"
GOPATH = "/usr/share/gocode"


def _build(out: Path) -> Path:
    go = shutil.which("go")
    if go is None or not Path(GOPATH, "src/golang.org/x/mod/sumdb/tlog").is_dir():
        pytest.fail("go and golang.org/x/mod are missing; run 'make install'")
    binary = out / "tlogcheck"
    env = {
        **os.environ,
        "GOPATH": GOPATH,
        "GO111MODULE": "off",
        "GOFLAGS": "",
        "GOCACHE": str(out / "gocache"),
    }
    subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=SOURCE,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return binary


def test_go_sumdb_tlog_verifies_our_log(
    settings: Settings, make_token: TokenFactory, tmp_path: Path
) -> None:
    binary = _build(tmp_path)
    secret = make_token(Role.RESPONDER)
    with serve(settings) as server, httpx.Client(headers=auth(secret), timeout=10) as client:
        for n in range(300):  # more than one full tile
            client.post(
                server.url + "/api/v1/audit/events",
                json={"type": "custom.check", "subject": {"kind": "job", "id": str(n)}},
            )
        vkey = httpx.get(server.url + "/log/vkey").text.strip()
        size = 0
        for _ in range(100):
            size = int(httpx.get(server.url + "/log/checkpoint").text.split("\n")[1])
            if size >= 301:
                break
            time.sleep(0.05)
        result = subprocess.run(
            [str(binary), server.url + "/log", vkey, secret],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ok {size}" and size >= 301
