"""Small vectorised array helpers shared across the package (no I/O, numpy only)."""

from __future__ import annotations

import numpy as np

__all__ = ["range_indices"]


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
