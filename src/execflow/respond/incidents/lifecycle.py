"""The incident lifecycle, pure: its statuses and the transitions between them, at `now`.

    triggered --acknowledge--> acknowledged --resolve--> resolved
    triggered --resolve-----------------------------------^

Acknowledging twice, or anything but a public update once resolved, is a conflict: the
actions turn `Refused` into a 409.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    """Where an incident is."""

    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Action(StrEnum):
    """What moves an incident along."""

    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.TRIGGERED, Action.ACKNOWLEDGE): Status.ACKNOWLEDGED,
    (Status.TRIGGERED, Action.RESOLVE): Status.RESOLVED,
    (Status.ACKNOWLEDGED, Action.RESOLVE): Status.RESOLVED,
}
OPEN = frozenset({Status.TRIGGERED, Status.ACKNOWLEDGED})


class Refused(ValueError):
    """The action does not apply to an incident in this status."""


@dataclass(frozen=True)
class Lifecycle:
    """An incident's status and when it moved."""

    status: Status
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None

    def apply(self, action: Action, now: datetime) -> Lifecycle:
        """The lifecycle after action at now; Refused when it does not apply."""
        after = TRANSITIONS.get((self.status, action))
        if after is None:
            raise Refused(f"the incident is already {self.status.value}")
        if action is Action.ACKNOWLEDGE:
            return replace(self, status=after, acknowledged_at=now)
        return replace(self, status=after, resolved_at=now)


def is_open(status: str) -> bool:
    """Whether an incident in this status still needs someone (not resolved)."""
    return Status(status) in OPEN
