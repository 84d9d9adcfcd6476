"""Write a :class:`~twitchlab.model.Recording` to EDF+C (signals, events and hypnogram) through edfio."""

from __future__ import annotations

import datetime as dt
import logging
import math
import unicodedata
import warnings
from fractions import Fraction
from os import PathLike
from pathlib import Path

import edfio
import numpy as np

from twitchlab._util import atomic_write
from twitchlab.errors import ParameterError, TwitchlabWarning
from twitchlab.io.vocab import map_label
from twitchlab.model import STAGE_TYPE_TO_CODE, Recording

__all__ = ["write_edf"]

logger = logging.getLogger(__name__)

_STAGE_TEXT = {0: "Sleep stage W", 1: "Sleep stage N1", 2: "Sleep stage N2", 3: "Sleep stage N3", 4: "Sleep stage R",
               -1: "Sleep stage ?", -2: "Movement time"}  # fmt: skip


def _ascii(text: str, width: int) -> str:
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return "".join(c if 32 <= ord(c) < 127 else "_" for c in folded)[:width]


def _record_duration(rates: list[float]) -> float:
    """Shortest record length (≤ 60 s) that holds a whole number of samples of every rate."""
    for cand in (1, 2, 4, 5, 10, 20, 25, 30, 40, 50, 60, 0.5, 0.25, 0.2, 0.1):
        if all(abs(f * cand - round(f * cand)) < 1e-6 for f in rates):
            return float(cand)
    lcm_den = 1
    for f in rates:
        lcm_den = math.lcm(lcm_den, Fraction(f).limit_denominator(10_000).denominator)
    return float(lcm_den)


def _annotation_texts(rec: Recording) -> list[edfio.EdfAnnotation]:
    out = []
    ev = rec.events
    skip_stages = rec.hypnogram is not None
    for row in ev.itertuples(index=False):
        if skip_stages and row.type in STAGE_TYPE_TO_CODE:
            continue
        label = row.label_original
        text = label if (label and map_label(label).type == row.type) else row.type
        dur = float(row.duration_s) if row.duration_s and row.duration_s > 0 else None
        out.append(edfio.EdfAnnotation(max(float(row.onset_s), 0.0), dur, _ascii(text, 200) or row.type))
    if rec.hypnogram is not None:
        h = rec.hypnogram
        codes = h.stages.astype(int)
        if codes.size:
            change = np.flatnonzero(np.diff(codes)) + 1
            starts = np.concatenate([[0], change])
            ends = np.concatenate([change, [codes.size]])
            for a, b in zip(starts, ends, strict=True):
                onset = h.start_s + a * h.epoch_s
                if onset >= 0:
                    out.append(edfio.EdfAnnotation(onset, (b - a) * h.epoch_s, _STAGE_TEXT[int(codes[a])]))
    return out


def write_edf(rec: Recording, path: str | PathLike[str], *, overwrite: bool = True) -> Path:
    """Write a recording as EDF+C: every channel, the events as annotations, the hypnogram as stage runs.

    Voltage channels (unit ``uV``) are written in µV with a physical range from their own min/max; NaN
    samples (gaps) are written as 0 with a warning. Labels are folded to ASCII and cut to 16 characters.
    Events are written with their original label when it maps back to the same canonical type, else with
    the type name, so :func:`twitchlab.io.read_edf` reads them back to the same types. The file is written
    atomically (a crash never leaves half a file).

    Parameters
    ----------
    rec : Recording
        What to write (samples are loaded).
    path : path-like
        Destination ``.edf``.
    overwrite : bool
        Replace an existing file (default); refuse otherwise.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ParameterError
        The file exists and ``overwrite`` is False, or there is nothing to write.
    """
    dest = Path(path)
    if dest.exists() and not overwrite:
        raise ParameterError(f"{dest} exists; pass overwrite=True to replace it.")
    chans = list(rec.channels.values())
    anns = _annotation_texts(rec)
    if not chans and not anns:
        raise ParameterError("write_edf: the recording has no channels and no events; nothing to write.")
    record_s = _record_duration([c.fs_hz for c in chans]) if chans else 0.0
    signals = []
    n_records = math.ceil(rec.duration_s / record_s - 1e-9) if chans else 0
    for ch in chans:
        spr = round(ch.fs_hz * record_s)
        data = np.array(ch.data, dtype=np.float64)
        bad = ~np.isfinite(data)
        if bad.any():
            warnings.warn(
                f"write_edf: channel {ch.label!r} has {int(bad.sum())} NaN/inf sample(s) (gaps); written as 0.",
                TwitchlabWarning,
                stacklevel=2,
            )
            data[bad] = 0.0
        want = n_records * spr
        data = np.concatenate([data[:want], np.zeros(max(want - data.size, 0))])
        lo, hi = (float(data.min()), float(data.max())) if data.size else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1.0
        signals.append(
            edfio.EdfSignal(
                data,
                sampling_frequency=spr / record_s,
                label=_ascii(ch.label, 16),
                physical_dimension=_ascii("uV" if ch.unit == "uV" else ch.unit, 8),
                physical_range=(lo, hi),
            )
        )
    start = rec.start or dt.datetime(1985, 1, 1)
    edf = edfio.Edf(
        signals,
        recording=edfio.Recording(startdate=start.date()),
        starttime=start.time().replace(tzinfo=None),
        data_record_duration=record_s if chans else None,  # edfio picks 0-s records for annotation-only files
        annotations=anns,
    )
    with atomic_write(dest, "wb") as fh:
        edf.write(fh)
    logger.info("wrote %s: %d channels, %d annotations", dest, len(chans), len(anns))
    return dest
