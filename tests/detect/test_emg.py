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


@pytest.mark.parametrize(("fs", "n_block"), [(64.0, 16), (200.0 / 3.0, 16), (62.5, 15)])
def test_background_blocks_divide_the_epoch_so_they_stay_per_block(fs, n_block):
    """At 66.7 or 62.5 Hz an epoch is 2,000 or 1,875 samples: 0.25-s blocks of 16 or 15 samples divide it,
    so the background is kept per block (the fast path) and equals the sample-by-sample construction."""
    from twitchlab.detect._emg import _background
    from twitchlab.signal.baseline import BlockSeries, expand_blocks, running_percentile

    env = np.abs(np.random.default_rng(3).standard_normal(int(3600 * fs))) + np.repeat([1.0, 4.0], int(1800 * fs))
    bg, blocks = _background(env, fs, window_s=10.0, block_s=0.25, epoch_s=30.0)
    assert isinstance(bg, BlockSeries)
    assert blocks[1] == n_block
    starts = np.arange(0, env.size, n_block)
    mean = np.add.reduceat(env, starts) / np.diff(np.append(starts, env.size))
    low = running_percentile(mean, max(3, round(10.0 * fs / n_block) | 1), 10.0)
    slow = np.maximum(expand_blocks(low, n_block, env.size), block_background(env, fs, block_s=30.0))
    np.testing.assert_array_equal(np.asarray(bg), slow)
