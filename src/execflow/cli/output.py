"""Terminal output: one-line errors with exit codes, progress that suits the terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

EXIT_FAILED = 1
EXIT_USAGE = 2


class CliExit(click.ClickException):
    """A one-line message and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Stop the command with a one-line message."""
    raise CliExit(message, code)


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield an update(done, total) function: a bar on a terminal, plain lines otherwise."""
    if sys.stderr.isatty():
        with Progress(
            TextColumn(label),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(label, total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield update
        return
    last = [-1]

    def plain(done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent // 10 != last[0] // 10 or done == total:
            last[0] = percent
            click.echo(f"{label}: {done}/{total} ({percent}%)", err=True)

    yield plain
