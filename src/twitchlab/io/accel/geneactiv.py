"""GENEActiv ``.bin`` files (text header, then pages of 300 samples as one hex line each).

scikit-digital-health (``skdh.io.ReadBin``) reads complete files but raises on a truncated one
(``RuntimeError: Data length is shorter than 3600``). Downloads cut short are common, so for those we decode
the pages ourselves, keep every complete page and report the page count the header promised.
Format: GENEActiv instructions manual / binary file description (Activinsights Ltd): each sample is 12 hex
digits, 48 bits ``x(12, signed) y(12) z(12) light(10) button(1) reserved(1)``; ``g = (raw * 100 - offset) / gain``.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import datetime, timedelta

import numpy as np

from twitchlab.errors import InputFileError
from twitchlab.io.accel._common import accel_recording, file_bytes, read_with_skdh, tolerate
from twitchlab.model import Recording

__all__ = ["parse_geneactiv", "read_geneactiv"]

logger = logging.getLogger(__name__)

_SAMPLES_PER_PAGE = 300
_HEX_PER_PAGE = _SAMPLES_PER_PAGE * 12
_HEX_LINE = re.compile(r"^[0-9A-Fa-f]+$")


def _time(text: str) -> datetime | None:
    """``2019-05-21 16:16:43:500`` (milliseconds after a colon) to datetime."""
    m = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})(?::(\d{1,3}))?", text)
    if not m:
        return None
    y, mo, d, h, mi, s, ms = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s)) + timedelta(milliseconds=int(ms or 0))
    except ValueError:
        return None


def _num(header: dict[str, str], key: str, name: str) -> float:
    raw = header.get(key, "")
    m = re.search(r"-?\d+(?:\.\d+)?", raw)
    if not m:
        raise InputFileError(f"{name}: GENEActiv header lacks a number for {key!r} (found {raw!r}); file unusable.")
    return float(m.group())


def parse_geneactiv(text: str, *, name: str = "file") -> dict[str, object]:
    """Decode a GENEActiv ``.bin`` file's text.

    Returns
    -------
    dict
        ``acc_g`` (n, 3), ``light_lux``, ``temperature_c``, ``time_posix`` (n,), ``fs_hz``, ``serial``,
        ``pages_declared``, ``pages_read``, ``partial_page`` (index or None), ``bad_pages`` (list).

    Raises
    ------
    InputFileError
        Not a GENEActiv file, no calibration block, or no complete page.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = [i for i, ln in enumerate(lines) if ln.strip() == "Recorded Data"]
    if not lines or "Device Identity" not in lines[0] or not starts:
        raise InputFileError(f"{name}: not a GENEActiv .bin file (no 'Device Identity'/'Recorded Data' sections).")
    header: dict[str, str] = {}
    for ln in lines[: starts[0]]:
        key, sep, val = ln.partition(":")
        if sep:
            header.setdefault(key.strip().lower(), val.strip())
    gains = np.array([_num(header, f"{a} gain", name) for a in "xyz"])
    offsets = np.array([_num(header, f"{a} offset", name) for a in "xyz"])
    if (gains == 0).any():
        raise InputFileError(f"{name}: GENEActiv calibration gain is 0; the file's calibration block is damaged.")
    lux = _num(header, "lux", name)
    volts = _num(header, "volts", name)
    declared = int(_num(header, "number of pages", name)) if "number of pages" in header else None
    fs_header = _num(header, "measurement frequency", name)
    page_hex: list[str] = []
    page_t: list[float] = []
    page_temp: list[float] = []
    page_fs: list[float] = []
    bad: list[int] = []
    partial = None
    for p, i in enumerate(starts):
        end = starts[p + 1] if p + 1 < len(starts) else len(lines)
        meta: dict[str, str] = {}
        hex_line = ""
        for ln in lines[i + 1 : end]:
            s = ln.strip()
            if _HEX_LINE.match(s) and len(s) >= 12 and ":" not in s:
                hex_line = s
                break
            key, sep, val = s.partition(":")
            if sep:
                meta[key.strip().lower()] = val.strip()
        t = _time(meta.get("page time", ""))
        if len(hex_line) != _HEX_PER_PAGE or t is None:
            if p == len(starts) - 1 and t is not None and len(hex_line) < _HEX_PER_PAGE:
                partial = (p, len(hex_line))
            else:
                bad.append(p)
            continue
        try:
            temp = float(meta.get("temperature", "nan"))
            fs_p = float(meta.get("measurement frequency", fs_header))
        except ValueError:
            bad.append(p)
            continue
        page_hex.append(hex_line)
        page_t.append((t - datetime(1970, 1, 1)).total_seconds())
        page_temp.append(temp)
        page_fs.append(fs_p)
    if not page_hex:
        raise InputFileError(f"{name}: no complete GENEActiv data page (each needs {_HEX_PER_PAGE} hex characters).")
    raw = np.frombuffer(bytes.fromhex("".join(page_hex)), dtype=np.uint8).reshape(-1, 6).astype(np.int64)
    word = np.zeros(raw.shape[0], dtype=np.int64)
    for k in range(6):
        word = (word << 8) | raw[:, k]
    xyz = np.column_stack([(word >> s) & 0xFFF for s in (36, 24, 12)])
    xyz = np.where(xyz >= 2048, xyz - 4096, xyz)
    acc = (xyz * 100.0 - offsets) / gains
    light = ((word >> 2) & 0x3FF) * (lux / volts if volts else 1.0)
    fs_hz = float(page_fs[0])
    within = np.arange(_SAMPLES_PER_PAGE) / fs_hz
    t_posix = (np.asarray(page_t)[:, None] + within[None, :]).ravel()
    temp = np.repeat(np.asarray(page_temp), _SAMPLES_PER_PAGE)
    return {
        "acc_g": acc,
        "light_lux": light,
        "temperature_c": temp,
        "time_posix": t_posix,
        "fs_hz": fs_hz,
        "serial": header.get("device unique serial code", ""),
        "pages_declared": declared,
        "pages_read": len(page_hex),
        "partial_page": partial,
        "bad_pages": bad,
    }


def read_geneactiv(path: str | os.PathLike[str], *, location: str = "wrist", engine: str = "auto") -> Recording:
    """Read a GENEActiv ``.bin`` file.

    Parameters
    ----------
    path : path-like
        The ``.bin`` file (never modified).
    location : {"ankle", "wrist", "mattress"}
        Where the device was worn.
    engine : {"auto", "skdh", "pages"}
        ``auto`` uses skdh for complete files and our page decoder when skdh refuses a file.

    Returns
    -------
    Recording
        ``accel_x/y/z`` (g, calibrated with the file's gains and offsets), ``light_lux``, ``temperature_c``,
        ``time_s`` (from page times); ``device`` = ``"geneactiv #serial"``. A truncated file keeps its complete
        pages and carries a warning naming the pages declared and read.

    Raises
    ------
    InputFileError
        Not a GENEActiv file or no complete page.

    References
    ----------
    Activinsights Ltd. GENEActiv instructions manual, binary data format (page layout and calibration).
    """
    name = os.path.basename(os.fspath(path))  # messages name the file, not its folders (they reach the report)
    text = file_bytes(path).decode("latin-1")
    parsed = parse_geneactiv(text, name=name)
    rec_warnings: list[str] = []
    declared, read = parsed["pages_declared"], parsed["pages_read"]
    problems = declared is not None and declared != read
    if parsed["partial_page"] is not None or parsed["bad_pages"]:
        problems = True
    data = None
    if engine in ("auto", "skdh") and not problems:
        data = _read_skdh(path)
    if data is None:
        data = parsed
    if problems:
        msg = f"{name}: GENEActiv file is truncated or damaged: header declares {declared} pages, {read} complete"
        if parsed["partial_page"] is not None:
            p, n_hex = parsed["partial_page"]  # type: ignore[misc]
            msg += f"; page {p} (0-based) stops after {n_hex} of {_HEX_PER_PAGE} hex characters and is dropped"
        if parsed["bad_pages"]:
            msg += f"; unreadable pages {parsed['bad_pages']} skipped"
        msg += f". Kept {len(parsed['acc_g'])} samples; re-download the file from the device if you can."  # type: ignore[arg-type]
        tolerate(rec_warnings, msg)
    t = np.asarray(data["time_posix"], dtype=np.float64)
    fs_hz = float(data["fs_hz"])  # type: ignore[arg-type]
    start = datetime(1970, 1, 1) + timedelta(seconds=float(t[0]))
    from twitchlab.io.accel.cwa import _gaps_from_times

    return accel_recording(
        np.asarray(data["acc_g"]),
        fs_hz,
        path=path,
        device=f"geneactiv #{parsed['serial']}",
        location=location,
        start=start,
        time_s=t - t[0],
        extra={
            "light_lux": (np.asarray(data["light_lux"]), "lux"),
            "temperature_c": (np.asarray(data["temperature_c"]), "degC"),
        },
        gaps=_gaps_from_times(t, fs_hz) if len(t) > 1 else (),
        rec_warnings=rec_warnings,
        kind="geneactiv_bin",
    )


def _read_skdh(path: str | os.PathLike[str]) -> dict[str, object] | None:
    """Read with skdh; ``None`` when skdh is missing or refuses the file (caller falls back)."""
    d = read_with_skdh("ReadBin", path, errors=(RuntimeError, ValueError, OSError, IndexError), fallback="page decoder")
    if d is None:
        return None
    return {
        "acc_g": d["accel"],
        "light_lux": d["light"],
        "temperature_c": d["temperature"],
        "time_posix": np.asarray(d["time"], dtype=np.float64),
        "fs_hz": float(d["fs"]),
    }
