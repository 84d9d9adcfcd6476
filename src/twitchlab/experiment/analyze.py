"""Analysis of an n-of-1 experiment: rate ratio, randomisation test, adherence, symptoms and a verdict.

The analysis is by intention to treat: each night counts under the condition the schedule assigned,
whether or not it was followed (adherence is reported next to it, and a per-protocol estimate is given
as a check). Washout nights and nights not yet reached are left out; nights without a count are
reported as missing.

The verdict is "helped" or "made it worse" only when the 95 % interval of the rate ratio excludes 1
*and* the randomisation test agrees (p < 0.05). Otherwise it is "can't tell yet", with the number of
further nights a simulation says would be needed to see a change of the estimated size (or of the
smallest change worth knowing about, 20 % by default, whichever is larger).

References
----------
.. [1] Kravitz RL, Duan N (eds). Design and Implementation of N-of-1 Trials: A User's Guide. AHRQ 2014.
.. [2] Vohra S et al. CONSORT extension for reporting N-of-1 trials (CENT) 2015. BMJ 2015;350:h1738.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab.errors import InsufficientDataError, ParameterError
from twitchlab.experiment.fit import RateRatioFit, SymptomFit, fit_rate_ratio, fit_symptoms
from twitchlab.experiment.power import PowerResult, nights_needed
from twitchlab.experiment.randomisation import RandomisationTest, randomisation_test
from twitchlab.experiment.schedule import Schedule
from twitchlab.experiment.simulate import ANALYSIS_COLUMNS

__all__ = ["Adherence", "ExperimentAnalysis", "Verdict", "analyze_experiment"]

logger = logging.getLogger(__name__)

VerdictLabel = Literal["helped", "made it worse", "can't tell yet"]


@dataclass(frozen=True)
class Adherence:
    """How well the schedule was followed and how complete the data are, up to the analysis date.

    Attributes
    ----------
    nights_due : int
        Scheduled non-washout nights up to the analysis date.
    nights_with_count : int
        Of those, nights with a count and sleep hours.
    missing_dates : tuple of datetime.date
        Due nights without a count.
    followed, not_followed, unknown : int
        Diary answers to "did you follow tonight's condition?" over due nights.
    """

    nights_due: int
    nights_with_count: int
    missing_dates: tuple[date, ...]
    followed: int
    not_followed: int
    unknown: int

    @property
    def fraction_followed(self) -> float | None:
        """Followed / answered, or ``None`` without answers."""
        answered = self.followed + self.not_followed
        return self.followed / answered if answered else None


@dataclass(frozen=True)
class Verdict:
    """The bottom line, in words.

    Attributes
    ----------
    label : {"helped", "made it worse", "can't tell yet"}
    text : str
        One or two sentences for the person who ran the experiment.
    more_nights : int or None
        For "can't tell yet": further nights the simulation says are needed (``None`` if unknown).
    """

    label: VerdictLabel
    text: str
    more_nights: int | None = None


@dataclass(frozen=True)
class ExperimentAnalysis:
    """Everything :func:`analyze_experiment` found. ``to_dict()`` gives plain JSON-able values."""

    schedule: Schedule
    outcome: str
    as_of: date
    table: pd.DataFrame
    counts: RateRatioFit | None
    per_protocol: RateRatioFit | None
    randomisation: RandomisationTest | None
    symptoms: SymptomFit | None
    adherence: Adherence
    power: PowerResult | None
    verdict: Verdict
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (dates as ISO strings) for JSON export."""

        def clean(obj: Any) -> Any:
            if isinstance(obj, dict):
                return {k: clean(v) for k, v in obj.items()}
            if isinstance(obj, (list, tuple)):
                return [clean(v) for v in obj]
            if isinstance(obj, date):
                return obj.isoformat()
            if isinstance(obj, float) and not math.isfinite(obj):
                return None
            if isinstance(obj, np.generic):
                return clean(obj.item())
            return obj

        out = {
            "schedule": asdict(self.schedule),
            "outcome": self.outcome,
            "as_of": self.as_of,
            "counts": None if self.counts is None else asdict(self.counts),
            "per_protocol": None if self.per_protocol is None else asdict(self.per_protocol),
            "randomisation": None if self.randomisation is None else asdict(self.randomisation),
            "symptoms": None if self.symptoms is None else asdict(self.symptoms),
            "adherence": {**asdict(self.adherence), "fraction_followed": self.adherence.fraction_followed},
            "power": None if self.power is None else asdict(self.power),
            "verdict": asdict(self.verdict),
            "notes": list(self.notes),
        }
        return clean(out)


def _adherence(due: pd.DataFrame) -> Adherence:
    has = np.isfinite(due["count"].to_numpy(float)) & np.isfinite(due["hours"].to_numpy(float))
    followed = due["followed"]
    return Adherence(
        nights_due=len(due),
        nights_with_count=int(has.sum()),
        missing_dates=tuple(due.loc[~has, "night_date"]),
        followed=int((followed == True).sum()),  # noqa: E712 - object column with None
        not_followed=int((followed == False).sum()),  # noqa: E712
        unknown=int(followed.isna().sum()),
    )


def _fit(sub: pd.DataFrame) -> RateRatioFit:
    return fit_rate_ratio(
        sub["count"].to_numpy(float),
        sub["hours"].to_numpy(float),
        (sub["condition"] == "intervention").to_numpy(),
        sub["period"].to_numpy(),
    )


def _fmt_rr(fit: RateRatioFit) -> str:
    change = (fit.rate_ratio - 1) * 100
    word = "fewer" if change < 0 else "more"
    return (
        f"{abs(change):.0f} % {word} movements per hour of sleep on intervention nights "
        f"(rate ratio {fit.rate_ratio:.2f}, 95 % CI {fit.ci_low:.2f}-{fit.ci_high:.2f})"
    )


def _verdict(
    fit: RateRatioFit | None,
    rtest: RandomisationTest | None,
    power: PowerResult | None,
    nights_done: int,
    why: str | None,
    *,
    nights_left: int = 0,
    extra_pair: int = 0,
) -> Verdict:
    more = None
    if power is not None and power.total_nights is not None:
        more = max(power.total_nights - nights_done, nights_left)
        if more == 0:  # the planned size should have sufficed; one more pair of blocks is the honest next step
            more = extra_pair
    tail = (
        f" About {more} more nights would be needed to tell (simulated 80 % power for a rate ratio of "
        f"{power.target_rate_ratio:.2f})."
        if more
        else ""
    )
    if power is not None and power.total_nights is None:
        tail = (
            f" Even {power.longest_tried_nights} nights in all would give less than 80 % power to see a rate "
            f"ratio of {power.target_rate_ratio:.2f}; if there is an effect, it is probably small."
        )
    if fit is None:
        return Verdict("can't tell yet", f"Can't tell yet: {why}.{tail}", more)
    ci_excludes = fit.ci_high < 1 or fit.ci_low > 1
    rand_ok = rtest is not None and rtest.p_value < 0.05
    if ci_excludes and rand_ok:
        label: VerdictLabel = "helped" if fit.ci_high < 1 else "made it worse"
        return Verdict(label, f"It {label}: {_fmt_rr(fit)}; randomisation test p = {rtest.p_value:.3f}.")  # type: ignore[union-attr]
    if ci_excludes and rtest is not None and rtest.min_p > 0.05:
        reason = (
            f"the model suggests {_fmt_rr(fit)}, but with so few blocks the "
            f"randomisation test cannot go below p = {rtest.min_p:.3f}, so the result is not yet protected "
            "against chance patterns in when blocks fell"
        )
    elif ci_excludes:
        reason = (
            f"the model suggests {_fmt_rr(fit)}, but the randomisation test does not confirm it "
            f"(p = {rtest.p_value:.3f})"
            if rtest is not None
            else f"the model suggests {_fmt_rr(fit)}, but no randomisation test was possible"
        )
    else:
        reason = f"{_fmt_rr(fit)}; the interval still includes no change"
    return Verdict("can't tell yet", f"Can't tell yet: {reason}.{tail}", more)


def analyze_experiment(
    schedule: Schedule,
    table: pd.DataFrame,
    *,
    outcome: str = "plm_count",
    as_of: date | None = None,
    power: bool = True,
    smallest_change: float = 0.8,
    n_sim: int = 100,
    rng: np.random.Generator | int | None = 0,
    notes: tuple[str, ...] = (),
) -> ExperimentAnalysis:
    """Analyse an experiment's nights.

    Parameters
    ----------
    schedule : Schedule
        The plan (its ``order`` is what the randomisation test re-draws).
    table : pandas.DataFrame
        One row per scheduled night with ``ANALYSIS_COLUMNS`` (``count``/``hours`` NaN when missing,
        ``followed`` True/False/None, ``symptoms`` 0-10 or NaN).
    outcome : str
        Name of the count analysed (for the report).
    as_of : datetime.date, optional
        Analyse nights up to this date (default: all scheduled nights up to today).
    power : bool
        Run the power simulation when the verdict is "can't tell yet".
    smallest_change : float
        Smallest rate ratio below 1 worth detecting (its inverse above 1); used for the power target.
    n_sim : int
        Simulations per schedule size in the power search.
    rng : numpy.random.Generator or int, optional
        Randomness of the Monte-Carlo parts (fixed by default: the same data give the same report).
    notes : tuple of str
        Caveats found by the caller, reported with the analysis.

    Returns
    -------
    ExperimentAnalysis

    Raises
    ------
    ParameterError
        When ``table`` lacks columns.

    References
    ----------
    .. [1] Kravitz RL, Duan N (eds). Design and Implementation of N-of-1 Trials: A User's Guide. AHRQ 2014.
    """
    missing_cols = set(ANALYSIS_COLUMNS) - set(table.columns)
    if missing_cols:
        raise ParameterError(f"the night table lacks columns {sorted(missing_cols)}.")
    if not 0 < smallest_change < 1:
        raise ParameterError(f"smallest_change={smallest_change} must be between 0 and 1 (e.g. 0.8 for 20 %).")
    as_of = as_of or date.today()
    gen = np.random.default_rng(rng)
    notes = list(notes)
    if not schedule.matches_seed():
        notes.append(
            f"The stored block order {schedule.order} is not what seed {schedule.seed} gives; the plan was edited, "
            "so the randomisation test may not be valid."
        )
    dates = pd.to_datetime(table["night_date"]).dt.date
    reached = table[(dates <= as_of).to_numpy()]
    due = reached[~reached["washout"].astype(bool).to_numpy()]
    adherence = _adherence(due)
    nights_done = len(reached)
    fit = pp = None
    rtest = None
    sym = None
    why = None
    try:
        fit = _fit(due)
    except InsufficientDataError as err:
        why = str(err).rstrip(".")
    if fit is not None:
        rtest = randomisation_test(
            due["count"].to_numpy(float),
            due["hours"].to_numpy(float),
            due["block"].to_numpy(),
            schedule.order,
            schedule.design,
            rng=gen,
        )
        followed = due[(due["followed"] == True).to_numpy()]  # noqa: E712
        if adherence.not_followed:
            try:
                pp = _fit(followed)
            except InsufficientDataError:
                notes.append("Too few followed nights for a per-protocol estimate.")
    try:
        sym = fit_symptoms(
            due["symptoms"].to_numpy(float),
            (due["condition"] == "intervention").to_numpy(),
            due["period"].to_numpy(),
        )
    except InsufficientDataError as err:
        notes.append(f"Symptoms not analysed: {err}")
    pw = None
    decided = fit is not None and (fit.ci_high < 1 or fit.ci_low > 1) and rtest is not None and rtest.p_value < 0.05
    if power and not decided:
        observed = fit.rate_ratio if fit is not None else smallest_change
        target = observed if abs(math.log(observed)) >= abs(math.log(smallest_change)) else None
        if target is None:
            target = smallest_change if observed <= 1 else 1 / smallest_change
        has = due.dropna(subset=["count", "hours"])
        base = fit.control_rate_per_h if fit is not None else float(has["count"].sum() / max(has["hours"].sum(), 1e-9))
        hours_mean = float(has["hours"].mean()) if len(has) else 7.0
        miss = 1 - adherence.nights_with_count / adherence.nights_due if adherence.nights_due else 0.0
        if base > 0 and math.isfinite(base):
            pw = nights_needed(
                schedule,
                rate_ratio=target,
                base_rate_per_h=base,
                alpha=fit.alpha if fit is not None else 0.3,
                hours_mean=hours_mean,
                missing=min(miss, 0.8),
                n_sim=n_sim,
                rng=gen,
            )
    if as_of < schedule.end and nights_done > 0:
        notes.append(
            f"Interim look ({nights_done} of {schedule.n_nights} planned nights): looking often and stopping at the "
            "first good-looking result inflates false positives; decide at the planned end."
        )
    if adherence.missing_dates:
        notes.append(f"{len(adherence.missing_dates)} of {adherence.nights_due} due nights have no count.")
    frac = adherence.fraction_followed
    if frac is not None and frac < 0.8:
        notes.append(
            f"The schedule was followed on only {frac:.0%} of answered nights; the estimate is diluted towards "
            "no effect (intention to treat)."
        )
    verdict = _verdict(
        fit,
        rtest,
        pw,
        nights_done,
        why,
        nights_left=len(table) - nights_done,
        extra_pair=2 * (schedule.block_nights + schedule.washout_nights),
    )
    return ExperimentAnalysis(
        schedule, outcome, as_of, table, fit, pp, rtest, sym, adherence, pw, verdict, tuple(notes)
    )
