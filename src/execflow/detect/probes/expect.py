"""What each monitor kind's `expect` may hold, checked when a monitor is created.

A misspelt key or a number given as text would otherwise surface only at check time, as a
monitor that is always down ("check error") and pages someone for a typo.
"""

from __future__ import annotations

import math
from typing import Any

_HTTP = {"status", "max_latency_ms", "json_path", "json_value"}
KEYS: dict[str, set[str]] = {
    "http": _HTTP,
    "keyword": _HTTP | {"keyword", "absent"},
    "tcp": set(),
    "tls": {"min_days", "verify"},
    "dns": {"value"},
    "heartbeat": {"grace_seconds"},
}
REQUIRED = {"keyword": "keyword"}
_POSITIVE = ("max_latency_ms",)
_NOT_NEGATIVE = ("min_days", "grace_seconds")
_TEXT = ("json_path", "keyword", "value")
_FLAGS = ("absent", "verify")


def _number(value: Any) -> float | None:
    """The value as a finite number, or None (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def problem(kind: str, expect: dict[str, Any]) -> str | None:
    """The first thing wrong with expect for this kind, or None."""
    allowed = KEYS.get(kind, set())
    needed = REQUIRED.get(kind)
    if needed is not None and needed not in expect:
        return f"a {kind} monitor needs expect.{needed}"
    unknown = sorted(set(expect) - allowed)
    if unknown:
        takes = ", ".join(sorted(allowed)) or "nothing"
        return f"expect.{unknown[0]} does not apply to a {kind} monitor (it takes {takes})"
    status = expect.get("status")
    if status is not None and (
        not isinstance(status, list)
        or not all(isinstance(s, int) and not isinstance(s, bool) for s in status)
        or not all(100 <= s <= 599 for s in status)
    ):
        return "expect.status is a list of HTTP status codes"
    for key in (*_POSITIVE, *_NOT_NEGATIVE):
        number = _number(expect[key]) if key in expect else 1.0
        if number is None or number < 0 or (number == 0 and key in _POSITIVE):
            rule = "more than 0" if key in _POSITIVE else "0 or more"
            return f"expect.{key} is a number, {rule}"
    for key in _TEXT:
        if key in expect and not (isinstance(expect[key], str) and expect[key]):
            return f"expect.{key} is a non-empty string"
    for key in _FLAGS:
        if key in expect and not isinstance(expect[key], bool):
            return f"expect.{key} is true or false"
    return None
