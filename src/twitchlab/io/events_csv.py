"""CSV/TSV annotation files: onset, duration, description (incl. BIDS ``events.tsv``).

Columns are found by name, case-insensitively: onset (``onset``, ``onset_s``, ``start``, ``start_s``,
``time``, ``begin``), duration (``duration``, ``duration_s``, ``dur``; or an ``offset``/``end`` column), and
the label (``description``, ``label``, ``event``, ``annotation``, ``trial_type``, ``type``, ``value``).
Onsets are seconds from the recording start. BIDS ``n/a`` durations are instant events. Rows whose onset or
duration is not a number, and rows with an empty or missing label (``""``, ``n/a``, ``NaN``...), are skipped
and listed by line number in a warning.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np

from twitchlab.errors import InputFileError
from twitchlab.io.annotations import Annotations, build_annotations, decode_text_file

__all__ = ["read_events_csv"]

logger = logging.getLogger(__name__)

_ONSET = ("onset", "onset_s", "onset_sec", "start", "start_s", "start_time", "time", "time_s", "begin")
_DURATION = ("duration", "duration_s", "dur", "duration_sec", "length")
_OFFSET = ("offset", "offset_s", "end", "end_s", "stop", "end_time")
_LABEL = ("description", "label", "event", "annotation", "trial_type", "type", "value", "name", "event_type")
_MISSING = {"", "n/a", "na", "nan", "none", "null", "-"}


def _pick(columns: list[str], names: tuple[str, ...]) -> int | None:
    low = [c.strip().lower().replace(" ", "_") for c in columns]
    for n in names:
        if n in low:
            return low.index(n)
    return None


def _number(text: str) -> float | None:
    t = text.strip()
    if t.lower() in _MISSING:
        return None
    try:
        v = float(t.replace(",", ".")) if t.count(",") == 1 and "." not in t else float(t)
    except ValueError:
        return np.nan
    return v


def _lines(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:10])) + ("..." if len(numbers) > 10 else "")


def read_events_csv(path: Path) -> Annotations:
    """Read a CSV/TSV of annotations.

    Parameters
    ----------
    path : Path
        Comma-, semicolon- or tab-separated text with a header row.

    Returns
    -------
    Annotations
        Events with canonical types; ``start`` is ``None`` (onsets are from the recording start).

    Raises
    ------
    InputFileError
        No header with an onset and a label column (the message lists the columns found), or no rows.
    """
    name = path.name
    text = decode_text_file(path.read_bytes(), name)
    numbered = [(k, ln) for k, ln in enumerate(text.splitlines(), start=1)]
    numbered = [(k, ln) for k, ln in numbered if ln.strip() and not ln.lstrip().startswith("#")]
    lines = [ln for _, ln in numbered]
    if not lines:
        raise InputFileError(f"{name}: empty annotation file; expected a header row with onset, duration, description.")
    head = lines[0]
    delim = "\t" if "\t" in head else (";" if head.count(";") > head.count(",") else ",")
    try:
        rows = list(csv.reader(lines, delimiter=delim))
    except csv.Error as err:
        raise InputFileError(f"{name}: not readable as CSV ({err}).") from None
    columns = rows[0]
    i_on, i_lab = _pick(columns, _ONSET), _pick(columns, _LABEL)
    i_dur, i_off = _pick(columns, _DURATION), _pick(columns, _OFFSET)
    if i_on is None or i_lab is None:
        raise InputFileError(
            f"{name}: not an annotation table: the header has columns {columns[:10]} but needs an onset column "
            f"(one of {', '.join(_ONSET[:4])}...) and a label column (one of {', '.join(_LABEL[:5])}...). "
            "Rename the columns, e.g. onset,duration,description (seconds from the recording start)."
        )
    onsets: list[float] = []
    durs: list[float | None] = []
    labels: list[str] = []
    bad: list[int] = []
    unlabelled: list[int] = []
    for (line_no, _), row in zip(numbered[1:], rows[1:], strict=False):
        need = max(i for i in (i_on, i_lab, i_dur, i_off) if i is not None)
        if len(row) <= need:
            bad.append(line_no)
            continue
        on = _number(row[i_on])
        dur = _number(row[i_dur]) if i_dur is not None else None
        if i_off is not None and dur is None:
            off = _number(row[i_off])
            dur = None if off is None or on is None else off - on
        if on is None or not np.isfinite(on) or (dur is not None and (not np.isfinite(dur) or dur < 0)):
            bad.append(line_no)
            continue
        label = row[i_lab].strip()
        if label.lower() in _MISSING:
            unlabelled.append(line_no)
            continue
        onsets.append(on)
        durs.append(dur)
        labels.append(label)
    problems = []
    if bad:
        problems.append(
            f"{name}: {len(bad)} row(s) skipped because the onset or duration is missing, negative or not a number "
            f"(line{'s' if len(bad) > 1 else ''} {_lines(bad)})."
        )
    if unlabelled:
        problems.append(
            f"{name}: {len(unlabelled)} row(s) skipped because the label is empty or missing "
            f"(line{'s' if len(unlabelled) > 1 else ''} {_lines(unlabelled)})."
        )
    if not onsets and (bad or unlabelled):
        raise InputFileError(f"{name}: no usable rows; {' '.join(problems)}")
    return build_annotations(onsets, durs, labels, source=name, kind="csv", problems=problems)
