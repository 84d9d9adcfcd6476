"""Association of leg movements with respiratory events and arousals (WASM 2016 and AASM windows)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twitchlab.score.intervals import EPS_S, overlaps_any

__all__ = ["arousal_associated", "resp_excluded_aasm", "resp_related_wasm2016"]


def _bounds(events: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    if events is None or len(events) == 0:
        return np.empty(0), np.empty(0)
    on = events["onset_s"].to_numpy(float)
    off = events["offset_s"].to_numpy(float) if "offset_s" in events else on
    return on, np.where(np.isfinite(off), off, on)


def resp_related_wasm2016(
    onset_s: np.ndarray,
    offset_s: np.ndarray,
    resp: pd.DataFrame | None,
    *,
    before_s: float = 2.0,
    after_s: float = 10.25,
) -> np.ndarray:
    """Flag LMs related to respiration by the WASM 2016 window.

    An LM any part of which lies from ``before_s`` before to ``after_s`` after the END of an apnea,
    hypopnea or RERA is respiratory-related (window edges included).

    Parameters
    ----------
    onset_s, offset_s : array of float
        Movements.
    resp : DataFrame, optional
        Respiratory events with ``onset_s``, ``offset_s``.
    before_s, after_s : float
        Window around the event end (2.0 s, 10.25 s).

    Returns
    -------
    array of bool

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    """
    _, end = _bounds(resp)
    return overlaps_any(onset_s, offset_s, end - before_s - EPS_S, end + after_s + EPS_S, closed=True)


def resp_excluded_aasm(
    onset_s: np.ndarray,
    offset_s: np.ndarray,
    resp: pd.DataFrame | None,
    *,
    margin_s: float = 0.5,
    match: str = "overlap",
) -> np.ndarray:
    """Flag LMs that the AASM respiratory rule leaves unscored.

    An LM from ``margin_s`` before the start to ``margin_s`` after the end of an apnea, hypopnea or RERA
    is not scored (window edges included).

    ``match="overlap"``: any part of the LM in the window; ``"onset"``: its onset in the window.

    References
    ----------
    Berry RB, et al. The AASM Manual for the Scoring of Sleep and Associated Events, v2.6, 2020.
    """
    r_on, r_off = _bounds(resp)
    on = np.asarray(onset_s, dtype=float)
    off = on if match == "onset" else np.asarray(offset_s, dtype=float)
    return overlaps_any(on, off, r_on - margin_s - EPS_S, r_off + margin_s + EPS_S, closed=True)


def arousal_associated(
    onset_s: np.ndarray, offset_s: np.ndarray, arousals: pd.DataFrame | None, *, gap_s: float = 0.5
) -> np.ndarray:
    """Flag LMs associated with an arousal.

    An LM and an arousal are associated when they overlap or the gap between the end of one and the
    start of the other is below ``gap_s``, whichever comes first (WASM 2016; AASM).

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    """
    a_on, a_off = _bounds(arousals)
    on = np.asarray(onset_s, dtype=float)
    off = np.asarray(offset_s, dtype=float)
    g = gap_s - EPS_S
    return overlaps_any(on - g, off + g, a_on, a_off, closed=False)
