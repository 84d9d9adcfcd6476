"""Long contractions: sustained leg EMG activity > 10 s (candidate cramp or spasm; SCORING_SPEC §5)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from twitchlab.detect._bursts import find_bursts, overlaps_any, stage_of
from twitchlab.detect._emg import EmgTrace
from twitchlab.model import Hypnogram, empty_events, make_events

__all__ = ["detect_long_contractions", "long_contractions_from_lms"]

logger = logging.getLogger(__name__)


def detect_long_contractions(
    traces: Sequence[EmgTrace],
    hypnogram: Hypnogram | None = None,
    *,
    min_duration_s: float = 10.0,
    onset_uv: float = 8.0,
    offset_uv: float = 2.0,
    offset_quiet_s: float = 0.5,
    min_active_fraction: float = 0.8,
) -> pd.DataFrame:
    """Detect sustained activity longer than ``min_duration_s`` on each leg, with the leg-movement thresholds.

    Activity starts when the envelope rises ``onset_uv`` above the resting level and ends at the start of
    ``offset_quiet_s`` below ``offset_uv`` above it (the LM rule of SCORING_SPEC §2); an activity longer than
    ``min_duration_s`` is a long contraction. It is still a leg movement, not a candidate for periodic scoring.

    Parameters
    ----------
    traces : sequence of EmgTrace
        Conditioned channels; leg channels are used (a both-legs channel gives side ``B``).
    hypnogram : Hypnogram, optional
        For the ``stage`` column.
    min_duration_s : float
        Strictly longer than 10 s (SCORING_SPEC §5; WASM 2016: LMs > 10 s are not CLMs).
    onset_uv, offset_uv, offset_quiet_s : float
        LM onset and offset rule (AASM; WASM 2016: 8 µV and 2 µV above resting EMG, 0.5 s).
    min_active_fraction : float
        "Sustained": share of the activity's length with the envelope above the offset level (our choice;
        a rhythmic train whose bursts are joined by the 0.5-s offset rule is not a sustained contraction).

    Returns
    -------
    pandas.DataFrame
        Events of type ``long_contraction``: ``side``, ``peak_amp_uv``, ``stage``, ``channels``.

    References
    ----------
    .. [1] Ferri R et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
       Sleep Med 2016;21:86-95.
    """
    rows = []
    for t in traces:
        if t.group != "leg":
            continue
        base = np.asarray(t.baseline_uv)
        # envelope sits on a core at half its peak; use the run bounds for the LM rule instead
        b = find_bursts(
            t.env_uv, t.env_fs_hz, on_uv=base + onset_uv, off_uv=base + offset_uv, merge_gap_s=offset_quiet_s
        )
        if not len(b):
            continue
        on = b["start_i"].to_numpy(float) / t.env_fs_hz
        off = b["stop_i"].to_numpy(float) / t.env_fs_hz
        above = np.concatenate(([0], np.cumsum(t.env_uv >= base + offset_uv)))
        s_i, e_i = b["start_i"].to_numpy(np.int64), b["stop_i"].to_numpy(np.int64)
        active = (above[e_i] - above[s_i]) / np.maximum(e_i - s_i, 1)
        keep = ((off - on) > min_duration_s) & (active >= min_active_fraction)
        keep &= ~overlaps_any(on, off, t.bad_s)
        if keep.any():
            pi = b["peak_i"].to_numpy(np.int64)[keep]
            rows.append(
                pd.DataFrame(
                    {
                        "type": "long_contraction",
                        "onset_s": on[keep],
                        "offset_s": off[keep],
                        "side": t.side,
                        "peak_amp_uv": b["peak_amp_uv"].to_numpy()[keep] - base[pi],
                        "stage": stage_of(hypnogram, on[keep]),
                        "source": "emg",
                        "channels": t.label,
                    }
                )
            )
    return make_events(pd.concat(rows, ignore_index=True)) if rows else empty_events()


def long_contractions_from_lms(
    lms: pd.DataFrame, hypnogram: Hypnogram | None = None, *, min_duration_s: float = 10.0
) -> pd.DataFrame:
    """Long contractions taken from an existing LM table (rows lasting more than ``min_duration_s``).

    Parameters
    ----------
    lms : DataFrame
        LM table (ARCHITECTURE: ``onset_s``, ``offset_s``, ``side``, optional ``peak_amp_uv``).
    hypnogram : Hypnogram, optional
        For the ``stage`` column.
    min_duration_s : float
        Strictly longer than 10 s (SCORING_SPEC §5).

    Returns
    -------
    pandas.DataFrame
        Events of type ``long_contraction``.
    """
    if lms is None or not len(lms):
        return empty_events()
    dur = lms["offset_s"].to_numpy(float) - lms["onset_s"].to_numpy(float)
    sel = lms[dur > min_duration_s]
    if "type" in sel.columns:
        sel = sel[sel["type"].isin(["lm", "lm_left", "lm_right"])]
    if not len(sel):
        return empty_events()
    return make_events(
        pd.DataFrame(
            {
                "type": "long_contraction",
                "onset_s": sel["onset_s"].to_numpy(float),
                "offset_s": sel["offset_s"].to_numpy(float),
                "side": sel["side"].to_numpy() if "side" in sel else None,
                "peak_amp_uv": sel["peak_amp_uv"].to_numpy(float) if "peak_amp_uv" in sel else np.nan,
                "stage": stage_of(hypnogram, sel["onset_s"].to_numpy(float)),
                "source": "lm",
            }
        )
    )
