"""`execflow anomaly score IN.csv [--out OUT.csv]`."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TextIO

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
    """Stream a timestamp,value CSV through the default detector, row by row.

    With --out the rows go to a temporary file beside OUT that replaces it only when the
    whole input was good, so a bad row never leaves a half-written (or clobbered) OUT.
    """
    try:
        handle = source.open(newline="")
    except OSError as exc:
        fail(f"cannot read {source}: {exc.strerror}")
    with handle:
        if out is None:
            _score(source, handle, sys.stdout)
            return
        partial = out.with_name(f".{out.name}.{os.getpid()}.partial")  # same file system
        try:
            sink = partial.open("x", newline="")  # the umask's permissions, unlike mkstemp
        except OSError as exc:
            fail(f"cannot write beside {out}: {exc.strerror}")
        try:
            with sink:
                _score(source, handle, sink)
            os.replace(partial, out)
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror}")
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()


def _score(source: Path, handle: TextIO, sink: TextIO) -> None:
    try:
        score_stream(handle, sink)
    except CsvError as exc:
        fail(f"{source}: {exc}")
    except UnicodeDecodeError:
        fail(f"{source}: not a text file")
