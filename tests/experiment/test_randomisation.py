"""Randomisation test: matches a brute-force reference, respects the design's p-value floor."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.experiment import plan_schedule, randomisation_test, simulate_nights


def _brute_force_p(counts, hours, block, order):
    """Independent reference: loop over every pairs-design order, pooled log rate ratio."""
    k = len(order) // 2

    def stat(o):
        a = np.array([o[b] == "A" for b in block])
        return np.log((counts[a].sum() + 0.5) / hours[a].sum()) - np.log((counts[~a].sum() + 0.5) / hours[~a].sum())

    obs = abs(stat(order))
    orders = ["".join("BA" if f else "AB" for f in flips) for flips in itertools.product((0, 1), repeat=k)]
    return np.mean([abs(stat(o)) >= obs - 1e-9 for o in orders])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_pairs=st.integers(1, 5))
def test_matches_brute_force(seed: int, n_pairs: int):
    rng = np.random.default_rng(seed)
    plan = plan_schedule("leg_massage", start=date(2026, 1, 1), block_nights=3, n_blocks=2 * n_pairs, seed=seed)
    block = np.repeat(np.arange(plan.n_blocks), 3)
    counts = rng.poisson(20, len(block)).astype(float)
    hours = rng.uniform(5, 9, len(block))
    got = randomisation_test(counts, hours, block, plan.order, "pairs")
    assert got.exhaustive
    assert got.p_value == pytest.approx(_brute_force_p(counts, hours, block, plan.order))
    assert got.min_p <= got.p_value <= 1


def test_huge_effect_reaches_the_floor_and_no_effect_does_not():
    plan = plan_schedule("leg_massage", start=date(2026, 1, 1), n_blocks=12, seed=8)
    sim = simulate_nights(plan, rate_ratio=0.2, alpha=0.01, rng=1)
    sim = sim[~sim["washout"]]
    r = randomisation_test(sim["count"], sim["hours"], sim["block"], plan.order, "pairs")
    assert r.p_value == pytest.approx(r.min_p) == pytest.approx(1 / 32)
    assert r.statistic < np.log(0.3)


def test_false_positive_rate_is_at_most_nominal():
    """Under no effect, p ≤ 0.05 happens at most ~5 % of the time (exact test, discrete)."""
    rng = np.random.default_rng(123)
    hits = 0
    n = 300
    for _ in range(n):
        plan = plan_schedule("leg_massage", start=date(2026, 1, 1), n_blocks=14, seed=int(rng.integers(2**62)))
        sim = simulate_nights(plan, rate_ratio=1.0, rng=rng)
        sim = sim[~sim["washout"]]
        hits += randomisation_test(sim["count"], sim["hours"], sim["block"], plan.order, "pairs").p_value <= 0.05
    assert hits / n <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / n)


def test_monte_carlo_version_for_many_blocks():
    plan = plan_schedule("leg_massage", start=date(2026, 1, 1), block_nights=2, n_blocks=40, seed=3)
    sim = simulate_nights(plan, rate_ratio=0.5, rng=4)
    sim = sim[~sim["washout"]]
    r = randomisation_test(sim["count"], sim["hours"], sim["block"], plan.order, "pairs", n_draws=999, rng=1)
    assert not r.exhaustive
    assert r.n_orders == 999
    assert r.p_value == pytest.approx(1 / 1000)
