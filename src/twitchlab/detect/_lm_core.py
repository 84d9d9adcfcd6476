"""Vectorised leg-movement rules on an envelope excess (SCORING_SPEC §2.4-2.6).

Everything here works on the envelope minus the resting baseline (``excess``), sampled at ``fs_hz``,
with per-sample onset and offset thresholds. No Python loop runs over samples or movements.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twitchlab._arrays import range_indices
from twitchlab.signal.baseline import BlockSeries

__all__ = ["find_movements", "thresholds"]


def thresholds(
    noise_uv: np.ndarray | BlockSeries,
    *,
    onset_uv: float,
    offset_uv: float,
    adaptive: bool,
    k_onset: float,
    k_offset: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample onset and offset thresholds above baseline.

    With ``adaptive`` the thresholds rise with the resting envelope noise: ``max(onset_uv, k_onset * noise)``
    and ``max(offset_uv, k_offset * noise)``; on quiet EMG they equal the standard 8 and 2 µV.

    Returns
    -------
    onset_thr, offset_thr : numpy.ndarray
        µV above baseline, per sample, or 0-d arrays when the thresholds are constant.
    """
    top = float(noise_uv.max()) if len(noise_uv) else 0.0
    if not adaptive or (k_onset * top <= onset_uv and k_offset * top <= offset_uv):
        return np.asarray(float(onset_uv)), np.asarray(float(offset_uv))  # scalars broadcast (quiet EMG: fast)
    noise = np.asarray(noise_uv)  # a BlockSeries expands here, only when the thresholds do vary
    return np.maximum(onset_uv, k_onset * noise), np.maximum(offset_uv, k_offset * noise)


def find_movements(
    excess: np.ndarray,
    fs_hz: float,
    onset_thr: np.ndarray,
    offset_thr: np.ndarray,
    *,
    offset_quiet_s: float = 0.5,
    min_duration_s: float = 0.5,
    morphology: bool = True,
    morphology_s: float = 0.5,
) -> pd.DataFrame:
    """Apply the onset, offset, duration and morphology rules.

    A movement starts where ``excess`` first reaches ``onset_thr`` and ends at the start of the first
    stretch of at least ``offset_quiet_s`` in which it stays below ``offset_thr``. Equivalently: split the
    signal at every such quiet stretch; each active stretch that reaches the onset threshold is one
    movement, from its first onset crossing to its end.

    Parameters
    ----------
    excess : numpy.ndarray
        Envelope minus resting baseline (µV).
    fs_hz : float
        Rate of ``excess``.
    onset_thr, offset_thr : numpy.ndarray
        Thresholds above baseline, per sample (or 0-d arrays).
    offset_quiet_s : float
        Length of the quiet stretch that ends a movement (0.5 s).
    min_duration_s : float
        Shorter movements are dropped (0.5 s).
    morphology : bool
        Keep a movement only if it holds a ``morphology_s`` window whose median excess reaches the offset
        threshold (WASM 2016 computerized-detection rule, refined by Skeba et al. 2023).
    morphology_s : float
        Window of the morphology rule.

    Returns
    -------
    pandas.DataFrame
        ``onset_s``, ``offset_s``, ``peak_amp_uv`` (maximum excess), ``kept`` (passed every rule) and
        ``reject`` (``None``, ``too_short`` or ``morphology``), one row per candidate.

    References
    ----------
    Ferri R et al. WASM 2016 standards, Sleep Med 2016;26:86-95. Skeba P et al., computerized leg-movement
    detection (2023), for the morphology refinement.
    """
    n = excess.size
    empty = pd.DataFrame(
        {
            "onset_s": pd.Series(dtype=float),
            "offset_s": pd.Series(dtype=float),
            "peak_amp_uv": pd.Series(dtype=float),
            "kept": pd.Series(dtype=bool),
            "reject": pd.Series(dtype=object),
        }
    )
    if n == 0:
        return empty
    # quiet stretches: runs of >= offset_quiet_s below the offset threshold; the active stretches between
    # them are found from the run boundaries directly (no per-sample mask is built)
    below = np.concatenate(([False], excess < offset_thr, [False])).view(np.int8)
    edges = np.flatnonzero(np.diff(below))
    q_lo, q_hi = edges[0::2], edges[1::2]
    long_ = (q_hi - q_lo) >= max(1, round(offset_quiet_s * fs_hz))
    q_lo, q_hi = q_lo[long_], q_hi[long_]
    run_lo = np.concatenate(([0], q_hi))
    run_hi = np.concatenate((q_lo, [n]))
    nonempty = run_hi > run_lo
    run_lo, run_hi = run_lo[nonempty], run_hi[nonempty]
    above_idx = np.flatnonzero(excess >= onset_thr)
    pos = np.searchsorted(above_idx, run_lo)
    has = pos < above_idx.size
    has[has] = above_idx[pos[has]] < run_hi[has]
    on = above_idx[pos[has]]
    off = run_hi[has]
    if on.size == 0:
        return empty
    ext = np.append(excess, -np.inf)
    peak = np.maximum.reduceat(ext, np.column_stack([on, off]).ravel())[::2]
    dur_ok = (off - on) >= round(min_duration_s * fs_hz)
    morph_ok = np.ones(on.size, dtype=bool)
    if morphology:
        # a window centred at c covers [c - m // 2, c - m // 2 + m); it must lie inside [on, off); its median
        # reaches the offset threshold when at least half of its samples do. Evaluated on candidates only.
        m = max(1, round(morphology_s * fs_hz))
        c_lo = on + m // 2
        c_hi = off - (m - m // 2) + 1  # exclusive
        n_c = np.maximum(c_hi - c_lo, 0)
        morph_ok = n_c > 0
        if morph_ok.any():
            seg_lo, seg_hi = on[morph_ok], off[morph_ok]
            lens = seg_hi - seg_lo
            idx = range_indices(seg_lo, seg_hi)
            ind = np.asarray(excess[idx] >= (offset_thr[idx] if np.ndim(offset_thr) else offset_thr))
            cs = np.concatenate(([0], np.cumsum(ind, dtype=np.int64)))
            # window sums inside each candidate, in the candidate-concatenated index space
            base = np.repeat(np.cumsum(lens) - lens, n_c[morph_ok])
            k = range_indices(0, n_c[morph_ok])  # window position inside its candidate
            w = (cs[base + k + m] - cs[base + k]) * 2 >= m
            hits = np.add.reduceat(w, np.cumsum(n_c[morph_ok]) - n_c[morph_ok]) > 0
            morph_ok[np.flatnonzero(morph_ok)] = hits
    reject = np.where(~dur_ok, "too_short", np.where(~morph_ok, "morphology", None))
    return pd.DataFrame(
        {
            "onset_s": on / fs_hz,
            "offset_s": off / fs_hz,
            "peak_amp_uv": peak,
            "kept": dur_ok & morph_ok,
            "reject": reject.astype(object),
        }
    )
