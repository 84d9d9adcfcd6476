"""Analysis and verdict: helped / made it worse / can't tell yet (with nights needed), adherence, missing."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from twitchlab.errors import ParameterError
from twitchlab.experiment import analyze_experiment, nights_needed, plan_schedule, simulate_nights

START = date(2026, 1, 5)


def _plan(n_blocks=12, **kw):
    return plan_schedule("no_caffeine", start=START, n_blocks=n_blocks, seed=21, **kw)


def test_clear_reduction_is_helped():
    plan = _plan()
    a = analyze_experiment(plan, simulate_nights(plan, rate_ratio=0.4, rng=1), as_of=plan.end, power=False)
    assert a.verdict.label == "helped"
    assert "fewer movements" in a.verdict.text
    assert a.counts.ci_high < 1
    assert a.randomisation.p_value < 0.05


def test_clear_increase_made_it_worse():
    plan = _plan()
    a = analyze_experiment(plan, simulate_nights(plan, rate_ratio=2.5, rng=2), as_of=plan.end, power=False)
    assert a.verdict.label == "made it worse"
    assert a.counts.ci_low > 1


def test_too_few_blocks_never_gives_a_verdict_and_says_why():
    plan = _plan(n_blocks=4)
    a = analyze_experiment(plan, simulate_nights(plan, rate_ratio=0.3, rng=3), as_of=plan.end, n_sim=25)
    assert a.verdict.label == "can't tell yet"
    assert a.randomisation.min_p == 0.5
    assert "cannot go below p = 0.500" in a.verdict.text
    assert a.power.n_blocks >= 12  # the power search only proposes designs that can reach p < 0.05
    assert a.verdict.more_nights == a.power.total_nights - plan.n_nights
    assert f"{a.verdict.more_nights} more nights" in a.verdict.text


def test_no_effect_reports_nights_needed_or_that_it_is_small():
    plan = _plan()
    a = analyze_experiment(plan, simulate_nights(plan, rate_ratio=1.0, alpha=0.05, rng=4), as_of=plan.end, n_sim=25)
    assert a.verdict.label == "can't tell yet"
    assert a.power is not None
    # the target is the estimate, or the smallest worthwhile change (20 %) in its direction if that is larger
    target = a.power.target_rate_ratio
    assert abs(np.log(target)) >= abs(np.log(0.8)) - 1e-9
    assert (target < 1) == (a.counts.rate_ratio < 1)
    if a.power.total_nights is None:
        assert "probably small" in a.verdict.text
    else:
        assert a.verdict.more_nights > 0


def test_nights_needed_grows_when_the_effect_shrinks():
    plan = _plan(n_blocks=4)
    big = nights_needed(plan, rate_ratio=0.5, base_rate_per_h=8, alpha=0.2, n_sim=40, max_blocks=24)
    small = nights_needed(plan, rate_ratio=0.75, base_rate_per_h=8, alpha=0.2, n_sim=40, max_blocks=24)
    assert big.total_nights is not None
    assert small.total_nights is None or small.total_nights > big.total_nights


def test_only_nights_up_to_as_of_count_and_missing_are_listed():
    plan = _plan()
    sim = simulate_nights(plan, rate_ratio=0.7, rng=5)
    sim.loc[[0, 2], ["count", "hours"]] = np.nan
    as_of = START + timedelta(days=20)
    a = analyze_experiment(plan, sim, as_of=as_of, power=False)
    due = sim[(sim["night_date"] <= as_of) & ~sim["washout"]]
    assert a.adherence.nights_due == len(due)
    assert a.adherence.missing_dates == (START, START + timedelta(days=2))
    assert a.counts.n_nights == len(due) - 2
    assert any("2 of" in n for n in a.notes)
    assert any("Interim look" in n for n in a.notes)


def test_adherence_and_per_protocol():
    plan = _plan()
    sim = simulate_nights(plan, rate_ratio=0.5, rng=6)
    sim["followed"] = pd.Series([True] * len(sim), index=sim.index, dtype=object)
    sim.loc[sim.index[::3], "followed"] = False
    sim.loc[sim.index[1::7], "followed"] = None
    a = analyze_experiment(plan, sim, as_of=plan.end, power=False)
    due = sim[~sim["washout"]]
    assert a.adherence.not_followed == int((due["followed"] == False).sum())  # noqa: E712
    assert a.adherence.unknown == int(due["followed"].isna().sum())
    assert a.adherence.followed + a.adherence.not_followed + a.adherence.unknown == len(due)
    assert a.per_protocol is not None
    assert a.per_protocol.n_nights == a.adherence.followed
    assert any("followed on only" in n for n in a.notes)


def test_edited_order_is_flagged():
    plan = _plan()
    edited = plan.__class__(**{**plan.__dict__, "order": plan.order[::-1]})
    if edited.order == plan.order:
        pytest.skip("palindromic order")
    a = analyze_experiment(edited, simulate_nights(edited, rate_ratio=1.0, rng=7), as_of=plan.end, power=False)
    assert any("not what seed" in n for n in a.notes)


def test_no_data_yet_cannot_tell():
    plan = _plan()
    sim = simulate_nights(plan, rate_ratio=1.0, rng=8)
    a = analyze_experiment(plan, sim, as_of=START - timedelta(days=1), power=False)
    assert a.counts is None
    assert a.verdict.label == "can't tell yet"
    assert "Keep logging" in a.verdict.text


def test_to_dict_is_json():
    plan = _plan()
    a = analyze_experiment(plan, simulate_nights(plan, rate_ratio=0.6, rng=9), as_of=plan.end, power=False)
    doc = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert doc["verdict"]["label"] == a.verdict.label
    assert doc["schedule"]["seed"] == 21
    assert doc["counts"]["rate_ratio"] == pytest.approx(a.counts.rate_ratio)


def test_bad_table_or_option():
    plan = _plan()
    with pytest.raises(ParameterError, match="lacks columns"):
        analyze_experiment(plan, simulate_nights(plan, rate_ratio=1, rng=1).drop(columns="hours"))
    with pytest.raises(ParameterError, match="smallest_change"):
        analyze_experiment(plan, simulate_nights(plan, rate_ratio=1, rng=1), smallest_change=1.2)
