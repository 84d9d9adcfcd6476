import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.errors import ParameterError
from twitchlab.signal.envelope import envelope_step, moving_average, rectified_envelope


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 400), w=st.integers(1, 30), seed=st.integers(0, 1000))
def test_moving_average_matches_naive_centred_mean(n, w, seed):
    x = np.random.default_rng(seed).standard_normal(n)
    got = moving_average(x, w)
    ref = np.array([x[max(0, i - w // 2) : min(n, i - w // 2 + w)].mean() for i in range(n)])
    np.testing.assert_allclose(got, ref, atol=1e-10)


def test_moving_average_rejects_empty_window():
    with pytest.raises(ParameterError):
        moving_average(np.ones(3), 0)


def test_envelope_of_a_sine_is_its_mean_rectified_value():
    fs = 256.0
    t = np.arange(int(10 * fs)) / fs
    env = rectified_envelope(20 * np.sin(2 * np.pi * 40 * t), fs, window_s=0.1)
    assert np.median(env) == pytest.approx(2 * 20 / np.pi, rel=0.03)


@settings(max_examples=30, deadline=None)
@given(step=st.integers(1, 6), first=st.integers(0, 40), seed=st.integers(0, 1000))
def test_decimated_envelope_is_the_mean_rectified_value_around_each_output(step, first, seed):
    fs = 256.0
    x = np.random.default_rng(seed).standard_normal(3000)
    m = max(1, round(0.1 * fs / step))
    n = m * step  # the window the decimated path uses
    got = rectified_envelope(x, fs, window_s=n / fs, step=step, first=first, stop=2900)
    pos = np.arange(first, 2900, step)
    assert got.size == pos.size
    inner = pos[(pos > n) & (pos < 3000 - n)]
    lo = inner - step // 2 - (m // 2) * step
    ref = np.array([np.abs(x[a : a + n]).mean() for a in lo])
    np.testing.assert_allclose(got[(pos > n) & (pos < 3000 - n)], ref, atol=1e-10)


def test_envelope_step():
    assert envelope_step(256.0, 50.0) == 5
    assert envelope_step(40.0, 50.0) == 1


@pytest.mark.parametrize(("size", "n"), [(0, 3), (10, 1), (10, 3), (12, 4), (7, 8)])
def test_block_sums_equal_reshaped_sums_and_drop_a_partial_block(size, n):
    from twitchlab.signal.envelope import block_sums

    x = np.arange(size, dtype=float) ** 1.5
    m = (size // n) * n
    np.testing.assert_allclose(block_sums(x, n), x[:m].reshape(-1, n).sum(axis=1) if m else np.empty(0))
