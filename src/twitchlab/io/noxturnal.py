"""Nox Noxturnal event exports (CSV, usually UTF-16 with BOM, localised column names).

The first row names the columns (French: ``Heure de début,Heure de fin,Événement,Durée,``; English:
``Start Time,End Time,Event,Duration``), an optional second row gives units (``[],[],[],[s],``), then one
event per row with full ``dd/mm/yyyy hh:mm:ss`` timestamps (nights cross midnight). The duration column
carries fractions of a second that the timestamps round away, so it is preferred over end - start.
Onsets are seconds from the first event's start time (``Annotations.start``); :func:`read_recording`
moves them onto the recording's time axis.
"""

from __future__ import annotations

import csv
import logging
from datetime import datetime
from pathlib import Path

import numpy as np

from twitchlab.errors import InputFileError
from twitchlab.io.annotations import Annotations, build_annotations, decode_text_file
from twitchlab.io.vocab import normalize_text

__all__ = ["read_noxturnal"]

logger = logging.getLogger(__name__)

_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S.%f", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%m/%d/%Y %I:%M:%S %p")  # fmt: skip
_START_COL = ("heure de debut", "start time", "start", "begin", "startzeit")
_END_COL = ("heure de fin", "end time", "end", "stop", "endzeit")
_EVENT_COL = ("evenement", "event", "ereignis", "name", "type")
_DUR_COL = ("duree", "duration", "dauer")


def _parse_time(text: str) -> datetime | None:
    t = text.strip()
    for fmt in _FORMATS:
        try:
            return datetime.strptime(t, fmt)
        except ValueError:
            continue
    return None


def _col(names: list[str], wanted: tuple[str, ...]) -> int | None:
    norm = [normalize_text(n) for n in names]
    for w in wanted:
        if w in norm:
            return norm.index(w)
    return None


def read_noxturnal(path: Path) -> Annotations:
    """Read a Noxturnal event CSV export.

    Parameters
    ----------
    path : Path
        The CSV (UTF-16 with BOM, UTF-8 with or without BOM, or Latin-1).

    Returns
    -------
    Annotations
        Events with canonical types (stages also form the hypnogram), ``start`` = the first event's time.

    Raises
    ------
    InputFileError
        Missing start/event columns or no readable rows.
    """
    name = path.name
    text = decode_text_file(path.read_bytes(), name)
    try:
        rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
    except csv.Error as err:
        raise InputFileError(f"{name}: not readable as CSV ({err}).") from None
    if not rows:
        raise InputFileError(f"{name}: empty file.")
    cols = rows[0]
    i_start, i_end, i_ev, i_dur = (_col(cols, w) for w in (_START_COL, _END_COL, _EVENT_COL, _DUR_COL))
    if i_start is None or i_ev is None:
        raise InputFileError(
            f"{name}: expected Noxturnal columns like 'Heure de début, Heure de fin, Événement, Durée' "
            f"(or Start Time, End Time, Event, Duration); found {cols[:6]}."
        )
    body = rows[1:]
    if body and all(c.strip().startswith("[") or not c.strip() for c in body[0]):
        body = body[1:]  # units row: [],[],[],[s],
    times: list[datetime] = []
    durs: list[float | None] = []
    labels: list[str] = []
    bad: list[int] = []
    for k, row in enumerate(body):
        t0 = _parse_time(row[i_start]) if len(row) > i_start else None
        if t0 is None or len(row) <= i_ev:
            bad.append(k)
            continue
        dur: float | None = None
        if i_dur is not None and len(row) > i_dur and row[i_dur].strip():
            try:
                dur = float(row[i_dur].replace(",", "."))
            except ValueError:
                dur = None
        if dur is None and i_end is not None and len(row) > i_end:
            t1 = _parse_time(row[i_end])
            dur = (t1 - t0).total_seconds() if t1 is not None else None
        if dur is not None and (not np.isfinite(dur) or dur < 0):
            bad.append(k)
            continue
        times.append(t0)
        durs.append(dur)
        labels.append(row[i_ev].strip())
    if not times:
        raise InputFileError(f"{name}: no row with a readable start time (expected dd/mm/yyyy hh:mm:ss).")
    problems = []
    if bad:
        problems.append(f"{name}: {len(bad)} row(s) with an unreadable time or duration were skipped.")
    start = min(times)
    onsets = [(t - start).total_seconds() for t in times]
    return build_annotations(onsets, durs, labels, source=name, kind="noxturnal", start=start, problems=problems)
