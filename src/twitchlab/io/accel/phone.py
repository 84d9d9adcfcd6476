"""Generic CSV of time + x/y/z acceleration, as phone sensor apps (and many loggers) export it.

Recognised: a time column (``time``, ``timestamp``, ``seconds_elapsed``, ``Time (s)``, ``t``...) in seconds,
milli-/micro-/nanoseconds since 1970, or date-time text; three axis columns (``x``/``y``/``z``, ``ax``,
``accel_x``, ``Acceleration x (m/s^2)``, ``gFx``...). Units: ``m/s^2`` or ``g`` from the column names; without
a unit the median magnitude decides (about 9.8 means m/s², about 1 means g). Phones sample unevenly, so the
exact sample times are kept in ``time_s`` and the nominal rate is the median rate.
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
from twitchlab.io.accel._common import accel_recording, file_bytes, tolerate
from twitchlab.model import Recording

__all__ = ["G_MS2", "read_phone_csv"]

logger = logging.getLogger(__name__)

#: Standard gravity, m/s² per g.
G_MS2 = 9.80665
_TIME_NAMES = ("seconds_elapsed", "time_s", "time (s)", "elapsed", "timestamp", "time", "t", "datetime", "date_time")


def _axis_columns(cols: list[str]) -> list[str] | None:
    low = [c.lower() for c in cols]
    for ax_pat in (r"(^|[^a-z])({a})($|[^a-z])", r"{a}$", r"^{a}"):
        found = []
        for a in "xyz":
            hits = [
                cols[i]
                for i, c in enumerate(low)
                if re.search(ax_pat.format(a=a), re.sub(r"\(.*?\)|\[.*?\]", "", c).strip())
                and not any(w in c for w in ("gyro", "rot", "mag", "grav", "orient", "angle"))
                and cols[i] not in found
            ]
            if not hits:
                break
            found.append(hits[0])
        if len(found) == 3:
            return found
    return None


def _times_s(col: pd.Series, name: str) -> tuple[np.ndarray, datetime | None]:
    """Seconds from the first sample, and the wall-clock start when the column holds absolute times."""
    num = pd.to_numeric(col, errors="coerce")
    if num.notna().mean() > 0.99:
        v = num.to_numpy(np.float64)
        first = float(np.nanmin(v[:10])) if v.size else 0.0
        for scale, lo in ((1e9, 1e17), (1e6, 1e14), (1e3, 1e11), (1.0, 1e9)):
            if first > lo:
                t = v / scale
                return t - t[0], datetime(1970, 1, 1) + pd.Timedelta(seconds=float(t[0])).to_pytimedelta()
        return v - v[0], None
    ts = pd.to_datetime(col, errors="coerce", format="mixed")
    if ts.isna().mean() > 0.01:
        raise InputFileError(f"{name}: time column values like {col.iloc[0]!r} are neither numbers nor date-times.")
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    t = (ts - ts.iloc[0]).dt.total_seconds().to_numpy(np.float64)
    return t, ts.iloc[0].to_pydatetime()


def read_phone_csv(
    path: str | os.PathLike[str],
    *,
    location: str = "mattress",
    unit: str = "auto",
    device: str = "phone",
) -> Recording:
    """Read a time + x/y/z CSV (phone sensor app or generic logger), converting to g.

    Parameters
    ----------
    path : path-like
        CSV (comma, semicolon or tab separated), never modified.
    location : {"ankle", "wrist", "mattress"}
        Where the phone or logger lay.
    unit : {"auto", "g", "m/s2"}
        Unit of the axis columns; ``auto`` reads it from the names or from the median magnitude.
    device : str
        Name recorded on the Recording.

    Returns
    -------
    Recording
        ``accel_x/y/z`` in g, nominal rate = median sampling rate, ``time_s`` when sampling is uneven.

    Raises
    ------
    InputFileError
        No time or axis columns, fewer than 2 rows, or time going backwards.
    """
    name = os.path.basename(os.fspath(path))  # messages name the file, not its folders (they reach the report)
    text = file_bytes(path).decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=first.count) if any(c in first for c in ",;\t") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, ValueError) as err:
        raise InputFileError(f"{name}: cannot parse as CSV ({err}); export time and x/y/z columns as CSV.") from err
    cols = [str(c).strip() for c in df.columns]
    df.columns = cols
    axes = _axis_columns(cols)
    low = {c.lower(): c for c in cols}
    tcol = next((low[n] for n in _TIME_NAMES if n in low), None)
    if tcol is None:
        tcol = next((c for c in cols if "time" in c.lower() or "date" in c.lower()), None)
    if axes is None or tcol is None:
        raise InputFileError(
            f"{name}: need a time column and x/y/z acceleration columns; found columns {cols[:12]}. "
            "Rename them (e.g. time,x,y,z) or export from the app as CSV with a header row."
        )
    if len(df) < 2:
        raise InputFileError(f"{name}: only {len(df)} data row(s); nothing to analyse.")
    rec_warnings: list[str] = []
    acc = df[axes].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    t, start = _times_s(df[tcol], name)
    ok = np.isfinite(t) & np.isfinite(acc).all(axis=1)
    if not ok.all():
        tolerate(rec_warnings, f"{name}: {int((~ok).sum())} rows without a number in time or x/y/z skipped.")
        acc, t = acc[ok], t[ok]
    if acc.shape[0] < 2:
        raise InputFileError(f"{name}: fewer than 2 usable rows after dropping empty ones.")
    dt = np.diff(t)
    if (dt < 0).any():
        raise InputFileError(
            f"{name}: time goes backwards at data row {int(np.flatnonzero(dt < 0)[0]) + 2} (line "
            f"{int(np.flatnonzero(dt < 0)[0]) + 3} with the header); sort the file by time."
        )
    names = " ".join(axes).lower()
    if unit == "auto":
        if re.search(r"m/s|m s|ms\^?-?2|m/s²", names):
            unit = "m/s2"
        elif re.search(r"\(g\)|\[g\]|_g\b|\bg[fxyz]", names):
            unit = "g"
        else:
            med = float(np.median(np.linalg.norm(acc, axis=1)))
            if 4.0 < med < 20.0:
                unit = "m/s2"
            elif 0.4 < med < 2.5:
                unit = "g"
            else:
                unit = "m/s2"
                tolerate(
                    rec_warnings,
                    f"{name}: median |a| = {med:.3g} fits neither g (~1) nor m/s² (~9.8): gravity may be removed. "
                    "Assumed m/s² (phone default); pass unit='g' if the values are in g.",
                )
    if unit not in ("g", "m/s2"):
        raise InputFileError(f"{name}: unit={unit!r}; use 'auto', 'g' or 'm/s2'.")
    if unit == "m/s2":
        acc = acc / G_MS2
    pos = dt[dt > 0]
    fs_hz = float(1.0 / np.median(pos)) if pos.size else 1.0
    rec = accel_recording(
        acc, fs_hz, path=path, device=device, location=location, start=start, time_s=t,
        rec_warnings=rec_warnings, kind="accel_csv",
    )  # fmt: skip
    rec.inputs[-1]["unit_detected"] = unit
    return rec
