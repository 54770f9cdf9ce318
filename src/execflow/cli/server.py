"""`execflow serve` and `execflow worker`."""

from __future__ import annotations

import signal
from types import FrameType

import click
import uvicorn

from execflow.app import create_app
from execflow.cli.common import require_init, settings
from execflow.cli.output import EXIT_FAILED, fail
from execflow.clock import SystemClock
from execflow.instance import prepare
from execflow.prove.log.keys import LogKeyError, load_signer
from execflow.registry import background


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-workers", is_flag=True, help="Serve HTTP only; run `execflow worker` apart.")
def serve(host: str, port: int, no_workers: bool) -> None:
    """Serve the API and pages, with the background workers unless --no-workers."""
    conf = settings()
    require_init(conf)
    db = prepare(conf)
    app = create_app(conf, db=db, run_workers=not no_workers)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


@click.command()
def worker() -> None:
    """Run the background workers alone (any number against one PostgreSQL)."""
    conf = settings()
    require_init(conf)
    db = prepare(conf)
    try:
        signer = load_signer(conf.key_path, conf.log_origin)
    except LogKeyError as exc:
        fail(str(exc), EXIT_FAILED)
    clock = SystemClock()
    workers = background(db, signer, clock, conf)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        workers.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workers.start()
    click.echo(f"worker {workers.owner} running; Ctrl-C to stop", err=True)
    workers.wait()
