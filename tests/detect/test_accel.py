"""Accelerometer movement detection: chunk invariance, known bursts, parameters, simulated nights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twitchlab.detect.accel import (
    LOCATION_DEFAULTS,
    AccelFeatureStream,
    detect_count_movements,
    detect_movements,
    movement_params,
)
from twitchlab.errors import InsufficientDataError, ParameterError
from twitchlab.simulate.accel import simulate_accel_night

FS = 50.0


def _features(acc: np.ndarray, chunk: int, temp: np.ndarray | None = None):
    s = AccelFeatureStream(FS)
    for i in range(0, acc.shape[0], chunk):
        s.update(acc[i : i + chunk], None if temp is None else temp[i : i + chunk])
    return s.result()


def _quiet_with_bursts(bursts: list[tuple[float, float, float]], dur_s: float = 300.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(dur_s * FS)
    t = np.arange(n) / FS
    acc = np.column_stack([np.zeros(n), np.zeros(n), np.ones(n)]) + rng.normal(0, 0.004, (n, 3))
    for on, off, amp in bursts:
        m = (t >= on) & (t < off)
        acc[m, 0] += amp * np.sin(2 * np.pi * 3.0 * t[m])
    return acc


def _match(det: pd.DataFrame, truth: np.ndarray, tol_s: float = 1.0) -> tuple[int, np.ndarray]:
    if len(det) == 0 or truth.size == 0:
        return 0, np.empty(0)
    d = det["onset_s"].to_numpy()[:, None] - truth[None, :]
    j = np.abs(d).argmin(axis=1)
    err = d[np.arange(d.shape[0]), j]
    ok = np.abs(err) <= tol_s
    return int(np.unique(j[ok]).size), err[ok]


def test_chunking_does_not_change_features() -> None:
    acc = _quiet_with_bursts([(30, 32, 0.2), (100, 101, 0.1)], dur_s=200)
    temp = np.full(acc.shape[0], 31.0)
    a, b = _features(acc, 10_000, temp), _features(acc, 1_237, temp)
    np.testing.assert_allclose(a.env_g, b.env_g, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(a.angle_deg, b.angle_deg)
    np.testing.assert_allclose(a.stats_5s, b.stats_5s)
    np.testing.assert_allclose(a.temp_5s, b.temp_5s)
    assert a.n_samples == b.n_samples == acc.shape[0]


def test_known_bursts_found_with_onsets() -> None:
    bursts = [(20.0, 21.5, 0.15), (60.0, 62.0, 0.3), (150.0, 150.8, 0.1)]
    lms, info = detect_movements(_features(_quiet_with_bursts(bursts), 5000), location="ankle", side="R")
    assert len(lms) == 3
    np.testing.assert_allclose(lms["onset_s"], [b[0] for b in bursts], atol=0.35)
    np.testing.assert_allclose(lms["offset_s"], [b[1] for b in bursts], atol=0.6)
    assert set(lms["side"]) == {"R"}
    assert set(lms["source"]) == {"accelerometer"}
    assert 0.003 < info["noise_floor_g"] < 0.01


def test_min_duration_drops_short_bursts() -> None:
    f = _features(_quiet_with_bursts([(20.0, 20.1, 0.08), (60.0, 62.0, 0.3)]), 5000)
    kept, _ = detect_movements(f, params=movement_params("ankle", min_duration_s=0.5))
    loose, _ = detect_movements(f, params=movement_params("ankle", min_duration_s=0.1))
    assert len(kept) == 1
    assert len(loose) == 2


def test_merge_gap_joins_close_bursts() -> None:
    f = _features(_quiet_with_bursts([(20.0, 21.0, 0.3), (22.2, 23.2, 0.3)]), 5000)
    split, _ = detect_movements(f, params=movement_params("ankle", merge_gap_s=0.5, quiet_s=0.5))
    merged, _ = detect_movements(f, params=movement_params("ankle", merge_gap_s=2.0, quiet_s=0.5))
    assert len(split) == 2
    assert len(merged) == 1
    assert merged["offset_s"].iloc[0] - merged["onset_s"].iloc[0] > 2.5


def test_noise_floor_is_per_night() -> None:
    """A noisier device raises the floor, so its noise is not counted as movement."""
    rng = np.random.default_rng(3)
    noisy = _quiet_with_bursts([(60.0, 62.0, 0.5)]) + rng.normal(0, 0.01, (int(300 * FS), 3))
    lms, info = detect_movements(_features(noisy, 4000), location="ankle")
    assert info["noise_floor_g"] > 0.01
    assert len(lms) == 1


@pytest.mark.parametrize("location", ["ankle", "mattress"])
def test_simulated_night_f1(location: str) -> None:
    night = simulate_accel_night(5, location=location, duration_h=1.5, fs_hz=25.0)
    s = AccelFeatureStream(night.fs_hz)
    for acc, temp in night.chunks(900):
        s.update(acc, temp)
    lms, _ = detect_movements(s.result(), location=location)
    truth = night.lm_truth["onset_s"].to_numpy()
    tp, err = _match(lms, truth)
    precision, recall = tp / max(len(lms), 1), tp / max(truth.size, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    assert truth.size > 20
    assert f1 > 0.75
    assert np.median(np.abs(err)) < 0.5


def test_empty_signal_gives_zero_rows() -> None:
    lms, _ = detect_movements(_features(_quiet_with_bursts([]), 5000))
    assert len(lms) == 0
    assert list(lms.columns) == ["onset_s", "offset_s", "side", "peak_amp_g", "source"]


def test_parameters_are_checked() -> None:
    with pytest.raises(ParameterError, match="unknown movement parameter"):
        movement_params("ankle", onset_uv=8.0)
    with pytest.raises(ParameterError, match="location"):
        movement_params("knee")
    with pytest.raises(InsufficientDataError, match="below 10 Hz"):
        AccelFeatureStream(5.0)
    assert LOCATION_DEFAULTS["mattress"].min_amp_g < LOCATION_DEFAULTS["ankle"].min_amp_g


def test_count_movements_runs_and_coarse_epochs() -> None:
    counts = np.zeros(120)
    counts[[10, 11, 40, 90]] = [50, 80, 30, 200]
    lms, info = detect_count_movements(counts, 1.0, threshold=10)
    assert lms["onset_s"].tolist() == [10.0, 40.0, 90.0]
    assert lms["offset_s"].tolist() == [12.0, 41.0, 91.0]
    assert info["count_threshold"] == 10
    with pytest.raises(InsufficientDataError, match="too coarse"):
        detect_count_movements(counts, 60.0)
