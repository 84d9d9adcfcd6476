"""Burst tables, cross-channel clusters and burst trains: the rule logic shared by the twitch detectors.

Everything here is vectorised over samples and bursts. A *burst* is a stretch of an EMG envelope above a
threshold relative to the resting level; its core (``onset_s``-``offset_s``) is where the envelope stays at or
above half of the burst's peak, which measures the burst's true length independently of the envelope
smoothing. A *cluster* joins bursts on different channels that start within a tolerance (one movement seen
by several muscles). A *train* is a run of consecutive bursts whose onset-to-onset intervals lie in a band.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from twitchlab._arrays import range_indices
from twitchlab.detect._emg import EmgTrace
from twitchlab.model import STAGE_LABELS, Hypnogram

__all__ = [
    "BURST_COLUMNS",
    "cluster_ids",
    "find_bursts",
    "runs",
    "stage_of",
    "trace_bursts",
    "train_ids",
]

BURST_COLUMNS = ("channel", "group", "side", "onset_s", "offset_s", "duration_s", "peak_amp_uv", "ratio")

#: Every trace is segmented once at this ratio and rise (µV); detectors asking for more filter that table.
BASE_RATIO = 2.0
BASE_RISE_UV = 1.0


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop indices (stop exclusive) of the runs of True in a 1-D boolean array."""
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    edge = np.flatnonzero(m[1:] != m[:-1]) + 1  # one pass over the night; the rest is per run
    rising = m[edge]
    start, stop = edge[rising], edge[~rising]
    if m[0]:
        start = np.concatenate(([0], start))
    if m[-1]:
        stop = np.concatenate((stop, [m.size]))
    return start, stop


def find_bursts(
    env_uv: np.ndarray,
    fs_hz: float,
    *,
    on_uv: np.ndarray | float,
    off_uv: np.ndarray | float,
    merge_gap_s: float = 0.0,
    block: int = 1,
) -> pd.DataFrame:
    """Segment an envelope into bursts with hysteresis and measure each burst's core.

    A burst is a run at or above ``off_uv`` (runs closer than ``merge_gap_s`` joined) that reaches ``on_uv``
    somewhere. Its core runs from the first to the last sample at or above half its peak (full width at half
    maximum), floored at ``off_uv``.

    Parameters
    ----------
    env_uv : numpy.ndarray
        Envelope (µV).
    fs_hz : float
        Envelope rate.
    on_uv, off_uv : array or float
        Onset and offset thresholds (µV), per sample or scalar; ``off_uv`` ≤ ``on_uv``.
    merge_gap_s : float
        Gaps shorter than this inside a burst are bridged (an offset needs that much quiet).
    block : int
        With ``block > 1``, ``on_uv`` and ``off_uv`` hold one threshold per block of ``block`` samples
        (at least ``ceil(len(env_uv) / block)`` values), compared block-wise: no night-long threshold arrays.

    Returns
    -------
    pandas.DataFrame
        ``onset_s``, ``offset_s``, ``duration_s`` (core), ``peak_amp_uv``, ``peak_i`` (sample index of the peak),
        ``start_i``, ``stop_i`` (the hysteresis run, stop exclusive).
    """
    env = np.asarray(env_uv, dtype=np.float64)
    if block > 1:
        on_b, off_b = np.asarray(on_uv, dtype=np.float64), np.asarray(off_uv, dtype=np.float64)
        n_full = env.size // block
        above = np.empty(env.size, dtype=bool)
        above[: n_full * block] = (env[: n_full * block].reshape(n_full, block) >= off_b[:n_full, None]).reshape(-1)
        if env.size > n_full * block:
            above[n_full * block :] = env[n_full * block :] >= off_b[n_full]

        def on_at(i: np.ndarray) -> np.ndarray:
            return on_b[i // block]

        def off_at(i: np.ndarray) -> np.ndarray:
            return off_b[i // block]
    else:
        on_all = np.broadcast_to(np.asarray(on_uv, dtype=np.float64), env.shape)
        off_all = np.broadcast_to(np.asarray(off_uv, dtype=np.float64), env.shape)
        above = env >= off_all

        def on_at(i: np.ndarray) -> np.ndarray:
            return on_all[i]

        def off_at(i: np.ndarray) -> np.ndarray:
            return off_all[i]

    start, stop = runs(above)
    if merge_gap_s > 0 and start.size > 1:
        keep = np.concatenate(([True], (start[1:] - stop[:-1]) >= merge_gap_s * fs_hz))
        start, stop = start[keep], np.concatenate((stop[:-1][keep[1:]], stop[-1:]))
    cols = ["onset_s", "offset_s", "duration_s", "peak_amp_uv", "peak_i", "start_i", "stop_i"]
    # work on the samples inside runs only (a small share of the night)
    idx, first_of = _ranges(start, stop)
    e = env[idx]
    if start.size:
        high = np.maximum.reduceat((e >= on_at(idx)).astype(np.int8), first_of) > 0
        start, stop = start[high], stop[high]
        idx, first_of = _ranges(start, stop)
        e = env[idx]
    if not start.size:
        return pd.DataFrame({c: np.empty(0) for c in cols})
    lengths = stop - start
    peak = np.maximum.reduceat(e, first_of)
    level = np.maximum(np.repeat(0.5 * peak, lengths), off_at(idx))
    core = e >= level
    big = env.size + 1
    first = np.minimum.reduceat(np.where(core, idx, big), first_of)
    last = np.maximum.reduceat(np.where(core, idx, -1), first_of)
    peak_i = np.minimum.reduceat(np.where(e >= np.repeat(peak, lengths), idx, big), first_of)
    onset = first / fs_hz
    offset = (last + 1) / fs_hz
    return pd.DataFrame(
        {
            "onset_s": onset,
            "offset_s": offset,
            "duration_s": offset - onset,
            "peak_amp_uv": peak,
            "peak_i": peak_i,
            "start_i": start,
            "stop_i": stop,
        }
    )


def _ranges(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated sample indices of ``[start, stop)`` ranges, and where each range begins in that array."""
    lengths = (stop - start).astype(np.int64)
    return range_indices(start, stop), np.cumsum(lengths) - lengths


def trace_bursts(
    trace: EmgTrace,
    *,
    min_ratio: float,
    min_rise_uv: float,
    merge_gap_s: float = 0.0,
    off_fraction: float = 0.5,
) -> pd.DataFrame:
    """Bursts of one trace whose envelope reaches ``min_ratio`` × the resting level (and ``min_rise_uv`` above it).

    Parameters
    ----------
    trace : EmgTrace
        Conditioned channel.
    min_ratio : float
        Onset threshold as a multiple of the resting level ("≥ N× background", SCORING_SPEC §5).
    min_rise_uv : float
        Absolute floor: the envelope must also rise this much above the resting level, so that a
        near-zero resting level does not turn noise into bursts.
    merge_gap_s : float
        Gaps shorter than this are bridged.
    off_fraction : float
        The hysteresis offset threshold sits at this fraction of the way from the resting level to the
        onset threshold.

    Every trace is segmented once at :data:`BASE_RATIO` (cached on the trace); stricter requests filter that
    table by peak ratio and rise, which gives the same bursts as segmenting again unless a weaker burst
    touches a stronger one.

    Returns
    -------
    pandas.DataFrame
        :data:`BURST_COLUMNS` plus ``start_i``/``stop_i``; ``peak_amp_uv`` is the envelope peak above the
        resting level, ``ratio`` the peak envelope over the resting level.
    """
    if merge_gap_s == 0 and off_fraction == 0.5 and min_ratio >= BASE_RATIO and min_rise_uv >= BASE_RISE_UV:
        if "base" not in trace.cache:
            trace.cache["base"] = _segment(trace, BASE_RATIO, BASE_RISE_UV, 0.0, 0.5)
        b = trace.cache["base"]
        return b[(b["ratio"].to_numpy() >= min_ratio) & (b["peak_amp_uv"].to_numpy() >= min_rise_uv)]
    return _segment(trace, min_ratio, min_rise_uv, merge_gap_s, off_fraction)


def _drop_unscorable(b: pd.DataFrame, trace: EmgTrace) -> pd.DataFrame:
    """Bursts of ``trace`` outside its unscorable stretches."""
    if not len(b) or not len(trace.bad_s):
        return b
    return b[~overlaps_any(b["onset_s"].to_numpy(), b["offset_s"].to_numpy(), trace.bad_s)]


def _segment(
    trace: EmgTrace, min_ratio: float, min_rise_uv: float, merge_gap_s: float, off_fraction: float
) -> pd.DataFrame:
    blocks = trace.cache.get("background_blocks")  # (values, samples per block): thresholds per block
    vals, n_block = blocks if blocks is not None else (trace.background_uv, 1)
    base = np.maximum(vals, 1e-3)
    on = np.maximum(min_ratio * base, base + min_rise_uv)
    off = base + off_fraction * (on - base)
    b = find_bursts(trace.env_uv, trace.env_fs_hz, on_uv=on, off_uv=off, merge_gap_s=merge_gap_s, block=n_block)
    pi = b["peak_i"].to_numpy(np.int64) // n_block
    b["ratio"] = b["peak_amp_uv"].to_numpy() / base[pi] if len(b) else np.empty(0)
    b["peak_amp_uv"] = b["peak_amp_uv"].to_numpy() - base[pi] if len(b) else np.empty(0)
    b["channel"], b["group"], b["side"] = trace.label, trace.group, trace.side
    b = _drop_unscorable(b, trace)
    return b[[*BURST_COLUMNS, "start_i", "stop_i"]]


def cluster_ids(onset_s: np.ndarray, *, tol_s: float) -> np.ndarray:
    """Cluster id per burst (input sorted by onset).

    A new cluster starts when an onset is more than ``tol_s`` after the onset of the cluster's first burst
    (a chain of close onsets is cut every ``tol_s``).
    """
    t = np.asarray(onset_s, dtype=np.float64)
    if not t.size:
        return np.empty(0, dtype=np.int64)
    new = np.concatenate(([True], np.diff(t) > tol_s))
    ids = np.cumsum(new) - 1
    # second pass: split clusters wider than tol_s measured from their first onset
    first = t[new][ids]
    extra = np.cumsum(np.concatenate(([False], (t[1:] - first[1:] > tol_s) & ~new[1:])))
    return ids + extra


def train_ids(
    onset_s: np.ndarray,
    link_ok: np.ndarray,
    *,
    min_bursts: int,
) -> np.ndarray:
    """Train id per burst (-1 outside trains) from the links between consecutive bursts.

    Parameters
    ----------
    onset_s : numpy.ndarray
        Burst onsets, sorted.
    link_ok : numpy.ndarray
        ``len(onset_s) - 1`` booleans: whether burst ``i`` and ``i + 1`` belong to the same train.
    min_bursts : int
        Minimum bursts in a train.

    Returns
    -------
    numpy.ndarray
        int64 ids 0..k-1 in time order, -1 for bursts in no train.
    """
    n = len(onset_s)
    out = np.full(n, -1, dtype=np.int64)
    if n < max(min_bursts, 2):
        return out
    s, e = runs(np.asarray(link_ok, dtype=bool))  # link runs: bursts s..e inclusive
    keep = (e - s + 1) >= min_bursts
    s, e = s[keep], e[keep]
    mark = np.zeros(n + 1, dtype=np.int64)
    np.add.at(mark, s, 1)
    np.add.at(mark, e + 1, -1)
    inside = np.cumsum(mark)[:-1] > 0
    start_flag = np.zeros(n, dtype=np.int64)
    start_flag[s] = 1
    ids = np.cumsum(start_flag) - 1
    out[inside] = ids[inside]
    return out


def stage_of(hypnogram: Hypnogram | None, times_s: np.ndarray | Sequence[float]) -> np.ndarray:
    """Stage label (W, N1, N2, N3, R) at each time, ``None`` where unknown or unscored."""
    t = np.asarray(times_s, dtype=np.float64)
    if hypnogram is None:
        return np.full(t.shape, None, dtype=object)
    codes = hypnogram.stage_at(t)
    lab = np.array([STAGE_LABELS[int(c)] if int(c) >= 0 else None for c in range(-2, 5)], dtype=object)
    return lab[codes.astype(np.int64) + 2]


def in_stages(hypnogram: Hypnogram | None, times_s: np.ndarray, stages: Sequence[str]) -> np.ndarray:
    """Whether each time falls in one of ``stages`` (all False without a hypnogram)."""
    return np.isin(stage_of(hypnogram, times_s).astype(str), list(stages))


def overlaps_any(onset_s: np.ndarray, offset_s: np.ndarray, intervals: np.ndarray, *, pad_s: float = 0.0) -> np.ndarray:
    """Whether each [onset, offset] overlaps one of ``intervals`` (n, 2), each widened by ``pad_s``."""
    on = np.asarray(onset_s, dtype=np.float64)
    off = np.asarray(offset_s, dtype=np.float64)
    iv = np.asarray(intervals, dtype=np.float64).reshape(-1, 2)
    if not iv.size or not on.size:
        return np.zeros(on.shape, dtype=bool)
    iv = iv[np.argsort(iv[:, 0])]
    lo, hi = iv[:, 0] - pad_s, np.maximum.accumulate(iv[:, 1] + pad_s)
    # last interval starting before the event's offset; overlap if its running max end is after the onset
    k = np.searchsorted(lo, off, side="right") - 1
    ok = k >= 0
    out = np.zeros(on.shape, dtype=bool)
    out[ok] = hi[k[ok]] > on[ok]
    return out
