"""Plain-language sentences of the report (our own wording; never a diagnosis)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from twitchlab.model import ROLE_WORDS

if TYPE_CHECKING:  # pragma: no cover
    from twitchlab.results import NightResult

__all__ = [
    "ACCEL_CAVEAT",
    "NOT_ADVICE",
    "PER_RECORDING",
    "SEE_CLINICIAN",
    "SINBAR_CHIN_ARMS_PCT",
    "SINBAR_CHIN_PCT",
    "TWITCH_EVENT_TYPES",
    "TWITCH_KEYS",
    "TWITCH_REFERENCES",
    "WHAT_IT_IS_NOT",
    "TwitchSentence",
    "headline",
    "leg_unscored",
    "null_reason",
    "pct_text",
    "per_recording",
    "plain_warning",
    "rule_text",
    "twitch_null_reason",
    "twitch_sentences",
]

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
    "stimulus_count": "Sounds or lights annotated (stimuli)",
    "stimulus_linked_count": "Jerks within the window after a stimulus",
    "stimulus_linked_share": "Share of stimuli followed by a jerk",
    "stimulus_linked_p": "Chance test of jerks after stimuli (p, one-sided)",
}

_COUNT_NULLS = {"periodicity_index_sleep", "periodicity_index_wake", "imi_median_s"}
_SLEEP_DENOMINATED = {"plms_index", "lms_index", "plms_nr_index", "plms_arousal_index", "tst_min"}


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


_ROLE_RE = re.compile(r"\b(" + "|".join(ROLE_WORDS) + r")\b")


def plain_warning(text: str) -> str:
    """A warning as a person reads it: channel roles (``leg_right``) in plain words (``right leg``).

    Parameters
    ----------
    text : str
        A warning of the readers, detectors or scorer.

    Returns
    -------
    str
    """
    return _ROLE_RE.sub(lambda m: ROLE_WORDS[m.group(1)], str(text))


#: Sleep-stage minutes and their ratios: known only with a hypnogram.
_STAGE_MINUTES = {"tst_min", "waso_min", "sleep_efficiency_pct", "n1_min", "n2_min", "n3_min", "rem_min"}


def _given_reason(key: str, result: NightResult) -> str | None:
    """The reason recorded with the result (``NightResult.null_reasons``, else ``summary["null_reasons"]``)."""
    for given in (getattr(result, "null_reasons", None), result.summary.get("null_reasons")):
        if isinstance(given, dict) and given.get(key):
            return str(given[key])
    return None


def null_reason(key: str, result: NightResult) -> str:
    """Why a summary value is missing, in plain words.

    The reason recorded with the result wins (``NightResult.null_reasons``, given by the twitch detectors for
    each of their keys, or ``summary["null_reasons"]``); twitch measures then go through
    :func:`twitch_null_reason`; other keys get a best guess from the other values.
    """
    given = _given_reason(key, result)
    if given:
        return given
    if key in TWITCH_KEYS:
        return twitch_null_reason(key, result)
    return _derived_reason(key, result)


def _derived_reason(key: str, result: NightResult) -> str:
    """The reason a null value most likely has, from the other values (results without a recorded reason)."""
    s = result.summary
    no_hyp = result.hypnogram is None
    if leg_unscored(result) and (key.startswith(("lm_", "clm_", "plm", "resp_lm", "lms_")) or key in _COUNT_NULLS):
        return "the leg EMG could not be scored anywhere in the analysis window (see the warnings)"
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
    if key in _STAGE_MINUTES and no_hyp:
        return "no sleep stages were available"
    if key.startswith("stimulus_") and s.get("stimulus_count") is None:
        return "no sound or light stimuli are marked in this recording (no stimulus annotations)"
    if key in ("hypnic_jerk_count",) and no_hyp:
        return "no sleep stages (hypnogram) were available, so the moments of falling asleep are unknown"
    if key.startswith(("fragmentary_", "efm_")) and no_hyp:
        return "no sleep stages (hypnogram) were available, so non-REM sleep is unknown"
    if key.startswith(("rswa_", "rem_")) and no_hyp:
        return "no sleep stages (hypnogram) were available, so REM sleep is unknown"
    if "fds" in key:
        return "needs EMG of both forearms (flexor digitorum superficialis)"
    if key.startswith(("rswa_", "rem_")):
        return "needs a usable chin EMG channel and scored REM sleep"
    if key in TWITCH_KEYS:
        return "needs the EMG channels this measure uses"
    if no_hyp:
        return "no sleep stages were available"
    return "not computed for this recording"


#: Every rule-dependent phrase of the report, per rule set (SCORING_SPEC §3): numbers and references come from
#: the rule set the night was scored with, never from the default.
RULE_TEXT: dict[str, dict[str, Any]] = {
    "wasm2016": {
        "name": "WASM 2016",
        "imi_min_s": 10.0,
        "bilateral_max_s": 15.0,
        "series_plain": "4 or more movements 10 to 90 seconds apart",
        "series_ref": "a series is ≥ 4 CLM 10-90 s apart (WASM 2016)",
        "series_clinician": "≥ 4 consecutive CLM with 10 ≤ IMI ≤ 90 s (WASM 2016)",
        "periodic_range": "periodic: 10-90 s",
        "periodic_plain": "10 to 90 seconds",
        "periodic_short": "10-90 s",
        "clm_label": "Candidate LM (CLM)",
        "clm_ref": "LM 0.5-10 s; bilateral ≤ 15 s (WASM 2016)",
        "duration_ref": "0.5-10 s (one leg)",
        "duration_plain": (
            "Movements longer than 10 seconds on one leg (15 s on both) still count as movements but not towards "
            "the periodic count"
        ),
        "duration_short": "over 10 s (one leg) or 15 s (both legs) they are not counted towards the periodic count",
        "resp_label": "Respiratory-related LM (CLMr)",
        "resp_ref": "WASM: -2 s to +10.25 s around event end",
        "resp_plain": "from 2 s before to 10.25 s after the event ended (WASM 2016)",
        "bilateral_plain": "LMs on the two legs less than 0.5 s apart are one bilateral LM",
    },
    "aasm": {
        "name": "AASM",
        "imi_min_s": 5.0,
        "bilateral_max_s": None,
        "series_plain": "4 or more movements 5 to 90 seconds apart",
        "series_ref": "a series is ≥ 4 LM 5-90 s apart (AASM)",
        "series_clinician": "≥ 4 consecutive LM with 5 ≤ IMI ≤ 90 s (AASM)",
        "periodic_range": "periodic: 5-90 s",
        "periodic_plain": "5 to 90 seconds",
        "periodic_short": "5-90 s",
        "clm_label": "LM scored for periodicity",
        "clm_ref": "LM 0.5-10 s; LMs on the two legs with onsets < 5 s apart count as one (AASM)",
        "duration_ref": "0.5-10 s (AASM)",
        "duration_plain": (
            "Movements longer than 10 seconds are not counted as leg movements for the periodic count (AASM)"
        ),
        "duration_short": "over 10 s they are not counted towards the periodic count (AASM)",
        "resp_label": "Respiratory LM (not scored, AASM)",
        "resp_ref": "AASM: 0.5 s before the start to 0.5 s after the end of the event",
        "resp_plain": (
            "from 0.5 s before the event started to 0.5 s after it ended; by the AASM rules these were not counted"
        ),
        "bilateral_plain": "LMs on the two legs whose onsets are less than 5 s apart count as one",
    },
}


def rule_text(result: NightResult | str | None) -> dict[str, Any]:
    """The rule-dependent phrases for the rule set of ``result`` (``params["rules"]`` or ``summary["rules"]``)."""
    if isinstance(result, str) or result is None:
        rules = result
    else:
        params = result.params if isinstance(result.params, dict) else {}
        rules = params.get("rules") or result.summary.get("rules")
    return RULE_TEXT.get(str(rules), RULE_TEXT["wasm2016"])


#: How every index is worded when there was no hypnogram (``summary["indices_per"] == "hour_of_recording"``).
PER_RECORDING = "per hour of recording (no sleep stages were available)"


def per_recording(result: NightResult) -> bool:
    """True when the indices are per hour of recording, not of sleep: never compare them with the threshold."""
    s = result.summary
    if s.get("indices_per") is not None:
        return s.get("indices_per") == "hour_of_recording"
    return result.hypnogram is None


#: Warning words that name why the leg EMG could not be scored (first match is quoted in the headline).
_UNSCORED_WORDS = ("unusable", "flat", "saturat", "clipp", "disconnect", "resolution", "noise", "unscorable")


def leg_unscored(result: NightResult) -> bool:
    """True when no leg time at all could be scored: the movement counts are unknown, not 0."""
    s = result.summary
    if "lm_count" in s and s.get("lm_count") is None and result.lm_source != "accelerometer":
        return True
    left, right, tib = _num(s.get("scorable_min_left")), _num(s.get("scorable_min_right")), _num(s.get("tib_min"))
    return left is not None and right is not None and left <= 0 and right <= 0 and bool(tib)


def _unscored_why(result: NightResult) -> str:
    for word in _UNSCORED_WORDS:
        for w in (str(x) for x in result.warnings):
            if word in w.lower():
                return plain_warning(w).rstrip(".")
    return "the signal-quality check found no usable stretch of leg-muscle (EMG) signal"


def _unscored_headline(result: NightResult) -> list[str]:
    return [
        "We could not score your leg signal: no part of the leg-muscle (EMG) recording between lights off and "
        "lights on was usable, so how often your legs moved is unknown (not zero).",
        f"Why: {_unscored_why(result)}. What to do: check the leg electrodes and the recorder's settings (or how "
        "the file was exported), then record or export the night again and run the analysis once more; this "
        "night says nothing either way about leg movements.",
    ]


def _per_hour(v: float) -> str:
    if v == 0:
        return "0 times per hour"
    if v < 1:
        return "less than once an hour"
    return f"about {round(v)} time{'s' if round(v) != 1 else ''} per hour"


def headline(result: NightResult) -> list[str]:
    """The answer in two plain sentences: how often, against which level, and what else stands out.

    When the file was cut off (less of it could be read than it declares), a sentence saying how much was
    read, and that every number covers only that part, comes first.

    Returns
    -------
    list of str
        Two sentences (three for a cut-off file).
    """
    coverage = _coverage_note(result)
    lead = [coverage] if coverage else []
    return lead + _headline(result)


def _coverage_note(result: NightResult) -> str | None:
    note = getattr(result, "coverage_note", None)
    return note() if callable(note) else None


def _headline(result: NightResult) -> list[str]:
    s = result.summary
    if leg_unscored(result):
        return _unscored_headline(result)
    idx = _num(s.get("plms_index"))
    thr = _num(s.get("plms_threshold")) or 15.0
    accel = result.lm_source == "accelerometer"
    subject = "By the accelerometer's count, your legs" if accel else "Your legs"
    by_recording = per_recording(result)
    if idx == 0 and by_recording:
        first = (
            "We found no periodic leg movements in the recording (0 per hour; no sleep stages were available, so "
            "sleep and wake are not told apart)."
        )
    elif idx is not None and by_recording:
        first = (
            f"{subject} moved periodically {_per_hour(idx)} of recording (no sleep stages were available). "
            "Without sleep stages this rate cannot be compared with the level clinicians use, which counts hours "
            "of sleep only."
        )
    elif idx is None:
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
        unit = " of recording" if by_recording else " of sleep"
        second += f"; leaving those out, the periodic rate is {_per_hour(nr)}{unit}." if nr is not None else "."
    elif lm == 0:
        second = f"We found no leg movements at all {_window_words(result)}."
    else:
        pattern = f"part of a repeating pattern ({rule_text(result)['series_plain']})"
        in_sleep = None if by_recording or tst is None else _lm_in_sleep(result)
        plms, plm = _int_or_none(s.get("plms_count")), _int_or_none(s.get("plm_count"))
        moved = f"We found {lm} leg movement{'s' if lm != 1 else ''} {_window_words(result)}"
        if by_recording:
            second = f"{moved} (no sleep stages were available, so sleep and wake are not told apart)"
            second += f"; {plm} of them were {pattern}." if plm is not None else "."
        elif in_sleep is not None:
            second = f"{moved}, {in_sleep} of them in {tst / 60:.1f} hours of sleep"
            second += f"; {plms} of those were {pattern}." if plms is not None else "."
        else:
            second = f"{moved}; {plms} of the movements in sleep were {pattern}." if plms is not None else f"{moved}."
    return [first, second]


def _int_or_none(v: Any) -> int | None:
    n = _num(v)
    return None if n is None else round(n)


def _window_words(result: NightResult) -> str:
    """Where the movements were counted: between lights off and lights on, or during the whole recording."""
    s = result.summary
    start, end, rec = _num(s.get("analysis_start_s")), _num(s.get("analysis_end_s")), _num(s.get("recording_s"))
    whole = (start is None or start <= 0) and (end is None or rec is None or end >= rec)
    if whole and getattr(result, "truncated", False):
        return "in the part of the recording that could be read"
    return "during the recording" if whole else "between lights off and lights on"


def _lm_in_sleep(result: NightResult) -> int | None:
    """LMs (of ``lm_count``) whose onset was in sleep: from the events when they add up, else None."""
    ev = result.events
    lm_count = _int_or_none(result.summary.get("lm_count"))
    if ev is None or len(ev) == 0 or "stage" not in ev.columns or lm_count is None:
        return None
    rows = ev[ev["type"] == "lm"] if "type" in ev.columns else ev
    if "in_sequence" in rows.columns:
        rows = rows[rows["in_sequence"].astype(bool)]
    elif "excluded_reason" in rows.columns:
        rows = rows[rows["excluded_reason"].isna()]
    if len(rows) != lm_count:
        return None
    return int(rows["stage"].isin(["N1", "N2", "N3", "R"]).sum())


# --- what kind of twitches (SCORING_SPEC §5): one plain sentence per kind -------------------------------------

#: Event types of SCORING_SPEC §5 in report order, with a short plain name (figure rows, table rows).
TWITCH_EVENT_TYPES: dict[str, str] = {
    "hypnic_jerk": "Sleep starts",
    "fragmentary_myoclonus": "Brief flickers (FM)",
    "hypnagogic_foot_tremor": "Foot tremor (HFT)",
    "alma": "Alternating legs (ALMA)",
    "rhythmic_movement": "Rhythmic movements",
    "long_contraction": "Long contractions",
    "rem_twitch": "REM twitches",
}

#: Reference for each event type (clinician table); none of them is a diagnosis on its own.
TWITCH_REFERENCES: dict[str, str] = {
    "hypnic_jerk": "common; normal in most people (ICSD-3)",
    "fragmentary_myoclonus": "excessive: ≥ 5/min for ≥ 20 min of NREM (AASM)",
    "hypnagogic_foot_tremor": "AASM scoring rule; no agreed normal count",
    "alma": "AASM scoring rule; no agreed normal count",
    "rhythmic_movement": "no count cut-off; a disorder only with injury or disturbed sleep (ICSD-3)",
    "long_contraction": "no reference; a cramp is confirmed by pain (diary)",
    "rem_twitch": "normal in moderation; no agreed cut-off",
}

#: SINBAR cut-offs (Frauscher et al., Sleep 2012): chin "any" and chin "any" + both FDS.
SINBAR_CHIN_PCT = 18.0
SINBAR_CHIN_ARMS_PCT = 32.0

_STAGE_WORDS = {"W": "awake", "N1": "in N1", "N2": "in N2", "N3": "in N3", "R": "in REM"}
_STAGE_ORDER = ("W", "N1", "N2", "N3", "R")

# keys of each kind and the words that find its reason among the result's warnings (first match wins)
_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "hypnic_jerk": ("hypnic_jerk_count",),
    "fragmentary_myoclonus": ("fragmentary_myoclonus_count", "fragmentary_myoclonus_per_min_nrem", "efm_present"),
    "hft_alma": ("hft_train_count", "alma_train_count"),
    "rhythmic_movement": ("rhythmic_movement_count",),
    "long_contraction": ("long_contraction_count",),
    "rem_twitch": ("rem_twitch_per_min_rem",),
    "rswa": ("rswa_any_pct", "rswa_tonic_pct", "rswa_phasic_pct", "rswa_above_sinbar", "rem_epochs_scored"),
    "stimulus_linked": ("stimulus_count",),
}
# Only for results saved without structured reasons (``NightResult.null_reasons``): phrases of the twitch
# detectors' own warnings, old and new wording. Never bare "no hypnogram" or "no leg": the scorer's warnings
# ("no hypnogram: indices are per hour...", "no leg movement could be scored") give other reasons.
_NO_EMG = ("no usable emg", "no usable muscle")
_STAGE_BOUND = ("stage-bound",)
_REASON_WORDS: dict[str, tuple[str, ...]] = {
    "hypnic_jerk_count": ("sleep start", *_STAGE_BOUND, *_NO_EMG),
    "fragmentary_myoclonus_count": ("fragmentary", *_STAGE_BOUND, *_NO_EMG),
    "fragmentary_myoclonus_per_min_nrem": ("fragmentary", "no non-rem", "no nrem", *_STAGE_BOUND, *_NO_EMG),
    "efm_present": ("fragmentary", "efm", *_STAGE_BOUND, *_NO_EMG),
    "hft_train_count": ("foot tremor", "no usable leg emg", *_NO_EMG),
    "alma_train_count": ("alma", "no usable leg emg", *_NO_EMG),
    "rhythmic_movement_count": ("rhythmic", *_NO_EMG),
    "long_contraction_count": ("long contraction", *_NO_EMG),
    "rem_twitch_per_min_rem": (
        "rem_twitch",
        "twitches in rem",
        "twitches per minute of rem",
        *_STAGE_BOUND,
        *_NO_EMG,
    ),
    "rswa_any_fds_pct": ("fds", "forearm"),
}
_RSWA_WORDS = ("rswa", "sinbar", "no usable chin", "chin emg")
# which --twitch-types entry produces each key (to tell "not asked for" from "could not be measured")
_KEY_TYPE = {
    "hypnic_jerk_count": "hypnic_jerk",
    "fragmentary_myoclonus_count": "fragmentary_myoclonus",
    "fragmentary_myoclonus_per_min_nrem": "fragmentary_myoclonus",
    "efm_present": "fragmentary_myoclonus",
    "hft_train_count": "hypnagogic_foot_tremor",
    "alma_train_count": "alma",
    "rhythmic_movement_count": "rhythmic_movement",
    "long_contraction_count": "long_contraction",
    "rem_twitch_per_min_rem": "rem_twitch",
}


@dataclass(frozen=True)
class TwitchSentence:
    """The plain sentence about one kind of twitch.

    Attributes
    ----------
    kind : str
        ``hypnic_jerk``, ``fragmentary_myoclonus``, ``hft_alma``, ``rhythmic_movement``, ``long_contraction``,
        ``rem_twitch``, ``rswa`` or ``stimulus_linked``.
    label : str
        Plain name, the start of :attr:`text`.
    text : str
        The whole sentence, label included.
    measured : bool
        ``False`` when every value of the kind is null ("not measured" with the reason).
    alert : bool
        ``True`` when the sentence advises talking to a clinician (RSWA above the SINBAR cut-off, EFM,
        jerks after stimuli beyond chance).
    """

    kind: str
    label: str
    text: str
    measured: bool
    alert: bool = False


def twitch_null_reason(key: str, result: NightResult) -> str:
    """Why a twitch measure (SCORING_SPEC §5 key) is null, in plain words.

    Order: the reason recorded for this key (``NightResult.null_reasons``, which the twitch detectors fill
    for each of their null keys, or ``summary["null_reasons"]``); "not asked for" when the analysis ran other
    kinds only; for results saved without recorded reasons, the first of the twitch detectors' warnings that
    names the kind or its missing channel or stage; else a reason derived from the other values.
    """
    given = _given_reason(key, result)
    if given:
        return given
    tw = result.params.get("twitches") if isinstance(result.params, dict) else None
    run = tw.get("types") if isinstance(tw, dict) else None
    if run == "none" or isinstance(run, list):
        wanted = "rswa" if key.startswith(("rswa_", "rem_epochs")) else _KEY_TYPE.get(key)
        wanted = "stimulus_linked" if key.startswith("stimulus_") else wanted
        if run == "none" or (wanted is not None and wanted not in run):
            return "not asked for in this analysis (see --twitches)"
    words = _REASON_WORDS.get(key) or (_RSWA_WORDS if key.startswith(("rswa_", "rem_epochs")) else ())
    warnings = [str(w) for w in result.warnings]
    for word in words:
        for w in warnings:
            if word in w.lower():
                return plain_warning(w).rstrip(".")
    return _derived_reason(key, result)


def _stage_counts(result: NightResult, event_type: str) -> dict[str, int]:
    ev = result.events
    if ev is None or len(ev) == 0 or "type" not in ev.columns or "stage" not in ev.columns:
        return {}
    rows = ev.loc[ev["type"] == event_type, "stage"]
    counts = rows.astype(object).where(rows.notna(), "?").value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def _stage_phrase(counts: dict[str, int], total: int | None) -> str:
    """``"45 in N2, 29 in N3"`` or ``"all in N2"``; empty when the events and the total disagree."""
    if not counts or total is None or total == 0 or sum(counts.values()) != total:
        return ""
    parts = [(counts[s], _STAGE_WORDS[s]) for s in _STAGE_ORDER if counts.get(s)]
    if counts.get("?"):
        parts.append((counts["?"], "in unscored time"))
    if len(parts) == 1:
        return f"{'all ' if total > 1 else ''}{parts[0][1]}"
    return ", ".join(f"{n} {words}" for n, words in parts)


def pct_text(value: float, cut: float | None = None) -> str:
    """A percentage to read: whole numbers, one decimal when within 1 point of ``cut`` (so above/below shows)."""
    if cut is not None and abs(value - cut) < 1:
        return f"{value:.1f} %"
    return f"{value:.0f} %"


def _int(v: Any) -> int | None:
    n = _num(v)
    return None if n is None else round(n)


def _hypnic(s: dict[str, Any], result: NightResult) -> TwitchSentence | None:
    n = _int(s.get("hypnic_jerk_count"))
    label = "Sleep starts (a sudden jerk as you drift off)"
    if n is None:
        return None
    if n == 0:
        return TwitchSentence("hypnic_jerk", label, f"{label}: none found.", True)
    when = "all while falling asleep" if n > 1 else "while falling asleep"  # also falling back asleep
    return TwitchSentence("hypnic_jerk", label, f"{label}: {n}, {when} — common and harmless.", True)


def _fragmentary(s: dict[str, Any], result: NightResult) -> TwitchSentence | None:
    n = _int(s.get("fragmentary_myoclonus_count"))
    rate = _num(s.get("fragmentary_myoclonus_per_min_nrem"))
    efm = s.get("efm_present")
    label = "Very brief muscle flickers (fragmentary myoclonus)"
    if n is None:
        return None
    if n == 0:
        return TwitchSentence("fragmentary_myoclonus", label, f"{label}: none found in non-REM sleep.", True)
    where = _stage_phrase(_stage_counts(result, "fragmentary_myoclonus"), n)
    text = f"{label}: {n} in non-REM sleep" + (f" ({where})" if where else "")
    if rate is not None:
        text += f", {rate:.1f} per minute"
    if efm is True:
        text += (
            " — often enough to meet the AASM description of excessive fragmentary myoclonus (5 or more a minute "
            "for at least 20 minutes). It is often found in people without any complaint; mention it to a "
            "clinician if you sleep badly or are sleepy in the day."
        )
    else:
        text += " — below the level the AASM calls excessive (5 or more a minute for 20 minutes); usually harmless."
    return TwitchSentence("fragmentary_myoclonus", label, text, True, alert=efm is True)


def _hft_alma(s: dict[str, Any], result: NightResult) -> TwitchSentence | None:
    hft, alma = _int(s.get("hft_train_count")), _int(s.get("alma_train_count"))
    label = "Foot tremor and alternating leg activations (HFT, ALMA)"
    if hft is None and alma is None:
        return None
    measured = [n for n in (hft, alma) if n is not None]
    if not any(measured):
        found = "none found"
    else:
        parts = []
        for n, what, etype in ((hft, "foot-tremor", "hypnagogic_foot_tremor"), (alma, "alternating", "alma")):
            if n is None:
                continue
            where = _stage_phrase(_stage_counts(result, etype), n)
            parts.append(f"{n or 'no'} {what} train{'s' if n != 1 else ''}" + (f" ({where})" if where else ""))
        found = " and ".join(parts) + " — common and usually harmless"
    missing = [(k, name) for k, name in (("hft_train_count", "foot tremor"), ("alma_train_count", "ALMA"))
               if s.get(k) is None and k in s]  # fmt: skip
    tail = "".join(f"; {name} not measured ({twitch_null_reason(k, result)})" for k, name in missing)
    return TwitchSentence("hft_alma", label, f"{label}: {found}{tail}.", True)


def _counted(kind: str, label: str, comment: str) -> Callable[[dict[str, Any], NightResult], TwitchSentence | None]:
    """Sentence maker for a kind reported as a count (``<kind>_count``), with a plain comment when found."""

    def sentence(s: dict[str, Any], result: NightResult) -> TwitchSentence | None:
        n = _int(s.get(f"{kind}_count"))
        if n is None:
            return None
        if n == 0:
            return TwitchSentence(kind, label, f"{label}: none found.", True)
        where = _stage_phrase(_stage_counts(result, kind), n)
        return TwitchSentence(kind, label, f"{label}: {n}" + (f" ({where})" if where else "") + comment, True)

    return sentence


_rhythmic = _counted(
    "rhythmic_movement",
    "Rhythmic movements (rocking, head banging)",
    " — common in children and usually harmless; mention them to a clinician if they hurt you or disturb your sleep.",
)
_long = _counted(
    "long_contraction",
    "Long contractions (a leg muscle tense for more than 10 s)",
    " — possibly cramps or spasms: note in your diary whether you woke with a cramp or pain in your leg that night.",
)


def _rem_twitch(s: dict[str, Any], result: NightResult) -> TwitchSentence | None:
    rate = _num(s.get("rem_twitch_per_min_rem"))
    label = "Twitches in dream (REM) sleep"
    if rate is None:
        return None
    n = sum(_stage_counts(result, "rem_twitch").values())
    count = f"{n} in all, " if n else ""
    text = (
        f"{label}: {count}{rate:.1f} per minute of REM sleep — normal in moderation: brief twitches of the face "
        "and limbs are part of dream sleep."
    )
    return TwitchSentence("rem_twitch", label, text, True)


def _rswa(s: dict[str, Any], result: NightResult) -> TwitchSentence | None:
    anyp = _num(s.get("rswa_any_pct"))
    label = "REM sleep without atonia (muscle tone in dream sleep)"
    if anyp is None:
        return None
    above = s.get("rswa_above_sinbar")
    if not isinstance(above, bool):
        above = anyp > SINBAR_CHIN_PCT
    n_ep = _int(s.get("rem_epochs_scored"))
    of = f" (3-s pieces of {n_ep} REM epochs scored)" if n_ep else ""
    text = f"{label}: chin activity in {pct_text(anyp, SINBAR_CHIN_PCT)} of dream-sleep mini-epochs{of}, "
    fds = _num(s.get("rswa_any_fds_pct"))
    above_fds = s.get("rswa_above_sinbar_fds")
    if fds is not None and not isinstance(above_fds, bool):
        above_fds = fds > SINBAR_CHIN_ARMS_PCT
    side = "above" if above else "not above"
    text += f"{side} the {SINBAR_CHIN_PCT:g} % reference (SINBAR)"
    if fds is not None:
        text += (
            f"; counting the arms too, {pct_text(fds, SINBAR_CHIN_ARMS_PCT)}, "
            f"{'above' if above_fds else 'not above'} the {SINBAR_CHIN_ARMS_PCT:g} % reference"
        )
    alert = bool(above) or bool(above_fds)
    if alert:
        text += " — a measurement, not a diagnosis; talk to a clinician, especially if you act out dreams."
    else:
        text += (
            " — the muscles relaxed in dream sleep as expected. Talk to a clinician anyway if you act out "
            "dreams (punching, kicking, shouting, falling out of bed)."
        )
    return TwitchSentence("rswa", label, text, True, alert=alert)


def _link_window_words(result: NightResult) -> str:
    """``"within half a second"`` or ``"0.02-0.8 s after it"``: the link window the night was scored with."""
    tw = result.params.get("twitches") if isinstance(result.params, dict) else None
    st = tw.get("stimulus_linked") if isinstance(tw, dict) else None
    lo, hi = (st or {}).get("window_s") or (0.02, 0.5)
    return "within half a second" if (float(lo), float(hi)) == (0.02, 0.5) else f"{lo:g}-{hi:g} s after it"


def _stimulus(s: dict[str, Any], result: NightResult) -> TwitchSentence | None:
    """Jerks after sounds or lights: only on nights with stimulus annotations; alarming only beyond chance."""
    n_stim = _int(s.get("stimulus_count"))
    label = "Jerks after sounds or lights"
    if not n_stim:
        return None
    share = _num(s.get("stimulus_linked_share")) or 0.0
    followed = round(share * n_stim)
    p = _num(s.get("stimulus_linked_p"))
    head = f"{label}: {followed} of {n_stim} stimul{'i were' if n_stim != 1 else 'us was'} followed by a jerk "
    head += _link_window_words(result)
    alpha = ((result.params.get("twitches") or {}).get("stimulus_linked") or {}).get("alpha", 0.05)
    if p is None:
        return TwitchSentence("stimulus_linked", label, f"{head} (the chance test could not be run).", True)
    if p < alpha and followed > 0:
        text = (
            f"{head} — more than chance would give (p = {p:.2g}); a clinician can tell whether this is a startle "
            "or stimulus-sensitive myoclonus."
        )
        return TwitchSentence("stimulus_linked", label, text, True, alert=True)
    text = f"{head} — about what chance would give (p = {p:.2g}): no sign that the stimuli set off jerks."
    return TwitchSentence("stimulus_linked", label, text, True)


_SENTENCES = (
    ("hypnic_jerk", "Sleep starts (a sudden jerk as you drift off)", _hypnic),
    ("fragmentary_myoclonus", "Very brief muscle flickers (fragmentary myoclonus)", _fragmentary),
    ("hft_alma", "Foot tremor and alternating leg activations (HFT, ALMA)", _hft_alma),
    ("rhythmic_movement", "Rhythmic movements (rocking, head banging)", _rhythmic),
    ("long_contraction", "Long contractions (a leg muscle tense for more than 10 s)", _long),
    ("rem_twitch", "Twitches in dream (REM) sleep", _rem_twitch),
    ("rswa", "REM sleep without atonia (muscle tone in dream sleep)", _rswa),
    ("stimulus_linked", "Jerks after sounds or lights", _stimulus),
)


def twitch_sentences(result: NightResult) -> list[TwitchSentence]:
    """One plain sentence per kind of twitch of SCORING_SPEC §5, never a diagnosis.

    Kinds whose keys are not in the summary at all are left out; a kind whose values are all null reads
    "not measured" with the reason (:func:`twitch_null_reason`), except stimulus-linked jerks, which get a
    sentence only on nights with stimulus annotations. Counts per stage come from the ``stage``
    column of the events and are given only when they add up to the summary count.

    Parameters
    ----------
    result : NightResult
        Scored night.

    Returns
    -------
    list of TwitchSentence
    """
    s = result.summary
    out = []
    for kind, label, fn in _SENTENCES:
        keys = _KIND_KEYS[kind]
        if not any(k in s for k in keys):
            continue
        sentence = fn(s, result)
        if sentence is None and kind == "stimulus_linked":  # most nights have no stimuli: say nothing
            continue
        if sentence is None:
            key = next(k for k in keys if k in s)
            reason = twitch_null_reason(key, result)
            sentence = TwitchSentence(kind, label, f"{label}: not measured — {reason}.", False)
        out.append(sentence)
    return out
