"""`execflow init` and `execflow demo`."""

from __future__ import annotations

import json

import click

from execflow.cli.environment import require_init, settings
from execflow.cli.output import EXIT_FAILED, fail
from execflow.clock import SystemClock
from execflow.demo import load_demo
from execflow.instance import AlreadyInitialised, initialise, prepare


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--exist-ok", is_flag=True, help="Succeed quietly on an initialised data dir.")
def init(as_json: bool, exist_ok: bool) -> None:
    """Create the data dir, schema, log key and an admin token."""
    conf = settings()
    try:
        result = initialise(conf, now=SystemClock().now(), exist_ok=exist_ok)
    except AlreadyInitialised as exc:
        fail(f"{exc}; pass --exist-ok to accept that", EXIT_FAILED)
    if result is None:
        click.echo(f"{conf.data_dir} is already initialised; schema is up to date")
        return
    if as_json:
        click.echo(json.dumps(result.__dict__))
        return
    click.echo(f"Initialised {result.data_dir}")
    click.echo(f"Database:     {result.database_url}")
    click.echo(f"Log vkey:     {result.vkey}")
    click.echo(f"Admin token:  {result.admin_token}  (shown once; store it now)")
    click.echo(f"Sign in:      {result.login_url}  (once, within 15 minutes)")


@click.command()
def demo() -> None:
    """Load demo data (idempotent)."""
    conf = settings()
    require_init(conf)
    db = prepare(conf)
    with db.write() as session:
        added = load_demo(session, now=SystemClock().now(), base_url=conf.base_url)
    db.dispose()
    click.echo(f"demo data: {added} records added" if added else "demo data already loaded")
