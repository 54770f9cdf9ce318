"""The per-incident deadlines of the severity policy; pure, computed from facts and `now`.

    acknowledge  created + 15 min / 1 h / 4 h / 48 h (P1..P4); met by acknowledgement
                 (or by resolution without one)
    commander    P1 only: created + 15 min; met when an Incident Commander is named
    status_page  P1/P2: acknowledgement (or resolution) + 15 min; met by the first public
                 update
    postmortem   P1/P2: resolution + 72 h; met when the post-mortem is published

A deadline is `met` when its fact happened by the due time, `breached` when it happened
late or has not happened by now, and `pending` otherwise (or while its due time is not
known yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from execflow.respond.severity import (
    ACKNOWLEDGE_WITHIN,
    COMMANDER_WITHIN,
    POSTMORTEM_WITHIN,
    STATUS_PAGE_WITHIN,
    Severity,
    is_public,
    needs_commander,
)

PENDING, MET, BREACHED = "pending", "met", "breached"


@dataclass(frozen=True)
class Facts:
    """What deadlines depend on."""

    severity: Severity
    created_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    commander_at: datetime | None = None
    first_update_at: datetime | None = None
    postmortem_at: datetime | None = None


@dataclass(frozen=True)
class Deadline:
    """One deadline's due time, when it was met, and its state at `now`."""

    name: str
    due_at: datetime | None
    met_at: datetime | None
    state: str


def _state(due: datetime | None, met: datetime | None, now: datetime) -> str:
    if due is None:
        return MET if met is not None else PENDING
    if met is not None:
        return MET if met <= due else BREACHED
    return BREACHED if now >= due else PENDING


def _deadline(name: str, due: datetime | None, met: datetime | None, now: datetime) -> Deadline:
    return Deadline(name, due, met, _state(due, met, now))


def deadlines(facts: Facts, now: datetime) -> dict[str, Deadline]:
    """Every deadline that applies to an incident with these facts."""
    responded = facts.acknowledged_at or facts.resolved_at
    result = {
        "acknowledge": _deadline(
            "acknowledge", facts.created_at + ACKNOWLEDGE_WITHIN[facts.severity], responded, now
        )
    }
    if needs_commander(facts.severity):
        result["commander"] = _deadline(
            "commander", facts.created_at + COMMANDER_WITHIN, facts.commander_at, now
        )
    if is_public(facts.severity):
        due = responded + STATUS_PAGE_WITHIN if responded else None
        result["status_page"] = _deadline("status_page", due, facts.first_update_at, now)
        due = facts.resolved_at + POSTMORTEM_WITHIN if facts.resolved_at else None
        result["postmortem"] = _deadline("postmortem", due, facts.postmortem_at, now)
    return result
