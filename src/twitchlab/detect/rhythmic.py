"""Rhythmic movements (body rocking, head banging, rolling): ≥ 4 bursts at 0.5-2 Hz (SCORING_SPEC §5)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from twitchlab.detect._bursts import cluster_ids, trace_bursts, train_ids
from twitchlab.detect._emg import EmgTrace
from twitchlab.detect.hft_alma import trains_to_events
from twitchlab.model import Hypnogram, empty_events

__all__ = ["detect_rhythmic_movements"]

logger = logging.getLogger(__name__)


def detect_rhythmic_movements(
    traces: Sequence[EmgTrace],
    hypnogram: Hypnogram | None = None,
    *,
    rate_hz: tuple[float, float] = (0.5, 2.0),
    min_bursts: int = 4,
    min_ratio: float = 2.0,
    min_rise_uv: float = 10.0,
    merge_gap_s: float = 0.0,
    burst_s: tuple[float, float] = (0.2, 2.0),
    coincidence_s: float = 0.15,
    min_leg_channels: int = 2,
    max_interval_change: float = 0.35,
) -> pd.DataFrame:
    """Detect rhythmic movements: trains of ≥ 4 bursts at 0.5-2 Hz on any channel, ≥ 2× background.

    Bursts of all channels are clustered (onsets within ``coincidence_s``: one movement seen by several
    muscles). A cluster takes part when it involves a chin or arm channel, or at least ``min_leg_channels``
    leg channels at once: a train on one leg alone is hypnagogic foot tremor, and bursts alternating between
    the legs are ALMA (SCORING_SPEC §5), so neither is reported here. Consecutive taking-part clusters whose
    onsets are 1/``rate_hz[1]`` to 1/``rate_hz[0]`` seconds apart, at a steady interval, form a train.

    Parameters
    ----------
    traces : sequence of EmgTrace
        Conditioned EMG channels (legs, chin, arms).
    hypnogram : Hypnogram, optional
        For the ``stage`` column.
    rate_hz : tuple of float
        Movement frequency: 0.5-2 Hz (AASM manual, rhythmic movement disorder).
    min_bursts : int
        At least 4 movements to form a rhythmic cluster (AASM).
    min_ratio : float
        Burst amplitude ≥ 2× the background EMG (AASM).
    min_rise_uv : float
        Absolute floor above the resting level (µV; our choice).
    merge_gap_s : float
        Dips shorter than this inside one movement are bridged (our choice).
    burst_s : tuple of float
        Duration range of one movement (our choice: shorter is a potential, longer cannot repeat at 0.5 Hz).
    coincidence_s : float
        Onset spread of one movement across channels.
    min_leg_channels : int
        Leg channels needed when no chin or arm channel is involved.
    max_interval_change : float
        "Rhythmic": each interval is within this fraction of a neighbouring interval (our choice; random
        phasic bursts are not rhythmic even when their rate falls in the band).

    Returns
    -------
    pandas.DataFrame
        Events of type ``rhythmic_movement`` with ``n_bursts``, ``rate_hz`` and ``channels``
        (``side`` ``B`` when several channels).

    References
    ----------
    .. [1] American Academy of Sleep Medicine. The AASM Manual for the Scoring of Sleep and Associated Events:
       rhythmic movement disorder (0.5-2.0 Hz, ≥ 4 movements, amplitude ≥ 2× background).
    """
    frames = [trace_bursts(t, min_ratio=min_ratio, min_rise_uv=min_rise_uv, merge_gap_s=merge_gap_s) for t in traces]
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_events()
    b = pd.concat(frames, ignore_index=True).sort_values("onset_s", kind="stable").reset_index(drop=True)
    b["cluster"] = cluster_ids(b["onset_s"].to_numpy(), tol_s=coincidence_s)
    b["is_leg"] = (b["group"] == "leg").to_numpy(np.int64)
    g = b.groupby("cluster", sort=True)
    legs, n = g["is_leg"].sum().to_numpy(), g.size().to_numpy()
    c = pd.DataFrame(
        {
            "onset_s": g["onset_s"].min(),
            "offset_s": g["offset_s"].max(),
            "peak_amp_uv": g["peak_amp_uv"].max(),
        }
    )
    dur = (c["offset_s"] - c["onset_s"]).to_numpy()
    part = ((n > legs) | (legs >= min_leg_channels)) & (dur >= burst_s[0]) & (dur <= burst_s[1])
    if part.sum() < min_bursts:
        return empty_events()
    # labels only for the clusters that take part (string work per cluster is the slow part)
    kept = b[np.isin(b["cluster"].to_numpy(), c.index.to_numpy()[part])].groupby("cluster", sort=True)
    c = c[part].copy()
    c["channel"] = kept["channel"].agg(lambda s: ",".join(dict.fromkeys(s)))
    c["side"] = kept["side"].agg(lambda s: s.iloc[0] if len(s) == 1 else "B")
    c = c.reset_index(drop=True)
    on = c["onset_s"].to_numpy(float)
    dt = np.diff(on)
    ok = (dt >= 1.0 / rate_hz[1]) & (dt <= 1.0 / rate_hz[0])
    similar = np.abs(np.diff(dt)) <= max_interval_change * np.minimum(dt[:-1], dt[1:])
    link = ok & (np.concatenate(([False], similar)) | np.concatenate((similar, [False])))
    ev = trains_to_events(c, train_ids(on, link, min_bursts=min_bursts), "rhythmic_movement", hypnogram)
    if len(ev):
        # channels of the train: union of the clusters' channels
        ev["channels"] = ev["channels"].map(lambda s: ",".join(sorted(set(s.split(",")))))
    return ev
