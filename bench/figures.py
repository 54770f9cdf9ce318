"""What every benchmark shares: percentiles, the machine, and reporting its figures."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def machine() -> dict[str, Any]:
    """Where the figures were measured."""
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write(name: str, figures: dict[str, Any]) -> Path:
    """Write bench/results/<name>.json and return its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**figures, "machine": machine()}, indent=2) + "\n")
    return path


def median(samples: list[float]) -> float:
    """The median."""
    return statistics.median(samples) if samples else float("nan")


def report(name: str, figures: dict[str, Any], *, as_json: bool) -> Path:
    """Write bench/results/<name>.json, then print the figures (as JSON, or one a line)."""
    path = write(name, figures)
    if as_json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:40} {value}")
        print(f"written to {path}", file=sys.stderr)
    return path
