"""Night summary: sleep time, scorable time and every index of SCORING_SPEC §4."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twitchlab.model import Hypnogram
from twitchlab.score.intervals import coverage
from twitchlab.score.options import ScoringOptions
from twitchlab.score.series import periodicity_flags

__all__ = ["SUMMARY_KEYS", "sleep_minutes", "summarize"]

#: Keys of the scoring summary, in order (SCORING_SPEC §4), followed by our flags.
SUMMARY_KEYS = (
    "recording_s", "analysis_start_s", "analysis_end_s", "tib_min", "tst_min", "waso_min",
    "sleep_efficiency_pct", "n1_min", "n2_min", "n3_min", "rem_min", "scorable_min_left", "scorable_min_right",
    "lm_count", "lm_count_left", "lm_count_right", "lm_count_bilateral", "clm_count", "resp_lm_count",
    "plm_count", "plms_count", "plmw_count", "plm_nr_count", "plms_nr_index", "lms_index", "plms_index",
    "plmw_index", "plms_nrem_index", "plms_rem_index", "plms_arousal_index", "periodicity_index_sleep",
    "periodicity_index_wake", "plm_series_count", "plm_series_mean_len", "imi_median_s", "lm_duration_median_s",
    "plms_threshold", "plms_above_threshold",
    # flags and extras (documented in docs/json_contract.md)
    "rules", "hypnogram_available", "indices_per", "resp_events_available", "arousals_available",
    "lm_count_single_channel", "sleep_scorable_min", "wake_scorable_min", "unscorable_min",
)  # fmt: skip

_SLEEP = ("N1", "N2", "N3", "R")
_NREM = ("N1", "N2", "N3")


def sleep_minutes(
    hyp: Hypnogram, start_s: float, end_s: float, u_on: np.ndarray, u_off: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Minutes per stage code inside the window, total and scorable, and WASO.

    Returns
    -------
    tuple
        ``minutes[code + 2]`` and ``scorable[code + 2]`` for codes -2..4 (arrays of 7), and the minutes of
        wake after sleep onset (None when there is no sleep in the window).
    """
    on = hyp.epoch_onsets_s()
    lo = np.maximum(on, start_s)
    hi = np.minimum(on + hyp.epoch_s, end_s)
    inside = np.clip(hi - lo, 0, None)
    lost = np.clip(coverage(np.maximum(hi, lo), u_on, u_off) - coverage(lo, u_on, u_off), 0, None)
    idx = hyp.stages.astype(np.int64) + 2
    minutes = np.bincount(idx, weights=inside / 60, minlength=7)
    scorable = np.bincount(idx, weights=(inside - lost) / 60, minlength=7)
    asleep = np.flatnonzero((idx >= 3) & (inside > 0))
    if asleep.size == 0:
        return minutes, scorable, None
    after = np.arange(idx.size) > asleep[0]
    waso = float(inside[after & (idx == 2)].sum() / 60)
    return minutes, scorable, waso


def _per_h(count: int | None, minutes: float | None) -> float | None:
    if count is None or minutes is None or minutes <= 0:
        return None
    return float(count) / (minutes / 60.0)


def _ratio(num: int, den: int) -> float | None:
    return float(num) / den if den > 0 else None


def summarize(
    seq: pd.DataFrame,
    *,
    n_resp_excluded: int,
    rules: str,
    hypnogram: Hypnogram | None,
    window: tuple[float, float],
    recording_s: float | None,
    u_any: tuple[np.ndarray, np.ndarray],
    u_left: tuple[np.ndarray, np.ndarray],
    u_right: tuple[np.ndarray, np.ndarray],
    resp_given: bool,
    arousals_given: bool,
    opts: ScoringOptions,
) -> dict[str, Any]:
    """Compute the night summary from the movements that took part in scoring.

    ``seq`` holds the events rows with ``in_sequence`` true (sorted by onset); ``n_resp_excluded`` the LMs the
    AASM respiratory rule left unscored.

    Indices are per hour of scorable sleep (or wake, NREM, REM) within the analysis window; ``None`` when
    the denominator is 0 or unknown. Without a hypnogram, the "sleep" indices are per hour of scorable
    recording time in the window and ``indices_per`` says ``"hour_of_recording"``.

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    American Academy of Sleep Medicine. International Classification of Sleep Disorders, 3rd ed. 2014.
    """
    ws, we = window
    tib_min = max(we - ws, 0.0) / 60.0

    def lost_min(u: tuple[np.ndarray, np.ndarray]) -> float:
        return float(coverage(np.array([we]), *u)[0] - coverage(np.array([ws]), *u)[0]) / 60.0

    s: dict[str, Any] = dict.fromkeys(SUMMARY_KEYS)
    s.update(
        recording_s=recording_s,
        analysis_start_s=ws,
        analysis_end_s=we,
        tib_min=tib_min,
        scorable_min_left=tib_min - lost_min(u_left),
        scorable_min_right=tib_min - lost_min(u_right),
        unscorable_min=lost_min(u_any),
        rules=rules,
        hypnogram_available=hypnogram is not None,
        resp_events_available=resp_given,
        arousals_available=arousals_given,
        plms_threshold=opts.plms_threshold,
    )
    if hypnogram is not None:
        minutes, scorable, waso = sleep_minutes(hypnogram, ws, we, *u_any)

        def mins(codes: tuple[int, ...], table: np.ndarray = minutes) -> float:
            return float(sum(table[c + 2] for c in codes))

        tst = mins((1, 2, 3, 4))
        s.update(
            tst_min=tst,
            waso_min=waso,
            sleep_efficiency_pct=100.0 * tst / tib_min if tib_min > 0 else None,
            n1_min=mins((1,)),
            n2_min=mins((2,)),
            n3_min=mins((3,)),
            rem_min=mins((4,)),
            indices_per="hour_of_sleep",
        )
        sleep_den = mins((1, 2, 3, 4), scorable)
        wake_den: float | None = mins((0,), scorable)
        nrem_den: float | None = mins((1, 2, 3), scorable)
        rem_den: float | None = mins((4,), scorable)
    else:
        s["indices_per"] = "hour_of_recording"
        sleep_den = tib_min - lost_min(u_any)
        wake_den = nrem_den = rem_den = None
    s["sleep_scorable_min"] = sleep_den
    s["wake_scorable_min"] = wake_den

    stage = seq["stage"].to_numpy(object)
    if hypnogram is not None:
        in_sleep = np.isin(stage, _SLEEP)
        in_wake = stage == "W"
    else:
        in_sleep = np.ones(len(seq), dtype=bool)
        in_wake = np.zeros(len(seq), dtype=bool)
    in_nrem = np.isin(stage, _NREM)
    in_rem = stage == "R"
    side = seq["side"].to_numpy(object)
    nmono = seq["n_monolateral"].to_numpy(dtype=np.int64, na_value=1)
    is_plm = seq["is_plm"].to_numpy(bool)
    is_clm = seq["is_clm"].to_numpy(bool)
    arousal = seq["arousal_associated"].to_numpy(bool)
    s.update(
        lm_count=len(seq),
        lm_count_left=int(((side == "L") & (nmono == 1)).sum()),
        lm_count_right=int(((side == "R") & (nmono == 1)).sum()),
        lm_count_bilateral=int((nmono > 1).sum()),
        lm_count_single_channel=int(((side == "B") & (nmono == 1)).sum()),
        clm_count=int(is_clm.sum()),
        plm_count=int(is_plm.sum()),
        plms_count=int((is_plm & in_sleep).sum()),
        plmw_count=int((is_plm & in_wake).sum()) if hypnogram is not None else None,
    )
    if resp_given:
        if rules == "aasm":
            s["resp_lm_count"] = n_resp_excluded
        else:
            s["resp_lm_count"] = int(seq["resp_associated"].to_numpy(bool).sum())
        nr = seq["is_plm_nr"].to_numpy(dtype=bool, na_value=False)
        s["plm_nr_count"] = int(nr.sum())
        s["plms_nr_index"] = _per_h(int((nr & in_sleep).sum()), sleep_den)
    s["lms_index"] = _per_h(int(in_sleep.sum()), sleep_den)
    s["plms_index"] = _per_h(s["plms_count"], sleep_den)
    s["plmw_index"] = _per_h(s["plmw_count"], wake_den)
    s["plms_nrem_index"] = _per_h(int((is_plm & in_nrem).sum()), nrem_den)
    s["plms_rem_index"] = _per_h(int((is_plm & in_rem).sum()), rem_den)
    if arousals_given:
        s["plms_arousal_index"] = _per_h(int((is_plm & in_sleep & arousal).sum()), sleep_den)
    between, periodic = periodicity_flags(seq["onset_s"].to_numpy(float), is_clm, min_run=opts.periodicity_min_run)
    s["periodicity_index_sleep"] = _ratio(int((periodic & in_sleep).sum()), int((between & in_sleep).sum()))
    if hypnogram is not None:
        s["periodicity_index_wake"] = _ratio(int((periodic & in_wake).sum()), int((between & in_wake).sum()))
    sid = seq["series_id"].to_numpy(dtype=np.int64, na_value=-1)
    sid = sid[sid >= 0]
    if sid.size:
        _, sizes = np.unique(sid, return_counts=True)
        s["plm_series_count"] = int(sizes.size)
        s["plm_series_mean_len"] = float(sizes.mean())
    else:
        s["plm_series_count"] = 0
    imis = seq["imi_s"].to_numpy(float)
    imis = imis[np.isfinite(imis)]
    s["imi_median_s"] = float(np.median(imis)) if imis.size else None
    s["lm_duration_median_s"] = float(seq["duration_s"].median()) if len(seq) else None
    # the ICSD-3 threshold is a rate per hour of SLEEP: a rate per hour of recording is never compared with it
    sleep_rate = hypnogram is not None and s["plms_index"] is not None
    s["plms_above_threshold"] = bool(s["plms_index"] > opts.plms_threshold) if sleep_rate else None
    return s
