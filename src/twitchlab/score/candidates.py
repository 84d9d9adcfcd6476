"""Leg movements as scoring units: merge monolateral LMs into movements, decide candidates (CLM)."""

from __future__ import annotations

import numpy as np

from twitchlab.score.intervals import EPS_S

__all__ = [
    "MAX_BILATERAL_S",
    "MAX_MONOLATERAL_PER_BILATERAL",
    "MAX_MONOLATERAL_S",
    "Cols",
    "aggregate",
    "clm_wasm2016",
    "take",
]

#: WASM 2016 candidate limits.
MAX_MONOLATERAL_S = 10.0
MAX_BILATERAL_S = 15.0
MAX_MONOLATERAL_PER_BILATERAL = 4


Cols = dict[str, np.ndarray]


def take(cols: Cols, idx: np.ndarray) -> Cols:
    """Rows ``idx`` (boolean mask or integer index) of every column."""
    return {k: v[idx] for k, v in cols.items()}


def aggregate(lms: Cols, group: np.ndarray) -> Cols:
    """Collapse monolateral LMs sharing a group id into one movement per group.

    Parameters
    ----------
    lms : dict of arrays
        Monolateral LMs sorted by onset: ``onset_s``, ``offset_s``, ``side``, ``peak_amp_uv``, ``source``,
        ``label_original``.
    group : array of int
        Group id per LM, 0.. in onset order of the groups.

    Returns
    -------
    dict of arrays
        One entry per movement, sorted by onset: ``onset_s``, ``offset_s``, ``duration_s``, ``side`` (``B``
        when it merges LMs of both legs), ``peak_amp_uv``, ``n_monolateral``, ``max_monolateral_s``,
        ``source``, ``label_original``.
    """
    g = np.asarray(group, dtype=np.int64)
    ng = int(g.max()) + 1 if g.size else 0
    on = lms["onset_s"]
    off = lms["offset_s"]
    n_mono = np.bincount(g, minlength=ng).astype(np.int64)
    if ng == g.size:  # nothing merged: a plain copy (the common case)
        dur = off - on
        return {
            "onset_s": on.copy(),
            "offset_s": off.copy(),
            "duration_s": dur,
            "side": lms["side"].copy(),
            "peak_amp_uv": lms["peak_amp_uv"].copy(),
            "n_monolateral": n_mono,
            "max_monolateral_s": dur.copy(),
            "source": lms["source"].copy(),
            "label_original": lms["label_original"].copy(),
        }
    g_on = np.full(ng, np.inf)
    np.minimum.at(g_on, g, on)
    g_off = np.full(ng, -np.inf)
    np.maximum.at(g_off, g, off)
    g_max_dur = np.zeros(ng)
    np.maximum.at(g_max_dur, g, off - on)
    amp = lms["peak_amp_uv"]
    g_amp = np.full(ng, -np.inf)
    np.fmax.at(g_amp, g, np.where(np.isnan(amp), -np.inf, amp))
    g_amp[~np.isfinite(g_amp)] = np.nan
    _, first = np.unique(g, return_index=True)
    side = lms["side"][first].copy()
    side[n_mono > 1] = "B"
    # group ids are numbered in onset order of their first member, so the result is sorted by onset
    return {
        "onset_s": g_on,
        "offset_s": g_off,
        "duration_s": g_off - g_on,
        "side": side,
        "peak_amp_uv": g_amp,
        "n_monolateral": n_mono,
        "max_monolateral_s": g_max_dur,
        "source": lms["source"][first],
        "label_original": lms["label_original"][first],
    }


def clm_wasm2016(mov: Cols) -> tuple[np.ndarray, np.ndarray]:
    """WASM 2016 candidate rule for each movement.

    A monolateral LM is a CLM when it lasts at most 10 s; a bilateral LM when it lasts at most 15 s, holds at
    most 4 monolateral LMs and none of them lasts more than 10 s. (LMs shorter than 0.5 s were removed
    before.)

    Returns
    -------
    tuple of arrays
        ``is_clm`` and the reason it is not (``too_long``, ``too_many_monolateral`` or None).

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    """
    n = mov["n_monolateral"]
    dur = mov["duration_s"]
    longest = mov["max_monolateral_s"]
    bil = n > 1
    too_long = np.where(
        bil, (dur > MAX_BILATERAL_S + EPS_S) | (longest > MAX_MONOLATERAL_S + EPS_S), dur > MAX_MONOLATERAL_S + EPS_S
    )
    too_many = bil & (n > MAX_MONOLATERAL_PER_BILATERAL)
    reason = np.where(too_long, "too_long", np.where(too_many, "too_many_monolateral", None)).astype(object)
    reason[~(too_long | too_many)] = None
    return ~(too_long | too_many), reason
