"""`execflow token create`."""

from __future__ import annotations

import json

import click

from execflow.access.roles import Role
from execflow.access.service import create_token
from execflow.cli.environment import require_init, settings
from execflow.cli.output import fail
from execflow.clock import SystemClock
from execflow.instance import CLI_ACTOR, prepare


@click.group()
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
        created, secret = create_token(
            session, name=name, role=Role(role), actor=CLI_ACTOR, now=SystemClock().now()
        )
        token_id = created.id
    db.dispose()
    if as_json:
        click.echo(json.dumps({"id": token_id, "name": name, "role": role, "token": secret}))
    else:
        click.echo(secret)
