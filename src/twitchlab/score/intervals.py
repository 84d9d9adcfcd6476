"""Vectorised interval arithmetic used by the scoring rules (no Python loops over events)."""

from __future__ import annotations

import numpy as np

from twitchlab._arrays import point_in, range_indices

__all__ = ["EPS_S", "coverage", "intersect", "overlaps_any", "point_in", "union"]

#: Tolerance of every rule boundary (1 µs, far below any sampling step): a duration of 10.000000000002 s
#: computed from float onsets still counts as "10 s", a gap of 0.4999999 s as "< 0.5 s" only if truly shorter.
EPS_S = 1e-6


def union(on_s: np.ndarray, off_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge intervals ``[on, off)`` into sorted, disjoint intervals (touching ones merge).

    Parameters
    ----------
    on_s, off_s : array of float
        Interval bounds (any order).

    Returns
    -------
    tuple of arrays
        Onsets and offsets of the union.
    """
    on = np.asarray(on_s, dtype=float)
    off = np.asarray(off_s, dtype=float)
    keep = off > on
    on, off = on[keep], off[keep]
    if on.size == 0:
        return np.empty(0), np.empty(0)
    order = np.argsort(on, kind="stable")
    on, off = on[order], off[order]
    run_max = np.maximum.accumulate(off)
    new = np.r_[True, on[1:] > run_max[:-1]]
    gid = np.cumsum(new) - 1
    out_on = on[new]
    out_off = np.zeros(out_on.size)
    np.maximum.at(out_off, gid, off)
    return out_on, out_off


def intersect(
    a_on: np.ndarray, a_off: np.ndarray, b_on: np.ndarray, b_off: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Intersection of two interval sets, as sorted disjoint intervals."""
    a_on, a_off = union(a_on, a_off)
    b_on, b_off = union(b_on, b_off)
    if a_on.size == 0 or b_on.size == 0:
        return np.empty(0), np.empty(0)
    # every pair (i, j) that overlaps: for each a, the b's starting before a ends and ending after a starts
    lo = np.searchsorted(b_off, a_on, side="right")
    hi = np.searchsorted(b_on, a_off, side="left")
    counts = np.maximum(hi - lo, 0)
    ai = np.repeat(np.arange(a_on.size), counts)
    bj = range_indices(lo, hi)
    on = np.maximum(a_on[ai], b_on[bj])
    off = np.minimum(a_off[ai], b_off[bj])
    return union(on, off)


def coverage(t_s: np.ndarray, u_on: np.ndarray, u_off: np.ndarray) -> np.ndarray:
    """Total length of the disjoint sorted intervals ``[u_on, u_off)`` lying before each time ``t_s``."""
    t = np.asarray(t_s, dtype=float)
    if u_on.size == 0:
        return np.zeros(t.shape)
    cum = np.r_[0.0, np.cumsum(u_off - u_on)]
    k = np.searchsorted(u_on, t, side="right")  # intervals starting at or before t
    partial = np.where(k > 0, np.clip(t - u_on[np.maximum(k - 1, 0)], 0, None), 0.0)
    full_prev = cum[np.maximum(k - 1, 0)]
    last_len = np.where(k > 0, (u_off - u_on)[np.maximum(k - 1, 0)], 0.0)
    return np.where(k > 0, full_prev + np.minimum(partial, last_len), 0.0)


def overlaps_any(
    on_s: np.ndarray,
    off_s: np.ndarray,
    w_on: np.ndarray,
    w_off: np.ndarray,
    *,
    closed: bool,
) -> np.ndarray:
    """Whether each query interval ``[on, off]`` meets at least one window ``[w_on, w_off]``.

    Parameters
    ----------
    on_s, off_s : array of float
        Query intervals.
    w_on, w_off : array of float
        Windows (any order, may overlap).
    closed : bool
        ``True``: touching counts (``w_on <= off`` and ``on <= w_off``); ``False``: strict overlap
        (``w_on < off`` and ``on < w_off``).

    Returns
    -------
    array of bool
        One flag per query.
    """
    on = np.asarray(on_s, dtype=float)
    off = np.asarray(off_s, dtype=float)
    w_on = np.asarray(w_on, dtype=float)
    w_off = np.asarray(w_off, dtype=float)
    if w_on.size == 0 or on.size == 0:
        return np.zeros(on.shape, dtype=bool)
    order = np.argsort(w_on, kind="stable")
    ws, we = w_on[order], np.maximum.accumulate(w_off[order])
    idx = np.searchsorted(ws, off, side="right" if closed else "left") - 1
    reach = we[np.maximum(idx, 0)]
    return (idx >= 0) & ((reach >= on) if closed else (reach > on))
