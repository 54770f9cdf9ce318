"""The published severity policy: P1..P4, response deadlines and who is told what."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class Severity(StrEnum):
    """P1 critical .. P4 low."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


ACKNOWLEDGE_WITHIN = {
    Severity.P1: timedelta(minutes=15),
    Severity.P2: timedelta(hours=1),
    Severity.P3: timedelta(hours=4),
    Severity.P4: timedelta(hours=48),
}
COMMANDER_WITHIN = timedelta(minutes=15)
COMMANDER_REMINDER_AFTER = timedelta(minutes=10)
STATUS_PAGE_WITHIN = timedelta(minutes=15)
POSTMORTEM_WITHIN = timedelta(hours=72)


def needs_commander(severity: Severity) -> bool:
    """P1s get an Incident Commander within 15 minutes."""
    return severity is Severity.P1


def is_public(severity: Severity) -> bool:
    """P1/P2 must reach the status page quickly and get a post-mortem."""
    return severity in (Severity.P1, Severity.P2)
