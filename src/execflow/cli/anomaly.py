"""`execflow anomaly score IN.csv [--out OUT.csv]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from execflow.cli.output import fail
from execflow.detect.anomaly.score_csv import CsvError, score_stream


@click.group()
def anomaly() -> None:
    """Anomaly detection on metric series."""


@anomaly.command("score")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Output CSV (default: standard output).",
)
def score(source: Path, out: Path | None) -> None:
    """Stream a timestamp,value CSV through the default detector, row by row."""
    try:
        handle = source.open(newline="")
    except OSError as exc:
        fail(f"cannot read {source}: {exc.strerror}")
    with handle:
        try:
            if out is None:
                score_stream(handle, sys.stdout)
            else:
                with out.open("w", newline="") as sink:
                    score_stream(handle, sink)
        except CsvError as exc:
            fail(f"{source}: {exc}")
        except UnicodeDecodeError:
            fail(f"{source}: not a text file")
