"""Reading the data records of an EDF/BDF one signal at a time, and EDF+ TAL annotation parsing.

A signal is gathered from every data record through short-lived memory maps of a few tens of MB, so
reading the two leg channels of a 24-h, 30-channel file touches only those bytes' pages and keeps
the peak memory near the size of the output array (a single long-lived memory map would keep every
page of the file resident).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from twitchlab.io._edf_header import EdfHeader

__all__ = [
    "Tal",
    "parse_annotation_records",
    "parse_tal_record",
    "read_signal_bytes",
    "read_signal_physical",
    "to_digital",
]

ProgressCallback = Callable[[float, float], None]

_CHUNK_BYTES = 32 << 20
_ONSET = re.compile(rb"^[+-]\d+(\.\d*)?$")
_DURATION = re.compile(rb"^\d+(\.\d*)?$")


def read_signal_bytes(
    header: EdfHeader,
    signal_index: int,
    *,
    progress: ProgressCallback | None = None,
    chunk_bytes: int = _CHUNK_BYTES,
) -> np.ndarray:
    """Return the raw bytes of one signal as a ``(n_records, bytes_per_record_of_signal)`` uint8 array.

    Parameters
    ----------
    header : EdfHeader
        Parsed header (its ``n_records`` complete records are read).
    signal_index : int
        Index of the signal in the header.
    progress : callable, optional
        Called as ``progress(records_done, n_records)`` after each chunk.
    chunk_bytes : int
        Size of the file window mapped at once.

    Returns
    -------
    numpy.ndarray
        uint8, C-contiguous.
    """
    sig = header.signals[signal_index]
    out = np.empty((header.n_records, sig.samples_per_record * header.bytes_per_sample), dtype=np.uint8)
    for first, raw in _signal_windows(header, signal_index, progress, chunk_bytes):
        out[first : first + len(raw)] = raw
    return out


def read_signal_physical(
    header: EdfHeader,
    signal_index: int,
    *,
    gain: float,
    offset: float,
    progress: ProgressCallback | None = None,
    chunk_bytes: int = _CHUNK_BYTES,
) -> np.ndarray:
    """Return one signal in physical units (``digital * gain + offset``) as ``(n_records, samples_per_record)``.

    Same values as ``to_digital(read_signal_bytes(...)).astype(np.float64) * gain + offset`` (each sample is
    cast to float64, multiplied, then offset), but scaled straight from each memory-mapped window into one
    preallocated float64 array, without the intermediate byte and integer copies of the whole signal.

    Parameters
    ----------
    header : EdfHeader
        Parsed header (its ``n_records`` complete records are read).
    signal_index : int
        Index of the signal in the header.
    gain, offset : float
        Digital-to-physical scaling.
    progress : callable, optional
        Called as ``progress(records_done, n_records)`` after each chunk.
    chunk_bytes : int
        Size of the file window mapped at once.

    Returns
    -------
    numpy.ndarray
        float64, C-contiguous.
    """
    sig = header.signals[signal_index]
    out = np.empty((header.n_records, sig.samples_per_record), dtype=np.float64)
    for first, raw in _signal_windows(header, signal_index, progress, chunk_bytes):
        dst = out[first : first + len(raw)]
        if header.fmt == "EDF":
            dig = raw.view("<i2")  # the last axis is contiguous: a view, read straight from the map
        else:
            dig = to_digital(np.ascontiguousarray(raw), header.fmt)
        np.multiply(dig, gain, out=dst, dtype=np.float64)
        dst += offset
        del dig
    return out


def _signal_windows(
    header: EdfHeader, signal_index: int, progress: ProgressCallback | None, chunk_bytes: int
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(first_record, bytes)`` windows of one signal, memory-mapped a chunk of records at a time.

    ``bytes`` is a ``(records, bytes_per_record_of_signal)`` uint8 view into the map, valid until the next
    window; ``progress(records_done, n_records)`` is called after each window has been used.
    """
    width = header.signals[signal_index].samples_per_record * header.bytes_per_sample
    n, rb = header.n_records, header.record_bytes
    if n == 0 or width == 0:
        return
    start = header.byte_offset(signal_index)
    step = max(1, chunk_bytes // rb)
    for first in range(0, n, step):
        count = min(step, n - first)
        mm = np.memmap(
            header.path, dtype=np.uint8, mode="r", offset=header.header_bytes + first * rb, shape=(count, rb)
        )
        yield first, mm[:, start : start + width]
        del mm
        if progress is not None:
            progress(first + count, n)


def to_digital(raw: np.ndarray, fmt: str) -> np.ndarray:
    """Turn the raw bytes of a signal into digital integers (little-endian int16 for EDF, int24 for BDF).

    Parameters
    ----------
    raw : numpy.ndarray
        uint8 array of shape ``(n_records, n_bytes)``.
    fmt : {"EDF", "BDF"}
        File format.

    Returns
    -------
    numpy.ndarray
        ``(n_records, samples_per_record)`` int16 (EDF) or int32 (BDF).
    """
    n = raw.shape[0]
    if fmt == "EDF":
        return np.ascontiguousarray(raw).view("<i2").reshape(n, -1)
    b = raw.reshape(n, -1, 3).astype(np.int32)
    val = b[..., 0] | (b[..., 1] << 8) | (b[..., 2] << 16)
    return np.where(val >= 1 << 23, val - (1 << 24), val).astype(np.int32)


@dataclass(frozen=True)
class Tal:
    """One time-stamped annotation list: onset (s, from the header start time), duration, texts."""

    onset_s: float
    duration_s: float | None
    texts: tuple[str, ...]


def parse_tal_record(raw: bytes) -> tuple[list[Tal], int]:
    """Parse the TALs of one data record of an ``EDF Annotations`` signal.

    A TAL is ``+onset[<21>duration]<20>text<20>...<20><0>`` with bytes 21, 20 and 0 (EDF+ spec, section 2.2).
    Malformed TALs are skipped and counted, never guessed at.

    Parameters
    ----------
    raw : bytes
        The annotation signal's bytes in one record (padding NULs allowed).

    Returns
    -------
    tals : list of Tal
        In file order; texts decoded as UTF-8 (invalid bytes replaced).
    n_bad : int
        Number of malformed TALs skipped.
    """
    tals: list[Tal] = []
    bad = 0
    for chunk in raw.split(b"\x00"):
        if not chunk.strip(b"\x00 "):
            continue
        parts = chunk.split(b"\x14")
        if len(parts) < 2:
            bad += 1
            continue
        stamp = parts[0].split(b"\x15")
        onset_b = stamp[0].strip()
        dur_b = stamp[1].strip() if len(stamp) > 1 else b""
        if not _ONSET.match(onset_b) or (dur_b and not _DURATION.match(dur_b)) or len(stamp) > 2:
            bad += 1
            continue
        texts = tuple(p.decode("utf-8", errors="replace").strip() for p in parts[1:-1])
        if parts[-1].strip():  # text after the last \x14: a TAL without its closing separator
            texts = (*texts, parts[-1].decode("utf-8", errors="replace").strip())
        tals.append(Tal(float(onset_b), float(dur_b) if dur_b else None, texts))
    return tals, bad


def parse_annotation_records(raw: np.ndarray, *, timekeeping: bool) -> tuple[np.ndarray, list[Tal], int]:
    """Parse every record of an annotation signal.

    Records that hold only the time-keeping TAL (``+onset<20><20><0>`` then padding, the common case in long
    recordings) are recognised and parsed with array operations (no Python loop over the 86 400 records of a
    24-h file with 1-s records); the others go through :func:`parse_tal_record`.

    Parameters
    ----------
    raw : numpy.ndarray
        ``(n_records, n_bytes)`` uint8 from :func:`read_signal_bytes`.
    timekeeping : bool
        Whether this is the first annotation signal, whose first TAL per record is the record's onset.

    Returns
    -------
    record_onsets_s : numpy.ndarray
        Onset of each record (NaN where no time-keeping TAL was found); all NaN if not ``timekeeping``.
    tals : list of Tal
        Every other TAL, in file order.
    n_bad : int
        Malformed TALs skipped.
    """
    n, width = raw.shape
    onsets = np.full(n, np.nan)
    tals: list[Tal] = []
    bad = 0
    if n == 0 or width == 0:
        return onsets, tals, bad
    is_zero = raw == 0
    first_zero = np.where(is_zero.any(axis=1), is_zero.argmax(axis=1), width)
    only_one = (~is_zero).sum(axis=1) == first_zero
    done = np.zeros(n, dtype=bool)
    if timekeeping:
        done = _timekeeping_only(raw, first_zero, only_one, onsets)
    for i in np.flatnonzero(~done):
        z = int(first_zero[i])
        if timekeeping and only_one[i] and z >= 4:
            head = raw[i, :z].tobytes()
            if head.endswith(b"\x14\x14") and _ONSET.match(head[:-2]):
                onsets[i] = float(head[:-2])
                continue
        rec_tals, nbad = parse_tal_record(raw[i].tobytes())
        bad += nbad
        if timekeeping and rec_tals and (not rec_tals[0].texts or rec_tals[0].texts[0] == ""):
            onsets[i] = rec_tals[0].onset_s
            rec_tals = rec_tals[1:]
        tals.extend(rec_tals)
    return onsets, tals, bad


_MAX_EXACT_DIGITS = 15  # an integer of at most 15 decimal digits is exact in float64 (< 2**53)
_POW10 = np.array([float(f"1e{i}") for i in range(_MAX_EXACT_DIGITS + 1)])  # exact doubles


def _timekeeping_only(raw: np.ndarray, first_zero: np.ndarray, only_one: np.ndarray, onsets: np.ndarray) -> np.ndarray:
    """Parse, with array operations, the records that hold only a plain time-keeping TAL ``+123.25<20><20><0>``.

    Handles the records whose bytes up to the first NUL are a sign, a digit, then more digits with at most one
    ``.`` (at most 15 digits in all), then ``<20><20>``, followed only by NULs: a subset of what the per-record
    loop of :func:`parse_annotation_records` accepts. Their onset ``m / 10**k`` (``m`` the digits as an
    integer, ``k`` the digits after the point) is a correctly rounded division of two exact doubles, so it
    equals ``float(text)``. Writes those onsets into ``onsets`` and returns the mask of records handled; the
    caller parses the others as before.
    """
    n, width = raw.shape
    if width < 4:
        return np.zeros(n, dtype=bool)
    rows = np.arange(n)
    z = first_zero
    cand = only_one & (z >= 4) & (z <= _MAX_EXACT_DIGITS + 4)  # sign, digits, one point, <20><20>
    zc = np.where(cand, z, 4)
    cand &= (raw[rows, zc - 1] == 0x14) & (raw[rows, zc - 2] == 0x14)
    cand &= (raw[:, 0] == ord("+")) | (raw[:, 0] == ord("-"))
    cand &= (raw[:, 1] >= ord("0")) & (raw[:, 1] <= ord("9"))
    if not cand.any():
        return cand
    cols = int(zc[cand].max()) - 2
    head = raw[:, :cols]
    in_num = (np.arange(cols)[None, :] >= 1) & (np.arange(cols)[None, :] < (zc - 2)[:, None]) & cand[:, None]
    is_digit = (head >= ord("0")) & (head <= ord("9")) & in_num
    is_dot = (head == ord(".")) & in_num
    n_dots = is_dot.sum(axis=1)
    n_digits = is_digit.sum(axis=1)
    cand &= ~(in_num & ~is_digit & ~is_dot).any(axis=1) & (n_dots <= 1) & (n_digits <= _MAX_EXACT_DIGITS)
    if not cand.any():
        return cand
    is_digit &= cand[:, None]
    power = np.where(is_digit, n_digits[:, None] - np.cumsum(is_digit, axis=1), 0)
    digits = np.where(is_digit, head.astype(np.int64) - ord("0"), 0)
    m = (digits * 10**power).sum(axis=1)
    dot_col = np.where(n_dots > 0, is_dot.argmax(axis=1), zc - 3)
    k = np.where(cand, (zc - 3) - dot_col, 0)
    value = m.astype(np.float64) / _POW10[k]
    value = np.where(raw[:, 0] == ord("-"), -value, value)
    onsets[cand] = value[cand]
    return cand
