"""`execflow worker`: the background workers alone, without the web stack's imports.

A worker (and a split worker's child, restarted after a crash) starts without importing
FastAPI, uvicorn or the routes, which `execflow serve` needs and a worker does not: from
launch to running in 1.2-1.6 s here instead of 1.7-2.1 s (the import alone: 1.3 s, not 2.4).
"""

from __future__ import annotations

import os
import signal
from types import FrameType

import click

from execflow.background import background
from execflow.cli.environment import require_init, settings
from execflow.cli.output import EXIT_FAILED, fail
from execflow.cli.supervise import Child, sender_command
from execflow.clock import SystemClock
from execflow.instance import prepare
from execflow.prove.log.keys import LogKeyError, load_signer
from execflow.workers import ALL, MESSAGES, PROBES, TIMERS, Workers

SPLIT, AUTO = "split", "auto"


@click.command()
@click.option(
    "--role",
    type=click.Choice([AUTO, SPLIT, ALL, TIMERS, MESSAGES, PROBES]),
    default=AUTO,
    show_default=True,
    help=(
        "split: timers, checkpoints and probes here and mail/webhook delivery in a child "
        "process (two cores instead of one); all: everything in this process; timers or "
        "messages: one half, to place the halves yourself; probes: only the probe scheduler "
        "(add such processes to check more monitors from one machine); auto: split on "
        "SQLite, all on PostgreSQL."
    ),
)
@click.option(
    "--parent",
    type=int,
    default=None,
    hidden=True,
    help="Stop once this process (the split worker that started this one) is gone.",
)
def worker(role: str, parent: int | None) -> None:
    """Run the background workers alone (any number against one PostgreSQL)."""
    conf = settings()
    require_init(conf)
    db = prepare(conf)
    if role == AUTO:
        # SQLite has one writer node, so its worker splits to use a second core; on
        # PostgreSQL more cores come from more nodes, and one process per node keeps the
        # timers waking the senders directly instead of a child polling for their pages.
        role = SPLIT if db.is_sqlite else ALL
    try:
        signer = load_signer(conf.key_path, conf.log_origin)
    except LogKeyError as exc:
        fail(str(exc), EXIT_FAILED)
    clock = SystemClock()
    workers = background(db, signer, clock, conf, role=TIMERS if role == SPLIT else role)
    sender = Child(sender_command()) if role == SPLIT else None

    def stop(_signum: int, _frame: FrameType | None) -> None:
        workers.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workers.start()
    click.echo(f"worker {workers.owner} ({role}) running; Ctrl-C to stop", err=True)
    if sender is None:
        _wait(workers, parent)
        return
    try:
        while not workers.stopped(timeout=1.0):
            sender.keep_alive()
    finally:
        sender.stop()


def _wait(workers: Workers, parent: int | None) -> None:
    """Until the workers stop, or (a split worker's child) until the parent is gone."""
    # A parent killed outright cannot stop its child; the child is handed to another.
    if parent is None:
        workers.wait()
        return
    while not workers.stopped(timeout=1.0):
        if os.getppid() != parent:
            click.echo("the worker that started this one is gone; stopping", err=True)
            workers.stop()
