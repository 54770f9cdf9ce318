"""Every deadline of the severity policy, met and breached, from facts and a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from execflow.respond.incidents.deadlines import Facts, deadlines
from execflow.respond.severity import Severity

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("severity", "window"),
    [
        (Severity.P1, timedelta(minutes=15)),
        (Severity.P2, timedelta(hours=1)),
        (Severity.P3, timedelta(hours=4)),
        (Severity.P4, timedelta(hours=48)),
    ],
)
def test_acknowledge_deadline(severity: Severity, window: timedelta) -> None:
    facts = Facts(severity, T0)
    assert deadlines(facts, T0 + window - MIN)["acknowledge"].state == "pending"
    assert deadlines(facts, T0 + window)["acknowledge"].state == "breached"
    met = Facts(severity, T0, acknowledged_at=T0 + window)
    assert deadlines(met, T0 + 10 * window)["acknowledge"].state == "met"
    late = Facts(severity, T0, acknowledged_at=T0 + window + MIN)
    assert deadlines(late, T0 + 10 * window)["acknowledge"].state == "breached"


def test_commander_only_for_p1() -> None:
    assert "commander" not in deadlines(Facts(Severity.P2, T0), T0)
    assert deadlines(Facts(Severity.P1, T0), T0 + 15 * MIN)["commander"].state == "breached"
    named = Facts(Severity.P1, T0, commander_at=T0 + 14 * MIN)
    assert deadlines(named, T0 + 60 * MIN)["commander"].state == "met"


def test_status_page_counts_from_acknowledgement_for_p1_p2() -> None:
    assert "status_page" not in deadlines(Facts(Severity.P3, T0), T0)
    waiting = deadlines(Facts(Severity.P2, T0), T0 + timedelta(days=1))["status_page"]
    assert waiting.state == "pending" and waiting.due_at is None
    acked = Facts(Severity.P2, T0, acknowledged_at=T0 + 30 * MIN)
    assert deadlines(acked, T0 + 44 * MIN)["status_page"].state == "pending"
    assert deadlines(acked, T0 + 45 * MIN)["status_page"].state == "breached"
    updated = Facts(Severity.P2, T0, acknowledged_at=T0 + 30 * MIN, first_update_at=T0 + 40 * MIN)
    assert deadlines(updated, T0 + timedelta(days=1))["status_page"].state == "met"


def test_postmortem_due_72_hours_after_resolution() -> None:
    resolved = Facts(Severity.P1, T0, acknowledged_at=T0, resolved_at=T0 + timedelta(hours=2))
    due = T0 + timedelta(hours=74)
    assert deadlines(resolved, due - MIN)["postmortem"].state == "pending"
    assert deadlines(resolved, due)["postmortem"].state == "breached"
    published = Facts(Severity.P1, T0, resolved_at=T0, postmortem_at=T0 + timedelta(hours=71))
    assert deadlines(published, T0 + timedelta(days=9))["postmortem"].state == "met"
    assert "postmortem" not in deadlines(Facts(Severity.P4, T0), T0)


def test_resolving_without_acknowledging_answers_the_page() -> None:
    quick = Facts(Severity.P3, T0, resolved_at=T0 + MIN)
    assert deadlines(quick, T0 + timedelta(days=2))["acknowledge"].state == "met"
