import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.errors import ParameterError
from twitchlab.signal.baseline import block_stats, resting_level, running_percentile


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 200), size=st.integers(1, 31), q=st.floats(0, 100), seed=st.integers(0, 100))
def test_running_percentile_matches_window_percentiles(n, size, q, seed):
    x = np.random.default_rng(seed).standard_normal(n)
    got = running_percentile(x, size, q)
    size = min(size, n)
    pad = np.concatenate([np.full(size, x[0]), x, np.full(size, x[-1])])
    lo = size // 2
    for i in range(0, n, max(1, n // 10)):
        win = np.sort(pad[size + i - lo : size + i - lo + size])
        assert win[0] - 1e-12 <= got[i] <= win[-1] + 1e-12


def test_running_percentile_rejects_bad_percentile():
    with pytest.raises(ParameterError):
        running_percentile(np.ones(5), 3, 120)


def test_block_stats_mean_and_sd():
    mean, sd = block_stats(np.array([1.0, 3.0, 5.0, 5.0, 2.0]), 2)
    np.testing.assert_allclose(mean, [2.0, 5.0, 2.0])
    np.testing.assert_allclose(sd, [1.0, 0.0, 0.0])


def test_resting_level_ignores_sparse_bursts_and_follows_slow_changes():
    fs = 50.0
    rng = np.random.default_rng(0)
    t = np.arange(int(1200 * fs)) / fs
    level = np.where(t < 600, 2.0, 6.0)
    env = level + 0.2 * rng.standard_normal(t.size)
    bursts = (t % 25) < 2.0  # 8 % of the time: periodic movements
    env[bursts] += 60.0
    rest = resting_level(env, fs, window_s=60.0)
    assert rest.baseline_uv.shape == env.shape
    assert np.median(rest.baseline_uv[(t > 60) & (t < 540)]) == pytest.approx(2.0, abs=0.4)
    assert np.median(rest.baseline_uv[t > 700]) == pytest.approx(6.0, abs=0.4)
    assert rest.baseline_uv.max() < 10.0  # bursts never lift the resting level
    assert np.median(rest.noise_uv) < 0.5


@pytest.mark.parametrize(("n_vals", "n_block", "size"), [(1, 1, None), (5, 3, 13), (5, 3, 15), (7, 4, 2), (4, 2, 100)])
def test_expand_blocks_equals_repeat(n_vals, n_block, size):
    from twitchlab.signal.baseline import expand_blocks

    vals = np.arange(n_vals, dtype=float) * 1.5
    np.testing.assert_array_equal(expand_blocks(vals, n_block, size), np.repeat(vals, n_block)[:size])


_SERIES = {
    "n_vals": st.integers(1, 30),
    "n_block": st.integers(1, 9),
    "cut": st.integers(0, 8),
    "seed": st.integers(0, 999),
}


def _block_series(n_vals, n_block, cut, seed):
    """A random BlockSeries (last block possibly short) and its expansion with np.repeat."""
    from twitchlab.signal.baseline import BlockSeries

    rng = np.random.default_rng(seed)
    vals = rng.normal(size=n_vals)
    size = max(1, n_vals * n_block - min(cut, n_block - 1))
    return rng, BlockSeries(vals, n_block, size), np.repeat(vals, n_block)[:size]


@settings(max_examples=40, deadline=None)
@given(**_SERIES)
def test_block_series_indexes_like_its_expansion(n_vals, n_block, cut, seed):
    rng, s, full = _block_series(n_vals, n_block, cut, seed)
    size = full.size
    np.testing.assert_array_equal(np.asarray(s), full)
    idx = rng.integers(-size, size, 20)
    np.testing.assert_array_equal(s[idx], full[idx])
    mask = rng.random(size) < 0.3
    np.testing.assert_array_equal(s[mask], full[mask])
    a, b = sorted(rng.integers(0, size + 1, 2))
    np.testing.assert_array_equal(s[a:b], full[a:b])
    assert len(s) == size
    assert s.shape == full.shape
    with pytest.raises(IndexError):
        s[np.array([size])]


@settings(max_examples=40, deadline=None)
@given(**_SERIES)
def test_block_series_reductions_match_its_expansion(n_vals, n_block, cut, seed):
    rng, s, full = _block_series(n_vals, n_block, cut, seed)
    size = full.size
    assert s.max() == full.max()
    assert s.median() == pytest.approx(float(np.median(full)))
    stops = rng.integers(0, size + 1, 10)
    np.testing.assert_allclose(s.sum_to(stops), [full[:k].sum() for k in stops], atol=1e-9)
    x = rng.normal(size=size)
    np.testing.assert_array_equal(s.subtract_from(x), x - full)


def test_epoch_mean_of_a_block_series_equals_that_of_its_expansion():
    from twitchlab.signal.baseline import BlockSeries
    from twitchlab.signal.condition import epoch_mean

    vals = np.arange(1.0, 40.0)
    s = BlockSeries(vals, 25, 39 * 25 - 7)  # 0.5-s blocks at 50 Hz, the last one short
    onsets = np.array([0.0, 3.0, 6.1, 9.0, 19.0, 19.0])  # the last two share their start (clipped)
    np.testing.assert_allclose(epoch_mean(s, 50.0, onsets), epoch_mean(np.asarray(s), 50.0, onsets))
