"""console: people's console role, console sessions, used sign-in links

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), nullable=True))
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("person_id", sa.String(length=32), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("token_id", sa.String(length=32), sa.ForeignKey("api_tokens.id"), nullable=True),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_console_sessions_person", "console_sessions", ["person_id"])
    op.create_index("ix_console_sessions_token", "console_sessions", ["token_id"])
    op.create_table(
        "signin_link_uses",
        sa.Column("link_id", sa.String(length=32), primary_key=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Revert."""
    op.drop_table("signin_link_uses")
    op.drop_index("ix_console_sessions_token", table_name="console_sessions")
    op.drop_index("ix_console_sessions_person", table_name="console_sessions")
    op.drop_table("console_sessions")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("role")
