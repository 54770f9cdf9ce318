"""Whom a step's targets reach now: people as named, schedules by who is on call.

A target that reaches nobody (an empty schedule, a deleted schedule or person) is noted
with why, and a step that reaches nobody falls through to the next step of its cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from execflow.respond.catalog.models import Person
from execflow.respond.escalation import plan
from execflow.respond.oncall.models import Schedule
from execflow.respond.oncall.service import rota

JUST_PAGED = "paged_within_a_minute"


def paged_and_skipped(
    person_ids: list[str], already: set[str]
) -> tuple[list[str], list[dict[str, str]]]:
    """Split whom an order named into those paged and those skipped as just paged."""
    paged = [p for p in person_ids if p not in already]
    skipped = [
        {"type": "person", "id": p, "reason": JUST_PAGED} for p in person_ids if p in already
    ]
    return paged, skipped


@dataclass
class Found:
    """Whom a step's targets reach now, and every target that reached nobody, with why."""

    person_ids: list[str] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    fell_through: list[int] = field(default_factory=list)

    def log_data(self) -> dict[str, Any]:
        """What the log says about the targets that reached nobody."""
        data: dict[str, Any] = {}
        if self.skipped:
            data["skipped"] = self.skipped
        if self.fell_through:
            data["fell_through"] = self.fell_through
        return data

    def after_paging(self, already: set[str]) -> dict[str, Any]:
        """The log data once paged: who was, and everyone skipped (`already`: just paged)."""
        paged, passed = paged_and_skipped(self.person_ids, already)
        data = {**self.log_data(), "person_ids": paged}
        if passed:
            data["skipped"] = data.get("skipped", []) + passed
        return data


class Targets:
    """Resolves step targets to people, caching schedules and people across one batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.on_call: dict[str, tuple[str | None, str]] = {}
        self.people: dict[str, bool] = {}

    def _exists(self, person_id: str) -> bool:
        if person_id not in self.people:
            self.people[person_id] = self.session.get(Person, person_id) is not None
        return self.people[person_id]

    def _schedule(self, schedule_id: str, at: datetime) -> tuple[str | None, str]:
        if schedule_id not in self.on_call:
            schedule = self.session.get(Schedule, schedule_id)
            if schedule is None:
                self.on_call[schedule_id] = (None, "schedule_deleted")
            else:
                who = rota(schedule).on_call(at)
                self.on_call[schedule_id] = (
                    (who.person_id, "") if who is not None else (None, "nobody_on_call")
                )
        return self.on_call[schedule_id]

    def resolve(self, targets: list[dict[str, Any]], at: datetime, found: Found) -> None:
        """Add the people these targets reach to found; note each one that reaches nobody."""
        for target in targets:
            if target["type"] == "person":
                person_id, reason = target["id"], "person_deleted"
            else:
                person_id, reason = self._schedule(target["id"], at)
            if person_id is not None and not self._exists(person_id):
                person_id, reason = None, "person_deleted"
            if person_id is None:
                found.skipped.append({"type": target["type"], "id": target["id"], "reason": reason})
            elif person_id not in found.person_ids:
                found.person_ids.append(person_id)

    def step(
        self, steps: list[dict[str, Any]], positions: Sequence[plan.Position], at: datetime
    ) -> tuple[Found, plan.Position]:
        """The people of these steps; if none, of the following steps of the same cycle.

        Returns who was found and the position that paged (the last one tried).
        """
        found = Found()
        for position in positions:
            self.resolve(steps[position.step]["targets"], at, found)
        last = positions[-1]
        while not found.person_ids and last.step + 1 < len(steps):
            found.fell_through.append(last.step)
            last = plan.Position(last.cycle, last.step + 1)
            self.resolve(steps[last.step]["targets"], at, found)
        return found, last
