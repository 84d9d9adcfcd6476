"""Axivity AX3/AX6 ``.cwa`` files.

scikit-digital-health (``skdh.io.ReadCwa``) reads intact files. It stops on a block whose checksum fails
(``RuntimeError: Bad block of timestamps...``) and so loses the whole night for one bad sector. For
those files we parse the 512-byte blocks ourselves (``_cwa_blocks``, vectorised with numpy), verify every
block's 16-bit word-sum checksum, drop the bad ones and report their numbers and the time gaps they leave.
The same decoder streams week-long files in batches of blocks read from disk (:func:`open_cwa_stream`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from twitchlab.io.accel._common import accel_recording, file_bytes, read_with_skdh, tolerate
from twitchlab.io.accel._cwa_blocks import BlockSource, CwaIndex, decode, index_blocks
from twitchlab.model import Recording

__all__ = ["CwaStream", "open_cwa_stream", "parse_cwa_blocks", "read_cwa"]

logger = logging.getLogger(__name__)


def parse_cwa_blocks(buf: bytes, *, name: str = "file") -> dict[str, object]:
    """Decode all data blocks of a CWA file held in memory, checking each block's checksum.

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
        ``fs_hz``, ``device_id``, ``bad_blocks`` (0-based data-block numbers skipped), ``n_blocks``, ``tail_bytes``.

    Raises
    ------
    InputFileError
        Not a CWA file, or no block passes its checks.
    """
    src = BlockSource(buf, name)
    idx = index_blocks(src)
    out: dict[str, object] = dict(decode(src, idx, slice(None)))
    out.update(
        fs_hz=idx.fs_hz, device_id=idx.device_id, bad_blocks=idx.bad_blocks, n_blocks=idx.n_blocks,
        tail_bytes=idx.tail_bytes,
    )  # fmt: skip
    return out


@dataclass
class CwaStream:
    """A CWA file opened for streaming: what its headers say, and its samples in batches of blocks.

    Attributes
    ----------
    fs_hz : float
        Nominal rate.
    device : str
        ``"axivity AX3 #id"`` or ``AX6``.
    start : datetime
        Time of the first sample (device clock).
    gaps : tuple of (start_s, end_s)
        Time not covered by good blocks, seconds from the first sample.
    warnings : list of str
        Skipped blocks, trailing bytes.
    """

    path: str
    index: CwaIndex
    fs_hz: float
    device: str
    start: datetime
    t0_posix: float
    gaps: tuple[tuple[float, float], ...]
    warnings: list[str]

    def samples(self, blocks_per_batch: int = 2000) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Yield ``(time_s, acc_g (n, 3), temperature_c)`` per batch of good blocks (read from disk batch by batch)."""
        src = BlockSource(self.path, self.path)
        for i in range(0, self.index.good.size, blocks_per_batch):
            d = decode(src, self.index, slice(i, i + blocks_per_batch))
            yield d["time_posix"] - self.t0_posix, d["acc_g"], d["temperature_c"]  # type: ignore[operator]


def open_cwa_stream(path: str | os.PathLike[str]) -> CwaStream:
    """Index a (possibly week-long) CWA file without decoding it: read in batches, headers and checksums only.

    Raises
    ------
    InputFileError
        Not a CWA file, or no usable block.
    """
    fpath = os.fspath(path)
    name = os.path.basename(fpath)  # messages name the file, not its folders (they reach the report)
    if not Path(fpath).is_file():
        raise FileNotFoundError(2, "No such file", fpath)
    src = BlockSource(fpath, name)
    idx = index_blocks(src)
    rec_warnings: list[str] = []
    _report(rec_warnings, name, idx, idx.n_samples)
    first = decode(src, idx, slice(0, 1))["time_posix"]
    t0 = float(first[0])  # type: ignore[index]
    # gaps: consecutive good blocks whose sequence numbers jump
    seq_gap = np.flatnonzero(np.diff(idx.virt0) > idx.per_block)
    t_at = lambda v: float(np.interp(v, idx.anchor_idx, idx.anchor_t)) - t0  # noqa: E731
    gaps = tuple((t_at(idx.virt0[i] + idx.per_block), t_at(idx.virt0[i + 1])) for i in seq_gap)
    hw = "AX6" if idx.axes >= 6 else "AX3"
    return CwaStream(
        path=fpath, index=idx, fs_hz=idx.fs_hz, device=f"axivity {hw} #{idx.device_id}",
        start=datetime(1970, 1, 1) + timedelta(seconds=t0), t0_posix=t0, gaps=gaps, warnings=rec_warnings,
    )  # fmt: skip


def _report(rec_warnings: list[str], name: str, idx: CwaIndex, n_samples: int) -> None:
    bad = idx.bad_blocks
    if bad:
        tolerate(
            rec_warnings,
            f"{name}: skipped {len(bad)} of {idx.n_blocks} CWA data blocks that fail their checksum or "
            f"header checks (0-based block numbers {_describe_bad(bad)}); kept {idx.n_blocks - len(bad)} good "
            f"blocks ({n_samples} samples). Gaps are recorded on the Recording.",
        )
    if idx.tail_bytes:
        tolerate(rec_warnings, f"{name}: {idx.tail_bytes} trailing bytes after the last whole block ignored.")


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
    name = os.path.basename(os.fspath(path))
    src = BlockSource(buf, name)
    idx = index_blocks(src)  # validates every checksum
    parsed = decode(src, idx, slice(None))
    rec_warnings: list[str] = []
    _report(rec_warnings, name, idx, len(parsed["acc_g"]))  # type: ignore[arg-type]
    data: dict[str, object] | None = None
    if engine in ("auto", "skdh") and not idx.bad_blocks:
        data = _read_skdh(path)
    if data is None:
        data = dict(parsed)
    else:  # skdh reads the same samples; take the temperature with the cwa.h conversion for both paths
        data["temperature_c"] = parsed["temperature_c"]
    t = np.asarray(data["time_posix"], dtype=np.float64)
    fs_hz = idx.fs_hz
    start = datetime(1970, 1, 1) + timedelta(seconds=float(t[0]))
    gyro = data.get("gyro_dps")
    hw = "AX6" if gyro is not None else "AX3"
    return accel_recording(
        np.asarray(data["acc_g"]),
        fs_hz,
        path=path,
        device=f"axivity {hw} #{idx.device_id}",
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
    d = read_with_skdh("ReadCwa", path, errors=(RuntimeError, ValueError, OSError), fallback="block parser")
    if d is None:
        return None
    return {
        "acc_g": d["accel"],
        "gyro_dps": d.get("gyro"),
        "temperature_c": d["temperature"],
        "time_posix": np.asarray(d["time"], dtype=np.float64),
        "fs_hz": float(d["fs"]),
    }
