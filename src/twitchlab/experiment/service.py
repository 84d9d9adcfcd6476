"""The experiment workflow over a store: plan, tonight's assignment, diary logging, the night table, analysis.

This is the one place where :mod:`twitchlab.experiment` meets :mod:`twitchlab.store`; everything else in
the package is pure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError, StoreError, check_option
from twitchlab.experiment.analyze import ExperimentAnalysis, analyze_experiment
from twitchlab.experiment.interventions import get_intervention
from twitchlab.experiment.schedule import Design, Schedule, min_two_sided_p, plan_schedule
from twitchlab.experiment.simulate import ANALYSIS_COLUMNS
from twitchlab.store import DiaryRecord, ExperimentRecord, NightRecord, Store

__all__ = [
    "OUTCOMES",
    "TABLE_COLUMNS",
    "Assignment",
    "analyze_stored",
    "assignment",
    "experiment_table",
    "log_night",
    "plan_experiment",
    "schedule_of",
]

logger = logging.getLogger(__name__)

#: Counts an experiment can analyse.
OUTCOMES = ("plm_count", "lm_count")
#: Columns of :func:`experiment_table`: the analysis columns plus the rest of the diary.
TABLE_COLUMNS = (
    *ANALYSIS_COLUMNS,
    "hours_source",
    "night_source",
    "has_diary",
    "caffeine_drinks",
    "alcohol_drinks",
    "exercise_min",
    "notes",
    "missing_reason",
)


def schedule_of(exp: ExperimentRecord) -> Schedule:
    """Rebuild the :class:`Schedule` of a stored experiment."""
    return Schedule(
        exp.intervention,
        exp.start_date,
        exp.block_nights,
        exp.n_blocks,
        exp.washout_nights,
        exp.design,  # type: ignore[arg-type]
        exp.seed,
        exp.block_order,
    )


def plan_experiment(
    store: Store,
    name: str,
    intervention: str,
    *,
    start: date,
    block_nights: int | None = None,
    n_blocks: int = 12,
    washout_nights: int | None = None,
    design: Design = "pairs",
    seed: int | None = None,
    outcome: str = "plm_count",
    allow_overlap: bool = False,
) -> tuple[ExperimentRecord, Schedule, list[str]]:
    """Plan a randomised schedule and store it.

    Parameters
    ----------
    store : Store
        Where to keep it.
    name : str
        Unique name, e.g. ``"caffeine-2026"``.
    intervention : str
        One of :data:`twitchlab.experiment.INTERVENTIONS`.
    start : datetime.date
        Evening of the first night (today or later is typical; up to a year ahead).
    block_nights, n_blocks, washout_nights, design, seed
        See :func:`twitchlab.experiment.plan_schedule`.
    outcome : {"plm_count", "lm_count"}
        The nightly count to analyse.
    allow_overlap : bool
        Allow nights shared with another experiment (two experiments at once confound each other).

    Returns
    -------
    record : ExperimentRecord
    schedule : Schedule
    warnings : list of str
        Design caveats to show the user (e.g. too few blocks for a randomisation test to reach 5 %).

    Raises
    ------
    ParameterError
        For bad design parameters.
    StoreError
        When the name is taken or the dates overlap another experiment.
    """
    check_option("outcome", outcome, OUTCOMES)
    spec = get_intervention(intervention)
    sched = plan_schedule(
        intervention,
        start=start,
        block_nights=block_nights,
        n_blocks=n_blocks,
        washout_nights=washout_nights,
        design=design,
        seed=seed,
    )
    if not allow_overlap:
        clash = store.overlapping(sched.start, sched.end)
        if clash:
            raise StoreError(
                f"the nights {sched.start} to {sched.end} overlap experiment(s) {clash}; two experiments at once "
                "cannot be told apart. Start after the other one ends, or pass --allow-overlap."
            )
    rec = ExperimentRecord(
        name=name,
        intervention=intervention,
        outcome=outcome,
        design=design,
        start_date=sched.start,
        block_nights=sched.block_nights,
        n_blocks=sched.n_blocks,
        washout_nights=sched.washout_nights,
        seed=sched.seed,
        block_order=sched.order,
        notes=spec.note,
    )
    exp_id = store.add_experiment(rec, sched.nights())
    warnings: list[str] = []
    floor = min_two_sided_p(sched.n_blocks, design)
    if floor > 0.05:
        warnings.append(
            f"With {sched.n_blocks} blocks the randomisation test cannot give p below {floor:.3f}, so this plan "
            'can only ever end in "can\'t tell yet". Plan 12 or more blocks (pairs design) for a verdict.'
        )
    if spec.carryover and sched.washout_nights == 0:
        warnings.append(f"{spec.title} may linger for a night or two; consider --washout 1 or more.")
    if spec.note:
        warnings.append(spec.note)
    logger.info("planned experiment %s (id %s) with order %s, seed %s", name, exp_id, sched.order, sched.seed)
    return store.get_experiment(name), sched, warnings


@dataclass(frozen=True)
class Assignment:
    """What to do on one night of an experiment.

    Attributes
    ----------
    experiment : str
        Experiment name.
    night_date : datetime.date
        The night (evening date).
    status : {"before", "during", "after"}
        Where the date falls relative to the schedule.
    condition : {"intervention", "control"} or None
        Assigned condition (``None`` outside the schedule).
    washout : bool
        Whether the night is a washout (follow the condition; the night is not analysed).
    block : int or None
        Block number, from 1.
    instruction : str
        What to do, in words.
    note : str or None
        Safety note of the intervention.
    nights_left : int
        Scheduled nights after this one.
    """

    experiment: str
    night_date: date
    status: Literal["before", "during", "after"]
    condition: str | None
    washout: bool
    block: int | None
    n_blocks: int
    instruction: str
    note: str | None
    nights_left: int


def assignment(store: Store, name: str | None, day: date) -> Assignment:
    """Return the assignment of ``day`` in experiment ``name`` (default: the latest one)."""
    exp = store.get_experiment(name)
    sched = schedule_of(exp)
    spec = get_intervention(exp.intervention)
    if day < sched.start:
        wait = (sched.start - day).days
        return Assignment(
            exp.name,
            day,
            "before",
            None,
            False,
            None,
            sched.n_blocks,
            f"The experiment starts on {sched.start} (in {wait} night{'s' * (wait != 1)}). Live as usual until then.",
            spec.note,
            sched.n_nights,
        )
    if day > sched.end:
        return Assignment(
            exp.name,
            day,
            "after",
            None,
            False,
            None,
            sched.n_blocks,
            f"The experiment ended on {sched.end}. Run `twitchlab experiment analyze {exp.name}`.",
            spec.note,
            0,
        )
    nights = sched.nights()
    row = nights.iloc[(day - sched.start).days]
    intervention = row["condition"] == "intervention"
    text = spec.on_nights if intervention else spec.off_nights
    if row["washout"]:
        text += " (Washout night: follow it, but this night is not counted.)"
    return Assignment(
        exp.name,
        day,
        "during",
        str(row["condition"]),
        bool(row["washout"]),
        int(row["block"]) + 1,
        sched.n_blocks,
        text,
        spec.note,
        (sched.end - day).days,
    )


def log_night(
    store: Store, entry: DiaryRecord, night: NightRecord | None = None, *, replace: bool = False
) -> tuple[int, int | None]:
    """Store a diary entry and, optionally, the night's measured counts.

    The night is written first so that the diary entry links to it; each write is its own committed
    transaction, durable when this returns.

    Returns
    -------
    diary_id : int
    night_id : int or None
    """
    if night is not None and night.night_date != entry.night_date:
        raise ParameterError(
            f"the night result is dated {night.night_date} but the diary entry {entry.night_date}; "
            "pass the same --date for both."
        )
    if not replace:  # check both before writing either, so that a duplicate leaves nothing half-done
        if store.diary(entry.night_date, entry.night_date).shape[0]:
            store.add_diary(entry)  # raises the duplicate error
        if night is not None and store.get_night(night.night_date) is not None:
            store.add_night(night)  # raises the duplicate error
    night_id = store.add_night(night, replace=replace) if night is not None else None
    diary_id = store.add_diary(entry, replace=replace)
    return diary_id, night_id


def experiment_table(store: Store, exp: ExperimentRecord) -> pd.DataFrame:
    """Join the schedule, measured nights and diary into one row per scheduled night.

    ``count`` is the experiment's outcome; ``hours`` is the scored or device sleep time of the night,
    else the diary's estimate (``hours_source`` says which).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TABLE_COLUMNS`.
    """
    sched = store.schedule(exp.id)  # type: ignore[arg-type]
    start, end = exp.start_date, exp.start_date + timedelta(days=len(sched) - 1)
    nights = store.nights(start, end).set_index("night_date")
    diary = store.diary(start, end).set_index("night_date")
    out = sched.copy()
    n_count = out["night_date"].map(nights[exp.outcome]) if len(nights) else np.nan
    out["count"] = pd.to_numeric(pd.Series(n_count, index=out.index), errors="coerce").astype(float)
    n_hours = out["night_date"].map(nights["sleep_hours"]) if len(nights) else pd.Series(np.nan, index=out.index)
    d_hours = out["night_date"].map(diary["sleep_hours"]) if len(diary) else pd.Series(np.nan, index=out.index)
    n_hours = pd.to_numeric(n_hours, errors="coerce").astype(float)
    d_hours = pd.to_numeric(d_hours, errors="coerce").astype(float)
    out["hours"] = n_hours.fillna(d_hours)
    out["hours_source"] = np.where(n_hours.notna(), "night", np.where(d_hours.notna(), "diary", ""))
    out["night_source"] = out["night_date"].map(nights["source"]) if len(nights) else None
    out["missing_reason"] = out["night_date"].map(nights["missing_reason"]) if len(nights) else None
    out["has_diary"] = out["night_date"].isin(set(diary.index))
    for col in ("followed", "symptoms", "caffeine_drinks", "alcohol_drinks", "exercise_min", "notes"):
        out[col] = out["night_date"].map(diary[col]) if len(diary) else None
    out["followed"] = out["followed"].astype(object).where(out["followed"].notna(), None)
    out["symptoms"] = pd.to_numeric(out["symptoms"], errors="coerce").astype(float)
    return out[list(TABLE_COLUMNS)]


def analyze_stored(
    store: Store, name: str | None = None, *, as_of: date | None = None, power: bool = True, n_sim: int = 100
) -> ExperimentAnalysis:
    """Analyse a stored experiment (see :func:`twitchlab.experiment.analyze_experiment`)."""
    exp = store.get_experiment(name)
    table = experiment_table(store, exp)
    sched = schedule_of(exp)
    notes = []
    other = "lm_count" if exp.outcome == "plm_count" else "plm_count"
    nights = store.nights(sched.start, sched.end)
    if len(nights):
        only_other = int((nights[exp.outcome].isna() & nights[other].notna()).sum())
        if only_other:
            notes.append(
                f"{only_other} nights have a {other} but no {exp.outcome}, which this experiment analyses; "
                f"they count as missing. Wearables give lm_count: plan with --outcome lm_count for them."
            )
    due = table[~table["washout"].astype(bool) & (table["night_date"] <= (as_of or date.today()))]
    unusable = due[due["missing_reason"].notna() & due["count"].isna()]
    if len(unusable):
        days = ", ".join(str(d) for d in unusable["night_date"])
        notes.append(
            f"{len(unusable)} recorded night{'s' * (len(unusable) != 1)} ({days}) had no usable count and "
            f"count{'s' * (len(unusable) == 1)} as missing, not as zero: {unusable['missing_reason'].iloc[0]}."
        )
    return analyze_experiment(
        sched, table, outcome=exp.outcome, as_of=as_of, power=power, n_sim=n_sim, notes=tuple(notes)
    )
