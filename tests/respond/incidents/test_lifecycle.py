"""The lifecycle table: every status and action, allowed or refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from execflow.respond.incidents.lifecycle import Action, Lifecycle, Refused, Status, is_open

T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        (Status.TRIGGERED, Action.ACKNOWLEDGE, Status.ACKNOWLEDGED),
        (Status.TRIGGERED, Action.RESOLVE, Status.RESOLVED),
        (Status.ACKNOWLEDGED, Action.RESOLVE, Status.RESOLVED),
        (Status.ACKNOWLEDGED, Action.ACKNOWLEDGE, None),
        (Status.RESOLVED, Action.ACKNOWLEDGE, None),
        (Status.RESOLVED, Action.RESOLVE, None),
    ],
)
def test_every_transition(status: Status, action: Action, after: Status | None) -> None:
    start = Lifecycle(status)
    if after is None:
        with pytest.raises(Refused):
            start.apply(action, T)
        return
    moved = start.apply(action, T)
    assert moved.status is after
    stamped = moved.acknowledged_at if action is Action.ACKNOWLEDGE else moved.resolved_at
    assert stamped == T


def test_open_means_not_resolved() -> None:
    assert [s for s in Status if is_open(s)] == [Status.TRIGGERED, Status.ACKNOWLEDGED]
