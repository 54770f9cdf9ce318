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
_NUMBERS = {"max_latency_ms": "more than 0", "min_days": "0 or more", "grace_seconds": "0 or more"}
_TEXT = ("json_path", "keyword", "value")
_FLAGS = ("absent", "verify")


def _number_ok(value: Any, rule: str) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    return value > 0 if rule == "more than 0" else value >= 0


def problem(kind: str, expect: dict[str, Any]) -> str | None:
    """The first thing wrong with expect for this kind, or None."""
    allowed = KEYS.get(kind, set())
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
    for key, rule in _NUMBERS.items():
        if key in expect and not _number_ok(expect[key], rule):
            return f"expect.{key} is a number, {rule}"
    for key in _TEXT:
        if key in expect and not (isinstance(expect[key], str) and expect[key]):
            return f"expect.{key} is a non-empty string"
    for key in _FLAGS:
        if key in expect and not isinstance(expect[key], bool):
            return f"expect.{key} is true or false"
    return None
