"""SQLAlchemy tables of the store: nights, diary entries, experiments and their schedules.

The tables are changed only through Alembic migrations (``store/migrations``); a test checks that the
migrated schema equals these definitions.

Conventions
-----------
A *night date* is the calendar date of the evening the night began (the night of 3 to 4 March is
``2026-03-03``). Each night date has at most one measured night and one diary entry: the store holds one
person's nights.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "DiaryEntry", "Experiment", "Night", "ScheduleNight"]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention (stable constraint names for migrations)."""

    metadata = MetaData(naming_convention=NAMING)


class Night(Base):
    """One measured night: from ``twitchlab analyze`` JSON, entered by hand, or from a wearable."""

    __tablename__ = "nights"
    __table_args__ = (
        CheckConstraint("lm_count IS NULL OR lm_count >= 0", name="lm_count_nonneg"),
        CheckConstraint("plm_count IS NULL OR plm_count >= 0", name="plm_count_nonneg"),
        CheckConstraint("sleep_hours IS NULL OR (sleep_hours > 0 AND sleep_hours <= 24)", name="sleep_hours_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    night_date: Mapped[date] = mapped_column(Date, unique=True)
    source: Mapped[str] = mapped_column(String(16))
    lm_count: Mapped[int | None] = mapped_column(Integer)
    plm_count: Mapped[int | None] = mapped_column(Integer)
    lm_index: Mapped[float | None] = mapped_column(Float)
    plms_index: Mapped[float | None] = mapped_column(Float)
    tst_min: Mapped[float | None] = mapped_column(Float)
    sleep_hours: Mapped[float | None] = mapped_column(Float)
    source_file: Mapped[str | None] = mapped_column(Text)
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    result_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: Why a measured night has no count (e.g. the leg EMG was unusable); such a night is missing data.
    missing_reason: Mapped[str | None] = mapped_column(Text)


class DiaryEntry(Base):
    """One morning's diary: what was done the evening before and how the night went."""

    __tablename__ = "diary_entries"
    __table_args__ = (
        CheckConstraint("symptoms IS NULL OR (symptoms >= 0 AND symptoms <= 10)", name="symptoms_range"),
        CheckConstraint("sleep_hours IS NULL OR (sleep_hours > 0 AND sleep_hours <= 24)", name="sleep_hours_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    night_date: Mapped[date] = mapped_column(Date, unique=True)
    followed: Mapped[bool | None] = mapped_column(Boolean)
    sleep_hours: Mapped[float | None] = mapped_column(Float)
    caffeine_drinks: Mapped[int | None] = mapped_column(Integer)
    alcohol_drinks: Mapped[int | None] = mapped_column(Integer)
    exercise_min: Mapped[int | None] = mapped_column(Integer)
    symptoms: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    night_id: Mapped[int | None] = mapped_column(ForeignKey("nights.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Experiment(Base):
    """A planned n-of-1 experiment: the design and the seed its order was drawn from."""

    __tablename__ = "experiments"
    __table_args__ = (
        CheckConstraint("block_nights >= 1", name="block_nights_pos"),
        CheckConstraint("n_blocks >= 2", name="n_blocks_min"),
        CheckConstraint("washout_nights >= 0", name="washout_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    intervention: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    design: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    block_nights: Mapped[int] = mapped_column(Integer)
    n_blocks: Mapped[int] = mapped_column(Integer)
    washout_nights: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    block_order: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ScheduleNight(Base):
    """One night of an experiment's schedule: its block, period and assigned condition."""

    __tablename__ = "schedule_nights"
    __table_args__ = (UniqueConstraint("experiment_id", "night_date", name="uq_schedule_nights_experiment_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    night_date: Mapped[date] = mapped_column(Date)
    block: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(16))
    washout: Mapped[bool] = mapped_column(Boolean)
