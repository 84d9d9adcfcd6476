"""EDF/EDF+/BDF header parsing with checks that name the field, the signal and what to do.

We parse the fixed-width ASCII header ourselves (it is 256 + 256 × n_signals bytes) rather than through
edfio, because we need: numbers with surrounding blanks (BioSemi writes ``"  1     "``), Latin-1 *and*
UTF-8 labels, an invalid start date that is a warning and not a crash, a record count that disagrees with
the file size, and exact errors instead of bare ``ValueError``. The header is read once; the file is never
opened for writing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from twitchlab.errors import InputFileError

__all__ = ["EdfHeader", "SignalHeader", "decode_text", "parse_header"]

_MAX_SIGNALS = 4096
_MONTHS = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}


def decode_text(raw: bytes) -> str:
    """Decode a header field: UTF-8 when valid (Nox writes ``Impédance`` in UTF-8), else Latin-1; strip blanks."""
    raw = raw.replace(b"\x00", b" ")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.strip()


@dataclass(frozen=True)
class SignalHeader:
    """Header fields of one signal (numbers parsed, text decoded)."""

    index: int
    label: str
    transducer: str
    physical_dimension: str
    physical_min: float
    physical_max: float
    digital_min: int
    digital_max: int
    prefiltering: str
    samples_per_record: int

    @property
    def is_annotation(self) -> bool:
        """Whether this is an ``EDF Annotations`` / ``BDF Annotations`` signal."""
        return self.label in ("EDF Annotations", "BDF Annotations")


@dataclass(frozen=True)
class EdfHeader:
    """Parsed main header plus signal headers and the layout of the data records."""

    path: Path
    fmt: str  # "EDF" or "BDF"
    patient: str
    recording: str
    start: datetime | None
    header_bytes: int
    reserved: str
    n_records_declared: int
    n_records: int  # complete records actually read
    record_s: float
    signals: tuple[SignalHeader, ...]
    file_size: int
    problems: list[str] = field(default_factory=list)

    @property
    def bytes_per_sample(self) -> int:
        """2 for EDF, 3 for BDF."""
        return 3 if self.fmt == "BDF" else 2

    @property
    def record_bytes(self) -> int:
        """Size of one data record in bytes."""
        return sum(s.samples_per_record for s in self.signals) * self.bytes_per_sample

    @property
    def is_plus(self) -> bool:
        """EDF+ or BDF+ (the reserved field starts with ``EDF+`` / ``BDF+``)."""
        return self.reserved[:4] in ("EDF+", "BDF+")

    @property
    def is_discontinuous(self) -> bool:
        """EDF+D / BDF+D."""
        return self.reserved[:5] in ("EDF+D", "BDF+D")

    @property
    def variant(self) -> str:
        """``"EDF"``, ``"EDF+C"``, ``"EDF+D"``, ``"BDF"``, ``"BDF+C"`` or ``"BDF+D"``."""
        return self.reserved[:5] if self.is_plus else self.fmt

    def byte_offset(self, signal_index: int) -> int:
        """Offset of a signal's first byte inside a data record."""
        return sum(s.samples_per_record for s in self.signals[:signal_index]) * self.bytes_per_sample


def _number(raw: bytes, *, what: str, where: str, integer: bool = False) -> float:
    text = raw.decode("latin-1").strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputFileError(
            f"{where}: {what} is {text!r}, not a number. The header is corrupt; re-export the file."
        ) from None
    if integer and value != int(value):
        raise InputFileError(f"{where}: {what} is {text!r}, not a whole number. The header is corrupt.")
    return value


def _parse_start(raw_date: bytes, raw_time: bytes, recording: str) -> tuple[datetime | None, str | None]:
    d_txt, t_txt = raw_date.decode("latin-1").strip(), raw_time.decode("latin-1").strip()
    m_d = re.fullmatch(r"(\d\d)[.:/-](\d\d)[.:/-](\d\d)", d_txt)
    m_t = re.fullmatch(r"(\d\d)[.:](\d\d)[.:](\d\d)", t_txt)
    if not m_d or not m_t:
        return None, f"start date/time {d_txt!r} {t_txt!r} is not dd.mm.yy hh.mm.ss"
    day, month, yy = (int(x) for x in m_d.groups())
    year = 1900 + yy if yy >= 85 else 2000 + yy  # EDF spec: 85-99 -> 19xx, 00-84 -> 20xx
    plus = re.search(r"Startdate\s+(\d{1,2})-([A-Za-z]{3})-(\d{4})", recording)
    if plus and plus.group(2).upper() in _MONTHS:  # EDF+ carries the 4-digit year
        year = int(plus.group(3))
    try:
        return datetime.combine(date(year, month, day), time(*(int(x) for x in m_t.groups()))), None
    except ValueError as err:
        return None, f"start date/time {d_txt!r} {t_txt!r} is invalid ({err})"


def parse_header(path: Path) -> EdfHeader:
    """Parse and check the header of an EDF/EDF+/BDF/BDF+ file.

    Parameters
    ----------
    path : Path
        The file (read only).

    Returns
    -------
    EdfHeader
        Parsed header; ``problems`` lists tolerated defects (invalid start date, record count that
        disagrees with the file size, trailing partial record) in plain words.

    Raises
    ------
    InputFileError
        Not an EDF/BDF, header truncated, or a header number that is not a number or out of range.
    """
    size = path.stat().st_size
    name = path.name
    with path.open("rb") as fh:
        main = fh.read(256)
        if len(main) < 256:
            raise InputFileError(
                f"{name}: only {len(main)} bytes, shorter than the 256-byte EDF header. "
                "The file is truncated or not an EDF/BDF file."
            )
        version = main[:8]
        if version == b"\xffBIOSEMI":
            fmt = "BDF"
        elif version.strip() == b"0":
            fmt = "EDF"
        else:
            raise InputFileError(
                f"{name}: starts with {version!r}, not an EDF ('0') or BDF ('\\xffBIOSEMI') version field. "
                "Is this an EDF/BDF file?"
            )
        where = f"{name} header"
        ns = int(_number(main[252:256], what="the number of signals", where=where, integer=True))
        if not 0 <= ns <= _MAX_SIGNALS:
            raise InputFileError(f"{where}: number of signals is {ns}; expected 0..{_MAX_SIGNALS}. Header is corrupt.")
        header_bytes = 256 * (ns + 1)
        raw = fh.read(256 * ns)
    if len(raw) < 256 * ns:
        raise InputFileError(
            f"{name}: the header declares {ns} signals ({header_bytes} header bytes) but the file has only "
            f"{size} bytes. The file is truncated; copy it again from the recorder."
        )
    patient = decode_text(main[8:88])
    recording = decode_text(main[88:168])
    start, date_problem = _parse_start(main[168:176], main[176:184], recording)
    problems = [f"{name}: {date_problem}; times are given from the first sample only."] if date_problem else []
    n_declared = int(_number(main[236:244], what="the number of data records", where=where, integer=True))
    record_s = _number(main[244:252], what="the data record duration", where=where)
    if record_s < 0:
        raise InputFileError(f"{where}: data record duration is {record_s} s (negative). Header is corrupt.")
    reserved = decode_text(main[192:236])

    widths = (16, 80, 8, 8, 8, 8, 8, 80, 8, 32)
    fields: list[list[bytes]] = []
    pos = 0
    for w in widths:
        fields.append([raw[pos + i * w : pos + (i + 1) * w] for i in range(ns)])
        pos += w * ns
    signals = []
    for i in range(ns):
        label = decode_text(fields[0][i])
        sw = f"{name}, signal {i + 1} ({label!r})"
        spr = int(_number(fields[8][i], what="samples per data record", where=sw, integer=True))
        if spr < 0:
            raise InputFileError(f"{sw}: samples per data record is {spr}. Header is corrupt.")
        signals.append(
            SignalHeader(
                index=i,
                label=label,
                transducer=decode_text(fields[1][i]),
                physical_dimension=decode_text(fields[2][i]),
                physical_min=_number(fields[3][i], what="physical minimum", where=sw),
                physical_max=_number(fields[4][i], what="physical maximum", where=sw),
                digital_min=int(_number(fields[5][i], what="digital minimum", where=sw, integer=True)),
                digital_max=int(_number(fields[6][i], what="digital maximum", where=sw, integer=True)),
                prefiltering=decode_text(fields[7][i]),
                samples_per_record=spr,
            )
        )
    ordinary = [s for s in signals if not s.is_annotation and s.samples_per_record > 0]
    if record_s == 0 and ordinary:
        raise InputFileError(
            f"{where}: data record duration is 0 but signal {ordinary[0].label!r} has samples. "
            "Only annotation-only EDF+ files may have 0-s records."
        )
    header = EdfHeader(
        path=path,
        fmt=fmt,
        patient=patient,
        recording=recording,
        start=start,
        header_bytes=header_bytes,
        reserved=reserved,
        n_records_declared=n_declared,
        n_records=0,
        record_s=record_s,
        signals=tuple(signals),
        file_size=size,
        problems=problems,
    )
    return _with_record_count(header)


def _with_record_count(h: EdfHeader) -> EdfHeader:
    name = h.path.name
    rb = h.record_bytes
    data_bytes = max(h.file_size - h.header_bytes, 0)
    if rb == 0:
        return _replace_n(h, max(h.n_records_declared, 0))
    actual, partial = divmod(data_bytes, rb)
    declared = h.n_records_declared
    n = actual
    if declared == -1:
        h.problems.append(f"{name}: record count is -1 (unknown); using the {actual} complete records in the file.")
    elif declared > actual:
        h.problems.append(
            f"{name}: the header says {declared} data records but the file holds only {actual} complete records "
            f"({data_bytes} data bytes, {rb} per record): the file is truncated or the header lies. "
            f"Reading the {actual} records present ({actual * h.record_s:g} s of {declared * h.record_s:g} s)."
        )
    elif 0 < declared < actual:
        n = declared
        h.problems.append(
            f"{name}: the header says {declared} data records but the file holds {actual}; reading the "
            f"{declared} declared and ignoring {(actual - declared) * rb + partial} trailing bytes."
        )
    elif declared == 0 and actual > 0:
        h.problems.append(f"{name}: the header says 0 data records but the file holds {actual}; reading them.")
    if partial and n == actual:
        h.problems.append(
            f"{name}: the last {partial} bytes are a partial data record (file cut off while copying?); dropped."
        )
    return _replace_n(h, n)


def _replace_n(h: EdfHeader, n: int) -> EdfHeader:
    from dataclasses import replace

    return replace(h, n_records=n)
