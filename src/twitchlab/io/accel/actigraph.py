"""ActiGraph ActiLife CSV exports: raw acceleration (with or without timestamps) and epoch counts.

Both start with the same 10-line header (``------------ Data File Created By ActiGraph ...``, serial number,
start time and date, epoch period, download time and date, memory address, battery voltage and mode,
a dashed line). Raw files have an ``at NN Hz`` rate in the first line and epoch ``00:00:00``.
The header's declared date format is not always the one its dates use, so timestamps win when present.
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
from twitchlab.io.accel._common import accel_recording, counts_recording, file_bytes, tolerate
from twitchlab.model import Recording

__all__ = ["is_actigraph", "read_actigraph_csv"]

logger = logging.getLogger(__name__)

_HEADER_LINES = 10
#: Column names of count exports without a header row, by number of columns (ActiLife modes; mode 61 =
#: axis1-3, steps, lux and the four inclinometer states, as GGIRread documents it).
_COUNT_COLUMNS = {
    1: ["axis1"],
    3: ["axis1", "axis2", "axis3"],
    4: ["axis1", "axis2", "axis3", "steps"],
    5: ["axis1", "axis2", "axis3", "steps", "lux"],
    9: ["axis1", "axis2", "axis3", "steps", "lux", "incline_off", "incline_standing", "incline_sitting",
        "incline_lying"],
}  # fmt: skip


def is_actigraph(head: str) -> bool:
    """Whether text starts like an ActiLife CSV export."""
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    return "ActiGraph" in first or ("ActiLife" in first and first.startswith("---"))


def _parse_date(text: str, declared: str, name: str, rec_warnings: list[str]) -> datetime | None:
    """Parse a header date like ``09-12-2017`` with the declared order, or the other when it cannot be."""
    m = re.search(r"(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})", text)
    if not m:
        return None
    a, b, c = (int(x) for x in m.groups())
    day_first = declared.lower().startswith("d")
    orders = [(c, b, a), (c, a, b)] if day_first else [(c, a, b), (c, b, a)]
    if a > 31:  # yyyy-mm-dd
        orders = [(a, b, c)]
    for k, (y, mo, d) in enumerate(orders):
        try:
            out = datetime(y, mo, d)
        except ValueError:
            continue
        if k:
            tolerate(
                rec_warnings,
                f"{name}: header date {m.group()!r} cannot be in its declared format {declared!r}; read it the "
                "other way round.",
            )
        return out
    return None


def _header(lines: list[str], name: str, rec_warnings: list[str]) -> dict[str, object]:
    first = lines[0]
    declared = (re.search(r"date format (\S+)", first) or [None, "M/d/yyyy"])[1]
    hz = re.search(r"at (\d+(?:\.\d+)?) Hz", first)
    info: dict[str, object] = {"declared_date_format": declared, "raw_fs_hz": float(hz.group(1)) if hz else None}
    text = "\n".join(lines[:_HEADER_LINES])
    st = re.search(r"Start Time (\d{1,2}):(\d{2}):(\d{2})", text)
    sd = re.search(r"Start Date ([\d/.\-]+)", text)
    ep = re.search(r"Epoch Period \(hh:mm:ss\) (\d{1,2}):(\d{2}):(\d{2})", text)
    mode = re.search(r"Mode\s*=\s*(\d+)", text)
    serial = re.search(r"Serial Number:\s*([^,\s]+)", text)
    info["mode"] = int(mode.group(1)) if mode else None
    info["serial"] = serial.group(1) if serial else ""
    info["epoch_s"] = (int(ep.group(1)) * 3600 + int(ep.group(2)) * 60 + int(ep.group(3))) if ep else None
    start = None
    if sd:
        day = _parse_date(sd.group(1), str(declared), name, rec_warnings)
        if day is not None and st:
            start = day.replace(hour=int(st.group(1)), minute=int(st.group(2)), second=int(st.group(3)))
    info["start"] = start
    return info


def read_actigraph_csv(path: str | os.PathLike[str], *, location: str = "wrist") -> Recording:
    """Read an ActiLife CSV export: raw acceleration in g, or epoch counts.

    Parameters
    ----------
    path : path-like
        The ``.csv`` file (never modified).
    location : {"ankle", "wrist", "mattress"}
        Where the device was worn.

    Returns
    -------
    Recording
        Raw files: ``accel_x/y/z`` in g at the rate of the header's ``at NN Hz``. Count files:
        ``activity_counts`` (axis 1, the vertical axis) plus ``counts_axis2``, ``counts_axis3``, ``steps``,
        ``lux``, inclinometer columns as present, at one sample per epoch. ``start`` comes from the
        timestamps when the file has them (the header's date format can contradict its own dates).

    Raises
    ------
    InputFileError
        Not an ActiLife export, or no data rows.

    References
    ----------
    ActiGraph. ActiLife 6 user's manual: data export formats (CSV header and modes).
    """
    name = os.path.basename(os.fspath(path))  # messages name the file, not its folders (they reach the report)
    text = file_bytes(path).decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    lines = text.split("\n")
    if not is_actigraph(text) or len(lines) <= _HEADER_LINES:
        raise InputFileError(f"{name}: not an ActiLife CSV export (no ActiGraph header of {_HEADER_LINES} lines).")
    rec_warnings: list[str] = []
    info = _header(lines, name, rec_warnings)
    body = "\n".join(lines[_HEADER_LINES:])
    first = lines[_HEADER_LINES].strip()
    has_names = bool(re.search(r"[A-Za-z]", first.split(",")[0] if first else ""))
    try:
        df = pd.read_csv(io.StringIO(body), header=0 if has_names else None, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputFileError(f"{name}: data table after the header cannot be parsed ({err}).") from err
    df = df.dropna(axis=1, how="all")
    if df.empty:
        raise InputFileError(f"{name}: the ActiLife export holds no data rows.")
    cols = [str(c).strip() for c in df.columns]
    df.columns = cols
    time_col = next((c for c in cols if c.lower().replace(" ", "") in ("timestamp", "date_time", "datetime")), None)
    times = None
    if time_col is not None:
        times = pd.to_datetime(df[time_col], errors="coerce", format="mixed", utc=False)
        if getattr(times.dt, "tz", None) is not None:
            times = times.dt.tz_convert("UTC").dt.tz_localize(None)
        df = df.drop(columns=[time_col])
    is_raw = info["raw_fs_hz"] is not None and (
        any("accelerometer" in c.lower() for c in df.columns) or info["epoch_s"] in (0, None)
    )
    start = info["start"]
    if times is not None and times.notna().any():
        t0 = times.dropna().iloc[0].to_pydatetime()
        if start is not None and abs((t0 - start).total_seconds()) > 1:  # type: ignore[operator]
            tolerate(
                rec_warnings,
                f"{name}: header start {start} disagrees with the first timestamp {t0}; using the timestamp.",
            )
        start = t0
    if is_raw:
        if df.shape[1] < 3:
            raise InputFileError(f"{name}: raw ActiLife export needs 3 acceleration columns, found {df.shape[1]}.")
        acc = df.iloc[:, :3].to_numpy(dtype=np.float64)
        fs_hz = float(info["raw_fs_hz"])  # type: ignore[arg-type]
        time_s = None
        if times is not None:
            t = (times - times.iloc[0]).dt.total_seconds().to_numpy(float)
            time_s = t if np.isfinite(t).all() else None
        return accel_recording(
            acc, fs_hz, path=path, device=f"actigraph #{info['serial']}", location=location, start=start,
            time_s=time_s, rec_warnings=rec_warnings, kind="actigraph_raw_csv",
        )  # fmt: skip
    epoch_s = float(info["epoch_s"] or 0)
    if times is not None and len(times) > 1 and times.notna().all():
        dt = float(np.median(np.diff(times.to_numpy("datetime64[ns]")).astype(np.int64)) / 1e9)
        if epoch_s and abs(dt - epoch_s) > 1e-6:
            tolerate(rec_warnings, f"{name}: header epoch {epoch_s} s but timestamps step {dt} s; using {dt} s.")
        epoch_s = dt
    if not has_names:
        names = _COUNT_COLUMNS.get(df.shape[1], [f"col{i + 1}" for i in range(df.shape[1])])
        df.columns = names
    columns: dict[str, np.ndarray] = {}
    for c in df.columns:
        key = {"axis1": "activity_counts", "axis2": "counts_axis2", "axis3": "counts_axis3", "vm": "counts_vm",
               "vector magnitude": "counts_vm"}.get(c.lower(), c.lower().replace(" ", "_"))  # fmt: skip
        columns[key] = pd.to_numeric(df[c], errors="coerce").to_numpy(np.float64)
    rec = counts_recording(
        columns, epoch_s, path=path, device=f"actigraph #{info['serial']}", location=location, start=start,
        rec_warnings=rec_warnings,
    )  # fmt: skip
    rec.inputs[-1]["mode"] = info["mode"]
    return rec
