"""Small vectorised array helpers shared across the package (no I/O, numpy only)."""

from __future__ import annotations

import numpy as np

__all__ = ["block_medians", "point_in", "range_indices", "row_medians", "time_block_edges"]


def range_indices(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Every index of the half-open ranges ``[start[i], stop[i])``, concatenated in order.

    ``np.concatenate([np.arange(a, b) for a, b in zip(start, stop)])`` without the Python loop; ranges with
    ``stop <= start`` contribute nothing.

    Parameters
    ----------
    start, stop : numpy.ndarray
        Integer range bounds (same length; scalars broadcast).

    Returns
    -------
    numpy.ndarray
        int64 indices.
    """
    start, stop = np.broadcast_arrays(np.asarray(start, dtype=np.int64), np.asarray(stop, dtype=np.int64))
    lengths = np.maximum(stop - start, 0)
    first_of = np.cumsum(lengths) - lengths  # where each range begins in the output
    return np.repeat(start - first_of, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)


def row_medians(a: np.ndarray) -> np.ndarray:
    """``np.median(a, axis=-1)`` (NaN where a row holds NaN), by sorting the rows.

    numpy's vectorised sort is several times faster than the partition :func:`numpy.median` uses on many
    short rows (e.g. 28,800 one-second blocks of 64 envelope samples: 3 ms instead of 25 ms); the middle
    values, and so the result, are the same.

    Parameters
    ----------
    a : numpy.ndarray
        Values; the median is taken along the last axis (length >= 1).

    Returns
    -------
    numpy.ndarray
        float64, shape ``a.shape[:-1]``.
    """
    srt = np.sort(np.asarray(a, dtype=np.float64), axis=-1)  # NaN sorts last
    n = srt.shape[-1]
    mid = srt[..., n // 2] if n % 2 else (srt[..., n // 2 - 1] + srt[..., n // 2]) / 2.0
    return np.where(np.isnan(srt[..., -1]), np.nan, mid)


def time_block_edges(
    n_samples: int, fs_hz: float, block_s: float, *, start_s: float = 0.0, n_blocks: int | None = None
) -> np.ndarray:
    """Sample index where each ``block_s`` block of time starts, and where the last one ends.

    Block ``k`` holds the samples whose time ``j / fs_hz`` lies in ``[start_s + k * block_s, start_s + (k + 1)
    * block_s)``, so blocks stay on the clock at any rate: at an envelope rate of 66.7 Hz (a 200-Hz EMG) a
    "second" is 66 or 67 samples, never a fixed 67 that drifts a whole 30-s epoch in under two hours. Edges are
    clipped to ``[0, n_samples]`` (blocks past the end are empty).

    Parameters
    ----------
    n_samples : int
        Length of the series.
    fs_hz : float
        Its rate.
    block_s : float
        Block length in seconds.
    start_s : float
        Time of the first block's start.
    n_blocks : int, optional
        Number of blocks (default: the whole blocks that fit in the series).

    Returns
    -------
    numpy.ndarray
        int64, ``n_blocks + 1`` non-decreasing edges.
    """
    if n_blocks is None:
        n_blocks = max(0, int(np.floor((n_samples / fs_hz - start_s) / block_s + 1e-9)))
    t = start_s + np.arange(n_blocks + 1) * block_s
    return np.clip(np.ceil(t * fs_hz - 1e-6).astype(np.int64), 0, n_samples)


def block_medians(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Median of ``x`` over each ``[edges[k], edges[k + 1])``; NaN for an empty block or one holding NaN.

    Blocks of equal length are reshaped and sorted as rows (:func:`row_medians`); blocks
    of unequal length (a rate that is not a whole number of samples per block) are padded to the longest.
    """
    x = np.asarray(x, dtype=np.float64)
    edges = np.asarray(edges, dtype=np.int64)
    lengths = np.diff(edges)
    if not lengths.size:
        return np.empty(0)
    if lengths.min() == lengths.max() > 0:
        return row_medians(x[edges[0] : edges[-1]].reshape(lengths.size, int(lengths[0])))
    cols = np.arange(max(int(lengths.max()), 1))
    valid = cols[None, :] < lengths[:, None]
    vals = x[np.minimum(edges[:-1, None] + cols[None, :], max(x.size - 1, 0))] if x.size else np.zeros(valid.shape)
    has_nan = (np.isnan(vals) & valid).any(axis=1)
    srt = np.sort(np.where(valid, vals, np.inf), axis=1)  # padding sorts after every real value
    rows = np.arange(lengths.size)
    lo, hi = srt[rows, np.maximum((lengths - 1) // 2, 0)], srt[rows, np.maximum(lengths // 2, 0)]
    return np.where(has_nan | (lengths == 0), np.nan, (lo + hi) / 2.0)


def point_in(t_s: np.ndarray, u_on: np.ndarray, u_off: np.ndarray) -> np.ndarray:
    """Whether each time lies in one of the disjoint sorted intervals ``[u_on, u_off)``."""
    t = np.asarray(t_s, dtype=float)
    if u_on.size == 0:
        return np.zeros(t.shape, dtype=bool)
    k = np.searchsorted(u_on, t, side="right") - 1
    return (k >= 0) & (t < u_off[np.maximum(k, 0)])
