"""The workflow over a store: plan, tonight, log, night table, analysis notes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from twitchlab.errors import ParameterError, StoreError
from twitchlab.experiment import simulate_nights
from twitchlab.experiment.service import (
    analyze_stored,
    assignment,
    experiment_table,
    log_night,
    plan_experiment,
    schedule_of,
)
from twitchlab.store import DiaryRecord, NightRecord, Store

START = date(2026, 4, 6)


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(tmp_path / "s.sqlite")
    yield s
    s.close()


def test_plan_is_stored_and_rebuilt_identically(store: Store):
    rec, sched, notes = plan_experiment(store, "bath", "hot_bath", start=START, n_blocks=12, seed=99)
    assert schedule_of(rec) == sched
    assert store.schedule(rec.id)["night_date"].tolist() == sched.nights()["night_date"].tolist()
    assert any("washout" in n for n in notes) is False  # hot bath: no carry-over warning
    _, _, notes4 = plan_experiment(store, "short", "no_caffeine", start=sched.end + timedelta(1), n_blocks=4)
    assert any("cannot give p below 0.500" in n for n in notes4)


def test_overlapping_plans_are_refused_unless_allowed(store: Store):
    plan_experiment(store, "a", "stretching", start=START, n_blocks=4, seed=1)
    with pytest.raises(StoreError, match="overlap"):
        plan_experiment(store, "b", "hot_bath", start=START + timedelta(3), n_blocks=4, seed=1)
    plan_experiment(store, "b", "hot_bath", start=START + timedelta(3), n_blocks=4, seed=1, allow_overlap=True)


def test_medication_plan_always_carries_the_clinician_note(store: Store):
    rec, _, notes = plan_experiment(store, "med", "medication_change_with_clinician", start=START, seed=3)
    assert "clinician" in rec.notes
    assert any("Only as agreed with your clinician" in n for n in notes)
    assert "clinician" in assignment(store, "med", START).note


def test_assignment_before_during_after(store: Store):
    _, sched, _ = plan_experiment(store, "caf", "no_caffeine", start=START, n_blocks=4, seed=9)
    assert assignment(store, None, START - timedelta(2)).status == "before"
    assert assignment(store, None, sched.end + timedelta(1)).status == "after"
    nights = sched.nights()
    for i in (0, 5, len(nights) - 1):
        a = assignment(store, "caf", nights["night_date"].iloc[i])
        assert a.status == "during"
        assert a.condition == nights["condition"].iloc[i]
        assert a.washout == nights["washout"].iloc[i]
        assert a.block == nights["block"].iloc[i] + 1


def test_log_checks_both_before_writing_either(store: Store):
    log_night(store, DiaryRecord(START, symptoms=3))
    with pytest.raises(StoreError, match="already has an entry"):
        log_night(store, DiaryRecord(START), NightRecord(START, "manual", plm_count=4, sleep_hours=7))
    assert store.get_night(START) is None  # nothing half-written
    with pytest.raises(ParameterError, match="same --date"):
        log_night(store, DiaryRecord(START), NightRecord(START + timedelta(1), "manual", plm_count=4))


def test_table_prefers_measured_hours_and_flags_wrong_count(store: Store):
    rec, sched, _ = plan_experiment(store, "caf", "no_caffeine", start=START, n_blocks=12, seed=4)
    sim = simulate_nights(sched, rate_ratio=0.5, rng=3)
    for r in sim.itertuples():
        night = NightRecord(r.night_date, "manual", plm_count=int(r.count), tst_min=float(r.hours) * 60)
        log_night(store, DiaryRecord(r.night_date, followed=True, sleep_hours=5.0), night)
    table = experiment_table(store, rec)
    np.testing.assert_allclose(table["hours"], sim["hours"])
    assert (table["hours_source"] == "night").all()
    assert table["has_diary"].all()
    result = analyze_stored(store, "caf", as_of=sched.end, power=False)
    assert result.verdict.label == "helped"
    # a wearable night with only lm_count is missing for a plm_count experiment, and the analysis says why
    store.add_night(NightRecord(sched.start, "wearable", lm_count=50, sleep_hours=7), replace=True)
    again = analyze_stored(store, "caf", as_of=sched.end, power=False)
    assert again.adherence.nights_with_count == result.adherence.nights_with_count - 1
    assert any("lm_count but no plm_count" in n for n in again.notes)
