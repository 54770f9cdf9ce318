"""A causal streaming detector: z-scores against slow running statistics, turned into a
likelihood by comparing their short-term average with their long-term distribution, plus a
"new extreme" signal; alerts are rate-limited by a quiet period. Pure; O(1) memory.

It never looks ahead: every decision uses only the points seen so far.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Settings:
    """Per-series knobs; the defaults are the product's own decision."""

    warmup: int = 300
    slow: float = 0.005
    short: float = 0.2
    history: float = 0.002
    threshold: float = 0.999
    quiet: int = 100
    extreme_margin: float = 0.02


@dataclass
class State:
    """Everything the detector remembers about one series."""

    seen: int = 0
    mean: float = 0.0
    var: float = 0.0
    short_raw: float = 0.0
    raw_mean: float = 0.0
    raw_var: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    since_alert: int = 1_000_000

    def as_json(self) -> dict[str, Any]:
        """For storing between points."""
        data = asdict(self)
        for key in ("low", "high"):
            if math.isinf(data[key]):
                data[key] = None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        """Back from storage."""
        values = dict(data)
        values["low"] = math.inf if values.get("low") is None else values["low"]
        values["high"] = -math.inf if values.get("high") is None else values["high"]
        return cls(**values)


def _tail(z: float) -> float:
    """P(Z < z) for a standard normal."""
    return 0.5 * math.erfc(-z / math.sqrt(2))


def update(state: State, value: float, settings: Settings | None = None) -> tuple[float, bool]:
    """Feed one point; returns (score in [0, 1], alert)."""
    conf = settings or Settings()
    state.seen += 1
    state.since_alert += 1
    if state.seen == 1:
        state.mean, state.low, state.high = value, value, value
        return 0.0, False
    spread = math.sqrt(state.var) if state.var > 0 else 0.0
    span = state.high - state.low
    floor = max(1e-9, 0.01 * abs(state.mean), 0.02 * span)
    z = abs(value - state.mean) / max(spread, floor)
    raw = 1.0 - math.exp(-z * z / 8.0)
    extreme = (
        state.seen > conf.warmup
        and span > 0
        and (
            value > state.high + conf.extreme_margin * span
            or value < state.low - conf.extreme_margin * span
        )
    )

    state.short_raw += conf.short * (raw - state.short_raw)
    deviation = state.short_raw - state.raw_mean
    raw_std = math.sqrt(state.raw_var) if state.raw_var > 0 else 0.0
    likelihood = _tail(deviation / max(raw_std, 0.02)) if state.seen > 2 else 0.0
    score = max(likelihood, 0.999 if extreme else 0.0)

    delta = value - state.mean
    state.mean += conf.slow * delta
    state.var = (1 - conf.slow) * (state.var + conf.slow * delta * delta)
    raw_delta = raw - state.raw_mean
    state.raw_mean += conf.history * raw_delta
    state.raw_var = (1 - conf.history) * (state.raw_var + conf.history * raw_delta * raw_delta)
    state.low, state.high = min(state.low, value), max(state.high, value)

    alert = (
        state.seen > conf.warmup
        and state.since_alert > conf.quiet
        and (likelihood >= conf.threshold or extreme)
    )
    if alert:
        state.since_alert = 0
    return score, alert
