"""Declarative base, engine and session factories for SQLite and PostgreSQL.

SQLite runs in WAL mode with a long busy timeout, and every write transaction starts
with ``BEGIN IMMEDIATE``: the write lock is taken up front, so two writers queue on the
busy timeout instead of failing a lock upgrade with "database is locked". Within one
process, writers also queue on a plain lock first: SQLite's busy handler sleeps and
polls, which under load starves some writers for a second or more; across processes,
``BEGIN IMMEDIATE`` is retried every millisecond for the same reason. Reads use a plain
deferred ``BEGIN`` and never wait for writers.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Dialect,
    Engine,
    Integer,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 60_000
SQLITE_RETRY_MS = 1
PING_AFTER_IDLE_SECONDS = 10.0


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive times; store UTC (naive on SQLite, which keeps no offset)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC time is stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Always aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# On SQLite an INTEGER PRIMARY KEY is the rowid itself: the cheapest possible append.
IdType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_engine(
    url: str, *, pool_size: int = 10, ping_after_idle: float = PING_AFTER_IDLE_SECONDS
) -> Engine:
    """Create an engine tuned for the backend the URL names."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, writer=False)
    engine = create_engine(url, pool_size=pool_size, max_overflow=20)
    _ping_when_idle(engine, ping_after_idle)
    return engine


def _ping_when_idle(engine: Engine, after: float) -> None:
    """Check a pooled connection before use only when it sat idle for a while.

    SQLAlchemy's `pool_pre_ping` costs a round trip on every checkout, which for the
    workers' short transactions is as much as the work itself. A connection back in the
    pool less than `after` seconds ago was fine then; an older one is pinged and,
    if the server has gone (a restart, a failover), replaced before anyone uses it.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi: Any, record: ConnectionPoolEntry) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        since = record.info.get("checked_in")
        if since is None or time.monotonic() - since < after:
            return
        try:
            engine.dialect.do_ping(dbapi)
        except Exception as exc:  # the pool retries with a new connection
            raise DisconnectionError("the pooled connection is gone") from exc


def _sqlite_engine(url: str, *, writer: bool) -> Engine:
    """A SQLite engine for reads (long busy timeout) or for writes (our own short retries).

    The read pool is as large as the server's thread pool: connections are reused, never
    churned (each new SQLite connection pays for its PRAGMAs). Writers queue on a lock in
    each process, so the write pool needs a connection or two; its connections keep the
    short busy timeout for good, so starting a write costs one statement, not three.
    """
    busy_ms = SQLITE_RETRY_MS if writer else SQLITE_BUSY_TIMEOUT_MS
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        pool_size=2 if writer else 40,
        max_overflow=8 if writer else 40,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # Another process checkpointing can make even this no-op answer "locked" at once,
        # without SQLite's busy handler: retried like a blocked BEGIN IMMEDIATE.
        _when_unlocked(lambda: cursor.execute("PRAGMA journal_mode=WAL"))
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if writer:
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock, retrying every millisecond while another process holds it.

    SQLite's own busy handler backs off to sleeps of 25-100 ms, so a process that writes
    in quick succession (a batch of timers) starves a second process for as long as it
    keeps writing. Short sleeps of our own let the other process in at the next gap.
    """
    _when_unlocked(lambda: connection.exec_driver_sql("BEGIN IMMEDIATE"))


def _when_unlocked(statement: Callable[[], object]) -> None:
    """Run statement, again every millisecond while SQLite says the database is locked."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            statement()
            return
        except (OperationalError, sqlite3.OperationalError) as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(SQLITE_RETRY_MS / 1000)


class WriterBusy(RuntimeError):
    """No write transaction could start within the busy timeout."""


class Database:
    """An engine plus the two session factories: one for reads, one for writes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        sqlite = is_sqlite(engine)
        # SQLite writes go through a pool of their own (see `_sqlite_engine`).
        self._write_engine = (
            _sqlite_engine(engine.url.render_as_string(hide_password=False), writer=True)
            if sqlite
            else engine
        )
        self._reads = sessionmaker(bind=engine, expire_on_commit=False)
        self._writes = sessionmaker(bind=self._write_engine, expire_on_commit=False)
        self._write_lock = threading.Lock() if sqlite else None

    @classmethod
    def from_url(cls, url: str) -> Database:
        """Open a database by URL."""
        return cls(make_engine(url))

    @property
    def is_sqlite(self) -> bool:
        """Whether this is SQLite (single writer, no row locks)."""
        return is_sqlite(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; closing it ends the transaction, loaded objects stay usable."""
        with self._reads() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one state change: commits once at the end, rolls back on error."""
        with self._writer_turn(), self._writes() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """Like `write`, for Core statements alone: no Session bookkeeping on a hot path."""
        with self._writer_turn(), self._write_engine.begin() as connection:
            yield connection

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """This process's turn to write (SQLite's one writer); nothing to wait for elsewhere."""
        lock = self._write_lock
        if lock is not None and not lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise WriterBusy("the database stayed busy; try again")
        try:
            yield
        finally:
            if lock is not None:
                lock.release()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self._write_engine is not self.engine:
            self._write_engine.dispose()
