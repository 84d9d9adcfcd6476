"""Axivity CWA data blocks: layout, checksum, decoding and timing (vectorised with numpy).

Layout after Open Movement ``cwa.h`` (Newcastle University): a 1024-byte ``MD`` header, then 512-byte ``AX``
blocks. A block is valid when its sixteen-bit words sum to zero. Samples are either 10-bit packed triplets with
a shared exponent (AX3, 120 per block, 1/256 g) or int16 (AX6: gyro x/y/z then accel x/y/z, 40 per block).
The block index (which blocks are good, the file's configuration and the clock anchors) is built from the
block headers alone, so large files can be decoded in batches of blocks (bounded memory).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twitchlab.errors import InputFileError

HEADER_BYTES = 1024
BLOCK_BYTES = 512
BLOCK = np.dtype(
    [
        ("magic", "<u2"),  # b"AX"
        ("length", "<u2"),  # 508
        ("frac", "<u2"),  # top bit set: 15-bit fraction of a second of the timestamp
        ("session", "<u4"),
        ("sequence", "<u4"),
        ("timestamp", "<u4"),  # packed YYYYYYMM MMDDDDDh hhhhmmmm mmssssss
        ("light", "<u2"),  # AAAGGGLLLLLLLLLL: accel scale, gyro scale, light
        ("temperature", "<u2"),  # bottom 10 bits, degC = v * 75 / 256 - 50
        ("events", "u1"),
        ("battery", "u1"),
        ("rate", "u1"),  # Hz = 3200 / (1 << (15 - (code & 15)))
        ("axes_bps", "u1"),  # top nibble axes (3/6/9), bottom nibble packing (0 packed, 2 int16)
        ("ts_offset", "<i2"),  # sample index at which the whole-second timestamp holds
        ("count", "<u2"),
        ("data", "V480"),
        ("checksum", "<u2"),
    ]
)
assert BLOCK.itemsize == BLOCK_BYTES  # layout constant, not user input
_CHECK_BATCH = 4096  # blocks per checksum batch (2 MB read, 8 MB summed)


def unpack_time(packed: np.ndarray) -> np.ndarray:
    """Packed CWA timestamps to POSIX seconds (the device's naive local clock read as UTC); NaN if invalid."""
    p = packed.astype(np.int64)
    years = ((p >> 26) & 0x3F) + 2000
    months = (p >> 22) & 0x0F
    days = (p >> 17) & 0x1F
    ok = (months >= 1) & (months <= 12) & (days >= 1)
    dates = np.full(p.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    ym = (years[ok] - 1970) * 12 + (months[ok] - 1)
    dates[ok] = ym.astype("datetime64[M]").astype("datetime64[D]") + (days[ok] - 1)
    secs = ((p >> 12) & 0x1F) * 3600 + ((p >> 6) & 0x3F) * 60 + (p & 0x3F)
    out = dates.astype("datetime64[s]").astype(np.float64) + secs
    out[~ok] = np.nan
    return out


def _unpack_packed(raw: np.ndarray) -> np.ndarray:
    """10-bit packed triplets (uint32: eezzzzzz zzzzyyyy yyyyyyxx xxxxxxxx) to int (..., 3) in 1/256 g."""
    v = raw.astype(np.int64)
    exp = (v >> 30) & 0x3
    out = np.empty((*v.shape, 3), dtype=np.int64)
    for i, shift in enumerate((0, 10, 20)):
        x = (v >> shift) & 0x3FF
        x = np.where(x >= 512, x - 1024, x)
        out[..., i] = x << exp
    return out


@dataclass
class CwaIndex:
    """What the block headers say: good blocks, configuration and clock anchors."""

    n_blocks: int
    good: np.ndarray  # indices of good blocks (same configuration as the first good one)
    bad_blocks: list[int]
    fs_hz: float
    axes: int
    pack: int
    per_block: int
    device_id: int
    tail_bytes: int
    virt0: np.ndarray  # per good block: index of its first sample counting skipped blocks as full
    anchor_idx: np.ndarray  # clock anchors: virtual sample index -> POSIX time
    anchor_t: np.ndarray
    rate_hz: float  # effective rate from the anchors (for extrapolation)
    n_samples: int  # samples in the good blocks


class BlockSource:
    """Blocks of a CWA file, from bytes in memory or read from disk batch by batch (bounded memory).

    Parameters
    ----------
    src : bytes or path
        File content, or its path (then only the batches asked for are read).
    name : str
        File name for messages.
    """

    def __init__(self, src: bytes | str, name: str) -> None:
        self.name = name
        if isinstance(src, bytes | bytearray):
            self._buf: np.ndarray | None = np.frombuffer(src, dtype=np.uint8)
            size, head = self._buf.size, bytes(self._buf[:HEADER_BYTES])
            self._path = None
        else:
            self._buf, self._path = None, src
            with open(src, "rb") as fh:
                head = fh.read(HEADER_BYTES)
                size = fh.seek(0, 2)
        if size < HEADER_BYTES or head[:2] != b"MD":
            raise InputFileError(f"{name}: not an Axivity CWA file (no 'MD' header); pass a .cwa file from AX3/AX6.")
        self.n_blocks = (size - HEADER_BYTES) // BLOCK_BYTES
        if self.n_blocks == 0:
            raise InputFileError(f"{name}: CWA header but no data blocks; the recording holds no data.")
        self.tail_bytes = int(size - HEADER_BYTES - self.n_blocks * BLOCK_BYTES)
        self.device_id = head[5] | (head[6] << 8)  # lower 16 bits (the upper word is unreliable in old firmware)

    def read(self, i0: int, i1: int) -> np.ndarray:
        """Blocks ``i0:i1`` as a structured array of :data:`BLOCK`."""
        if self._buf is not None:
            lo = HEADER_BYTES + i0 * BLOCK_BYTES
            return self._buf[lo : HEADER_BYTES + i1 * BLOCK_BYTES].view(BLOCK)
        return np.fromfile(self._path, dtype=BLOCK, count=i1 - i0, offset=HEADER_BYTES + i0 * BLOCK_BYTES)


_HEADER_FIELDS = [f for f in BLOCK.names if f not in ("data", "checksum")]


def index_blocks(src: BlockSource) -> CwaIndex:
    """Check every block (checksum, header fields) and compute the clock anchors; reads in batches.

    Raises
    ------
    InputFileError
        No good block, or no valid timestamp.
    """
    name, n_blocks = src.name, src.n_blocks
    parts, sums = [], []
    for i in range(0, n_blocks, _CHECK_BATCH):
        b = src.read(i, min(n_blocks, i + _CHECK_BATCH))
        sums.append((b.view("<u2").reshape(b.size, BLOCK_BYTES // 2).sum(axis=1, dtype=np.uint64) & 0xFFFF) == 0)
        parts.append(np.array(b[_HEADER_FIELDS]))
    blocks = np.concatenate(parts)
    checksum_ok = np.concatenate(sums)
    fmt = blocks["axes_bps"].astype(np.int64)
    n_axes, packing = fmt >> 4, fmt & 0x0F
    per_block = np.where(packing == 0, 120, 480 // (2 * np.maximum(n_axes, 1)))
    count = blocks["count"].astype(np.int64)
    good = (
        (blocks["magic"] == 0x5841)
        & (blocks["length"] == 508)
        & checksum_ok
        & np.isin(n_axes, (3, 6, 9))
        & np.isin(packing, (0, 2))
        & (count <= per_block)
        & (count > 0)
    )
    if not good.any():
        raise InputFileError(f"{name}: none of the {n_blocks} CWA data blocks passes its checksum; file unusable.")
    gi = np.flatnonzero(good)
    rate_code, cfg = blocks["rate"][gi], blocks["axes_bps"][gi]
    same = (rate_code == rate_code[0]) & (cfg == cfg[0])  # one configuration per file
    bad = np.union1d(np.flatnonzero(~good), gi[~same])
    gi = gi[same]
    fs_hz = 3200.0 / (1 << (15 - (int(rate_code[0]) & 0x0F)))
    axes, pack = int(cfg[0]) >> 4, int(cfg[0]) & 0x0F
    nominal = int(per_block[gi[0]])
    # clock: the whole-second timestamp holds at sample ts_offset. With the top bit of ``frac`` set, a
    # 1/32768-s fraction is added and ts_offset was shifted back by the samples it covers (cwa.h); undo that.
    frac = blocks["frac"][gi].astype(np.int64)
    frac65536 = np.where((frac & 0x8000) != 0, (frac & 0x7FFF) << 1, 0)
    anchor_t = unpack_time(blocks["timestamp"][gi]) + frac65536 / 65536.0
    anchor_off = blocks["ts_offset"][gi].astype(np.int64) + ((frac65536 * round(fs_hz)) >> 16)
    seq = blocks["sequence"][gi].astype(np.int64)
    virt0 = (seq - seq[0]) * nominal  # sample index counting skipped blocks as full, so a gap stays a gap
    ok_t = np.isfinite(anchor_t)
    if not ok_t.any():
        raise InputFileError(f"{name}: no CWA block carries a valid timestamp; cannot place the samples in time.")
    ai, at = (virt0 + anchor_off).astype(np.float64)[ok_t], anchor_t[ok_t]
    rate = (ai[-1] - ai[0]) / (at[-1] - at[0]) if ai.size >= 2 and at[-1] > at[0] else fs_hz
    return CwaIndex(
        n_blocks=n_blocks, good=gi, bad_blocks=bad.astype(int).tolist(), fs_hz=fs_hz, axes=axes, pack=pack,
        per_block=nominal, device_id=src.device_id, tail_bytes=src.tail_bytes, virt0=virt0, anchor_idx=ai,
        anchor_t=at, rate_hz=rate if 0.5 * fs_hz < rate < 2 * fs_hz else fs_hz, n_samples=int(count[gi].sum()),
    )  # fmt: skip


def decode(src: BlockSource, idx: CwaIndex, sel: slice) -> dict[str, np.ndarray | None]:
    """Decode the good blocks ``idx.good[sel]``: samples, times and temperature (flat per sample)."""
    pos = idx.good[sel]
    if pos.size == 0:
        raise InputFileError(f"{src.name}: no good CWA block in the requested range.")
    gb = src.read(int(pos[0]), int(pos[-1]) + 1)[pos - pos[0]]
    counts = gb["count"].astype(np.int64)
    raw = np.frombuffer(gb["data"].tobytes(), dtype=np.uint8).reshape(len(gb), 480)
    gyr = None
    if idx.pack == 0:
        acc = _unpack_packed(raw.view("<u4")).astype(np.float64) / 256.0  # (blocks, 120, 3)
    else:
        spb = 480 // (2 * idx.axes)
        ints = raw[:, : spb * idx.axes * 2].view("<i2").reshape(len(gb), spb, idx.axes).astype(np.float64)
        light = gb["light"].astype(np.int64)
        acc_scale = (1.0 / np.exp2(8 + ((light >> 13) & 0x7)))[:, None, None]
        if idx.axes == 3:
            acc = ints * acc_scale
        else:
            code = (light >> 10) & 0x7
            gyro_range = np.where(code > 0, 8000.0 / np.exp2(code), 2000.0)  # full scale, deg/s
            gyr = ints[:, :, 0:3] * (gyro_range / 32768.0)[:, None, None]
            acc = ints[:, :, 3:6] * acc_scale
    keep = np.arange(acc.shape[1])[None, :] < counts[:, None]
    vidx = (idx.virt0[sel][:, None] + np.arange(acc.shape[1])[None, :]).astype(np.float64)
    ai, at = idx.anchor_idx, idx.anchor_t
    t = np.interp(vidx, ai, at)
    t = np.where(vidx < ai[0], at[0] + (vidx - ai[0]) / idx.rate_hz, t)
    t = np.where(vidx > ai[-1], at[-1] + (vidx - ai[-1]) / idx.rate_hz, t)
    temp_c = (gb["temperature"].astype(np.int64) & 0x3FF) * 75.0 / 256.0 - 50.0
    return {
        "acc_g": acc[keep],
        "gyro_dps": None if gyr is None else gyr[keep],
        "temperature_c": np.broadcast_to(temp_c[:, None], keep.shape)[keep],
        "time_posix": t[keep],
    }
