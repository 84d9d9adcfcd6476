"""Resting-EMG level and its noise, as running low percentiles of the envelope (SCORING_SPEC §2.3).

A percentile filter over 60 s at the envelope rate would be slow (millions of samples x thousands per
window), so the envelope is first summarised in short blocks (mean and SD per 0.5 s), the running
percentile runs on the block series (:func:`scipy.ndimage.percentile_filter`), and each block's value is
repeated back to the envelope rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from twitchlab.errors import ParameterError

__all__ = ["BlockSeries", "RestingLevel", "block_stats", "expand_blocks", "resting_level", "running_percentile"]


def block_stats(x: np.ndarray, n: int, *, chunk: int = 1 << 18) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SD of consecutive blocks of ``n`` samples (the last, shorter block included).

    The squares are summed chunk by chunk (whole blocks per chunk, so every block sum is the same as in
    one pass): no night-long temporary array.

    Parameters
    ----------
    x : numpy.ndarray
        1-D series.
    n : int
        Block length in samples.
    chunk : int
        Samples squared at a time.

    Returns
    -------
    mean, sd : numpy.ndarray
        One value per block.
    """
    x = np.asarray(x, dtype=np.float64)
    starts = np.arange(0, x.size, n)
    counts = np.diff(np.append(starts, x.size))
    s1 = np.add.reduceat(x, starts) if x.size else np.empty(0)
    step = max(1, chunk // n) * n
    s2 = np.concatenate(
        [
            np.add.reduceat(np.square(x[a : a + step]), np.arange(0, min(step, x.size - a), n))
            for a in range(0, x.size, step)
        ]
        or [np.empty(0)]
    )
    mean = s1 / counts
    var = np.maximum(s2 / counts - mean * mean, 0.0)
    return mean, np.sqrt(var)


def expand_blocks(values: np.ndarray, n_block: int, size: int | None = None) -> np.ndarray:
    """Each value repeated ``n_block`` times, cut to ``size``: ``np.repeat(values, n_block)[:size]``, faster.

    A broadcast copy fills whole rows at once, several times faster than :func:`numpy.repeat` with a
    constant count on night-long series.

    Parameters
    ----------
    values : numpy.ndarray
        One value per block (1-D).
    n_block : int
        Samples per block (>= 1).
    size : int, optional
        Length of the result (default ``values.size * n_block``).

    Returns
    -------
    numpy.ndarray
        A new array of ``values.dtype``.
    """
    values = np.asarray(values)
    full = values.size * n_block
    size = full if size is None else min(size, full)
    out = np.empty((values.size, n_block), dtype=values.dtype)
    out[:] = values[:, None]
    return out.reshape(-1)[:size]


@dataclass(frozen=True)
class BlockSeries:
    """A series that is constant over blocks of ``n_block`` samples, kept as one value per block.

    Running levels (resting level, background) change only from block to block; expanding them to the
    envelope rate costs a night-long array each. A ``BlockSeries`` answers indexing (``s[idx]``, ``s[a:b]``)
    from the block values and expands only when an array is asked for (``np.asarray(s)``).

    Attributes
    ----------
    values : numpy.ndarray
        One value per block (at least ``ceil(size / n_block)``).
    n_block : int
        Samples per block.
    size : int
        Length of the series in samples.
    """

    values: np.ndarray
    n_block: int
    size: int

    def __len__(self) -> int:
        return self.size

    @property
    def shape(self) -> tuple[int]:
        """``(size,)``."""
        return (self.size,)

    @property
    def ndim(self) -> int:
        """1."""
        return 1

    @property
    def dtype(self) -> np.dtype:
        """The values' dtype."""
        return self.values.dtype

    def __array__(self, dtype: np.dtype | None = None, copy: bool | None = None) -> np.ndarray:
        out = expand_blocks(self.values, self.n_block, self.size)
        return out if dtype is None else out.astype(dtype, copy=False)

    def __getitem__(self, index: slice | np.ndarray | int) -> np.ndarray | float:
        if isinstance(index, slice):
            return self.values[np.arange(*index.indices(self.size)) // self.n_block]
        i = np.asarray(index)
        if i.dtype == bool:
            i = np.flatnonzero(i)
        i = np.where(i < 0, i + self.size, i)
        if np.any((i < 0) | (i >= self.size)):
            raise IndexError(f"index out of range for a series of {self.size} samples")
        out = self.values[i // self.n_block]
        return float(out) if out.ndim == 0 else out

    def _counts(self) -> np.ndarray:
        """Samples covered by each block (the last may be shorter; blocks past ``size`` cover none)."""
        return np.clip(self.size - np.arange(self.values.size) * self.n_block, 0, self.n_block)

    def max(self) -> float:
        """Largest value of the series (NaN when empty)."""
        covered = self.values[self._counts() > 0]
        return float(covered.max()) if covered.size else float("nan")

    def median(self) -> float:
        """``np.median(np.asarray(self))``, from the block values weighted by the samples each covers."""
        counts = self._counts()
        keep = counts > 0
        vals, counts = self.values[keep], counts[keep]
        if not vals.size:
            return float("nan")
        order = np.argsort(vals, kind="stable")
        cum = np.cumsum(counts[order])
        srt = vals[order]

        def rank(r: int) -> float:
            return float(srt[np.searchsorted(cum, r, side="right")])

        return rank(self.size // 2) if self.size % 2 else (rank(self.size // 2 - 1) + rank(self.size // 2)) / 2

    def sum_to(self, stop: np.ndarray) -> np.ndarray:
        """Sum of the series over samples ``[0, stop)`` for each ``stop`` (0 <= stop <= size)."""
        stop = np.asarray(stop, dtype=np.int64)
        whole = np.concatenate(([0.0], np.cumsum(self.values * self.n_block)))
        k = stop // self.n_block
        part = np.where(k < self.values.size, self.values[np.minimum(k, self.values.size - 1)], 0.0)
        return whole[np.minimum(k, self.values.size)] + part * (stop - k * self.n_block)

    def subtract_from(self, x: np.ndarray) -> np.ndarray:
        """``x - np.asarray(self)`` block by block, without expanding the series (``len(x) == size``)."""
        x = np.asarray(x, dtype=np.float64)
        out = np.empty_like(x)
        n_full = min(x.size // self.n_block, self.values.size)
        cut = n_full * self.n_block
        shape = (n_full, self.n_block)
        np.subtract(x[:cut].reshape(shape), self.values[:n_full, None], out=out[:cut].reshape(shape))
        if cut < x.size:
            out[cut:] = x[cut:] - self[np.arange(cut, x.size)]
        return out


def running_percentile(values: np.ndarray, size: int, q: float) -> np.ndarray:
    """Centred running percentile (edges use the nearest values).

    Parameters
    ----------
    values : numpy.ndarray
        1-D series.
    size : int
        Window length in samples (>= 1).
    q : float
        Percentile in [0, 100].

    Returns
    -------
    numpy.ndarray
        Same length as ``values``.
    """
    if not 0 <= q <= 100:
        raise ParameterError(f"percentile must be in [0, 100], got {q}")
    size = max(1, min(int(size), len(values)))
    return ndimage.percentile_filter(np.asarray(values, dtype=np.float64), q, size=size, mode="nearest")


@dataclass(frozen=True)
class RestingLevel:
    """Resting EMG level and envelope noise, at the envelope rate.

    Attributes
    ----------
    baseline_uv : numpy.ndarray
        Running low percentile of the envelope (the "resting EMG" of the standards).
    noise_uv : numpy.ndarray
        Running low percentile of the within-block SD of the envelope: how much the envelope fluctuates at
        rest. Drives the noise-adaptive thresholds.
    """

    baseline_uv: np.ndarray | BlockSeries
    noise_uv: np.ndarray | BlockSeries


def resting_level(
    env: np.ndarray,
    env_fs_hz: float,
    *,
    window_s: float = 60.0,
    percentile: float = 10.0,
    noise_percentile: float = 25.0,
    block_s: float = 0.5,
    as_blocks: bool = False,
) -> RestingLevel:
    """Estimate the resting EMG level and its noise under an envelope.

    Parameters
    ----------
    env : numpy.ndarray
        Rectified envelope (µV) at ``env_fs_hz``.
    env_fs_hz : float
        Envelope rate.
    window_s : float
        Running window (the standards' "resting EMG" follows slow changes; 30-60 s).
    percentile : float
        Low percentile of the block means taken as the baseline (movements occupy the upper part).
    noise_percentile : float
        Percentile of the block SDs taken as the resting noise.
    block_s : float
        Block length for the summary series.
    as_blocks : bool
        Return the baseline and noise as :class:`BlockSeries` (one value per block) instead of arrays at
        the envelope rate.

    Returns
    -------
    RestingLevel
        Baseline and noise, same length as ``env``.

    References
    ----------
    Ferri R et al. WASM 2016 standards, Sleep Med 2016;26:86-95 (thresholds relative to resting EMG).
    """
    n_block = max(1, round(block_s * env_fs_hz))
    mean, sd = block_stats(env, n_block)
    size = max(3, round(window_s / block_s) | 1)
    base_b = running_percentile(mean, size, percentile)
    noise_b = running_percentile(sd, size, noise_percentile)
    if as_blocks:
        return RestingLevel(BlockSeries(base_b, n_block, env.size), BlockSeries(noise_b, n_block, env.size))
    # back to the envelope rate block by block: the 60-s percentiles change little within 0.5 s
    return RestingLevel(expand_blocks(base_b, n_block, env.size), expand_blocks(noise_b, n_block, env.size))
