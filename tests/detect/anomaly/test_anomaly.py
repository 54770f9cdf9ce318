"""The streaming detector: causal, quiet on steady data, alerts on a real change; the CLI."""

from __future__ import annotations

import io
import json
import math
import random
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from execflow.detect.anomaly.detector import Settings, State, update
from execflow.detect.anomaly.score_csv import score_stream

OLD_STATE_FIELDS = {"seen", "mean", "var", "short_raw", "raw_mean", "raw_var", "low", "high"}
FIVE_MINUTES = 300.0
START = 1_396_310_400.0  # 2014-04-01 00:00 UTC


def _scores(
    values: list[float], timed: bool = False, settings: Settings | None = None
) -> list[tuple[float, bool]]:
    state = State()
    if not timed:
        return [update(state, v, settings) for v in values]
    return [update(state, v, settings, START + i * FIVE_MINUTES) for i, v in enumerate(values)]


def _alerts(values: list[float], timed: bool = True) -> list[int]:
    return [i for i, (_, alert) in enumerate(_scores(values, timed)) if alert]


def _daily(n: int, noise: float, seed: int = 3) -> list[float]:
    rng = random.Random(seed)
    return [50 + 20 * math.sin(2 * math.pi * i / 288) + rng.gauss(0, noise) for i in range(n)]


def test_a_steady_daily_pattern_raises_no_alert() -> None:
    assert not _alerts(_daily(3000, 0.5))


def test_a_day_that_breaks_the_daily_pattern_raises_an_alert_that_day() -> None:
    """The values stay within the usual range; only yesterday says they are wrong."""
    values = _daily(3000, 0.5)
    flat = range(2016, 2016 + 144)  # half of day 8 holds still at the daily mean
    for i in flat:
        values[i] = 50 + random.Random(i).gauss(0, 0.5)
    alerts = _alerts(values)
    assert alerts and flat.start <= alerts[0] < flat.stop
    untimed = [i for i in _alerts(values, timed=False) if i in flat]
    assert not untimed, "without timestamps there is no seasonal model to tell"


def test_a_value_stuck_for_longer_than_ever_raises_an_alert() -> None:
    rng = random.Random(5)
    values = [rng.choice([1.0, 2.0, 3.0]) for _ in range(1000)]
    values[800:] = [2.0] * 200
    alerts = _alerts(values)
    assert alerts and 800 <= alerts[0] <= 830
    assert not _alerts([7.0] * 1000), "a series that never moved is not stuck"


def test_a_series_moving_more_than_ever_raises_an_alert_inside_its_range() -> None:
    """A slow triangle from 0 to 10, then swings between 3 and 7: no new extreme, no odd level."""
    values = [abs((i % 100) - 50) / 5 for i in range(1500)] + [3.0, 7.0] * 100
    alerts = _alerts(values, timed=False)
    assert alerts and 1500 <= alerts[0] <= 1505
    calm = [
        i for i, (_, alert) in enumerate(_scores(values, settings=Settings(volatility=0))) if alert
    ]
    assert not calm, "without volatility records nothing else would tell"


def test_a_state_saved_before_volatility_records_learns_them_before_using_them() -> None:
    values = [abs((i % 100) - 50) / 5 for i in range(1500)]
    state = State()
    for value in values[:1000]:
        update(state, value)
    saved = {k: v for k, v in state.as_json().items() if not k.startswith("volatility")}
    restored = State.from_json(saved)
    assert restored.volatility_high == 0.0
    alerts = [i for i, v in enumerate(values[1000:]) if update(restored, v)[1]]
    assert not alerts, "the step average rising from zero is not the series getting jumpy"


def test_a_jump_raises_an_alert_soon_after() -> None:
    values = _daily(3000, 0.5)
    values[2000:] = [v + 60 for v in values[2000:]]
    alerts = _alerts(values)
    assert alerts and 2000 <= alerts[0] <= 2010


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=400), st.integers(1, 399)
)
def test_the_detector_is_causal_and_bounded(values: list[float], cut: int) -> None:
    whole = _scores(values)
    prefix = _scores(values[:cut])
    assert whole[: len(prefix)] == prefix
    assert all(0.0 <= score <= 1.0 for score, _ in whole)


def test_state_is_bounded_and_round_trips() -> None:
    state = State()
    for i, value in enumerate(_daily(5000, 1.0)):
        update(state, value, None, START + i * FIVE_MINUTES)
        if i == 3000:
            size = len(json.dumps(state.as_json()))
    restored = State.from_json(json.loads(json.dumps(state.as_json())))
    assert restored == state
    assert state.period == 288 and len(state.ring) == 288
    assert len(json.dumps(state.as_json())) <= size * 1.1
    older = {k: v for k, v in State().as_json().items() if k in OLD_STATE_FIELDS}
    assert State.from_json(older) == State()


def test_series_too_fine_for_a_daily_ring_go_without_it() -> None:
    state = State()
    for i in range(200):
        update(state, float(i % 7), None, START + i * 10.0)  # 10 s: 8,640 points a day
    assert state.period == -1 and state.ring == []


def test_csv_timestamps_may_be_iso_or_unix_seconds() -> None:
    def scored(stamp: Callable[[int], str]) -> list[str]:
        rows = "".join(f"{stamp(i)},{v}\n" for i, v in enumerate(_daily(700, 0.5)))
        sink = io.StringIO()
        score_stream(io.StringIO("timestamp,value\n" + rows), sink)
        return [line.split(",", 1)[1] for line in sink.getvalue().splitlines()[1:]]

    def iso(i: int) -> str:
        return datetime.fromtimestamp(START + i * FIVE_MINUTES, UTC).strftime("%Y-%m-%d %H:%M:%S")

    assert scored(iso) == scored(lambda i: str(START + i * FIVE_MINUTES))


def test_csv_streaming_format() -> None:
    source = io.StringIO("timestamp,value\n2014-01-01 00:00:00,1.5\n2014-01-01 00:05:00,2\n")
    sink = io.StringIO()
    assert score_stream(source, sink) == 2
    lines = sink.getvalue().splitlines()
    assert lines[0] == "timestamp,value,anomaly_score,alert"
    assert lines[1].startswith("2014-01-01 00:00:00,1.5,")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "execflow", "anomaly", "score", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_scores_a_file_and_refuses_bad_input(tmp_path: Path) -> None:
    good = tmp_path / "in.csv"
    good.write_text(
        "timestamp,value\n"
        + "".join(f"2014-01-01 00:{i % 60:02d}:00,{v}\n" for i, v in enumerate(_daily(500, 0.5)))
    )
    out = tmp_path / "out.csv"
    assert _cli(str(good), "--out", str(out)).returncode == 0
    assert len(out.read_text().splitlines()) == 501
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,value\n2014-01-01 00:00:00,abc\n")
    undated = tmp_path / "undated.csv"
    undated.write_text("timestamp,value\nyesterday,1\n")
    infinite = tmp_path / "infinite.csv"
    infinite.write_text("timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,nan\n")
    missing = str(tmp_path / "missing.csv")
    for args in ([str(bad)], [str(undated)], [str(infinite)], [missing], [str(out.parent)]):
        result = _cli(*args)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr
    before = out.read_text()
    result = _cli(str(infinite), "--out", str(out))
    assert result.returncode == 2 and "line 3" in result.stderr
    assert out.read_text() == before, "a bad input leaves OUT as it was"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.csv", "out.csv", "bad.csv", "undated.csv", "infinite.csv"]
    ), "and no partial file behind"
