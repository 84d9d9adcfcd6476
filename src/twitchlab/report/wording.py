"""Plain-language sentences of the report (our own wording; never a diagnosis)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from twitchlab.results import NightResult

__all__ = ["ACCEL_CAVEAT", "NOT_ADVICE", "SEE_CLINICIAN", "TWITCH_KEYS", "WHAT_IT_IS_NOT", "headline", "null_reason"]

NOT_ADVICE = (
    "This report is a measurement, not a diagnosis, and it is not a substitute for medical advice. "
    "Only a clinician who knows your history can say what these numbers mean for you."
)

WHAT_IT_IS_NOT = (
    "Many people without any complaint have periodic leg movements in sleep, more so with age. A high count on "
    "its own is not a disorder: clinicians also look at whether sleep is disturbed or you are tired in the day, "
    "and whether something else (breathing problems, medicines, iron levels) explains it."
)

SEE_CLINICIAN = (
    "someone has seen you stop breathing, gasp or choke in your sleep, or you snore loudly;",
    "you have hurt yourself or your bed partner while asleep;",
    "jerks happen in the daytime too, or spread to your arms or body;",
    "you notice new weakness, numbness or pain in your legs, or painful cramps;",
    "you feel an urge to move your legs in the evening or at rest that moving relieves;",
    "you are very sleepy in the day or your sleep does not refresh you.",
)

ACCEL_CAVEAT = (
    "These movements were counted from an accelerometer, not from leg-muscle (EMG) recordings in a sleep "
    "laboratory. Accelerometer counts approximate EMG-scored periodic limb movements (published agreement for "
    "ankle devices is roughly r = 0.8-0.9) and are not a clinical PLMS index."
)

#: Summary keys of the twitch kinds (SCORING_SPEC §5) with a plain label; shown only when not null.
TWITCH_KEYS: dict[str, str] = {
    "hypnic_jerk_count": "Sleep starts (hypnic jerks) while falling asleep",
    "fragmentary_myoclonus_count": "Very brief muscle flickers (fragmentary myoclonus)",
    "fragmentary_myoclonus_per_min_nrem": "Brief flickers per minute of non-REM sleep",
    "efm_present": "Flickers frequent enough to count as excessive (EFM, AASM)",
    "hft_train_count": "Foot tremor trains while falling asleep (HFT)",
    "alma_train_count": "Alternating leg muscle activation trains (ALMA)",
    "rhythmic_movement_count": "Rhythmic movements (rocking, head banging)",
    "long_contraction_count": "Long contractions over 10 s (possible cramp or spasm)",
    "rem_twitch_per_min_rem": "Twitches per minute of REM sleep",
    "rswa_tonic_pct": "REM epochs with sustained chin muscle tone (%)",
    "rswa_phasic_pct": "REM epochs with many chin twitches (%)",
    "rswa_any_pct": "REM mini-epochs with any chin activity (%)",
    "rswa_above_sinbar": "Chin activity in REM above the SINBAR 18 % level",
    "rswa_any_fds_pct": "REM mini-epochs with chin activity and twitches in both arms (%)",
    "rswa_above_sinbar_fds": "Chin and arm activity in REM above the SINBAR 32 % level",
    "rem_epochs_scored": "REM epochs scored",
}

_SLEEP_DENOMINATED = {"plms_index", "lms_index", "plms_nr_index", "plms_arousal_index", "tst_min"}


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def null_reason(key: str, result: NightResult) -> str:
    """Why a summary value is missing, in plain words (best guess from the other values).

    A reason given by the scorer in ``summary["null_reasons"][key]`` wins.
    """
    s = result.summary
    given = s.get("null_reasons")
    if isinstance(given, dict) and given.get(key):
        return str(given[key])
    no_hyp = result.hypnogram is None
    if key in _SLEEP_DENOMINATED or key.startswith("plms_"):
        if no_hyp:
            return "no sleep stages were available, so hours of sleep are unknown"
        if not _num(s.get("tst_min")):
            return "no sleep was scored in the analysis window"
    if key in ("plms_nr_index", "plm_nr_count"):
        return "no breathing events (apneas, hypopneas) were in the recording"
    if key == "plms_rem_index":
        return "no REM sleep was scored"
    if key == "plms_nrem_index":
        return "no non-REM sleep was scored"
    if key == "plms_arousal_index":
        return "no arousals were scored in the recording"
    if key in ("plmw_index", "periodicity_index_wake") and not no_hyp:
        return "not enough wake time with movements to compute it"
    if key.startswith("periodicity_index") or key == "imi_median_s":
        return "fewer than two candidate movements in a row"
    if key == "lm_duration_median_s":
        return "no leg movements were found"
    if key == "plm_series_mean_len":
        return "no periodic series was found"
    if key.startswith("scorable_min"):
        return "signal quality is measured only when movements are detected from leg EMG"
    if "fds" in key:
        return "needs EMG of both forearms (flexor digitorum superficialis)"
    if key.startswith(("rswa_", "rem_")):
        return "needs a chin EMG channel and scored REM sleep"
    if key in TWITCH_KEYS:
        return "needs the EMG channels this measure uses"
    if no_hyp:
        return "no sleep stages were available"
    return "not computed for this recording"


def _per_hour(v: float) -> str:
    if v < 1:
        return "less than once an hour"
    return f"about {round(v)} time{'s' if round(v) != 1 else ''} per hour"


def headline(result: NightResult) -> list[str]:
    """The answer in two plain sentences: how often, against which level, and what else stands out.

    Returns
    -------
    list of str
        Two sentences.
    """
    s = result.summary
    idx = _num(s.get("plms_index"))
    thr = _num(s.get("plms_threshold")) or 15.0
    accel = result.lm_source == "accelerometer"
    subject = "By the accelerometer's count, your legs" if accel else "Your legs"
    if idx is None:
        why = null_reason("plms_index", result)
        first = f"We could not work out how often your legs moved periodically in sleep: {why}."
    elif idx == 0:
        first = (
            f"We found no periodic leg movements in your sleep (0 per hour), below the {thr:g}/h level where "
            "clinicians look further."
        )
    else:
        side = "above" if idx > thr else ("at" if idx == thr else "below")
        first = (
            f"{subject} moved periodically {_per_hour(idx)} of sleep, {side} the {thr:g}/h level "
            "where clinicians look further."
        )
    lm = int(_num(s.get("lm_count")) or 0)
    resp = int(_num(s.get("resp_lm_count")) or 0)
    nr = _num(s.get("plms_nr_index"))
    tst = _num(s.get("tst_min"))
    if resp > 0 and resp >= 0.2 * lm:  # breathing-linked movements are a large share: say so first
        second = f"{resp} of the {lm} leg movements came with a pause or dip in breathing"
        second += f"; leaving those out, the periodic rate is {_per_hour(nr)}." if nr is not None else "."
    elif lm == 0:
        second = "We found no leg movements at all in this recording."
    else:
        plms = int(_num(s.get("plms_count")) or 0)
        sleep = f" during {tst / 60:.1f} hours of sleep" if tst else ""
        second = (
            f"In all we found {lm} leg movements{sleep}; {plms} of them in sleep were part of a repeating "
            "pattern (4 or more movements 10 to 90 seconds apart)."
        )
    return [first, second]
