import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.signal.quality import (
    QualityParams,
    classify_epochs,
    mains_amplitude_uv,
    runs_at_least,
    unscorable_intervals,
)


@settings(max_examples=60, deadline=None)
@given(mask=st.lists(st.booleans(), max_size=80), n=st.integers(1, 6))
def test_runs_at_least_matches_naive(mask, n):
    m = np.array(mask, dtype=bool)
    got = runs_at_least(m, n)
    ref = np.zeros(m.size, dtype=bool)
    i = 0
    while i < m.size:
        if m[i]:
            j = i
            while j < m.size and m[j]:
                j += 1
            if j - i >= n:
                ref[i:j] = True
            i = j
        else:
            i += 1
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("fs", [256.0, 200.0, 250.5])
def test_mains_amplitude_of_a_sine(fs):
    t = np.arange(int(10 * fs)) / fs
    amp = mains_amplitude_uv(7.0 * np.sin(2 * np.pi * 50 * t + 0.3), fs, 50.0)
    assert amp.size == 10
    np.testing.assert_allclose(amp, 7.0, rtol=0.05)


def _features(**cols):
    base = {"nan_s": 0.0, "level_uv": 1.5, "mains_uv": 1.0, "mains_uv_ratio": 1.0, "mains_residual_uv": 0.1,
            "mains_residual_uv_ratio": 1.0, "clipped_s": 0.0, "onset_thr_uv": 8.0}  # fmt: skip
    base.update(cols)
    return pd.DataFrame({k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in base.items()})


@pytest.mark.parametrize(
    ("cols", "state"),
    [
        ({}, "ok"),
        ({"nan_s": 3.0}, "gap"),
        ({"mains_uv": 250.0, "mains_uv_ratio": 40.0, "level_uv": 0.4}, "disconnected"),
        ({"mains_uv": 250.0, "mains_uv_ratio": 40.0}, "ok"),  # strong hum, but EMG under it: the notch copes
        ({"level_uv": 0.0}, "flat"),
        ({"clipped_s": 2.0}, "clipped"),
        ({"mains_residual_uv": 9.0, "mains_residual_uv_ratio": 30.0}, "mains"),
        ({"onset_thr_uv": 40.0}, "noisy"),
        ({"mains_uv": 250.0, "mains_uv_ratio": 1.3}, "ok"),  # broadband burst, not hum
        ({"nan_s": 3.0, "clipped_s": 2.0, "level_uv": 0.0}, "gap"),  # precedence
        ({"clipped_s": 30.0, "level_uv": 0.0}, "clipped"),  # saturated throughout: pinned, so no envelope
        ({"clipped_s": 20.0, "level_uv": 0.1}, "clipped"),  # mostly pinned, some signal between
        ({"clipped_s": 2.0, "level_uv": 0.01}, "flat"),  # dead off the rails for 28 s
    ],
)
def test_epoch_states(cols, state):
    q = classify_epochs(_features(**cols), QualityParams())
    assert q["state"].iloc[0] == state
    assert bool(q["scorable"].iloc[0]) == (state == "ok")


def test_coarse_channel_overrides_everything():
    q = classify_epochs(_features(), QualityParams(), coarse=True)
    assert q["state"].tolist() == ["coarse"]


def test_unscorable_intervals_merge_consecutive_epochs_of_one_reason():
    q = pd.DataFrame(
        {
            "side": ["L"] * 5 + ["R"] * 2,
            "onset_s": [0, 30, 60, 90, 120, 0, 30.0],
            "offset_s": [30, 60, 90, 120, 150, 30, 60.0],
            "state": ["ok", "flat", "flat", "clipped", "flat", "ok", "gap"],
        }
    )
    q["scorable"] = q["state"] == "ok"
    u = unscorable_intervals(q)
    assert u[["side", "onset_s", "offset_s", "reason"]].values.tolist() == [
        ["L", 30.0, 90.0, "flat"],
        ["L", 90.0, 120.0, "clipped"],
        ["L", 120.0, 150.0, "flat"],
        ["R", 30.0, 60.0, "gap"],
    ]
    assert unscorable_intervals(q[q["scorable"]]).empty


def test_per_epoch_median_of_several_rows_equals_row_by_row():
    from twitchlab.signal.quality import _per_epoch_median

    rng = np.random.default_rng(5)
    amp = rng.gamma(2.0, 1.0, (3, 47))
    blk_epoch = np.repeat(np.arange(6), [3, 10, 10, 10, 10, 4])  # a partial first and last epoch
    both = _per_epoch_median(amp, blk_epoch, 7)
    assert both.shape == (3, 7)
    for row, got in zip(amp, both, strict=True):
        np.testing.assert_array_equal(got, _per_epoch_median(row, blk_epoch, 7))
        np.testing.assert_allclose(got[:6], [np.median(row[blk_epoch == k]) for k in range(6)])
    assert np.isnan(both[:, 6]).all()  # an epoch without values
