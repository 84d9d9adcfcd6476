"""simulate_twitch_night: deterministic, truth in the right stages, chin variants."""

from __future__ import annotations

import numpy as np
import pytest

from twitchlab.errors import ParameterError
from twitchlab.simulate.twitches import TWITCH_KINDS, simulate_twitch_night

STAGE_OF_KIND = {
    "hypnic_jerk": {"W", "N1"},
    "hypnagogic_foot_tremor": {"W", "N1"},
    "alma": {"N1", "N2"},
    "rhythmic_movement": {"W", "N1"},
    "long_contraction": {"W", "N2"},
    "rem_twitch": {"R"},
    "fragmentary_myoclonus": {"N2", "N3"},
}


@pytest.fixture(scope="module")
def night():
    return simulate_twitch_night(5, duration_h=2.0, rswa="mixed", arms=True)


def test_same_seed_same_night(night):
    again = simulate_twitch_night(5, duration_h=2.0, rswa="mixed", arms=True)
    assert night.truth[["type", "onset_s"]].equals(again.truth[["type", "onset_s"]])
    assert np.array_equal(night.recording.channel("Chin").data, again.recording.channel("Chin").data)


def test_every_kind_drawn_in_its_stages(night):
    labels = np.array(night.hypnogram.labels)
    for kind in TWITCH_KINDS:
        rows = night.truth[night.truth["type"] == kind]
        assert len(rows) > 0, kind
        stages = set(labels[(rows["onset_s"].to_numpy() // 30).astype(int)])
        assert stages <= STAGE_OF_KIND[kind], kind


def test_trains_carry_burst_counts_and_rates(night):
    trains = night.truth[night.truth["type"].isin(["alma", "hypnagogic_foot_tremor", "rhythmic_movement"])]
    assert (trains["n_bursts"] >= 4).all()
    alma = trains[trains["type"] == "alma"]
    assert alma["rate_hz"].between(0.5, 3.0).all()


def test_channels_roles_and_rswa_truth(night):
    roles = {c.role for c in night.recording.channels.values()}
    assert roles == {"leg_left", "leg_right", "chin", "arm_left", "arm_right"}
    t = night.rswa_truth
    assert 0 < t["rswa_tonic_pct"] < 100
    assert t["rswa_any_pct"] >= t["rswa_tonic_pct"] * 0.9
    assert t["rem_epochs_scored"] == int((night.hypnogram.stages == 4).sum())


def test_chin_tone_falls_from_wake_to_rem(night):
    x = night.recording.channel("Chin").data
    st = np.repeat(night.hypnogram.stages, 30 * 256)[: x.size]
    sd = {c: np.median(np.abs(x[st == c])) for c in (0, 2, 4)}
    assert sd[0] > sd[2] > sd[4]


def test_chin_variants():
    flat = simulate_twitch_night(1, duration_h=1.0, kinds=[], chin="flat")
    assert np.all(flat.recording.channel("Chin").data == 0)
    assert flat.rswa_truth["rswa_any_pct"] is None
    env = simulate_twitch_night(1, duration_h=1.0, kinds=[], chin="envelope_1hz")
    assert env.recording.channel("Chin").fs_hz == 1.0
    absent = simulate_twitch_night(1, duration_h=1.0, kinds=[], chin="absent")
    assert "Chin" not in absent.recording.channels


def test_bad_arguments_raise():
    with pytest.raises(ParameterError):
        simulate_twitch_night(0, kinds=["hiccup"])
    with pytest.raises(ParameterError):
        simulate_twitch_night(0, duration_h=0.1)


def test_add_twitches_overlays_sleep_starts_and_rem_twitches():
    from twitchlab.detect.twitches import detect_twitches
    from twitchlab.simulate.twitches import add_twitches

    base = simulate_twitch_night(8, duration_h=2.0, kinds=[], chin="absent").recording
    rec, truth = add_twitches(base, 3)
    assert "Chin" not in base.channels
    assert rec.channel("Chin").role == "chin"
    assert set(truth["type"]) == {"hypnic_jerk", "rem_twitch"}
    found = detect_twitches(rec, types=["hypnic_jerk", "rem_twitch", "rswa"])
    for kind in ("hypnic_jerk", "rem_twitch"):
        assert (found.events["type"] == kind).sum() == (truth["type"] == kind).sum()
    assert found.summary["rswa_any_pct"] < 5.0
    with pytest.raises(ParameterError):
        add_twitches(base, kinds=["alma"])
