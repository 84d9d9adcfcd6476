import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal as sps

from twitchlab.errors import InsufficientDataError, ParameterError
from twitchlab.signal.filters import (
    ZeroPhaseFilter,
    bandpass_sos,
    check_emg_rate,
    detect_mains_hz,
    emg_sos,
    notch_sos,
)


def _gain(sos: np.ndarray, fs: float, f: float) -> float:
    _, h = sps.sosfreqz(sos, worN=[f], fs=fs)
    return float(np.abs(h[0]) ** 2)  # forward-backward: squared magnitude


def test_rate_below_100_hz_is_refused_with_what_to_do():
    with pytest.raises(InsufficientDataError, match="re-export the raw EMG"):
        check_emg_rate(64.0, where="channel 'LAT'")
    check_emg_rate(100.0)


def test_bandpass_keeps_emg_band_and_removes_drift_and_high_frequencies():
    sos = bandpass_sos(512.0)
    assert _gain(sos, 512, 40) == pytest.approx(1.0, abs=0.02)
    assert _gain(sos, 512, 1.0) < 1e-4
    assert _gain(sos, 512, 200) < 1e-3


@pytest.mark.parametrize("fs", [100.0, 128.0, 200.0])
def test_upper_edge_is_capped_below_nyquist_for_low_rates(fs):
    sos = bandpass_sos(fs)  # would fail to design if the edge were at/above Nyquist
    assert np.all(np.abs(sps.sos2zpk(sos)[1]) < 1.0)  # stable
    assert _gain(sos, fs, 0.49 * fs) < 0.5


def test_empty_band_is_a_parameter_error():
    with pytest.raises(ParameterError, match="empty"):
        bandpass_sos(200.0, lo_hz=95.0)


def test_notch_removes_mains_and_keeps_neighbours():
    sos = emg_sos(256.0, mains_hz=50.0)
    assert _gain(sos, 256, 50.0) < 1e-3
    assert _gain(sos, 256, 40.0) > 0.9
    assert notch_sos(256.0, 60.0).shape == (1, 6)
    with pytest.raises(ParameterError):
        notch_sos(100.0, 60.0)


@pytest.mark.parametrize(("f0", "expected"), [(50.0, 50.0), (60.0, 60.0), (None, None)])
def test_mains_detection(f0, expected):
    rng = np.random.default_rng(1)
    fs = 256.0
    t = np.arange(int(600 * fs)) / fs
    x = 2 * rng.standard_normal(t.size) + 100 * np.sin(2 * np.pi * 0.1 * t)
    if f0:
        x += 5 * np.sin(2 * np.pi * f0 * t)
    assert detect_mains_hz(x, fs) == expected


def test_mains_present_in_part_of_the_night_is_detected():
    rng = np.random.default_rng(2)
    fs = 200.0
    t = np.arange(int(1200 * fs)) / fs
    x = 2 * rng.standard_normal(t.size)
    x[: t.size // 4] += 10 * np.sin(2 * np.pi * 50 * t[: t.size // 4])
    assert detect_mains_hz(x, fs) == 50.0


@settings(max_examples=25, deadline=None)
@given(n=st.integers(40, 3000), seed=st.integers(0, 10**6), mains=st.booleans())
def test_zero_phase_filter_equals_scipy_sosfiltfilt(n, seed, mains):
    sos = emg_sos(256.0, mains_hz=50.0 if mains else None)
    x = np.random.default_rng(seed).standard_normal(n) * 10 + 3
    f = ZeroPhaseFilter(sos)
    if n <= f.padlen:
        assert np.all(f(x) == 0)
    else:
        np.testing.assert_allclose(f(x), sps.sosfiltfilt(sos, x), atol=1e-9)
