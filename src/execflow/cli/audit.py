"""`execflow audit verify` and `execflow audit proof`."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import click

from execflow.cli.output import EXIT_FAILED, fail, progress
from execflow.config import Settings
from execflow.db import Database
from execflow.errors import ExecFlowError
from execflow.prove.log import store
from execflow.prove.log.checkpoint import Checkpoint, open_checkpoint
from execflow.prove.log.note import NoteError, Verifier, parse_vkey
from execflow.prove.log.proofs import TlogProof
from execflow.prove.log.sources import DatabaseSource, HttpSource, Refused
from execflow.prove.log.verify import Report, verify_log


def read_vkey(value: str) -> Verifier:
    """A verifier key given inline or as a file holding it."""
    text = value
    path = Path(value)
    if "+" not in value or path.is_file():
        try:
            text = path.read_text().strip()
        except OSError as exc:
            fail(f"--vkey: cannot read {value}: {exc.strerror}")
    try:
        return parse_vkey(text)
    except NoteError as exc:
        fail(f"--vkey: {exc}")


def read_state(path: Path | None, verifier: Verifier) -> Checkpoint | None:
    """The checkpoint remembered in a --state file, if it exists."""
    if path is None or not path.exists():
        return None
    try:
        return open_checkpoint(path.read_text(), verifier)
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"--state: cannot read {path}: {exc}")
    except NoteError as exc:
        fail(f"--state: {path} is not a checkpoint signed by this key: {exc}")


@click.group()
def audit() -> None:
    """Verify the audit log and export proofs."""


@audit.command("verify")
@click.option("--url", help="Base URL of a running server, e.g. http://127.0.0.1:8000.")
@click.option("--token", help="API token, needed unless the server's log is public.")
@click.option("--data-dir", type=click.Path(path_type=Path), help="A data dir to read directly.")
@click.option("--vkey", required=True, help="The log's verifier key, or a file holding it.")
@click.option(
    "--state",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File remembering the last checkpoint seen; checked, then updated.",
)
def verify(
    url: str | None, token: str | None, data_dir: Path | None, vkey: str, state: Path | None
) -> None:
    """Re-derive the whole log from its entries and check the signed checkpoint."""
    if (url is None) == (data_dir is None):
        fail("give exactly one of --url or --data-dir")
    verifier = read_vkey(vkey)
    previous = read_state(state, verifier)
    with progress("verifying entries") as update:
        if url is not None:
            report = _verify_url(url, token, verifier, previous, update)
        else:
            assert data_dir is not None
            report = _verify_data_dir(data_dir, verifier, previous, update)
    if not report.ok:
        where = (
            f"first bad index {report.first_bad_index}"
            if report.first_bad_index is not None
            else "no single entry to blame"
        )
        fail(f"FAILED: {report.message} ({where})", EXIT_FAILED)
    if state is not None and report.note is not None:
        state.write_text(report.note)
    root = base64.b64encode(report.root).decode()
    consistent = f", consistent with size {previous.size}" if previous is not None else ""
    click.echo(f"OK: {report.size} entries, root {root}, signed by {verifier.name}{consistent}")


def _verify_url(
    url: str,
    token: str | None,
    verifier: Verifier,
    previous: Checkpoint | None,
    update: Callable[[int, int], None],
) -> Report:
    source = HttpSource(url.rstrip("/") + "/log", token=token)
    try:
        return verify_log(source, verifier, previous=previous, progress=update)
    except Refused as exc:
        if exc.status == 401:
            fail("the server needs a token (401): give --token with an API token")
        fail(f"the server refused this token ({exc.status}): give a valid --token")
    except LookupError as exc:
        fail(f"cannot read the log at {url}: {exc}", EXIT_FAILED)
    except OSError as exc:
        fail(f"cannot reach {url}: {exc}", EXIT_FAILED)
    finally:
        source.close()


def _verify_data_dir(
    data_dir: Path,
    verifier: Verifier,
    previous: Checkpoint | None,
    update: Callable[[int, int], None],
) -> Report:
    if not data_dir.is_dir():
        fail(f"--data-dir: {data_dir} is not a directory")
    conf = Settings(data_dir=data_dir)
    if not conf.database_url and not (data_dir / "execflow.db").exists():
        fail(f"--data-dir: {data_dir} holds no execflow.db")
    db = Database.from_url(conf.resolved_database_url)
    try:
        with db.read() as session:
            return verify_log(DatabaseSource(session), verifier, previous=previous, progress=update)
    except LookupError as exc:
        fail(f"cannot read the log: {exc}", EXIT_FAILED)
    finally:
        db.dispose()


@audit.command("proof")
@click.option("--index", required=True, type=click.IntRange(min=0), help="Entry index.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Output file.")
def proof(index: int, out: Path | None) -> None:
    """Write a c2sp.org/tlog-proof@v1 proof of entry N against the latest checkpoint."""
    conf = Settings()
    if not (conf.key_path.exists()):
        fail(f"{conf.data_dir} is not initialised; run 'execflow init' first", EXIT_FAILED)
    db = Database.from_url(conf.resolved_database_url)
    try:
        with db.read() as session:
            tree = store.tree(session)
            if tree.checkpoint is None or index >= tree.size:
                fail(
                    f"--index: entry {index} is not covered by a checkpoint "
                    f"(signed size {tree.size})"
                )
            path = store.inclusion(session, index=index, size=tree.size)
            text = TlogProof(index, path, tree.checkpoint).encode()
    except ExecFlowError as exc:
        fail(exc.message)
    finally:
        db.dispose()
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text)
        click.echo(f"wrote proof of entry {index} to {out}", err=True)
