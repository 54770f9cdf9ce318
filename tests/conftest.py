"""Shared fixtures: a real database per test (SQLite file or PostgreSQL), app, clock, tokens.

`EXECFLOW_TEST_DB=sqlite|postgresql` picks the backend; `make test` runs the suite on both.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from execflow.access.roles import Role
from execflow.access.service import create_token
from execflow.app import create_app
from execflow.background import handlers
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.instance import CLI_ACTOR
from execflow.migrate import upgrade
from execflow.prove.log.keys import create_key, load_signer
from execflow.prove.log.note import Signer
from execflow.workers import Workers
from tests.pg import Cluster
from tests.smtp import Mailbox, smtp_server

BACKEND = os.environ.get("EXECFLOW_TEST_DB", "sqlite")
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_counter = itertools.count()


def pytest_report_header() -> str:
    """Say which database this run uses."""
    return f"execflow database backend: {BACKEND}"


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster | None]:
    """The PostgreSQL cluster when testing on PostgreSQL, else None."""
    if BACKEND != "postgresql":
        yield None
        return
    pg = Cluster()
    pg.start()
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture(scope="session")
def template(cluster: Cluster | None, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database that each test copies: a file for SQLite, a template on PostgreSQL."""
    if cluster is None:
        path = tmp_path_factory.mktemp("template") / "execflow.db"
        engine = create_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        return str(path)
    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE execflow_template"))
    admin.dispose()
    engine = create_engine(cluster.url("execflow_template"))
    upgrade(engine)
    engine.dispose()
    return "execflow_template"


@pytest.fixture
def db_url(cluster: Cluster | None, template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for this test."""
    if cluster is None:
        path = tmp_path / "execflow.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    name = f"t{os.getpid()}_{next(_counter)}"
    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield cluster.url(name)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The test's database."""
    database = Database.from_url(db_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    """A clock that only moves when the test moves it."""
    return ManualClock(START)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings for an initialised data dir on the test's database."""
    data_dir = tmp_path / "data"
    conf = Settings(_env_file=None, data_dir=data_dir, database_url=db_url)
    create_key(conf.key_path)
    return conf


@pytest.fixture
def signer(settings: Settings) -> Signer:
    """The log's signer."""
    return load_signer(settings.key_path, settings.log_origin)


@pytest.fixture
def workers(db: Database, signer: Signer, clock: ManualClock, settings: Settings) -> Workers:
    """Workers driven by hand (integrate_once, deliver_once), never started as threads."""
    return Workers(db, signer, clock, settings, handlers={})


TokenFactory = Callable[[Role], str]


@pytest.fixture
def make_token(db: Database, clock: ManualClock) -> TokenFactory:
    """Create a token of a role and return its secret."""

    def make(role: Role) -> str:
        with db.write() as session:
            _, secret = create_token(
                session, name=f"{role.value} test", role=role, actor=CLI_ACTOR, now=clock.now()
            )
        return secret

    return make


@pytest.fixture
def client(settings: Settings, db: Database, clock: ManualClock) -> Iterator[TestClient]:
    """The app in-process, without background threads."""
    app = create_app(settings, db=db, clock=clock)
    with TestClient(app) as test_client:
        yield test_client


def auth(secret: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on loopback."""
    with smtp_server() as box:
        yield box


@pytest.fixture
def mail_settings(settings: Settings, mailbox: Mailbox) -> Settings:
    """Settings that send mail to the test SMTP server."""
    return settings.model_copy(update={"smtp_url": mailbox.url})


MakeWorkers = Callable[..., Workers]


@pytest.fixture
def make_workers(
    db: Database, signer: Signer, clock: ManualClock, mail_settings: Settings
) -> MakeWorkers:
    """Workers with every real handler, driven by hand on the test clock."""

    def make(owner: str | None = None, conf: Settings | None = None) -> Workers:
        chosen = conf or mail_settings
        return Workers(db, signer, clock, chosen, handlers=handlers(db, chosen, clock), owner=owner)

    return make


def drain(workers: Workers) -> int:
    """Deliver everything due now; returns how many rows were handled."""
    total = 0
    while True:
        done = workers.deliver_once()
        if not done:
            return total
        total += done
