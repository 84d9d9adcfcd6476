"""Small vectorised array helpers shared across the package (no I/O, numpy only)."""

from __future__ import annotations

import numpy as np

__all__ = ["range_indices", "row_medians"]


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
