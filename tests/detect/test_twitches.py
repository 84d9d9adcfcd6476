"""detect_twitches: every §5 kind on a simulated night, summary keys, missing channels and stages."""

from __future__ import annotations

import numpy as np
import pytest

from twitchlab.detect.twitches import SUMMARY_KEYS, detect_twitches
from twitchlab.errors import ParameterError
from twitchlab.model import Recording
from twitchlab.simulate.twitches import TWITCH_KINDS, simulate_twitch_night


@pytest.fixture(scope="module")
def night():
    return simulate_twitch_night(11, duration_h=2.0, rswa="mixed", efm=True)


@pytest.fixture(scope="module")
def found(night):
    return detect_twitches(night.recording)


def _f1(truth, det):
    t_on, t_off = truth["onset_s"].to_numpy(), truth["offset_s"].to_numpy()
    d_on, d_off = det["onset_s"].to_numpy(), det["offset_s"].to_numpy()
    ov = (d_on[:, None] < t_off[None, :]) & (d_off[:, None] > t_on[None, :])
    tp_det, tp_truth = ov.any(axis=1).sum(), ov.any(axis=0).sum()
    p = tp_det / max(len(det), 1)
    r = tp_truth / max(len(truth), 1)
    return 2 * p * r / (p + r) if p + r else 0.0


@pytest.mark.parametrize("kind", TWITCH_KINDS)
def test_each_kind_found_against_truth(night, found, kind):
    truth = night.truth[night.truth["type"] == kind]
    det = found.events[found.events["type"] == kind]
    assert len(truth) > 0
    assert _f1(truth, det) >= 0.9


def test_summary_has_every_key_and_matches_events(night, found):
    s = found.summary
    assert set(SUMMARY_KEYS) <= set(s)
    ev = found.events
    assert s["hypnic_jerk_count"] == (ev["type"] == "hypnic_jerk").sum()
    assert s["alma_train_count"] == (ev["type"] == "alma").sum()
    assert s["hft_train_count"] == (ev["type"] == "hypnagogic_foot_tremor").sum()
    assert s["efm_present"] is True
    rem_min = night.hypnogram.minutes()["R"]
    assert s["rem_twitch_per_min_rem"] == pytest.approx((ev["type"] == "rem_twitch").sum() / rem_min)
    for key in ("rswa_tonic_pct", "rswa_phasic_pct", "rswa_any_pct"):
        assert abs(s[key] - night.rswa_truth[key]) <= 5.0
    assert s["rem_epochs_scored"] == night.rswa_truth["rem_epochs_scored"]


def test_events_table_shape(found):
    ev = found.events
    assert {"channels", "n_bursts", "rate_hz"} <= set(ev.columns)
    trains = ev[ev["type"].isin(["alma", "hypnagogic_foot_tremor", "rhythmic_movement"])]
    assert (trains["n_bursts"] >= 4).all()
    assert ev.loc[ev["type"] == "hypnic_jerk", "n_bursts"].isna().all()
    assert (ev["offset_s"] >= ev["onset_s"]).all()
    assert set(ev["stage"].dropna()) <= {"W", "N1", "N2", "N3", "R"}


def test_types_none_and_subset(night):
    none = detect_twitches(night.recording, types="none")
    assert len(none.events) == 0
    assert all(v is None for v in none.summary.values())
    sub = detect_twitches(night.recording, types="hypnic_jerk,rswa")
    assert set(sub.events["type"]) <= {"hypnic_jerk"}
    assert sub.summary["alma_train_count"] is None
    assert sub.summary["rswa_any_pct"] is not None


def test_unknown_type_is_a_parameter_error(night):
    with pytest.raises(ParameterError, match="hypnic_jerk"):
        detect_twitches(night.recording, types=["hypnic_jerks"])


def test_missing_chin_and_hypnogram_give_nulls_with_reasons(night):
    rec = night.recording
    legs_only = Recording(channels={k: c for k, c in rec.channels.items() if c.role != "chin"},
                          duration_s=rec.duration_s, hypnogram=rec.hypnogram)  # fmt: skip
    res = detect_twitches(legs_only)
    assert res.summary["rswa_any_pct"] is None
    assert res.summary["hypnic_jerk_count"] is not None
    assert any("chin" in w for w in res.warnings)
    no_hyp = Recording(channels=rec.channels, duration_s=rec.duration_s)
    res = detect_twitches(no_hyp, types=["hypnic_jerk", "fragmentary_myoclonus", "rem_twitch", "alma"])
    assert res.summary["hypnic_jerk_count"] is None
    assert res.summary["rem_twitch_per_min_rem"] is None
    assert res.summary["alma_train_count"] is not None
    assert any("hypnogram" in w for w in res.warnings)


def test_chin_envelope_at_1_hz_reported_unusable():
    night = simulate_twitch_night(3, duration_h=1.0, kinds=["hypnic_jerk"], chin="envelope_1hz")
    res = detect_twitches(night.recording, types=["rswa"])
    assert res.summary["rswa_any_pct"] is None
    assert any("1 Hz" in w for w in res.warnings)


def test_long_contractions_from_given_lm_table(night):
    lms = night.truth[night.truth["type"] == "long_contraction"][["onset_s", "offset_s", "side"]]
    res = detect_twitches(night.recording, types=["long_contraction"], lm_events=lms)
    assert res.summary["long_contraction_count"] == len(lms)
    assert np.allclose(np.sort(res.events["onset_s"]), np.sort(lms["onset_s"]))


@pytest.mark.parametrize("scored_long", [False, True])
def test_scored_lms_without_leg_emg_give_no_long_contraction_zero(night, scored_long):
    """Scorers end a leg movement at 10 s: from scored LMs alone, none longer is unknown, not 0 (QA finding)."""
    from dataclasses import replace

    import pandas as pd

    rec = night.recording
    no_legs = replace(rec, channels={k: c for k, c in rec.channels.items() if not c.role.startswith("leg")})
    lms = pd.DataFrame({"onset_s": [100.0, 400.0], "offset_s": [102.0, 400.0 + (14.0 if scored_long else 3.0)],
                        "side": ["L", "R"]})  # fmt: skip
    res = detect_twitches(no_legs, types=["long_contraction"], lm_events=lms)
    if scored_long:  # a scored movement longer than 10 s is counted
        assert res.summary["long_contraction_count"] == 1
    else:
        assert res.summary["long_contraction_count"] is None
        assert any("scoring rules end a leg movement at 10 s" in w for w in res.warnings)


def test_coarse_real_leg_channels_are_unusable_not_zero(shared_data):
    import warnings

    from twitchlab.io import read_recording

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = read_recording(shared_data / "edf" / "rsleep_subject1.edf")
    res = detect_twitches(rec)
    assert len(res.events) == 0
    assert res.summary["long_contraction_count"] is None
    assert res.summary["alma_train_count"] is None
    assert any("resolution" in w and "Left Leg" in w for w in res.warnings)


def test_warnings_read_in_plain_words_and_each_null_key_has_its_own_reason(shared_data):
    """QA finding: warnings named internal keys and roles ("alma_train_count is null", "leg_right channel"), and
    the report guessed each null key's reason by searching the warnings, picking the wrong one."""
    import re
    import warnings

    from twitchlab.io import read_recording

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = read_recording(shared_data / "edf" / "rsleep_subject1.edf")  # coarse legs, chin, no hypnogram
    res = detect_twitches(rec)
    text = " | ".join(res.warnings)
    assert not re.search(r"\b(leg|arm)_(left|right|both)\b|_count\b|_pct\b|_per_min|is null|types=", text), text
    assert "the left leg channel 'Left Leg'" in text
    assert "ALMA (alternating leg muscle activation) needs a usable left and a usable right leg channel" in text
    null = [k for k, v in res.summary.items() if v is None]
    assert set(res.reasons) == set(null)
    r = res.reasons
    assert "REM sleep is unknown" in r["rem_twitch_per_min_rem"]
    assert "hypnogram" in r["rem_twitch_per_min_rem"]
    assert "REM sleep is unknown" in r["rswa_any_pct"]  # the chin exists: the hypnogram is what is missing
    assert "chin" not in r["rswa_any_pct"]
    assert "falling asleep" in r["hypnic_jerk_count"]
    assert "hypnogram" in r["hypnic_jerk_count"]
    assert "leg EMG" in r["hft_train_count"]
    assert "leg EMG" in r["alma_train_count"]
    for key in ("stimulus_count", "stimulus_linked_count", "stimulus_linked_share", "stimulus_linked_p"):
        assert "no stimulus annotations" in r[key]
    assert not any(re.search(r"_count\b|_pct\b|_per_min|_rem\b", why) for why in r.values())


def test_reasons_say_not_asked_for_and_name_missing_arms(night):
    sub = detect_twitches(night.recording, types="hypnic_jerk,rswa")
    assert sub.reasons["alma_train_count"] == "not asked for in this analysis (see --twitches)"
    assert "hypnic_jerk_count" not in sub.reasons
    assert "forearms" in sub.reasons["rswa_any_fds_pct"]  # the chin was scored; the arms are missing
    none = detect_twitches(night.recording, types="none")
    assert set(none.reasons) == set(none.summary)
    assert "types=" not in " ".join(none.warnings)


def test_rem_epochs_past_the_end_of_the_signals_are_not_scored():
    """Audit finding: a hypnogram running past the signals counted REM epochs with no chin in the RSWA share and
    in the REM minutes of the twitch rate; they now count as unscored, as with a hypnogram cut to the signal."""
    from dataclasses import replace

    from twitchlab.model import Channel, Hypnogram

    night = simulate_twitch_night(2, duration_h=2.0, kinds=["rem_twitch"], rswa="mixed")
    rec = night.recording
    cut_s = rec.duration_s - 600.0
    short = {k: Channel.from_array(c.data[: int(cut_s * c.fs_hz)], c.fs_hz, c.label, role=c.role)
             for k, c in rec.channels.items()}  # fmt: skip
    long_hyp = replace(rec, channels=short, duration_s=cut_s)
    n_keep = int(cut_s // 30)
    cut_hyp = replace(long_hyp, hypnogram=Hypnogram(rec.hypnogram.stages[:n_keep], epoch_s=30.0))
    assert (rec.hypnogram.stages[n_keep:] == 4).any()  # the part cut off holds REM
    a = detect_twitches(long_hyp, types=["rem_twitch", "rswa"]).summary
    b = detect_twitches(cut_hyp, types=["rem_twitch", "rswa"]).summary
    for key in ("rem_epochs_scored", "rswa_any_pct", "rswa_tonic_pct", "rem_twitch_per_min_rem"):
        assert a[key] == pytest.approx(b[key]), key


@pytest.mark.parametrize("lead_s", [5.0, 17.0])
def test_a_recording_that_starts_before_its_first_epoch_gives_the_same_twitches_and_rswa(lead_s):
    """Audit finding: the epoch background was laid from t = 0, not from the hypnogram's first epoch, so with a
    lead-in the start of tonic REM epochs read the previous epoch's tone (48 -> 176 REM twitches on 8 h)."""
    from dataclasses import replace

    from twitchlab.model import Channel, Hypnogram

    night = simulate_twitch_night(2, duration_h=2.0, kinds=["rem_twitch"], rswa="mixed")
    rec = night.recording
    pad = {k: Channel.from_array(np.r_[c.data[: round(lead_s * c.fs_hz)], c.data], c.fs_hz, c.label, role=c.role)
           for k, c in rec.channels.items()}  # fmt: skip
    led = replace(rec, channels=pad, duration_s=rec.duration_s + lead_s,
                  hypnogram=Hypnogram(rec.hypnogram.stages, start_s=lead_s))  # fmt: skip
    kinds = ["rem_twitch", "rswa"]
    a, b = detect_twitches(rec, types=kinds), detect_twitches(led, types=kinds)
    assert len(b.events) == len(a.events) == int((night.truth["type"] == "rem_twitch").sum())
    for key in ("rswa_tonic_pct", "rswa_phasic_pct", "rswa_any_pct", "rem_twitch_per_min_rem"):
        assert b.summary[key] == pytest.approx(a.summary[key]), key


def test_a_hypnogram_passed_in_sets_the_epoch_grid_as_the_recordings_own_does():
    """Review finding: emg_traces took the epoch grid from rec.hypnogram, not from the hypnogram= argument."""
    from dataclasses import replace

    night = simulate_twitch_night(2, duration_h=2.0, kinds=["rem_twitch"], rswa="mixed")
    h17 = replace(night.recording.hypnogram, start_s=17.0)
    kinds = ["rem_twitch", "rswa"]
    own = detect_twitches(replace(night.recording, hypnogram=h17), types=kinds)
    given = detect_twitches(replace(night.recording, hypnogram=None), hypnogram=h17, types=kinds)
    assert len(given.events) == len(own.events)
    for key in ("rswa_any_pct", "rswa_phasic_pct", "rem_twitch_per_min_rem"):
        assert given.summary[key] == pytest.approx(own.summary[key]), key


def test_reasons_say_when_rem_or_stimuli_lie_outside_the_analysis_window():
    """Review finding: with REM and stimuli only outside the window, the reasons said none were scored or marked."""
    from dataclasses import replace

    from twitchlab.model import make_events

    night = simulate_twitch_night(2, duration_h=2.0, kinds=["rem_twitch"], rswa="mixed")
    rec = night.recording
    stages = rec.hypnogram.stages
    first_rem_s = float(np.flatnonzero(stages == 4)[0] * 30.0)
    stim = make_events({"type": ["stimulus"] * 3, "onset_s": [10.0, 40.0, 70.0], "duration_s": [0.1] * 3})
    rec = replace(rec, events=stim)
    res = detect_twitches(rec, types=["rem_twitch", "rswa", "stimulus_linked"], window_s=(300.0, first_rem_s))
    assert "outside" in res.reasons["rem_twitch_per_min_rem"]
    assert "outside" in res.reasons["rswa_any_pct"]
    assert "outside the analysis window" in res.reasons["stimulus_count"]
    assert not any("no stimulus annotations" in w or "in the hypnogram" in w for w in res.warnings)
