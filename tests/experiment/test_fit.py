"""Count and symptom models: recover known effects, pick the family, refuse too little data."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from twitchlab.errors import InsufficientDataError
from twitchlab.experiment import fit_rate_ratio, fit_symptoms, plan_schedule, simulate_nights
from twitchlab.experiment.fit import design_matrix


def _arrays(df):
    df = df[~df["washout"]]
    return (
        df["count"].to_numpy(float),
        df["hours"].to_numpy(float),
        (df["condition"] == "intervention").to_numpy(),
        df["period"].to_numpy(),
    )


@pytest.mark.parametrize(("rr", "alpha", "family"), [(0.6, 0.3, "negative_binomial"), (1.4, 0.0, "poisson")])
def test_recovers_the_rate_ratio_and_chooses_the_family(rr: float, alpha: float, family: str):
    plan = plan_schedule("stretching", start=date(2026, 1, 1), block_nights=10, n_blocks=16, seed=4)
    sim = simulate_nights(plan, rate_ratio=rr, alpha=alpha, rng=11)
    fit = fit_rate_ratio(*_arrays(sim))
    assert fit.family == family
    assert fit.ci_low < rr < fit.ci_high
    assert abs(np.log(fit.rate_ratio / rr)) < 0.15
    assert fit.n_nights == 160
    assert fit.control_rate_per_h == pytest.approx(8.0, rel=0.25)


def test_offset_makes_it_a_rate_not_a_count():
    # same movements per hour, but intervention nights are twice as long: the rate ratio must stay 1
    rng = np.random.default_rng(0)
    t = np.tile([True, False], 40)
    hours = np.where(t, 8.0, 4.0)
    counts = rng.poisson(10 * hours).astype(float)
    fit = fit_rate_ratio(counts, hours, t, np.repeat(np.arange(4), 20))
    assert fit.ci_low < 1 < fit.ci_high
    assert fit.rate_ratio == pytest.approx(1.0, abs=0.1)


def test_missing_nights_are_dropped():
    plan = plan_schedule("stretching", start=date(2026, 1, 1), n_blocks=12, seed=4)
    sim = simulate_nights(plan, rate_ratio=0.7, rng=2, missing=0.3)
    y, h, t, p = _arrays(sim)
    assert fit_rate_ratio(y, h, t, p).n_nights == int(np.isfinite(y).sum())


def test_too_few_nights_is_insufficient_data():
    with pytest.raises(InsufficientDataError, match="at least 2"):
        fit_rate_ratio(np.array([3.0, 4, 5]), np.array([7.0, 7, 7]), np.array([True, False, False]), np.zeros(3))


def test_design_matrix_drops_periods_confounded_with_condition():
    t = np.array([1, 0, 1, 1, 0, 1], bool)
    p = np.array([0, 0, 1, 1, 2, 2])  # period 1 only has intervention nights
    X = design_matrix(t, p)
    assert X.shape == (6, 3)  # intercept, condition, period 2
    assert np.linalg.matrix_rank(X) == 3


def test_symptom_model_finds_a_shift():
    plan = plan_schedule("stretching", start=date(2026, 1, 1), block_nights=7, n_blocks=12, seed=4)
    sim = simulate_nights(plan, rate_ratio=1.0, rng=5, symptom_effect=-2.0)
    sim = sim[~sim["washout"]]
    fit = fit_symptoms(sim["symptoms"].to_numpy(float), (sim["condition"] == "intervention").to_numpy(),
                       sim["period"].to_numpy())  # fmt: skip
    assert fit.ci_high < 0
    assert fit.ci_low < -2.0 < fit.ci_high
    assert fit.mean_intervention < fit.mean_control
    with pytest.raises(InsufficientDataError, match="symptoms were rated"):
        fit_symptoms(np.array([1.0, np.nan, 2]), np.array([True, False, False]), np.zeros(3))
