"""The one code path behind ``twitchlab analyze``, the demo and the cohort runner.

``analyze(source)`` reads a night (a signal file, an annotation file alone, or an in-memory
:class:`~twitchlab.model.Recording`), takes its leg movements from the scored annotations or from our
EMG detector, scores them (:func:`twitchlab.score.score_night`) and returns a
:class:`~twitchlab.results.NightResult` with every input, option and warning recorded.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab.errors import InsufficientDataError, ParameterError, TwitchlabWarning, check_option
from twitchlab.model import RESP_TYPES, Recording
from twitchlab.results import NightResult
from twitchlab.score import RULES, score_night

__all__ = ["LM_SOURCES", "analyze", "scored_lms"]

logger = logging.getLogger(__name__)

LM_SOURCES = ("auto", "scored", "emg")
_LM_SIDES = {"lm_left": "L", "lm_right": "R", "lm": "B"}


def _warn(msg: str, sink: list[str]) -> None:
    sink.append(msg)
    warnings.warn(msg, TwitchlabWarning, stacklevel=3)


def scored_lms(rec: Recording) -> tuple[pd.DataFrame, list[str]]:
    """Leg movements scored in the annotations: ``lm_left`` → L, ``lm_right`` → R, side-less ``lm`` → B.

    ``plm_span`` annotations (a series span such as Noxturnal's ``PLM``) are not movements and are never
    counted.

    Parameters
    ----------
    rec : Recording
        Recording with canonical events.

    Returns
    -------
    tuple
        LM table (``onset_s``, ``offset_s``, ``side``, ``source``, ``label_original``) and warnings.
    """
    notes: list[str] = []
    ev = rec.events_of(*_LM_SIDES)
    lms = pd.DataFrame(
        {
            "onset_s": ev["onset_s"].to_numpy(float),
            "offset_s": ev["offset_s"].to_numpy(float),
            "side": ev["type"].map(_LM_SIDES).to_numpy(object),
            "peak_amp_uv": ev["peak_amp_uv"].to_numpy(float),
            "source": "scored",
            "label_original": ev["label_original"].to_numpy(object),
        }
    )
    n_b = int((lms["side"] == "B").sum())
    if n_b:
        labels = sorted({str(x) for x in lms.loc[lms["side"] == "B", "label_original"]})[:3]
        notes.append(
            f"{n_b} scored leg movement(s) have no side (labels {labels}): scored as side B (both legs), so "
            "bilateral merging cannot be checked for them"
        )
    n_span = len(rec.events_of("plm_span"))
    if n_span:
        notes.append(f"{n_span} 'PLM' span annotation(s) mark a whole series, not a movement: not counted")
    zero = lms["offset_s"] <= lms["onset_s"]
    if zero.any():
        notes.append(
            f"{int(zero.sum())} scored leg movement(s) have no duration: they cannot be checked against the "
            "0.5-10 s rule and are excluded (too_short)"
        )
    return lms, notes


def _no_lms_message(rec: Recording) -> str:
    names = [Path(str(i["path"])).name for i in rec.inputs if i.get("path")]
    several = len(names) > 1  # the events may come from any of the files: do not pin them on the first
    where = f"the files given ({', '.join(names)})" if several else (rec.source or "the annotations")
    its, holds = ("their", "they hold") if several else ("its", "it holds")
    labels = rec.events["label_original"].astype(str)
    msg = f"{where}: no scored leg movements (limb-movement annotations) were found"
    legs = rec.leg_channels()
    if legs:
        msg += (
            f"; {'they include' if several else 'it does have'} leg EMG ({', '.join(ch.label for ch in legs.values())})"
        )
    elif rec.channels:
        msg += f", and it has no leg EMG channel (channels: {', '.join(list(rec.channels)[:8])})"
    phasic = rec.events[(rec.events["type"] == "rem_twitch") & labels.str.contains("leg", case=False, regex=False)]
    if len(phasic):
        msg += (
            f"; {its} {len(phasic)} leg 'phasic' events (e.g. {phasic['label_original'].iloc[0]!r}) are REM phasic "
            "EMG activity marked for RBD scoring (bursts of 0.1-5 s in REM mini-epochs), not leg movements "
            "scored by the WASM/AASM rules, so they are not used for PLM indices"
        )
    lm_arousals = rec.events[(rec.events["type"] == "arousal") & labels.str.contains(r"\bP?LM\b", regex=True)]
    if len(lm_arousals):
        msg += (
            f"; {holds} {len(lm_arousals)} arousal(s) labelled as leg-movement arousals (e.g. "
            f"{lm_arousals['label_original'].iloc[0]!r}), so the LMs were probably scored in another export"
        )
    if legs:
        return msg + (
            ". Use --lm-source emg (or leave it at auto) to detect the movements in that EMG, or pass the file "
            "that holds limb-movement scoring (--annotations FILE); if the night was scored and had no LMs, use "
            "--allow-no-lms (allow_no_scored_lms=True in Python)."
        )
    return msg + (
        ". Pass the file that holds limb-movement scoring (--annotations FILE), or the EDF with leg EMG "
        "(--lm-source emg); if the night was scored and had no LMs, use --allow-no-lms "
        "(allow_no_scored_lms=True in Python)."
    )


def _no_leg_emg_message(rec: Recording) -> str:
    where = rec.source or "the recording"
    if not rec.channels:
        return (
            f"{where} has no signals (it holds annotations only), so there is no leg EMG to detect movements in; "
            "use --lm-source scored (or auto), or give the EDF/BDF recording with leg EMG"
        )
    return (
        f"{where} has no leg EMG channel (channels: {', '.join(list(rec.channels)[:12])}); "
        "name them with --channel left=NAME --channel right=NAME, or use --lm-source scored"
    )


def _detect_lms(rec: Recording, **params: Any) -> Any:
    """Run the EMG leg-movement detector (imported lazily: ``twitchlab.detect.lm``)."""
    from twitchlab.detect.lm import compare_with_scored, detect_leg_movements

    det = detect_leg_movements(rec, **params)
    det.params["lm_counts"] = compare_with_scored(det.events, scored_lms(rec)[0])  # detected vs scored in file
    return det


def _twitch_envelopes() -> tuple[tuple[float, float], ...]:
    """Envelope(s) the twitch traces need (imported lazily; none when the detectors are not installed)."""
    try:
        from twitchlab.detect._emg import TWITCH_ENVELOPE
    except ImportError:
        return ()
    return (TWITCH_ENVELOPE,)


def _unscorable_from_detection(det: Any) -> pd.DataFrame | None:
    """Unscorable stretches per leg from a detection: its ``unscorable`` table, or its per-epoch ``quality``."""
    un = getattr(det, "unscorable", None)
    if isinstance(un, pd.DataFrame):
        return un
    q = getattr(det, "quality", None)
    if not isinstance(q, pd.DataFrame) or len(q) == 0:
        return None
    flag = next((c for c in ("scorable", "is_scorable", "ok") if c in q.columns), None)
    side = next((c for c in ("side", "leg") if c in q.columns), None)
    if flag is None or side is None:
        return None
    if "onset_s" in q.columns:
        on = q["onset_s"].to_numpy(float)
        off = q["offset_s"].to_numpy(float) if "offset_s" in q.columns else on + q.get("duration_s", 30.0)
    elif "epoch" in q.columns:
        params = getattr(det, "params", None)
        ep_s = float(params.get("epoch_s", 30.0)) if isinstance(params, dict) else 30.0
        on = q["epoch"].to_numpy(float) * ep_s
        off = on + ep_s
    else:
        return None
    bad = ~q[flag].astype(bool).to_numpy()
    return pd.DataFrame(
        {"onset_s": np.asarray(on)[bad], "offset_s": np.asarray(off)[bad], "side": q[side][bad].to_numpy()}
    )


def _without_coarse_notes(warns: list[str], labels: Sequence[str]) -> list[str]:
    """The reader's warnings without its coarse-step notes on ``labels`` (the LM detector judged those channels).

    The reader says, when it opens the file, that a channel's digital step is too coarse and "will be reported
    unusable"; the detector then says it is. One verdict per channel is enough.
    """
    from twitchlab.io.units import COARSE_NOTE

    def about(w: str, label: str) -> bool:
        return f"channel {label!r} (" in w and COARSE_NOTE in w

    return [w for w in warns if not any(about(w, label) for label in labels)]


def _detect_twitches(rec: Recording, **kwargs: Any) -> Any:
    """Run the twitch detectors of SCORING_SPEC §5 (imported lazily: ``twitchlab.detect.twitches``)."""
    from twitchlab.detect.twitches import detect_twitches

    return detect_twitches(rec, **kwargs)


def _twitches(
    rec: Recording,
    lms: pd.DataFrame | None,
    arousals: pd.DataFrame | None,
    types: str | Sequence[str],
    options: Mapping[str, Mapping[str, Any]] | None,
    conditioned: Mapping[str, Any] | None = None,
    beats_s: np.ndarray | None = None,
    window: tuple[float, float] | None = None,
) -> Any:
    kw: dict[str, Any] = {"conditioned": conditioned} if conditioned else {}  # legs band-passed already, reused
    if window is not None:  # the twitch kinds follow the analysis window, as the leg-movement indices do
        kw["window_s"] = window
    if conditioned and beats_s is not None:  # and the heart beats the LM detector found (or looked for in vain)
        kw["beats_s"] = beats_s
    try:
        return _detect_twitches(
            rec, arousals=arousals, types=types, lm_events=lms, options=dict(options) if options else None, **kw
        )
    except ImportError as err:  # a slimmed installation without the detectors
        logger.info("twitch detectors not available (%s); §5 keys not measured", err)
        return None


def _coverage(rec: Recording) -> tuple[float | None, float]:
    """Seconds the input declares (``None`` when unknown) and seconds of signal actually read.

    The signal read is the longest channel (annotations merged in later may stretch ``duration_s`` past the
    end of a cut-off file); a recording without channels is as long as its annotations.
    """
    lengths = [c.n_samples / c.fs_hz for c in rec.channels.values() if c.fs_hz > 0]
    read = min(rec.duration_s, max(lengths)) if lengths else rec.duration_s
    declared = getattr(rec, "declared_duration_s", None)
    return (None if declared is None else float(declared)), float(read)


def _merge_events(lm_events: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Leg movements and twitch events in one table, by onset, ids renumbered, dtypes kept."""
    if other is None or len(other) == 0:
        return lm_events
    both = pd.concat([lm_events, other], ignore_index=True)
    both = both.sort_values(["onset_s", "offset_s"], kind="stable").reset_index(drop=True)
    both["event_id"] = np.arange(len(both), dtype=np.int64)
    both["in_sequence"] = both["in_sequence"].astype("boolean").fillna(False).astype(bool)
    both["n_monolateral"] = both["n_monolateral"].astype("Int64")
    both["is_plm_nr"] = both["is_plm_nr"].astype("boolean")
    for col in ("is_clm", "is_plm", "resp_associated", "arousal_associated"):
        both[col] = both[col].astype("boolean").fillna(False).astype(bool)
    for col in [c for c in both.columns if pd.api.types.is_object_dtype(both[c])]:  # missing as None, not NaN
        both[col] = pd.Series(both[col].where(both[col].notna(), None).tolist(), dtype=object)
    return both


def _window(
    rec: Recording, lights_off_s: float | None, lights_on_s: float | None, notes: list[str]
) -> tuple[tuple[float, float], str]:
    off_ev = rec.events_of("lights_off")
    on_ev = rec.events_of("lights_on")
    src = "arguments"
    if lights_off_s is None and len(off_ev):
        lights_off_s, src = float(off_ev["onset_s"].min()), "annotations"
    if lights_on_s is None and len(on_ev):
        lights_on_s, src = float(on_ev["onset_s"].max()), "annotations"
    if lights_off_s is None and lights_on_s is None:
        src = "recording"
    start = 0.0 if lights_off_s is None else float(lights_off_s)
    end = rec.duration_s if lights_on_s is None else float(lights_on_s)
    name = rec.source or "the recording"
    hint = "check --lights-off/--lights-on (seconds from the recording start)"
    if start < 0:
        raise ParameterError(f"lights off ({start:g} s) is before the recording start (0 s); {hint}")
    if end <= 0:
        raise ParameterError(f"lights on ({end:g} s) is not after the recording start (0 s); {hint}")
    if rec.duration_s > 0 and start >= rec.duration_s:
        raise ParameterError(
            f"lights off ({start:g} s) is at or after the end of {name} ({rec.duration_s:g} s); {hint}"
        )
    if start >= end:
        raise ParameterError(
            f"lights off ({start:g} s) is not before lights on ({end:g} s), so the analysis window is empty "
            f"({name} lasts {rec.duration_s:g} s); {hint}"
        )
    if end > rec.duration_s + 1e-6 and rec.duration_s > 0:
        _warn(f"lights on ({end:g} s) is after the end of the recording ({rec.duration_s:g} s); window cut", notes)
        end = rec.duration_s
    return (start, end), src


def analyze(
    source: str | PathLike[str] | Recording,
    *,
    annotations: Sequence[str | PathLike[str]] = (),
    rules: Literal["wasm2016", "aasm"] = "wasm2016",
    lm_source: Literal["auto", "scored", "emg"] = "auto",
    lights_off_s: float | None = None,
    lights_on_s: float | None = None,
    channel_map: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    detector_params: Mapping[str, Any] | None = None,
    allow_no_scored_lms: bool = False,
    twitches: str | Sequence[str] = "all",
    twitch_options: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Callable[[float, float], None] | None = None,
    **options: Any,
) -> NightResult:
    """Analyse one night: read, get leg movements, score them, and return the result.

    Parameters
    ----------
    source : path-like or Recording
        EDF/BDF with leg EMG, an annotation file alone (EDF+ hypnogram, NSRR/Profusion XML, CSV, DOMINO,
        Noxturnal), or an in-memory recording (the demo and cohort runner).
    annotations : sequence of path-like
        Extra annotation files (hypnogram, respiratory events, arousals, scored LMs).
    rules : {"wasm2016", "aasm"}
        Rule set (SCORING_SPEC §3).
    lm_source : {"auto", "scored", "emg"}
        ``scored``: LMs from the annotations; ``emg``: our detector on the leg EMG; ``auto``: ``emg`` when
        leg EMG channels exist, else ``scored``.
    lights_off_s, lights_on_s : float, optional
        Analysis window in seconds from the recording start (default: lights annotations, else all).
    channel_map : mapping, optional
        Channel role overrides (``{"left": "EMG3"}``), passed to the reader.
    units : mapping, optional
        Unit overrides by channel label (``{"LAT": "mV"}``) for files whose header states the wrong unit.
    detector_params : mapping, optional
        Parameters of :func:`twitchlab.detect.lm.detect_leg_movements`.
    allow_no_scored_lms : bool
        With scored LMs, accept annotations that hold none (a night scored with zero LMs) instead of failing.
    twitches : "all", "none", or kinds
        Twitch kinds of SCORING_SPEC §5 to measure on every EMG channel (:func:`twitchlab.detect.twitches.
        detect_twitches`); their summary keys are added (null when a channel or stage is missing) and their
        events join the events table. Long contractions also come from the LMs (> 10 s).
    twitch_options : mapping, optional
        Per-kind options for the twitch detectors.
    progress : callable, optional
        ``progress(done, total)`` while signals are read.
    **options
        Named scoring options (:class:`twitchlab.score.ScoringOptions`).

    Returns
    -------
    NightResult
        Summary, events, hypnogram, params, inputs (with sha256), warnings, quality.

    Raises
    ------
    InsufficientDataError
        No leg movements can be had (no LM annotations, no leg EMG for ``lm_source="emg"``).
    ParameterError
        Bad option, rule set or analysis window.

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.

    Examples
    --------
    >>> from twitchlab.simulate import simulate_night
    >>> night = simulate_night(0, profile="plms")
    >>> result = analyze(night.to_recording())
    >>> result.summary["plms_index"] > 15
    True
    """
    check_option("lm_source", lm_source, LM_SOURCES)
    check_option("rules", rules, RULES)
    notes: list[str] = []
    if isinstance(source, Recording):
        rec = source
        if annotations:
            from twitchlab.io.recording import merge_annotations

            rec = merge_annotations(rec, annotations)
    else:
        from twitchlab.io import read_recording

        rec = read_recording(source, annotations=annotations, channel_map=channel_map, units=units, progress=progress)
    legs = rec.leg_channels()
    reader_notes = list(rec.warnings)
    used = lm_source if lm_source != "auto" else ("emg" if legs else "scored")
    quality = None
    unscorable = None
    conditioned = None
    beats_s = None
    det_params: dict[str, Any] = {}
    inputs = [dict(i) for i in rec.inputs]
    if used == "emg":
        if not legs:
            raise InsufficientDataError(_no_leg_emg_message(rec))
        det_kw = {**({"progress": progress} if progress is not None else {}), **dict(detector_params or {})}
        if twitches != "none":  # the twitch traces' envelope from the same band-passed legs: filter them once
            det_kw.setdefault("extra_envelopes", _twitch_envelopes())
        det = _detect_lms(rec, **det_kw)
        conditioned = getattr(det, "conditioned", None)
        beats_s = getattr(det, "beats_s", None)
        lms = det.events
        quality = getattr(det, "quality", None)
        unscorable = _unscorable_from_detection(det)
        det_params = dict(getattr(det, "params", {}) or {})
        notes += [str(w) for w in getattr(det, "warnings", []) or []]  # the detector issued them already
        judged = [  # the legs whose coarse step the detector reported itself
            ch.label for ch in legs.values() if any(f"{ch.label!r}" in n and "digital resolution" in n for n in notes)
        ]
        reader_notes = _without_coarse_notes(reader_notes, judged)
        inputs.append({"channels": {side: ch.label for side, ch in legs.items()}, "kind": "leg_emg"})
    else:
        lms, lm_notes = scored_lms(rec)
        for w in lm_notes:
            _warn(w, notes)
        if len(lms) == 0 and not allow_no_scored_lms:
            raise InsufficientDataError(_no_lms_message(rec))
    resp = rec.events_of(*RESP_TYPES)
    arousals = rec.events_of("arousal")
    window, window_src = _window(rec, lights_off_s, lights_on_s, notes)
    scored = score_night(
        lms,
        hypnogram=rec.hypnogram,
        resp_events=resp if len(resp) else None,
        arousals=arousals if len(arousals) else None,
        window=window,
        unscorable=unscorable,
        recording_s=rec.duration_s,
        rules=rules,
        **options,
    )
    side_noted = any("have no side" in n for n in notes)
    for w in scored.warnings:
        if not (side_noted and "single both-legs source" in w):
            _warn(w, notes)
    summary = dict(scored.summary)
    if used == "emg":  # a leg with no channel has no scorable time to report (not the whole window)
        legs = rec.leg_channels()
        for side, key in (("L", "scorable_min_left"), ("R", "scorable_min_right")):
            if side not in legs and "B" not in legs:
                summary[key] = None
    events = scored.events
    twitch_params: dict[str, Any] = {"types": "none"}
    null_reasons: dict[str, str] = {}
    if twitches != "none":
        # LMs > 10 s are the long contractions, unless the legs were unscorable (then they are unknown, not 0)
        legs_scorable = (summary.get("scorable_min_left") or 0) + (summary.get("scorable_min_right") or 0) > 0
        lm_for_twitches = lms if (used != "emg" or legs_scorable) else None
        tw = _twitches(
            rec,
            lm_for_twitches,
            arousals if len(arousals) else None,
            twitches,
            twitch_options,
            conditioned,
            beats_s,
            window,
        )
        if tw is not None:
            summary.update(tw.summary)
            events = _merge_events(events, tw.events)
            notes += [str(w) for w in tw.warnings]
            twitch_params = dict(tw.params)
            null_reasons.update(getattr(tw, "reasons", None) or {})
    params = {
        **scored.params,
        "lm_source": used,
        "lm_source_requested": lm_source,
        "window_source": window_src,
        "detector": det_params,
        "twitches": twitch_params,
        # wall-clock start, so a diary can date the night (None for files without a usable date)
        "recording_start": rec.start.isoformat() if rec.start is not None else None,
    }
    declared_s, read_s = _coverage(rec)
    return NightResult(
        summary=summary,
        events=events,
        hypnogram=rec.hypnogram,
        params=params,
        inputs=inputs,
        warnings=[*reader_notes, *notes],
        quality=quality,
        lm_source=used,
        null_reasons=null_reasons,
        recording_declared_s=declared_s,
        recording_read_s=read_s,
    )
