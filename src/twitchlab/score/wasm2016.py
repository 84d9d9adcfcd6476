"""WASM/IRLSSG 2016 rules: bilateral merge, candidates, respiratory relation, PLM series (SCORING_SPEC §3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twitchlab.score.association import resp_related_wasm2016
from twitchlab.score.bilateral import groups_wasm2016
from twitchlab.score.candidates import Cols, aggregate, clm_wasm2016
from twitchlab.score.options import ScoringOptions
from twitchlab.score.series import breaks_between, find_series

__all__ = ["MAX_IMI_S", "MIN_IMI_S", "movements_wasm2016"]

MIN_IMI_S = 10.0
MAX_IMI_S = 90.0
MIN_SERIES = 4


def _series(
    onset: np.ndarray, is_clm: np.ndarray, u_on: np.ndarray, u_off: np.ndarray, opts: ScoringOptions
) -> tuple[np.ndarray, np.ndarray]:
    brk = breaks_between(onset, u_on, u_off) if opts.unscorable_breaks_series else None
    return find_series(
        onset,
        is_clm,
        min_imi_s=MIN_IMI_S,
        max_imi_s=MAX_IMI_S,
        min_count=MIN_SERIES,
        breaks=brk,
        short_blocks_opening=True,
    )


def movements_wasm2016(
    lms: Cols,
    *,
    resp: pd.DataFrame | None,
    u_on: np.ndarray,
    u_off: np.ndarray,
    opts: ScoringOptions,
) -> tuple[Cols, np.ndarray]:
    """Score monolateral LMs by the WASM 2016 rules.

    1. LMs on the two legs overlapping or < 0.5 s apart merge (transitively) into one bilateral LM.
    2. Candidates: monolateral 0.5-10 s; bilateral <= 15 s with <= 4 monolateral LMs, none > 10 s.
    3. IMI onset to onset between consecutive LMs (all of them, CLM or not).
    4. PLM series: >= 4 consecutive CLMs with 10 s <= IMI <= 90 s; a non-CLM or an IMI outside the range ends
       a series; a CLM after an IMI < 10 s cannot open one; the last CLM of a series is a PLM.
    5. Respiratory relation (-2.0 s / +10.25 s around the end of an event); PLM without respiratory LMs by
       ``opts.resp_nr_method`` (``recompute``: series found again without them; ``drop``: only removed).

    Parameters
    ----------
    lms : dict of arrays
        In-scope monolateral LMs sorted by onset (see :func:`twitchlab.score.candidates.aggregate`).
    resp : DataFrame, optional
        Respiratory events (``onset_s``, ``offset_s``); None when none were scored.
    u_on, u_off : array of float
        Disjoint sorted unscorable stretches (break series when ``opts.unscorable_breaks_series``).
    opts : ScoringOptions
        Named options.

    Returns
    -------
    tuple
        Movements (dict of arrays, one entry each, with ``is_clm``, ``excluded_reason``, ``imi_s``,
        ``series``, ``is_plm``, ``resp_associated``, ``is_plm_nr``) and the movement index of every input LM.

    References
    ----------
    Ferri R, et al. World Association of Sleep Medicine (WASM) 2016 standards for recording and scoring leg
    movements in polysomnograms developed by a joint task force from the IRLSSG, endorsed by the AASM and
    the EURLSSG. Sleep Med 2016;26:86-95. doi:10.1016/j.sleep.2016.10.010
    """
    group = groups_wasm2016(lms["onset_s"], lms["offset_s"], lms["side"], gap_s=opts.bilateral_gap_s)
    mov = aggregate(lms, group)
    is_clm, reason = clm_wasm2016(mov)
    onset = mov["onset_s"]
    series, gaps = _series(onset, is_clm, u_on, u_off, opts)
    resp_rel = resp_related_wasm2016(
        onset, mov["offset_s"], resp, before_s=opts.resp_before_s, after_s=opts.resp_after_s
    )
    is_plm = series >= 0
    if resp is None:
        plm_nr = np.full(onset.size, None, dtype=object)
    elif opts.resp_nr_method == "drop":
        plm_nr = (is_plm & ~resp_rel).astype(object)
    else:  # recompute: respiratory LMs neither count nor break
        keep = ~resp_rel
        sub, _ = _series(onset[keep], is_clm[keep], u_on, u_off, opts)
        nr = np.zeros(onset.size, dtype=bool)
        nr[np.flatnonzero(keep)] = sub >= 0
        plm_nr = nr.astype(object)
    mov["is_clm"] = is_clm
    mov["excluded_reason"] = reason
    mov["imi_s"] = gaps
    mov["series"] = series
    mov["is_plm"] = is_plm
    mov["resp_associated"] = resp_rel
    mov["is_plm_nr"] = plm_nr
    return mov, group
