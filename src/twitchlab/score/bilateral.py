"""Bilateral leg movements: which monolateral LMs make one movement (WASM 2016 and AASM).

Both functions take the LMs sorted by onset and return a group id per LM
(consecutive integers from 0 in onset order of the groups); rows sharing an id
are one movement.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from twitchlab._arrays import range_indices
from twitchlab.score.intervals import EPS_S

__all__ = ["groups_aasm", "groups_wasm2016"]


def _expand_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges ``[lo_i, hi_i)``, return (i, j) for every j in the range."""
    counts = np.maximum(hi - lo, 0)
    i = np.repeat(np.arange(lo.size), counts)
    return i, range_indices(lo, hi)


def _renumber_by_onset(labels: np.ndarray) -> np.ndarray:
    """Renumber component labels 0.. in order of first appearance (rows are sorted by onset)."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    _, inv = np.unique(labels, return_inverse=True)
    return rank[inv]


def groups_wasm2016(onset_s: np.ndarray, offset_s: np.ndarray, side: np.ndarray, *, gap_s: float = 0.5) -> np.ndarray:
    """Group monolateral LMs into bilateral movements by the WASM 2016 rule.

    LMs on different legs that overlap, or whose gap (offset of one to onset of the other) is
    shorter than ``gap_s``, belong to one movement; the relation is transitive, so a chain alternating
    between the legs is one movement. LMs on the same leg are never linked directly. Side ``B`` (a single
    both-legs channel) is never merged.

    Parameters
    ----------
    onset_s, offset_s : array of float
        LMs sorted by onset.
    side : array of str
        ``L``, ``R`` or ``B``.
    gap_s : float
        Merge when the gap is strictly below this (0.5 s).

    Returns
    -------
    array of int
        Group id per LM.

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95 (bilateral LM, appendix).
    """
    on = np.asarray(onset_s, dtype=float)
    off = np.asarray(offset_s, dtype=float)
    side = np.asarray(side, dtype=object)
    n = on.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for a, b in (("L", "R"), ("R", "L")):
        ia = np.flatnonzero(side == a)
        ib = np.flatnonzero(side == b)
        if ia.size == 0 or ib.size == 0:
            continue
        b_on = on[ib]  # sorted, as rows are sorted by onset
        # link a -> b when b starts within [a.onset, a.offset + gap)
        lo = np.searchsorted(b_on, on[ia], side="left")
        hi = np.searchsorted(b_on, off[ia] + gap_s - EPS_S, side="left")
        i, j = _expand_ranges(lo, hi)
        rows.append(ia[i])
        cols.append(ib[j])
    if not rows:
        return np.arange(n, dtype=np.int64)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    graph = coo_matrix((np.ones(r.size, dtype=np.int8), (r, c)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return _renumber_by_onset(labels)


def groups_aasm(onset_s: np.ndarray, side: np.ndarray, *, onset_diff_s: float = 5.0) -> np.ndarray:
    """Group LMs by the AASM rule: LMs on the two legs with onsets < 5 s apart are one movement.

    Pairs are formed greedily in onset order: an LM joins the one just before it when that one is on the
    other leg, starts less than ``onset_diff_s`` earlier, and is not already paired. So a movement holds
    at most one LM per leg, and a long alternating chain becomes consecutive pairs (the manual does not
    say how to split chains; this is the reading of named option ``aasm_bilateral_onset_s``). Side ``B`` is
    never merged.

    Parameters
    ----------
    onset_s : array of float
        LMs sorted by onset.
    side : array of str
        ``L``, ``R`` or ``B``.
    onset_diff_s : float
        Onset difference (exclusive).

    Returns
    -------
    array of int
        Group id per LM.

    References
    ----------
    Berry RB, et al. The AASM Manual for the Scoring of Sleep and Associated Events, v2.6, 2020:
    Movement rules, periodic limb movements, rule 4.
    """
    on = np.asarray(onset_s, dtype=float)
    side = np.asarray(side, dtype=object)
    n = on.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    cond = np.zeros(n, dtype=bool)
    cond[1:] = (side[1:] != side[:-1]) & (side[1:] != "B") & (side[:-1] != "B") & (np.diff(on) < onset_diff_s - EPS_S)
    # greedy pairing inside each run of consecutive True links: take the 1st, 3rd, 5th ... link
    idx = np.arange(n)
    run_start = np.where(cond & ~np.r_[False, cond[:-1]], idx, 0)
    run_start = np.maximum.accumulate(run_start)
    take = cond & ((idx - run_start) % 2 == 0)
    return np.cumsum(~take) - 1
