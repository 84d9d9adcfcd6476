"""The wearable path: accelerometer file → movements + estimated sleep → the same scoring as PSG.

``analyze_wearable`` reads an Axivity/GENEActiv/ActiGraph/Actiwatch/phone file, streams raw acceleration
through :class:`~twitchlab.detect.accel.AccelFeatureStream` in chunks, estimates non-wear and sleep/wake
(or takes a hypnogram file), detects movements and scores them with :func:`twitchlab.score.score_night`, so
series, IMI histograms and reports work unchanged. Every result carries ``lm_source = "accelerometer"``
and the agreement caveat of SCORING_SPEC §7.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab.detect.accel import (
    AccelFeatures,
    AccelFeatureStream,
    detect_count_movements,
    detect_movements,
    movement_params,
)
from twitchlab.detect.sleepwake import SleepEstimate, estimate_sleep_counts, estimate_sleep_raw, nonwear_raw
from twitchlab.errors import InsufficientDataError, ParameterError, check_option
from twitchlab.model import Hypnogram, Recording
from twitchlab.results import NightResult

__all__ = [
    "AGREEMENT_CAVEAT",
    "analyze_accel_nights",
    "analyze_accel_stream",
    "analyze_wearable",
    "wearable_features",
]

logger = logging.getLogger(__name__)

#: SCORING_SPEC §7: said in every output of the wearable path.
AGREEMENT_CAVEAT = (
    "Accelerometer movement counts approximate EMG-scored leg movements; published agreement of ankle "
    "devices with polysomnography is roughly r = 0.8-0.9 (wrist and mattress lower). This is not a clinical "
    "PLMS index, and sleep time is estimated from movement, not scored."
)
_STAGE_KEYS = ("n1_min", "n2_min", "n3_min", "rem_min", "plms_nrem_index", "plms_rem_index")
_MOVEMENT_WORDS = ("lm_", "plm", "clm", "imi_", "periodicity", "lms_index")


def wearable_features(
    chunks: Iterable[tuple[np.ndarray, np.ndarray | None]],
    fs_hz: float,
    *,
    progress: Callable[[float, float], None] | None = None,
    total_samples: int | None = None,
) -> AccelFeatures:
    """Stream ``(acc_g, temperature_c or None)`` chunks into :class:`AccelFeatures` (bounded memory)."""
    stream = AccelFeatureStream(fs_hz)
    for acc, temp in chunks:
        stream.update(acc, temp)
        if progress is not None and total_samples:
            progress(float(stream.n_samples), float(total_samples))
    return stream.result()


def _load_hypnogram(hypnogram: Hypnogram | str | os.PathLike[str], rec_start: datetime | None) -> tuple[Hypnogram, str]:
    if isinstance(hypnogram, Hypnogram):
        return hypnogram, hypnogram.source or "hypnogram given"
    from twitchlab.io import read_annotations

    ann = read_annotations(hypnogram)
    if ann.hypnogram is None:
        raise InsufficientDataError(f"{hypnogram}: holds no sleep stages; pass a hypnogram file (stages per epoch).")
    hyp = ann.hypnogram
    if ann.start is not None and rec_start is not None:
        offset = (ann.start - rec_start).total_seconds()
        hyp = Hypnogram(hyp.stages, epoch_s=hyp.epoch_s, start_s=hyp.start_s + offset, source=hyp.source)
    return hyp, f"hypnogram file {os.path.basename(os.fspath(hypnogram))}"


def _finish(
    *,
    lms: pd.DataFrame,
    sleep: SleepEstimate | None,
    hyp: Hypnogram | None,
    hyp_source: str,
    duration_s: float,
    rules: str,
    detector: dict[str, Any],
    meta: dict[str, Any],
    inputs: list[dict[str, Any]],
    notes: list[str],
    movements_available: bool,
    options: Mapping[str, Any],
    gaps: tuple[tuple[float, float], ...] = (),
) -> NightResult:
    from twitchlab.score import score_night

    estimated = hyp is None
    if estimated:
        if sleep is None:  # pragma: no cover - callers always pass one of the two
            raise ParameterError("need a sleep estimate or a hypnogram")
        hyp = sleep.to_hypnogram()
        window = (sleep.spt_start_s, sleep.spt_end_s) if sleep.spt_start_s is not None else None
        if window is None:
            notes.append("no sleep period found in the recording; indices use the whole recording")
    else:
        window = None
    unscorable = None
    stretches = [*(sleep.nonwear if sleep is not None else []), *gaps]
    if stretches:
        unscorable = pd.DataFrame(
            {"onset_s": [a for a, _ in stretches], "offset_s": [b for _, b in stretches], "side": "B"}
        )
    scored = score_night(
        lms, hypnogram=hyp, window=window, unscorable=unscorable, recording_s=duration_s, rules=rules, **options
    )  # type: ignore[arg-type]
    notes.extend(str(w) for w in scored.warnings)
    summary = dict(scored.summary)
    if estimated:
        for k in _STAGE_KEYS:
            summary[k] = None
    if not movements_available:
        for k in list(summary):
            if any(w in k for w in _MOVEMENT_WORDS) and k not in ("lm_count_single_channel",):
                summary[k] = None
    summary.update(
        {
            "source": "accelerometer",
            "sleep_source": (f"estimate: {sleep.method}" if estimated and sleep is not None else hyp_source),
            "tst_estimated": estimated,
            "device": meta.get("device"),
            "location": meta.get("location"),
            "nonwear_min": None if sleep is None else sum(b - a for a, b in sleep.nonwear) / 60.0,
            "agreement_caveat": AGREEMENT_CAVEAT,
        }
    )
    events = scored.events.copy()
    events["source"] = "accelerometer"
    params = {
        **scored.params,
        "lm_source": "accelerometer",
        "detector": detector,
        "sleep": {"source": summary["sleep_source"], **({} if sleep is None else sleep.params)},
        **meta,
        "agreement_caveat": AGREEMENT_CAVEAT,
    }
    return NightResult(
        summary=summary,
        events=events,
        hypnogram=hyp,
        params=params,
        inputs=inputs,
        warnings=[*notes, AGREEMENT_CAVEAT],
        lm_source="accelerometer",
    )


def analyze_accel_stream(
    chunks: Iterable[tuple[np.ndarray, np.ndarray | None]],
    fs_hz: float,
    *,
    location: Literal["ankle", "wrist", "mattress"] = "ankle",
    side: Literal["L", "R", "B"] = "B",
    hypnogram: Hypnogram | None = None,
    rules: Literal["wasm2016", "aasm"] = "wasm2016",
    movement: Mapping[str, float] | None = None,
    device: str | None = None,
    inputs: list[dict[str, Any]] | None = None,
    warnings: list[str] | None = None,
    progress: Callable[[float, float], None] | None = None,
    total_samples: int | None = None,
    gaps: tuple[tuple[float, float], ...] = (),
    **options: Any,
) -> NightResult:
    """Analyse raw acceleration given as chunks (a file, a simulator, a live logger) in bounded memory.

    Parameters
    ----------
    chunks : iterable of (acc_g, temperature_c or None)
        Consecutive (n, 3) arrays in g (and temperature in °C when the device has it).
    fs_hz : float
        Sampling rate.
    location : {"ankle", "wrist", "mattress"}
        Selects the movement defaults; mattress skips non-wear (a phone on a bed lies still by design).
    side : {"L", "R", "B"}
        Leg of an ankle device (``B``: unknown, or wrist/mattress).
    hypnogram : Hypnogram, optional
        Replaces the sleep estimate.
    rules : {"wasm2016", "aasm"}
        Scoring rules applied to the movement onsets.
    movement : mapping, optional
        Overrides of :class:`~twitchlab.detect.accel.MovementParams`.
    gaps : tuple of (start_s, end_s)
        Stretches without data (skipped blocks), scored as unscorable.
    **options
        Scoring options of :func:`twitchlab.score.score_night`.

    Returns
    -------
    NightResult
        ``lm_source = "accelerometer"``; ``summary`` adds ``source``, ``sleep_source``, ``tst_estimated``,
        ``device``, ``location``, ``nonwear_min`` and ``agreement_caveat``.
    """
    check_option("location", location, ("ankle", "wrist", "mattress"))
    params = movement_params(location, **dict(movement or {}))
    feats = wearable_features(chunks, fs_hz, progress=progress, total_samples=total_samples)
    if feats.n_samples == 0:
        raise InsufficientDataError("no acceleration samples to analyse.")
    return _analyze_features(
        feats, params=params, location=location, side=side, hypnogram=hypnogram, rules=rules, device=device,
        inputs=inputs, warnings=warnings, options=options, gaps=gaps,
    )  # fmt: skip


def _analyze_features(
    feats: AccelFeatures,
    *,
    params: Any,
    location: str,
    side: str,
    hypnogram: Hypnogram | None,
    rules: str,
    device: str | None,
    inputs: list[dict[str, Any]] | None,
    warnings: list[str] | None,
    options: Mapping[str, Any],
    gaps: tuple[tuple[float, float], ...] = (),
) -> NightResult:
    nw = nonwear_raw(feats.stats_5s, feats.n_5s, feats.temp_5s) if location != "mattress" else None
    sleep = estimate_sleep_raw(feats.angle_deg, nonwear=nw, duration_s=feats.duration_s)
    env_t = np.arange(feats.env_g.size) / feats.env_fs_hz
    in_period = np.ones(env_t.size, bool)
    if sleep.spt_start_s is not None:
        in_period = (env_t >= sleep.spt_start_s) & (env_t < sleep.spt_end_s)
    if nw is not None and nw.any():
        in_period &= ~nw[np.minimum((env_t / 5.0).astype(np.int64), nw.size - 1)]
    lms, info = detect_movements(feats, params=params, location=location, side=side, floor_mask=in_period)
    return _finish(
        lms=lms, sleep=sleep, hyp=hypnogram, hyp_source="hypnogram given", duration_s=feats.duration_s,
        rules=rules, detector={"method": "band-passed |a| above per-night noise floor", **info},
        meta={"device": device, "location": location, "side": side}, inputs=list(inputs or []),
        notes=list(warnings or []), movements_available=True, options=options, gaps=gaps,
    )  # fmt: skip


def _slice_features(f: AccelFeatures, t0_s: float, t1_s: float) -> AccelFeatures:
    """Features of ``[t0_s, t1_s)`` (t0 a multiple of 5 s), times then count from ``t0_s``."""
    e0, e1 = round(t0_s * f.env_fs_hz), round(t1_s * f.env_fs_hz)
    b0, b1 = round(t0_s / 5.0), round(t1_s / 5.0)
    n5 = f.n_5s[b0:b1]
    return AccelFeatures(
        env_g=f.env_g[e0:e1], env_fs_hz=f.env_fs_hz, angle_deg=f.angle_deg[b0:b1], stats_5s=f.stats_5s[b0:b1],
        n_5s=n5, temp_5s=None if f.temp_5s is None else f.temp_5s[b0:b1], fs_hz=f.fs_hz, n_samples=int(n5.sum()),
    )  # fmt: skip


def analyze_accel_nights(
    chunks: Iterable[tuple[np.ndarray, np.ndarray | None]],
    fs_hz: float,
    *,
    first_split_s: float = 12 * 3600.0,
    min_tst_min: float = 120.0,
    start: datetime | None = None,
    location: Literal["ankle", "wrist", "mattress"] = "wrist",
    side: Literal["L", "R", "B"] = "B",
    rules: Literal["wasm2016", "aasm"] = "wasm2016",
    movement: Mapping[str, float] | None = None,
    device: str | None = None,
    progress: Callable[[float, float], None] | None = None,
    total_samples: int | None = None,
    **options: Any,
) -> list[NightResult]:
    """Analyse a multi-day recording night by night (noon to noon, as GGIR does), streaming the samples once.

    Parameters
    ----------
    first_split_s : float
        Seconds from the start of the first noon (windows are ``[split + k * 24 h, split + (k + 1) * 24 h)``;
        the stretch before the first split is its own window).
    min_tst_min : float
        Windows with less estimated sleep are not reported as nights (daytime-only stretches, days off).
    start : datetime, optional
        Wall-clock time of the first sample; each night's ``params["recording_start"]`` is its window start.

    Returns
    -------
    list of NightResult
        One per window holding a sleep period; ``params["window_start_s"]`` gives the window's offset (event
        times are from the window start). Each has its own noise floor and sleep estimate.
    """
    params = movement_params(location, **dict(movement or {}))
    feats = wearable_features(chunks, fs_hz, progress=progress, total_samples=total_samples)
    split = float(np.round(first_split_s / 5.0) * 5.0) % 86400.0
    edges = [0.0, *np.arange(split, feats.duration_s, 86400.0).tolist(), feats.duration_s]
    edges = sorted(set(e for e in edges if 0 <= e <= feats.duration_s))
    out: list[NightResult] = []
    for t0, t1 in itertools.pairwise(edges):
        if t1 - t0 < 3 * 3600:
            continue
        sub = _slice_features(feats, t0, t1)
        res = _analyze_features(
            sub, params=params, location=location, side=side, hypnogram=None, rules=rules, device=device,
            inputs=None, warnings=None, options=options,
        )  # fmt: skip
        if (res.summary.get("tst_min") or 0.0) < min_tst_min:
            logger.info("window %.0f-%.0f s holds < %g min of estimated sleep; skipped", t0, t1, min_tst_min)
            continue
        res.params["window_start_s"] = t0
        res.params["window_end_s"] = t1
        if start is not None:
            res.params["recording_start"] = (start + timedelta(seconds=t0)).isoformat()
        out.append(res)
    return out


_STREAM_BYTES = 64 * 2**20


def _stream_cwa(path: str | os.PathLike[str], device: str, stream: bool | None) -> bool:
    from twitchlab.io.accel import detect_device

    if stream is False or device not in ("auto", "axivity"):
        return False
    if (detect_device(path) if device == "auto" else device) != "axivity":
        return False
    return bool(stream) or os.path.getsize(path) > _STREAM_BYTES


def _analyze_cwa_stream(path: str | os.PathLike[str], *, location: str, hypnogram: Any, chunk_s: float,
                        **kw: Any) -> NightResult:  # fmt: skip
    from twitchlab._util import sha256_file
    from twitchlab.io.accel.chunks import resample_stream
    from twitchlab.io.accel.cwa import open_cwa_stream

    cwa = open_cwa_stream(path)
    hyp, hyp_source = (None, "") if hypnogram is None else _load_hypnogram(hypnogram, cwa.start)
    total = int(cwa.index.good.size * cwa.index.per_block)
    res = analyze_accel_stream(
        resample_stream(cwa.samples(), cwa.fs_hz, chunk_s=chunk_s), cwa.fs_hz, location=location,  # type: ignore[arg-type]
        hypnogram=hyp, device=cwa.device, warnings=list(cwa.warnings), gaps=cwa.gaps, total_samples=total,
        inputs=[{"path": os.fspath(path), "sha256": sha256_file(path), "kind": "cwa", "device": cwa.device,
                 "read": "streamed"}], **kw,
    )  # fmt: skip
    if hyp is not None:
        res.summary["sleep_source"] = hyp_source
    res.params["recording_start"] = cwa.start.isoformat()
    return res


def analyze_wearable(
    source: str | os.PathLike[str] | Recording,
    *,
    device: str = "auto",
    location: Literal["ankle", "wrist", "mattress"] = "ankle",
    hypnogram: Hypnogram | str | os.PathLike[str] | None = None,
    rules: Literal["wasm2016", "aasm"] = "wasm2016",
    side: Literal["L", "R", "B"] = "B",
    sleep_method: Literal["auto", "cole_kripke", "sadeh", "device"] = "auto",
    movement: Mapping[str, float] | None = None,
    chunk_s: float = 3600.0,
    stream: bool | None = None,
    progress: Callable[[float, float], None] | None = None,
    **options: Any,
) -> NightResult:
    """Analyse a wearable or phone recording end to end.

    Parameters
    ----------
    source : path-like or Recording
        Axivity ``.cwa``, GENEActiv ``.bin``, ActiLife CSV (raw or counts), Actiwatch ``.AWD``/CSV, or a
        time,x,y,z CSV; or a Recording from :mod:`twitchlab.io.accel`.
    device : {"auto", "axivity", "geneactiv", "actigraph", "actiwatch", "csv"}
        Reader (``auto`` looks at the content).
    location : {"ankle", "wrist", "mattress"}
        Wear location (movement defaults; non-wear is not estimated on a mattress).
    hypnogram : Hypnogram or path, optional
        Scored stages that replace the sleep estimate (aligned by wall-clock start when both files have one).
    rules : {"wasm2016", "aasm"}
        Scoring rules.
    side : {"L", "R", "B"}
        Leg of an ankle device; ``B`` when unknown (then bilateral rules cannot be applied).
    sleep_method : {"auto", "cole_kripke", "sadeh", "device"}
        For count files: ``auto`` uses the device's own score when the file has one (Actiware), else
        Cole-Kripke. Raw files always use HDCZA + sustained inactivity.
    movement : mapping, optional
        Overrides of :class:`~twitchlab.detect.accel.MovementParams`.
    chunk_s : float
        Seconds of raw data processed at a time.
    stream : bool, optional
        Axivity files only: decode the file in batches of blocks from a memory map instead of reading it
        whole (bounded memory for week-long files). Default: when the file is larger than 64 MB.
    progress : callable, optional
        ``progress(done, total)``.
    **options
        Scoring options.

    Returns
    -------
    NightResult
        As :func:`analyze_accel_stream`. Count files with epochs longer than 5 s give sleep only (movement
        keys null, with a warning).

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements. Sleep Med 2016;26:86-95.
    van Hees VT, et al. Estimating sleep parameters using an accelerometer without sleep diary. Sci Rep 2018.
    Cole RJ, et al. Automatic sleep/wake identification from wrist activity. Sleep 1992;15:461-469.
    """
    from twitchlab.io.accel import read_accel

    check_option("side", side, ("L", "R", "B"))
    if not isinstance(source, Recording) and _stream_cwa(source, device, stream):
        return _analyze_cwa_stream(
            source, location=location, hypnogram=hypnogram, rules=rules, side=side, movement=movement,
            chunk_s=chunk_s, progress=progress, **options,
        )  # fmt: skip
    rec = source if isinstance(source, Recording) else read_accel(source, device=device, location=location)
    location = rec.location or location  # type: ignore[assignment]
    hyp, hyp_source = (None, "") if hypnogram is None else _load_hypnogram(hypnogram, rec.start)
    inputs = [dict(i) for i in rec.inputs]
    meta = {"device": rec.device, "location": location, "side": side}
    if "accel_x" in rec.channels:
        from twitchlab.io.accel.chunks import iter_uniform_chunks, uniform_n_samples

        total = uniform_n_samples(rec)
        rec_notes = list(rec.warnings)
        if rec.duration_s > 30 * 3600:
            rec_notes.append(
                f"the recording spans {rec.duration_s / 86400:.1f} days; this result covers its longest sleep period "
                "only. Use twitchlab.wearable.analyze_accel_nights for one result per night."
            )
        res = analyze_accel_stream(
            iter_uniform_chunks(rec, chunk_s), rec.channels["accel_x"].fs_hz, location=location, side=side,
            hypnogram=hyp, rules=rules, movement=movement, device=rec.device, inputs=inputs,
            warnings=rec_notes, progress=progress, total_samples=total, gaps=rec.gaps, **options,
        )  # fmt: skip
        if hyp is not None:
            res.summary["sleep_source"] = hyp_source
        if rec.start is not None:
            res.params["recording_start"] = rec.start.isoformat()
        return res
    if "activity_counts" not in rec.channels:
        raise InsufficientDataError(
            f"{rec.source or 'recording'} has neither raw acceleration nor activity counts (channels "
            f"{list(rec.channels)})."
        )
    counts_ch = rec.channels["activity_counts"]
    epoch_s = 1.0 / counts_ch.fs_hz
    notes = list(rec.warnings)
    dev_sw = rec.channels.get("sleep_wake_device")
    method = sleep_method if sleep_method != "auto" else ("device" if dev_sw is not None else "cole_kripke")
    sleep = estimate_sleep_counts(
        counts_ch.data, epoch_s, method=method, device_sleep_wake=None if dev_sw is None else dev_sw.data
    )
    try:
        lms, info = detect_count_movements(counts_ch.data, epoch_s, side=side)
        available = True
    except InsufficientDataError as err:
        notes.append(str(err))
        lms = pd.DataFrame({"onset_s": [], "offset_s": [], "side": []})
        info, available = {"epoch_s": epoch_s}, False
    res = _finish(
        lms=lms, sleep=sleep, hyp=hyp, hyp_source=hyp_source, duration_s=rec.duration_s, rules=rules,
        detector={"method": "count epochs above threshold", **info}, meta=meta, inputs=inputs, notes=notes,
        movements_available=available, options=options,
    )  # fmt: skip
    if rec.start is not None:
        res.params["recording_start"] = rec.start.isoformat()
    return res
