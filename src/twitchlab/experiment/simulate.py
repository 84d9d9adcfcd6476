"""Simulated experiments with a known true rate ratio, for tests, power and the calibration benchmark."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError
from twitchlab.experiment.schedule import Schedule

__all__ = ["ANALYSIS_COLUMNS", "simulate_nights"]

#: Columns of the per-night table that :func:`twitchlab.experiment.analyze_experiment` reads.
ANALYSIS_COLUMNS = ("night_date", "block", "period", "condition", "washout", "count", "hours", "followed", "symptoms")


def simulate_nights(
    schedule: Schedule,
    *,
    rate_ratio: float,
    rng: np.random.Generator | int | None = None,
    base_rate_per_h: float = 8.0,
    alpha: float = 0.3,
    hours_mean: float = 7.0,
    hours_sd: float = 0.8,
    period_sd: float = 0.1,
    missing: float = 0.0,
    symptom_effect: float = 0.0,
) -> pd.DataFrame:
    """Simulate every night of a schedule: negative-binomial counts with a known rate ratio.

    Parameters
    ----------
    schedule : Schedule
        Calendar and block order.
    rate_ratio : float
        True intervention/control ratio of movements per hour of sleep.
    rng : numpy.random.Generator or int, optional
        Randomness.
    base_rate_per_h : float
        Control rate per hour of sleep.
    alpha : float
        NB2 overdispersion (variance = mu + alpha·mu²); 0 gives Poisson counts.
    hours_mean, hours_sd : float
        Sleep hours per night (normal, clipped to 3-11 h).
    period_sd : float
        SD of a multiplicative log-scale drift per period (shared by both conditions).
    missing : float
        Probability that a night has no count.
    symptom_effect : float
        True shift of 0-10 symptom scores on intervention nights.

    Returns
    -------
    pandas.DataFrame
        Columns ``ANALYSIS_COLUMNS``; ``followed`` is always true.
    """
    if rate_ratio <= 0 or alpha < 0 or not 0 <= missing < 1:
        raise ParameterError("simulate_nights needs rate_ratio > 0, alpha ≥ 0 and 0 ≤ missing < 1.")
    gen = np.random.default_rng(rng)
    nights = schedule.nights()
    n = len(nights)
    treat = (nights["condition"] == "intervention").to_numpy()
    period = nights["period"].to_numpy()
    hours = np.clip(gen.normal(hours_mean, hours_sd, n), 3.0, 11.0)
    drift = gen.normal(0.0, period_sd, int(period.max()) + 1)[period]
    mu = base_rate_per_h * hours * np.where(treat, rate_ratio, 1.0) * np.exp(drift)
    lam = gen.gamma(1.0 / alpha, mu * alpha) if alpha > 0 else mu
    counts = gen.poisson(lam).astype(float)
    symptoms = np.clip(np.round(4.0 + np.where(treat, symptom_effect, 0.0) + gen.normal(0, 1.5, n)), 0, 10)
    gone = gen.random(n) < missing
    counts[gone] = np.nan
    hours_out = np.where(gone, np.nan, hours)
    out = nights.assign(count=counts, hours=hours_out, followed=True, symptoms=symptoms)
    return out[list(ANALYSIS_COLUMNS)]
