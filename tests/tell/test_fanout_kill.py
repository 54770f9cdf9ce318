"""kill -9 the worker in the middle of a fan-out: no mail is lost; what is sent again is
only what the dead worker's delivery threads had in flight, each the same mail."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from execflow.background import handlers
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.prove.log.note import Signer
from execflow.workers import DELIVERY_THREADS, Workers
from tests.conftest import drain
from tests.server import worker
from tests.smtp import Mailbox
from tests.tell.helpers import component, confirmed, incident_with_update

SUBSCRIBERS = 1500


def _family(pid: int) -> list[int]:
    """pid and every process below it (read from /proc)."""
    found, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                child = int(stat.parent.name)
                found.append(child)
                frontier.append(child)
    return found


def test_a_worker_killed_mid_fanout_loses_no_mail(
    db: Database, clock: ManualClock, mail_settings: Settings, mailbox: Mailbox, signer: Signer
) -> None:
    now = clock.now()
    with db.write() as session:
        api = component(session, now, "API").id
        for n in range(SUBSCRIBERS):
            confirmed(session, now, f"s{n:05d}@x.test", [])
    incident_with_update(db, now, "P1", [api], body="Everything is down.")
    with worker(mail_settings) as process:
        deadline = time.monotonic() + 60
        while len(mailbox.snapshot()) < SUBSCRIBERS // 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        for pid in reversed(_family(process.pid)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
    at_kill = len(mailbox.snapshot())
    assert SUBSCRIBERS // 5 <= at_kill < SUBSCRIBERS, "the kill landed in the middle"
    # Another worker, once the dead one's leases ran out (its clock is past them).
    later = ManualClock(datetime.now(UTC) + timedelta(minutes=2))
    survivor = Workers(
        db, signer, later, mail_settings, handlers=handlers(db, mail_settings, later)
    )
    drain(survivor)
    received = mailbox.wait_for(SUBSCRIBERS)
    per_address = Counter(m.to[0] for m in received)
    assert set(per_address) == {f"s{n:05d}@x.test" for n in range(SUBSCRIBERS)}, "none lost"
    ids: dict[str, set[str]] = {}
    for message in received:
        ids.setdefault(message.to[0], set()).add(message.message["Message-ID"])
    assert all(len(found) == 1 for found in ids.values()), "a mail sent again is the same mail"
    again = sum(count - 1 for count in per_address.values())
    assert again <= DELIVERY_THREADS, "at most one per delivery thread in flight at the kill"
