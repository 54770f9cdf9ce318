"""The outbox jobs of incidents: escalation steps, deadline checks, commander reminders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from execflow.outbox import Job


@dataclass(frozen=True)
class EscalationStep(Job):
    """Fire step `step` of cycle `cycle` of run `run` of the incident's frozen policy."""

    KIND: ClassVar[str] = "incident.escalate"
    incident_id: str
    cycle: int
    step: int
    due_at: str
    run: int = 0


@dataclass(frozen=True)
class DeadlineCheck(Job):
    """Log the incident's deadline if it has passed by now."""

    KIND: ClassVar[str] = "incident.deadline"
    incident_id: str
    deadline: str


@dataclass(frozen=True)
class CommanderReminder(Job):
    """Page the commander candidates if a P1 still has no commander."""

    KIND: ClassVar[str] = "incident.commander_reminder"
    incident_id: str
    due_at: str | None = None
    """When it was armed for; a reminder re-armed by a severity change makes this one moot."""


@dataclass(frozen=True)
class FirstUpdateDue(Job):
    """Publish the automatic "investigating" update if no one has posted one."""

    KIND: ClassVar[str] = "incident.first_update_due"
    incident_id: str


@dataclass(frozen=True)
class UpdatePublished(Job):
    """A public update of a P1 or P2 was published: tell whom the severity says (Tell)."""

    KIND: ClassVar[str] = "incident.update_published"
    incident_id: str
    update_id: str


@dataclass(frozen=True)
class PostmortemReminder(Job):
    """Remind the commander of a resolved P1/P2 that its post-mortem is due (Tell)."""

    KIND: ClassVar[str] = "incident.postmortem_reminder"
    incident_id: str
    hours: int
    """Hours since resolution: 24 or 48 (the deadline is 72)."""
