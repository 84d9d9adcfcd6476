"""detect_twitches wires stimulus-linked jerks (SCORING_SPEC §5 ``stimulus_linked``) into the night.

Known truth: stimulus annotations are placed 0.1 s before simulated fragmentary potentials (time-locked) or at
random times (chance); leg movements given as ``lm_events`` are candidates too.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from twitchlab.detect.twitches import SUMMARY_KEYS, TWITCH_TYPES, detect_twitches
from twitchlab.errors import TwitchlabWarning
from twitchlab.model import make_events
from twitchlab.simulate.twitches import simulate_twitch_night

_KEYS = ("stimulus_count", "stimulus_linked_count", "stimulus_linked_share", "stimulus_linked_p")
_TYPES = ["fragmentary_myoclonus", "stimulus_linked"]


@pytest.fixture(scope="module")
def night():
    return simulate_twitch_night(21, duration_h=1.0, kinds=["fragmentary_myoclonus"], efm=True)


def _with_stimuli(night, onsets_s) -> object:
    stim = make_events({"type": ["stimulus"] * len(onsets_s), "onset_s": list(onsets_s), "duration_s": 0.0})
    events = pd.concat([night.recording.events, stim], ignore_index=True) if len(night.recording.events) else stim
    return dataclasses.replace(night.recording, events=make_events(events))


def _locked_stimuli(night, n: int = 40, lead_s: float = 0.1) -> np.ndarray:
    fm = night.truth.loc[night.truth["type"] == "fragmentary_myoclonus", "onset_s"].to_numpy()
    # spaced potentials only, so the 2-s baseline before each stimulus is not crowded by the same cluster
    fm = fm[np.diff(fm, prepend=-np.inf) > 3.0]
    assert len(fm) >= n
    return np.random.default_rng(0).choice(fm, size=n, replace=False) - lead_s


def test_stimulus_linked_is_run_by_all_and_has_summary_keys():
    assert "stimulus_linked" in TWITCH_TYPES
    assert set(_KEYS) <= set(SUMMARY_KEYS)


def test_time_locked_jerks_are_linked_with_a_small_p(night):
    stim = _locked_stimuli(night)
    res = detect_twitches(_with_stimuli(night, stim), types=_TYPES)
    s = res.summary
    assert s["stimulus_count"] == 40
    assert s["stimulus_linked_count"] >= 30
    assert s["stimulus_linked_share"] >= 0.75
    assert s["stimulus_linked_p"] < 1e-6
    linked = res.events[res.events["type"] == "stimulus_linked"]
    assert len(linked) == s["stimulus_linked_count"]
    assert set(linked["jerk_type"]) == {"fragmentary_myoclonus"}
    assert np.all((linked["latency_s"] >= 0.02) & (linked["latency_s"] < 0.5))
    psth = res.params["stimulus_linked"]
    assert len(psth["psth_edges_s"]) == len(psth["psth_counts"]) + 1
    peak = int(np.argmax(psth["psth_counts"]))  # near the 0.1-s lead (detected onsets are a little early)
    assert 0.0 <= psth["psth_edges_s"][peak] < 0.15
    assert sum(psth["psth_counts"]) > psth["psth_counts"][peak] >= 20
    assert psth["time_locked"] is True


def test_random_stimuli_are_consistent_with_chance(night):
    stim = np.sort(np.random.default_rng(5).uniform(10, night.recording.duration_s - 10, size=40))
    s = detect_twitches(_with_stimuli(night, stim), types=_TYPES).summary
    assert s["stimulus_count"] == 40
    assert s["stimulus_linked_p"] > 0.05


def test_leg_movements_are_candidates_and_a_twitch_found_twice_counts_once(night):
    stim = np.arange(100.0, 1100.0, 50.0)  # 20 stimuli
    lms = make_events({"type": "lm", "onset_s": stim + 0.2, "duration_s": 1.0, "side": "L"})
    rec = _with_stimuli(night, stim)
    only_lms = detect_twitches(rec, types=["stimulus_linked"], lm_events=lms)
    assert only_lms.summary["stimulus_linked_count"] == 20
    assert set(only_lms.events["jerk_type"]) == {"lm"}
    # the same movements as sleep-start-like twitch rows + LMs 5 ms later: one jerk each, not two
    stim2 = _locked_stimuli(night, n=20)
    fm_on = stim2 + 0.1
    lms2 = make_events({"type": "lm", "onset_s": fm_on + 0.005, "duration_s": 1.0, "side": "L"})
    both = detect_twitches(_with_stimuli(night, stim2), types=_TYPES, lm_events=lms2)
    linked = both.events[both.events["type"] == "stimulus_linked"]
    assert both.summary["stimulus_linked_count"] == len(linked) <= 20 + 1
    assert (linked["jerk_type"] == "fragmentary_myoclonus").sum() >= 15


def test_no_stimulus_annotations_give_null_keys_and_a_warning(night):
    res = detect_twitches(night.recording, types=_TYPES)
    assert all(res.summary[k] is None for k in _KEYS)
    assert (
        "no sound or light stimuli are marked in this recording (no stimulus annotations), so jerks after stimuli "
        "were not measured"
    ) in res.warnings
    assert "stimulus_linked" not in set(res.events["type"])
    assert res.summary["fragmentary_myoclonus_count"] > 0  # the rest of the night was measured


def test_types_none_runs_nothing_even_with_stimuli(night):
    res = detect_twitches(_with_stimuli(night, _locked_stimuli(night)), types="none")
    assert len(res.events) == 0
    assert all(res.summary[k] is None for k in _KEYS)
    assert "stimulus_linked" not in res.params
    assert not any("stimulus" in w for w in res.warnings)


def test_stimulus_options_reach_the_detector(night):
    stim = _locked_stimuli(night)
    res = detect_twitches(
        _with_stimuli(night, stim), types=_TYPES, options={"stimulus_linked": {"window_s": (0.2, 0.5)}}
    )
    assert res.summary["stimulus_linked_count"] < 10  # the 0.1-s latency is now outside the window
    assert res.params["stimulus_linked"]["window_s"] == (0.2, 0.5)


def test_night_result_carries_the_keys_and_histogram_through_json(night):
    from twitchlab.pipeline import analyze
    from twitchlab.results import NightResult

    with pytest.warns(TwitchlabWarning, match="no leg movements"):  # the night has fragmentary potentials only
        res = analyze(_with_stimuli(night, _locked_stimuli(night)), lm_source="emg")
    assert res.summary["stimulus_linked_count"] >= 30
    back = NightResult.from_json(res.to_json())
    assert back.summary["stimulus_linked_p"] == pytest.approx(res.summary["stimulus_linked_p"])
    assert (
        back.params["twitches"]["stimulus_linked"]["psth_counts"]
        == res.params["twitches"]["stimulus_linked"]["psth_counts"]
    )
    assert (back.events["type"] == "stimulus_linked").sum() == res.summary["stimulus_linked_count"]
