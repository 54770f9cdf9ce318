"""Drive wrk (a C load generator) against a server on loopback and parse its figures."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    requests_per_second: float  # successful (2xx/3xx) answers only
    p50_ms: float
    p99_ms: float
    errors: int

    def as_dict(self, prefix: str) -> dict[str, float]:
        """Figures keyed with a prefix."""
        return {
            f"{prefix}_per_second": round(self.requests_per_second, 1),
            f"{prefix}_p50_ms": round(self.p50_ms, 2),
            f"{prefix}_p99_ms": round(self.p99_ms, 2),
            f"{prefix}_errors": self.errors,
        }


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"cannot read latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run(
    url: str,
    *,
    method: str = "GET",
    body: Any = None,
    bodies: list[Any] | None = None,
    headers: dict[str, str] | None = None,
    seconds: float = 10,
    connections: int = 16,
    threads: int = 2,
) -> Load:
    """Load url with wrk and return its throughput, latency percentiles and error count.

    `bodies`, when given, are sent in turn (each wrk thread cycles through them).
    """
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("wrk is not installed; `make bench` installs it")
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(json.dumps(body))}")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    if bodies:
        encoded = ", ".join(json.dumps(json.dumps(b)) for b in bodies)
        lines += [
            f"bodies = {{{encoded}}}",
            "sent = 0",
            "request = function()",
            "  sent = sent + 1",
            "  return wrk.format(nil, nil, nil, bodies[(sent % #bodies) + 1])",
            "end",
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    for name, value in (headers or {}).items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    try:
        result = subprocess.run(
            [
                binary,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        )
    finally:
        Path(script.name).unlink()
    out = result.stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    assert total is not None, out
    duration_s = (
        float(total.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[total.group(3)]
    )
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    # Only answers in the 2xx/3xx range count: a 429 or a 500 is not throughput.
    return Load((int(total.group(1)) - errors) / duration_s, p50, p99, errors)
