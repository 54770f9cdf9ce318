"""Every deadline of the severity policy, met and breached, from facts and a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from execflow.respond.incidents.deadlines import Facts, deadlines, retime
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


def test_resolving_a_p1_answers_the_commander_deadline() -> None:
    cleared = Facts(Severity.P1, T0, resolved_at=T0 + 3 * MIN)
    assert deadlines(cleared, T0 + timedelta(hours=1))["commander"].state == "met"
    late = Facts(Severity.P1, T0, resolved_at=T0 + 20 * MIN)
    assert deadlines(late, T0 + timedelta(hours=1))["commander"].state == "breached"


def test_a_logged_outcome_stands_whatever_the_facts_say() -> None:
    settled = {"acknowledge": "breached"}
    acked_later = Facts(Severity.P2, T0, acknowledged_at=T0 + 90 * MIN, settled=settled)
    assert deadlines(acked_later, T0 + timedelta(days=1))["acknowledge"].state == "breached"
    downgraded = Facts(Severity.P4, T0, settled={"commander": "breached"})
    kept = deadlines(downgraded, T0 + 20 * MIN)
    assert kept["commander"].state == "breached", "a downgrade does not drop a logged breach"
    assert "commander" not in deadlines(Facts(Severity.P4, T0), T0 + 20 * MIN)


def test_a_raise_gives_the_new_window_from_the_raise_never_more_time() -> None:
    p4 = Facts(Severity.P4, T0)
    raised = T0 + 14 * MIN + timedelta(seconds=44)
    ack, commander = retime(p4, Severity.P1, raised)
    assert ack == raised + 15 * MIN and commander == raised + 15 * MIN
    p2 = Facts(Severity.P2, T0)
    ack, commander = retime(p2, Severity.P1, T0 + 50 * MIN)
    assert ack == T0 + 60 * MIN, "the P2 hour ends before the P1 quarter would"
    assert commander == T0 + 65 * MIN


def test_a_downgrade_gives_the_new_window_from_the_start_never_less_time() -> None:
    p1 = Facts(Severity.P1, T0)
    ack, commander = retime(p1, Severity.P3, T0 + 5 * MIN)
    assert ack == T0 + timedelta(hours=4) and commander is None
    answered = Facts(Severity.P1, T0, acknowledged_at=T0 + MIN)
    assert retime(answered, Severity.P3, T0 + 5 * MIN)[0] == T0 + 15 * MIN
    breached = Facts(Severity.P1, T0, settled={"commander": "breached"})
    assert retime(breached, Severity.P3, T0 + 20 * MIN)[1] == T0 + 15 * MIN
