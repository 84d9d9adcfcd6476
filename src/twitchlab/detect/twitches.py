"""What kind of twitch: run every detector of SCORING_SPEC §5 on a recording and summarise the night.

:func:`detect_twitches` conditions each EMG channel once (legs, chin, arms), runs the detectors that were
asked for, resolves overlaps between kinds (a burst that belongs to a train is not also a sleep start or a
fragmentary potential; a rhythmic train joined by the leg-movement offset rule is not a long contraction),
and returns one events table, the §5 summary keys (``None`` when a channel or a stage is missing, with the
reason in ``warnings``) and the parameters used. Jerks time-locked to ``stimulus`` annotations are linked by
:mod:`twitchlab.detect.stimulus` from the brief movements found here and the leg movements passed in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from twitchlab.detect._bursts import overlaps_any
from twitchlab.detect._emg import EmgTrace, emg_traces
from twitchlab.detect.fragmentary import detect_fragmentary_myoclonus, efm_summary
from twitchlab.detect.hft_alma import detect_alma, detect_foot_tremor
from twitchlab.detect.hypnic import detect_hypnic_jerks
from twitchlab.detect.long_contraction import detect_long_contractions, long_contractions_from_lms
from twitchlab.detect.rem import RSWA_KEYS, detect_rem_twitches, score_rswa
from twitchlab.detect.rhythmic import detect_rhythmic_movements
from twitchlab.detect.stimulus import LINK_COLUMNS, detect_stimulus_linked, stimulus_summary, stimulus_times
from twitchlab.errors import check_option
from twitchlab.model import STAGE_CODES, TWITCH_EVENT_TYPES, Hypnogram, Recording, empty_events, make_events
from twitchlab.signal.condition import ConditionedEMG

__all__ = ["SUMMARY_KEYS", "TWITCH_TYPES", "TwitchDetection", "detect_twitches"]

logger = logging.getLogger(__name__)

#: What can be asked for with ``types`` (``rswa`` is the chin measurement, the others are event types;
#: ``stimulus_linked`` links jerks to ``stimulus`` annotations, see :mod:`twitchlab.detect.stimulus`).
TWITCH_TYPES = (*TWITCH_EVENT_TYPES, "rswa", "stimulus_linked")

#: Summary keys of SCORING_SPEC §5, in order, plus the SINBAR arm measure and the EFM minutes.
SUMMARY_KEYS = (
    "hypnic_jerk_count",
    "fragmentary_myoclonus_count",
    "fragmentary_myoclonus_per_min_nrem",
    "efm_present",
    "hft_train_count",
    "alma_train_count",
    "rhythmic_movement_count",
    "long_contraction_count",
    "rem_twitch_per_min_rem",
    *RSWA_KEYS,
    "rswa_any_fds_pct",
    "rswa_above_sinbar_fds",
    "stimulus_count",
    "stimulus_linked_count",
    "stimulus_linked_share",
    "stimulus_linked_p",
)

_TRAINS = ("hypnagogic_foot_tremor", "alma", "rhythmic_movement")

#: Brief kinds that can be a jerk after a stimulus, most specific first; leg movements (``lm_events``) come
#: last. Trains and long contractions are not brief jerks and are never candidates.
_JERK_KINDS = ("hypnic_jerk", "rem_twitch", "fragmentary_myoclonus")

#: Candidates of two kinds whose onsets are closer than this are one movement found twice (a sleep start is
#: also a leg movement); the more specific kind is kept. Our choice: two 50-ms envelope windows, the most
#: two detectors' onsets of one burst differ by; far below the spacing of real jerks.
SAME_JERK_S = 0.1

_WHY_NO_STIMULI = "no sound or light stimuli are marked in this recording (no stimulus annotations)"
_NO_STIMULI = f"{_WHY_NO_STIMULI}, so jerks after stimuli were not measured"


# --- why a summary key is null, in plain words (one per key, never a summary key name) ---------------------
_WHY_NOT_ASKED = "not asked for in this analysis (see --twitches)"
_WHY_NO_EMG = "no usable muscle (EMG) channel: the leg, chin and arm channels were missing or unusable"
_WHY_NO_LEG = "no usable leg EMG channel (the leg channels were missing or unusable)"
_WHY_NO_STAGES_ONSET = "no sleep stages (hypnogram) were available, so the moments of falling asleep are unknown"
_WHY_NO_STAGES_NREM = "no sleep stages (hypnogram) were available, so non-REM sleep is unknown"
_WHY_NO_STAGES_REM = "no sleep stages (hypnogram) were available, so REM sleep is unknown"
_WHY_NO_NREM = "no non-REM sleep was scored"
_WHY_NO_REM = "no REM sleep was scored"
_WHY_REM_OUTSIDE = "no REM sleep inside the analysis window (lights off to lights on): it was all outside it"
_WHY_STIMULI_OUTSIDE = (
    "the sound or light stimuli marked in this recording all fall outside the analysis window (lights off to lights on)"
)
_WHY_LONG_SCORED = (
    "no usable leg EMG channel, and scored leg movements cannot show contractions over 10 s (scoring rules end "
    "a leg movement at 10 s)"
)
_WHY_ALMA_ONE_LEG = "ALMA needs a usable left and right leg channel; only one leg could be used"
_WHY_NO_FOREARMS = "needs EMG of both forearms (flexor digitorum superficialis)"


@dataclass
class TwitchDetection:
    """Twitch kinds found in one night.

    Attributes
    ----------
    events : DataFrame
        Events table rows (``type`` one of §5), with extra columns ``channels``, ``n_bursts``, ``rate_hz``.
    summary : dict
        :data:`SUMMARY_KEYS`; ``None`` when the channel or stage needed is missing or the kind was not run.
    warnings : list of str
        Why values are ``None`` or what was tolerated, in plain words.
    params : dict
        Types run and every option passed to the detectors.
    rswa_epochs : DataFrame
        Per-REM-epoch RSWA table (see :class:`twitchlab.detect.rem.RswaResult`).
    reasons : dict of str to str
        For every key of ``summary`` that is ``None``: why, in plain words (the report shows it next to the
        value, so each measure gets its own reason rather than the first warning that mentions it).
    """

    events: pd.DataFrame
    summary: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    rswa_epochs: pd.DataFrame = field(default_factory=pd.DataFrame)
    reasons: dict[str, str] = field(default_factory=dict)


def _parse_types(types: str | Sequence[str]) -> list[str]:
    if isinstance(types, str):
        if types in ("all", "none"):
            return list(TWITCH_TYPES) if types == "all" else []
        types = [t.strip() for t in types.split(",") if t.strip()]
    return [check_option("types", t, TWITCH_TYPES) for t in types]


def _epochs_within(hyp: Hypnogram, start_s: float, end_s: float) -> Hypnogram:
    """``hyp`` with every epoch not wholly inside ``[start_s, end_s]`` set to unscored."""
    onsets = hyp.start_s + np.arange(hyp.n_epochs) * hyp.epoch_s
    outside = (onsets < start_s - 1e-6) | (onsets + hyp.epoch_s > end_s + 1e-6)
    if not outside.any():
        return hyp
    stages = np.where(outside, STAGE_CODES["?"], hyp.stages).astype(hyp.stages.dtype)
    return replace(hyp, stages=stages)


def _starts_within(events: pd.DataFrame, start_s: float, end_s: float) -> np.ndarray:
    """Whether each event starts inside ``[start_s, end_s)``."""
    on = events["onset_s"].to_numpy(float) if len(events) else np.zeros(0)
    return (on >= start_s) & (on < end_s)


def _rswa_reason(
    rswa_warnings: Sequence[str], hyp: Hypnogram | None, chin: EmgTrace | None, why_no_rem: str = _WHY_NO_REM
) -> str:
    """Why the chin's RSWA measures are null: the stage or channel that is missing, else the scorer's words."""
    if hyp is None:
        return _WHY_NO_STAGES_REM
    if chin is None:
        slow = [w for w in rswa_warnings if "Hz" in w]
        return str(slow[0]).rstrip(".") if slow else "no usable chin EMG channel"
    if not (hyp.stages == STAGE_CODES["R"]).any():
        return why_no_rem
    return str(rswa_warnings[0]).rstrip(".") if rswa_warnings else "the chin EMG could not be scored in REM sleep"


def _null_reasons(
    summary: Mapping[str, Any],
    run: Sequence[str],
    *,
    traces: Sequence[EmgTrace],
    legs: Sequence[EmgTrace],
    hyp: Hypnogram | None,
    lm_events: pd.DataFrame | None,
    rswa_reason: str | None,
    arms: Sequence[EmgTrace],
    stim_reason: str | None,
    why_no_rem: str = _WHY_NO_REM,
) -> dict[str, str]:
    """One plain reason for every null key of ``summary`` (see :attr:`TwitchDetection.reasons`)."""
    sides = {t.side for t in legs}
    leg_reason = _WHY_NO_EMG if not traces else _WHY_NO_LEG
    nrem_min = sum(hyp.minutes().get(st, 0.0) for st in ("N1", "N2", "N3")) if hyp is not None else 0.0
    rem_min = hyp.minutes().get("R", 0.0) if hyp is not None else 0.0

    def stage_bound(no_stages: str, no_stage_scored: str | None, minutes: float) -> str:
        if not traces:
            return _WHY_NO_EMG
        if hyp is None:
            return no_stages
        return no_stage_scored if (no_stage_scored and minutes <= 0) else "could not be computed for this night"

    by_kind: dict[str, tuple[str, str]] = {
        "hypnic_jerk_count": ("hypnic_jerk", stage_bound(_WHY_NO_STAGES_ONSET, None, 0.0)),
        "fragmentary_myoclonus_count": ("fragmentary_myoclonus", stage_bound(_WHY_NO_STAGES_NREM, None, 0.0)),
        "fragmentary_myoclonus_per_min_nrem": (
            "fragmentary_myoclonus",
            stage_bound(_WHY_NO_STAGES_NREM, _WHY_NO_NREM, nrem_min),
        ),
        "efm_present": ("fragmentary_myoclonus", stage_bound(_WHY_NO_STAGES_NREM, _WHY_NO_NREM, nrem_min)),
        "hft_train_count": ("hypnagogic_foot_tremor", leg_reason),
        "alma_train_count": ("alma", _WHY_ALMA_ONE_LEG if (legs and not sides >= {"L", "R"}) else leg_reason),
        "rhythmic_movement_count": ("rhythmic_movement", _WHY_NO_EMG),
        "long_contraction_count": ("long_contraction", _WHY_LONG_SCORED if lm_events is not None else leg_reason),
        "rem_twitch_per_min_rem": ("rem_twitch", stage_bound(_WHY_NO_STAGES_REM, why_no_rem, rem_min)),
    }
    out: dict[str, str] = {}
    for key, value in summary.items():
        if value is not None:
            continue
        if key in by_kind:
            kind, why = by_kind[key]
            out[key] = why if kind in run else _WHY_NOT_ASKED
        elif key.startswith("stimulus_"):
            out[key] = stim_reason if "stimulus_linked" in run and stim_reason else _WHY_NOT_ASKED
        elif key.startswith(("rswa_", "rem_epochs")):
            if "rswa" not in run:
                out[key] = _WHY_NOT_ASKED
            elif "fds" in key and summary.get("rswa_any_pct") is not None:
                n_arms = len({a.side for a in arms})
                out[key] = _WHY_NO_FOREARMS + ("; only one arm channel could be used" if n_arms == 1 else "")
            elif "fds" in key and len({a.side for a in arms}) < 2:
                out[key] = f"{rswa_reason or 'the chin EMG could not be scored'}; it also {_WHY_NO_FOREARMS}"
            else:
                out[key] = rswa_reason or "the chin EMG could not be scored in REM sleep"
    return out


def _intervals(df: pd.DataFrame | None) -> np.ndarray:
    if df is None or not len(df):
        return np.zeros((0, 2))
    on = df["onset_s"].to_numpy(float)
    off = df["offset_s"].to_numpy(float) if "offset_s" in df else on + df["duration_s"].to_numpy(float)
    return np.column_stack([on, off])


def _excluded_stretches(rec: Recording, hypnogram: Hypnogram, arousals: pd.DataFrame | None) -> np.ndarray:
    """Artefact annotations, arousals and artefact-coded epochs, as (n, 2) seconds."""
    ev = rec.events
    parts = [_intervals(ev[ev["type"] == "artifact"]) if len(ev) else np.zeros((0, 2))]
    aro = arousals if arousals is not None else (ev[ev["type"] == "arousal"] if len(ev) else None)
    parts.append(_intervals(aro))
    bad = np.flatnonzero(hypnogram.stages == -2)
    on = hypnogram.start_s + bad * hypnogram.epoch_s
    parts.append(np.column_stack([on, on + hypnogram.epoch_s]))
    return np.vstack(parts)


def _drop_inside(ev: pd.DataFrame, spans: np.ndarray, pad_s: float = 0.2) -> pd.DataFrame:
    if not len(ev) or not len(spans):
        return ev
    inside = overlaps_any(ev["onset_s"].to_numpy(float), ev["offset_s"].to_numpy(float), spans, pad_s=pad_s)
    return ev[~inside]


def _candidate_jerks(found: Mapping[str, pd.DataFrame], lm_events: pd.DataFrame | None) -> pd.DataFrame:
    """Brief movements of the night, each once: §5 jerk kinds first, then leg movements not found already."""
    parts = [found[k].assign(type=k) for k in _JERK_KINDS if k in found and len(found[k])]
    if lm_events is not None and len(lm_events):
        parts.append(lm_events if "type" in lm_events.columns else lm_events.assign(type="lm"))
    kept: list[pd.DataFrame] = []
    taken = np.zeros(0)
    for part in parts:
        on = part["onset_s"].to_numpy(float)
        i = np.clip(np.searchsorted(taken, on), 1, max(taken.size, 1))
        near = np.zeros(on.size, bool)
        if taken.size:
            near = np.minimum(np.abs(on - taken[i - 1]), np.abs(on - taken[np.minimum(i, taken.size - 1)]))
            near = near < SAME_JERK_S
        kept.append(part[~near])
        taken = np.sort(np.concatenate([taken, on[~near]]))
    cols = ["type", "onset_s", "offset_s", "side", "peak_amp_uv", "stage", "source", "channels"]
    if not kept:
        return pd.DataFrame({"type": [], "onset_s": []})
    both = pd.concat([k[[c for c in cols if c in k.columns]] for k in kept], ignore_index=True)
    return both.sort_values("onset_s", kind="stable").reset_index(drop=True)


def detect_twitches(
    rec: Recording,
    *,
    hypnogram: Hypnogram | None = None,
    arousals: pd.DataFrame | None = None,
    types: str | Sequence[str] = "all",
    lm_events: pd.DataFrame | None = None,
    traces: Sequence[EmgTrace] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    conditioned: Mapping[str, ConditionedEMG] | None = None,
    beats_s: np.ndarray | None = None,
    window_s: tuple[float, float] | None = None,
) -> TwitchDetection:
    """Find every twitch kind of SCORING_SPEC §5 on the EMG channels of a recording.

    Parameters
    ----------
    rec : Recording
        The night; EMG channels are found by role (``leg_left``, ``leg_right``, ``leg_both``, ``chin``,
        ``arm_left``, ``arm_right``); an ``ecg`` channel is used to blank cardiac artefact.
    hypnogram : Hypnogram, optional
        Stages (default ``rec.hypnogram``). Without stages, stage-bound kinds are ``None``.
    arousals : DataFrame, optional
        ``onset_s``, ``offset_s`` of arousals (default: ``arousal`` rows of ``rec.events``), removed from RSWA.
    types : "all", "none", comma-separated str or sequence
        Kinds to run (:data:`TWITCH_TYPES`).
    lm_events : DataFrame, optional
        Leg movements already detected or scored; long contractions are then taken from them (LMs > 10 s)
        instead of from the EMG, and they are candidate jerks for ``stimulus_linked``.
    traces : sequence of EmgTrace, optional
        Conditioned channels, when the caller has them already.
    options : mapping, optional
        Per-kind keyword options, e.g. ``{"hypnic_jerk": {"min_channels": 1}, "rswa": {"any_phasic_ratio": 4}}``.
    conditioned : mapping of channel label to ConditionedEMG, optional
        Channels band-passed already (``LegMovementDetection.conditioned`` with the extra envelope
        :data:`twitchlab.detect._emg.TWITCH_ENVELOPE`), reused instead of filtering them again.
    beats_s : numpy.ndarray, optional
        The night's heart beats found already (``LegMovementDetection.beats_s``); see :func:`emg_traces`.
    window_s : tuple of float, optional
        Analysis window (lights off, lights on) in seconds. Events are kept when they start inside it, stimuli
        likewise, and epochs not wholly inside both the window and the signal count as unscored, so REM minutes,
        RSWA epochs and fragmentary-myoclonus minutes follow the window as the leg-movement indices do. Epochs
        past the end of the signal are unscored with or without a window.

    Returns
    -------
    TwitchDetection
        Events, summary, warnings and parameters.

    Notes
    -----
    ``stimulus_linked`` (:func:`twitchlab.detect.stimulus.detect_stimulus_linked`, defaults of
    ``docs/stimulus.md``; options under ``options["stimulus_linked"]``): stimuli are the onsets of the
    ``stimulus`` rows of ``rec.events``. Candidate jerks are the brief movements of the same night: the sleep
    starts, REM twitches and fragmentary potentials found in this call (when those kinds run) and the leg
    movements of ``lm_events``. A leg movement whose onset is within :data:`SAME_JERK_S`
    of a twitch event is the same movement and counts once, as the twitch kind. Trains (HFT, ALMA, rhythmic)
    and long contractions are not jerks and are not candidates. Each linked jerk adds a ``stimulus_linked``
    row (its own row stays too) with ``latency_s``, ``stimulus_onset_s`` and ``jerk_type``; the peri-stimulus
    histogram and the chance test are in ``params["stimulus_linked"]``. Without stimulus annotations the four
    ``stimulus_*`` keys are ``None`` with a warning.

    References
    ----------
    .. [1] American Academy of Sleep Medicine. The AASM Manual for the Scoring of Sleep and Associated Events.
    .. [2] American Academy of Sleep Medicine. International Classification of Sleep Disorders, 3rd ed.
    .. [3] Frauscher B et al. Normative EMG values during REM sleep for the diagnosis of REM sleep behavior
       disorder. Sleep 2012;35(6):835-847.
    """
    run = _parse_types(types)
    opts = {k: dict(v) for k, v in (options or {}).items()}
    for k in opts:
        check_option("options key", k, TWITCH_TYPES)
    hyp = hypnogram if hypnogram is not None else rec.hypnogram
    span = (0.0, rec.duration_s if rec.duration_s > 0 else np.inf)
    if window_s is not None:
        span = (max(span[0], float(window_s[0])), min(span[1], float(window_s[1])))
    rem_outside = False
    if hyp is not None:
        had_rem = bool((hyp.stages == STAGE_CODES["R"]).any())
        hyp = _epochs_within(hyp, *span)
        rem_outside = had_rem and not (hyp.stages == STAGE_CODES["R"]).any()
    why_no_rem = _WHY_REM_OUTSIDE if rem_outside else _WHY_NO_REM
    summary: dict[str, Any] = dict.fromkeys(SUMMARY_KEYS)
    warns: list[str] = []
    params: dict[str, Any] = {"types": run, "options": opts}
    if not run:
        none = dict.fromkeys(summary, _WHY_NOT_ASKED)
        return TwitchDetection(
            empty_events(), summary, ["other twitch kinds were not measured (none asked for)"], params, reasons=none
        )
    if traces is None:
        traces, skipped = emg_traces(rec, conditioned=conditioned, beats_s=beats_s, hypnogram=hyp)
        warns += skipped
    traces = [t for t in traces if t.bad_reason is None]  # unusable channels count as missing
    legs = [t for t in traces if t.group == "leg"]
    two_legs = {t.side for t in legs} >= {"L", "R"}
    chin = next((t for t in traces if t.group == "chin"), None)
    arms = [t for t in traces if t.group == "arm"]
    if not traces:
        warns.append("no usable muscle (EMG) channel (legs, chin or arms), so the other twitch kinds were not measured")
    if hyp is None:
        warns.append(
            "no sleep stages (hypnogram): sleep starts, brief muscle flickers (fragmentary myoclonus) and twitches "
            "in REM sleep were not measured, since each is defined by the sleep stage it happens in"
        )
    found: dict[str, pd.DataFrame] = {}

    def want(kind: str) -> bool:
        return kind in run and bool(traces)

    if want("alma") and two_legs:
        found["alma"] = detect_alma(traces, hyp, **opts.get("alma", {}))
    if want("hypnagogic_foot_tremor") and legs:
        found["hypnagogic_foot_tremor"] = detect_foot_tremor(traces, hyp, **opts.get("hypnagogic_foot_tremor", {}))
    if want("rhythmic_movement"):
        found["rhythmic_movement"] = detect_rhythmic_movements(traces, hyp, **opts.get("rhythmic_movement", {}))
    trains = np.vstack([_intervals(found[k]) for k in _TRAINS if k in found] or [np.zeros((0, 2))])
    if want("hypnic_jerk") and hyp is not None:
        found["hypnic_jerk"] = _drop_inside(detect_hypnic_jerks(traces, hyp, **opts.get("hypnic_jerk", {})), trains)
    if want("fragmentary_myoclonus") and hyp is not None:
        fm = detect_fragmentary_myoclonus(traces, hyp, **opts.get("fragmentary_myoclonus", {}))
        found["fragmentary_myoclonus"] = _drop_inside(fm, trains)
    if "long_contraction" in run and (legs or lm_events is not None):
        lc_opts = opts.get("long_contraction", {})
        if lm_events is not None:
            found["long_contraction"] = long_contractions_from_lms(lm_events, hyp, **lc_opts)
        else:
            found["long_contraction"] = _drop_inside(detect_long_contractions(traces, hyp, **lc_opts), trains, 0.0)
    if want("rem_twitch") and hyp is not None:
        found["rem_twitch"] = detect_rem_twitches(traces, hyp, **opts.get("rem_twitch", {}))

    found = {k: v[_starts_within(v, *span)] for k, v in found.items()}  # the window's events only

    # --- summary
    def count(kind: str, ok: bool) -> int | None:
        return len(found[kind]) if kind in found and ok else None

    summary["hypnic_jerk_count"] = count("hypnic_jerk", True)
    if "fragmentary_myoclonus" in found:
        summary.update({k: v for k, v in efm_summary(found["fragmentary_myoclonus"], hyp).items() if k in summary})
    summary["hft_train_count"] = count("hypnagogic_foot_tremor", two_legs or bool(legs))
    summary["alma_train_count"] = count("alma", two_legs)
    if ("alma" in run or "hypnagogic_foot_tremor" in run) and traces and not two_legs:
        warns.append(
            "ALMA (alternating leg muscle activation) needs a usable left and a usable right leg channel, so it "
            "was not measured"
        )
    summary["rhythmic_movement_count"] = count("rhythmic_movement", True)
    summary["long_contraction_count"] = count("long_contraction", True)
    if "long_contraction" in found and not legs and not len(found["long_contraction"]):
        # from scored leg movements only: scorers stop a leg movement at 10 s, so none longer is not a measured 0
        del found["long_contraction"]
        summary["long_contraction_count"] = None
        warns.append(
            "no usable leg EMG channel: long contractions (> 10 s) not measured (scored leg movements cannot show "
            "them: scoring rules end a leg movement at 10 s)"
        )
    elif "long_contraction" in run and not legs and lm_events is None:
        warns.append("no usable leg EMG channel: long contractions (> 10 s) not measured")
    if "rem_twitch" in found and hyp is not None:
        rem_min = hyp.minutes()["R"]
        summary["rem_twitch_per_min_rem"] = len(found["rem_twitch"]) / rem_min if rem_min > 0 else None
        if rem_min == 0:
            where = "inside the analysis window (lights off to lights on)" if rem_outside else "in the hypnogram"
            warns.append(f"no REM sleep {where}, so twitches per minute of REM sleep were not measured")
    rswa_epochs = pd.DataFrame()
    rswa_reason: str | None = None
    stim_reason: str | None = None
    if "rswa" in run:
        raw_chin = rec.channels_with_role("chin")
        res = score_rswa(
            chin,
            hyp,
            excluded=_excluded_stretches(rec, hyp, arousals) if hyp is not None else None,
            arms=arms,
            chin_fs_hz=raw_chin[0].fs_hz if raw_chin else None,
            **opts.get("rswa", {}),
        )
        summary.update(res.summary)
        inside = "inside the analysis window (lights off to lights on)"
        warns += [w.replace("in the hypnogram", inside, 1) if rem_outside else w for w in res.warnings]
        params["rswa"] = res.params
        rswa_epochs = res.epochs
        rswa_reason = _rswa_reason(res.warnings, hyp, chin, why_no_rem)
    if "stimulus_linked" in run:
        all_stim = stimulus_times(rec.events) if len(rec.events) else np.zeros(0)
        stim = all_stim[(all_stim >= span[0]) & (all_stim < span[1])]
        if not stim.size and all_stim.size:
            stim_reason = _WHY_STIMULI_OUTSIDE
            warns.append(f"{stim_reason}, so jerks after stimuli were not measured")
        elif not stim.size:
            warns.append(_NO_STIMULI)
            stim_reason = _WHY_NO_STIMULI
        else:
            res = detect_stimulus_linked(
                _candidate_jerks(found, lm_events),
                stim,
                span_s=span if np.isfinite(span[1]) else None,
                **opts.get("stimulus_linked", {}),
            )
            found["stimulus_linked"] = res.events
            summary.update(stimulus_summary(res))
            warns += [f"stimulus-linked jerks: {w}" for w in res.warnings]
            why = [str(w).rstrip(".") for w in res.warnings if "chance test" in str(w)]
            stim_reason = f"the chance test could not be run ({why[0]})" if why else "the chance test could not be run"
            params["stimulus_linked"] = {
                **res.params,
                "psth_counts": [int(c) for c in res.psth_counts],
                "psth_edges_s": [float(e) for e in res.psth_edges_s],
                "n_jerks": res.n_jerks,
                "n_baseline": res.n_baseline,
                "chance_rate_hz": res.chance_rate_hz,
                "expected_linked": res.expected_linked,
                "time_locked": res.time_locked,
            }
    frames = [f for f in found.values() if len(f)]
    events = make_events(pd.concat(frames, ignore_index=True)) if frames else empty_events()
    extra = {"channels": object, "n_bursts": "Int64", "rate_hz": "float64"}
    if "stimulus_linked" in found:  # the link columns only on nights with stimuli
        extra.update(LINK_COLUMNS)
    for col, dtype in extra.items():
        events[col] = events[col].astype(dtype) if col in events else pd.Series(dtype=dtype, index=events.index)
    for w in warns:
        logger.info("twitches: %s", w)
    reasons = _null_reasons(
        summary,
        run,
        traces=traces,
        legs=legs,
        hyp=hyp,
        lm_events=lm_events,
        rswa_reason=rswa_reason,
        arms=arms,
        stim_reason=stim_reason,
        why_no_rem=why_no_rem,
    )
    return TwitchDetection(events, summary, warns, params, rswa_epochs, reasons)
