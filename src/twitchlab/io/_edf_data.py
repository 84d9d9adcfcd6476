"""Reading the data records of an EDF/BDF one signal at a time, and EDF+ TAL annotation parsing.

A signal is gathered from every data record through short-lived memory maps of a few tens of MB, so
reading the two leg channels of a 24-h, 30-channel file touches only those bytes' pages and keeps
the peak memory near the size of the output array (a single long-lived memory map would keep every
page of the file resident).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from twitchlab.io._edf_header import EdfHeader

__all__ = ["Tal", "parse_tal_record", "read_signal_bytes", "to_digital"]

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
    width = sig.samples_per_record * header.bytes_per_sample
    n = header.n_records
    out = np.empty((n, width), dtype=np.uint8)
    rb = header.record_bytes
    if n == 0 or width == 0:
        return out
    start = header.byte_offset(signal_index)
    step = max(1, chunk_bytes // rb)
    for first in range(0, n, step):
        count = min(step, n - first)
        mm = np.memmap(
            header.path, dtype=np.uint8, mode="r", offset=header.header_bytes + first * rb, shape=(count, rb)
        )
        out[first : first + count] = mm[:, start : start + width]
        del mm
        if progress is not None:
            progress(first + count, n)
    return out


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
