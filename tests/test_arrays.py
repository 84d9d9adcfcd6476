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
