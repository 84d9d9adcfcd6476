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


# --- quality gate: no "beats" where the ECG channel holds no heart ---------------------------------------


def _qrs_train(beats_s, duration_s, fs, rng, *, noise=10.0):
    """ECG-like trace: a biphasic QRS (µV) and a T wave at each beat, plus white noise."""
    n = int(duration_s * fs)
    t = np.arange(int(0.6 * fs)) / fs - 0.1
    beat = 1000 * np.exp(-0.5 * (t / 0.012) ** 2) - 400 * np.exp(-0.5 * ((t - 0.03) / 0.012) ** 2)
    beat += 250 * np.exp(-0.5 * ((t - 0.25) / 0.04) ** 2)
    x = noise * rng.standard_normal(n)
    for b in np.round((np.asarray(beats_s) - 0.1) * fs).astype(int):
        seg = x[b : b + beat.size]
        seg += beat[: seg.size]
    return x


@pytest.mark.parametrize(("seconds", "fs"), [(600.0, 256.0), (600.0, 128.0), (600.0, 512.0), (10.0, 128.0)])
def test_pure_gaussian_noise_gives_no_r_peaks(seconds, fs):
    noise = np.random.default_rng(0).standard_normal(int(seconds * fs))
    assert detect_r_peaks(noise, fs, gate_window_s=None).size > seconds  # the bare search finds "beats"
    assert detect_r_peaks(noise, fs).size == 0


@pytest.mark.parametrize(("n_spikes", "sign"), [(40, 1), (40, 0), (600, 1), (600, 0)])
def test_noise_with_irregular_large_spikes_gives_no_r_peaks(n_spikes, sign):
    fs, n = 256.0, 600 * 256
    rng = np.random.default_rng(1)
    x = rng.standard_normal(n)
    polarity = np.ones(n_spikes) if sign else rng.choice([-1.0, 1.0], n_spikes)
    x[rng.choice(n, n_spikes, replace=False)] += 30.0 * polarity  # pops at random times, not periodic
    assert detect_r_peaks(x, fs).size <= 2


def test_ecg_that_turns_into_noise_keeps_the_beats_of_its_good_half(ecg_night):
    _, ecg, info = ecg_night  # 300 s of simulated ECG
    fs = 256.0
    noise = np.random.default_rng(2).standard_normal(ecg.size) * ecg.std()
    x = np.concatenate([ecg, noise])  # the electrode comes off after 5 min
    found = detect_r_peaks(x, fs)
    assert found.max() < 300.0
    np.testing.assert_array_equal(found, detect_r_peaks(ecg, fs))
    assert _match_share(found, info["r_peaks_s"]) > 0.98
    x = np.concatenate([noise, ecg])  # and the other way round
    later = detect_r_peaks(x, fs)
    assert later.min() >= 300.0
    assert _match_share(later - 300.0, info["r_peaks_s"]) > 0.98


@pytest.mark.parametrize("rhythm", ["atrial_fibrillation", "bigeminy", "bradycardia_40", "tachycardia_150"])
def test_irregular_and_unusual_rhythms_keep_all_their_beats(rhythm):
    rng = np.random.default_rng(4)
    rr = {
        "atrial_fibrillation": rng.uniform(0.4, 1.1, 800),  # irregularly irregular
        "bigeminy": np.tile([0.6, 1.2], 400),  # a premature beat after every normal one
        "bradycardia_40": np.full(400, 1.5) + 0.02 * rng.standard_normal(400),
        "tachycardia_150": np.full(1500, 0.4) + 0.01 * rng.standard_normal(1500),
    }[rhythm]
    beats = 1.0 + np.cumsum(rr)
    beats = beats[beats < 598.0]
    x = _qrs_train(beats, 600.0, 256.0, rng)
    found = detect_r_peaks(x, 256.0)
    np.testing.assert_array_equal(found, detect_r_peaks(x, 256.0, gate_window_s=None))
    assert abs(found.size - beats.size) <= 1
    assert _match_share(found, beats) > 0.99


def test_noisy_ecg_keeps_its_beats(ecg_night):
    _, ecg, info = ecg_night
    rng = np.random.default_rng(5)
    t = np.arange(ecg.size) / 256.0
    for x in (ecg + 100.0 * rng.standard_normal(ecg.size), ecg + 1000.0 * np.sin(2 * np.pi * 50.0 * t)):
        found = detect_r_peaks(x, 256.0)  # EMG-like noise of 1/10, mains hum as large as the R wave
        np.testing.assert_array_equal(found, detect_r_peaks(x, 256.0, gate_window_s=None))  # the gate keeps all
        assert found.size >= 0.98 * info["r_peaks_s"].size


def test_real_ecg_channels_without_a_heart_give_no_r_peaks(shared_data):
    from twitchlab.io import read_edf

    rec = read_edf(shared_data / "edf" / "test_edf_stim_channel.edf")  # EEG test file: ECG leads hold noise
    ecgs = rec.channels_with_role("ecg")
    assert len(ecgs) == 2
    for ch in ecgs:
        assert detect_r_peaks(ch.data, ch.fs_hz, gate_window_s=None).size > 5
        assert detect_r_peaks(ch.data, ch.fs_hz).size == 0


def test_real_nox_ecg_keeps_all_its_beats(shared_data):
    from twitchlab.errors import TwitchlabWarning
    from twitchlab.io import read_edf

    with pytest.warns(TwitchlabWarning, match="coarser than 1 µV"):  # its leg channels are coarse
        rec = read_edf(shared_data / "edf" / "rsleep_subject1.edf")
    (ch,) = rec.channels_with_role("ecg")
    found = detect_r_peaks(ch.data, ch.fs_hz)
    assert found.size == 136  # 120 s at about 68 bpm
    np.testing.assert_array_equal(found, detect_r_peaks(ch.data, ch.fs_hz, gate_window_s=None))
    assert np.diff(found).min() > 0.7
    assert np.diff(found).max() < 1.1
