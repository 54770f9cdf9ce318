"""When each step of a frozen policy fires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from execflow.respond.escalation import plan

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STEPS = [
    {"delay_minutes": 0, "targets": []},
    {"delay_minutes": 2.5, "targets": []},
    {"delay_minutes": 10, "targets": []},
]


def test_steps_fire_after_their_delays_then_repeat_then_stop() -> None:
    position, at = plan.first(STEPS, T0)
    fired = [(position, at)]
    while (nxt := plan.following(STEPS, 1, position, at)) is not None:
        position, at = nxt
        fired.append(nxt)
    assert [(p.cycle, p.step) for p, _ in fired] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    offsets = [(at - T0).total_seconds() / 60 for _, at in fired]
    assert offsets == [0, 2.5, 12.5, 17.5, 20, 30]


def test_a_first_delay_is_honoured() -> None:
    steps = [{"delay_minutes": 1.5, "targets": []}]
    assert plan.first(steps, T0)[1] == T0 + timedelta(minutes=1.5)
    assert plan.following(steps, 0, plan.Position(0, 0), T0) is None
