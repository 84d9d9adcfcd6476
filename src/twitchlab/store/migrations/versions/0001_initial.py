"""Initial schema: nights, diary entries, experiments, schedule nights.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four tables."""
    op.create_table(
        "nights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("night_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("lm_count", sa.Integer(), nullable=True),
        sa.Column("plm_count", sa.Integer(), nullable=True),
        sa.Column("lm_index", sa.Float(), nullable=True),
        sa.Column("plms_index", sa.Float(), nullable=True),
        sa.Column("tst_min", sa.Float(), nullable=True),
        sa.Column("sleep_hours", sa.Float(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("lm_count IS NULL OR lm_count >= 0", name=op.f("ck_nights_lm_count_nonneg")),
        sa.CheckConstraint("plm_count IS NULL OR plm_count >= 0", name=op.f("ck_nights_plm_count_nonneg")),
        sa.CheckConstraint(
            "sleep_hours IS NULL OR (sleep_hours > 0 AND sleep_hours <= 24)", name=op.f("ck_nights_sleep_hours_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nights")),
        sa.UniqueConstraint("night_date", name=op.f("uq_nights_night_date")),
    )
    op.create_table(
        "diary_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("night_date", sa.Date(), nullable=False),
        sa.Column("followed", sa.Boolean(), nullable=True),
        sa.Column("sleep_hours", sa.Float(), nullable=True),
        sa.Column("caffeine_drinks", sa.Integer(), nullable=True),
        sa.Column("alcohol_drinks", sa.Integer(), nullable=True),
        sa.Column("exercise_min", sa.Integer(), nullable=True),
        sa.Column("symptoms", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("night_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "symptoms IS NULL OR (symptoms >= 0 AND symptoms <= 10)", name=op.f("ck_diary_entries_symptoms_range")
        ),
        sa.CheckConstraint(
            "sleep_hours IS NULL OR (sleep_hours > 0 AND sleep_hours <= 24)",
            name=op.f("ck_diary_entries_sleep_hours_range"),
        ),
        sa.ForeignKeyConstraint(
            ["night_id"], ["nights.id"], name=op.f("fk_diary_entries_night_id_nights"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diary_entries")),
        sa.UniqueConstraint("night_date", name=op.f("uq_diary_entries_night_date")),
    )
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("intervention", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("design", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("block_nights", sa.Integer(), nullable=False),
        sa.Column("n_blocks", sa.Integer(), nullable=False),
        sa.Column("washout_nights", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("block_order", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("block_nights >= 1", name=op.f("ck_experiments_block_nights_pos")),
        sa.CheckConstraint("n_blocks >= 2", name=op.f("ck_experiments_n_blocks_min")),
        sa.CheckConstraint("washout_nights >= 0", name=op.f("ck_experiments_washout_nonneg")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        sa.UniqueConstraint("name", name=op.f("uq_experiments_name")),
    )
    op.create_table(
        "schedule_nights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("night_date", sa.Date(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("washout", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_schedule_nights_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_nights")),
        sa.UniqueConstraint("experiment_id", "night_date", name="uq_schedule_nights_experiment_date"),
    )
    op.create_index(op.f("ix_schedule_nights_experiment_id"), "schedule_nights", ["experiment_id"], unique=False)


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_index(op.f("ix_schedule_nights_experiment_id"), table_name="schedule_nights")
    op.drop_table("schedule_nights")
    op.drop_table("experiments")
    op.drop_table("diary_entries")
    op.drop_table("nights")
