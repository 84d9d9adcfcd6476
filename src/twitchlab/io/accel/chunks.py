"""Stream a wearable recording as uniformly sampled chunks on the device's own clock.

Devices timestamp blocks of samples, and their true rate differs from the nominal one (an AX3 set to 100 Hz
runs near 98.9 Hz: 1 % over a night is 5 minutes). Analysis assumes ``index / fs_hz`` time, so the samples are
interpolated onto a uniform grid at the nominal rate in device time, chunk by chunk. Skipped blocks (gaps) are
bridged linearly; callers mark ``Recording.gaps`` unscorable.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from twitchlab.io.accel._common import TIME_CHANNEL
from twitchlab.model import Recording

__all__ = ["iter_uniform_chunks", "uniform_n_samples"]


def uniform_n_samples(rec: Recording) -> int:
    """Number of samples per axis of the uniform grid that :func:`iter_uniform_chunks` yields."""
    x = rec.channels["accel_x"]
    if TIME_CHANNEL not in rec.channels or x.n_samples == 0:
        return x.n_samples
    return int(np.floor(rec.channels[TIME_CHANNEL].data[-1] * x.fs_hz + 1e-9)) + 1


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
    n = t.size
    n_out = uniform_n_samples(rec)
    for k0 in range(0, n_out, step):
        tq = np.arange(k0, min(n_out, k0 + step)) / fs
        i0 = max(int(np.searchsorted(t, tq[0], side="right")) - 1, 0)
        i1 = min(int(np.searchsorted(t, tq[-1], side="left")) + 1, n)
        ts = t[i0:i1]
        acc = np.column_stack([np.interp(tq, ts, c.data[i0:i1]) for c in chans])
        yield acc, None if temp is None else np.interp(tq, ts, temp.data[i0:i1])
