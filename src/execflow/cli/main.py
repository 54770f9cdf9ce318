"""The `execflow` command group and its entry point (one-line errors, exit 2 on bad input).

Subcommands load on first use (click's lazy-group pattern): `execflow audit verify` does
not pay for importing the web stack that only `serve` needs.
"""

from __future__ import annotations

import importlib
import sys

import click

from execflow.cli.output import EXIT_FAILED, EXIT_USAGE, CliExit

COMMANDS = {
    "init": "execflow.cli.setup:init",
    "demo": "execflow.cli.setup:demo",
    "serve": "execflow.cli.server:serve",
    "worker": "execflow.cli.worker:worker",
    "token": "execflow.cli.tokens:token",
    "audit": "execflow.cli.audit:audit",
    "anomaly": "execflow.cli.anomaly:anomaly",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand name."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return one subcommand."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="execflow")
def cli() -> None:
    """ExecFlow: incident response you can prove."""


def main() -> None:
    """Entry point: run the CLI with one-line errors and the contract's exit codes."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_FAILED)
    except click.ClickException as exc:
        code = exc.code if isinstance(exc, CliExit) else EXIT_USAGE
        message = exc.format_message().splitlines()[0]
        click.echo(f"execflow: {message}", err=True)
        sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
