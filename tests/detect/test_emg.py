"""Shared twitch traces (detect._emg): the epoch background at any envelope rate."""

from __future__ import annotations

import numpy as np
import pytest

from twitchlab.detect._emg import block_background


@pytest.mark.parametrize("fs", [200.0 / 3.0, 62.5, 64.0, 50.0])
def test_epoch_background_follows_the_epochs_on_the_clock(fs):
    """Each 30-s epoch's background is its own level at every sample, also where a 'second' is not a whole
    number of envelope samples (a fixed 67 samples at 66.7 Hz drifted one epoch in 100 min)."""
    levels = np.tile([1.0, 5.0, 2.0, 9.0], 60)  # 240 epochs: 2 h
    t_s = np.arange(int(levels.size * 30 * fs)) / fs + 1e-9  # sample j at j / fs s (exact at epoch edges)
    env = levels[np.minimum((t_s // 30).astype(int), levels.size - 1)]
    bg = block_background(env, fs, block_s=30.0)
    assert bg.shape == env.shape
    np.testing.assert_array_equal(bg, env)
