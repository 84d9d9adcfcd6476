"""Annotations: canonical events + hypnogram from any supported file, with format auto-detection.

:func:`read_annotations` sniffs the format (EDF+/BDF+ TAL, NSRR XML, Compumedics Profusion XML, CSV/TSV
and BIDS ``events.tsv``, SOMNOmedics DOMINO text exports, Nox Noxturnal CSV) and returns an
:class:`Annotations`: the events table (:func:`twitchlab.model.make_events`) with the original labels kept,
the 30-s hypnogram expanded from stage annotations, every tolerated problem as a warning, and the file's
own start time when it has one (onsets are seconds from that start).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from twitchlab._arrays import range_indices
from twitchlab.errors import InputFileError, TwitchlabWarning
from twitchlab.io.vocab import map_label, stage_code, unknown_labels
from twitchlab.model import EPOCH_S, Hypnogram, empty_events, make_events

__all__ = ["Annotations", "build_annotations", "hypnogram_from_events", "load_annotations", "read_annotations"]

logger = logging.getLogger(__name__)

#: Longest hypnogram accepted (14 days of 30-s epochs); longer means broken onsets or durations.
MAX_EPOCHS = 14 * 2880


@dataclass
class Annotations:
    """What an annotation file holds, in twitchlab terms.

    Attributes
    ----------
    events : DataFrame
        Canonical events (``type``, ``onset_s``, ``offset_s``, ``duration_s``, ``side``, ``label_original``,
        ``source``...), onsets in seconds from :attr:`start` (or from the file's time zero).
    hypnogram : Hypnogram or None
        30-s epochs expanded from stage annotations; ``None`` when the file has no stages.
    warnings : list of str
        Tolerated problems (unknown labels, skipped rows and why).
    start : datetime or None
        Wall-clock time that onset 0 refers to, when the file says.
    source : str or None
        File name.
    kind : str or None
        Detected format (``"edf+"``, ``"nsrr-xml"``, ``"profusion-xml"``, ``"csv"``, ``"domino"``, ``"noxturnal"``).
    """

    events: pd.DataFrame = field(default_factory=empty_events)
    hypnogram: Hypnogram | None = None
    warnings: list[str] = field(default_factory=list)
    start: datetime | None = None
    source: str | None = None
    kind: str | None = None

    @property
    def end_s(self) -> float:
        """Latest event end or hypnogram end (0 when empty)."""
        ends = [0.0]
        if len(self.events):
            ends.append(float(np.nanmax(self.events["offset_s"].to_numpy(float))))
        if self.hypnogram is not None:
            ends.append(self.hypnogram.end_s)
        return max(ends)


def hypnogram_from_events(
    onsets_s: np.ndarray,
    durations_s: np.ndarray,
    codes: np.ndarray,
    *,
    epoch_s: float = EPOCH_S,
    start_s: float | None = None,
    source: str | None = None,
) -> Hypnogram | None:
    """Expand stage annotations (each possibly spanning many epochs) into fixed epochs.

    Parameters
    ----------
    onsets_s, durations_s : array of float
        Stage annotation onsets and durations; a missing or zero duration means one epoch.
    codes : array of int
        YASA code of each annotation.
    epoch_s : float
        Epoch length.
    start_s : float, optional
        Onset of the first epoch (default: the earliest stage onset).
    source : str, optional
        For the hypnogram's provenance.

    Returns
    -------
    Hypnogram or None
        ``None`` when there are no stage annotations. Epochs no annotation covers are unscored (-1).
    """
    on = np.asarray(onsets_s, dtype=float)
    if on.size == 0:
        return None
    dur = np.asarray(durations_s, dtype=float)
    dur = np.where(np.isfinite(dur) & (dur > 0), dur, epoch_s)
    t0 = float(on.min()) if start_s is None else float(start_s)
    span_epochs = (float(np.max(on + dur)) - t0) / epoch_s
    if not np.isfinite(on).all() or not math.isfinite(span_epochs) or span_epochs > MAX_EPOCHS:
        raise InputFileError(
            f"{source or 'annotations'}: stage annotations span {span_epochs:.0f} epochs of {epoch_s:g} s "
            f"(more than {MAX_EPOCHS // 2880} days); the onsets or durations are wrong."
        )
    first = np.floor((on - t0) / epoch_s + 1e-6).astype(np.int64)
    n_ep = np.maximum(np.round(dur / epoch_s).astype(np.int64), 1)
    total = int((first + n_ep).max())
    stages = np.full(total, -1, dtype=np.int8)
    order = np.argsort(on, kind="stable")  # later annotations win where they overlap
    counts = n_ep[order]
    idx = range_indices(first[order], first[order] + counts)
    values = np.repeat(np.asarray(codes, dtype=np.int8)[order], counts)
    stages[idx[idx >= 0]] = values[idx >= 0]
    return Hypnogram(stages, epoch_s=epoch_s, start_s=t0, source=source)


def build_annotations(
    onsets_s: Sequence[float] | np.ndarray,
    durations_s: Sequence[float | None] | np.ndarray,
    labels: Sequence[str],
    *,
    source: str,
    kind: str,
    start: datetime | None = None,
    epoch_s: float = EPOCH_S,
    problems: Sequence[str] = (),
    types: Sequence[str] | None = None,
    extra: dict[str, Sequence[object]] | None = None,
) -> Annotations:
    """Map labels to the canonical vocabulary and assemble an :class:`Annotations`.

    Parameters
    ----------
    onsets_s, durations_s, labels : sequences
        One entry per annotation; a ``None``/NaN duration is an instant event.
    source, kind : str
        File name and format, recorded in ``source`` and the warnings.
    start : datetime, optional
        Wall-clock time of onset 0.
    epoch_s : float
        Hypnogram epoch length.
    problems : sequence of str
        Problems the reader already tolerated (added to the warnings).
    types : sequence of str, optional
        Types decided by the reader (e.g. stages of a hypnogram file); mapped from the labels otherwise.
    extra : dict, optional
        Extra columns to keep.

    Returns
    -------
    Annotations
        Unknown labels are kept as ``other`` and listed in one warning.
    """
    labels = [str(x) for x in labels]
    on = np.asarray(onsets_s, dtype=float)
    dur = np.array([np.nan if d is None else float(d) for d in durations_s], dtype=float)
    table = {lab: map_label(lab) for lab in set(labels)}  # each distinct label mapped once
    if types is None:
        types = [table[lab].type for lab in labels]
    sides = [table[lab].side for lab in labels]
    warns = list(problems)
    unknown = unknown_labels(labels, types)
    if unknown:
        listed = ", ".join(f"{k!r} ×{v}" for k, v in sorted(unknown.items(), key=lambda kv: -kv[1])[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        warns.append(
            f"{source}: {sum(unknown.values())} annotation(s) with {len(unknown)} label(s) not in the canonical "
            f"vocabulary were kept as type 'other': {listed}{more}."
        )
    cols: dict[str, object] = {
        "type": list(types),
        "onset_s": on,
        "duration_s": np.where(np.isfinite(dur), dur, 0.0),
        "side": sides,
        "label_original": labels,
        "source": [source] * len(labels),
    }
    cols.update(extra or {})
    events = make_events(cols) if len(labels) else empty_events()
    codes = np.array([stage_code(t, lab) for t, lab in zip(types, labels, strict=True)], dtype=object)
    is_stage = np.array([c is not None for c in codes], dtype=bool)
    hyp = None
    if is_stage.any():
        hyp = hypnogram_from_events(
            on[is_stage], dur[is_stage], codes[is_stage].astype(np.int8), epoch_s=epoch_s, source=source
        )
    return Annotations(events=events, hypnogram=hyp, warnings=warns, start=start, source=source, kind=kind)


def decode_text_file(raw: bytes, name: str) -> str:
    """Decode an annotation text file: UTF-16 (with BOM), UTF-8 (with or without BOM), else Latin-1.

    Raises
    ------
    InputFileError
        A UTF-16 BOM followed by bytes that are not UTF-16.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputFileError(
                f"{name}: starts with a UTF-16 byte-order mark but byte {err.start} is not UTF-16 text; "
                "the file is damaged or truncated. Export it again."
            ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _sniff(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".edf", ".bdf", ".rec"):
        return "edf"
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head[:8] == b"\xffBIOSEMI" or (head[:8].strip() == b"0" and len(head) >= 256):
        return "edf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "noxturnal"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith("<") or suffix == ".xml":
        return "xml"
    first = text.splitlines()[0] if text else ""
    if first.startswith(("Signal ID:", "Start Time:")):
        return "domino"
    if "heure de d" in first.lower():
        return "noxturnal"
    return "csv"


def read_annotations(path: str | PathLike[str], *, fmt: str | None = None) -> Annotations:
    """Read an annotation file of any supported format; issue its warnings.

    See :func:`load_annotations` for the parameters. Each entry of ``Annotations.warnings`` is also issued
    as a :class:`TwitchlabWarning`.
    """
    ann = load_annotations(path, fmt=fmt)
    for msg in ann.warnings:
        warnings.warn(msg, TwitchlabWarning, stacklevel=2)
    return ann


def load_annotations(path: str | PathLike[str], *, fmt: str | None = None) -> Annotations:
    """Read an annotation file of any supported format, collecting (not issuing) its warnings.

    Parameters
    ----------
    path : path-like
        EDF+/BDF+ (its annotations; signals are not read), NSRR or Profusion XML, CSV/TSV (onset, duration,
        description; BIDS ``events.tsv``), DOMINO text export, Noxturnal CSV.
    fmt : str, optional
        Force a format: ``"edf"``, ``"xml"``, ``"csv"``, ``"domino"``, ``"noxturnal"``.

    Returns
    -------
    Annotations
        Events, hypnogram, warnings and start time.

    Raises
    ------
    InputFileError
        Unrecognised or malformed file (the message names the file, the line or element, and the fix).
    FileNotFoundError
        The file does not exist.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "No such annotation file", str(p))
    kind = fmt or _sniff(p)
    if kind == "edf":
        from twitchlab.io.edf import read_edf_annotations

        ann = read_edf_annotations(p)
    elif kind == "xml":
        from twitchlab.io.xml_annotations import read_xml_annotations

        ann = read_xml_annotations(p)
    elif kind == "domino":
        from twitchlab.io.domino import read_domino

        ann = read_domino(p)
    elif kind == "noxturnal":
        from twitchlab.io.noxturnal import read_noxturnal

        ann = read_noxturnal(p)
    elif kind == "csv":
        from twitchlab.io.events_csv import read_events_csv

        ann = read_events_csv(p)
    else:
        raise InputFileError(f"{p.name}: unknown annotation format {kind!r}; use edf, xml, csv, domino or noxturnal.")
    return ann


def finite_or_none(x: float) -> float | None:
    """``x`` or ``None`` when NaN/inf (for JSON-friendly summaries)."""
    return x if math.isfinite(x) else None
