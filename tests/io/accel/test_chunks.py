"""Uniform chunks on the device clock: length from device time, chunk-size invariance, pass-through without clock."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twitchlab.errors import TwitchlabWarning
from twitchlab.io.accel import read_accel
from twitchlab.io.accel.chunks import iter_uniform_chunks, uniform_n_samples
from twitchlab.simulate.accel import simulate_accel_night


def _cat(rec, chunk_s: float) -> np.ndarray:
    return np.concatenate([a for a, _ in iter_uniform_chunks(rec, chunk_s)])


def test_device_clock_sets_the_grid(shared_data: Path) -> None:
    rec = read_accel(shared_data / "accel" / "ax3_testfile.cwa")
    # 17400 samples span 175.98 s on the device clock (it runs near 98.9 Hz): the 100-Hz grid has 17598 points
    assert uniform_n_samples(rec) == 17598
    a, b = _cat(rec, 10.0), _cat(rec, 77.7)
    assert a.shape == (17598, 3)
    np.testing.assert_array_equal(a, b)
    t = rec.channels["time_s"].data
    x = rec.channels["accel_x"].data
    np.testing.assert_allclose(a[:, 0], np.interp(np.arange(17598) / 100.0, t, x))


def test_gap_is_bridged_and_reported(shared_data: Path) -> None:
    path = shared_data / "accel" / "malformed" / "ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa"
    with pytest.warns(TwitchlabWarning, match="skipped 6"):
        rec = read_accel(path)
    a = _cat(rec, 60.0)
    assert np.isfinite(a).all()
    gap_s = rec.gaps[0][1] - rec.gaps[0][0]
    # the grid covers the ~2.4-s gap (and the ~1 % clock difference): about 2.4 s more than the 16680 read
    assert a.shape[0] == uniform_n_samples(rec)
    assert a.shape[0] > 16680 + 0.9 * gap_s * 100


def test_without_device_clock_samples_pass_through() -> None:
    rec = simulate_accel_night(1, duration_h=0.5, fs_hz=20.0).to_recording()
    assert "time_s" not in rec.channels
    a = _cat(rec, 100.0)
    np.testing.assert_array_equal(a[:, 2], rec.channels["accel_z"].data)
