"""Night metrics for triage: read the JSON written by ``twitchlab analyze`` and combine nights.

Only the ``summary`` keys of SCORING_SPEC §4/§5 are used, plus where the leg-movement counts came
from (``lm_source``: EMG, scored annotations or an accelerometer). Every key may be null or absent.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

from twitchlab.errors import InputFileError

__all__ = [
    "ADULT_PLMS_THRESHOLD",
    "CHILD_PLMS_THRESHOLD",
    "METRIC_KEYS",
    "Night",
    "combine_nights",
    "derive_metrics",
    "load_night",
    "night_from_dict",
]

#: PLMS index above which clinicians look further (ICSD-3): adults and children (< 18 years).
ADULT_PLMS_THRESHOLD = 15.0
CHILD_PLMS_THRESHOLD = 5.0
#: SINBAR chin "any" cut-off (Frauscher et al., Sleep 2012), in %.
SINBAR_CHIN_ANY_PCT = 18.0

#: Booleans combined as "any night" (a red flag on one night is a red flag).
_ANY_KEYS = ("rswa_above_sinbar", "efm_present")
#: Summary keys the rules may read (SCORING_SPEC §4/§5), plus derived keys.
SUMMARY_KEYS = (
    "tst_min", "lm_count", "clm_count", "resp_lm_count", "plm_count", "plms_index", "plms_nr_index",
    "plmw_index", "lms_index", "plms_threshold", "plms_above_threshold", "periodicity_index_sleep",
    "hypnic_jerk_count", "fragmentary_myoclonus_count", "fragmentary_myoclonus_per_min_nrem", "efm_present",
    "hft_train_count", "alma_train_count", "rhythmic_movement_count", "long_contraction_count",
    "rem_twitch_per_min_rem", "rswa_tonic_pct", "rswa_phasic_pct", "rswa_any_pct", "rswa_above_sinbar",
    "rem_epochs_scored", "plm_recording_index", "leg_unscored_nights", "n_nights_leg_scored",
)  # fmt: skip
#: Leg-movement metrics: unknown on a night whose leg EMG could not be scored at all (no reassurance from them).
_LEG_KEYS = (
    "lm_count", "clm_count", "resp_lm_count", "plm_count", "plms_index", "plms_nr_index", "plmw_index", "lms_index",
    "plms_above_threshold", "periodicity_index_sleep", "plm_recording_index",
)  # fmt: skip
#: Indices that are per hour of SLEEP. A night without sleep stages (``indices_per == "hour_of_recording"``)
#: has them per hour of recording instead: they are not sleep indices and never meet the ICSD-3 threshold, so
#: they are read as unknown and the PLM rate is kept as ``plm_recording_index``.
_SLEEP_INDEX_KEYS = (
    "plms_index", "plms_nr_index", "lms_index", "plms_above_threshold", "periodicity_index_sleep",
    "plms_nrem_index", "plms_rem_index", "plms_arousal_index",
)  # fmt: skip
DERIVED_KEYS = (
    "n_answers",
    "n_nights",
    "lm_source",
    "plms_threshold_person",
    "plms_above_person",
    "resp_lm_pct",
    "rswa_above",
)
METRIC_KEYS = SUMMARY_KEYS + DERIVED_KEYS


@dataclass(frozen=True)
class Night:
    """The summary of one analysed night.

    Attributes
    ----------
    summary : dict
        The ``summary`` mapping of the night JSON (values may be None).
    lm_source : str or None
        ``"emg"``, ``"scored"``, ``"accelerometer"`` or None when the file does not say.
    path : str or None
        The file it came from.
    warnings : tuple of str
        The file's own warnings, passed on.
    """

    summary: dict[str, Any]
    lm_source: str | None = None
    path: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _source_of(doc: Mapping[str, Any]) -> str | None:
    candidates = (
        doc.get("lm_source"),
        doc.get("source"),
        (doc.get("params") or {}).get("lm_source") if isinstance(doc.get("params"), Mapping) else None,
        (doc.get("inputs") or {}).get("lm_source") if isinstance(doc.get("inputs"), Mapping) else None,
        (doc.get("summary") or {}).get("lm_source") if isinstance(doc.get("summary"), Mapping) else None,
    )
    for c in candidates:
        if isinstance(c, str) and c.strip().lower() in ("emg", "scored", "accelerometer"):
            return c.strip().lower()
    return None


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def night_from_dict(doc: Mapping[str, Any], *, path: str | None = None) -> Night:
    """Build a :class:`Night` from a parsed night JSON document.

    Parameters
    ----------
    doc : mapping
        The parsed JSON of ``twitchlab analyze`` (needs a ``summary`` mapping).
    path : str, optional
        For messages.

    Returns
    -------
    Night

    Raises
    ------
    InputFileError
        When there is no ``summary`` mapping.
    """
    where = path or "night result"
    summary = doc.get("summary") if isinstance(doc, Mapping) else None
    if not isinstance(summary, Mapping):
        raise InputFileError(f"{where}: no 'summary' section; pass the JSON written by `twitchlab analyze --json`.")
    warnings = tuple(str(w.get("message", w)) if isinstance(w, Mapping) else str(w) for w in doc.get("warnings") or ())
    return Night(
        summary={str(k): _clean(v) for k, v in summary.items()},
        lm_source=_source_of(doc),
        path=path,
        warnings=warnings,
    )


def load_night(path: str | os.PathLike[str]) -> Night:
    """Read one night JSON written by ``twitchlab analyze`` (the file is only read).

    Parameters
    ----------
    path : path-like
        The JSON file.

    Returns
    -------
    Night

    Raises
    ------
    InputFileError
        When the file is not JSON or has no ``summary``.
    """
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputFileError(
            f"{p}: not a JSON night result ({err}). Pass the file from `twitchlab analyze --json`."
        ) from err
    return night_from_dict(doc, path=str(p))


def _night_metrics(summary: Mapping[str, Any]) -> dict[str, Any]:
    """A night's summary as the rules read it: indices per hour of recording are not sleep indices."""
    out = dict(summary)
    out["leg_unscored_nights"] = 1 if leg_unscored(out) else 0
    per = out.get("indices_per")
    if per == "hour_of_recording" or (per is None and out.get("hypnogram_available") is False):
        out["plm_recording_index"] = out.get("plms_index")
        out.update(dict.fromkeys(_SLEEP_INDEX_KEYS))
    if out["leg_unscored_nights"]:
        out.update(dict.fromkeys(_LEG_KEYS))
    return out


def leg_unscored(summary: Mapping[str, Any]) -> bool:
    """True when no leg time of the night could be scored: null counts, or 0 scorable minutes on both legs.

    Its leg-movement metrics are then unknown (an older result may still say 0 movements: that is not
    "no movements").
    """
    if "lm_count" in summary and summary.get("lm_count") is None:
        return True
    left, right = summary.get("scorable_min_left"), summary.get("scorable_min_right")
    numbers = [v for v in (left, right) if isinstance(v, int | float) and not isinstance(v, bool)]
    return len(numbers) == 2 and all(v <= 0 for v in numbers)


def _combine_key(key: str, values: Sequence[Any]) -> Any:
    known = [v for v in values if v is not None]
    if not known:
        return None
    if key in _ANY_KEYS or all(isinstance(v, bool) for v in known):
        return any(bool(v) for v in known)
    numbers = [float(v) for v in known if isinstance(v, int | float) and not isinstance(v, bool)]
    return fmean(numbers) if numbers else None


def combine_nights(nights: Sequence[Night]) -> dict[str, Any]:
    """Combine several nights into one metrics mapping.

    A night without sleep stages (``indices_per == "hour_of_recording"``) gives no sleep index: its PLM rate
    is ``plm_recording_index``, never compared with the threshold. Numbers are averaged over the nights where
    they are known; booleans such as ``rswa_above_sinbar``
    are true when true on any night (a warning sign on one night is a warning sign).
    ``lm_source`` is the least direct source seen (``accelerometer`` < ``emg`` < ``scored``).

    Parameters
    ----------
    nights : sequence of Night

    Returns
    -------
    dict
        Summary keys plus ``n_nights`` and ``lm_source``; empty values are None.
    """
    per_night = [_night_metrics(n.summary) for n in nights]
    out: dict[str, Any] = {k: _combine_key(k, [m.get(k) for m in per_night]) for k in SUMMARY_KEYS}
    out["n_nights"] = len(nights)
    out["leg_unscored_nights"] = sum(m["leg_unscored_nights"] for m in per_night)
    out["n_nights_leg_scored"] = len(nights) - out["leg_unscored_nights"]
    sources = [n.lm_source for n in nights if n.lm_source]
    order = ("accelerometer", "emg", "scored")
    out["lm_source"] = min(sources, key=order.index) if sources else None
    return out


def derive_metrics(metrics: Mapping[str, Any], *, age_years: float | None = None) -> dict[str, Any]:
    """Add the keys the rules use that no single night holds.

    Parameters
    ----------
    metrics : mapping
        Output of :func:`combine_nights` (or an empty mapping when no night was given).
    age_years : float, optional
        From the answers: under 18 the PLMS threshold is 5/h, not 15/h (ICSD-3).

    Returns
    -------
    dict
        ``metrics`` plus ``plms_threshold_person``, ``plms_above_person`` (None when the index is
        unknown), ``resp_lm_pct`` (respiratory-related share of candidate LMs, %) and ``rswa_above``
        (SINBAR chin "any" above 18 % on any night).

    References
    ----------
    .. [1] American Academy of Sleep Medicine. International Classification of Sleep Disorders, 3rd ed.
       Darien, IL: AASM; 2014.
    .. [2] Frauscher B, et al. Normative EMG values during REM sleep for the diagnosis of REM sleep
       behavior disorder. Sleep. 2012;35(6):835-847.
    """
    out = {k: metrics.get(k) for k in METRIC_KEYS}
    out["n_nights"] = metrics.get("n_nights") or 0
    child = age_years is not None and age_years < 18
    threshold = CHILD_PLMS_THRESHOLD if child else (metrics.get("plms_threshold") or ADULT_PLMS_THRESHOLD)
    out["plms_threshold_person"] = threshold
    index = metrics.get("plms_index")
    out["plms_above_person"] = None if index is None else bool(index > threshold)
    clm, resp = metrics.get("clm_count"), metrics.get("resp_lm_count")
    out["resp_lm_pct"] = 100.0 * resp / clm if clm and resp is not None else None
    any_pct, flag = metrics.get("rswa_any_pct"), metrics.get("rswa_above_sinbar")
    votes = [flag, None if any_pct is None else any_pct > SINBAR_CHIN_ANY_PCT]
    out["rswa_above"] = True if any(v is True for v in votes) else (False if any(v is False for v in votes) else None)
    return out
