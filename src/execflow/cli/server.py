"""`execflow serve`: the API and pages (with the background workers unless told not to)."""

from __future__ import annotations

import click
import uvicorn

from execflow.app import create_app
from execflow.cli.environment import require_init, settings
from execflow.instance import prepare


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
