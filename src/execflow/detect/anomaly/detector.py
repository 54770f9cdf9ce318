"""A causal streaming detector for one metric series. Pure; bounded memory; never looks ahead.

Each point gets a deviation z against slow running statistics: against the level, and,
once the daily period is known from the timestamps and a day has been seen, against the
same time yesterday (used when that fits the series better than the level does). The
deviations are smoothed at two speeds and each average is turned into a likelihood by
comparing it with its own long-term distribution, so a burst of odd points and a slow
drift both show. Three more signals need no statistics: a new extreme (beyond everything
seen so far by a margin), a volatility record (the smoothed size of the steps between
points passing its own record by a margin and half again its long-run average: the series
moves more than it ever has, even inside its usual range) and a value stuck for longer
than any earlier run of equal values.

An alert is raised when a likelihood passes the threshold, at most once per quiet period;
a new extreme, a volatility record or a stuck value may alert again after a short pause.
Nothing fires during the warm-up, which lasts at least one season once the period is
known. Memory per series is a few numbers plus, for seasonality, one value per point of a
day (at most `max_period`; finer series go without the seasonal model).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

STEPS_FOR_PERIOD = 5  # intervals whose median sets the sampling step, hence the period
RATES = ("slow", "short", "drift", "history")  # smoothing rates, in (0, 1]
COUNTS = ("warmup", "quiet", "pause", "max_period", "stuck_points")  # points, >= 0
SIZES = ("extreme_margin", "volatility_margin", "volatility_factor", "season_seconds")


@dataclass(frozen=True)
class Settings:
    """Per-series knobs; the defaults are the product's own decision."""

    warmup: int = 150
    slow: float = 0.005
    short: float = 0.2
    drift: float = 0.02
    history: float = 0.002
    threshold: float = 0.999
    quiet: int = 100
    pause: int = 20
    extreme_margin: float = 0.02
    season_seconds: float = 86_400.0
    max_period: int = 1440
    stuck_points: int = 12
    volatility: float = 0.03  # smoothing of |step|; 0 turns volatility records off
    volatility_margin: float = 0.02
    volatility_factor: float = 1.5  # a record must also be this many times the long-run average

    def __post_init__(self) -> None:
        """Refuse values the detector cannot work with (NaN scores, overflow, no learning)."""
        for name in RATES:
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in (0, 1]")
        if not 0 <= self.volatility <= 1:
            raise ValueError("volatility must be in [0, 1] (0 turns volatility records off)")
        if not 0 < self.threshold < 1:
            raise ValueError("threshold must be between 0 and 1")
        for name in COUNTS:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        for name in SIZES:
            if not 0 <= getattr(self, name) < math.inf:
                raise ValueError(f"{name} must be a finite number, 0 or more")


DEFAULTS = Settings()


@dataclass
class State:
    """Everything the detector remembers about one series."""

    seen: int = 0
    mean: float = 0.0
    var: float = 0.0
    short_raw: float = 0.0
    raw_mean: float = 0.0
    raw_var: float = 0.0
    drift_raw: float = 0.0
    drift_mean: float = 0.0
    drift_var: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    since_alert: int = 1_000_000
    last_ts: float | None = None
    steps: list[float] = field(default_factory=list)
    period: int = 0  # points per season; 0 while unknown, -1 when there is none
    ring: list[float] = field(default_factory=list)
    ring_pos: int = 0
    residuals: int = 0
    season_mean: float = 0.0
    season_var: float = 0.0
    last_value: float | None = None
    run: int = 0
    longest: int = 0
    volatility: float = 0.0
    volatility_high: float = 0.0
    volatility_mean: float = 0.0
    volatility_steps: int = 0  # its own count: a state saved before it existed learns it anew

    def as_json(self) -> dict[str, Any]:
        """For storing between points."""
        data = asdict(self)
        for key in ("low", "high"):
            if math.isinf(data[key]):
                data[key] = None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        """Back from storage (a state saved by an older release gets the new fields' defaults)."""
        values = dict(data)
        values["low"] = math.inf if values.get("low") is None else values["low"]
        values["high"] = -math.inf if values.get("high") is None else values["high"]
        return cls(**values)


def _tail(z: float) -> float:
    """P(Z < z) for a standard normal."""
    return 0.5 * math.erfc(-z / math.sqrt(2))


def _ewm(mean: float, var: float, x: float, rate: float) -> tuple[float, float]:
    """One step of an exponentially weighted mean and variance."""
    delta = x - mean
    return mean + rate * delta, (1 - rate) * (var + rate * delta * delta)


def _learn_period(state: State, timestamp: float | None, conf: Settings) -> None:
    """Set the season's length in points from the median of the first sampling intervals."""
    if state.period or timestamp is None or conf.season_seconds <= 0:
        return
    if state.last_ts is not None and timestamp > state.last_ts:
        state.steps.append(timestamp - state.last_ts)
    state.last_ts = timestamp
    if len(state.steps) >= STEPS_FOR_PERIOD:
        points = round(conf.season_seconds / statistics.median(state.steps))
        state.period = points if 2 <= points <= conf.max_period else -1
        state.steps = []


def _seasonal_z(state: State, value: float, floor: float, conf: Settings) -> float | None:
    """Deviation from the same point one season ago; None until a season of residuals."""
    if state.period <= 0:
        return None
    if len(state.ring) < state.period:
        state.ring.append(value)
        return None
    residual = value - state.ring[state.ring_pos]
    state.ring[state.ring_pos] = value
    state.ring_pos = (state.ring_pos + 1) % state.period
    spread = math.sqrt(state.season_var) if state.season_var > 0 else 0.0
    z = abs(residual - state.season_mean) / max(spread, floor)
    state.season_mean, state.season_var = _ewm(
        state.season_mean, state.season_var, residual, conf.slow
    )
    state.residuals += 1
    if state.residuals <= state.period or state.season_var >= state.var:
        return None
    return z


def _stuck(state: State, value: float, conf: Settings) -> bool:
    """Whether value has now repeated for longer than any earlier run (and stuck_points)."""
    if value == state.last_value:
        state.run += 1
        return state.longest > 0 and state.run == max(conf.stuck_points, state.longest) + 1
    state.longest = max(state.longest, state.run)
    state.last_value, state.run = value, 1
    return False


def _volatility_record(state: State, value: float, conf: Settings) -> bool:
    """Whether the smoothed step size sets a clear record (call before _stuck moves on)."""
    if state.last_value is None or conf.volatility <= 0:
        return False
    state.volatility_steps += 1
    step = abs(value - state.last_value)
    state.volatility += conf.volatility * (step - state.volatility)
    high, usual = state.volatility_high, state.volatility_mean
    state.volatility_high = max(high, state.volatility)
    # a plain average at first, so the early points do not make the usual look small
    rate = max(conf.history, 1 / state.volatility_steps)
    state.volatility_mean += rate * (state.volatility - usual)
    return (
        state.volatility_steps > conf.warmup
        and high > 0
        and state.volatility > high * (1 + conf.volatility_margin)
        and state.volatility > conf.volatility_factor * usual
    )


def _likelihood(state: State, raw: float, conf: Settings) -> float:
    """How unusual the recent raw scores are, at a fast and a slow smoothing."""
    state.short_raw += conf.short * (raw - state.short_raw)
    state.drift_raw += conf.drift * (raw - state.drift_raw)
    fast_std = math.sqrt(state.raw_var) if state.raw_var > 0 else 0.0
    slow_std = math.sqrt(state.drift_var) if state.drift_var > 0 else 0.0
    fast = _tail((state.short_raw - state.raw_mean) / max(fast_std, 0.02))
    slow = _tail((state.drift_raw - state.drift_mean) / max(slow_std, 0.01))
    state.raw_mean, state.raw_var = _ewm(state.raw_mean, state.raw_var, raw, conf.history)
    state.drift_mean, state.drift_var = _ewm(
        state.drift_mean, state.drift_var, state.drift_raw, conf.history
    )
    return max(fast, slow)


def update(
    state: State, value: float, settings: Settings | None = None, timestamp: float | None = None
) -> tuple[float, bool]:
    """Feed one point (timestamp in seconds, for the seasonal model); returns (score, alert)."""
    conf = settings or DEFAULTS
    state.seen += 1
    state.since_alert += 1
    _learn_period(state, timestamp, conf)
    jumpy = _volatility_record(state, value, conf)
    stuck = _stuck(state, value, conf)
    if state.seen == 1:
        state.mean, state.low, state.high = value, value, value
        _seasonal_z(state, value, 1e-9, conf)
        return 0.0, False
    spread = math.sqrt(state.var) if state.var > 0 else 0.0
    span = state.high - state.low
    floor = max(1e-9, 0.01 * abs(state.mean), 0.02 * span)
    z = abs(value - state.mean) / max(spread, floor)
    seasonal = _seasonal_z(state, value, floor, conf)
    if seasonal is not None:
        z = max(z, seasonal)
    raw = 1.0 - math.exp(-z * z / 8.0)
    margin = conf.extreme_margin * span
    extreme = span > 0 and (value > state.high + margin or value < state.low - margin)
    likelihood = _likelihood(state, raw, conf) if state.seen > 2 else 0.0
    state.mean, state.var = _ewm(state.mean, state.var, value, conf.slow)
    state.low, state.high = min(state.low, value), max(state.high, value)

    learned = state.seen > max(conf.warmup, state.period)  # and a whole season, once known
    sudden = extreme or jumpy or stuck
    alert = learned and (
        (state.since_alert > conf.quiet and likelihood >= conf.threshold)
        or (sudden and state.since_alert > conf.pause)
    )
    if alert:
        state.since_alert = 0
    score = max(likelihood, 0.999 if learned and sudden else 0.0)
    return score, alert
