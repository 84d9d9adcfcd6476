"""Phantom nights: seeded, realistic in shape, and scored as their profile says."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twitchlab.errors import ParameterError
from twitchlab.model import validate_events
from twitchlab.score import score_night
from twitchlab.simulate import PROFILES, SimulatedNight, simulate_night


def _score(night: SimulatedNight, **kw):
    return score_night(
        night.lms,
        hypnogram=night.hypnogram,
        resp_events=night.resp_events,
        arousals=night.arousals,
        window=(night.lights_off_s, night.lights_on_s),
        recording_s=night.duration_s,
        **kw,
    ).summary


def test_same_seed_same_night_other_seed_other_night():
    a = simulate_night(7, profile="plms")
    b = simulate_night(7, profile="plms")
    c = simulate_night(8, profile="plms")
    pd.testing.assert_frame_equal(a.lms, b.lms)
    pd.testing.assert_frame_equal(a.arousals, b.arousals)
    assert np.array_equal(a.hypnogram.stages, b.hypnogram.stages)
    assert not a.lms["onset_s"].equals(c.lms["onset_s"])


def test_generator_is_accepted_and_global_state_untouched():
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    simulate_night(np.random.default_rng(3), profile="healthy", duration_h=2)
    assert np.random.random() == before


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hypnogram_has_cycles(seed):
    """Wake before lights off and after lights on; N3 mostly in the first half, REM mostly in the second,
    several REM periods, 75-95 % sleep efficiency."""
    night = simulate_night(seed, duration_h=8)
    st = night.hypnogram.stages
    n = st.size
    assert st[0] == 0
    assert st[-1] == 0
    assert (st[: n // 2] == 3).sum() > (st[n // 2 :] == 3).sum()
    assert (st[n // 2 :] == 4).sum() > (st[: n // 2] == 4).sum()
    rem_starts = np.flatnonzero((st[1:] == 4) & (st[:-1] != 4))
    assert rem_starts.size >= 3
    in_bed = (night.lights_on_s - night.lights_off_s) / 30
    assert 0.75 < (st > 0).sum() / in_bed < 0.97


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_lm_table_is_physical(profile):
    """Sides L/R only; durations >= 0.5 s; no two LMs overlap on the same leg; bilateral movements share
    movement_id and lie on both legs; train ids only on train LMs."""
    lms = simulate_night(5, profile=profile).lms
    assert set(lms["side"]) <= {"L", "R"}
    assert (lms["offset_s"] - lms["onset_s"] >= 0.5).all()
    for _, g in lms.groupby("side"):
        g = g.sort_values("onset_s")
        assert (g["onset_s"].to_numpy()[1:] >= g["offset_s"].to_numpy()[:-1]).all()
    pairs = lms.groupby("movement_id")["side"].agg(lambda s: "".join(sorted(s)))
    assert set(pairs) <= {"L", "R", "LR"}
    assert lms.loc[lms["train_id"].notna(), "kind"].isin(["train", "wake_train"]).all()


def test_plms_profile_scores_high_healthy_low():
    """Across 3 seeds: the PLM profile gives PLMS index > 15/h with IMIs peaking at 10-40 s; the healthy
    profile < 5/h."""
    for seed in range(3):
        plms = _score(simulate_night(seed, profile="plms"))
        healthy = _score(simulate_night(seed, profile="healthy"))
        assert plms["plms_index"] > 15
        assert 10 <= plms["imi_median_s"] <= 40
        assert plms["periodicity_index_sleep"] > 0.4
        assert healthy["plms_index"] < 5


def test_apnea_profile_has_respiratory_lms():
    """Apnea profile: AHI > 15/h in runs; most LMs respiratory-related, so the non-respiratory PLMS index is
    well below the all-CLM one."""
    night = simulate_night(0, profile="apnea")
    s = _score(night)
    assert len(night.resp_events) / (s["tst_min"] / 60) > 15
    assert s["resp_lm_count"] > s["lm_count"] / 2
    assert s["plms_nr_index"] < s["plms_index"]
    gaps = np.diff(night.resp_events["onset_s"].to_numpy())
    assert np.median(gaps) < 90  # cyclic breathing, not scattered events


def test_resp_events_and_arousals_lie_in_sleep_and_do_not_overlap():
    night = simulate_night(2, profile="apnea")
    r = night.resp_events
    assert (night.hypnogram.stage_at(r["onset_s"]) > 0).all()
    assert (r["onset_s"].to_numpy()[1:] > r["offset_s"].to_numpy()[:-1]).all()
    a = night.arousals
    assert (a["onset_s"].to_numpy()[1:] >= a["offset_s"].to_numpy()[:-1]).all()
    assert set(a["cause"]) <= {"lm", "respiratory", "spontaneous"}


def test_events_and_recording_views():
    night = simulate_night(1, profile="plms", duration_h=4)
    ev = validate_events(night.events)
    assert set(ev["type"]) >= {"lm_left", "lm_right", "arousal", "lights_off", "lights_on"}
    assert (ev["type"].isin(["lm_left", "lm_right"])).sum() == len(night.lms)
    rec = night.to_recording()
    assert rec.hypnogram is night.hypnogram
    assert rec.duration_s == night.duration_s
    assert not rec.channels
    assert "SimulatedNight" in repr(night)


def test_rate_overrides_and_errors():
    none = simulate_night(0, profile="plms", ahi=0, trains_per_h=0, wake_trains_per_h=0)
    assert none.resp_events.empty
    assert (none.lms["kind"] != "train").all()
    with pytest.raises(ParameterError, match="profile"):
        simulate_night(0, profile="rls")
    with pytest.raises(ParameterError, match="unknown rate"):
        simulate_night(0, apnea_index=3)
    with pytest.raises(ParameterError, match="duration_h"):
        simulate_night(0, duration_h=30)
    with pytest.raises(ParameterError, match="lights_off_s < lights_on_s"):
        simulate_night(0, duration_h=1, lights_off_s=3000, lights_on_s=100)


def test_imi_histograms_have_the_published_shapes():
    """RLS/PLMD-like nights: a short-IMI peak (< 10 s) and a larger periodic mode at 10-90 s; healthy nights:
    mostly short IMIs (Ferri et al. 2006 IMI histograms). Intervals between consecutive CLMs in sleep."""
    from twitchlab.results import imi_histogram

    for seed in range(2):
        for profile, periodic_dominates in (("plms", True), ("healthy", False)):
            night = simulate_night(seed, profile=profile)
            ev = score_night(
                night.lms, hypnogram=night.hypnogram, window=(night.lights_off_s, night.lights_on_s)
            ).events
            h = imi_histogram(ev, stage="sleep")
            short = int(h.loc[h["bin_right"] <= 10, "count"].sum())
            periodic = int(h.loc[(h["bin_left"] >= 10) & (h["bin_right"] <= 90), "count"].sum())
            assert short > 0
            assert (periodic > short) is periodic_dominates


@pytest.mark.parametrize("hours", [0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 1.0])
def test_short_nights_have_a_window_and_some_sleep(hours):
    """Every length the demo allows (down to 0.25 h) simulates: lights inside the night, some sleep."""
    for seed in range(6):
        for profile in PROFILES:
            night = simulate_night(seed, profile=profile, duration_h=hours)
            assert 0 <= night.lights_off_s < night.lights_on_s <= night.duration_s
            assert (night.hypnogram.stages > 0).any()
