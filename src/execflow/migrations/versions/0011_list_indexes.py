"""list indexes: incidents newest first, monitors by name (the console pages them)

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_index("ix_incidents_created", "incidents", ["created_at", "id"])
    op.create_index("ix_monitors_name", "monitors", ["name", "id"])


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_monitors_name", table_name="monitors")
    op.drop_index("ix_incidents_created", table_name="incidents")
