"""Fragmentary myoclonus and EFM (SCORING_SPEC §5, AASM)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.detect._emg import EmgTrace
from twitchlab.detect.fragmentary import detect_fragmentary_myoclonus, efm_summary
from twitchlab.model import Hypnogram, make_events

FS = 128.0


def trace(label: str, side: str | None, times: list[float], dur: float, n_s: float = 300.0) -> EmgTrace:
    env = np.ones(round(n_s * FS))
    for t in times:
        env[round(t * FS) : round((t + dur) * FS)] = 30.0
    role = {"L": "leg_left", "R": "leg_right", None: "chin"}[side]
    return EmgTrace(label, role, "chin" if side is None else "leg", side, env, FS, np.ones_like(env), np.ones_like(env))


N2 = Hypnogram(np.full(10, 2))


@pytest.mark.parametrize(("dur", "found"), [(0.08, True), (0.14, True), (0.17, False), (0.3, False)])
def test_potential_duration_boundary_150_ms(dur, found):
    ev = detect_fragmentary_myoclonus([trace("Leg L", "L", [100.0], dur)], N2)
    assert (len(ev) == 1) is found


def test_simultaneous_potentials_on_two_channels_count_once():
    tr = [trace("Leg L", "L", [50.0, 120.0], 0.1), trace("Chin", None, [50.02, 200.0], 0.1)]
    ev = detect_fragmentary_myoclonus(tr, N2)
    assert len(ev) == 3
    first = ev.iloc[0]
    assert set(first["channels"].split(",")) == {"Leg L", "Chin"}
    assert first["side"] is None


def test_potentials_in_rem_or_wake_are_not_counted_by_default():
    hyp = Hypnogram(np.array([0, 0, 4, 4, 2, 2, 2, 2, 2, 2]))
    ev = detect_fragmentary_myoclonus([trace("Leg L", "L", [10.0, 70.0, 130.0], 0.1)], hyp)
    assert ev["stage"].tolist() == ["N2"]


def _fm(per_min: list[int]) -> pd.DataFrame:
    on = np.concatenate([m * 60.0 + np.linspace(1, 50, k) for m, k in enumerate(per_min)])
    return make_events({"type": "fragmentary_myoclonus", "onset_s": on, "offset_s": on + 0.1})


@pytest.mark.parametrize(("rate", "minutes", "efm"), [(5, 20, True), (4, 20, False), (5, 19, False), (9, 30, True)])
def test_efm_needs_5_per_min_for_20_min_of_nrem(rate, minutes, efm):
    hyp = Hypnogram(np.full(80, 2))  # 40 min N2
    s = efm_summary(_fm([rate] * minutes + [0] * (40 - minutes)), hyp)
    assert s["efm_present"] is efm
    assert s["fragmentary_myoclonus_per_min_nrem"] == pytest.approx(rate * minutes / 40)


def test_efm_total_versus_consecutive_minutes():
    per_min = ([6] * 10 + [0]) * 2 + [0] * 18  # 20 hot minutes, longest run 10
    hyp = Hypnogram(np.full(80, 2))
    assert efm_summary(_fm(per_min), hyp)["efm_present"] is True
    s = efm_summary(_fm(per_min), hyp, consecutive=True)
    assert s["efm_present"] is False
    assert s["efm_minutes"] == 10


def test_efm_is_null_without_nrem():
    s = efm_summary(_fm([6] * 5), Hypnogram(np.full(10, 4)))
    assert s["efm_present"] is None
    assert s["fragmentary_myoclonus_per_min_nrem"] is None
    assert s["fragmentary_myoclonus_count"] == 30


@settings(max_examples=40, deadline=None)
@given(
    stages=st.lists(st.sampled_from([0, 1, 2, 3, 4]), min_size=2, max_size=40),
    onsets=st.lists(st.floats(0, 1199), max_size=60),
)
def test_rate_is_nrem_count_over_nrem_minutes(stages, onsets):
    hyp = Hypnogram(np.array(stages))
    ev = make_events({"type": "fragmentary_myoclonus", "onset_s": onsets, "offset_s": np.add(onsets, 0.1)})
    s = efm_summary(ev, hyp)
    n_min = len(stages) // 2
    nrem_min = np.isin(np.array(stages[: 2 * n_min]).reshape(-1, 2), [1, 2, 3]).all(axis=1)
    if not nrem_min.any():
        assert s["fragmentary_myoclonus_per_min_nrem"] is None
        return
    m = np.floor(np.array(onsets, dtype=float) / 60).astype(int)
    in_nrem = sum(1 for k in m if k < n_min and nrem_min[k])
    assert s["fragmentary_myoclonus_per_min_nrem"] == pytest.approx(in_nrem / nrem_min.sum())
    assert s["efm_present"] == (s["efm_minutes"] >= 20)
