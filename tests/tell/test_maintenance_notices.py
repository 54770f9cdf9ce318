"""Scheduled maintenance tells its subscribers when it is created, starts and ends."""

from __future__ import annotations

from datetime import timedelta

from execflow.clock import ManualClock
from execflow.db import Database
from execflow.respond.maintenance import service as maintenance
from execflow.respond.maintenance.schemas import MaintenanceCreate, MaintenanceUpdate
from tests.conftest import MakeWorkers, drain
from tests.respond.factories import ADMIN
from tests.smtp import Mailbox
from tests.tell.helpers import component, confirmed


def test_created_started_and_ended_each_mail_the_components_subscribers_once(
    db: Database, clock: ManualClock, mailbox: Mailbox, make_workers: MakeWorkers
) -> None:
    now = clock.now()
    with db.write() as session:
        database = component(session, now, "Database").id
        other = component(session, now, "Web").id
        confirmed(session, now, "dba@x.test", [database])
        confirmed(session, now, "web@x.test", [other])
        window = maintenance.create(
            session,
            data=MaintenanceCreate(
                title="Database upgrade",
                component_ids=[database],
                starts_at=now + timedelta(hours=1),
                ends_at=now + timedelta(hours=2),
            ),
            actor=ADMIN,
            now=now,
        )
        # moving the end queues a new "ended" notice; the old one finds nothing to do
        maintenance.update(
            session,
            window_id=window.id,
            data=MaintenanceUpdate(ends_at=now + timedelta(hours=3)),
            actor=ADMIN,
            now=now,
        )
    workers = make_workers()
    drain(workers)
    subjects = [m.message["Subject"] for m in mailbox.wait_for(1)]
    assert subjects == ["[ExecFlow Status] Scheduled maintenance: Database upgrade"]
    clock.advance(timedelta(hours=1))
    drain(workers)
    clock.advance(timedelta(hours=1))
    drain(workers)
    assert len(mailbox.wait_for(2)) == 2, "the old end passes without a notice"
    clock.advance(timedelta(hours=1))
    drain(workers)
    received = mailbox.wait_for(3)
    assert [m.to[0] for m in received] == ["dba@x.test"] * 3
    assert [m.message["Subject"].split(":")[0] for m in received] == [
        "[ExecFlow Status] Scheduled maintenance",
        "[ExecFlow Status] Maintenance started",
        "[ExecFlow Status] Maintenance completed",
    ]
