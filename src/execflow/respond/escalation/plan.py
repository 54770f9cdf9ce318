"""When each step of a frozen policy fires; pure, no I/O.

Step 0 fires `delay_minutes` after the trigger; each later step fires its own delay after
the step before. After the last step the policy starts over, up to `repeat` more times,
waiting the first step's delay but at least REPEAT_MIN_WAIT, so a page nobody answered is
not re-sent in the same instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

REPEAT_MIN_WAIT = timedelta(minutes=5)


@dataclass(frozen=True)
class Position:
    """A step of a cycle of the policy."""

    cycle: int
    step: int


def delay(steps: list[dict[str, Any]], step: int) -> timedelta:
    """The wait before a step."""
    return timedelta(minutes=float(steps[step]["delay_minutes"]))


def first(steps: list[dict[str, Any]], triggered_at: datetime) -> tuple[Position, datetime]:
    """The first step and when it fires."""
    return Position(0, 0), triggered_at + delay(steps, 0)


def following(
    steps: list[dict[str, Any]], repeat: int, at: Position, fired_at: datetime
) -> tuple[Position, datetime] | None:
    """The step after `at` (fired at fired_at) and when it fires; None when the policy ends."""
    if at.step + 1 < len(steps):
        nxt = Position(at.cycle, at.step + 1)
        return nxt, fired_at + delay(steps, nxt.step)
    if at.cycle < repeat:
        return Position(at.cycle + 1, 0), fired_at + max(delay(steps, 0), REPEAT_MIN_WAIT)
    return None
