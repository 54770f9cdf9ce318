"""first-use fixes: stored deadline due times, monitor hold-down, webhook secrets

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("acknowledge_due_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("commander_due_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("monitors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("resolve_after_seconds", sa.Float(), nullable=False, server_default="300")
        )
        batch_op.add_column(
            sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_secret", sa.String(length=64), nullable=True))
    with op.batch_alter_table("metric_series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_alert_ts", sa.Float(), nullable=True))


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("metric_series", schema=None) as batch_op:
        batch_op.drop_column("last_alert_ts")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("webhook_secret")
    with op.batch_alter_table("monitors", schema=None) as batch_op:
        batch_op.drop_column("state_changed_at")
        batch_op.drop_column("resolve_after_seconds")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("commander_due_at")
        batch_op.drop_column("acknowledge_due_at")
