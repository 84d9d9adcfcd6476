"""Nights: ``missing_reason``, for a measured night whose counts could not be made (e.g. unusable leg EMG).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable ``nights.missing_reason`` column."""
    op.add_column("nights", sa.Column("missing_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop ``nights.missing_reason`` (and the nights without any count, which the old schema cannot hold)."""
    op.execute("DELETE FROM nights WHERE lm_count IS NULL AND plm_count IS NULL")
    with op.batch_alter_table("nights") as batch:
        batch.drop_column("missing_reason")
