"""Hypnagogic foot tremor and ALMA trains (SCORING_SPEC §5, AASM)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.detect._bursts import train_ids
from twitchlab.detect._emg import EmgTrace
from twitchlab.detect.hft_alma import detect_alma, detect_foot_tremor

FS = 128.0


def leg(side: str, bursts: list[tuple[float, float]], n_s: float = 400.0) -> EmgTrace:
    env = np.ones(round(n_s * FS))
    for on, dur in bursts:
        env[round(on * FS) : round((on + dur) * FS)] = 25.0
    role = "leg_left" if side == "L" else "leg_right"
    return EmgTrace(f"Leg {side}", role, "leg", side, env, FS, np.ones_like(env), np.ones_like(env))


def train(t0: float, n: int, rate_hz: float, dur: float) -> list[tuple[float, float]]:
    return [(t0 + k / rate_hz, dur) for k in range(n)]


def test_foot_tremor_train_on_one_leg():
    ev = detect_foot_tremor([leg("L", train(100, 6, 1.5, 0.4)), leg("R", [])])
    assert len(ev) == 1
    row = ev.iloc[0]
    assert row["type"] == "hypnagogic_foot_tremor"
    assert row["side"] == "L"
    assert row["n_bursts"] == 6
    assert row["rate_hz"] == pytest.approx(1.5, rel=0.02)
    assert row["onset_s"] == pytest.approx(100, abs=0.02)
    assert row["offset_s"] == pytest.approx(100 + 5 / 1.5 + 0.4, abs=0.02)


@pytest.mark.parametrize(("n", "found"), [(3, False), (4, True)])
def test_foot_tremor_needs_four_bursts(n, found):
    assert (len(detect_foot_tremor([leg("R", train(50, n, 1.0, 0.5))])) == 1) is found


@pytest.mark.parametrize(
    ("rate", "dur", "found"),
    [(0.35, 0.5, True), (0.25, 0.5, False), (3.5, 0.2, False), (1.0, 0.3, True), (1.0, 0.2, False), (0.5, 0.95, True),
     (0.5, 1.1, False)],
)  # fmt: skip
def test_foot_tremor_rate_and_burst_boundaries(rate, dur, found):
    assert (len(detect_foot_tremor([leg("L", train(20, 5, rate, dur))])) == 1) is found


def test_leg_movement_train_is_not_foot_tremor():
    plm = [leg("L", train(10, 12, 1 / 25, 2.0)), leg("R", [])]  # 2-s LMs every 25 s
    assert len(detect_foot_tremor(plm)) == 0
    assert len(detect_alma(plm)) == 0


def test_alma_alternates_between_legs():
    on = [100 + k / 1.5 for k in range(8)]
    left = leg("L", [(t, 0.25) for t in on[0::2]])
    right = leg("R", [(t, 0.25) for t in on[1::2]])
    ev = detect_alma([left, right])
    assert len(ev) == 1
    assert ev.iloc[0]["side"] == "B"
    assert ev.iloc[0]["n_bursts"] == 8
    assert ev.iloc[0]["rate_hz"] == pytest.approx(1.5, rel=0.02)
    # the same bursts are not also foot tremor
    assert len(detect_foot_tremor([left, right])) == 0


def test_same_leg_bursts_are_not_alma():
    assert len(detect_alma([leg("L", train(100, 8, 1.5, 0.25)), leg("R", [])])) == 0


@pytest.mark.parametrize(("rate", "dur", "found"), [(2.8, 0.2, True), (3.3, 0.15, False), (0.45, 0.3, False),
                                                    (1.0, 0.45, True), (1.0, 0.6, False)])  # fmt: skip
def test_alma_rate_and_burst_boundaries(rate, dur, found):
    on = [50 + k / rate for k in range(6)]
    tr = [leg("L", [(t, dur) for t in on[0::2]]), leg("R", [(t, dur) for t in on[1::2]])]
    assert (len(detect_alma(tr)) == 1) is found


@settings(max_examples=60, deadline=None)
@given(links=st.lists(st.booleans(), min_size=0, max_size=40), k=st.integers(2, 6))
def test_train_ids_are_runs_of_at_least_k_linked_bursts(links, k):
    on = np.arange(len(links) + 1, dtype=float)
    ids = train_ids(on, np.array(links, dtype=bool), min_bursts=k)
    for tid in set(ids[ids >= 0].tolist()):
        members = np.flatnonzero(ids == tid)
        assert members.size >= k
        assert np.all(np.diff(members) == 1)
        assert all(links[i] for i in members[:-1])
    # a burst outside trains lies in no run of >= k linked bursts
    run = 1
    best = np.ones(len(on), dtype=int)
    for i, lk in enumerate(links):
        run = run + 1 if lk else 1
        best[i + 1] = run
    assert (ids >= 0).sum() >= sum(1 for b in best if b == k)
