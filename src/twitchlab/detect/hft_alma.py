"""Hypnagogic foot tremor (HFT) and alternating leg muscle activation (ALMA) trains (SCORING_SPEC §5)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from twitchlab.detect._bursts import overlaps_any, stage_of, trace_bursts, train_ids
from twitchlab.detect._emg import EmgTrace
from twitchlab.model import Hypnogram, empty_events, make_events

__all__ = ["detect_alma", "detect_foot_tremor", "leg_bursts", "trains_to_events"]

logger = logging.getLogger(__name__)


def leg_bursts(traces: Sequence[EmgTrace], *, min_ratio: float, min_rise_uv: float) -> pd.DataFrame:
    """All bursts of the left and right leg channels, sorted by onset (one both-legs channel is ignored)."""
    frames = [
        trace_bursts(t, min_ratio=min_ratio, min_rise_uv=min_rise_uv)
        for t in traces
        if t.group == "leg" and t.side in ("L", "R")
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["channel", "side", "onset_s", "offset_s", "duration_s", "peak_amp_uv"])
    return pd.concat(frames, ignore_index=True).sort_values("onset_s", kind="stable").reset_index(drop=True)


def trains_to_events(b: pd.DataFrame, ids: np.ndarray, kind: str, hypnogram: Hypnogram | None) -> pd.DataFrame:
    """One event per train: onset of its first burst to offset of its last, ``n_bursts`` and ``rate_hz``.

    ``rate_hz`` is (bursts - 1) / (last onset - first onset): bursts per second along the train.
    """
    m = ids >= 0
    if not m.any():
        return empty_events()
    t = b[m].assign(train=ids[m])
    g = t.groupby("train", sort=True)
    first, last, n = g["onset_s"].min(), g["onset_s"].max(), g.size()
    sides = g["side"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else "B")
    return make_events(
        pd.DataFrame(
            {
                "type": kind,
                "onset_s": first.to_numpy(),
                "offset_s": g["offset_s"].max().to_numpy(),
                "side": sides.to_numpy(),
                "peak_amp_uv": g["peak_amp_uv"].max().to_numpy(),
                "stage": stage_of(hypnogram, first.to_numpy()),
                "source": "emg",
                "channels": g["channel"].agg(lambda s: ",".join(sorted(set(s)))).to_numpy(),
                "n_bursts": n.to_numpy().astype("int64"),
                "rate_hz": ((n - 1) / (last - first).where(last > first)).to_numpy(),
            }
        )
    )


def detect_alma(
    traces: Sequence[EmgTrace],
    hypnogram: Hypnogram | None = None,
    *,
    burst_s: tuple[float, float] = (0.1, 0.5),
    rate_hz: tuple[float, float] = (0.5, 3.0),
    min_bursts: int = 4,
    min_ratio: float = 4.0,
    min_rise_uv: float = 5.0,
) -> pd.DataFrame:
    """Detect ALMA: ≥ ``min_bursts`` brief bursts alternating between the legs at 0.5-3 Hz.

    Bursts of both legs are put in one time-ordered list; two consecutive bursts belong to one train when
    they are on different legs, both last ``burst_s``, and their onsets are 1/``rate_hz[1]`` to
    1/``rate_hz[0]`` seconds apart.

    Parameters
    ----------
    traces : sequence of EmgTrace
        Conditioned channels; the left and right leg are used.
    hypnogram : Hypnogram, optional
        For the ``stage`` column.
    burst_s : tuple of float
        Burst duration range: 100-500 ms (AASM manual, ALMA).
    rate_hz : tuple of float
        Frequency of the alternating bursts: 0.5-3.0 Hz (AASM).
    min_bursts : int
        At least 4 discrete alternating activations (AASM).
    min_ratio, min_rise_uv : float
        Burst amplitude over the resting level (our choice; the rule gives none).

    Returns
    -------
    pandas.DataFrame
        Events of type ``alma`` (``side`` ``B``) with ``n_bursts``, ``rate_hz`` and ``channels``.

    References
    ----------
    .. [1] American Academy of Sleep Medicine. The AASM Manual for the Scoring of Sleep and Associated Events:
       alternating leg muscle activation.
    .. [2] Chervin RD et al. Alternating leg muscle activation during sleep and arousals: a new sleep-related
       motor phenomenon? Mov Disord 2003;18:551-559.
    """
    b = leg_bursts(traces, min_ratio=min_ratio, min_rise_uv=min_rise_uv)
    if len(b) < min_bursts:
        return empty_events()
    return trains_to_events(b, _alma_ids(b, burst_s, rate_hz, min_bursts), "alma", hypnogram)


def _alma_ids(
    b: pd.DataFrame, burst_s: tuple[float, float], rate_hz: tuple[float, float], min_bursts: int
) -> np.ndarray:
    on = b["onset_s"].to_numpy(float)
    d = b["duration_s"].to_numpy(float)
    side = b["side"].to_numpy()
    ok = (d >= burst_s[0]) & (d <= burst_s[1])
    dt = np.diff(on)
    link = ok[:-1] & ok[1:] & (side[:-1] != side[1:]) & (dt >= 1.0 / rate_hz[1]) & (dt <= 1.0 / rate_hz[0])
    return train_ids(on, link, min_bursts=min_bursts)


def detect_foot_tremor(
    traces: Sequence[EmgTrace],
    hypnogram: Hypnogram | None = None,
    *,
    burst_s: tuple[float, float] = (0.25, 1.0),
    rate_hz: tuple[float, float] = (0.3, 4.0),
    min_bursts: int = 4,
    min_ratio: float = 4.0,
    min_rise_uv: float = 5.0,
    alma_burst_s: tuple[float, float] = (0.1, 0.5),
    alma_rate_hz: tuple[float, float] = (0.5, 3.0),
) -> pd.DataFrame:
    """Detect hypnagogic foot tremor: ≥ 4 bursts of 250-1000 ms at 0.3-4 Hz on one leg.

    Per leg, consecutive bursts belong to one train when both last ``burst_s`` and their onsets are
    1/``rate_hz[1]`` to 1/``rate_hz[0]`` seconds apart; a burst of another length (a leg movement longer than
    1 s) breaks the train, so a train of leg movements (one every 10-90 s) is never foot tremor. Bursts that
    overlap a burst on the other leg (a bilateral or rhythmic movement) and bursts of an ALMA train are left
    out first.

    Parameters
    ----------
    traces : sequence of EmgTrace
        Conditioned channels; left and right leg are used.
    hypnogram : Hypnogram, optional
        For the ``stage`` column.
    burst_s : tuple of float
        Burst duration: 250-1000 ms (AASM manual, HFT).
    rate_hz : tuple of float
        Burst frequency: 0.3-4.0 Hz (AASM).
    min_bursts : int
        At least 4 bursts (AASM).
    min_ratio, min_rise_uv : float
        Burst amplitude over the resting level (our choice; the rule gives none).
    alma_burst_s, alma_rate_hz : tuple of float
        ALMA rule used to set ALMA bursts aside (see :func:`detect_alma`).

    Returns
    -------
    pandas.DataFrame
        Events of type ``hypnagogic_foot_tremor`` with ``side`` (L/R), ``n_bursts``, ``rate_hz``, ``channels``.

    References
    ----------
    .. [1] American Academy of Sleep Medicine. The AASM Manual for the Scoring of Sleep and Associated Events:
       hypnagogic foot tremor.
    .. [2] Wichniak A et al. Hypnagogic foot tremor: a rhythmic movement disorder of the feet? Sleep
       Med 2001;2:149-154.
    """
    b = leg_bursts(traces, min_ratio=min_ratio, min_rise_uv=min_rise_uv)
    if len(b) < min_bursts:
        return empty_events()
    in_alma = _alma_ids(b, alma_burst_s, alma_rate_hz, min_bursts) >= 0
    on, off, side = b["onset_s"].to_numpy(float), b["offset_s"].to_numpy(float), b["side"].to_numpy()
    bilateral = np.zeros(len(b), dtype=bool)
    for s, other in (("L", "R"), ("R", "L")):
        mine, theirs = side == s, side == other
        iv = np.column_stack([on[theirs], off[theirs]])
        bilateral[mine] = overlaps_any(on[mine], off[mine], iv)
    b = b[~in_alma & ~bilateral].reset_index(drop=True)
    out = []
    for s in ("L", "R"):
        leg = b[b["side"] == s].reset_index(drop=True)
        if len(leg) < min_bursts:
            continue
        lon, d = leg["onset_s"].to_numpy(float), leg["duration_s"].to_numpy(float)
        ok = (d >= burst_s[0]) & (d <= burst_s[1])
        dt = np.diff(lon)
        link = ok[:-1] & ok[1:] & (dt >= 1.0 / rate_hz[1]) & (dt <= 1.0 / rate_hz[0])
        ev = trains_to_events(leg, train_ids(lon, link, min_bursts=min_bursts), "hypnagogic_foot_tremor", hypnogram)
        if len(ev):
            out.append(ev)
    return make_events(pd.concat(out, ignore_index=True)) if out else empty_events()
