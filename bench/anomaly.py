"""Anomaly detector benchmark: points/s in process, and the NAB scores via the product's CLI.

    python bench/anomaly.py [--json]

Runs ../shared/tools/nab_score.py on ../shared/nab with `execflow anomaly score`, so the
NAB figures (standard, reward_low_FP_rate, reward_low_FN_rate; sweep and alerts) are the
ones a user of the command gets, and its causality check is included.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.figures import report
from execflow.detect.anomaly.detector import State, update

SHARED = ROOT.parent / "shared"


def _throughput(points: int) -> float:
    rng = random.Random(1)
    values = [50 + 20 * math.sin(i / 46) + rng.gauss(0, 1) for i in range(points)]
    stamps = [1_396_310_400.0 + 300.0 * i for i in range(points)]  # every 5 minutes
    state = State()
    started = time.perf_counter()
    for stamp, value in zip(stamps, values, strict=True):
        update(state, value, None, stamp)
    return points / (time.perf_counter() - started)


def _nab() -> dict[str, Any]:
    command = f"{Path(sys.executable).parent / 'execflow'} anomaly score {{in}} --out {{out}}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "nab.json"
        subprocess.run(
            [
                sys.executable,
                str(SHARED / "tools" / "nab_score.py"),
                "--data",
                str(SHARED / "nab" / "data"),
                "--windows",
                str(SHARED / "nab" / "windows.json"),
                "--cmd",
                command,
                "--json",
                str(out),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        result: dict[str, Any] = json.loads(out.read_text())
        return result


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    nab = _nab()
    figures: dict[str, Any] = {"detector_points_per_second": round(_throughput(200_000))}
    for profile in ("standard", "reward_low_FP_rate", "reward_low_FN_rate"):
        figures[f"nab_{profile}_alerts"] = nab[profile]["alerts"]
        figures[f"nab_{profile}_sweep"] = nab[profile]["sweep"]
    figures["nab_causal"] = nab.get("causal")
    report("anomaly", figures, as_json=args.json)


if __name__ == "__main__":
    main()
