import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.detect._bursts import find_bursts


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 400),
    block=st.integers(2, 17),
    seed=st.integers(0, 10_000),
    merge=st.sampled_from([0.0, 0.05, 0.2]),
)
def test_block_thresholds_give_the_same_bursts_as_expanded_ones(n, block, seed, merge):
    rng = np.random.default_rng(seed)
    env = rng.gamma(1.5, 2.0, n) + rng.choice([0.0, 30.0], n, p=[0.9, 0.1])
    n_blocks = -(-n // block)
    on_b = rng.uniform(5.0, 20.0, n_blocks)
    off_b = on_b * rng.uniform(0.3, 1.0, n_blocks)
    expanded = find_bursts(
        env, 50.0, on_uv=np.repeat(on_b, block)[:n], off_uv=np.repeat(off_b, block)[:n], merge_gap_s=merge
    )
    blockwise = find_bursts(env, 50.0, on_uv=on_b, off_uv=off_b, merge_gap_s=merge, block=block)
    pd.testing.assert_frame_equal(blockwise, expanded)


def test_a_burst_must_reach_the_onset_threshold_of_its_own_block():
    env = np.array([0, 0, 6, 6, 0, 0, 6, 6, 0, 0], dtype=float)
    on_b = np.array([5.0, 50.0, 50.0, 5.0, 5.0])  # blocks of 2: the second burst sits in blocks 3 (on 5)
    off_b = np.full(5, 3.0)
    b = find_bursts(env, 10.0, on_uv=on_b, off_uv=off_b, block=2)
    assert b["start_i"].tolist() == [6]
