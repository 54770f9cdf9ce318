"""Pooled PostgreSQL connections: checked before use only after sitting idle."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from execflow.db import Database, make_engine


def _backend_pid(db: Database) -> int:
    with db.read() as session:
        pid: int = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        return pid


def _terminate(db_url: str, pid: int) -> None:
    admin = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.mark.parametrize("ping_after_idle", [0.0, 3600.0])
def test_a_connection_the_server_dropped_is_replaced_when_it_was_idle(
    db_url: str, ping_after_idle: float
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop the connection")
    db = Database(make_engine(db_url, pool_size=1, ping_after_idle=ping_after_idle))
    try:
        first = _backend_pid(db)
        _terminate(db_url, first)
        if ping_after_idle == 0.0:
            # Idle long enough to be checked: the dead connection is swapped before use.
            assert _backend_pid(db) != first
        else:
            # Fresh from the pool: used without a round trip, so the drop surfaces once ...
            with pytest.raises(OperationalError):
                _backend_pid(db)
            # ... and the pool has replaced it for the next transaction.
            assert _backend_pid(db) != first
    finally:
        db.dispose()
