"""Rectified amplitude envelope of band-passed EMG (SCORING_SPEC §2.2)."""

from __future__ import annotations

import numpy as np

from twitchlab.errors import ParameterError

__all__ = ["block_sums", "envelope_step", "moving_average", "rectified_envelope"]


def moving_average(x: np.ndarray, n: int) -> np.ndarray:
    """Centred moving average over ``n`` samples (cumulative sum; edges average what exists).

    Parameters
    ----------
    x : numpy.ndarray
        1-D signal.
    n : int
        Window length in samples (>= 1).

    Returns
    -------
    numpy.ndarray
        Same length as ``x``, float64.
    """
    if n < 1:
        raise ParameterError(f"moving-average window must be >= 1 sample, got {n}")
    x = np.asarray(x, dtype=np.float64)
    if n == 1 or x.size == 0:
        return x.copy()
    cs = np.empty(x.size + 1)
    cs[0] = 0.0
    np.cumsum(x, out=cs[1:])
    half_lo = n // 2
    half_hi = n - half_lo
    idx = np.arange(x.size)
    lo = np.clip(idx - half_lo, 0, x.size)
    hi = np.clip(idx + half_hi, 0, x.size)
    return (cs[hi] - cs[lo]) / (hi - lo)


def envelope_step(fs_hz: float, env_fs_hz: float) -> int:
    """Decimation step (samples) that brings ``fs_hz`` to about ``env_fs_hz`` (at least 1)."""
    return max(1, round(fs_hz / env_fs_hz))


def block_sums(x: np.ndarray, n: int) -> np.ndarray:
    """Sum of each ``n`` consecutive samples (an incomplete last block is dropped).

    Strided adds: much faster than ``x.reshape(-1, n).sum(axis=1)`` for the small ``n`` of envelope steps
    and decimation factors.

    Parameters
    ----------
    x : numpy.ndarray
        1-D signal.
    n : int
        Block length (>= 1).

    Returns
    -------
    numpy.ndarray
        ``len(x) // n`` sums, a new array.
    """
    m = (x.size // n) * n
    out = x[0:m:n].copy()
    for k in range(1, n):
        out += x[k:m:n]
    return out


def rectified_envelope(
    filtered: np.ndarray,
    fs_hz: float,
    *,
    window_s: float = 0.1,
    step: int = 1,
    first: int = 0,
    stop: int | None = None,
    rectified: bool = False,
) -> np.ndarray:
    """Rectify a band-passed EMG and smooth it with a centred moving average.

    Parameters
    ----------
    filtered : numpy.ndarray
        Band-passed EMG in µV.
    fs_hz : float
        Its sampling rate.
    window_s : float
        Moving-average window (the standards suggest about 50-100 ms).
    step : int
        Keep every ``step``-th sample of the envelope (the envelope is already low-pass, so this is safe for
        ``step / fs_hz`` up to about a third of ``window_s``).
    first, stop : int
        Envelope samples are computed at ``first, first + step, ...`` below ``stop`` (default: the end); the
        moving average still uses the samples outside that range (chunk padding).
    rectified : bool
        ``filtered`` is already rectified (saves a pass when several envelopes come from one signal).

    Returns
    -------
    numpy.ndarray
        Envelope in µV at ``fs_hz / step``.

    References
    ----------
    Ferri R et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    """
    n = max(1, round(window_s * fs_hz))
    rect = np.asarray(filtered, dtype=np.float64) if rectified else np.abs(np.asarray(filtered, dtype=np.float64))
    size = rect.size
    stop = size if stop is None else stop
    n_out = max(0, -((first - stop) // step))
    if n_out == 0:
        return np.empty(0)
    # sum the rectified signal in blocks of `step` samples centred on the output positions, then take a
    # running sum of m blocks (window ~ n samples): one pass at full rate, the rest at envelope rate
    m = max(1, round(n / step))
    lo = first - step // 2 - (m // 2) * step
    hi = lo + (n_out + m - 1) * step
    if lo >= 0 and hi <= size:
        seg = rect[lo:hi]
    else:  # recording edges: zeros outside (the first/last ~50 ms are slightly underestimated)
        seg = np.zeros(hi - lo)
        a, b = max(lo, 0), min(hi, size)
        seg[a - lo : b - lo] = rect[a:b]
    cs = np.concatenate(([0.0], np.cumsum(block_sums(seg, step))))
    return (cs[m : m + n_out] - cs[:n_out]) / (m * step)
