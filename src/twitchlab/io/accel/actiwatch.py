"""Philips Respironics Actiwatch: ``.AWD`` count files and Actiware CSV exports (any language).

AWD: a 7-line header (subject, start date ``01-Oct-2009``, start time, epoch code, age, serial, sex) and
then ``count , marker`` lines, written with a decimal comma in some locales. Actiware CSV: long
localised metadata blocks, then an epoch table; the table is found by its shape (line number, date,
time, ...) rather than by its localised column names.
"""

from __future__ import annotations

import io
import logging
import os
import re
from datetime import datetime

import numpy as np
import pandas as pd

from twitchlab.errors import InputFileError
from twitchlab.io.accel._common import counts_recording, file_bytes, tolerate
from twitchlab.model import Recording

__all__ = ["read_actiwatch"]

logger = logging.getLogger(__name__)

#: AWD epoch codes -> seconds (Actiware documentation; the codes GGIRread also uses).
_AWD_EPOCH_S = {"1": 15.0, "2": 30.0, "4": 60.0, "8": 120.0, "20": 300.0, "81": 2.0, "C1": 5.0, "C2": 10.0}
_ROW = re.compile(r"^\s*\d+\s*,\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\s*,\s*\d{1,2}:\d{2}", re.M)
#: Localised column names (English, Dutch, German, French, Spanish) -> our channel names.
_NAMES = {
    "activity_counts": ("activity", "activiteit", "aktivität", "activité", "actividad"),
    "off_wrist": ("off-wrist", "niet-om-pols", "nicht am handgelenk", "hors poignet"),
    "sleep_wake_device": ("sleep/wake", "slapen/waken", "schlaf/wach", "sommeil/éveil", "sueño/vigilia"),
    "marker": ("marker", "markering", "markierung", "marqueur", "marcador"),
}
_POSITIONAL = ["line", "date", "time", "off_wrist", "activity_counts", "marker", "sleep_wake_device", "interval_status"]


def _read_awd(text: str, path: str | os.PathLike[str], location: str) -> Recording:
    name = os.path.basename(os.fspath(path))  # messages name the file, not its folders (they reach the report)
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    if len(lines) < 8:
        raise InputFileError(f"{name}: AWD file needs a 7-line header and data lines; found {len(lines)} lines.")
    rec_warnings: list[str] = []
    try:
        start = datetime.strptime(f"{lines[1]} {lines[2]}", "%d-%b-%Y %H:%M")
    except ValueError:
        start = None
        tolerate(
            rec_warnings, f"{name}: AWD start {lines[1]!r} {lines[2]!r} is not 'dd-Mon-yyyy' 'HH:MM'; no clock time."
        )
    code = lines[3].strip().upper()
    if code not in _AWD_EPOCH_S:
        raise InputFileError(f"{name}: unknown AWD epoch code {code!r} on line 4; known codes {sorted(_AWD_EPOCH_S)}.")
    counts, markers = [], []
    for i, ln in enumerate(lines[7:], start=8):
        if not ln:
            continue
        parts = ln.split(",", 1)
        m = re.match(r"^-?\d+(?:[.,]\d+)?$", parts[0].strip())
        if not m:
            tolerate(rec_warnings, f"{name}: line {i} {ln[:40]!r} is not 'count , marker'; skipped.")
            continue
        counts.append(float(parts[0].strip().replace(",", ".")))
        markers.append(1.0 if ln.rstrip().endswith("M") else 0.0)
    if not counts:
        raise InputFileError(f"{name}: AWD file holds no count lines after its header.")
    rec = counts_recording(
        {"activity_counts": np.asarray(counts), "marker": np.asarray(markers)},
        _AWD_EPOCH_S[code], path=path, device=f"actiwatch #{lines[5]}", location=location, start=start,
        rec_warnings=rec_warnings,
    )  # fmt: skip
    return rec


def _read_actiware_csv(text: str, path: str | os.PathLike[str], location: str) -> Recording:
    name = os.path.basename(os.fspath(path))  # messages name the file, not its folders (they reach the report)
    lines = text.replace("\r\n", "\n").split("\n")
    # tables: runs of rows shaped "n,date,time,..."; take the longest, its header is the nearest row above
    is_row = np.array([bool(_ROW.match(ln)) for ln in lines])
    best: tuple[int, int] | None = None
    i = 0
    while i < len(lines):
        if is_row[i]:
            j = i
            while j < len(lines) and (is_row[j] or not lines[j].strip(", ")):
                j += 1
            if best is None or (j - i) > (best[1] - best[0]):
                best = (i, j)
            i = j
        else:
            i += 1
    if best is None:
        raise InputFileError(f"{name}: no Actiware epoch table (rows 'line,date,time,...') found.")
    hdr_i = best[0] - 1
    while hdr_i >= 0 and not lines[hdr_i].strip(", "):
        hdr_i -= 1
    header = [h.strip().lower() for h in lines[hdr_i].split(",")] if hdr_i >= 0 else []
    rows = [ln for ln in lines[best[0] : best[1]] if ln.strip(", ")]
    df = pd.read_csv(io.StringIO("\n".join(rows)), header=None, dtype=str, keep_default_na=False)
    df = df.loc[:, (df != "").any(axis=0)]
    rec_warnings: list[str] = []
    colmap: dict[str, int] = {}
    for key, words in _NAMES.items():
        for k, h in enumerate(header[: df.shape[1]]):
            if any(w in h for w in words):
                colmap.setdefault(key, k)
    if "activity_counts" not in colmap:
        if df.shape[1] >= len(_POSITIONAL):
            colmap = {k: _POSITIONAL.index(k) for k in ("off_wrist", "activity_counts", "marker", "sleep_wake_device")}
            tolerate(rec_warnings, f"{name}: column names {header[:8]} not recognised; used the Actiware column order.")
        else:
            raise InputFileError(f"{name}: cannot find the activity column in the epoch table header {header[:8]}.")
    dates = df.iloc[:, 1].str.strip()
    first = dates.str.extract(r"^(\d{1,2})[/.-](\d{1,2})")
    day_first = bool((first[0].astype(int) > 12).any()) or not bool((first[1].astype(int) > 12).any())
    stamps = pd.to_datetime(
        dates + " " + df.iloc[:, 2].str.strip(), dayfirst=day_first, errors="coerce", format="mixed"
    )
    if stamps.isna().all():
        raise InputFileError(f"{name}: epoch table dates/times cannot be parsed (first {dates.iloc[0]!r}).")
    diffs = np.diff(stamps.dropna().to_numpy("datetime64[ns]")).astype(np.int64) / 1e9
    epoch_s = float(np.median(diffs)) if diffs.size else 60.0
    columns = {
        key: pd.to_numeric(df.iloc[:, k].str.replace(",", "."), errors="coerce").to_numpy(np.float64)
        for key, k in colmap.items()
    }
    n_nan = int(np.isnan(columns["activity_counts"]).sum())
    if n_nan:
        tolerate(rec_warnings, f"{name}: {n_nan} epochs have no activity value (excluded/off-wrist); kept as missing.")
    serial = re.search(r"(?:Serienummer Actiwatch|Actiwatch Serial Number)[^,]*,([^,\n]+)", text)
    return counts_recording(
        columns, epoch_s, path=path, device=f"actiwatch #{serial.group(1).strip() if serial else ''}",
        location=location, start=stamps.dropna().iloc[0].to_pydatetime(), rec_warnings=rec_warnings,
    )  # fmt: skip


def read_actiwatch(path: str | os.PathLike[str], *, location: str = "wrist") -> Recording:
    """Read an Actiwatch ``.AWD`` file or an Actiware CSV export (language detected from the table shape).

    Parameters
    ----------
    path : path-like
        ``.awd`` or ``.csv`` file (never modified).
    location : {"ankle", "wrist", "mattress"}
        Where the device was worn.

    Returns
    -------
    Recording
        ``activity_counts`` per epoch (missing epochs NaN), plus ``marker``, and for CSV exports
        ``off_wrist`` and ``sleep_wake_device`` (Actiware's own 0 = sleep, 1 = wake score) when present.

    Raises
    ------
    InputFileError
        Unknown epoch code, or no epoch table.

    References
    ----------
    Philips Respironics. Actiware software user manual (AWD layout, CSV export).
    """
    raw = file_bytes(path)
    text = raw.decode("utf-8-sig", errors="replace")
    if str(path).lower().endswith(".awd") or not _ROW.search(text[:200000].replace("\r\n", "\n")):
        first = text.lstrip().split("\n", 1)[0]
        if str(path).lower().endswith(".awd") or re.match(r"^\S+$", first):
            return _read_awd(text, path, location)
    return _read_actiware_csv(text, path, location)
