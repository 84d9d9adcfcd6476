"""Axivity AX3/AX6 ``.cwa`` files.

scikit-digital-health (``skdh.io.ReadCwa``) reads intact files. It stops on a block whose checksum fails
(``RuntimeError: Bad block of timestamps...``) and so loses the whole night for one bad sector. For
those files we parse the 512-byte blocks ourselves (vectorised with numpy), verify every block's
16-bit word-sum checksum, drop the bad ones and report their numbers and the time gaps they leave.
Format: Open Movement ``cwa.h`` (Jackson D, Newcastle University), summarised in the comments below.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta

import numpy as np

from twitchlab.errors import InputFileError
from twitchlab.io.accel._common import accel_recording, file_bytes, tolerate
from twitchlab.model import Recording

__all__ = ["parse_cwa_blocks", "read_cwa"]

logger = logging.getLogger(__name__)

_HEADER_BYTES = 1024
_BLOCK_BYTES = 512
_BLOCK = np.dtype(
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
assert _BLOCK.itemsize == _BLOCK_BYTES  # layout constant, not user input


def _unpack_time(packed: np.ndarray) -> np.ndarray:
    """Packed CWA timestamps to POSIX seconds (naive local clock read as UTC)."""
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
    """10-bit packed triplets (uint32: eezzzzzz zzzzyyyy yyyyyyxx xxxxxxxx) to int (n, 3) in 1/256 g."""
    v = raw.astype(np.int64)
    exp = (v >> 30) & 0x3
    out = np.empty((*v.shape, 3), dtype=np.int64)
    for i, shift in enumerate((0, 10, 20)):
        x = (v >> shift) & 0x3FF
        x = np.where(x >= 512, x - 1024, x)
        out[..., i] = x << exp
    return out


def parse_cwa_blocks(buf: bytes, *, name: str = "file") -> dict[str, object]:
    """Decode the data blocks of a CWA file, checking each block's checksum.

    Parameters
    ----------
    buf : bytes
        Whole file content.
    name : str
        File name for messages.

    Returns
    -------
    dict
        ``acc_g`` (n, 3), ``gyro_dps`` (n, 3) or None, ``temperature_c`` (n,), ``time_posix`` (n,),
        ``fs_hz``, ``device_id``, ``bad_blocks`` (0-based data-block numbers skipped), ``n_blocks``.

    Raises
    ------
    InputFileError
        Not a CWA file, or no block passes its checks.
    """
    if len(buf) < _HEADER_BYTES or buf[:2] != b"MD":
        raise InputFileError(f"{name}: not an Axivity CWA file (no 'MD' header); pass a .cwa file from AX3/AX6.")
    device_id = int.from_bytes(buf[5:7], "little")  # lower 16 bits (the upper word is unreliable in old firmware)
    n_blocks = (len(buf) - _HEADER_BYTES) // _BLOCK_BYTES
    if n_blocks == 0:
        raise InputFileError(f"{name}: CWA header but no data blocks; the recording holds no data.")
    tail = len(buf) - _HEADER_BYTES - n_blocks * _BLOCK_BYTES
    body = np.frombuffer(buf, dtype=np.uint8, count=n_blocks * _BLOCK_BYTES, offset=_HEADER_BYTES)
    blocks = body.view(_BLOCK)
    words = body.view("<u2").reshape(n_blocks, _BLOCK_BYTES // 2)
    checksum_ok = (words.sum(axis=1, dtype=np.uint64) & 0xFFFF) == 0
    fmt = blocks["axes_bps"].astype(np.int64)
    n_axes = fmt >> 4
    packing = fmt & 0x0F
    per_block = np.where(packing == 0, 120, 480 // (2 * np.maximum(n_axes, 1)))
    good = (
        (blocks["magic"] == 0x5841)
        & (blocks["length"] == 508)
        & checksum_ok
        & np.isin(n_axes, (3, 6, 9))
        & np.isin(packing, (0, 2))
        & (blocks["count"] <= per_block)
        & (blocks["count"] > 0)
    )
    bad_idx = np.flatnonzero(~good)
    if not good.any():
        raise InputFileError(f"{name}: none of the {n_blocks} CWA data blocks passes its checksum; file unusable.")
    gb = blocks[good]
    # one configuration per file: use the first good block's, drop blocks that disagree
    cfg = (gb["rate"][0], gb["axes_bps"][0])
    same = (gb["rate"] == cfg[0]) & (gb["axes_bps"] == cfg[1])
    if not same.all():
        bad_idx = np.union1d(bad_idx, np.flatnonzero(good)[~same])
        gb = gb[same]
    fs_hz = 3200.0 / (1 << (15 - (int(cfg[0]) & 0x0F)))
    axes, pack = int(cfg[1]) >> 4, int(cfg[1]) & 0x0F
    counts = gb["count"].astype(np.int64)
    raw = np.frombuffer(gb["data"].tobytes(), dtype=np.uint8).reshape(len(gb), 480)
    if pack == 0:
        vals = _unpack_packed(raw.view("<u4")).astype(np.float64) / 256.0  # (blocks, 120, 3)
        acc, gyr = vals, None
    else:
        spb = 480 // (2 * axes)
        ints = raw[:, : spb * axes * 2].view("<i2").reshape(len(gb), spb, axes).astype(np.float64)
        light = gb["light"].astype(np.int64)
        acc_scale = 1.0 / np.exp2(8 + ((light >> 13) & 0x7))
        if axes == 3:
            acc, gyr = ints * acc_scale[:, None, None], None
        else:
            gyro_code = (light >> 10) & 0x7
            gyro_range = np.where(gyro_code > 0, 8000.0 / np.exp2(gyro_code), 2000.0)
            gyr = ints[:, :, 0:3] * (gyro_range / 32768.0)[:, None, None]
            acc = ints[:, :, 3:6] * acc_scale[:, None, None]
    keep = np.arange(acc.shape[1])[None, :] < counts[:, None]
    # timing: the whole-second timestamp holds at sample ts_offset of the block. With the top bit of
    # ``frac`` set, a 1/32768-s fraction is added and ts_offset was shifted back by the samples that fraction
    # covers (cwa.h); undo that shift, then interpolate sample times between block anchors along the sample
    # index that includes skipped blocks (sequence numbers), so a gap stays a gap.
    frac = gb["frac"].astype(np.int64)
    has_frac = (frac & 0x8000) != 0
    frac65536 = np.where(has_frac, (frac & 0x7FFF) << 1, 0)
    anchor_t = _unpack_time(gb["timestamp"]) + frac65536 / 65536.0
    anchor_off = gb["ts_offset"].astype(np.int64) + ((frac65536 * round(fs_hz)) >> 16)
    seq = gb["sequence"].astype(np.int64)
    nominal = int(per_block[np.flatnonzero(good)[0]]) if good.any() else int(counts.max())
    virt0 = (seq - seq[0]) * nominal
    anchor_idx = (virt0 + anchor_off).astype(np.float64)
    ok_t = np.isfinite(anchor_t)
    if ok_t.sum() >= 2:
        ai, at = anchor_idx[ok_t], anchor_t[ok_t]
        rate = (ai[-1] - ai[0]) / (at[-1] - at[0]) if at[-1] > at[0] else fs_hz
        rate = rate if 0.5 * fs_hz < rate < 2 * fs_hz else fs_hz
    else:
        ai, at, rate = anchor_idx[ok_t], anchor_t[ok_t], fs_hz
    if ai.size == 0:
        raise InputFileError(f"{name}: no CWA block carries a valid timestamp; cannot place the samples in time.")
    vidx = (virt0[:, None] + np.arange(acc.shape[1])[None, :]).astype(np.float64)
    sample_t = np.interp(vidx, ai, at)
    sample_t = np.where(vidx < ai[0], at[0] + (vidx - ai[0]) / rate, sample_t)
    sample_t = np.where(vidx > ai[-1], at[-1] + (vidx - ai[-1]) / rate, sample_t)
    temp_c = (gb["temperature"].astype(np.int64) & 0x3FF) * 75.0 / 256.0 - 50.0
    out: dict[str, object] = {
        "acc_g": acc[keep],
        "gyro_dps": None if gyr is None else gyr[keep],
        "temperature_c": np.broadcast_to(temp_c[:, None], keep.shape)[keep],
        "time_posix": sample_t[keep],
        "fs_hz": fs_hz,
        "device_id": device_id,
        "bad_blocks": bad_idx.astype(int).tolist(),
        "n_blocks": n_blocks,
        "tail_bytes": tail,
    }
    return out


def _gaps_from_times(t: np.ndarray, fs_hz: float) -> tuple[tuple[float, float], ...]:
    """Stretches where consecutive samples are more than 1.5 nominal periods plus 50 ms apart."""
    if t.size < 2:
        return ()
    d = np.diff(t)
    idx = np.flatnonzero(d > 1.5 / fs_hz + 0.05)
    return tuple((float(t[i] - t[0] + 1.0 / fs_hz), float(t[i + 1] - t[0])) for i in idx)


def _describe_bad(bad: list[int]) -> str:
    if not bad:
        return ""
    runs: list[str] = []
    start = prev = bad[0]
    for b in [*bad[1:], None]:
        if b is not None and b == prev + 1:
            prev = b
            continue
        runs.append(f"{start}" if start == prev else f"{start}-{prev}")
        if b is not None:
            start = prev = b
    return ", ".join(runs)


def read_cwa(
    path: str | os.PathLike[str],
    *,
    location: str = "ankle",
    engine: str = "auto",
) -> Recording:
    """Read an Axivity AX3/AX6 ``.cwa`` file.

    Intact files are read with scikit-digital-health; files with bad blocks (failed checksum, wrong
    header) are read by our block parser, which keeps every good block and reports the skipped ones.

    Parameters
    ----------
    path : path-like
        The ``.cwa`` file (never modified).
    location : {"ankle", "wrist", "mattress"}
        Where the device was worn.
    engine : {"auto", "skdh", "blocks"}
        ``auto`` tries skdh and falls back to the block parser; ``blocks`` always uses ours.

    Returns
    -------
    Recording
        ``accel_x/y/z`` in g at the nominal rate, ``gyro_x/y/z`` in deg/s (AX6), ``temperature_c``,
        ``time_s`` (sample times from the block clock), ``device`` = ``"axivity AX3 #id"`` or ``AX6``;
        ``gaps`` and ``warnings`` name the skipped blocks.

    Raises
    ------
    InputFileError
        Not a CWA file, or no usable block.

    References
    ----------
    Open Movement AX3/AX6 file format, ``cwa.h``, Newcastle University (github.com/digitalinteraction/openmovement).
    """
    buf = file_bytes(path)
    name = os.fspath(path)
    parsed = parse_cwa_blocks(buf, name=name)  # cheap; validates every checksum
    rec_warnings: list[str] = []
    bad = list(parsed["bad_blocks"])  # type: ignore[arg-type]
    data = None
    if engine in ("auto", "skdh") and not bad:
        data = _read_skdh(path)
    if data is None:
        data = parsed
    else:  # skdh reads the same samples; take the temperature with the cwa.h conversion for both paths
        data["temperature_c"] = parsed["temperature_c"]
    if bad:
        n_good_blocks = int(parsed["n_blocks"]) - len(bad)  # type: ignore[call-overload]
        tolerate(
            rec_warnings,
            f"{name}: skipped {len(bad)} of {parsed['n_blocks']} CWA data blocks that fail their checksum or "
            f"header checks (0-based block numbers {_describe_bad(bad)}); kept {n_good_blocks} good blocks "
            f"({len(data['acc_g'])} samples). Gaps are recorded on the Recording.",  # type: ignore[arg-type]
        )
    if parsed["tail_bytes"]:
        tolerate(rec_warnings, f"{name}: {parsed['tail_bytes']} trailing bytes after the last whole block ignored.")
    t = np.asarray(data["time_posix"], dtype=np.float64)
    fs_hz = float(data["fs_hz"])  # type: ignore[arg-type]
    start = datetime.fromtimestamp(0, UTC).replace(tzinfo=None) + timedelta(seconds=float(t[0]))
    gyro = data.get("gyro_dps")  # type: ignore[union-attr]
    hw = "AX6" if gyro is not None else "AX3"
    return accel_recording(
        np.asarray(data["acc_g"]),
        fs_hz,
        path=path,
        device=f"axivity {hw} #{parsed['device_id']}",
        location=location,
        start=start,
        time_s=t - t[0],
        gyro_dps=None if gyro is None else np.asarray(gyro),
        extra={"temperature_c": (np.asarray(data["temperature_c"]), "degC")},
        gaps=_gaps_from_times(t, fs_hz),
        rec_warnings=rec_warnings,
        kind="cwa",
    )


def _read_skdh(path: str | os.PathLike[str]) -> dict[str, object] | None:
    """Read with skdh; ``None`` when skdh is missing or refuses the file (caller falls back)."""
    try:
        import warnings

        from skdh.io import ReadCwa
    except ImportError:  # pragma: no cover - optional dependency
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = ReadCwa().predict(file=str(path))
    except (RuntimeError, ValueError, OSError) as err:
        logger.info("skdh could not read %s (%s); using the block parser", path, err)
        return None
    return {
        "acc_g": d["accel"],
        "gyro_dps": d.get("gyro"),
        "temperature_c": d["temperature"],
        "time_posix": np.asarray(d["time"], dtype=np.float64),
        "fs_hz": float(d["fs"]),
    }
