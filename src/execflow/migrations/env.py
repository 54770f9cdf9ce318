"""Alembic environment: runs migrations on the connection the caller hands in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from execflow.migrate import metadata

config = context.config


def run(connection: Connection) -> None:
    """Run the migrations on connection."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = config.attributes.get("connection")
if _connection is None:
    raise RuntimeError("run migrations through execflow.migrate.upgrade()")
run(_connection)
