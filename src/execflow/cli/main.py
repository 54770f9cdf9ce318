"""The `execflow` command group and its entry point (one-line errors, exit 2 on bad input)."""

from __future__ import annotations

import json
import signal
import sys
from types import FrameType

import click
import uvicorn

from execflow.access.roles import Role
from execflow.access.service import create_token
from execflow.app import create_app
from execflow.cli.audit import audit
from execflow.cli.output import EXIT_FAILED, EXIT_USAGE, fail
from execflow.clock import SystemClock
from execflow.config import Settings
from execflow.demo import load_demo
from execflow.instance import CLI_ACTOR, AlreadyInitialised, initialise, is_initialised, prepare
from execflow.prove.log.keys import LogKeyError, load_signer
from execflow.workers import Workers


def settings() -> Settings:
    """Settings from the environment, or a one-line error."""
    try:
        return Settings()
    except Exception as exc:  # pydantic's message is multi-line; keep the first line
        fail(f"bad configuration: {str(exc).splitlines()[0]}")


def require_init(conf: Settings) -> None:
    """Stop with a clear message when the data dir was never initialised."""
    if not is_initialised(conf):
        fail(f"{conf.data_dir} is not initialised; run 'execflow init' first", EXIT_FAILED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="execflow")
def cli() -> None:
    """ExecFlow: incident response you can prove."""


@cli.command()
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


@cli.command()
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


@cli.command()
def worker() -> None:
    """Run the background workers alone (any number against one PostgreSQL)."""
    conf = settings()
    require_init(conf)
    db = prepare(conf)
    try:
        signer = load_signer(conf.key_path, conf.log_origin)
    except LogKeyError as exc:
        fail(str(exc), EXIT_FAILED)
    workers = Workers(db, signer, SystemClock(), conf)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        workers.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workers.start()
    click.echo(f"worker {workers.owner} running; Ctrl-C to stop", err=True)
    workers.wait()


@cli.command()
def demo() -> None:
    """Load demo data (idempotent)."""
    conf = settings()
    require_init(conf)
    db = prepare(conf)
    with db.write() as session:
        added = load_demo(session, now=SystemClock().now())
    db.dispose()
    click.echo(f"demo data: {added} audit events added" if added else "demo data already loaded")


@cli.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def token_create(role: str, name: str, as_json: bool) -> None:
    """Create a token and print it once."""
    conf = settings()
    require_init(conf)
    if not name.strip() or len(name) > 200:
        fail("--name must be 1 to 200 characters")
    db = prepare(conf)
    with db.write() as session:
        created, secret = create_token(session, name=name, role=Role(role), actor=CLI_ACTOR,
                                       now=SystemClock().now())
        token_id = created.id
    db.dispose()
    if as_json:
        click.echo(json.dumps({"id": token_id, "name": name, "role": role, "token": secret}))
    else:
        click.echo(secret)


cli.add_command(audit)


def main() -> None:
    """Entry point: run the CLI with one-line errors and the contract's exit codes."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_FAILED)
    except click.ClickException as exc:
        code = exc.exit_code if exc.exit_code in (EXIT_FAILED, EXIT_USAGE) else EXIT_USAGE
        message = exc.format_message().splitlines()[0]
        click.echo(f"execflow: {message}", err=True)
        sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
