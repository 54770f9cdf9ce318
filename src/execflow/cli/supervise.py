"""A supervised child process (the split worker's sender): restarted with back-off when it dies."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

import click

from execflow.workers import MESSAGES

STABLE_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 60.0


def sender_command() -> list[str]:
    """`execflow worker --role messages`, told to stop when this process is gone."""
    return [
        sys.executable,
        "-m",
        "execflow",
        "worker",
        "--role",
        MESSAGES,
        "--parent",
        str(os.getpid()),
    ]


class Child:
    """One child process, started again whenever it dies.

    A child that ran for STABLE_SECONDS is restarted at once; one that dies sooner waits
    1 s, then twice as long each time, up to MAX_BACKOFF_SECONDS, so a child that cannot
    start (a broken mail setting, a full disk) does not spin. `now` is injectable for tests.
    """

    def __init__(self, command: Sequence[str], now: Callable[[], float] = time.monotonic) -> None:
        self.command, self.now = list(command), now
        self.backoff = 0.0
        self.restart_at: float | None = None
        self.started = now()
        self.process = subprocess.Popen(self.command)

    def keep_alive(self) -> None:
        """Start the child again if it died and its back-off has passed."""
        if self.restart_at is None and self.process.poll() is not None:
            ran = self.now() - self.started
            young = ran < STABLE_SECONDS
            self.backoff = min(max(1.0, 2 * self.backoff), MAX_BACKOFF_SECONDS) if young else 0.0
            self.restart_at = self.now() + self.backoff
            click.echo(
                f"sender exited with {self.process.returncode} after {ran:.0f} s; "
                f"restarting in {self.backoff:.0f} s",
                err=True,
            )
        if self.restart_at is not None and self.now() >= self.restart_at:
            self.restart_at = None
            self.started = self.now()
            self.process = subprocess.Popen(self.command)

    def stop(self) -> None:
        """Stop the child; it gives back its leases on the way out."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
