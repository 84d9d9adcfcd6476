import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab._arrays import range_indices, row_medians


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(-5, 20)), max_size=12))
def test_range_indices_equals_a_loop_of_aranges(ranges):
    start = np.array([a for a, _ in ranges], dtype=np.int64)
    stop = start + np.array([n for _, n in ranges], dtype=np.int64)
    expected = [i for a, b in zip(start, stop, strict=True) for i in range(a, b)]
    got = range_indices(start, stop)
    assert got.dtype == np.int64
    assert got.tolist() == expected


def test_range_indices_broadcasts_a_scalar_start():
    assert range_indices(1, np.array([3, 1, 2])).tolist() == [1, 2, 1]


@given(
    st.integers(1, 6),
    st.integers(1, 9),
    st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), min_size=54, max_size=54),
)
def test_row_medians_equals_numpy_median(rows, width, values):
    a = np.array(values[: rows * width]).reshape(rows, width)
    np.testing.assert_array_equal(row_medians(a), np.median(a, axis=-1))


@settings(max_examples=60, deadline=None)
@given(st.floats(20.0, 600.0), st.floats(0.25, 30.0), st.integers(0, 4000), st.floats(-3.0, 3.0))
def test_time_block_edges_put_every_sample_in_the_block_of_its_time(fs, block_s, n, start_s):
    from twitchlab._arrays import time_block_edges

    edges = time_block_edges(n, fs, block_s, start_s=start_s)
    assert edges[0] >= 0
    assert edges[-1] <= n
    assert np.all(np.diff(edges) >= 0)
    for k in range(edges.size - 1):
        j = np.arange(edges[k], edges[k + 1])
        t = j / fs
        assert np.all(t >= start_s + k * block_s - 1e-6)
        assert np.all(t < start_s + (k + 1) * block_s + 1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 7), min_size=1, max_size=12),
    st.lists(st.one_of(st.floats(-100, 100), st.just(float("nan"))), min_size=84, max_size=84),
)
def test_block_medians_equal_numpy_median_per_block(lengths, values):
    from twitchlab._arrays import block_medians

    edges = np.concatenate(([0], np.cumsum(lengths)))
    x = np.array(values[: edges[-1]])
    expected = [np.median(x[a:b]) if b > a else np.nan for a, b in itertools.pairwise(edges)]
    np.testing.assert_array_equal(block_medians(x, edges), np.array(expected))
