"""AASM rules for periodic limb movements (unchanged since 2012; SCORING_SPEC §3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twitchlab.score.association import resp_excluded_aasm
from twitchlab.score.bilateral import groups_aasm
from twitchlab.score.candidates import MAX_MONOLATERAL_S, Cols, aggregate, take
from twitchlab.score.intervals import EPS_S
from twitchlab.score.options import ScoringOptions
from twitchlab.score.series import breaks_between, find_series

__all__ = ["MAX_IMI_S", "MIN_IMI_S", "movements_aasm"]

MIN_IMI_S = 5.0
MAX_IMI_S = 90.0
MIN_SERIES = 4


def movements_aasm(
    lms: Cols,
    *,
    resp: pd.DataFrame | None,
    u_on: np.ndarray,
    u_off: np.ndarray,
    opts: ScoringOptions,
) -> tuple[Cols, np.ndarray, np.ndarray]:
    """Score monolateral LMs by the AASM rules.

    1. An LM lasts 0.5-10 s; a longer one is not an LM (excluded ``too_long``: it neither counts nor breaks
       a series, since the manual does not score it).
    2. An LM from 0.5 s before the start to 0.5 s after the end of an apnea, hypopnea or RERA is not scored
       (excluded ``respiratory``): it neither counts nor breaks a series; IMIs run across it.
    3. LMs on the two legs whose onsets are < 5 s apart are one movement (greedy pairs in onset order).
    4. PLM series: >= 4 consecutive LMs with 5 s <= IMI <= 90 s (onset to onset). An IMI < 5 s ends a series;
       the movement after it may open the next one (the manual has no WASM-style restriction).

    Parameters
    ----------
    lms : dict of arrays
        In-scope monolateral LMs sorted by onset.
    resp : DataFrame, optional
        Respiratory events; None when none were scored.
    u_on, u_off : array of float
        Disjoint sorted unscorable stretches.
    opts : ScoringOptions
        Named options (``aasm_resp_margin_s``, ``aasm_resp_match``, ``aasm_bilateral_onset_s``).

    Returns
    -------
    tuple
        Movements, the movement index of every input LM (-1 when excluded) and the exclusion reason of
        every input LM (None when kept).

    References
    ----------
    Berry RB, et al. The AASM Manual for the Scoring of Sleep and Associated Events: Rules, Terminology and
    Technical Specifications, v2.6. Darien, IL: AASM; 2020. Movement rules, PLM.
    """
    on = lms["onset_s"]
    off = lms["offset_s"]
    reason = np.full(on.size, None, dtype=object)
    too_long = (off - on) > MAX_MONOLATERAL_S + EPS_S
    reason[too_long] = "too_long"
    resp_ex = np.zeros(on.size, dtype=bool)
    if resp is not None:
        resp_ex = resp_excluded_aasm(on, off, resp, margin_s=opts.aasm_resp_margin_s, match=opts.aasm_resp_match)
        resp_ex &= ~too_long
        reason[resp_ex] = "respiratory"
    keep = ~(too_long | resp_ex)
    kept = take(lms, keep)
    group_kept = groups_aasm(kept["onset_s"], kept["side"], onset_diff_s=opts.aasm_bilateral_onset_s)
    mov = aggregate(kept, group_kept)
    onset = mov["onset_s"]
    eligible = np.ones(onset.size, dtype=bool)
    brk = breaks_between(onset, u_on, u_off) if opts.unscorable_breaks_series else None
    series, gaps = find_series(
        onset,
        eligible,
        min_imi_s=MIN_IMI_S,
        max_imi_s=MAX_IMI_S,
        min_count=MIN_SERIES,
        breaks=brk,
        short_blocks_opening=False,
    )
    is_plm = series >= 0
    mov["is_clm"] = eligible
    mov["excluded_reason"] = np.full(onset.size, None, dtype=object)
    mov["imi_s"] = gaps
    mov["series"] = series
    mov["is_plm"] = is_plm
    mov["resp_associated"] = np.zeros(onset.size, dtype=bool)
    mov["is_plm_nr"] = np.full(onset.size, None, dtype=object) if resp is None else is_plm.astype(object)
    group = np.full(on.size, -1, dtype=np.int64)
    group[np.flatnonzero(keep)] = group_kept
    return mov, group, reason
