"""The outbox job of monitors: resolve an incident once its monitor stayed up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from execflow.outbox import Job


@dataclass(frozen=True)
class SettleMonitor(Job):
    """Resolve the monitor's incident if it has stayed up since up_at (the hold-down)."""

    KIND: ClassVar[str] = "monitor.settle"
    monitor_id: str
    incident_id: str
    up_at: str | None = None
