"""Recordings from objects users already have: an ``mne.io.Raw``, or arrays in the YASA convention."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from twitchlab.errors import ParameterError
from twitchlab.io.aliases import assign_roles
from twitchlab.io.annotations import build_annotations
from twitchlab.model import Channel, Recording

if TYPE_CHECKING:  # pragma: no cover
    import mne

__all__ = ["from_array", "from_mne"]

logger = logging.getLogger(__name__)

_MNE_TYPE_ROLE = {"eeg": "eeg", "eog": "eog", "ecg": "ecg", "emg": "other", "resp": "resp_flow", "bio": "other"}


def from_array(
    data: np.ndarray | Sequence[np.ndarray],
    fs_hz: float | Sequence[float],
    ch_names: Sequence[str],
    *,
    start: datetime | None = None,
    channel_map: Mapping[str, str] | None = None,
    units: Sequence[str] | None = None,
    source: str | None = None,
) -> Recording:
    """Build a recording from arrays in µV (the YASA convention: ``data``, ``sf``, ``ch_names``).

    Parameters
    ----------
    data : array (n_channels, n_samples) or sequence of 1-D arrays
        Samples in µV (or in ``units``). A sequence allows different lengths per channel.
    fs_hz : float or sequence of float
        One rate for all channels, or one per channel.
    ch_names : sequence of str
        Unique channel labels; roles come from the alias table.
    start : datetime, optional
        Wall-clock time of the first sample.
    channel_map : mapping, optional
        Role overrides (``{"left": NAME, ...}``).
    units : sequence of str, optional
        Unit of each channel (default ``"uV"``).
    source : str, optional
        Name for messages.

    Returns
    -------
    Recording
        Channels hold the arrays (no copy when already float64).

    Raises
    ------
    ParameterError
        Mismatched numbers of channels, names or rates; duplicate names; non-positive rates.
    """
    arrays = list(data) if not isinstance(data, np.ndarray) or data.ndim != 1 else [data]
    if isinstance(data, np.ndarray) and data.ndim not in (1, 2):
        raise ParameterError(f"data must be 1-D or (n_channels, n_samples), got shape {data.shape}")
    names = [str(n) for n in ch_names]
    rates = [float(fs_hz)] * len(arrays) if np.isscalar(fs_hz) else [float(f) for f in fs_hz]  # type: ignore[arg-type]
    unit_list = list(units) if units is not None else ["uV"] * len(arrays)
    if not (len(arrays) == len(names) == len(rates) == len(unit_list)):
        raise ParameterError(
            f"from_array: {len(arrays)} channel(s) of data but {len(names)} name(s), {len(rates)} rate(s) and "
            f"{len(unit_list)} unit(s); give one of each per channel."
        )
    if len(set(names)) != len(names):
        dups = sorted({n for n in names if names.count(n) > 1})
        raise ParameterError(f"from_array: channel names must be unique; duplicated: {dups}")
    problems: list[str] = []
    roles = assign_roles(names, unit_list, channel_map=channel_map, source=source, problems=problems)
    chans = {
        n: Channel.from_array(np.asarray(a, dtype=np.float64), f, n, unit=u, role=r)
        for a, f, n, u, r in zip(arrays, rates, names, unit_list, roles, strict=True)
    }
    duration = max((c.duration_s for c in chans.values()), default=0.0)
    return Recording(channels=chans, duration_s=duration, start=start, source=source or "array", warnings=problems)


def from_mne(raw: mne.io.BaseRaw, *, channel_map: Mapping[str, str] | None = None) -> Recording:
    """Wrap an :class:`mne.io.Raw`; MNE keeps volts, twitchlab converts voltage channels to µV.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        Preloaded or not (samples are fetched per channel on first use).
    channel_map : mapping, optional
        Role overrides.

    Returns
    -------
    Recording
        Channels with roles from the alias table (falling back on MNE's channel types), MNE annotations as
        canonical events (onsets from the first sample), start from ``meas_date``.
    """
    from mne.io.constants import FIFF

    names = list(raw.ch_names)
    fs = float(raw.info["sfreq"])
    types = raw.get_channel_types()
    is_volt = [ch["unit"] == FIFF.FIFF_UNIT_V for ch in raw.info["chs"]]
    units = ["uV" if v else "" for v in is_volt]
    problems: list[str] = []
    roles = assign_roles(names, units, channel_map=channel_map, source="mne.io.Raw", problems=problems)
    roles = [
        _MNE_TYPE_ROLE.get(t, "other") if (r == "other" and not channel_map) else r
        for r, t in zip(roles, types, strict=True)
    ]
    chans: dict[str, Channel] = {}
    for i, (name, role, volt) in enumerate(zip(names, roles, is_volt, strict=True)):
        factor = 1e6 if volt else 1.0

        def load(i: int = i, factor: float = factor) -> np.ndarray:
            return raw.get_data(picks=[i])[0] * factor

        chans[name] = Channel(
            label=name,
            label_original=name,
            fs_hz=fs,
            n_samples=int(raw.n_times),
            physical_dimension="V" if volt else "",
            unit="uV" if volt else "",
            role=role,
            loader=load,
        )
    meas: Any = raw.info.get("meas_date")
    start = meas + timedelta(seconds=float(raw.first_time)) if meas is not None else None
    ann = raw.annotations
    first = float(raw.first_time) if ann.orig_time is not None else 0.0
    events = build_annotations(
        np.asarray(ann.onset, dtype=float) - first,
        [d if d > 0 else None for d in np.asarray(ann.duration, dtype=float)],
        [str(d) for d in ann.description],
        source="mne.io.Raw",
        kind="mne",
    )
    return Recording(
        channels=chans,
        duration_s=float(raw.n_times) / fs,
        start=start,
        events=events.events,
        hypnogram=events.hypnogram,
        source=str(raw.filenames[0]) if getattr(raw, "filenames", None) and raw.filenames[0] else "mne.io.Raw",
        warnings=problems + events.warnings,
    )
