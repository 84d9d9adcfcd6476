"""SOMNOmedics DOMINO text exports (event lists and the ``Sleep profile`` hypnogram).

A header of ``Key: value`` lines (``Signal ID``, ``Start Time``, ``Unit``, ``Signal Type``, optionally
``Events list`` and ``Rate``), a blank line, then one event per line:

- ``hh:mm:ss,fff-hh:mm:ss,fff; <duration s>;<label>`` (``Impuls``; the duration is rounded, we use start/end),
- ``hh:mm:ss,fff-hh:mm:ss,fff; <label>`` (``Generic``, no duration column),
- ``hh:mm:ss,fff; <label>`` (``Discret`` sleep profile, one line per epoch of ``Rate`` seconds).

Times are clock times without a date. A time earlier than the one before it (or than the start) is on the
next day: a night crosses midnight. ``Start Time`` is ``dd.mm.yyyy hh:mm:ss`` or, in other locales,
``m/d/yyyy hh:mm:ss AM|PM``. When a 12-h header would put every event 11-13 h after the start while the
24-h reading of the same clock time puts them inside the first hours (seen in RBDtector's exports), the
24-h reading is used and a warning says so. Stage labels not in the file's own ``Events list`` (``SNORE``)
become unscored epochs with a warning naming them.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

import numpy as np

from twitchlab.errors import InputFileError
from twitchlab.io.annotations import Annotations, build_annotations, decode_text_file
from twitchlab.io.vocab import map_label

__all__ = ["read_domino"]

logger = logging.getLogger(__name__)

_EVENT = re.compile(
    r"^\s*(\d{1,2}):(\d{2}):(\d{2})(?:[,.](\d+))?"
    r"(?:\s*-\s*(\d{1,2}):(\d{2}):(\d{2})(?:[,.](\d+))?)?\s*;\s*(.*)$"
)
_DAY_S = 86400.0


def _clock(h: str, m: str, s: str, frac: str | None) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + (float("0." + frac) if frac else 0.0)


def _parse_start(text: str, name: str) -> tuple[datetime, bool]:
    """Parse ``Start Time``; return the datetime and whether it was written with AM/PM."""
    t = text.strip()
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2,4})\s+(\d{1,2}):(\d{2}):(\d{2})", t)
    if m:
        d, mo, y, hh, mi, ss = (int(x) for x in m.groups())
        ampm = None
    else:
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2,4})\s+(\d{1,2}):(\d{2}):(\d{2})\s*([AaPp][Mm])?", t)
        if not m:
            raise InputFileError(
                f"{name}: Start Time {t!r} is neither 'dd.mm.yyyy hh:mm:ss' nor 'm/d/yyyy hh:mm:ss [AM|PM]'."
            )
        a, b, y, hh, mi, ss = (int(x) for x in m.groups()[:6])
        ampm = m.group(7)
        mo, d = (a, b) if (a <= 12 and (b > 12 or ampm)) else (b, a)  # US order with AM/PM or when day > 12
    if y < 100:
        y += 2000
    if ampm:
        hh = hh % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        return datetime(y, mo, d, hh, mi, ss), ampm is not None
    except ValueError as err:
        raise InputFileError(f"{name}: Start Time {t!r} is not a valid date/time ({err}).") from None


def _offsets(clock_s: np.ndarray, start_s: float) -> np.ndarray:
    """Seconds from the start; a clock time before the previous one (or the start) rolls to the next day."""
    rel = clock_s - start_s
    days = np.zeros(rel.size)
    if rel.size:
        days = np.maximum.accumulate(np.cumsum(np.r_[rel[0] < -1.0, np.diff(rel) < -12 * 3600]).astype(float))
    return rel + days * _DAY_S


def read_domino(path: Path) -> Annotations:
    """Read a SOMNOmedics DOMINO text export.

    Parameters
    ----------
    path : Path
        DOMINO ``.txt`` export (event list or sleep profile).

    Returns
    -------
    Annotations
        Events (onsets from ``Start Time``), the hypnogram for a sleep profile, and the start time.

    Raises
    ------
    InputFileError
        No ``Start Time`` header, an unreadable start, or no event lines.
    """
    name = path.name
    text = decode_text_file(path.read_bytes(), name)
    lines = text.splitlines()
    header: dict[str, str] = {}
    body_start = len(lines)
    for i, line in enumerate(lines):
        if not line.strip():
            body_start = i + 1
            break
        key, sep, value = line.partition(":")
        if not sep:
            raise InputFileError(f"{name}, line {i + 1}: expected 'Key: value' in the DOMINO header, got {line!r}.")
        header[key.strip().lower()] = value.strip()
    if "start time" not in header:
        raise InputFileError(f"{name}: no 'Start Time:' line in the header; is this a DOMINO export?")
    start, twelve_hour = _parse_start(header["start time"], name)
    discrete = header.get("signal type", "").lower().startswith("discret")
    rate = header.get("rate", "")
    m_rate = re.match(r"([\d.,]+)\s*s", rate)
    epoch_s = float(m_rate.group(1).replace(",", ".")) if m_rate else 30.0
    listed = [x.strip() for x in header.get("events list", "").split(",") if x.strip()]
    starts, ends, labels, bad = [], [], [], []
    for i, line in enumerate(lines[body_start:], start=body_start + 1):
        if not line.strip():
            continue
        m = _EVENT.match(line)
        if not m:
            bad.append(i)
            continue
        g = m.groups()
        starts.append(_clock(*g[0:4]))
        ends.append(_clock(*g[4:8]) if g[4] is not None else np.nan)
        label = g[8].split(";")[-1].strip()
        labels.append(label)
    if not labels:
        raise InputFileError(f"{name}: no event lines after the header (expected 'hh:mm:ss,fff-hh:mm:ss,fff; label').")
    problems = []
    if bad:
        problems.append(f"{name}: {len(bad)} line(s) are not events and were skipped (lines {bad[:10]}).")
    clock0 = start.hour * 3600 + start.minute * 60 + start.second
    on = _offsets(np.asarray(starts, float), clock0)
    if twelve_hour and on.size and on.min() >= 11 * 3600:
        alt = _offsets(np.asarray(starts, float), (clock0 + 12 * 3600) % _DAY_S)
        if alt.max() < 12 * 3600:
            problems.append(
                f"{name}: the header says Start Time {header['start time']!r}, which would put every event "
                f"{on.min() / 3600:.1f}-{on.max() / 3600:.1f} h after the start; the 12-hour AM/PM marker is taken "
                f"to be wrong and the start read as {(start.hour + 12) % 24:02d}:{start.minute:02d}. Check the file."
            )
            start = start.replace(hour=(start.hour + 12) % 24)
            on = alt
    end_clock = np.asarray(ends, float)
    dur = np.where(np.isfinite(end_clock), (end_clock - np.asarray(starts, float)) % _DAY_S, np.nan)
    types = None
    if discrete:
        dur = np.full(on.size, epoch_s)
        known = {x.lower() for x in listed}
        types = []
        unknown: dict[str, int] = {}
        for lab in labels:
            typ = map_label(lab).type
            if (known and lab.lower() not in known) or not typ.startswith("stage_"):
                unknown[lab] = unknown.get(lab, 0) + 1
                typ = "stage_unscored"
            types.append(typ)
        if unknown:
            problems.append(
                f"{name}: {sum(unknown.values())} epoch(s) carry stage label(s) "
                f"{', '.join(f'{k!r} ×{v}' for k, v in unknown.items())} that are not sleep stages "
                f"(the file's Events list is {', '.join(listed) or 'empty'}); they were read as unscored."
            )
    elif listed:
        extra = sorted({lab for lab in labels if lab not in listed})
        if extra:
            problems.append(f"{name}: label(s) {extra} are not in the file's own Events list {listed}.")
    durs = [None if not np.isfinite(d) else float(d) for d in dur]
    return build_annotations(
        on, durs, labels, source=name, kind="domino", start=start, epoch_s=epoch_s, problems=problems, types=types
    )
