"""The command line as users run it: init, tokens, demo, audit verify and proof, bad input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from execflow.config import Settings
from execflow.db import Database
from execflow.prove.log import proofs, store
from execflow.prove.log.models import LogEntry
from execflow.prove.log.note import parse_vkey
from tests.server import execflow, serve


@pytest.fixture
def fresh(tmp_path: Path, db_url: str) -> Settings:
    """Settings for a data dir that was never initialised."""
    return Settings(_env_file=None, data_dir=tmp_path / "fresh", database_url=db_url)


def _init(conf: Settings) -> dict[str, str]:
    result = execflow(conf, "init", "--json", check=True)
    data: dict[str, str] = json.loads(result.stdout)
    return data


def test_init_makes_key_token_and_schema_once(fresh: Settings) -> None:
    made = _init(fresh)
    assert set(made) == {"admin_token", "vkey", "data_dir", "database_url", "login_url"}
    assert made["login_url"].startswith(f"{fresh.base_url}/login/")
    assert parse_vkey(made["vkey"]).name == "execflow.localhost/log"
    key = fresh.key_path
    assert key.stat().st_mode & 0o777 == 0o600
    before = key.read_bytes()
    again = execflow(fresh, "init")
    assert again.returncode == 1 and "already initialised" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert key.read_bytes() == before
    assert execflow(fresh, "init", "--exist-ok").returncode == 0
    assert key.read_bytes() == before


def test_commands_on_an_uninitialised_dir_say_so(fresh: Settings) -> None:
    result = execflow(fresh, "demo")
    assert result.returncode == 1 and "execflow init" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["token", "create", "--role", "root", "--name", "x"],
        ["token", "create", "--role", "viewer"],
        ["audit", "verify", "--vkey", "nonsense"],
        ["audit", "verify", "--url", "http://x", "--data-dir", "/tmp", "--vkey", "a+b+c"],
        ["audit", "proof", "--index", "-3"],
        ["serve", "--port", "0"],
        ["worker", "--role", "sideways"],
        ["no-such-command"],
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(fresh: Settings, args: list[str]) -> None:
    _init(fresh)
    result = execflow(fresh, *args)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_token_create_prints_a_working_token(fresh: Settings) -> None:
    _init(fresh)
    created = json.loads(
        execflow(
            fresh, "token", "create", "--role", "viewer", "--name", "ci", "--json", check=True
        ).stdout
    )
    assert created["role"] == "viewer" and created["token"].startswith("ef_")
    with serve(fresh) as server:
        response = httpx.get(
            server.url + "/api/v1/audit/verify",
            headers={"Authorization": f"Bearer {created['token']}"},
        )
        assert response.status_code == 200


def test_verify_by_url_and_data_dir_with_state_then_tampering(
    fresh: Settings, tmp_path: Path
) -> None:
    made = _init(fresh)
    execflow(fresh, "demo", check=True)
    state = tmp_path / "seen.checkpoint"
    with serve(fresh) as server:
        headers = {"Authorization": f"Bearer {made['admin_token']}"}
        for i in range(20):
            httpx.post(
                server.url + "/api/v1/audit/events",
                headers=headers,
                json={"type": "custom.check", "subject": {"kind": "job", "id": str(i)}},
            )
        vkey = httpx.get(server.url + "/log/vkey").text.strip()
        assert vkey == made["vkey"]
        total = _appended(fresh)
        _wait_signed(server.url, total)
        by_url = execflow(
            fresh,
            "audit",
            "verify",
            "--url",
            server.url,
            "--token",
            made["admin_token"],
            "--vkey",
            vkey,
            "--state",
            str(state),
        )
        assert by_url.returncode == 0, by_url.stderr
        seen = int(by_url.stdout.split()[1])
        # The demo's open incident may still be paging, appending entries as we look.
        assert by_url.stdout.startswith("OK: ") and seen >= total
        no_token = execflow(fresh, "audit", "verify", "--url", server.url, "--vkey", vkey)
        # A missing token is a usage problem (exit 2), not a bad entry in the log.
        assert no_token.returncode == 2, no_token.stderr
        assert "the server needs a token (401)" in no_token.stderr
        assert "index" not in no_token.stderr
    vkey_file = tmp_path / "log.vkey"
    vkey_file.write_text(vkey + "\n")
    by_dir = execflow(
        fresh,
        "audit",
        "verify",
        "--data-dir",
        str(fresh.data_dir),
        "--vkey",
        str(vkey_file),
        "--state",
        str(state),
    )
    assert by_dir.returncode == 0, by_dir.stderr
    assert f"consistent with size {seen}" in by_dir.stdout

    db = Database.from_url(fresh.resolved_database_url)
    with db.write() as session:
        session.execute(update(LogEntry).where(LogEntry.idx == 13).values(data=b'{"v":1}'))
    db.dispose()
    tampered = execflow(fresh, "audit", "verify", "--data-dir", str(fresh.data_dir), "--vkey", vkey)
    assert tampered.returncode == 1
    assert "first bad index 13" in tampered.stderr


def test_state_from_another_log_is_refused(fresh: Settings, tmp_path: Path, db_url: str) -> None:
    made = _init(fresh)
    other_dir = tmp_path / "other"
    other = Settings(
        _env_file=None,
        data_dir=other_dir,
        database_url=f"sqlite:///{other_dir}/execflow.db",
    )
    other_made = _init(other)
    with serve(other) as server:
        _wait_signed(server.url, 1)
        state = tmp_path / "other.checkpoint"
        state.write_text(httpx.get(server.url + "/log/checkpoint").text)
    result = execflow(
        fresh,
        "audit",
        "verify",
        "--data-dir",
        str(fresh.data_dir),
        "--vkey",
        made["vkey"],
        "--state",
        str(state),
    )
    assert result.returncode == 2 and "--state" in result.stderr
    assert other_made["vkey"] != made["vkey"]


def test_audit_proof_verifies_offline(fresh: Settings, tmp_path: Path) -> None:
    made = _init(fresh)
    execflow(fresh, "demo", check=True)
    with serve(fresh) as server:
        total = _appended(fresh)
        _wait_signed(server.url, total)
        entry = httpx.get(
            server.url + "/log/entries/3",
            headers={"Authorization": f"Bearer {made['admin_token']}"},
        ).content
    out = tmp_path / "entry3.tlog-proof"
    result = execflow(fresh, "audit", "proof", "--index", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    proof = proofs.decode(out.read_text())
    assert proof.index == 3
    checkpoint = proofs.verify(proof, entry, parse_vkey(made["vkey"]))
    assert checkpoint.size >= total
    beyond = execflow(fresh, "audit", "proof", "--index", "99")
    assert beyond.returncode == 2 and "not covered" in beyond.stderr


def _appended(conf: Settings) -> int:
    db = Database.from_url(conf.resolved_database_url)
    try:
        with db.read() as session:
            return store.appended_size(session)
    finally:
        db.dispose()


def _wait_signed(url: str, size: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        response = httpx.get(url + "/log/checkpoint")
        if response.status_code == 200 and int(response.text.split("\n")[1]) >= size:
            return
        time.sleep(0.05)
    raise AssertionError(f"no checkpoint of size {size}")


def test_the_demo_brings_monitors_and_a_maintenance_window_once(fresh: Settings) -> None:
    made = _init(fresh)
    execflow(fresh, "demo", check=True)
    assert "already loaded" in execflow(fresh, "demo", check=True).stdout
    with serve(fresh) as server:
        headers = {"Authorization": f"Bearer {made['admin_token']}"}
        monitors = httpx.get(server.url + "/api/v1/monitors", headers=headers).json()
        windows = httpx.get(server.url + "/api/v1/maintenances", headers=headers).json()
    assert sorted(m["kind"] for m in monitors) == ["heartbeat", "http", "tcp"]
    assert [(w["title"], w["status"]) for w in windows] == [
        ("Payments database upgrade", "scheduled")
    ]
