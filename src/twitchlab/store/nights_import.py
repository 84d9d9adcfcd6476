"""Turn a ``twitchlab analyze`` result (``NightResult.to_json``) into a stored night."""

from __future__ import annotations

import json
import math
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from twitchlab._util import sha256_file
from twitchlab.errors import InputFileError
from twitchlab.store.records import NightRecord, parse_night_date

__all__ = ["night_from_result", "night_from_result_json", "sleep_plm_count"]

_DATE_KEYS = ("night_date", "recording_start", "start", "start_datetime", "meas_date")


def _find_start(doc: dict[str, Any]) -> date | None:
    """Look for the recording start in the places a result may keep it."""
    places: list[Any] = [doc, doc.get("params") or {}, doc.get("summary") or {}]
    inputs = doc.get("inputs")
    places += inputs if isinstance(inputs, list) else [inputs or {}]
    for place in places:
        if not isinstance(place, dict):
            continue
        for key in _DATE_KEYS:
            value = place.get(key)
            if isinstance(value, str) and value:
                try:
                    start = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    continue
                # a recording that starts after midnight but before noon belongs to the previous evening
                return start.date() if start.hour >= 12 else _prev(start)
    return None


def _prev(start: datetime) -> date:
    return date.fromordinal(start.date().toordinal() - 1)


def _opt_int(summary: dict[str, Any], key: str, where: str) -> int | None:
    value = summary.get(key)
    if value is None:
        return None
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        raise InputFileError(f"{where}: summary[{key!r}]={value!r} is not a number.") from None
    if as_float != int(as_float) or as_float < 0:
        raise InputFileError(f"{where}: summary[{key!r}]={value!r} is not a whole count ≥ 0.")
    return int(as_float)


def _opt_float(summary: dict[str, Any], key: str) -> float | None:
    value = summary.get(key)
    return None if value is None else float(value)


def sleep_plm_count(summary: dict[str, Any], where: str = "result") -> int | None:
    """Return the periodic leg movements *during sleep* of an analyze summary.

    ``plm_count`` of an analyze summary counts PLMs in sleep and wake; the store's ``plm_count`` is the
    count over sleep (the numerator of the PLMS index), i.e. the summary's ``plms_count``. Results written
    before ``plms_count`` existed fall back to ``plm_count - plmw_count``, then to the PLMS index times the
    hours it was computed over (``sleep_scorable_min``, else ``tst_min``), else ``None`` (never the count
    that includes wake).
    """
    if "plms_count" in summary:
        return _opt_int(summary, "plms_count", where)
    total = _opt_int(summary, "plm_count", where)
    wake = _opt_int(summary, "plmw_count", where)
    if total is not None and wake is not None and wake <= total:
        return total - wake
    index = _opt_float(summary, "plms_index")
    minutes = _opt_float(summary, "sleep_scorable_min") or _opt_float(summary, "tst_min")
    if index is not None and minutes and math.isfinite(index * minutes) and index >= 0:
        return round(index * minutes / 60.0)
    return None


def _unusable_emg(doc: dict[str, Any], summary: dict[str, Any]) -> str | None:
    """Say why the leg EMG gave no count (no scorable minute on either leg), or ``None`` when it was usable."""
    known = []
    for key in ("scorable_min_left", "scorable_min_right"):
        value = summary.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            known.append(float(value))
    if not known or sum(known) > 0:
        return None
    reason = "the leg EMG was unusable (0 minutes scorable on either leg), so no movement could be counted"
    warnings = doc.get("warnings")
    if isinstance(warnings, list):
        cause = next((w for w in warnings if isinstance(w, str) and "unusable" in w), None)
        if cause:
            reason += f" ({cause.split(';')[0]})"
    return reason


def night_from_result(
    doc: dict[str, Any], *, night_date: date | str | None = None, where: str = "result"
) -> NightRecord:
    """Build a :class:`NightRecord` from a parsed ``NightResult`` JSON document.

    Parameters
    ----------
    doc : dict
        Parsed JSON with a ``summary`` holding ``lm_count``, ``plms_count``, ``plms_index``, ``tst_min`` …
        The stored ``plm_count`` is the PLMs during sleep (see :func:`sleep_plm_count`).
    night_date : date or str, optional
        Evening the night began; by default taken from the recording start found in the document.
    where : str
        Name of the source for messages.

    Returns
    -------
    NightRecord

    Raises
    ------
    InputFileError
        When the document has no ``summary`` or the summary's numbers are not usable.
    """
    summary = doc.get("summary") if isinstance(doc, dict) else None
    if not isinstance(summary, dict):
        raise InputFileError(
            f"{where}: no 'summary' object found; expected the JSON written by `twitchlab analyze` "
            "(NightResult.to_json)."
        )
    if night_date is None:
        found = _find_start(doc)
        if found is None:
            raise InputFileError(
                f"{where}: the recording date is not in the result; pass the night's date (--date YYYY-MM-DD)."
            )
        night_date = found
    day = parse_night_date(night_date, what="night date")
    lm = _opt_int(summary, "lm_count", where)
    plm = sleep_plm_count(summary, where)
    missing = _unusable_emg(doc, summary)
    if missing is None and lm is None and plm is None:
        if not any(k in summary for k in ("lm_count", "plm_count", "plms_count")):
            raise InputFileError(
                f"{where}: summary has neither 'lm_count' nor 'plms_count' (PLMs in sleep); nothing to store."
            )
        missing = "the result has no leg-movement count (the leg EMG could not be scored)"
    if missing is not None:
        lm = plm = None  # a night without usable EMG is missing data, never a count of 0
    tst = _opt_float(summary, "tst_min")
    return NightRecord(
        night_date=day,
        source="analyze",
        lm_count=lm,
        plm_count=plm,
        missing_reason=missing,
        lm_index=_opt_float(summary, "lm_index"),
        plms_index=_opt_float(summary, "plms_index"),
        tst_min=tst if tst else None,
    )


def night_from_result_json(path: str | os.PathLike[str], *, night_date: date | str | None = None) -> NightRecord:
    """Read a ``twitchlab analyze`` JSON file (read-only) into a :class:`NightRecord` with provenance.

    Parameters
    ----------
    path : path-like
        The JSON file.
    night_date : date or str, optional
        Evening the night began (default: from the recording start in the file).

    Returns
    -------
    NightRecord
        With ``source_file``, ``source_sha256`` and the full ``result_json`` kept.

    Raises
    ------
    InputFileError
        When the file is not JSON or not an analyze result.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputFileError(
            f"{p}: not valid JSON (line {err.lineno}, column {err.colno}); give the file written by "
            "`twitchlab analyze --json`."
        ) from err
    rec = night_from_result(doc, night_date=night_date, where=str(p))
    return NightRecord(
        **{
            **{
                k: getattr(rec, k)
                for k in ("night_date", "source", "lm_count", "plm_count", "lm_index", "missing_reason")
            },
            "plms_index": rec.plms_index,
            "tst_min": rec.tst_min,
            "sleep_hours": rec.sleep_hours,
            "source_file": str(p.resolve()),
            "source_sha256": sha256_file(p),
            "result_json": text,
        }
    )
