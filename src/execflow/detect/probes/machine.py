"""The monitor state machine; pure.

A monitor goes down after `failures_before_down` consecutive failed checks and back up
after `successes_before_up` consecutive passing ones; a passing check slower than the
latency limit counts as degraded. Only a change of state is a transition.
"""

from __future__ import annotations

from dataclasses import dataclass

UP, DOWN, DEGRADED, UNKNOWN = "up", "down", "degraded", "unknown"


@dataclass(frozen=True)
class Counters:
    """What the machine remembers between checks."""

    state: str
    failures: int
    successes: int


def step(
    before: Counters,
    *,
    ok: bool,
    degraded: bool,
    failures_before_down: int,
    successes_before_up: int,
) -> Counters:
    """The state after one check."""
    if not ok:
        failures = before.failures + 1
        state = DOWN if failures >= failures_before_down else before.state
        return Counters(state, failures, 0)
    successes = before.successes + 1
    if before.state == DOWN and successes < successes_before_up:
        return Counters(DOWN, 0, successes)
    return Counters(DEGRADED if degraded else UP, 0, successes)
