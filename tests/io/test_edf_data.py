"""The array fast paths of the EDF data reader against the per-record / whole-signal reference code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _edfbytes import Sig, edf_bytes

from twitchlab.io._edf_data import (
    parse_annotation_records,
    parse_tal_record,
    read_signal_bytes,
    read_signal_physical,
    to_digital,
)
from twitchlab.io._edf_header import parse_header

ONSETS = [
    b"+0", b"-0", b"+1", b"+12.5", b"+0.1", b"+86399", b"-3.25", b"+1.", b"+007", b"+0.30000000000000004",
    b"+123456789012345", b"+12345678901234.5", b"+1234567890123456", b"+1\n", b"+1..5", b"+.5", b"+1e3", b"1",
]  # fmt: skip


def _records(heads: list[bytes], width: int = 40) -> np.ndarray:
    rows = [h.ljust(width, b"\x00")[:width] for h in heads]
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), width)


def _reference(raw: np.ndarray) -> np.ndarray:
    """Record onsets the slow way: parse_tal_record on every record."""
    out = np.full(raw.shape[0], np.nan)
    for i in range(raw.shape[0]):
        tals, _ = parse_tal_record(raw[i].tobytes())
        if tals and (not tals[0].texts or tals[0].texts[0] == ""):
            out[i] = tals[0].onset_s
    return out


@pytest.mark.parametrize("tail", [b"\x14\x14", b"\x14\x14\x00+2\x14ev\x14", b"\x14ev\x14", b"\x14\x14x"])
def test_timekeeping_onsets_equal_the_per_record_parse(tail):
    raw = _records([o + tail for o in ONSETS])
    onsets, tals, bad = parse_annotation_records(raw, timekeeping=True)
    ref = _reference(raw)
    assert onsets.tobytes() == ref.tobytes()  # bit for bit, -0.0 and NaN included
    assert bad == sum(parse_tal_record(raw[i].tobytes())[1] for i in range(raw.shape[0]))
    if tail == b"\x14\x14":
        assert onsets[ONSETS.index(b"+0.30000000000000004")] == 0.30000000000000004
        assert np.signbit(onsets[ONSETS.index(b"-0")])
        assert not tals


def test_short_annotation_signal_and_not_timekeeping():
    raw = _records([b"+1\x14", b"\x00", b"+2"], width=3)  # too short for the array path
    assert parse_annotation_records(raw, timekeeping=True)[0].tobytes() == _reference(raw).tobytes()
    raw = _records([b"+1\x14\x14", b"+2\x14\x14"])
    assert np.isnan(parse_annotation_records(raw, timekeeping=False)[0]).all()


@pytest.mark.parametrize("chunk_bytes", [1, 700, 1 << 20])
def test_read_signal_physical_equals_scaling_the_digital_samples(tmp_path: Path, chunk_bytes):
    rng = np.random.default_rng(3)
    a = rng.integers(-32768, 32768, size=(7, 13), dtype=np.int16)
    b = rng.integers(-32768, 32768, size=(7, 5), dtype=np.int16)
    path = tmp_path / "x.edf"
    path.write_bytes(edf_bytes([Sig("A", a), Sig("B", b)]))
    h = parse_header(path)
    calls: list[tuple[float, float]] = []
    for idx, gain, off in ((0, 0.1, -3.5), (1, -2.5e-3, 7.0)):
        ref = to_digital(read_signal_bytes(h, idx), h.fmt).astype(np.float64)
        ref *= gain
        ref += off
        got = read_signal_physical(
            h, idx, gain=gain, offset=off, chunk_bytes=chunk_bytes, progress=lambda d, t: calls.append((d, t))
        )
        assert got.flags.c_contiguous
        assert got.tobytes() == ref.tobytes()
    assert calls[-1] == (7, 7)
