"""Streaming a timestamp,value CSV through the detector (for `execflow anomaly score`)."""

from __future__ import annotations

import contextlib
import csv
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

from execflow.detect.anomaly.detector import Settings, State, update


class CsvError(ValueError):
    """The input is not a timestamp,value CSV."""


def _seconds(text: str, line_number: int) -> float:
    """ISO 8601 (`2014-04-01 00:05:00`; no zone means UTC) or Unix seconds, as Unix seconds."""
    with contextlib.suppress(ValueError):
        seconds = float(text)
        if math.isfinite(seconds):
            return seconds
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CsvError(f"line {line_number}: {text!r} is not a timestamp") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def score_stream(
    source: IO[str],
    sink: IO[str],
    *,
    settings: Settings | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Read rows one at a time and write timestamp,value,anomaly_score,alert; returns rows."""
    reader = csv.reader(source)
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[:2]] != ["timestamp", "value"]:
        raise CsvError("the first line must be the header timestamp,value")
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(["timestamp", "value", "anomaly_score", "alert"])
    state = State()
    rows = 0
    for line_number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) < 2:
            raise CsvError(f"line {line_number} has no value")
        try:
            value = float(row[1])
        except ValueError as exc:
            raise CsvError(f"line {line_number}: {row[1]!r} is not a number") from exc
        if not math.isfinite(value):  # NaN would poison every later score of the series
            raise CsvError(f"line {line_number}: {row[1]!r} is not a finite number")
        score, alert = update(state, value, settings, _seconds(row[0], line_number))
        writer.writerow([row[0], row[1], f"{score:.6f}", int(alert)])
        rows += 1
        if progress is not None and rows % 10_000 == 0:
            progress(rows)
    return rows
