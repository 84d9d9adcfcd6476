"""Checks around leg-movement detection: electrode pops, digital resolution, unscorable overlap, messages.

Helpers of :mod:`twitchlab.detect.lm` (re-exported there), kept apart so that module stays about the rules.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twitchlab.model import EPOCH_S, Channel
from twitchlab.signal.quality import QualityParams

__all__ = [
    "STEP_MIN_UV",
    "STEP_RATIO",
    "compare_with_scored",
    "estimate_resolution_uv",
    "overlaps",
    "quality_messages",
    "step_artefact_uv",
]

#: Electrode-pop rule: a candidate during which the raw level leaves its pre-onset value by
#: >= max(STEP_MIN_UV, STEP_RATIO x its peak envelope) is a step artefact (see :func:`step_artefact_uv`).
STEP_MIN_UV = 150.0
STEP_RATIO = 2.0


def compare_with_scored(detected: pd.DataFrame, scored: pd.DataFrame, *, tol_s: float = 0.5) -> dict[str, Any]:
    """Say how many LMs were detected and how they agree with LMs scored in the file, if any.

    Parameters
    ----------
    detected : pandas.DataFrame
        Detected LMs (``side``, ``onset_s``, ``offset_s``).
    scored : pandas.DataFrame
        LMs scored by a person or another program (same columns); may be empty.
    tol_s : float
        Onset tolerance of a match (same leg, onsets within ``tol_s``, intervals overlapping).

    Returns
    -------
    dict
        ``detected`` (count), ``scored_in_file`` (count or ``None``), ``agreement`` (``precision``,
        ``recall``, ``f1`` of the detection against the scoring, or ``None``), ``match_rule``.
    """
    from twitchlab.detect._match import match_scores

    out: dict[str, Any] = {"detected": len(detected), "scored_in_file": None, "agreement": None}
    out["match_rule"] = f"same leg, onsets within {tol_s:g} s, intervals overlapping"
    if scored is not None and len(scored):
        out["scored_in_file"] = len(scored)
        cols = ["side", "onset_s", "offset_s"]
        s = match_scores(scored[cols].reset_index(drop=True), detected[cols].reset_index(drop=True), tol_s=tol_s)
        out["agreement"] = {k: (None if not np.isfinite(s[k]) else round(float(s[k]), 4))
                            for k in ("precision", "recall", "f1")}  # fmt: skip
    return out


def estimate_resolution_uv(x: np.ndarray, *, max_samples: int = 200_000) -> float:
    """Smallest step between distinct sample values (the digital resolution), from the first samples."""
    u = np.unique(np.asarray(x[:max_samples], dtype=np.float64))
    u = u[np.isfinite(u)]
    if u.size < 2:
        return 0.0
    return float(np.min(np.diff(u)))


def step_artefact_uv(
    x: np.ndarray, fs_hz: float, onsets_s: np.ndarray, *, pre_s: float = 0.3, span_s: float = 1.0
) -> np.ndarray:
    """Largest excursion of the raw signal's slow level after each onset, in µV.

    An electrode pop shifts the DC level by hundreds of µV in a few ms and decays over about a second;
    after the band-pass only a brief, large transient is left, which can last just over 0.5 s. Muscle
    bursts are zero-mean: 50-ms means of the raw signal barely leave the level before the onset.

    Parameters
    ----------
    x : numpy.ndarray
        Raw signal (µV).
    fs_hz : float
        Its rate.
    onsets_s : numpy.ndarray
        Candidate onsets.
    pre_s : float
        Length of the reference stretch before the onset (ending 0.1 s before it).
    span_s : float
        Stretch after the onset that is searched.

    Returns
    -------
    numpy.ndarray
        Maximum |50-ms mean - median before| per onset (µV); NaN where the windows leave the signal.
    """
    blk = max(2, round(0.05 * fs_hz))
    n_blk = max(1, round(span_s * fs_hz / blk))
    w_pre = max(4, round(pre_s * fs_hz))
    c = np.round(np.asarray(onsets_s) * fs_hz).astype(np.int64)
    before = c[:, None] - round(0.1 * fs_hz) - w_pre + np.arange(w_pre)[None, :]
    after = c[:, None] - round(0.1 * fs_hz) + np.arange(n_blk * blk)[None, :]
    ok = (before[:, 0] >= 0) & (after[:, -1] < len(x))
    out = np.full(c.size, np.nan)
    if ok.any():
        xa = np.asarray(x)
        ref = np.median(xa[before[ok]], axis=1)
        means = xa[after[ok]].reshape(int(ok.sum()), n_blk, blk).mean(axis=2)
        out[ok] = np.abs(means - ref[:, None]).max(axis=1)
    return out


def overlaps(on: np.ndarray, off: np.ndarray, bad_on: np.ndarray, bad_off: np.ndarray, margin: float) -> np.ndarray:
    """Whether each [on, off) touches one of the sorted, disjoint [bad_on, bad_off) (widened by ``margin``)."""
    if bad_on.size == 0:
        return np.zeros(on.size, dtype=bool)
    started = np.searchsorted(bad_on - margin, off, side="left")  # intervals starting before the LM ends
    ended = np.searchsorted(bad_off + margin, on, side="right")  # intervals ending before the LM starts
    return started > ended


def quality_messages(q: pd.DataFrame, ch: Channel, side: str, res: float, qp: QualityParams) -> list[str]:
    msgs = []
    where = f"channel {ch.label!r} (side {side})"
    if (q["state"] == "coarse").any():
        msgs.append(
            f"{where}: digital resolution {res:.3g} µV is coarser than {qp.max_resolution_uv:g} µV, so the "
            "2-µV offset rule cannot be applied; the leg EMG is unusable and no movements are reported for it. "
            "Re-export with a narrower physical range (e.g. ±3 mV) or more bits."
        )
        return msgs
    counts = q.loc[~q["scorable"], "state"].value_counts()
    n_ep = len(q)
    texts = {
        "gap": "has gaps (missing samples)",
        "disconnected": "looks disconnected (large mains hum, no EMG)",
        "flat": "is flat (no signal after band-pass)",
        "clipped": "is saturated (clipped at its rails)",
        "mains": "is dominated by mains hum even after the notch",
        "noisy": "has resting EMG too noisy to score",
    }
    for state, n in counts.items():
        msgs.append(
            f"{where} {texts.get(str(state), str(state))} in {n} of {n_ep} epochs ({n * EPOCH_S / 60:.1f} min); "
            "that time is unscorable and removed from the denominators."
        )
    clip_total = float(q["clipped_s"].sum())
    if clip_total > 0 and "clipped" not in counts:
        msgs.append(f"{where}: {clip_total:.1f} s of samples at the amplifier rails (saturation) in short runs.")
    return msgs
