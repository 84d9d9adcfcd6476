"""Fragmentary myoclonus: very brief EMG potentials, and whether they are excessive (SCORING_SPEC §5)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from twitchlab.detect._bursts import cluster_ids, in_stages, stage_of, trace_bursts
from twitchlab.detect._emg import EmgTrace
from twitchlab.model import Hypnogram, empty_events, make_events

__all__ = ["NREM", "detect_fragmentary_myoclonus", "efm_summary"]

logger = logging.getLogger(__name__)

NREM = ("N1", "N2", "N3")


def detect_fragmentary_myoclonus(
    traces: Sequence[EmgTrace],
    hypnogram: Hypnogram | None,
    *,
    max_duration_s: float = 0.15,
    min_ratio: float = 4.0,
    min_rise_uv: float = 5.0,
    coincidence_s: float = 0.05,
    isolation_s: float = 0.3,
    stages: Sequence[str] = NREM,
) -> pd.DataFrame:
    """Detect fragmentary myoclonus potentials across all EMG channels.

    A potential is a burst whose core lasts at most ``max_duration_s`` and whose envelope reaches
    ``min_ratio`` × the resting level, with no other burst on that channel within ``isolation_s`` (a burst
    inside a train or next to a movement is not an isolated potential). Potentials starting within
    ``coincidence_s`` of each other on different channels count once.

    Parameters
    ----------
    traces : sequence of EmgTrace
        Conditioned EMG channels.
    hypnogram : Hypnogram, optional
        Stages; without it no potential can be placed in a stage and none is reported.
    max_duration_s : float
        Longest potential: 150 ms (AASM manual, excessive fragmentary myoclonus).
    min_ratio : float
        Amplitude as a multiple of the resting EMG. The AASM rule gives no amplitude; we use the 4× background
        of the AASM phasic-burst definition.
    min_rise_uv : float
        Absolute floor above the resting level (µV).
    coincidence_s : float
        Potentials on two channels within this time count once (SCORING_SPEC §5).
    isolation_s : float
        Minimum quiet on the same channel before and after.
    stages : sequence of str
        Stages where potentials are counted (default NREM, where the AASM excessive-FM rule applies;
        in REM, short bursts are REM twitches).

    Returns
    -------
    pandas.DataFrame
        Events of type ``fragmentary_myoclonus`` with ``side`` (the leg or arm side when on one channel),
        ``peak_amp_uv``, ``stage`` and ``channels``.

    References
    ----------
    .. [1] American Academy of Sleep Medicine. The AASM Manual for the Scoring of Sleep and Associated Events:
       movement rules, excessive fragmentary myoclonus (potentials ≤ 150 ms, ≥ 5/min, ≥ 20 min of NREM).
    """
    frames = []
    for t in traces:
        b = trace_bursts(t, min_ratio=min_ratio, min_rise_uv=min_rise_uv)
        if not len(b):
            continue
        on, off = b["onset_s"].to_numpy(), b["offset_s"].to_numpy()
        quiet_before = np.concatenate(([np.inf], on[1:] - off[:-1])) >= isolation_s
        quiet_after = np.concatenate((on[1:] - off[:-1], [np.inf])) >= isolation_s
        frames.append(b[(b["duration_s"].to_numpy() <= max_duration_s) & quiet_before & quiet_after])
    frames = [f for f in frames if len(f)]
    if not frames or hypnogram is None:
        return empty_events()
    b = pd.concat(frames, ignore_index=True).sort_values("onset_s", kind="stable").reset_index(drop=True)
    b = b[in_stages(hypnogram, b["onset_s"].to_numpy(), stages)].reset_index(drop=True)
    if not len(b):
        return empty_events()
    b["cluster"] = cluster_ids(b["onset_s"].to_numpy(), tol_s=coincidence_s)
    g = b.groupby("cluster", sort=True)
    sides = g["side"].agg(lambda s: s.iloc[0] if s.nunique(dropna=False) == 1 else None)
    on = g["onset_s"].min().to_numpy()
    return make_events(
        pd.DataFrame(
            {
                "type": "fragmentary_myoclonus",
                "onset_s": on,
                "offset_s": g["offset_s"].max().to_numpy(),
                "side": sides.to_numpy(),
                "peak_amp_uv": g["peak_amp_uv"].max().to_numpy(),
                "stage": stage_of(hypnogram, on),
                "source": "emg",
                "channels": g["channel"].agg(lambda s: ",".join(dict.fromkeys(s))).to_numpy(),
            }
        )
    )


def efm_summary(
    events: pd.DataFrame,
    hypnogram: Hypnogram | None,
    *,
    min_per_min: float = 5.0,
    min_minutes: float = 20.0,
    consecutive: bool = False,
    stages: Sequence[str] = NREM,
) -> dict[str, Any]:
    """Count fragmentary myoclonus per minute of NREM sleep and decide whether it is excessive (EFM).

    Each minute of the hypnogram (two per 30-s epoch pair, aligned to the hypnogram start) that lies entirely
    in NREM is a minute of NREM sleep. EFM is present when at least ``min_minutes`` such minutes hold
    ``min_per_min`` potentials or more.

    Parameters
    ----------
    events : DataFrame
        Events table; rows of type ``fragmentary_myoclonus`` are counted.
    hypnogram : Hypnogram, optional
        Stages; without it every value is ``None``.
    min_per_min : float
        Potentials per minute (AASM: at least 5).
    min_minutes : float
        Minutes of NREM sleep with that rate (AASM: at least 20).
    consecutive : bool
        ``False`` (default, the AASM wording: at least 20 minutes of NREM sleep with EFM, in total) or ``True``
        (the minutes must form one unbroken run of NREM minutes).
    stages : sequence of str
        Stages counted as NREM.

    Returns
    -------
    dict
        ``fragmentary_myoclonus_count`` (all stages), ``fragmentary_myoclonus_per_min_nrem`` (None without
        NREM), ``efm_present`` (None without NREM) and ``efm_minutes`` (minutes at or above the rate).

    References
    ----------
    .. [1] American Academy of Sleep Medicine. The AASM Manual for the Scoring of Sleep and Associated Events:
       excessive fragmentary myoclonus.
    """
    fm = events[events["type"] == "fragmentary_myoclonus"] if len(events) else events
    out: dict[str, Any] = {
        "fragmentary_myoclonus_count": len(fm),
        "fragmentary_myoclonus_per_min_nrem": None,
        "efm_present": None,
        "efm_minutes": None,
    }
    if hypnogram is None:
        out["fragmentary_myoclonus_count"] = None
        return out
    per_min = max(1, round(60.0 / hypnogram.epoch_s))
    n_min = hypnogram.n_epochs // per_min
    if n_min == 0:
        return out
    st = hypnogram.stages[: n_min * per_min].reshape(n_min, per_min)
    codes = [c for c, lab in ((1, "N1"), (2, "N2"), (3, "N3")) if lab in stages]
    nrem_min = np.isin(st, codes).all(axis=1)
    if not nrem_min.any():
        return out
    idx = np.floor((fm["onset_s"].to_numpy(float) - hypnogram.start_s) / 60.0).astype(np.int64)
    idx = idx[(idx >= 0) & (idx < n_min)]
    counts = np.bincount(idx, minlength=n_min)
    nrem_count = int(counts[nrem_min].sum())
    out["fragmentary_myoclonus_per_min_nrem"] = nrem_count / float(nrem_min.sum())
    hot = nrem_min & (counts >= min_per_min)
    if consecutive:
        d = np.diff(np.concatenate(([0], hot.astype(np.int8), [0])))
        longest = int(np.max(np.flatnonzero(d == -1) - np.flatnonzero(d == 1))) if hot.any() else 0
        minutes = float(longest)
    else:
        minutes = float(hot.sum())
    out["efm_minutes"] = minutes
    out["efm_present"] = bool(minutes >= min_minutes)
    return out
