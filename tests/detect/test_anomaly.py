"""The streaming detector: causal, quiet on steady data, alerts on a real change; the CLI."""

from __future__ import annotations

import io
import math
import random
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from execflow.detect.anomaly.detector import State, update
from execflow.detect.anomaly.score_csv import score_stream


def _scores(values: list[float]) -> list[tuple[float, bool]]:
    state = State()
    return [update(state, v) for v in values]


def _daily(n: int, noise: float, seed: int = 3) -> list[float]:
    rng = random.Random(seed)
    return [50 + 20 * math.sin(2 * math.pi * i / 288) + rng.gauss(0, noise) for i in range(n)]


def test_a_steady_daily_pattern_raises_no_alert() -> None:
    assert not any(alert for _, alert in _scores(_daily(3000, 0.5)))


def test_a_jump_raises_an_alert_soon_after() -> None:
    values = _daily(3000, 0.5)
    values[2000:] = [v + 60 for v in values[2000:]]
    alerts = [i for i, (_, alert) in enumerate(_scores(values)) if alert]
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


def test_state_is_constant_size_and_round_trips() -> None:
    state = State()
    for value in _daily(5000, 1.0):
        update(state, value)
    restored = State.from_json(state.as_json())
    assert restored == state
    assert len(state.as_json()) == len(State().as_json())


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
    for args in ([str(bad)], [str(tmp_path / "missing.csv")], [str(out.parent)]):
        result = _cli(*args)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr
