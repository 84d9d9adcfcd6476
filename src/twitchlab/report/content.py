"""What the report says: headline sentences, the indices table, formatting and null reasons.

Both the HTML and the PDF are built from :func:`build_context`, so they say the
same thing. Wording: plain language for the person in the first sections, the
exact terms (PLMS index, CLM, IMI...) in the clinician section; never a diagnosis.

References
----------
Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
Sleep Med 2016;26:86-95. American Academy of Sleep Medicine, ICSD-3 (2014), PLMS index thresholds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twitchlab.report.wording import (
    ACCEL_CAVEAT,
    NOT_ADVICE,
    SEE_CLINICIAN,
    TWITCH_EVENT_TYPES,
    TWITCH_KEYS,
    TWITCH_REFERENCES,
    WHAT_IT_IS_NOT,
    headline,
    null_reason,
    per_recording,
    plain_warning,
    rule_text,
    twitch_null_reason,
    twitch_sentences,
)

if TYPE_CHECKING:  # pragma: no cover
    from twitchlab.results import NightResult

__all__ = [
    "PARAM_MISSING",
    "Row",
    "TwitchRow",
    "build_context",
    "flatten_params",
    "format_value",
    "index_rows",
    "param_text",
    "sig3",
    "twitch_table",
]


@dataclass(frozen=True)
class Row:
    """One line of the indices table."""

    key: str
    label: str
    value: Any
    text: str
    reference: str
    reason: str | None


# key, clinician label, unit kind, reference value
_GROUPS: tuple[tuple[str, tuple[tuple[str, str, str, str], ...]], ...] = (
    ("Periodic limb movements", (
        ("plms_index", "PLMS index (PLM in sleep per hour of sleep)", "rate", "{threshold}"),
        ("plms_nrem_index", "PLMS index in NREM sleep", "rate", "no separate cut-off"),
        ("plms_rem_index", "PLMS index in REM sleep", "rate", "no separate cut-off"),
        ("plmw_index", "PLMW index (PLM in wake per hour of wake)", "rate", "no agreed cut-off"),
        ("plm_count", "PLM, all (analysis window: sleep and wake)", "count", ""),
        ("plms_count", "PLM in sleep", "count", ""),
        ("plmw_count", "PLM in wake", "count", ""),
        ("plm_series_count", "PLM series (analysis window)", "count", "a series is ≥ 4 CLM 10-90 s apart"),
        ("plm_series_mean_len", "Mean series length (movements)", "float1", "≥ 4 by definition"),
        ("periodicity_index_sleep", "Periodicity index, sleep", "ratio", "0-1; higher = more regular (Ferri 2006)"),
        ("periodicity_index_wake", "Periodicity index, wake", "ratio", "0-1"),
        ("plms_threshold", "PLMS index threshold used", "rate", "ICSD-3: 15/h adults, 5/h children"),
        ("plms_above_threshold", "PLMS index above threshold", "bool", ""),
    )),
    ("Leg movements", (
        ("lm_count", "LM, all (analysis window: sleep and wake)", "count", ""),
        ("lm_count_left", "LM, left leg only (analysis window)", "count", ""),
        ("lm_count_right", "LM, right leg only (analysis window)", "count", ""),
        ("lm_count_bilateral", "LM, bilateral (merged; analysis window)", "count", ""),
        ("lm_count_single_channel", "LM on a single both-legs channel", "count", "bilateral rules not applicable"),
        ("clm_count", "Candidate LM (CLM)", "count", "LM 0.5-10 s; bilateral ≤ 15 s"),
        ("lms_index", "LMS index (LM in sleep per hour of sleep)", "rate", "no agreed cut-off"),
        ("imi_median_s", "Median inter-movement interval (onset to onset)", "seconds", "periodic: 10-90 s"),
        ("lm_duration_median_s", "Median LM duration", "seconds", "0.5-10 s (one leg)"),
    )),
    ("Breathing and arousals", (
        ("resp_lm_count", "Respiratory-related LM (CLMr)", "count", "WASM: -2 s to +10.25 s around event end"),
        ("plm_nr_count", "PLM without respiratory-related LM (analysis window: sleep and wake)", "count", ""),
        ("plms_nr_index", "PLMS index without respiratory-related LM", "rate", "{threshold}"),
        ("plms_arousal_index", "PLMS-arousal index (per hour of sleep)", "rate", "no agreed cut-off"),
    )),
    ("Sleep", (
        ("tib_min", "Time in bed (analysis window)", "minutes", ""),
        ("tst_min", "Total sleep time", "minutes", ""),
        ("waso_min", "Wake after sleep onset", "minutes", ""),
        ("sleep_efficiency_pct", "Sleep efficiency", "pct", "≥ 85 % usual in adults"),
        ("n1_min", "N1", "minutes", ""),
        ("n2_min", "N2", "minutes", ""),
        ("n3_min", "N3", "minutes", ""),
        ("rem_min", "REM", "minutes", ""),
    )),
    ("Recording", (
        ("recording_s", "Recording length", "duration", ""),
        ("analysis_start_s", "Analysis window start (lights off)", "clock", ""),
        ("analysis_end_s", "Analysis window end (lights on)", "clock", ""),
        ("scorable_min_left", "Scorable time, left leg", "minutes", ""),
        ("scorable_min_right", "Scorable time, right leg", "minutes", ""),
        ("sleep_scorable_min", "Scorable sleep time", "minutes", "denominator of the sleep indices"),
        ("wake_scorable_min", "Scorable wake time", "minutes", "denominator of the wake indices"),
        ("unscorable_min", "Unscorable time (excluded)", "minutes", ""),
        ("hypnogram_available", "Sleep stages available", "bool", ""),
        ("resp_events_available", "Breathing events available", "bool", ""),
        ("arousals_available", "Arousals available", "bool", ""),
    )),
)  # fmt: skip

_UNIT_OF = {key: unit for _, rows in _GROUPS for key, _, unit, _ in rows}
_UNIT_OF.update({k: "pct" for k in TWITCH_KEYS if k.endswith("_pct")})
_UNIT_OF.update({k: "count" for k in TWITCH_KEYS if k.endswith(("_count", "_scored"))})
_UNIT_OF.update({k: "per_min" for k in TWITCH_KEYS if "_per_min" in k})
_TWITCH_REF = {
    "efm_present": "AASM: >= 5 potentials/min for >= 20 min of NREM",
    "rswa_any_pct": "SINBAR: 18 % (chin)",
    "rswa_any_fds_pct": "SINBAR: 32 % (chin + both FDS)",
    "hypnic_jerk_count": "normal in most people",
    "rem_twitch_per_min_rem": "normal in moderation",
}
#: Labels and references of the sleep-denominated rows when the indices are per hour of recording (no
#: hypnogram): they say so, and never compare with the ICSD-3 threshold, which applies to sleep only.
_NOT_COMPARABLE = "not comparable with the ICSD-3 threshold (it applies to hours of sleep)"
_RECORDING_ROWS: dict[str, tuple[str, str]] = {
    "plms_index": ("PLM index, per hour of recording (no sleep stages were available)", _NOT_COMPARABLE),
    "plms_nr_index": (
        "PLM index without respiratory-related LM, per hour of recording (no sleep stages were available)",
        _NOT_COMPARABLE,
    ),
    "lms_index": ("LM index, per hour of recording (no sleep stages were available)", "no agreed cut-off"),
    "plms_arousal_index": (
        "PLM-arousal index, per hour of recording (no sleep stages were available)",
        "no agreed cut-off",
    ),
    "plms_count": ("PLM in the analysis window (sleep or wake unknown: no sleep stages)", ""),
    "plms_above_threshold": ("PLMS index above threshold", "not compared: no sleep stages were available"),
    "periodicity_index_sleep": ("Periodicity index, whole analysis window (no sleep stages)", "0-1"),
}
#: Rows whose label / reference depend on the rule set: key -> (label key or None, reference key) of RULE_TEXT.
_RULE_ROWS: dict[str, tuple[str | None, str]] = {
    "plm_series_count": (None, "series_ref"),
    "clm_count": ("clm_label", "clm_ref"),
    "imi_median_s": (None, "periodic_range"),
    "lm_duration_median_s": (None, "duration_ref"),
    "resp_lm_count": ("resp_label", "resp_ref"),
}
#: Summary keys stated elsewhere in the report (rule set, units of the indices, scorer's null reasons).
_NOT_SHOWN = {"rules", "indices_per", "null_reasons"}


def _is_scalar_number(v: Any) -> bool:
    return v is None or isinstance(v, (bool, int, float))


#: How a missing parameter reads in the options table (ASCII: the PDF draws that table in Latin-1 core fonts).
PARAM_MISSING = "not available"


def sig3(value: float) -> str:
    """A number to read: whole numbers as they are, others to 3 significant digits (never in e-notation).

    Digits left of the point are kept (``28110.5`` reads ``28110``); tiny or huge non-integers fall back to
    ``:.3g``.

    Parameters
    ----------
    value : float
        The number.

    Returns
    -------
    str
    """
    v = float(value)
    if not math.isfinite(v):
        return PARAM_MISSING
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):d}"
    mag = math.floor(math.log10(abs(v)))
    if mag < -4 or mag >= 15:
        return f"{v:.3g}"
    text = f"{v:.{max(2 - mag, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def param_text(value: Any) -> str:
    """One option value for the clinician's table: ``None`` reads "not available", numbers are rounded.

    Parameters
    ----------
    value : any
        A parameter value (number, bool, str, list, dict...).

    Returns
    -------
    str
        ``"yes"``/``"no"`` for booleans, :func:`sig3` for numbers, list items joined by ", ", an empty list
        or mapping as "none".
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return PARAM_MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return sig3(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(param_text(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {param_text(v)}" for k, v in value.items()) if value else "none"
    return str(value)


def flatten_params(params: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Nested options as ``("detector.onset_uv", "8")`` pairs, sorted by key, values as :func:`param_text`."""
    out: list[tuple[str, str]] = []
    for k, v in params.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out.extend(flatten_params(v, key + "."))
        else:
            out.append((key, param_text(v)))
    return sorted(out)


def _hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def format_value(key: str, value: Any, unit: str | None = None) -> str:
    """Format a summary value for reading; ``"not available"`` for ``None``/NaN.

    Parameters
    ----------
    key : str
        Summary key (chooses the unit when ``unit`` is not given).
    value : any
        The value.
    unit : str, optional
        One of ``rate``, ``count``, ``ratio``, ``pct``, ``minutes``, ``seconds``, ``duration``,
        ``clock``, ``bool``, ``float1``.

    Returns
    -------
    str
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "not available"
    unit = unit or _UNIT_OF.get(key) or ("bool" if isinstance(value, bool) else "auto")
    if unit == "bool" or isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, (int, float)):
        return str(value)
    v = float(value)
    formats = {
        "rate": lambda: f"{v:.1f} /h",
        "count": lambda: f"{round(v):d}",
        "ratio": lambda: f"{v:.2f}",
        "pct": lambda: f"{v:.1f} %",
        "minutes": lambda: f"{v:.1f} min",
        "seconds": lambda: f"{v:.1f} s",
        "per_min": lambda: f"{v:.2f} /min",
        "float1": lambda: f"{v:.1f}",
        "duration": lambda: f"{_hms(v)} (h:mm:ss)",
        "clock": lambda: f"{_hms(v)} from start",
    }
    if unit in formats:
        return formats[unit]()
    return sig3(v)


def index_rows(result: NightResult) -> list[tuple[str, list[Row]]]:
    """Group the summary into labelled rows with reference values and null reasons.

    Keys of the summary that no group names (new keys, twitch kinds) land in a last group
    ``Other measurements``, so every number in the summary appears in the report.
    """
    s = result.summary
    thr = s.get("plms_threshold")
    thr_text = f"> {thr:g}/h (ICSD-3, {'adults' if thr and thr >= 15 else 'children'})" if thr else "> 15/h adults"
    by_recording = per_recording(result)
    rules = rule_text(result)
    out: list[tuple[str, list[Row]]] = []
    seen: set[str] = set()
    for title, rows in _GROUPS:
        group = []
        for key, label, unit, ref in rows:
            if key not in s:
                continue
            seen.add(key)
            if by_recording and key in _RECORDING_ROWS:
                label, ref = _RECORDING_ROWS[key]
            if key in _RULE_ROWS:
                label_key, ref_key = _RULE_ROWS[key]
                label = f"{rules[label_key]} (analysis window)" if label_key else label
                ref = rules[ref_key]
            if key == "recording_s" and getattr(result, "truncated", False):
                ref = f"cut off: the file declares {_hms(float(result.recording_declared_s or 0))} (h:mm:ss)"
            val = s[key]
            text = format_value(key, val, unit)
            reason = null_reason(key, result) if text == "not available" else None
            if by_recording and key == "plms_above_threshold":
                reason = "the threshold counts hours of sleep; no sleep stages were available"
            group.append(Row(key, label, val, text, ref.format(threshold=thr_text), reason))
        if group:
            out.append((title, group))
    rest = [k for k in s if k not in seen and k not in _NOT_SHOWN and _is_scalar_number(s[k])]
    for title, keys in (
        ("Other twitches (what kind)", [k for k in rest if k in TWITCH_KEYS]),
        ("Other measurements", [k for k in rest if k not in TWITCH_KEYS]),
    ):
        group = []
        for key in keys:
            text = format_value(key, s[key])
            reason = null_reason(key, result) if text == "not available" else None
            group.append(Row(key, TWITCH_KEYS.get(key, key.replace("_", " ")), s[key], text, _TWITCH_REF.get(key, ""),
                             reason))  # fmt: skip
        if group:
            out.append((title, group))
    return out


@dataclass(frozen=True)
class TwitchRow:
    """One kind of twitch in the per-stage table of the "What kind of twitches" section."""

    type: str
    label: str
    total: str
    #: per stage column (``W``, ``N1``, ``N2``, ``N3``, ``R``): ``(count, "x.x /h")`` or ``None`` when unknown
    stages: dict[str, tuple[int, str] | None]
    rate: str
    reference: str
    reason: str | None


#: Stage columns of the twitch table.
TWITCH_STAGES = {"W": "Wake", "N1": "N1", "N2": "N2", "N3": "N3", "R": "REM"}
_COUNT_KEY = {
    "hypnic_jerk": "hypnic_jerk_count",
    "fragmentary_myoclonus": "fragmentary_myoclonus_count",
    "hypnagogic_foot_tremor": "hft_train_count",
    "alma": "alma_train_count",
    "rhythmic_movement": "rhythmic_movement_count",
    "long_contraction": "long_contraction_count",
    "rem_twitch": "rem_twitch_per_min_rem",  # no count key: the count comes from the events
}
_RATE_KEY = {
    "fragmentary_myoclonus": ("fragmentary_myoclonus_per_min_nrem", "{:.2f} /min of NREM"),
    "rem_twitch": ("rem_twitch_per_min_rem", "{:.2f} /min of REM"),
}


def twitch_table(result: NightResult) -> list[TwitchRow]:
    """Counts per stage (and per hour of that stage) of each twitch kind, with the night's rate and reference.

    A kind is listed when its summary key is in the summary (null: "not measured" with the reason) or its
    events are in the table. Stage counts come from the events' ``stage`` column and are left blank when they
    do not add up to the summary count; densities use the minutes of each stage in the hypnogram.
    """
    s = result.summary
    ev = result.events
    has_ev = ev is not None and len(ev) > 0 and "type" in ev.columns
    minutes = result.hypnogram.minutes() if result.hypnogram is not None else {}
    out = []
    for etype, label in TWITCH_EVENT_TYPES.items():
        key = _COUNT_KEY[etype]
        rows = ev[ev["type"] == etype] if has_ev else None
        n_ev = 0 if rows is None else len(rows)
        if key not in s and n_ev == 0:
            continue
        value = s.get(key)
        if key in s and value is None:
            out.append(TwitchRow(etype, label, "not measured", {}, "", TWITCH_REFERENCES[etype],
                                 twitch_null_reason(key, result)))  # fmt: skip
            continue
        total = n_ev if etype == "rem_twitch" or value is None else round(float(value))
        stages: dict[str, tuple[int, str] | None] = dict.fromkeys(TWITCH_STAGES)
        if rows is not None and "stage" in rows.columns and n_ev == total and minutes:
            counts = rows["stage"].astype(object).value_counts()
            for st in TWITCH_STAGES:
                c = int(counts.get(st, 0))
                mins = minutes.get(st, 0.0)
                rate_h = c / (mins / 60) if mins > 0 else None
                stages[st] = (c, "" if rate_h is None else f"{rate_h:.0f}/h" if rate_h >= 10 else f"{rate_h:.1f}/h")
        rate = ""
        if etype in _RATE_KEY and s.get(_RATE_KEY[etype][0]) is not None:
            rate = _RATE_KEY[etype][1].format(float(s[_RATE_KEY[etype][0]]))
        out.append(TwitchRow(etype, label, str(total), stages, rate, TWITCH_REFERENCES[etype], None))
    return out


def _counts(result: NightResult) -> dict[str, int]:
    ev = result.events
    lm = ev[ev["type"] == "lm"] if len(ev) else ev
    col = lambda c: lm[c].astype(bool) if c in lm.columns else None  # noqa: E731
    arousal = col("arousal_associated")
    plm = col("is_plm")
    return {
        "lm": len(lm),
        "arousal_lm": int(arousal.sum()) if arousal is not None else 0,
        "arousal_plm": int((arousal & plm).sum()) if arousal is not None and plm is not None else 0,
        "resp_lm": int(col("resp_associated").sum()) if "resp_associated" in lm.columns else 0,
        "other_events": int((ev["type"] != "lm").sum()) if len(ev) else 0,
    }


def _input_row(item: dict[str, Any]) -> dict[str, str]:
    """One input for the provenance table: ``path`` (or a description), ``kind``, ``sha256``.

    Only the file name is shown: the report is written to be shared (with a clinician) and the folders of the
    person's machine are none of its business; the SHA-256 identifies the file. The night JSON keeps the path.
    """
    rest = {k: v for k, v in item.items() if k not in ("path", "kind", "sha256")}
    detail = "; ".join(
        f"{k}: " + (", ".join(f"{a}={b}" for a, b in v.items()) if isinstance(v, dict) else str(v))
        for k, v in rest.items()
    )
    path = Path(str(item["path"])).name if item.get("path") else ""
    return {
        "path": f"{path} ({detail})" if path and detail else (path or detail or "unnamed input"),
        "kind": str(item.get("kind") or ""),
        "sha256": str(item.get("sha256") or ""),
    }


def _twitch_figures(result: NightResult) -> list[str]:
    """Twitch figures worth drawing: the raster when twitch events exist, RSWA when a percentage exists."""
    from twitchlab.report.figures import stimulus_psth_params, twitch_types_present

    keys = ["twitch_raster"] if twitch_types_present(result) else []
    if any(result.summary.get(k) is not None for k in ("rswa_tonic_pct", "rswa_phasic_pct", "rswa_any_pct")):
        keys.append("rswa")
    if result.summary.get("stimulus_count") and stimulus_psth_params(result) is not None:
        keys.append("stimulus_psth")
    return keys


def build_context(result: NightResult) -> dict[str, Any]:
    """Everything the templates need, as plain values (no figures).

    Parameters
    ----------
    result : NightResult
        Scored night.

    Returns
    -------
    dict
        ``headline`` (two sentences), ``rows`` (from :func:`index_rows`), ``counts``,
        ``twitch_rows`` (label, text) and ``twitch_missing`` (null twitch measures no sentence names),
        ``twitch_sentences`` (one plain sentence per kind), ``twitch_table`` (per-stage counts),
        ``twitch_figures`` (keys of :data:`twitchlab.report.figures.TWITCH_FIGURES` to draw), wording blocks
        and provenance fields.
    """
    s = result.summary
    twitch = [(TWITCH_KEYS[k], format_value(k, s[k])) for k in TWITCH_KEYS if s.get(k) is not None]
    missing = [k for k in TWITCH_KEYS if k in s and s[k] is None]
    # (text, is the arm measure): each with its own reason
    gaps = [
        (f"{TWITCH_KEYS[k]} ({null_reason(k, result)})", False)
        for k in missing
        if not k.startswith(("rswa_", "rem_epochs", "stimulus_"))
    ]
    if "rswa_any_pct" in missing:
        gaps.append((f"muscle tone in REM sleep (RSWA; {null_reason('rswa_any_pct', result)})", False))
    elif "rswa_any_fds_pct" in missing:
        gaps.append((f"chin and arm activity in REM (SINBAR 32 %; {null_reason('rswa_any_fds_pct', result)})", True))
    sentences = twitch_sentences(result) if twitch else []
    # each kind's sentence says what was not measured and why; only the arm measure is left
    twitch_missing = [text for text, arms in gaps if arms or not sentences]
    has_resp = s.get("resp_events_available")
    if has_resp is None:
        has_resp = s.get("plms_nr_index") is not None or bool(s.get("resp_lm_count"))
    has_arousals = s.get("arousals_available")
    if has_arousals is None:
        has_arousals = s.get("plms_arousal_index") is not None
    rules = result.params.get("rules") or "not stated"
    by_recording = per_recording(result)
    return {
        "rule_text": rule_text(result),
        "headline": headline(result),
        "per_recording": by_recording,
        "plms_card_label": (
            "periodic leg movements per hour of recording (no sleep stages were available)"
            if by_recording
            else "periodic leg movements per hour of sleep (PLMS index)"
        ),
        "rows": index_rows(result),
        "counts": _counts(result),
        "twitch_rows": twitch,
        "twitch_missing": twitch_missing,
        "twitch_sentences": sentences,
        "twitch_table": twitch_table(result) if twitch else [],
        "twitch_stages": TWITCH_STAGES,
        "twitch_figures": _twitch_figures(result) if twitch else [],
        "has_resp": bool(has_resp),
        "has_arousals": bool(has_arousals),
        "rules": rules,
        "rules_name": {"wasm2016": "WASM 2016 (Ferri et al. 2016)", "aasm": "AASM manual"}.get(rules, rules),
        "params": flatten_params(result.params),
        "warnings": [plain_warning(str(w)) for w in result.warnings],
        "inputs": [_input_row(i) for i in result.inputs],
        "version": result.twitchlab_version,
        "lm_source": result.lm_source,
        "accel_caveat": ACCEL_CAVEAT if result.lm_source == "accelerometer" else None,
        "not_advice": NOT_ADVICE,
        "what_it_is_not": WHAT_IT_IS_NOT,
        "see_clinician": SEE_CLINICIAN,
        "fmt": format_value,
        "s": s,
    }
