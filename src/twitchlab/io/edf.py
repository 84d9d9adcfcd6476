"""Read EDF, EDF+C, EDF+D, BDF and BDF+ files into a :class:`~twitchlab.model.Recording`.

Only the header and the annotation signal are read up front. Each channel's samples are read when its
``data`` is first used, one signal at a time through short memory-mapped windows, so taking the two leg
channels out of a 24-h, 30-channel file reads about 2/30 of it (``benchmarks/read_night.py``).

Notes
-----
- Rates are samples per record ÷ record duration, never assumed whole (12.8, 487.5 Hz exist).
- Scaling keeps the sign of the gain: physical_min > physical_max (inverted range) is legal.
- Voltages are converted to µV (:func:`twitchlab.io.units.unit_factor_uv`).
- EDF+: the first TAL of each record gives that record's onset. Its sub-second part shifts the start time
  (``Recording.start``) and every annotation onset is measured from the first sample.
- EDF+D (discontinuous): records are placed at their TAL onsets, gaps are NaN-filled and listed in
  ``Recording.gaps``; records are never joined silently. An EDF+C whose record onsets jump is read the same
  way, with a warning.
- Duplicate labels get ``-0``, ``-1``... suffixes, in file order.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from twitchlab._util import sha256_file
from twitchlab.errors import ChannelNotFoundError, InputFileError, TwitchlabWarning, did_you_mean
from twitchlab.io._edf_data import parse_annotation_records, read_signal_bytes, read_signal_physical, to_digital
from twitchlab.io._edf_header import EdfHeader, SignalHeader, parse_header
from twitchlab.io.aliases import assign_roles, unique_labels
from twitchlab.io.annotations import Annotations, build_annotations
from twitchlab.io.units import (
    EMG_LIKE_ROLES,
    MUSCLE_ROLES,
    quick_emg_checks,
    resolve_unit_overrides,
    unit_factor_uv,
)
from twitchlab.model import ROLE_WORDS, Channel, Recording

__all__ = ["read_edf", "read_edf_annotations"]

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, float], None]
_GAP_TOL_S = 1e-6
#: Longest recording accepted (a week); longer means corrupt record times.
MAX_DURATION_S = 7 * 86400.0


def _record_timing(h: EdfHeader, record_onsets: np.ndarray | None) -> tuple[np.ndarray, list[str]]:
    """Onset of each record from the timekeeping TALs (seconds from the header start time)."""
    problems: list[str] = []
    nominal = np.arange(h.n_records) * h.record_s
    if record_onsets is None:
        return nominal, problems
    onsets = record_onsets
    missing = np.flatnonzero(~np.isfinite(onsets))
    if missing.size:
        if h.is_discontinuous:
            raise InputFileError(
                f"{h.path.name}: EDF+D data record {int(missing[0]) + 1} has no time-keeping annotation, so its "
                "place in time is unknown. The file breaks the EDF+ spec; re-export it from the recorder."
            )
        problems.append(
            f"{h.path.name}: {missing.size} data record(s) lack a time-keeping annotation; assumed contiguous."
        )
        base = onsets[0] if np.isfinite(onsets[0]) else 0.0
        onsets = base + nominal
    if onsets.size and abs(onsets[0]) > MAX_DURATION_S:
        msg = (
            f"{h.path.name}: the first data record starts {onsets[0]:g} s after the header start time "
            "(more than a week): the time-keeping annotations are corrupt"
        )
        if h.is_discontinuous:
            raise InputFileError(msg + "; an EDF+D cannot be placed in time without them.")
        problems.append(msg + "; the records were read as contiguous from the header start time.")
        return nominal, problems
    return onsets, problems


def _gaps(pos_s: np.ndarray, record_s: float, name: str) -> list[tuple[float, float]]:
    if pos_s.size < 2:
        return []
    ends = pos_s[:-1] + record_s
    step = pos_s[1:] - ends
    back = np.flatnonzero(step < -_GAP_TOL_S - 1e-9 * np.abs(ends))
    if back.size:
        i = int(back[0]) + 1
        raise InputFileError(
            f"{name}: data record {i + 1} starts at {pos_s[i]:.6f} s, before record {i} ends "
            f"({ends[i - 1]:.6f} s): records overlap or are out of order. The file is corrupt."
        )
    idx = np.flatnonzero(step > _GAP_TOL_S + 1e-9 * np.abs(ends))
    return [(float(ends[i]), float(pos_s[i + 1])) for i in idx]


def _rails(physical_min: float, physical_max: float, factor: float) -> tuple[float, float] | None:
    """The header's physical range in the channel's unit, low to high (``None`` when it is empty)."""
    lo, hi = sorted((physical_min * factor, physical_max * factor))
    return (lo, hi) if hi > lo else None


def _make_loader(
    h: EdfHeader,
    sig: SignalHeader,
    *,
    gain: float,
    offset: float,
    pos_s: np.ndarray,
    n_samples: int,
    contiguous: bool,
    label: str,
    progress: ProgressCallback | None,
) -> Callable[[], np.ndarray]:
    fs_hz = sig.samples_per_record / h.record_s

    def load() -> np.ndarray:
        if sig.digital_max == sig.digital_min:
            raise InputFileError(
                f"{h.path.name}, channel {label!r}: digital minimum equals digital maximum ({sig.digital_min}), "
                "so the samples cannot be scaled to physical units. Fix the header or drop this channel."
            )
        phys = read_signal_physical(h, sig.index, gain=gain, offset=offset, progress=progress)
        if contiguous:
            return phys.reshape(-1)
        out = np.full(n_samples, np.nan)
        first = np.round(pos_s * fs_hz).astype(np.int64)
        idx = (first[:, None] + np.arange(sig.samples_per_record)[None, :]).reshape(-1)
        ok = idx < n_samples
        out[idx[ok]] = phys.reshape(-1)[ok]
        return out

    return load


def _read_tals(h: EdfHeader) -> tuple[np.ndarray | None, list[Any], int]:
    """Record onsets from the first annotation signal, all other TALs, and the count of malformed ones."""
    ann_idx = [s.index for s in h.signals if s.is_annotation]
    record_onsets: np.ndarray | None = None
    all_tals: list[Any] = []
    bad = 0
    for k, idx in enumerate(ann_idx):
        onsets, tals, nbad = parse_annotation_records(read_signal_bytes(h, idx), timekeeping=k == 0)
        if k == 0:
            record_onsets = onsets
        all_tals.extend(tals)
        bad += nbad
    return record_onsets, all_tals, bad


def _annotations_from_tals(h: EdfHeader, tals: list[Any], t0: float, duration_s: float | None, bad: int) -> Annotations:
    name = h.path.name
    problems: list[str] = []
    if bad:
        problems.append(f"{name}: {bad} malformed EDF+ annotation(s) (TALs) skipped.")
    onsets, durs, labels = [], [], []
    for tal in tals:
        for text in tal.texts:
            if text:
                onsets.append(round(tal.onset_s - t0, 9))
                durs.append(tal.duration_s)
                labels.append(text)
    if duration_s is not None and onsets:
        on = np.asarray(onsets)
        out = (on < -_GAP_TOL_S) | (on > duration_s + _GAP_TOL_S)
        if out.any():
            problems.append(
                f"{name}: {int(out.sum())} annotation(s) start outside the recording (0-{duration_s:g} s), e.g. "
                f"{labels[int(np.flatnonzero(out)[0])]!r} at {on[out][0]:g} s; they were skipped."
            )
            keep = ~out
            onsets = list(on[keep])
            durs = [d for d, k in zip(durs, keep, strict=True) if k]
            labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
    start = h.start + timedelta(seconds=t0) if h.start is not None else None
    return build_annotations(onsets, durs, labels, source=name, kind="edf+", start=start, problems=problems)


def read_edf_annotations(path: str | PathLike[str]) -> Annotations:
    """Read only the annotations of an EDF+/BDF+ file (no signal samples are read).

    Parameters
    ----------
    path : path-like
        EDF+/BDF+ file, e.g. a Sleep-EDF ``*-Hypnogram.edf`` (annotation-only, 0-s records).

    Returns
    -------
    Annotations
        Onsets in seconds from the first sample; the hypnogram is expanded from stage annotations.
    """
    h = parse_header(Path(path))
    record_onsets, tals, bad = _read_tals(h)
    onsets, _ = _record_timing(h, record_onsets)
    t0 = float(onsets[0]) if onsets.size else 0.0
    ann = _annotations_from_tals(h, tals, t0, None, bad)
    ann.warnings[:0] = list(h.problems)
    return ann


def read_edf(
    path: str | PathLike[str],
    *,
    channels: Sequence[str] | None = None,
    channel_map: Mapping[str, str] | None = None,
    annotations: Sequence[str | PathLike[str]] = (),
    units: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    hash_inputs: bool = True,
) -> Recording:
    """Read an EDF/EDF+/BDF/BDF+ file lazily; samples are in µV for voltage channels.

    Parameters
    ----------
    path : path-like
        The file (never modified).
    channels : sequence of str, optional
        Keep only these channels, by label or role (``"leg_left"``...); all by default. Since samples are
        read lazily this mostly trims what is listed.
    channel_map : mapping, optional
        Role overrides ``{"left": NAME, "right": NAME, "chin": NAME, "ecg": NAME}``.
    annotations : sequence of path-like
        Extra annotation files merged into the recording (see :func:`twitchlab.io.read_recording`).
    units : mapping, optional
        Physical dimension overrides ``{LABEL: "mV"}`` for channels whose header unit is wrong (what
        :func:`twitchlab.io.units.check_emg_units` suggests); CLI ``--unit LABEL=mV``.
    progress : callable, optional
        ``progress(done, total)`` called while a channel's samples are read.
    hash_inputs : bool
        Record the SHA-256 of every input in ``Recording.inputs`` (reads the whole file once, in chunks).

    Returns
    -------
    Recording
        Channels (lazy), events from EDF+ annotations, hypnogram from stage annotations, gaps (EDF+D),
        inputs and warnings (each also issued as :class:`TwitchlabWarning`).

    Raises
    ------
    InputFileError
        Not an EDF/BDF, truncated header, corrupt numbers, no data records, overlapping EDF+D records.
    ChannelNotFoundError
        A ``channel_map`` or ``channels`` name matches no channel.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "No such EDF file", str(p))
    h = parse_header(p)
    name = p.name
    problems = list(h.problems)
    ordinary = [s for s in h.signals if not s.is_annotation]
    record_onsets, tals, bad = _read_tals(h)
    annotation_only = not ordinary or h.record_s == 0
    if h.n_records == 0 and not annotation_only:
        extra = f" Also: {'; '.join(problems)}" if problems else ""
        raise InputFileError(
            f"{name}: the recording holds no data (0 data records after the header; {_declared(h)}). "
            f"Nothing to analyse: export the night again.{extra}"
        )
    onsets, timing_problems = _record_timing(h, record_onsets)
    problems += timing_problems
    t0 = float(onsets[0]) if onsets.size else 0.0
    pos = onsets - t0
    gaps: list[tuple[float, float]] = []
    if not annotation_only:
        try:
            gaps = _gaps(pos, h.record_s, name)
        except InputFileError as err:
            if h.is_discontinuous:
                raise
            # EDF+C promises contiguity: broken time-keeping TALs do not make the samples unusable
            problems.append(f"{err} The header says {h.variant}, so the records were read as contiguous.")
            pos = np.arange(h.n_records) * h.record_s
        if gaps and not h.is_discontinuous:
            problems.append(
                f"{name}: the header says {h.variant} but {len(gaps)} data record(s) start after a gap; the "
                "records were placed at their own times and the gaps filled with NaN."
            )
    duration_s = float(pos[-1] + h.record_s) if (pos.size and not annotation_only) else 0.0
    if duration_s > MAX_DURATION_S:
        raise InputFileError(
            f"{name}: the data records span {duration_s / 86400:.1f} days (last record starts at {pos[-1]:g} s); "
            "the record times are corrupt."
        )
    ann = _annotations_from_tals(h, tals, t0, None if annotation_only else duration_s, bad)
    if annotation_only:
        duration_s = ann.end_s
    problems += ann.warnings

    labels, dups = unique_labels([s.label for s in ordinary])
    if dups:
        problems.append(
            f"{name}: duplicate channel label(s) {', '.join(repr(d) for d in dups)}; kept apart as "
            + ", ".join(lab for lab in labels if any(lab.startswith(d + "-") for d in dups))
            + " (in file order)."
        )
    dims = resolve_unit_overrides(labels, [s.physical_dimension for s in ordinary], units, source=name)
    roles = assign_roles(labels, dims, channel_map=channel_map, source=name, problems=problems)
    chans: dict[str, Channel] = {}
    contiguous = not gaps
    for sig, label, role, dim in zip(ordinary, labels, roles, dims, strict=True):
        if sig.samples_per_record == 0:
            problems.append(f"{name}: channel {label!r} has 0 samples per record; skipped.")
            continue
        fs_hz = sig.samples_per_record / h.record_s
        factor = unit_factor_uv(dim)
        unit = "uV" if factor is not None else dim
        if factor is None and role in EMG_LIKE_ROLES:
            problems.append(
                f"{name}, channel {label!r} ({ROLE_WORDS.get(role, role)}): unit {dim!r} is "
                f"{'empty' if not dim else 'not a voltage unit'}; µV assumed. Check the amplitudes "
                f"(twitchlab.io.units.check_emg_units) or give the unit: --unit '{label}=uV'."
            )
            factor, unit = 1.0, "uV"
        factor = 1.0 if factor is None else factor
        ddig = sig.digital_max - sig.digital_min
        if ddig == 0:
            problems.append(
                f"{name}, channel {label!r}: digital minimum equals digital maximum ({sig.digital_min}); "
                "its samples cannot be scaled and reading them will fail."
            )
            gain, off = 0.0, 0.0
        else:
            gain = (sig.physical_max - sig.physical_min) / ddig
            off = sig.physical_min - gain * sig.digital_min
            if gain == 0:
                problems.append(
                    f"{name}, channel {label!r}: physical minimum equals physical maximum "
                    f"({sig.physical_min}); the channel is constant."
                )
        gain, off = gain * factor, off * factor
        n_samples = round(duration_s * fs_hz) if not contiguous else h.n_records * sig.samples_per_record
        chans[label] = Channel(
            label=label,
            label_original=sig.label,
            fs_hz=fs_hz,
            n_samples=n_samples,
            physical_dimension=dim,
            unit=unit,
            role=role,
            loader=_make_loader(
                h,
                sig,
                gain=gain,
                offset=off,
                pos_s=pos,
                n_samples=n_samples,
                contiguous=contiguous,
                label=label,
                progress=progress,
            ),
            resolution=abs(gain) if ddig else None,
            rails=_rails(sig.physical_min, sig.physical_max, factor) if ddig else None,
        )
        if role in MUSCLE_ROLES and gain != 0 and h.record_s > 0:
            sample, sample_s = _peek(h, sig, gain=gain, offset=off)
            problems += quick_emg_checks(chans[label], sample, source=name, sample_s=sample_s)
    if channels is not None:
        chans = _select(chans, channels, name)
    start = h.start + timedelta(seconds=t0) if h.start is not None else None
    inputs = [{"path": str(p.resolve()), "sha256": sha256_file(p) if hash_inputs else None, "kind": h.variant}]
    rec = Recording(
        channels=chans,
        duration_s=duration_s,
        start=start,
        events=ann.events,
        hypnogram=ann.hypnogram,
        gaps=tuple(gaps),
        source=name,
        inputs=inputs,
        warnings=problems,
        declared_duration_s=_declared_duration(h, duration_s, annotation_only),
    )
    for msg in problems:
        warnings.warn(msg, TwitchlabWarning, stacklevel=2)
    if annotations:
        from twitchlab.io.recording import merge_annotations

        rec = merge_annotations(rec, annotations, hash_inputs=hash_inputs)
    logger.info("read %s: %d channels, %.1f s, %d events", name, len(chans), duration_s, len(rec.events))
    return rec


def _peek(
    h: EdfHeader, sig: SignalHeader, *, gain: float, offset: float, seconds: float = 300.0
) -> tuple[np.ndarray, float]:
    """The first ``seconds`` of one signal in µV (a few records, for cheap read-time checks), and its length."""
    k = min(h.n_records, max(1, int(np.ceil(seconds / h.record_s))))
    width = sig.samples_per_record * h.bytes_per_sample
    if k == 0 or width == 0:
        return np.empty(0), 0.0
    start = h.byte_offset(sig.index)
    mm = np.memmap(h.path, dtype=np.uint8, mode="r", offset=h.header_bytes, shape=(k, h.record_bytes))
    raw = np.array(mm[:, start : start + width])
    del mm
    return to_digital(raw, h.fmt).reshape(-1).astype(np.float64) * gain + offset, k * h.record_s


def _declared_duration(h: EdfHeader, duration_s: float, annotation_only: bool) -> float | None:
    """Seconds the header promises: what was read plus the declared records the file does not hold.

    ``None`` when the header states no record count (-1) or the file holds annotations only. Equal to
    ``duration_s`` unless the file was cut off (fewer complete records than declared).
    """
    if annotation_only or h.n_records_declared < 0:
        return None
    missing = max(h.n_records_declared - h.n_records, 0)
    return duration_s + missing * h.record_s


def _declared(h: EdfHeader) -> str:
    """``"5 signals declared (4 data, 1 annotation)"``: the header's signal count, split by kind."""
    n_ann = sum(1 for s in h.signals if s.is_annotation)
    n = len(h.signals)
    text = f"{n} signal{'s' if n != 1 else ''} declared"
    return text + (f" ({n - n_ann} data, {n_ann} annotation)" if n_ann else "")


def _select(chans: dict[str, Channel], wanted: Sequence[str], name: str) -> dict[str, Channel]:
    keep: dict[str, Channel] = {}
    for w in wanted:
        hits = [lab for lab, c in chans.items() if lab == w or c.role == w or c.label_original == w]
        if not hits:
            raise ChannelNotFoundError(
                f"{name}: no channel or role {w!r}; channels are {', '.join(chans)}." + did_you_mean(w, list(chans))
            )
        keep.update({lab: chans[lab] for lab in hits})
    return {lab: c for lab, c in chans.items() if lab in keep}
