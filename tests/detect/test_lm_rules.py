"""The onset/offset/duration/morphology rules of SCORING_SPEC §2 on hand-made envelopes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.detect._lm_core import find_movements, thresholds

FS = 50.0


def _env(segments, total_s=30.0, rest=0.0):
    x = np.full(int(total_s * FS), rest)
    for t0, t1, amp in segments:
        x[round(t0 * FS) : round(t1 * FS)] = amp
    return x


def _run(x, **kw):
    return find_movements(x, FS, np.asarray(8.0), np.asarray(2.0), **kw)


def test_onset_at_8uv_and_offset_at_start_of_half_second_below_2uv():
    x = _env([(5.0, 5.4, 4.0), (5.4, 7.0, 20.0), (7.0, 7.3, 3.0)])
    m = _run(x)
    kept = m[m["kept"]]
    assert kept[["onset_s", "offset_s"]].values.tolist() == [[5.4, 7.3]]
    assert kept["peak_amp_uv"].iloc[0] == 20.0


def test_lm_shorter_than_half_a_second_is_dropped():
    m = _run(_env([(5.0, 5.4, 30.0)]))
    assert not m["kept"].any()
    assert m["reject"].tolist() == ["too_short"]


def test_gap_shorter_than_offset_quiet_joins_bursts_and_longer_gap_splits():
    joined = _run(_env([(5.0, 6.0, 20.0), (6.4, 7.0, 20.0)]))
    assert joined[joined["kept"]][["onset_s", "offset_s"]].values.tolist() == [[5.0, 7.0]]
    split = _run(_env([(5.0, 6.0, 20.0), (6.6, 7.6, 20.0)]))
    assert split["kept"].sum() == 2


def test_morphology_rejects_isolated_spikes_joined_by_the_offset_rule():
    spikes = [(5.0 + 0.4 * k, 5.06 + 0.4 * k, 40.0) for k in range(6)]  # 60-ms spikes every 0.4 s
    with_rule = _run(_env(spikes))
    assert not with_rule["kept"].any()
    assert with_rule["reject"].tolist() == ["morphology"]
    without = _run(_env(spikes), morphology=False)
    assert without["kept"].sum() == 1


def test_activity_below_onset_threshold_is_not_a_movement():
    assert _run(_env([(5.0, 9.0, 7.5)])).empty


def test_adaptive_thresholds_rise_only_with_noise():
    on, off = thresholds(np.array([0.1, 0.2]), onset_uv=8, offset_uv=2, adaptive=True, k_onset=6, k_offset=4.5)
    assert on.ndim == 0
    assert float(on) == 8.0
    assert float(off) == 2.0
    on, off = thresholds(np.array([0.1, 3.0]), onset_uv=8, offset_uv=2, adaptive=True, k_onset=6, k_offset=4.5)
    np.testing.assert_allclose(on, [8.0, 18.0])
    np.testing.assert_allclose(off, [2.0, 13.5])
    on, _ = thresholds(np.array([0.1, 3.0]), onset_uv=8, offset_uv=2, adaptive=False, k_onset=6, k_offset=4.5)
    assert float(on) == 8.0


@settings(max_examples=60, deadline=None)
@given(
    segs=st.lists(st.tuples(st.floats(0, 28), st.floats(0.02, 4), st.floats(0, 60)), max_size=12),
    morph=st.booleans(),
)
def test_movements_are_ordered_disjoint_long_enough_and_followed_by_quiet(segs, morph):
    x = _env([(a, min(a + d, 30.0), amp) for a, d, amp in segs])
    m = _run(x, morphology=morph)
    on, off = m["onset_s"].to_numpy(), m["offset_s"].to_numpy()
    assert np.all(on < off)
    assert np.all(on[1:] >= off[:-1])
    kept = m[m["kept"]]
    assert np.all(kept["offset_s"] - kept["onset_s"] >= 0.5 - 1e-9)
    for t0, t1 in zip(on, off, strict=True):
        i0, i1 = round(t0 * FS), round(t1 * FS)
        assert x[i0] >= 8.0  # starts on an onset crossing
        quiet = x[i1 : i1 + int(0.5 * FS)]
        assert i1 == x.size or np.all(quiet < 2.0)  # ends where >= 0.5 s below 2 uV begins


@pytest.mark.parametrize("n", [0, 1])
def test_tiny_inputs(n):
    assert _run(np.full(n, 50.0))["kept"].sum() == 0


@settings(max_examples=60, deadline=None)
@given(
    segs=st.lists(st.tuples(st.floats(0, 28), st.floats(0.02, 3), st.floats(0, 40)), max_size=15),
)
def test_morphology_matches_a_naive_window_search(segs):
    x = _env([(a, min(a + d, 30.0), amp) for a, d, amp in segs])
    m = _run(x, min_duration_s=0.0)
    w = round(0.5 * FS)
    for _, row in m.iterrows():
        i0, i1 = round(row["onset_s"] * FS), round(row["offset_s"] * FS)
        naive = any(np.median(x[s : s + w]) >= 2.0 for s in range(i0, i1 - w + 1))
        assert (row["reject"] != "morphology") == naive
