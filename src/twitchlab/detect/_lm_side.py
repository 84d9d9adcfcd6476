"""One leg through the LM chain: resting level, cardiac suppression, rules, quality map (for detect.lm)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twitchlab.detect._lm_checks import STEP_MIN_UV, STEP_RATIO, step_artefact_uv
from twitchlab.detect._lm_core import find_movements, thresholds
from twitchlab.model import Channel
from twitchlab.signal.baseline import RestingLevel, resting_level
from twitchlab.signal.cardiac import cardiac_excess_uv, merge_beat_trains, periodic_spike_times, subtract_cardiac
from twitchlab.signal.condition import ConditionedEMG, epoch_mean
from twitchlab.signal.quality import QualityParams, classify_epochs

__all__ = ["cardiac_step", "detect_side", "leg_rhythm_beats"]


def leg_rhythm_beats(
    conds: dict[str, ConditionedEMG], *, baseline_s: float, baseline_percentile: float, offset_uv: float
) -> tuple[np.ndarray | None, dict[str, tuple[RestingLevel, np.ndarray]]]:
    """Heart beats from the legs themselves: heart-rate-periodic spikes of every leg, merged.

    Returns the beats (``None`` when no leg shows a cardiac rhythm) and, per leg, the resting level and the
    envelope above it computed on the way (reused by :func:`detect_side` when nothing is subtracted).
    """
    trains, levels = [], {}
    for side, cond in conds.items():
        if cond.envelope_uv.size == 0:
            continue
        level = resting_level(
            cond.envelope_uv, cond.env_fs_hz, window_s=baseline_s, percentile=baseline_percentile, as_blocks=True
        )
        excess = level.baseline_uv.subtract_from(cond.envelope_uv)
        levels[side] = (level, excess)
        prominence = max(offset_uv, level.noise_uv.median() * 4.5)
        found = periodic_spike_times(excess, cond.env_fs_hz, min_prominence_uv=prominence, fill_gaps_s=0.0)
        if found.size < 0.05 * excess.size / cond.env_fs_hz / 1.5 and prominence > offset_uv:
            # large blips inflate the noise estimate they are judged against: look again at the offset
            # threshold, asking for longer regular runs (random noise peaks rarely keep a rhythm for 8 beats)
            found = periodic_spike_times(
                excess, cond.env_fs_hz, min_prominence_uv=offset_uv, fill_gaps_s=0.0, min_beats=8, tolerance=0.15
            )
        trains.append(found)
    if not trains or sum(t.size for t in trains) < 10:
        return None, levels
    return merge_beat_trains(trains), levels


def cardiac_step(
    env: np.ndarray,
    env_fs: float,
    excess: np.ndarray,
    beats: np.ndarray | None,
    method: str,
    half_width_s: float,
    min_excess_uv: float,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Subtract the cardiac blip at ``beats`` when the envelope really rises there."""
    if beats is None:
        return env, {"method": method if method == "off" else "none_found"}
    rise = cardiac_excess_uv(excess, env_fs, beats)
    info: dict[str, Any] = {"method": method, "beats": int(beats.size), "excess_uv": round(rise, 3)}
    if rise >= min_excess_uv:
        info["suppressed"] = int(beats.size)
        info["removal"] = "template"
        return subtract_cardiac(env, env_fs, beats, half_width_s=half_width_s), info
    info["suppressed"] = 0
    return env, info


def detect_side(
    cond: ConditionedEMG,
    side: str,
    ch: Channel,
    beats: np.ndarray | None,
    beats_method: str,
    coarse: bool,
    qp: QualityParams,
    level: tuple[RestingLevel, np.ndarray] | None = None,
    **kw: Any,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Resting level, cardiac subtraction, LM rules, step rule and quality map for one leg."""
    fs = cond.env_fs_hz
    env = cond.envelope_uv
    lvl_kw = {"window_s": kw["baseline_s"], "percentile": kw["baseline_percentile"]}
    thr_kw = {k: kw[k] for k in ("onset_uv", "offset_uv", "adaptive", "k_onset", "k_offset")}
    if level is None:
        level = resting_level(env, fs, **lvl_kw, as_blocks=True)
        excess = level.baseline_uv.subtract_from(env)
    else:  # computed by leg_rhythm_beats on this envelope
        level, excess = level
    env, cardiac = cardiac_step(env, fs, excess, beats, beats_method, kw["envelope_s"] / 2 + 0.07, min_excess_uv=0.5)
    if cardiac.get("suppressed"):
        level = resting_level(env, fs, **lvl_kw, as_blocks=True)
        excess = level.baseline_uv.subtract_from(env)
    on_thr, off_thr = thresholds(level.noise_uv, **thr_kw)
    cand = find_movements(
        excess,
        fs,
        on_thr,
        off_thr,
        offset_quiet_s=kw["offset_quiet_s"],
        min_duration_s=kw["min_duration_s"],
        morphology=kw["morphology"],
    )
    if kw["reject_steps"] and cand["kept"].any():
        step_uv = step_artefact_uv(ch.data, ch.fs_hz, cand["onset_s"].to_numpy())
        is_step = cand["kept"].to_numpy() & (step_uv >= np.maximum(STEP_MIN_UV, STEP_RATIO * cand["peak_amp_uv"]))
        cand.loc[is_step, "kept"] = False
        cand.loc[is_step, "reject"] = "electrode_pop"
    cand["side"] = side
    cand["channel"] = ch.label
    feats = cond.features.copy()
    onsets = feats["onset_s"].to_numpy()
    feats["baseline_uv"] = epoch_mean(level.baseline_uv, fs, onsets)
    feats["noise_uv"] = epoch_mean(level.noise_uv, fs, onsets)
    feats["onset_thr_uv"] = epoch_mean(on_thr, fs, onsets) if on_thr.ndim else float(on_thr)
    feats["offset_thr_uv"] = epoch_mean(off_thr, fs, onsets) if off_thr.ndim else float(off_thr)
    q = classify_epochs(feats, qp, coarse=coarse)
    q.insert(0, "side", side)
    kept = cand.loc[cand["kept"], ["side", "onset_s", "offset_s", "peak_amp_uv", "channel"]]
    rej = cand.loc[~cand["kept"], ["side", "onset_s", "offset_s", "peak_amp_uv", "reject"]]
    params = {
        "channel": ch.label,
        "fs_hz": ch.fs_hz,
        "mains_hz": cond.mains_hz,
        "env_fs_hz": fs,
        "band_hz": cond.params["band_hz"],
        "cardiac": cardiac,
        "onset_thr_uv_median": float(q["onset_thr_uv"].median()) if len(q) else None,
        "onset_thr_uv_max": float(q["onset_thr_uv"].max()) if len(q) else None,
        "offset_thr_uv_median": float(q["offset_thr_uv"].median()) if len(q) else None,
        "baseline_uv_median": float(q["baseline_uv"].median()) if len(q) else None,
        "noise_uv_median": float(q["noise_uv"].median()) if len(q) else None,
        "adaptive_epochs": int((q["onset_thr_uv"] > kw["onset_uv"] + 1e-9).sum()),
    }
    return kept, rej, q, params
