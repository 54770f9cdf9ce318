"""Every event an incident's timeline records; each is logged as `incident.<value>`.

`record` and `record_many` take only these, so mypy refuses an event nobody declared, and
docs/audit-events.md lists them (a test keeps the two equal).
"""

from __future__ import annotations

from enum import StrEnum


class IncidentEvent(StrEnum):
    """A timeline event of an incident."""

    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    COMMANDER_ASSIGNED = "commander_assigned"
    NOTE_ADDED = "note_added"
    UPDATE_PUBLISHED = "update_published"
    SEVERITY_CHANGED = "severity_changed"
    EDITED = "edited"
    ESCALATED = "escalated"
    PAGED_AGAIN = "paged_again"
    COMMANDER_REMINDER = "commander_reminder"
    DEADLINE_MET = "deadline_met"
    DEADLINE_BREACHED = "deadline_breached"
    ALERT_ADDED = "alert_added"
    ALERT_REFIRED = "alert_refired"
    ALERT_RESOLVED = "alert_resolved"
    ANOMALY_DETECTED = "anomaly_detected"
    MONITOR_DOWN_AGAIN = "monitor_down_again"
    MONITOR_RECOVERED = "monitor_recovered"

    @property
    def log_type(self) -> str:
        """The audit log entry's type."""
        return f"incident.{self.value}"
