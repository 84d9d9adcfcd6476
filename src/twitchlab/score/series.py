"""PLM series and periodicity over a sequence of leg movements (run-length arithmetic, no loops)."""

from __future__ import annotations

import numpy as np

from twitchlab.score.intervals import EPS_S

__all__ = ["breaks_between", "find_series", "imi", "periodicity_flags", "run_ids"]


def imi(onset_s: np.ndarray) -> np.ndarray:
    """Inter-movement interval, onset to onset from the previous movement (NaN for the first)."""
    on = np.asarray(onset_s, dtype=float)
    out = np.full(on.shape, np.nan)
    out[1:] = np.diff(on)
    return out


def run_ids(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Label runs of consecutive True values.

    Returns
    -------
    tuple of arrays
        ``ids``: run number (0..) per position, -1 where False; ``lengths``: length of each run.
    """
    m = np.asarray(mask, dtype=bool)
    starts = m & ~np.r_[False, m[:-1]]
    ids = np.where(m, np.cumsum(starts) - 1, -1)
    lengths = np.bincount(ids[m], minlength=int(starts.sum())) if m.any() else np.empty(0, dtype=np.int64)
    return ids, lengths


def find_series(
    onset_s: np.ndarray,
    eligible: np.ndarray,
    *,
    min_imi_s: float,
    max_imi_s: float,
    min_count: int = 4,
    breaks: np.ndarray | None = None,
    short_blocks_opening: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Find periodic series in a sequence of movements.

    Movement ``i`` links to ``i-1`` when both are eligible (CLMs), ``min_imi_s <= IMI <= max_imi_s`` and no
    break lies between them. A series is a run of ``min_count - 1`` or more consecutive links, so it holds
    at least ``min_count`` movements; its last movement belongs to it. A non-eligible movement ends a series
    (it cuts the links on both sides), and so does an IMI outside the range.

    With ``short_blocks_opening`` (WASM 2016), a movement whose own IMI is below ``min_imi_s`` cannot open
    a series: when a run of links starts at such a movement, the run begins one movement later.

    Parameters
    ----------
    onset_s : array of float
        Onsets of all movements taking part, sorted.
    eligible : array of bool
        Candidate for periodic scoring (CLM).
    min_imi_s, max_imi_s : float
        Inclusive IMI range (WASM 2016: 10-90 s; AASM: 5-90 s).
    min_count : int
        Fewest movements in a series (4).
    breaks : array of bool, optional
        ``breaks[i]``: something between movement ``i-1`` and ``i`` ends any series (an unscorable stretch).
    short_blocks_opening : bool
        Apply the WASM 2016 rule on the movement after a short IMI.

    Returns
    -------
    tuple of arrays
        ``series_id`` per movement (-1 when not in a series; 0.. in time order) and ``imi_s``.

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    Berry RB, et al. The AASM Manual for the Scoring of Sleep and Associated Events, v2.6, 2020.
    """
    on = np.asarray(onset_s, dtype=float)
    ok = np.asarray(eligible, dtype=bool)
    n = on.size
    gaps = imi(on)
    series = np.full(n, -1, dtype=np.int64)
    if n < max(min_count, 2):
        return series, gaps
    link = np.zeros(n, dtype=bool)
    link[1:] = ok[1:] & ok[:-1] & (gaps[1:] >= min_imi_s - EPS_S) & (gaps[1:] <= max_imi_s + EPS_S)
    if breaks is not None:
        link &= ~np.asarray(breaks, dtype=bool)
    if short_blocks_opening:
        short = np.r_[False, gaps[1:] < min_imi_s - EPS_S]
        first_link = link & ~np.r_[False, link[:-1]]
        # a run starting at link i is opened by movement i-1; it may not open when its own IMI is short
        blocked = first_link & np.r_[False, short[:-1]]
        link &= ~blocked  # one pass suffices: the next opener's IMI is in range (it was a link)
    ids, lengths = run_ids(link)
    keep_run = lengths >= (min_count - 1)
    if not keep_run.any():
        return series, gaps
    new_id = np.full(lengths.size, -1, dtype=np.int64)
    new_id[keep_run] = np.arange(int(keep_run.sum()))
    in_run = ids >= 0
    sid = np.where(in_run, new_id[np.maximum(ids, 0)], -1)
    series = sid.copy()
    # the movement before the first link of a run (its opener) belongs to the series too
    # (runs of links are separated by at least one non-link, so openers never collide)
    first = np.flatnonzero((sid >= 0) & (np.r_[-1, sid[:-1]] < 0))
    series[first - 1] = sid[first]
    return series, gaps


def periodicity_flags(
    onset_s: np.ndarray,
    eligible: np.ndarray,
    *,
    min_imi_s: float = 10.0,
    max_imi_s: float = 90.0,
    min_run: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Which IMIs enter the periodicity index (Ferri 2006).

    Returns
    -------
    tuple of arrays
        ``between_clm[i]``: IMI ``i`` joins two consecutive CLMs (the denominator); ``periodic[i]``: it
        also lies in a run of ``min_run`` or more consecutive such IMIs within ``[min_imi_s, max_imi_s]``
        (the numerator).

    References
    ----------
    Ferri R, et al. New approaches to the study of periodic leg movements during sleep in restless legs
    syndrome. Sleep 2006;29:759-769.
    """
    on = np.asarray(onset_s, dtype=float)
    ok = np.asarray(eligible, dtype=bool)
    gaps = imi(on)
    between = np.zeros(on.size, dtype=bool)
    between[1:] = ok[1:] & ok[:-1]
    good = between & (gaps >= min_imi_s - EPS_S) & (gaps <= max_imi_s + EPS_S)
    ids, lengths = run_ids(good)
    periodic = (ids >= 0) & (lengths[np.maximum(ids, 0)] >= min_run) if lengths.size else np.zeros(on.size, bool)
    return between, periodic


def breaks_between(onset_s: np.ndarray, u_on: np.ndarray, u_off: np.ndarray) -> np.ndarray:
    """``breaks[i]``: some of the disjoint sorted intervals ``[u_on, u_off)`` lies between onsets ``i-1`` and ``i``."""
    from twitchlab.score.intervals import coverage, point_in

    on = np.asarray(onset_s, dtype=float)
    out = np.zeros(on.size, dtype=bool)
    if on.size < 2 or u_on.size == 0:
        return out
    cov = coverage(on, u_on, u_off)
    out[1:] = (np.diff(cov) > 0) | point_in(on[1:], u_on, u_off) | point_in(on[:-1], u_on, u_off)
    return out
