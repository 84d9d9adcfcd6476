"""Sleep starts (SCORING_SPEC §5 hypnic_jerk)."""

from __future__ import annotations

import numpy as np
import pytest

from twitchlab.detect._emg import EmgTrace
from twitchlab.detect.hypnic import detect_hypnic_jerks, sleep_onset_windows
from twitchlab.model import Hypnogram

FS = 128.0
ROLE = {"Leg L": ("leg_left", "leg", "L"), "Leg R": ("leg_right", "leg", "R"), "Chin": ("chin", "chin", None)}
HYP = Hypnogram(np.array([0] * 4 + [1] * 4 + [2] * 6))  # sleep onset at 120 s


def trace(label: str, bursts: list[tuple[float, float]], *, amp: float = 60.0, n_s: float = 420.0) -> EmgTrace:
    env = np.ones(round(n_s * FS))
    for on, dur in bursts:
        env[round(on * FS) : round((on + dur) * FS)] = amp
    role, group, side = ROLE[label]
    return EmgTrace(label, role, group, side, env, FS, np.ones_like(env), np.ones_like(env))


def jerk(t: float, dur: float, labels: tuple[str, ...] = ("Leg L", "Leg R", "Chin")) -> list[EmgTrace]:
    return [trace(lab, [(t + 0.02 * i, dur)]) for i, lab in enumerate(labels)]


def test_sleep_onset_window_is_around_wake_to_n1():
    w = sleep_onset_windows(HYP)
    assert w.tolist() == [[90.0, 300.0]]


def test_quarter_second_sleep_start_is_a_hypnic_jerk_on_both_legs_and_chin():
    ev = detect_hypnic_jerks(jerk(150.0, 0.25), HYP)
    assert len(ev) == 1
    row = ev.iloc[0]
    assert row["type"] == "hypnic_jerk"
    assert row["side"] == "B"
    assert set(row["channels"].split(",")) == {"Leg L", "Leg R", "Chin"}
    assert row["onset_s"] == pytest.approx(150.0, abs=0.02)
    # shorter than the 0.5-s minimum of a leg movement (WASM 2016): it cannot also be an LM
    assert row["offset_s"] - row["onset_s"] < 0.5
    assert row["stage"] == "N1"


def test_quarter_second_jerk_is_not_a_leg_movement():
    lm = pytest.importorskip("twitchlab.detect.lm")
    from twitchlab.model import Channel, Recording

    rng = np.random.default_rng(0)
    fs = 256.0
    n = int(300 * fs)
    chans = {}
    for lab, role in (("Leg L", "leg_left"), ("Leg R", "leg_right")):
        x = rng.standard_normal(n) * 1.5
        i0 = int(150.0 * fs)
        x[i0 : i0 + int(0.25 * fs)] = rng.standard_normal(int(0.25 * fs)) * 80.0
        chans[lab] = Channel.from_array(x, fs, lab, role=role)
    rec = Recording(channels=chans, duration_s=300.0, hypnogram=Hypnogram(np.array([0] * 4 + [1] * 6)))
    res = lm.detect_leg_movements(rec)
    table = res.events
    assert not ((table["onset_s"] < 151.0) & (table["offset_s"] > 149.0)).any()


@pytest.mark.parametrize(("dur", "found"), [(0.45, True), (0.55, False)])
def test_hypnic_jerk_duration_boundary_half_second(dur, found):
    assert (len(detect_hypnic_jerks(jerk(150.0, dur), HYP)) == 1) is found


def test_single_channel_burst_is_not_a_sleep_start_unless_allowed():
    one = [*jerk(150.0, 0.25, labels=("Leg L",)), trace("Leg R", []), trace("Chin", [])]
    assert len(detect_hypnic_jerks(one, HYP)) == 0
    ev = detect_hypnic_jerks(one, HYP, min_channels=1)
    assert len(ev) == 1
    assert ev.iloc[0]["side"] == "L"


def test_jerk_far_from_sleep_onset_is_not_a_sleep_start():
    assert len(detect_hypnic_jerks(jerk(400.0, 0.25), HYP)) == 0


def test_onset_spread_beyond_coincidence_is_not_one_jerk():
    spread = [trace("Leg L", [(150.0, 0.25)]), trace("Leg R", [(150.4, 0.25)]), trace("Chin", [])]
    assert len(detect_hypnic_jerks(spread, HYP)) == 0


def test_burst_inside_a_train_is_not_a_sleep_start():
    train = [trace(lab, [(150.0 + k, 0.25) for k in range(6)]) for lab in ("Leg L", "Leg R", "Chin")]
    assert len(detect_hypnic_jerks(train, HYP)) == 0


def test_low_amplitude_burst_is_not_a_sleep_start():
    weak = [trace(lab, [(150.0, 0.25)], amp=4.0) for lab in ("Leg L", "Leg R", "Chin")]
    assert len(detect_hypnic_jerks(weak, HYP)) == 0
