"""Plain, validated records that go in and out of the store (no ORM objects leak out)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from twitchlab.errors import ParameterError

__all__ = ["NIGHT_SOURCES", "DiaryRecord", "ExperimentRecord", "NightRecord", "parse_night_date"]

NIGHT_SOURCES = ("analyze", "manual", "wearable")
_EARLIEST = date(1990, 1, 1)


def parse_night_date(value: str | date, *, what: str = "date", allow_future_days: int = 0) -> date:
    """Parse and check a night date (the date of the evening the night began).

    Parameters
    ----------
    value : str or datetime.date
        ``YYYY-MM-DD``, ``today``, ``yesterday`` (or ``last-night``), or a date.
    what : str
        Name used in error messages (e.g. ``"--date"``).
    allow_future_days : int
        How many days after today are accepted (0: not after today; plans may start in the future).

    Returns
    -------
    datetime.date

    Raises
    ------
    ParameterError
        For text that is not a real calendar date, or a date too far in the past or the future.
    """
    today = date.today()
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip().lower()
        if text == "today":
            day = today
        elif text in ("yesterday", "last-night", "lastnight"):
            day = today - timedelta(days=1)
        else:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise ParameterError(
                    f"{what}={value!r} is not a calendar date. Write it as YYYY-MM-DD (e.g. 2026-03-04), "
                    "or 'today' / 'yesterday'."
                ) from None
    if day < _EARLIEST:
        raise ParameterError(f"{what}={day.isoformat()} is before {_EARLIEST.isoformat()}; check the year.")
    if day > today + timedelta(days=allow_future_days):
        limit = "today" if allow_future_days == 0 else f"{allow_future_days} days from today"
        raise ParameterError(
            f"{what}={day.isoformat()} is in the future (after {limit}). A night is dated by the evening it "
            "began; log it the morning after."
        )
    return day


def _check_count(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ParameterError(f"{name}={value!r} must be a whole number ≥ 0.")


def _check_hours(name: str, value: float | None) -> None:
    if value is None:
        return
    if not math.isfinite(value) or not 0 < value <= 24:
        raise ParameterError(f"{name}={value!r} hours is impossible for one night; give a number above 0 and ≤ 24.")


@dataclass(frozen=True)
class NightRecord:
    """One measured night.

    Parameters
    ----------
    night_date : datetime.date
        Evening the night began.
    source : {"analyze", "manual", "wearable"}
        Where the numbers come from.
    lm_count : int, optional
        Leg movements counted over the night.
    plm_count : int, optional
        Periodic leg movements *during sleep* (PLMS; the numerator of the PLMS index). From an analyze
        result this is the summary's ``plms_count``, not its ``plm_count`` (which includes wake).
    lm_index, plms_index : float, optional
        The same per hour of sleep, as reported by the scorer.
    tst_min : float, optional
        Total (scored or estimated) sleep time, minutes.
    sleep_hours : float, optional
        Hours of sleep used as exposure; derived from ``tst_min`` when not given.
    source_file, source_sha256, result_json : str, optional
        Provenance of an imported ``twitchlab analyze`` result.
    missing_reason : str, optional
        Why the night has no count although it was recorded (e.g. the leg EMG was unusable). Such a night
        is stored without counts and is a *missing* night, never a night with zero movements.
    """

    night_date: date
    source: Literal["analyze", "manual", "wearable"]
    lm_count: int | None = None
    plm_count: int | None = None
    lm_index: float | None = None
    plms_index: float | None = None
    tst_min: float | None = None
    sleep_hours: float | None = None
    source_file: str | None = None
    source_sha256: str | None = None
    result_json: str | None = None
    id: int | None = field(default=None, compare=False)
    missing_reason: str | None = None

    def __post_init__(self) -> None:
        if self.source not in NIGHT_SOURCES:
            raise ParameterError(f"night source={self.source!r} is not one of {list(NIGHT_SOURCES)}.")
        _check_count("lm_count", self.lm_count)
        _check_count("plm_count", self.plm_count)
        if self.tst_min is not None and not (math.isfinite(self.tst_min) and 0 < self.tst_min <= 24 * 60):
            raise ParameterError(f"tst_min={self.tst_min!r} minutes is impossible for one night.")
        if self.sleep_hours is None and self.tst_min is not None:
            object.__setattr__(self, "sleep_hours", self.tst_min / 60.0)
        _check_hours("sleep_hours", self.sleep_hours)
        if self.missing_reason is not None and (self.lm_count is not None or self.plm_count is not None):
            raise ParameterError(
                f"night {self.night_date}: a night with counts cannot also be missing ({self.missing_reason})."
            )
        if self.lm_count is None and self.plm_count is None and not self.missing_reason:
            raise ParameterError(
                f"night {self.night_date}: neither lm_count nor plm_count was given; a night needs at least one count."
            )


@dataclass(frozen=True)
class DiaryRecord:
    """One diary entry (written the morning after ``night_date``).

    Parameters
    ----------
    night_date : datetime.date
        Evening the night began.
    followed : bool, optional
        Whether the assigned condition was followed that evening.
    sleep_hours : float, optional
        Self-estimated hours asleep.
    caffeine_drinks, alcohol_drinks : int, optional
        Drinks that day.
    exercise_min : int, optional
        Minutes of exercise that day.
    symptoms : int, optional
        Self-rated symptoms 0 (none) to 10 (worst imaginable).
    notes : str, optional
        Free text.
    """

    night_date: date
    followed: bool | None = None
    sleep_hours: float | None = None
    caffeine_drinks: int | None = None
    alcohol_drinks: int | None = None
    exercise_min: int | None = None
    symptoms: int | None = None
    notes: str | None = None
    night_id: int | None = None
    id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _check_hours("sleep_hours", self.sleep_hours)
        _check_count("caffeine_drinks", self.caffeine_drinks)
        _check_count("alcohol_drinks", self.alcohol_drinks)
        _check_count("exercise_min", self.exercise_min)
        if self.exercise_min is not None and self.exercise_min > 24 * 60:
            raise ParameterError(f"exercise_min={self.exercise_min} is more than a day.")
        if self.symptoms is not None and (
            isinstance(self.symptoms, bool) or int(self.symptoms) != self.symptoms or not 0 <= self.symptoms <= 10
        ):
            raise ParameterError(f"symptoms={self.symptoms!r} must be a whole number from 0 (none) to 10 (worst).")


@dataclass(frozen=True)
class ExperimentRecord:
    """A stored experiment design (the schedule itself is stored night by night).

    ``block_order`` holds one letter per block: ``A`` = intervention, ``B`` = control.
    """

    name: str
    intervention: str
    outcome: str
    design: str
    start_date: date
    block_nights: int
    n_blocks: int
    washout_nights: int
    seed: int
    block_order: str
    notes: str | None = None
    id: int | None = field(default=None, compare=False)
    created_at: datetime | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 100:
            raise ParameterError(f"experiment name {self.name!r} must have 1 to 100 characters.")
        if len(self.block_order) != self.n_blocks or set(self.block_order) - {"A", "B"}:
            raise ParameterError(
                f"block_order={self.block_order!r} must have one letter A or B per block ({self.n_blocks})."
            )
        if not 0 <= self.seed < 2**63:
            raise ParameterError(f"seed={self.seed} must be in [0, 2**63).")
