"""The per-incident deadlines of the severity policy; pure, computed from facts and `now`.

    acknowledge  created + 15 min / 1 h / 4 h / 48 h (P1..P4); met by acknowledgement
                 (or by resolution without one)
    commander    P1 only: created + 15 min; met when an Incident Commander is named
                 (or by resolution without one: an alert that fired and cleared)
    status_page  P1/P2: acknowledgement (or resolution) + 15 min; met by the first public
                 update
    postmortem   P1/P2: resolution + 72 h; met when the post-mortem is published

A deadline is `met` when its fact happened by the due time, `breached` when it happened
late or has not happened by now, and `pending` otherwise (or while its due time is not
known yet). A severity change moves the first two (`retime`): a raise gives the new
window from the raise, never more time than before; a downgrade gives the new window
from the start, never less time than before. An outcome already logged (`settled`)
stands: a logged breach stays breached and keeps its deadline listed whatever the
severity becomes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
    acknowledge_due: datetime | None = None
    """Stored due time (set at creation, moved by severity changes); None: from the start."""
    commander_due: datetime | None = None
    """Stored due time of the commander deadline; None: from the start, while a P1."""
    settled: Mapping[str, str] = field(default_factory=dict)
    """Deadline name -> the outcome already logged for it."""


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


def acknowledge_due(facts: Facts) -> datetime:
    """When acknowledgement is due."""
    return facts.acknowledge_due or facts.created_at + ACKNOWLEDGE_WITHIN[facts.severity]


def commander_due(facts: Facts) -> datetime:
    """When a commander is due."""
    return facts.commander_due or facts.created_at + COMMANDER_WITHIN


def deadlines(facts: Facts, now: datetime) -> dict[str, Deadline]:
    """Every deadline that applies to an incident with these facts."""
    responded = facts.acknowledged_at or facts.resolved_at
    spans: dict[str, tuple[datetime | None, datetime | None]] = {
        "acknowledge": (acknowledge_due(facts), responded)
    }
    if needs_commander(facts.severity) or "commander" in facts.settled:
        spans["commander"] = (commander_due(facts), facts.commander_at or facts.resolved_at)
    if is_public(facts.severity) or "status_page" in facts.settled:
        due = responded + STATUS_PAGE_WITHIN if responded else None
        spans["status_page"] = (due, facts.first_update_at)
    if is_public(facts.severity) or "postmortem" in facts.settled:
        due = facts.resolved_at + POSTMORTEM_WITHIN if facts.resolved_at else None
        spans["postmortem"] = (due, facts.postmortem_at)
    return {
        name: Deadline(name, due, met, facts.settled.get(name) or _state(due, met, now))
        for name, (due, met) in spans.items()
    }


def retime(facts: Facts, severity: Severity, now: datetime) -> tuple[datetime, datetime | None]:
    """The (acknowledge, commander) due times once the severity changes to `severity` at now."""
    current = acknowledge_due(facts)
    if facts.acknowledged_at or facts.resolved_at or "acknowledge" in facts.settled:
        ack = current
    elif severity < facts.severity:  # a raise: "P1" < "P2"
        ack = min(current, now + ACKNOWLEDGE_WITHIN[severity])
    else:
        ack = max(current, facts.created_at + ACKNOWLEDGE_WITHIN[severity])
    if "commander" in facts.settled:
        return ack, commander_due(facts)
    if not needs_commander(severity):
        return ack, None
    if needs_commander(facts.severity):
        return ack, commander_due(facts)
    return ack, now + COMMANDER_WITHIN
