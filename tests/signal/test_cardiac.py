import numpy as np
import pandas as pd
import pytest

from twitchlab.signal.cardiac import (
    blank_envelope,
    cardiac_excess_uv,
    detect_r_peaks,
    merge_beat_trains,
    periodic_spike_times,
    subtract_cardiac,
)
from twitchlab.simulate.emg import simulate_emg


@pytest.fixture(scope="module")
def ecg_night():
    truth = pd.DataFrame({"onset_s": [], "offset_s": [], "side": []})
    return simulate_emg(truth, 300.0, condition="ecg", rng=3)


def test_r_peaks_are_found_within_20_ms(ecg_night):
    _, ecg, info = ecg_night
    found = detect_r_peaks(ecg, 256.0)
    true = info["r_peaks_s"]
    d = np.abs(found[:, None] - true[None, :]).min(axis=1)
    assert np.mean(d < 0.02) > 0.98
    assert abs(found.size - true.size) <= 0.02 * true.size


def _match_share(found, true, tol_s=0.02):
    d = np.abs(found[:, None] - true[None, :]).min(axis=1)
    return np.mean(d < tol_s)


def test_r_peaks_of_an_inverted_ecg_with_baseline_wander(ecg_night):
    _, ecg, info = ecg_night
    t = np.arange(ecg.size) / 256.0
    wander = 3.0 * np.abs(ecg).max() * np.sin(2 * np.pi * 0.25 * t)  # breathing-paced drift, 3x the R height
    found = detect_r_peaks(-ecg + wander, 256.0)
    assert _match_share(found, info["r_peaks_s"]) > 0.98
    assert abs(found.size - info["r_peaks_s"].size) <= 0.02 * info["r_peaks_s"].size


@pytest.mark.parametrize("fs", [128.0, 512.0])
def test_r_peak_times_do_not_depend_on_the_sampling_rate(ecg_night, fs):
    from scipy.signal import resample_poly

    _, ecg, info = ecg_night
    x = resample_poly(ecg, int(fs), 256)
    found = detect_r_peaks(x, fs)
    assert _match_share(found, info["r_peaks_s"]) > 0.98


def test_r_peaks_keep_the_refractory_time(ecg_night):
    _, ecg, _ = ecg_night
    found = detect_r_peaks(ecg, 256.0)
    assert np.diff(found).min() >= 0.3  # the refractory time holds


def _spiky(times_s, n, fs, amp=10.0):
    env = np.full(n, 1.0)
    idx = np.round(np.asarray(times_s) * fs).astype(int)
    for k in (-2, -1, 0, 1, 2):
        env[np.clip(idx + k, 0, n - 1)] += amp * (1 - abs(k) / 3)
    return env


def test_heart_rate_spikes_are_cardiac():
    fs = 50.0
    rng = np.random.default_rng(0)
    beats = np.cumsum(0.85 + 0.02 * rng.standard_normal(300)) + 1
    excess = _spiky(beats, int(300 * fs), fs) - 1.0
    found = periodic_spike_times(excess, fs, min_prominence_uv=2.0)
    assert found.size > 0.95 * beats.size


def test_movements_repeating_every_20_s_are_not_cardiac():
    fs = 50.0
    n = int(600 * fs)
    excess = np.zeros(n)
    for t0 in np.arange(5, 590, 20.0):  # PLM-like bursts: 1.5 s long every 20 s
        excess[int(t0 * fs) : int((t0 + 1.5) * fs)] = 30.0
    assert periodic_spike_times(excess, fs, min_prominence_uv=2.0).size == 0


def test_irregular_spikes_are_not_cardiac():
    fs = 50.0
    rng = np.random.default_rng(1)
    times = np.sort(rng.uniform(1, 299, 60))  # random pops, no rhythm
    excess = _spiky(times, int(300 * fs), fs) - 1.0
    assert periodic_spike_times(excess, fs, min_prominence_uv=2.0, min_share=0.0).size < 10


def test_blanking_interpolates_and_leaves_input_alone():
    env = np.arange(100, dtype=float)
    env[50] = 1000.0
    out = blank_envelope(env, 10.0, np.array([5.0]), half_width_s=0.2)
    assert env[50] == 1000.0
    np.testing.assert_allclose(out[47:54], np.arange(47, 54))
    assert cardiac_excess_uv(env, 10.0, np.array([1.0])) == 0.0  # too few beats to judge


def test_blanking_with_min_fill_never_lengthens_a_movement():
    env = np.concatenate([np.full(50, 30.0), np.full(50, 1.0)])  # a movement ending at sample 50
    out = blank_envelope(env, 10.0, np.array([5.0]), half_width_s=0.2, fill="min")
    assert (out[48:53] == 1.0).all()
    assert (out[:47] == 30.0).all()


def test_template_subtraction_removes_blips_and_keeps_movement_edges():
    fs = 50.0
    rng = np.random.default_rng(3)
    beats = np.cumsum(0.8 + 0.02 * rng.standard_normal(700)) + 1
    n = int(600 * fs)
    env = _spiky(beats, n, fs, amp=10.0 * (1 + 0.1 * rng.standard_normal()))
    env[int(100 * fs) : int(103 * fs)] += 40.0  # a movement under the beats
    out = subtract_cardiac(env, fs, beats, half_width_s=0.1)
    quiet = np.ones(n, dtype=bool)
    quiet[int(99 * fs) : int(104 * fs)] = False
    assert out[quiet].max() < 2.0  # blips gone
    assert out[int(100 * fs) : int(103 * fs)].min() > 30.0  # the movement keeps its level and edges
    assert out[int(100 * fs) - 1] < 5.0
    assert env.max() > 40  # input untouched


def test_r_peaks_do_not_depend_on_chunking(ecg_night):
    _, ecg, _ = ecg_night
    whole = detect_r_peaks(ecg, 256.0, chunk_s=3600.0)
    chunked = detect_r_peaks(ecg, 256.0, chunk_s=40.0)
    assert chunked.size == whole.size
    np.testing.assert_allclose(chunked, whole, atol=0.01)


def test_beat_trains_of_two_legs_merge_and_fill_holes():
    left = np.array([1.0, 2.0, 3.0, 7.0, 8.0])  # beats 4-6 hidden under a movement on the left leg
    right = np.array([1.02, 4.01, 5.0, 6.02, 20.0])
    merged = merge_beat_trains([left, right], fill_gaps_s=4.0)
    np.testing.assert_allclose(merged[:8], [1.01, 2.0, 3.0, 4.01, 5.0, 6.02, 7.0, 8.0], atol=1e-9)
    assert merged[-1] == 20.0
    assert merged.size == 9
    assert merge_beat_trains([]).size == 0
