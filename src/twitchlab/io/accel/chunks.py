"""Stream a wearable recording as uniformly sampled chunks on the device's own clock.

Devices timestamp blocks of samples, and their true rate differs from the nominal one (an AX3 set to 100 Hz
runs near 98.9 Hz: 1 % over a night is 5 minutes). Analysis assumes ``index / fs_hz`` time, so the samples are
interpolated onto a uniform grid at the nominal rate in device time, chunk by chunk. Skipped blocks (gaps) are
bridged linearly; callers mark ``Recording.gaps`` unscorable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from twitchlab.io.accel._common import TIME_CHANNEL
from twitchlab.model import Recording

__all__ = ["iter_uniform_chunks", "resample_stream", "uniform_n_samples"]


def uniform_n_samples(rec: Recording) -> int:
    """Number of samples per axis of the uniform grid that :func:`iter_uniform_chunks` yields."""
    x = rec.channels["accel_x"]
    if TIME_CHANNEL not in rec.channels or x.n_samples == 0:
        return x.n_samples
    return int(np.floor(rec.channels[TIME_CHANNEL].data[-1] * x.fs_hz + 1e-9)) + 1


def resample_stream(
    samples: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    fs_hz: float,
    *,
    n_out: int | None = None,
    chunk_s: float = 3600.0,
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Resample a stream of ``(time_s, acc (n, 3), temperature or None)`` batches onto ``k / fs_hz``.

    Linear interpolation; the last sample of each batch is carried into the next so chunk edges are seamless.
    Output chunks hold about ``chunk_s`` seconds; a gap is bridged linearly.
    """
    step = max(1, round(chunk_s * fs_hz))
    carry: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None
    k_next = 0
    buf_a: list[np.ndarray] = []
    buf_t: list[np.ndarray] = []
    buffered = 0
    has_temp = False
    for t, a, temp in samples:
        if t.size == 0:
            continue
        has_temp = temp is not None
        if carry is not None:
            t = np.r_[carry[0], t]
            a = np.vstack([carry[1], a])
            temp = None if temp is None or carry[2] is None else np.r_[carry[2], temp]
        k_last = int(np.floor(t[-1] * fs_hz + 1e-9))
        if n_out is not None:
            k_last = min(k_last, n_out - 1)
        if k_last >= k_next:
            tq = np.arange(k_next, k_last + 1) / fs_hz
            buf_a.append(np.column_stack([np.interp(tq, t, a[:, j]) for j in range(3)]))
            buf_t.append(np.interp(tq, t, temp) if temp is not None else np.empty(0))
            buffered += tq.size
            k_next = k_last + 1
        carry = (t[-1:], a[-1:], None if temp is None else temp[-1:])
        if buffered >= step:
            acc, tmp = np.concatenate(buf_a), np.concatenate(buf_t)
            n_full = (acc.shape[0] // step) * step
            for j in range(0, n_full, step):
                yield acc[j : j + step].copy(), (tmp[j : j + step].copy() if has_temp else None)
            buf_a, buf_t, buffered = [acc[n_full:].copy()], [tmp[n_full:].copy()], acc.shape[0] - n_full
    if buffered:
        acc, tmp = np.concatenate(buf_a), np.concatenate(buf_t)
        yield acc, (tmp if has_temp else None)


def iter_uniform_chunks(rec: Recording, chunk_s: float = 3600.0) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Yield ``(acc_g (n, 3), temperature_c (n,) or None)`` chunks on a uniform grid at the nominal rate.

    Parameters
    ----------
    rec : Recording
        Raw wearable recording (channels ``accel_x/y/z``, optional ``temperature_c`` and ``time_s``).
    chunk_s : float
        Seconds per chunk.

    Yields
    ------
    tuple
        Acceleration in g and temperature in °C (None when the device has no thermometer). Without a
        ``time_s`` channel the samples pass through unchanged.
    """
    chans = [rec.channels[f"accel_{a}"] for a in "xyz"]
    temp = rec.channels.get("temperature_c")
    fs = chans[0].fs_hz
    step = max(1, round(chunk_s * fs))
    if TIME_CHANNEL not in rec.channels:
        for i in range(0, chans[0].n_samples, step):
            acc = np.column_stack([c.data[i : i + step] for c in chans])
            yield acc, None if temp is None else temp.data[i : i + step]
        return
    t = rec.channels[TIME_CHANNEL].data

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        for i in range(0, t.size, step):
            acc = np.column_stack([c.data[i : i + step] for c in chans])
            yield t[i : i + step], acc, None if temp is None else temp.data[i : i + step]

    yield from resample_stream(batches(), fs, n_out=uniform_n_samples(rec), chunk_s=chunk_s)
