"""Sleep starts (hypnic jerks): brief, large bursts on several channels at sleep onset (SCORING_SPEC §5)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from twitchlab.detect._bursts import cluster_ids, stage_of, trace_bursts
from twitchlab.detect._emg import EmgTrace
from twitchlab.model import Hypnogram, empty_events, make_events

__all__ = ["detect_hypnic_jerks", "sleep_onset_windows"]

logger = logging.getLogger(__name__)


def sleep_onset_windows(
    hypnogram: Hypnogram, *, before_s: float = 30.0, after_s: float = 180.0, to_stages: Sequence[int] = (1,)
) -> np.ndarray:
    """Time windows (n, 2) around every wake-to-sleep transition: ``before_s`` before to ``after_s`` after.

    Parameters
    ----------
    hypnogram : Hypnogram
        30-s stages.
    before_s, after_s : float
        Window around the first sleep epoch after wake.
    to_stages : sequence of int
        Stage codes that count as falling asleep (default N1, as SCORING_SPEC §5 says "wake-to-N1").

    Returns
    -------
    numpy.ndarray
        Windows in seconds from recording start.
    """
    st = hypnogram.stages
    k = np.flatnonzero((st[:-1] == 0) & np.isin(st[1:], list(to_stages))) + 1
    t = hypnogram.start_s + k * hypnogram.epoch_s
    return np.column_stack([t - before_s, t + after_s]) if k.size else np.zeros((0, 2))


def detect_hypnic_jerks(
    traces: Sequence[EmgTrace],
    hypnogram: Hypnogram,
    *,
    max_duration_s: float = 0.5,
    min_ratio: float = 8.0,
    min_rise_uv: float = 20.0,
    min_channels: int = 2,
    coincidence_s: float = 0.15,
    isolation_s: float = 3.0,
    before_s: float = 30.0,
    after_s: float = 180.0,
) -> pd.DataFrame:
    """Detect sleep starts: brief high-amplitude bursts on several channels at once, at sleep onset.

    A sleep start is a cluster of bursts, each shorter than ``max_duration_s``, starting within
    ``coincidence_s`` of each other on at least ``min_channels`` channels, from ``before_s`` before to
    ``after_s`` after a wake-to-N1 transition, with no other burst on any channel within ``isolation_s``
    (a rhythmic train or foot tremor is not a sleep start). Isolated jerks at other times are not reported
    here (they are fragmentary myoclonus or REM twitches, by their length and stage).

    Parameters
    ----------
    traces : sequence of EmgTrace
        Conditioned EMG channels (legs, chin, arms).
    hypnogram : Hypnogram
        30-s stages (needed to find sleep onsets).
    max_duration_s : float
        Longest burst of a sleep start: < 0.5 s (SCORING_SPEC §5; ICSD-3 describes brief jerks). A burst of
        0.5 s or more on a leg is a leg movement instead (WASM 2016 minimum LM duration).
    min_ratio : float
        "High amplitude": the envelope peak reaches this multiple of the resting level (our choice; ICSD-3
        gives no number).
    min_rise_uv : float
        And rises at least this much above the resting level (µV).
    min_channels : int
        Channels involved (SCORING_SPEC §5: "usually on several channels").
    coincidence_s : float
        Maximum onset spread across channels (SCORING_SPEC §5: "within ~0.1 s"; we allow 0.15 s because each
        onset measured on a 50-ms envelope is uncertain by a few tens of ms).
    isolation_s : float
        No other burst on any channel within this time before or after.
    before_s, after_s : float
        Window around each wake-to-N1 transition ("at a wake-to-N1 transition or in the first minutes of N1").

    Returns
    -------
    pandas.DataFrame
        Events table rows of type ``hypnic_jerk``: ``onset_s`` (first onset), ``offset_s`` (last offset),
        ``side`` (``B`` when both legs are involved, else the one leg or None), ``peak_amp_uv``, ``stage``,
        and the extra column ``channels`` (comma-joined labels).

    References
    ----------
    .. [1] American Academy of Sleep Medicine. International Classification of Sleep Disorders, 3rd ed.
       (ICSD-3): sleep starts (hypnic jerks).
    .. [2] Ferri R et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
       Sleep Med 2016;21:86-95 (LM duration ≥ 0.5 s).
    """
    wins = sleep_onset_windows(hypnogram, before_s=before_s, after_s=after_s)
    frames = [trace_bursts(t, min_ratio=min_ratio, min_rise_uv=min_rise_uv) for t in traces]
    frames = [f for f in frames if len(f)]
    if not frames or not len(wins):
        return empty_events()
    b = pd.concat(frames, ignore_index=True).sort_values("onset_s", kind="stable").reset_index(drop=True)
    b["cluster"] = cluster_ids(b["onset_s"].to_numpy(), tol_s=coincidence_s)
    g = b.groupby("cluster", sort=True)
    c = pd.DataFrame(
        {
            "onset_s": g["onset_s"].min(),
            "offset_s": g["offset_s"].max(),
            "longest_s": g["duration_s"].max(),
            "n_channels": g["channel"].nunique(),
            "peak_amp_uv": g["peak_amp_uv"].max(),
        }
    )
    on, off = c["onset_s"].to_numpy(), c["offset_s"].to_numpy()
    gap_before = np.concatenate(([np.inf], on[1:] - off[:-1]))
    gap_after = np.concatenate((on[1:] - off[:-1], [np.inf]))
    k = np.searchsorted(wins[:, 0], on, side="right") - 1
    in_win = (k >= 0) & (on <= wins[np.clip(k, 0, None), 1])
    keep = (
        (c["longest_s"].to_numpy() < max_duration_s)
        & (c["n_channels"].to_numpy() >= min_channels)
        & (gap_before >= isolation_s)
        & (gap_after >= isolation_s)
        & in_win
    )
    c = c[keep].copy()
    if not len(c):
        return empty_events()
    members = b[np.isin(b["cluster"].to_numpy(), c.index.to_numpy())].groupby("cluster", sort=True)
    c["channels"] = members["channel"].agg(lambda s: ",".join(dict.fromkeys(s)))
    c["legs"] = members["side"].agg(lambda s: "".join(sorted({x for x in s if x in ("L", "R", "B")})))
    side = c["legs"].map(lambda s: "B" if s in ("LR", "B") else (s or None))
    return make_events(
        pd.DataFrame(
            {
                "type": "hypnic_jerk",
                "onset_s": c["onset_s"].to_numpy(),
                "offset_s": c["offset_s"].to_numpy(),
                "side": side.to_numpy(),
                "peak_amp_uv": c["peak_amp_uv"].to_numpy(),
                "stage": stage_of(hypnogram, c["onset_s"].to_numpy()),
                "source": "emg",
                "channels": c["channels"].to_numpy(),
            }
        )
    )
