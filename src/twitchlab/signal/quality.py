"""Signal quality of an EMG channel per 30-s epoch (SCORING_SPEC §2.8).

Features are computed chunk by chunk (:func:`epoch_features`) while the signal is filtered, then each
epoch gets one state (:func:`classify_epochs`), in this order of precedence:

``coarse``       the channel's digital resolution is too coarse to resolve the 2-µV offset threshold
``gap``          samples missing (EDF+D gap, NaN)
``disconnected`` large mains hum in the raw signal and no EMG under it: the electrode is off or floating
``flat``         no signal left after band-pass (lead-off detector, dead amplifier, constant output), judged
                 away from the rails: an epoch on its rails for ``clip_min_s`` or more is only flat when it
                 spends most of its time off the rails and has no signal there
``clipped``      the signal sits on its rails (saturation) for at least ``clip_min_s`` (a pinned signal has
                 no envelope, so this is what an epoch saturated throughout is)
``mains``        hum still dominates after the notch (residual above ``mains_residual_max_uv``)
``noisy``        the resting EMG fluctuates so much that the noise-adaptive onset threshold exceeds
                 ``noisy_onset_uv``
``ok``           scorable

Every state but ``ok`` is unscorable: movements there are not reported and the time is removed from the
denominators (:func:`unscorable_intervals`).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = [
    "QUALITY_STATES",
    "QualityParams",
    "classify_epochs",
    "epoch_features",
    "mains_amplitude_uv",
    "runs_at_least",
    "unscorable_intervals",
]

_MAINS_EVERY = 3  # mains amplitude measured on every third 1-s block (10 per 30-s epoch)
_GEMM_ROWS = 64  # rows per matrix product in _mains_pairs (small enough for OpenBLAS to stay single-threaded)
_EPOCH_S = 30.0  # epoch length when the features carry no onset_s/offset_s

QUALITY_STATES = ("ok", "coarse", "gap", "disconnected", "flat", "clipped", "mains", "noisy")


@dataclass(frozen=True)
class QualityParams:
    """Thresholds of the quality map (all reported in ``params``).

    Attributes
    ----------
    flat_uv : float
        Mean envelope (mean rectified band-passed signal) below which an epoch is flat (resting tibialis EMG
        gives ~1-4 µV).
    clip_min_s : float
        Time on the rails within an epoch that makes it clipped.
    disconnect_mains_uv : float
        Raw mains amplitude above which the electrode is taken as off/floating ...
    disconnect_level_uv : float
        ... when the envelope left after band-pass and notch is also below this (no EMG under the hum).
    mains_residual_max_uv : float
        Mains amplitude left after filtering above which the epoch is mains-dominated.
    noisy_onset_uv : float
        Noise-adaptive onset threshold above which the epoch is too noisy to score.
    max_resolution_uv : float
        Coarsest digital step at which leg EMG is usable (the offset rule needs 2 µV).
    """

    flat_uv: float = 0.25
    clip_min_s: float = 0.5
    disconnect_mains_uv: float = 100.0
    disconnect_level_uv: float = 1.0
    mains_residual_max_uv: float = 5.0
    noisy_onset_uv: float = 24.0
    max_resolution_uv: float = 1.0

    def as_dict(self) -> dict[str, float]:
        """Plain dict of the thresholds."""
        return asdict(self)


def runs_at_least(mask: np.ndarray, n: int) -> np.ndarray:
    """Samples of ``mask`` that lie in runs of at least ``n`` consecutive True values."""
    mask = np.asarray(mask, dtype=bool)
    if n <= 1 or mask.size == 0:
        return mask.copy()
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    keep = (ends - starts) >= n
    mark = np.zeros(mask.size + 1, dtype=np.int64)
    np.add.at(mark, starts[keep], 1)
    np.add.at(mark, ends[keep], -1)
    return np.cumsum(mark)[:-1] > 0


def mains_amplitude_uv(x: np.ndarray, fs_hz: float, f0_hz: float, *, start_sample: int = 0) -> np.ndarray:
    """Amplitude of the ``f0_hz`` sinusoid in each 1-s block (projection on sine and cosine).

    Parameters
    ----------
    x : numpy.ndarray
        Signal in µV (finite), starting at global sample ``start_sample``.
    fs_hz : float
        Sampling rate.
    f0_hz : float
        Frequency.
    start_sample : int
        Global index of ``x[0]`` (keeps the phase continuous across chunks).

    Returns
    -------
    numpy.ndarray
        One amplitude per complete 1-s block (``len(x) // round(fs_hz)`` values).
    """
    n_b = round(fs_hz)
    n_blocks = x.size // n_b
    if n_blocks == 0:
        return np.empty(0)
    xb = x[: n_blocks * n_b].reshape(n_blocks, n_b)
    if float(fs_hz).is_integer():
        ph = 2 * np.pi * f0_hz * (start_sample + np.arange(n_b)) / fs_hz
        basis = np.stack([np.cos(ph), np.sin(ph)], axis=1)
        proj = xb @ basis
    else:
        ph = 2 * np.pi * f0_hz * (start_sample + np.arange(n_blocks * n_b)) / fs_hz
        proj = np.stack([(xb * np.cos(ph).reshape(xb.shape)).sum(1), (xb * np.sin(ph).reshape(xb.shape)).sum(1)], 1)
    return 2.0 / n_b * np.hypot(proj[:, 0], proj[:, 1])


def epoch_features(
    raw: np.ndarray,
    filtered: np.ndarray,
    fs_hz: float,
    *,
    start_sample: int,
    epoch_starts: np.ndarray,
    rails: tuple[float, float] | None,
    touches_rails: bool | None = None,
    nan: np.ndarray | None = None,
    known_finite: bool = False,
    mains_from_filtered: bool = False,
    mains_hz: tuple[float, ...] = (50.0, 60.0),
    notched_hz: float | None = None,
    clip_run_s: float = 0.02,
) -> dict[str, np.ndarray]:
    """Per-epoch quality features of one chunk (full-rate work kept to a few passes).

    Parameters
    ----------
    raw, filtered : numpy.ndarray
        Raw (µV, may hold NaN) and band-passed signals of the chunk's core (same length).
    fs_hz : float
        Sampling rate.
    start_sample : int
        Global sample index of ``raw[0]``.
    epoch_starts : numpy.ndarray
        Global sample indices at which the epochs of this chunk start (the first equals ``start_sample``).
    rails : tuple of float, optional
        Global minimum and maximum of the channel; samples stuck there for ``clip_run_s`` are clipped.
    touches_rails : bool, optional
        Whether this chunk reaches a rail, when the caller knows (skips two passes over the chunk).
    nan : numpy.ndarray, optional
        ``isnan(raw)`` when already known.
    known_finite : bool
        The caller knows ``raw`` holds no NaN (skips the ``isnan`` pass; ``nan`` is then ignored).
    mains_from_filtered : bool
        Nothing was notched and the band-pass passes the mains and control frequencies unchanged, so the
        raw mains amplitude equals the filtered one: measure it once, on ``filtered`` (free of drift).
    mains_hz : tuple of float
        Frequencies whose raw amplitude is measured.
    notched_hz : float, optional
        The notched frequency (residual measured there); ``None`` measures the residual at ``mains_hz``.
    clip_run_s : float
        Minimum run on a rail that counts as clipping.

    Returns
    -------
    dict of str to numpy.ndarray
        One value per epoch: ``n``, ``nan_s``, ``clipped_s``, ``mains_uv``, ``mains_residual_uv``
        (median 1-s amplitude at the mains frequency, raw and after filtering) and ``mains_uv_ratio``,
        ``mains_residual_uv_ratio`` (median over 1-s blocks of that amplitude divided by the amplitude 7 Hz
        below: hum is a line, far above its neighbourhood in every block; a muscle burst is broadband).
    """
    local = np.asarray(epoch_starts, dtype=np.int64) - start_sample
    counts = np.diff(np.append(local, raw.size))
    if known_finite:
        nan, has_nan = np.zeros(0, dtype=bool), False
    else:
        nan = np.isnan(raw) if nan is None else nan
        has_nan = bool(nan.any())
    out: dict[str, np.ndarray] = {"n": counts}
    out["nan_s"] = np.add.reduceat(nan, local) / fs_hz if has_nan else np.zeros(local.size)
    out["clipped_s"] = np.zeros(local.size)
    if rails is not None and rails[1] > rails[0]:
        tol = 1e-6 * (rails[1] - rails[0])
        if touches_rails is None:
            hi_, lo_ = (np.nanmax(raw), np.nanmin(raw)) if has_nan else (raw.max(), raw.min())
            touches_rails = bool(hi_ >= rails[1] - tol or lo_ <= rails[0] + tol)
        min_run = max(2, round(clip_run_s * fs_hz))
        if touches_rails:
            at_rail = (raw >= rails[1] - tol) | (raw <= rails[0] + tol)
            if np.count_nonzero(at_rail) >= min_run:  # a rail touched by a few samples holds no clipped run
                out["clipped_s"] = np.add.reduceat(runs_at_least(at_rail, min_run), local) / fs_hz
    n_b = round(fs_hz)
    blk_epoch = np.searchsorted(local, np.arange(0, raw.size // n_b, _MAINS_EVERY) * n_b, side="right") - 1

    def medians(x: np.ndarray, freqs: tuple[float, ...]) -> np.ndarray:
        """Per-epoch medians of the mains amplitude and of its ratio to the control frequencies."""
        amp, ctrl = _mains_pairs(x, fs_hz, freqs)
        return _per_epoch_median(np.vstack((amp, amp / np.maximum(ctrl, 1e-9))), blk_epoch, len(local))

    residual = medians(filtered, (notched_hz,) if notched_hz is not None else mains_hz)
    if mains_from_filtered and notched_hz is None:  # measured once: raw and filtered agree at the mains
        raw_med = residual
    else:
        raw_med = medians(np.where(nan, 0.0, raw) if has_nan else raw, mains_hz)
    out["mains_uv"], out["mains_uv_ratio"] = raw_med
    out["mains_residual_uv"], out["mains_residual_uv_ratio"] = residual
    return out


def _mains_pairs(x: np.ndarray, fs_hz: float, freqs: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Every third 1-s block: the largest amplitude at ``freqs`` and at control frequencies 7 Hz below."""
    n_b = round(fs_hz)
    n_blocks = x.size // n_b
    if n_blocks == 0:
        return np.empty(0), np.empty(0)
    if not float(fs_hz).is_integer():
        amp = np.max([mains_amplitude_uv(x, fs_hz, f) for f in freqs], axis=0)
        ctrl = np.max([mains_amplitude_uv(x, fs_hz, f - 7.0) for f in freqs], axis=0)
        return amp[::_MAINS_EVERY], ctrl[::_MAINS_EVERY]
    # a per-epoch median needs only some blocks. Products of at most _GEMM_ROWS rows stay on one BLAS thread:
    # one big product (or einsum) wakes every BLAS thread and costs more CPU time than it saves wall time
    xb = x[: n_blocks * n_b].reshape(n_blocks, n_b)[::_MAINS_EVERY]
    basis = _block_basis(n_b, tuple(freqs))
    proj = np.concatenate([xb[i : i + _GEMM_ROWS] @ basis for i in range(0, xb.shape[0], _GEMM_ROWS)])
    k = 2 * len(freqs)
    amps = 2.0 / n_b * np.hypot(proj[:, :k], proj[:, k:])
    return amps[:, : len(freqs)].max(axis=1), amps[:, len(freqs) :].max(axis=1)


@functools.lru_cache(maxsize=16)
def _block_basis(n_b: int, freqs: tuple[float, ...]) -> np.ndarray:
    """Cosines then sines over one 1-s block of ``n_b`` samples, at ``freqs`` and 7 Hz below each.

    An amplitude from both projections does not depend on the block's phase, so one basis serves every
    block (``n_b`` is the whole sampling rate, so each block holds whole cycles of whole-Hz frequencies).
    """
    all_f = np.array([*freqs, *(f - 7.0 for f in freqs)])
    ph = 2 * np.pi * all_f[None, :] * np.arange(n_b)[:, None] / n_b
    basis = np.hstack([np.cos(ph), np.sin(ph)])
    basis.setflags(write=False)
    return basis


def _per_epoch_median(amp: np.ndarray, blk_epoch: np.ndarray, n_epochs: int) -> np.ndarray:
    """Median of ``amp`` per epoch; ``blk_epoch`` (non-decreasing) gives the epoch of each value.

    ``amp`` may hold several series as rows (``(k, n)``): each row's medians, ``(k, n_epochs)``, in one pass.
    """
    amp = np.asarray(amp, dtype=np.float64)
    rows = amp.reshape(-1, amp.shape[-1]) if amp.ndim > 1 else amp[None, :]
    res = np.full((rows.shape[0], n_epochs), np.nan)
    if rows.shape[1] == 0:
        return res if amp.ndim > 1 else res[0]
    e = blk_epoch[: rows.shape[1]]
    bounds = np.searchsorted(e, np.arange(n_epochs + 1))
    sizes = np.diff(bounds)
    width = int(sizes.max())
    full = np.flatnonzero(sizes == width)
    if full.size and np.all(np.diff(full) == 1):  # the regular epochs are contiguous: one reshape
        block = rows[:, bounds[full[0]] : bounds[full[-1] + 1]].reshape(rows.shape[0], full.size, width)
        res[:, full] = np.median(block, axis=2)
        rest = np.flatnonzero((sizes > 0) & (sizes != width))
    else:
        rest = np.flatnonzero(sizes > 0)
    for k in rest:  # at most a partial first/last epoch of the chunk
        res[:, k] = np.median(rows[:, bounds[k] : bounds[k + 1]], axis=1)
    return res if amp.ndim > 1 else res[0]


def classify_epochs(features: pd.DataFrame, params: QualityParams, *, coarse: bool = False) -> pd.DataFrame:
    """Give each epoch one quality state and a scorable flag.

    Parameters
    ----------
    features : pandas.DataFrame
        Columns of :func:`epoch_features` plus ``level_uv`` (mean envelope) and ``onset_thr_uv`` (mean
        noise-adaptive onset threshold).
    params : QualityParams
        Thresholds.
    coarse : bool
        The whole channel is too coarse to use.

    Returns
    -------
    pandas.DataFrame
        ``features`` with ``state`` and ``scorable`` columns added.
    """
    f = features
    level = f["level_uv"].to_numpy()
    clipped_s = f["clipped_s"].to_numpy()
    on_rails = clipped_s >= params.clip_min_s
    if "onset_s" in f and "offset_s" in f:
        dur = (f["offset_s"] - f["onset_s"]).to_numpy(dtype=float)
    else:
        dur = np.full(len(f), _EPOCH_S)
    away_s = np.maximum(dur - clipped_s, 0.0)
    # samples pinned on a rail have no envelope: the level off the rails is what can say "flat"
    level_away = level * dur / np.maximum(away_s, 1e-9)
    flat_off_rails = (away_s >= dur / 2) & (level_away < params.flat_uv)
    conditions = [
        np.full(len(f), coarse),
        f["nan_s"].to_numpy() > 0,
        _dominant(f, "mains_uv", params.disconnect_mains_uv) & (level < params.disconnect_level_uv),
        (level < params.flat_uv) & (~on_rails | flat_off_rails),
        on_rails,
        _dominant(f, "mains_residual_uv", params.mains_residual_max_uv),
        f["onset_thr_uv"].to_numpy() > params.noisy_onset_uv,
    ]
    state = np.select(conditions, list(QUALITY_STATES[1:]), default="ok")
    out = f.copy()
    out["state"] = state.astype(object)
    out["scorable"] = state == "ok"
    return out


def _dominant(f: pd.DataFrame, col: str, min_uv: float, ratio: float = 10.0) -> np.ndarray:
    """Hum above ``min_uv`` that is also a line: ``ratio`` times the level 7 Hz below in most 1-s blocks."""
    amp = f[col].fillna(0).to_numpy()
    rat = f[col + "_ratio"].fillna(np.inf).to_numpy() if col + "_ratio" in f else np.full(len(f), np.inf)
    return (amp >= min_uv) & (rat >= ratio)


def unscorable_intervals(quality: pd.DataFrame) -> pd.DataFrame:
    """Merge consecutive unscorable epochs of the same side and reason into intervals.

    Parameters
    ----------
    quality : pandas.DataFrame
        Columns ``side``, ``epoch``, ``onset_s``, ``offset_s``, ``state``, ``scorable``.

    Returns
    -------
    pandas.DataFrame
        ``side``, ``onset_s``, ``offset_s``, ``duration_s``, ``reason`` (the quality state).
    """
    cols = ["side", "onset_s", "offset_s", "duration_s", "reason"]
    bad = quality.loc[~quality["scorable"]].sort_values(["side", "onset_s"])
    if bad.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c.endswith("_s") else object) for c in cols})
    new = (
        (bad["side"] != bad["side"].shift())
        | (bad["state"] != bad["state"].shift())
        | (np.abs(bad["onset_s"].to_numpy() - bad["offset_s"].shift().to_numpy()) > 1e-6)
    )
    grp = new.cumsum()
    out = bad.groupby(grp).agg(
        side=("side", "first"), onset_s=("onset_s", "first"), offset_s=("offset_s", "last"), reason=("state", "first")
    )
    out["duration_s"] = out["offset_s"] - out["onset_s"]
    return out[cols].reset_index(drop=True)
