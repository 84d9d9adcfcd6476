"""Byte-level EDF/EDF+ builder for edge-case tests, independent of the code under test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Sig:
    """One signal for :func:`edf_bytes`; ``digital`` has shape (n_records, spr)."""

    label: str
    digital: np.ndarray
    dim: str = "uV"
    pmin: float = -3276.8
    pmax: float = 3276.7
    dmin: int = -32768
    dmax: int = 32767
    extra: dict = field(default_factory=dict)


def _field(value: object, width: int, encoding: str = "latin-1") -> bytes:
    raw = str(value).encode(encoding) if not isinstance(value, bytes) else value
    assert len(raw) <= width, (value, width)
    return raw.ljust(width, b" ")


def tal_record(onset_s: float, annotations: Sequence[tuple[float, float | None, str]] = ()) -> bytes:
    """Time-keeping TAL plus annotations for one data record (EDF+ spec 2.2)."""
    out = f"+{onset_s:g}".encode() + b"\x14\x14\x00"
    for on, dur, text in annotations:
        stamp = f"{on:+g}".encode() + (f"\x15{dur:g}".encode() if dur is not None else b"")
        out += stamp + b"\x14" + text.encode("utf-8") + b"\x14\x00"
    return out


def edf_bytes(
    signals: Sequence[Sig],
    *,
    record_s: float = 1.0,
    n_records: int | None = None,
    n_records_field: str | None = None,
    reserved: str = "",
    tals: Sequence[bytes] | None = None,
    tal_bytes: int = 120,
    startdate: str = "02.01.24",
    starttime: str = "23.00.00",
    recording: str = "Startdate 02-JAN-2024 X X X",
    label_encoding: str = "latin-1",
) -> bytes:
    """Build an EDF (+ optional annotation signal) byte by byte, independent of the code under test."""
    sigs = list(signals)
    n_rec = sigs[0].digital.shape[0] if sigs else len(tals or [])
    if n_records is not None:
        n_rec = n_records
    rows: list[tuple] = [
        (s.label, "", s.dim, s.pmin, s.pmax, s.dmin, s.dmax, "", s.digital.shape[1] if s.digital.ndim == 2 else 0)
        for s in sigs
    ]
    if tals is not None:
        rows.append(("EDF Annotations", "", "", -1, 1, -32768, 32767, "", tal_bytes // 2))
    ns = len(rows)
    head = (
        _field("0", 8)
        + _field("X X X X", 80)
        + _field(recording, 80)
        + _field(startdate, 8)
        + _field(starttime, 8)
        + _field(256 * (ns + 1), 8)
        + _field(reserved, 44)
        + _field(n_records_field if n_records_field is not None else n_rec, 8)
        + _field(f"{record_s:g}", 8)
        + _field(ns, 4)
    )
    widths = (16, 80, 8, 8, 8, 8, 8, 80, 8, 32)
    for k, w in enumerate(widths):
        for r in rows:
            value = r[k] if k < 9 else ""
            head += _field(value, w, label_encoding if k == 0 else "latin-1")
    data = b""
    n_data = sigs[0].digital.shape[0] if sigs else len(tals or [])
    for i in range(n_data):
        for s in sigs:
            data += s.digital[i].astype("<i2").tobytes()
        if tals is not None:
            data += tals[i].ljust(tal_bytes, b"\x00")
    return head + data
