"""EMG conditioning chain, chunk by chunk: band-pass (+ notch), rectify, envelope, quality features.

:func:`condition_emg` is the one entry point reused by every EMG detector (legs, chin, arms). It reads the
signal in chunks of whole epochs with a few seconds of padding on each side (so zero-phase filtering has no
edge effects), keeps only the down-sampled envelope (100 Hz by default) and per-epoch quality features, and
never holds more than one padded chunk of full-rate intermediates: memory stays bounded for a 24-h night.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError
from twitchlab.signal.baseline import BlockSeries
from twitchlab.signal.envelope import envelope_step, rectified_envelope
from twitchlab.signal.filters import NOTCH_Q, ZeroPhaseFilter, check_emg_rate, detect_mains_hz, emg_sos
from twitchlab.signal.quality import epoch_features

__all__ = ["ConditionedEMG", "condition_emg", "epoch_mean", "epoch_starts"]

logger = logging.getLogger(__name__)


class _Sliceable(Protocol):  # numpy array, memmap, or a lazy reader
    def __len__(self) -> int: ...
    def __getitem__(self, key: slice) -> Any: ...


@dataclass(frozen=True)
class ConditionedEMG:
    """Output of :func:`condition_emg`.

    Attributes
    ----------
    envelope_uv : numpy.ndarray
        Rectified, smoothed EMG at ``env_fs_hz`` (sample ``j`` is at ``j / env_fs_hz`` s).
    env_fs_hz : float
        Envelope rate (``fs_hz / step``).
    fs_hz : float
        Rate of the raw signal.
    n_samples : int
        Raw samples.
    mains_hz : float or None
        Notched mains frequency.
    rails : tuple of float or None
        Global minimum and maximum of the raw signal.
    features : pandas.DataFrame
        Per-epoch quality features (:func:`twitchlab.signal.quality.epoch_features`) with ``epoch``,
        ``onset_s``, ``offset_s``.
    params : dict
        Every value used.
    extra : dict
        ``(envelope_s, env_fs_hz) -> (envelope_uv, rate_hz)`` for each of the ``extra_envelopes`` asked for:
        other envelopes of the same band-passed signal (e.g. the 50-ms envelope of the twitch detectors next
        to the 100-ms one of the leg-movement detector), so a channel is filtered once.
    """

    envelope_uv: np.ndarray
    env_fs_hz: float
    fs_hz: float
    n_samples: int
    mains_hz: float | None
    rails: tuple[float, float] | None
    features: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    extra: dict[tuple[float, float], tuple[np.ndarray, float]] = field(default_factory=dict, repr=False)

    @property
    def duration_s(self) -> float:
        """Length of the raw signal in seconds."""
        return self.n_samples / self.fs_hz


def epoch_starts(n_samples: int, fs_hz: float, epoch_s: float) -> np.ndarray:
    """Global sample index at which each epoch starts (``round(k * epoch_s * fs_hz)``)."""
    n_ep = int(np.ceil(n_samples / (epoch_s * fs_hz) - 1e-9))
    starts = np.round(np.arange(max(n_ep, 1)) * epoch_s * fs_hz).astype(np.int64)
    return starts[starts < max(n_samples, 1)]


def epoch_mean(values: np.ndarray | BlockSeries, rate_hz: float, onsets_s: np.ndarray) -> np.ndarray:
    """Mean of a series sampled at ``rate_hz`` within each epoch starting at ``onsets_s``."""
    size = len(values)
    if size == 0:
        return np.full(onsets_s.size, np.nan)
    idx = np.clip(np.ceil(onsets_s * rate_hz - 1e-9).astype(np.int64), 0, size - 1)
    counts = np.diff(np.append(idx, size))
    if isinstance(values, BlockSeries):  # from the block values, without expanding them
        sums = np.diff(values.sum_to(np.append(idx, size)))
        return np.where(counts > 0, sums / np.maximum(counts, 1), values[idx])
    return np.add.reduceat(values, idx) / np.maximum(counts, 1)


def _extremes(x: _Sliceable, bounds: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and maximum of each chunk ``[a, b)``, ``(n_chunks, 2)``, and whether it holds NaN."""
    out = np.full((len(bounds), 2), np.nan)
    has_nan = np.zeros(len(bounds), dtype=bool)
    for i, (a, b) in enumerate(bounds):
        blk = np.asarray(x[a:b], dtype=np.float64)
        lo, hi = float(blk.min(initial=np.inf)), float(blk.max(initial=-np.inf))
        if np.isnan(lo) or np.isnan(hi):  # NaN gaps: the slower NaN-aware reductions
            has_nan[i] = True
            if not np.isfinite(blk).any():
                continue
            lo, hi = float(np.nanmin(blk)), float(np.nanmax(blk))
        out[i] = lo, hi
    return out, has_nan


def _pinned_rails(value: float, header_rails: tuple[float, float]) -> tuple[float, float] | None:
    """Rails of a channel constant at ``value``: the header range with ``value`` as the rail it sits on.

    ``None`` (no rails: a constant channel away from the rails is flat) unless ``value`` is on a header rail.
    """
    lo, hi = sorted(float(v) for v in header_rails)
    tol = 1e-6 * (hi - lo)
    if hi <= lo:
        return None
    if value >= hi - tol:
        return (lo, value)
    if value <= lo + tol:
        return (value, hi)
    return None


def condition_emg(
    x: _Sliceable,
    fs_hz: float,
    *,
    lo_hz: float = 10.0,
    hi_hz: float = 100.0,
    notch: str | float | None = "auto",
    envelope_s: float = 0.1,
    env_fs_hz: float = 50.0,
    epoch_s: float = 30.0,
    chunk_s: float = 1800.0,
    pad_s: float = 5.0,
    label: str = "EMG",
    progress: Callable[[float, float], None] | None = None,
    extra_envelopes: Sequence[tuple[float, float]] = (),
    header_rails: tuple[float, float] | None = None,
) -> ConditionedEMG:
    """Band-pass, notch, rectify and smooth an EMG chunk-wise; collect quality features per epoch.

    Parameters
    ----------
    x : array_like
        Raw EMG in µV (numpy array or memmap; NaN marks gaps). Only sliced, never copied whole.
    fs_hz : float
        Sampling rate (>= 100 Hz).
    lo_hz, hi_hz : float
        Band-pass edges (SCORING_SPEC §2.1: 10-100 Hz; the upper edge is capped at 0.9 x Nyquist).
    notch : {"auto", None} or float
        ``"auto"`` detects 50/60 Hz hum (:func:`twitchlab.signal.filters.detect_mains_hz`) and notches it;
        a number forces a notch there; ``None`` disables it.
    envelope_s : float
        Moving-average window of the rectified signal (50-100 ms).
    env_fs_hz : float
        Rate of the returned envelope (the raw rate divided by a whole step).
    epoch_s : float
        Epoch length of the quality features.
    chunk_s : float
        Core length of each chunk (rounded to whole epochs).
    pad_s : float
        Padding on each side of a chunk, discarded after filtering.
    label : str
        Channel name for messages.
    progress : callable, optional
        ``progress(done_s, total_s)`` after each chunk.
    extra_envelopes : sequence of (envelope_s, env_fs_hz)
        Further envelopes to compute from the same filtered chunks (returned in ``extra``); each costs one
        rectify-and-smooth pass, not a second filtering.
    header_rails : tuple of float, optional
        The recording system's lowest and highest value (``Channel.rails``: the header's physical range). The
        rails are otherwise the signal's own extremes; a channel that is constant throughout has none, and is
        then saturated when it sits on a header rail (an amplifier pinned at its maximum), flat otherwise.

    Returns
    -------
    ConditionedEMG
        Envelope, quality features and parameters.

    Raises
    ------
    InsufficientDataError
        When ``fs_hz`` < 100 Hz.
    ParameterError
        On an empty band or a bad ``notch``.

    References
    ----------
    Ferri R et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95. AASM Manual for the Scoring of Sleep and Associated Events, v2.6 (2020).
    """
    check_emg_rate(fs_hz, where=f"channel {label!r}")
    n = len(x)
    step = envelope_step(fs_hz, env_fs_hz)
    extras = [(float(w), float(r), envelope_step(fs_hz, r)) for w, r in extra_envelopes]
    if notch == "auto":
        mains = detect_mains_hz(x, fs_hz)
    elif notch is None or notch == "off":
        mains = None
    elif isinstance(notch, int | float):
        mains = float(notch)
    else:
        raise ParameterError(f"notch={notch!r}: use 'auto', None or a frequency in Hz (50 or 60)")
    sos = emg_sos(fs_hz, lo_hz=lo_hz, hi_hz=hi_hz, mains_hz=mains)
    zero_phase = ZeroPhaseFilter(sos)
    starts = epoch_starts(n, fs_hz, epoch_s)
    per_chunk = max(1, round(chunk_s / epoch_s))
    pad = round(pad_s * fs_hz)
    bounds = [
        (int(starts[c0]), int(starts[c0 + per_chunk]) if c0 + per_chunk < starts.size else n)
        for c0 in range(0, starts.size, per_chunk)
    ]
    ext, chunk_nan = _extremes(x, bounds)
    rails = (float(np.nanmin(ext[:, 0])), float(np.nanmax(ext[:, 1]))) if np.isfinite(ext).any() else None
    if rails is not None and rails[1] <= rails[0] and header_rails is not None:
        rails = _pinned_rails(rails[0], header_rails)
    envs: list[np.ndarray] = []
    extra_envs: list[list[np.ndarray]] = [[] for _ in extras]
    feats: list[dict[str, np.ndarray]] = []
    for i, (a, b) in enumerate(bounds):
        c0 = i * per_chunk
        pa, pb = max(0, a - pad), min(n, b + pad)
        raw = np.asarray(x[pa:pb], dtype=np.float64)
        # the padding reaches only into the neighbouring chunks: with no NaN there, skip the isnan pass
        nan = np.isnan(raw) if chunk_nan[max(0, i - 1) : i + 2].any() else None
        has_nan = nan is not None and bool(nan.any())
        if has_nan:  # gaps become the median level, not 0 µV (no step into a gap for the filter to ring on)
            sub = raw[:: max(1, raw.size // 4096)]
            work = raw - (float(np.nanmedian(sub)) if np.isfinite(sub).any() else 0.0)
            work[nan] = 0.0
        else:  # the band-pass removes any offset; its start-up state matches the first samples' level
            work = raw
        filt = zero_phase(work)
        if has_nan:
            filt[nan] = 0.0
        core = slice(a - pa, b - pa)
        feats.append(
            epoch_features(
                raw[core],
                filt[core],
                fs_hz,
                start_sample=a,
                epoch_starts=starts[c0 : c0 + per_chunk],
                rails=rails,
                touches_rails=bool(rails is not None and (ext[i, 0] <= rails[0] or ext[i, 1] >= rails[1])),
                nan=nan[core] if has_nan else None,
                known_finite=not has_nan,
                mains_from_filtered=mains is None and lo_hz <= 40.0 and min(hi_hz, 0.45 * fs_hz) >= 75.0,
                notched_hz=mains,
            )
        )
        rect = np.abs(filt, out=filt)  # the features are taken: rectify in place, once for every envelope
        first = (-(a // -step)) * step - pa  # first global multiple of step at or after a, in local samples
        envs.append(
            rectified_envelope(rect, fs_hz, window_s=envelope_s, step=step, first=first, stop=b - pa, rectified=True)
        )
        for (w_s, _r, st), out in zip(extras, extra_envs, strict=True):
            f_k = (-(a // -st)) * st - pa
            out.append(rectified_envelope(rect, fs_hz, window_s=w_s, step=st, first=f_k, stop=b - pa, rectified=True))
        if progress is not None:
            progress(b / fs_hz, n / fs_hz)
    env = np.concatenate(envs) if envs else np.empty(0)
    features = pd.DataFrame({k: np.concatenate([f[k] for f in feats]) for k in feats[0]}) if feats else pd.DataFrame()
    n_ep = len(features)
    onsets = starts[:n_ep] / fs_hz
    features.insert(0, "epoch", np.arange(n_ep))
    features.insert(1, "onset_s", onsets)
    features.insert(2, "offset_s", np.append(starts[1:n_ep], n)[:n_ep] / fs_hz)
    features["level_uv"] = epoch_mean(env, fs_hz / step, onsets)
    params = {
        "band_hz": [lo_hz, min(hi_hz, 0.9 * fs_hz / 2)],
        "filter": "Butterworth order 4 per edge, zero-phase SOS"
        + (f", notch {mains:g} Hz Q={NOTCH_Q:g}" if mains else ""),
        "notch": notch,
        "mains_hz": mains,
        "envelope_s": envelope_s,
        "env_fs_hz": fs_hz / step,
        "chunk_s": per_chunk * epoch_s,
        "pad_s": pad_s,
    }
    logger.debug("conditioned %s: %d samples, mains=%s, envelope at %.1f Hz", label, n, mains, fs_hz / step)
    extra = {
        (w_s, r): (np.concatenate(out) if out else np.empty(0), fs_hz / st)
        for (w_s, r, st), out in zip(extras, extra_envs, strict=True)
    }
    return ConditionedEMG(env, fs_hz / step, fs_hz, n, mains, rails, features, params, extra)
