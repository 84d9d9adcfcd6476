"""One entry point for a night: a signal file or an annotation-only file, plus extra annotation files.

Extra annotation files are placed on the recording's time axis by their own start time when both files
carry one; a different night (more than a day apart) is an error, and events or hypnogram epochs that fall
outside the signal are reported with numbers.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from twitchlab._util import sha256_file
from twitchlab.errors import ChannelNotFoundError, InputFileError, TwitchlabWarning
from twitchlab.io.annotations import _sniff, load_annotations
from twitchlab.model import Recording, make_events

__all__ = ["merge_annotations", "read_recording"]

logger = logging.getLogger(__name__)

#: Annotation files whose start differs from the recording's by more than this belong to another night.
MAX_START_OFFSET_S = 24 * 3600.0


def read_recording(
    path: str | PathLike[str],
    *,
    annotations: Sequence[str | PathLike[str]] = (),
    channel_map: Mapping[str, str] | None = None,
    channels: Sequence[str] | None = None,
    units: Mapping[str, str] | None = None,
    progress: Callable[[float, float], None] | None = None,
    hash_inputs: bool = True,
) -> Recording:
    """Read a night from a signal file or an annotation-only file, and merge extra annotation files.

    Parameters
    ----------
    path : path-like
        EDF/EDF+/BDF file, or an annotation file (EDF+ hypnogram, XML, CSV/TSV, DOMINO, Noxturnal): then
        the recording has no channels and its duration is the end of the last annotation.
    annotations : sequence of path-like
        Extra annotation files (hypnogram, respiratory events, arousals...).
    channel_map : mapping, optional
        Role overrides, e.g. ``{"left": "EMG3", "right": "EMG4"}``.
    channels : sequence of str, optional
        Keep only these channels (labels or roles).
    units : mapping, optional
        Unit overrides ``{LABEL: "mV"}`` for channels whose header unit is wrong.
    progress : callable, optional
        ``progress(done, total)`` while samples are read.
    hash_inputs : bool
        Record the SHA-256 of every input file.

    Returns
    -------
    Recording
        With ``inputs`` listing every file read and ``warnings`` every tolerated problem.

    Raises
    ------
    InputFileError
        Unreadable file, or an annotation file from another night (or whose hypnogram misses the signal).
    ChannelNotFoundError
        ``channel_map`` names a channel that does not exist.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(2, "No such file", str(p))
    if _sniff(p) == "edf":
        from twitchlab.io.edf import read_edf

        rec = read_edf(
            p, channel_map=channel_map, channels=channels, units=units, progress=progress, hash_inputs=hash_inputs
        )
    else:
        if channel_map or units:
            given = {**(channel_map or {}), **(units or {})}
            raise ChannelNotFoundError(
                f"{p.name} is an annotation file with no signal channels, so "
                f"{', '.join(f'{k}={v}' for k, v in given.items())} cannot apply. Give the EDF as FILE."
            )
        ann = load_annotations(p)
        rec = Recording(
            channels={},
            duration_s=ann.end_s,
            start=ann.start,
            events=ann.events,
            hypnogram=ann.hypnogram,
            source=p.name,
            inputs=[_input(p, ann.kind, hash_inputs)],
            warnings=list(ann.warnings),
        )
        for msg in ann.warnings:
            warnings.warn(msg, TwitchlabWarning, stacklevel=2)
    if annotations:
        rec = merge_annotations(rec, annotations, hash_inputs=hash_inputs)
    return rec


def _input(p: Path, kind: str | None, hash_inputs: bool) -> dict[str, object]:
    return {"path": str(p.resolve()), "sha256": sha256_file(p) if hash_inputs else None, "kind": kind}


def merge_annotations(rec: Recording, paths: Sequence[str | PathLike[str]], *, hash_inputs: bool = True) -> Recording:
    """Return a copy of ``rec`` with the events and hypnogram of extra annotation files added.

    Parameters
    ----------
    rec : Recording
        The recording (not modified).
    paths : sequence of path-like
        Annotation files.
    hash_inputs : bool
        Record their SHA-256.

    Returns
    -------
    Recording
        Events concatenated and renumbered; a hypnogram from a file replaces an earlier one (with a warning).

    Raises
    ------
    InputFileError
        A file's start time is more than a day away from the recording's (another night), or its hypnogram
        does not cover one epoch of the signal.
    """
    frames = [rec.events] if len(rec.events) else []
    hyp = rec.hypnogram
    new_warnings: list[str] = []
    inputs = list(rec.inputs)
    has_signal = bool(rec.channels)
    duration = rec.duration_s
    for path in paths:
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(2, "No such annotation file", str(p))
        ann = load_annotations(p)
        new_warnings += ann.warnings
        inputs.append(_input(p, ann.kind, hash_inputs))
        shift = 0.0
        if ann.start is not None and rec.start is not None:
            shift = (ann.start.replace(tzinfo=None) - rec.start.replace(tzinfo=None)).total_seconds()
            if abs(shift) > MAX_START_OFFSET_S:
                raise InputFileError(
                    f"{p.name} starts at {ann.start:%Y-%m-%d %H:%M:%S} but {rec.source or 'the recording'} starts at "
                    f"{rec.start:%Y-%m-%d %H:%M:%S} ({shift / 3600:+.1f} h): they are from different nights. "
                    "Pass the annotation file that belongs to this recording."
                )
            if shift < 0 or (has_signal and shift > duration):
                new_warnings.append(
                    f"{p.name} starts {shift:+.1f} s from the start of {rec.source or 'the recording'} "
                    f"({ann.start:%Y-%m-%d %H:%M:%S} vs {rec.start:%Y-%m-%d %H:%M:%S}); "
                    "its events were shifted by that."
                )
        elif ann.start is None and rec.start is not None and ann.kind in ("csv",):
            logger.info("%s has no start time; onsets taken as seconds from the recording start", p.name)
        ev = ann.events
        if len(ev):
            ev = ev.copy()
            ev["onset_s"] += shift
            ev["offset_s"] += shift
            if has_signal:
                out = (ev["onset_s"] < -1e-6) | (ev["onset_s"] > duration + 1e-6)
                if out.any():
                    first = ev.loc[out].iloc[0]
                    new_warnings.append(
                        f"{p.name}: {int(out.sum())} of {len(ev)} event(s) start outside the signal "
                        f"(0-{duration:g} s), "
                        f"e.g. {first['label_original']!r} at {first['onset_s']:g} s; they were skipped."
                    )
                    ev = ev.loc[~out]
            frames.append(ev)
        if ann.hypnogram is not None:
            new_h = replace(ann.hypnogram, start_s=ann.hypnogram.start_s + shift)
            if has_signal and min(new_h.end_s, duration) - max(new_h.start_s, 0.0) < new_h.epoch_s:
                raise InputFileError(
                    f"{p.name}: its hypnogram covers {new_h.start_s:g}-{new_h.end_s:g} s, but the signal of "
                    f"{rec.source or 'the recording'} covers 0-{duration:g} s: not one epoch of it falls on the "
                    "signal. Is it the hypnogram of this night, with onsets in seconds from the recording start?"
                )
            if hyp is not None:
                new_warnings.append(f"{p.name}: a hypnogram was already present; the one from {p.name} replaces it.")
            hyp = new_h
            if has_signal:
                new_warnings += _hypnogram_vs_signal(new_h.start_s, new_h.end_s, new_h.epoch_s, duration, p.name)
        if not has_signal:
            duration = max(duration, ann.end_s + shift)
    events = make_events(pd.concat(frames, ignore_index=True)) if frames else rec.events
    for msg in new_warnings:
        warnings.warn(msg, TwitchlabWarning, stacklevel=2)
    return replace(
        rec,
        events=events,
        hypnogram=hyp,
        duration_s=duration,
        inputs=inputs,
        warnings=[*rec.warnings, *new_warnings],
    )


def _hypnogram_vs_signal(start_s: float, end_s: float, epoch_s: float, duration_s: float, name: str) -> list[str]:
    out = []
    if end_s > duration_s + epoch_s:
        extra = int(np.ceil((end_s - duration_s) / epoch_s))
        out.append(
            f"{name}: the hypnogram ends at {end_s:g} s but the signal ends at {duration_s:g} s: "
            f"{extra} epoch(s) of {epoch_s:g} s lie beyond the signal (is it the right file?)."
        )
    elif end_s < duration_s - epoch_s:
        missing = int(np.floor((duration_s - end_s) / epoch_s))
        out.append(
            f"{name}: the hypnogram ends at {end_s:g} s, {duration_s - end_s:g} s before the signal ends "
            f"({duration_s:g} s); the last {missing} epoch(s) of {epoch_s:g} s are unscored."
        )
    if start_s < -epoch_s:
        out.append(f"{name}: the hypnogram starts {-start_s:g} s before the signal.")
    return out
