"""The outbox jobs of maintenance windows: a window ended (or was cancelled); notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from execflow.outbox import Job, Queued
from execflow.respond.maintenance.models import Maintenance


@dataclass(frozen=True)
class WindowEnded(Job):
    """Look again at what the window held back: monitors still down act now."""

    KIND: ClassVar[str] = "maintenance.ended"
    maintenance_id: str
    ends_at: str | None = None
    """The end this timer was queued for (a moved window has a newer timer)."""
    component_ids: list[str] = field(default_factory=list)
    """For a cancelled window, whose row is gone."""


@dataclass(frozen=True)
class MaintenanceNotice(Job):
    """Tell the window's subscribers it was scheduled, has started or has ended (Tell)."""

    KIND: ClassVar[str] = "maintenance.notice"
    maintenance_id: str
    phase: str
    """scheduled, started or ended."""
    at: str
    """The window's start (started) or end (ended) this notice was queued for."""

    def still_applies(self, window: Maintenance) -> bool:
        """False for a notice of a start or end the window no longer has (it was moved)."""
        if self.phase == "started":
            return window.starts_at.isoformat() == self.at
        if self.phase == "ended":
            return window.ends_at.isoformat() == self.at
        return True


def notices(window: Maintenance, *, now: datetime, scheduled: bool) -> list[Queued]:
    """The notices to queue for a window: scheduled (new windows), started and ended."""
    found = []
    if scheduled:
        found.append(MaintenanceNotice(window.id, "scheduled", now.isoformat()).queued())
    if window.starts_at > now:
        start = window.starts_at.isoformat()
        found.append(MaintenanceNotice(window.id, "started", start).queued(window.starts_at))
    if window.ends_at > now:
        end = window.ends_at.isoformat()
        found.append(MaintenanceNotice(window.id, "ended", end).queued(window.ends_at))
    return found
