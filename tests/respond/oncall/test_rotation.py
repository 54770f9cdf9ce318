"""Rotations hand off at local wall-clock times, across both daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execflow.respond.oncall.rotation import (
    Layer,
    Override,
    Restriction,
    Rota,
    parse_duration,
)

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def _daily(zone: ZoneInfo) -> Rota:
    layer = Layer(datetime(2026, 1, 5, 9, 0), timedelta(days=1), ("ann", "ben", "cat"))
    return Rota(zone, (layer,))


def _local(zone: ZoneInfo, moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=zone)


@pytest.mark.parametrize(
    ("zone", "change"),
    [
        (BERLIN, (2026, 3, 29)),  # spring forward: 02:00 -> 03:00
        (BERLIN, (2026, 10, 25)),  # fall back: 03:00 -> 02:00
        (NEW_YORK, (2026, 3, 8)),  # spring forward
        (NEW_YORK, (2026, 11, 1)),  # fall back
    ],
)
def test_daily_handoff_stays_at_nine_local_across_dst(
    zone: ZoneInfo, change: tuple[int, int, int]
) -> None:
    rota = _daily(zone)
    day_before = datetime(*change, tzinfo=zone) - timedelta(days=1)
    handoffs = []
    for offset in range(3):
        day = (day_before + timedelta(days=offset)).date()
        nine = datetime.combine(day, time(9, 0), tzinfo=zone)
        before, after = rota.on_call(nine - timedelta(minutes=1)), rota.on_call(nine)
        assert before is not None and after is not None
        assert before.person_id != after.person_id, f"handoff at 09:00 local on {day}"
        handoffs.append(nine.astimezone(UTC))
    lengths = {handoffs[1] - handoffs[0], handoffs[2] - handoffs[1]}
    assert lengths == {timedelta(hours=24), timedelta(hours=23)} or lengths == {
        timedelta(hours=24),
        timedelta(hours=25),
    }
    shifts = rota.shifts(handoffs[0], handoffs[2])
    assert [s.start for s in shifts] == handoffs[:2]
    assert all(s.start.astimezone(zone).time() == time(9, 0) for s in shifts)


def test_weekly_rotation_in_new_york_keeps_monday_nine() -> None:
    layer = Layer(datetime(2026, 2, 2, 9, 0), timedelta(weeks=1), ("ann", "ben"))
    rota = Rota(NEW_YORK, (layer,))
    monday_after_change = _local(NEW_YORK, "2026-03-09T09:00")
    # Five weekly turns after 2 Feb: ann, ben, ann, ben, ann, then ben from 9 March 09:00 EDT.
    assert rota.on_call(monday_after_change - timedelta(minutes=1)).person_id == "ann"  # type: ignore[union-attr]
    assert rota.on_call(monday_after_change).person_id == "ben"  # type: ignore[union-attr]


def test_higher_layers_beat_lower_and_overrides_beat_all() -> None:
    base = Layer(datetime(2026, 1, 1), timedelta(days=1), ("ann",))
    business = Layer(
        datetime(2026, 1, 1),
        timedelta(days=7),
        ("ben",),
        (Restriction((0, 1, 2, 3, 4), time(9, 0), time(17, 0)),),
    )
    cover = Override(
        datetime(2026, 3, 4, 10, tzinfo=UTC), datetime(2026, 3, 4, 11, tzinfo=UTC), "cat"
    )
    rota = Rota(ZoneInfo("UTC"), (base, business), (cover,))
    wednesday = datetime(2026, 3, 4, tzinfo=UTC)
    assert rota.on_call(wednesday.replace(hour=8)).person_id == "ann"  # type: ignore[union-attr]
    answer = rota.on_call(wednesday.replace(hour=9))
    assert answer is not None and (answer.person_id, answer.layer) == ("ben", 1)
    assert rota.on_call(wednesday.replace(hour=10, minute=30)).source == "override"  # type: ignore[union-attr]
    assert rota.on_call(datetime(2026, 3, 7, 12, tzinfo=UTC)).person_id == "ann"  # type: ignore[union-attr]


def test_overnight_restriction_covers_after_midnight() -> None:
    nights = Restriction((4,), time(22, 0), time(6, 0))  # Friday 22:00 to Saturday 06:00
    rota = Rota(BERLIN, (Layer(datetime(2026, 1, 1), timedelta(days=1), ("owl",), (nights,)),))
    assert rota.on_call(_local(BERLIN, "2026-03-06T23:00")) is not None  # Friday night
    assert rota.on_call(_local(BERLIN, "2026-03-07T05:59")) is not None  # Saturday early
    assert rota.on_call(_local(BERLIN, "2026-03-07T06:00")) is None
    assert rota.on_call(_local(BERLIN, "2026-03-05T23:00")) is None  # Thursday night


def test_nobody_before_the_layer_starts() -> None:
    assert _daily(BERLIN).on_call(datetime(2025, 12, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P1W", timedelta(weeks=1)),
        ("P1D", timedelta(days=1)),
        ("PT12H", timedelta(hours=12)),
        ("P2DT6H", timedelta(days=2, hours=6)),
        ("PT90M", timedelta(minutes=90)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P1M", "P1Y", "1D", "P", "PT", "P1DT", "PT30S", "P-1D", "weekly"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@settings(max_examples=60, deadline=None)
@given(
    start_hours=st.integers(0, 24 * 400),
    span_hours=st.integers(1, 24 * 30),
    zone=st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("UTC")]),
    data=st.data(),
)
def test_shifts_agree_with_on_call(
    start_hours: int, span_hours: int, zone: ZoneInfo, data: st.DataObject
) -> None:
    layer = Layer(
        datetime(2026, 1, 5, 9, 0),
        timedelta(hours=12),
        ("ann", "ben", "cat"),
        (Restriction((0, 1, 2, 3, 4), time(8, 0), time(20, 0)),),
    )
    rota = Rota(zone, (Layer(datetime(2026, 1, 1), timedelta(days=1), ("dan", "eve")), layer))
    start = datetime(2026, 1, 3, tzinfo=UTC) + timedelta(hours=start_hours)
    end = start + timedelta(hours=span_hours)
    shifts = rota.shifts(start, end)
    assert shifts[0].start == start and shifts[-1].end == end
    for shift in shifts:
        probe = shift.start + (shift.end - shift.start) * data.draw(st.floats(0, 0.999))
        assert rota.on_call(probe).person_id == shift.person_id  # type: ignore[union-attr]
