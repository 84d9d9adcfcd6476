"""Shared helpers of the accelerometer readers: build a :class:`~twitchlab.model.Recording` from arrays."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np

from twitchlab._util import sha256_file
from twitchlab.errors import InputFileError, TwitchlabWarning, check_option
from twitchlab.model import Channel, Recording

__all__ = [
    "LOCATIONS",
    "accel_recording",
    "counts_recording",
    "file_bytes",
    "tolerate",
]

logger = logging.getLogger(__name__)

#: Wear locations the wearable path knows (SCORING_SPEC §7).
LOCATIONS = ("ankle", "wrist", "mattress")

#: Label of the per-sample time channel (seconds from the first sample) kept when a device's clock
#: gives each block its own timestamp; analysis uses it instead of ``index / fs_hz``.
TIME_CHANNEL = "time_s"


def tolerate(rec_warnings: list[str], message: str) -> None:
    """Record a tolerated problem on the recording and issue it as a :class:`TwitchlabWarning`."""
    rec_warnings.append(message)
    logger.debug(message)  # the warning below is what users see; logging it too printed it twice
    warnings.warn(message, TwitchlabWarning, stacklevel=3)


def read_with_skdh(
    reader: str, path: str | os.PathLike[str], *, errors: tuple[type[BaseException], ...], fallback: str
) -> Mapping[str, object] | None:
    """Read ``path`` with scikit-digital-health's ``skdh.io.<reader>``.

    Returns ``None`` when skdh is not installed or refuses the file with one of ``errors``, so that the
    caller falls back to its own decoder (named ``fallback`` in the log).
    """
    try:
        import skdh.io
    except ImportError:  # pragma: no cover - optional dependency
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(skdh.io, reader)().predict(file=str(path))
    except errors as err:
        logger.info("skdh could not read %s (%s); using the %s", path, err, fallback)
        return None


def file_bytes(path: str | os.PathLike[str]) -> bytes:
    """Read a whole file (read-only), turning OS errors into :class:`InputFileError`."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "No such file", str(p))
    try:
        return p.read_bytes()
    except OSError as err:
        raise InputFileError(f"{p}: cannot read the file ({err.strerror}); check its permissions.") from err


def _channel(arr: np.ndarray, fs_hz: float, label: str, unit: str, role: str) -> Channel:
    data = np.ascontiguousarray(arr, dtype=np.float64)
    return Channel(
        label=label,
        label_original=label,
        fs_hz=float(fs_hz),
        n_samples=int(data.size),
        physical_dimension=unit,
        unit=unit,
        role=role,
        loader=lambda: data,
    )


def accel_recording(
    acc_g: np.ndarray,
    fs_hz: float,
    *,
    path: str | os.PathLike[str] | None,
    device: str,
    location: str,
    start: datetime | None,
    time_s: np.ndarray | None = None,
    gyro_dps: np.ndarray | None = None,
    extra: Mapping[str, tuple[np.ndarray, str]] | None = None,
    gaps: tuple[tuple[float, float], ...] = (),
    rec_warnings: list[str] | None = None,
    kind: str = "accel",
) -> Recording:
    """Wrap raw tri-axial acceleration (n, 3) in g as a Recording.

    Parameters
    ----------
    acc_g : ndarray, shape (n, 3)
        Acceleration in g.
    fs_hz : float
        Nominal sampling rate.
    path : path-like, optional
        Source file (hashed into ``inputs``).
    device, location : str
        Device name and wear location (``ankle``, ``wrist``, ``mattress``).
    start : datetime, optional
        Wall-clock time of the first sample.
    time_s : ndarray, optional
        Exact time of each sample in seconds from the first one (block clocks); stored as channel
        ``time_s`` when it departs from ``index / fs_hz`` by more than one sample.
    gyro_dps : ndarray, shape (n, 3), optional
        Angular velocity in degrees per second.
    extra : mapping, optional
        ``label -> (samples, unit)`` of further per-sample channels (``temperature_c``, ``light_lux``).
    gaps : tuple of (start_s, end_s)
        Stretches without data (skipped blocks or pages).
    rec_warnings : list of str, optional
        Tolerated problems found while reading.
    kind : str
        Input kind recorded in ``inputs``.

    Returns
    -------
    Recording
        Channels ``accel_x/y/z`` (g, role ``accel``), optional ``gyro_x/y/z`` (deg/s), extras, ``time_s``.
    """
    check_option("location", location, LOCATIONS)
    acc = np.asarray(acc_g, dtype=np.float64)
    if acc.ndim != 2 or acc.shape[1] != 3:
        raise InputFileError(f"{path}: expected (n, 3) acceleration, got shape {acc.shape}")
    n = acc.shape[0]
    chans: dict[str, Channel] = {}
    for i, ax in enumerate("xyz"):
        chans[f"accel_{ax}"] = _channel(acc[:, i], fs_hz, f"accel_{ax}", "g", "accel")
    if gyro_dps is not None:
        gyr = np.asarray(gyro_dps, dtype=np.float64)
        for i, ax in enumerate("xyz"):
            chans[f"gyro_{ax}"] = _channel(gyr[:, i], fs_hz, f"gyro_{ax}", "deg/s", "other")
    for label, (arr, unit) in (extra or {}).items():
        chans[label] = _channel(np.asarray(arr, dtype=np.float64), fs_hz, label, unit, "other")
    duration_s = n / fs_hz if fs_hz > 0 else 0.0
    if time_s is not None and n:
        t = np.asarray(time_s, dtype=np.float64)
        if np.abs(t - np.arange(n) / fs_hz).max() > 1.0 / fs_hz:
            chans[TIME_CHANNEL] = _channel(t, fs_hz, TIME_CHANNEL, "s", "other")
        duration_s = float(t[-1] + 1.0 / fs_hz)
    inputs = []
    if path is not None:
        inputs.append({"path": str(path), "sha256": sha256_file(path), "kind": kind, "device": device})
    return Recording(
        channels=chans,
        duration_s=duration_s,
        start=start,
        gaps=tuple(gaps),
        source=None if path is None else Path(path).name,
        inputs=inputs,
        warnings=list(rec_warnings or []),
        device=device,
        location=location,
    )


def counts_recording(
    columns: Mapping[str, np.ndarray],
    epoch_s: float,
    *,
    path: str | os.PathLike[str] | None,
    device: str,
    location: str,
    start: datetime | None,
    rec_warnings: list[str] | None = None,
) -> Recording:
    """Wrap epoch activity counts as a Recording (one channel per column, rate ``1 / epoch_s``).

    The main count series is the channel ``activity_counts`` (role ``accel``, unit ``counts``); other
    columns (``counts_axis2``, ``steps``, ``lux``, ``off_wrist``, ``sleep_wake_device``...) are role ``other``.
    """
    check_option("location", location, LOCATIONS)
    if not (epoch_s > 0):
        raise InputFileError(f"{path}: epoch length must be > 0 s, got {epoch_s}")
    fs_hz = 1.0 / epoch_s
    chans: dict[str, Channel] = {}
    n = 0
    for label, arr in columns.items():
        role = "accel" if label == "activity_counts" else "other"
        unit = "counts" if label.startswith(("activity", "counts")) else ""
        chans[label] = _channel(np.asarray(arr, dtype=np.float64), fs_hz, label, unit, role)
        n = max(n, len(arr))
    inputs = []
    if path is not None:
        inputs.append({"path": str(path), "sha256": sha256_file(path), "kind": "counts", "device": device})
    return Recording(
        channels=chans,
        duration_s=n * epoch_s,
        start=start,
        source=None if path is None else Path(path).name,
        inputs=inputs,
        warnings=list(rec_warnings or []),
        device=device,
        location=location,
    )


def sample_times_s(rec: Recording) -> np.ndarray:
    """Time of every accelerometer sample in seconds from the first (uses ``time_s`` when present)."""
    if TIME_CHANNEL in rec.channels:
        return rec.channels[TIME_CHANNEL].data
    return rec.channels["accel_x"].times_s()


def accel_array(rec: Recording) -> np.ndarray:
    """Return the (n, 3) acceleration in g of a wearable recording."""
    try:
        return np.column_stack([rec.channels[f"accel_{ax}"].data for ax in "xyz"])
    except KeyError as err:
        raise InputFileError(
            f"{rec.source or 'recording'} has no raw acceleration (channels accel_x/y/z); channels are "
            f"{list(rec.channels)}. Count exports carry only epoch counts."
        ) from err
