"""`execflow worker` as its own processes: beside `serve --no-workers`, and split in two."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

from execflow.access.roles import Role
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.probes.models import CheckResult
from execflow.detect.probes.monitors import create_monitor
from execflow.detect.probes.schemas import MonitorCreate
from execflow.prove.log.checkpoint import open_checkpoint
from execflow.prove.log.note import Signer
from execflow.prove.log.store import signed_size
from tests.conftest import TokenFactory, auth
from tests.respond.factories import (
    ADMIN,
    make_incident,
    make_person,
    make_policy,
    make_service,
)
from tests.server import serve, worker
from tests.smtp import Mailbox
from tests.target import target


def test_a_separate_worker_signs_while_the_api_takes_concurrent_writes(
    settings: Settings, make_token: TokenFactory, signer: Signer
) -> None:
    secret = make_token(Role.RESPONDER)
    statuses: list[int] = []
    lock = threading.Lock()
    with serve(settings, "--no-workers") as server, worker(settings) as background:

        def post(n: int) -> None:
            with httpx.Client(headers=auth(secret), timeout=30) as client:
                for i in range(40):
                    body = {"type": "custom.load", "subject": {"kind": "job", "id": f"{n}-{i}"}}
                    response = client.post(server.url + "/api/v1/audit/events", json=body)
                    with lock:
                        statuses.append(response.status_code)

        threads = [threading.Thread(target=post, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [201] * 240, "no request may fail, and none may see a locked database"
        deadline = time.monotonic() + 20
        size = 0
        while time.monotonic() < deadline and size < 241:
            response = httpx.get(server.url + "/log/checkpoint")
            if response.status_code == 200:
                size = open_checkpoint(response.text, signer.verifier).size
            time.sleep(0.05)
        assert size == 241  # the test token's entry and 240 events, signed by the worker
        background.send_signal(signal.SIGTERM)
        assert background.wait(timeout=20) == 0


def _children(pid: int) -> list[int]:
    """Processes whose parent is pid (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _page_someone(db: Database, title: str) -> None:
    now = datetime.now(UTC)
    with db.write() as session:
        person = make_person(session, now, f"Person {title}")
        steps = [{"delay_minutes": 0, "targets": [{"type": "person", "id": person.id}]}]
        service = make_service(session, now, make_policy(session, now, steps).id)
        make_incident(session, now, service.id, title=title)


def _sender_delivers(db: Database, background: subprocess.Popen[bytes], mailbox: Mailbox) -> int:
    """Wait for the split worker's one child, page someone through it; the child's pid."""
    _wait_for(lambda: len(_children(background.pid)) == 1)
    (sender,) = _children(background.pid)
    _page_someone(db, "first")
    _wait_for(lambda: len(mailbox.snapshot()) == 1)
    return sender


def test_a_split_worker_sends_from_its_child_and_restarts_it_when_it_dies(
    db: Database, mail_settings: Settings, mailbox: Mailbox
) -> None:
    with worker(mail_settings, "--role", "split") as background:
        sender = _sender_delivers(db, background, mailbox)

        os.kill(sender, signal.SIGKILL)
        _wait_for(lambda: _children(background.pid) not in ([], [sender]))
        (restarted,) = _children(background.pid)
        _page_someone(db, "second")
        _wait_for(lambda: len(mailbox.snapshot()) == 2)
        subjects = sorted(str(m.message["Subject"]) for m in mailbox.snapshot())
        assert [s.split("] ")[1].split(" (")[0] for s in subjects] == ["first", "second"]

        background.send_signal(signal.SIGTERM)
        assert background.wait(timeout=30) == 0
    assert not Path(f"/proc/{restarted}").exists() or _zombie(restarted)


def test_the_child_of_a_split_worker_killed_outright_stops_too(
    db: Database, mail_settings: Settings, mailbox: Mailbox
) -> None:
    with worker(mail_settings, "--role", "split") as background:
        sender = _sender_delivers(db, background, mailbox)  # the child works until then
        assert _children(background.pid) == [sender]
        background.kill()  # SIGKILL: no shutdown code runs in the parent
        background.wait(timeout=30)
        _wait_for(lambda: not Path(f"/proc/{sender}").exists() or _zombie(sender))
    log = (mail_settings.data_dir / "worker.log").read_text()
    assert "the worker that started this one is gone; stopping" in log


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_the_default_worker_splits_on_sqlite_and_stays_whole_on_postgresql(
    db: Database, mail_settings: Settings, mailbox: Mailbox
) -> None:
    with worker(mail_settings) as background:
        _page_someone(db, "default role")
        _wait_for(lambda: len(mailbox.snapshot()) == 1)
        children = _children(background.pid)
        assert len(children) == (1 if db.is_sqlite else 0)
        log = (mail_settings.data_dir / "worker.log").read_text()
        assert ("(split) running" if db.is_sqlite else "(all) running") in log


def test_a_probes_worker_checks_monitors_and_runs_nothing_else(
    db: Database, settings: Settings
) -> None:
    with target() as site:
        with db.write() as session:
            create_monitor(
                session,
                actor=ADMIN,
                now=datetime.now(UTC),
                data=MonitorCreate(
                    name="site", kind="http", target=site.url, interval_seconds=1, timeout_seconds=1
                ),
            )
            signed_before = signed_size(session)
        with worker(settings, "--role", "probes") as background:
            _wait_for(lambda: site.hits >= 2)
            time.sleep(0.5)  # a worker with the integrator would sign within 0.1 s
            background.send_signal(signal.SIGTERM)
            assert background.wait(timeout=30) == 0
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(CheckResult)).scalar_one() >= 2
        assert signed_size(session) == signed_before, "no checkpoint: probes only"
    assert "(probes) running" in (settings.data_dir / "worker.log").read_text()
