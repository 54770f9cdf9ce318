"""Every typed job a package declares has a handler, and stored payloads read back."""

from __future__ import annotations

from execflow.background import handlers
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.ingest.jobs import ApplySignals
from execflow.detect.probes.jobs import SettleMonitor
from execflow.outbox import Job
from execflow.respond.incidents.jobs import (
    CommanderReminder,
    DeadlineCheck,
    EscalationStep,
    FirstUpdateDue,
    PostmortemReminder,
    UpdatePublished,
)
from execflow.respond.maintenance.jobs import MaintenanceNotice, WindowEnded
from execflow.tell.notify.jobs import MailOut

DECLARED: list[type[Job]] = [
    ApplySignals,
    SettleMonitor,
    CommanderReminder,
    DeadlineCheck,
    EscalationStep,
    WindowEnded,
    FirstUpdateDue,
    UpdatePublished,
    PostmortemReminder,
    MaintenanceNotice,
    MailOut,
]


def test_every_declared_job_has_a_handler(
    db: Database, settings: Settings, clock: ManualClock
) -> None:
    collected = handlers(db, settings, clock)
    assert {job.KIND for job in DECLARED} <= set(collected)
    assert {cls.KIND for cls in Job.__subclasses__()} == {job.KIND for job in DECLARED}
    assert collected[ApplySignals.KIND].serial


def test_a_payload_queued_by_the_previous_release_reads_as_its_job() -> None:
    due = "2026-03-01T12:00:00+00:00"
    old = {"incident_id": "inc_1", "cycle": 1, "step": 0, "due_at": due}
    assert EscalationStep.of(old) == EscalationStep("inc_1", 1, 0, due, run=0)
    assert CommanderReminder.of({"incident_id": "inc_1"}).due_at is None
    queued = DeadlineCheck("inc_1", "acknowledge").queued()
    assert (queued.kind, queued.payload) == (
        "incident.deadline",
        {"incident_id": "inc_1", "deadline": "acknowledge"},
    )
