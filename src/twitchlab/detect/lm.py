"""Leg movements from tibialis EMG (SCORING_SPEC §2), with a per-epoch signal-quality map.

Per leg: :func:`twitchlab.signal.condition_emg` (band-pass 10-100 Hz, automatic mains notch, rectified
100-ms envelope, chunk-wise), resting level and noise as running low percentiles
(:func:`twitchlab.signal.resting_level`), cardiac-artefact blanking (R peaks from the ECG channel, or
heart-rate-periodic spikes without one), then the onset/offset/duration/morphology rules
(:func:`twitchlab.detect._lm_core.find_movements`) with noise-adaptive thresholds. Movements that touch
unscorable time are not reported; that time is listed for the scorer's denominators.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab._arrays import point_in
from twitchlab.detect._lm_checks import (
    STEP_MIN_UV,
    STEP_RATIO,
    compare_with_scored,
    estimate_resolution_uv,
    overlaps,
    quality_messages,
    step_artefact_uv,
)
from twitchlab.detect._lm_side import detect_side, leg_rhythm_beats
from twitchlab.errors import ChannelNotFoundError, ParameterError, TwitchlabWarning, UnitError, check_option
from twitchlab.model import Channel, Recording, make_events
from twitchlab.signal.cardiac import detect_r_peaks
from twitchlab.signal.condition import ConditionedEMG, condition_emg
from twitchlab.signal.quality import QualityParams, unscorable_intervals

__all__ = [
    "LegMovementDetection",
    "compare_with_scored",
    "detect_leg_movements",
    "estimate_resolution_uv",
    "step_artefact_uv",
]

logger = logging.getLogger(__name__)

EcgMode = Literal["auto", "channel", "periodicity", "off"]

#: Noise-adaptive multipliers: the onset threshold is max(onset_uv, K_ONSET * noise), the offset threshold
#: max(offset_uv, K_OFFSET * noise), where noise is the resting SD of the envelope (see docs/detection.md).
K_ONSET = 6.0
K_OFFSET = 4.5


@dataclass
class LegMovementDetection:
    """Result of :func:`detect_leg_movements`.

    Attributes
    ----------
    events : pandas.DataFrame
        LM table (events-table columns of :data:`twitchlab.model.EVENT_COLUMNS`, ``type`` ``"lm"``,
        ``source`` ``"emg"``): ``onset_s``, ``offset_s``, ``duration_s``, ``side`` (``L``/``R``/``B``),
        ``peak_amp_uv`` (peak envelope above resting level), plus ``channel``.
    quality : pandas.DataFrame
        One row per leg and 30-s epoch: ``side``, ``epoch``, ``onset_s``, ``offset_s``, ``state`` (see
        :data:`twitchlab.signal.quality.QUALITY_STATES`), ``scorable``, and the features behind the state
        (``level_uv``, ``baseline_uv``, ``noise_uv``, ``onset_thr_uv``, ``offset_thr_uv``, ``mains_uv``,
        ``mains_residual_uv``, ``clipped_s``, ``nan_s``).
    scorable_s : dict of str to float
        Scorable seconds per side.
    unscorable : pandas.DataFrame
        ``side``, ``onset_s``, ``offset_s``, ``duration_s``, ``reason``: time to remove from denominators.
    params : dict
        Every value used, per side where it differs (adaptive thresholds, mains, cardiac handling).
    warnings : list of str
        Problems tolerated, in plain words (also issued as :class:`TwitchlabWarning`).
    rejected : pandas.DataFrame
        Candidates that failed a rule (``side``, ``onset_s``, ``offset_s``, ``peak_amp_uv``, ``reject``).
    conditioned : dict of str to ConditionedEMG
        Channel label -> the leg's conditioned EMG (with the ``extra_envelopes`` asked for), kept only when
        ``extra_envelopes`` was given, so the twitch detectors reuse it instead of filtering the leg again.
    beats_s : numpy.ndarray or None
        The night's heart beats (s) as found here: R peaks of the ECG channel, or heart-rate-periodic
        spikes of the legs; empty when they were looked for on the legs and none were found; ``None`` when
        not looked for (``ecg="off"``). The twitch detectors reuse them instead of searching again.
    """

    events: pd.DataFrame
    quality: pd.DataFrame
    scorable_s: dict[str, float]
    unscorable: pd.DataFrame
    params: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    conditioned: dict[str, ConditionedEMG] = field(default_factory=dict, repr=False)
    beats_s: np.ndarray | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        counts = self.events["side"].value_counts().to_dict() if len(self.events) else {}
        sc = ", ".join(f"{s} {v / 60:.0f} min" for s, v in self.scorable_s.items())
        return f"<LegMovementDetection: {len(self.events)} LMs {counts}; scorable {sc}; {len(self.warnings)} warnings>"


def _legs(rec: Recording, channels: Mapping[str, str] | None) -> dict[str, Channel]:
    if channels:
        legs = {}
        for side, name in channels.items():
            legs[check_option("side", side, ("L", "R", "B"))] = rec.channel(name)
        return legs
    legs = rec.leg_channels()
    if not legs:
        raise ChannelNotFoundError(
            f"no leg EMG channel found in {rec.source or 'the recording'} (channels: {list(rec.channels)}). "
            "Name them with --channel left=NAME --channel right=NAME, or score LMs from annotations "
            "(twitchlab analyze --lm-source scored)."
        )
    return legs


def detect_leg_movements(
    rec: Recording,
    *,
    onset_uv: float = 8.0,
    offset_uv: float = 2.0,
    offset_quiet_s: float = 0.5,
    min_duration_s: float = 0.5,
    morphology: bool = True,
    adaptive: bool = True,
    k_onset: float = K_ONSET,
    k_offset: float = K_OFFSET,
    band_hz: tuple[float, float] = (10.0, 100.0),
    notch: str | float | None = "auto",
    envelope_s: float = 0.1,
    baseline_s: float = 60.0,
    baseline_percentile: float = 10.0,
    ecg: EcgMode = "auto",
    channels: Mapping[str, str] | None = None,
    quality: QualityParams | None = None,
    drop_unscorable: bool = True,
    reject_steps: bool = True,
    chunk_s: float = 1800.0,
    progress: Callable[[float, float], None] | None = None,
    extra_envelopes: Sequence[tuple[float, float]] = (),
) -> LegMovementDetection:
    """Detect leg movements in the tibialis EMG of a recording.

    Parameters
    ----------
    rec : Recording
        Needs leg channels (roles ``leg_left``/``leg_right``, or ``leg_both``); an ``ecg`` channel is used
        for cardiac-artefact suppression when present. Only these channels are read.
    onset_uv : float
        Onset: envelope >= this many µV above the resting level (8 µV, WASM 2016 / AASM).
    offset_uv : float
        Offset: start of >= ``offset_quiet_s`` below this many µV above resting (2 µV).
    offset_quiet_s : float
        Length of the quiet stretch that ends a movement (0.5 s).
    min_duration_s : float
        Shorter movements are dropped (0.5 s).
    morphology : bool
        Keep a movement only if a 0.5-s window inside it has a median envelope >= the offset threshold
        above resting (WASM 2016 computerized rule, Skeba et al. 2023).
    adaptive : bool
        Raise the thresholds on noisy resting EMG: ``max(onset_uv, k_onset * noise)`` and
        ``max(offset_uv, k_offset * noise)``, noise = resting SD of the envelope (WASM 2016 allows higher
        thresholds for a noisy baseline; noise-floor tracking as in Moore et al. 2014).
    k_onset, k_offset : float
        Multipliers of the adaptive thresholds.
    band_hz : tuple of float
        Band-pass edges.
    notch : {"auto", None} or float
        Mains notch (detected automatically by default).
    envelope_s : float
        Envelope window (0.1 s).
    baseline_s : float
        Running window of the resting level (60 s).
    baseline_percentile : float
        Percentile of the envelope taken as resting level.
    ecg : {"auto", "channel", "periodicity", "off"}
        Cardiac-artefact handling: ``auto`` uses the ECG channel when there is one, else the heart-rate
        periodicity check.
    channels : mapping of side to channel label, optional
        Override the leg channels (``{"L": "EMG1", "R": "EMG2"}``).
    quality : QualityParams, optional
        Thresholds of the quality map.
    drop_unscorable : bool
        Do not report movements that touch unscorable time (default).
    reject_steps : bool
        Reject candidates whose onset is a jump of the raw level (electrode pop), see
        :func:`step_artefact_uv`; not in the standards, which leave artefact rejection to the scorer.
    chunk_s : float
        Chunk length for conditioning (memory bound).
    progress : callable, optional
        ``progress(done, total)`` in seconds of signal processed.
    extra_envelopes : sequence of (envelope_s, env_fs_hz)
        Further envelopes to compute from the same band-passed legs (no second filtering); with any, the
        conditioned legs are returned in ``conditioned`` for other detectors (the twitch kinds). They do not
        change the leg movements.

    Returns
    -------
    LegMovementDetection
        Events, quality map, scorable time, unscorable intervals, parameters and warnings.

    Raises
    ------
    ChannelNotFoundError
        No leg channel.
    InsufficientDataError
        A leg channel sampled below 100 Hz.
    UnitError
        Amplitudes that only make sense in another unit (via :mod:`twitchlab.io.units`).

    References
    ----------
    Ferri R et al. World Association of Sleep Medicine (WASM) 2016 standards for recording and scoring
    leg movements in polysomnograms. Sleep Med 2016;26:86-95.
    Berry RB et al. AASM Manual for the Scoring of Sleep and Associated Events, v2.6. AASM 2020.
    Moore H et al. Design and validation of a periodic leg movement detector. PLoS One 2014;9:e114565.
    Ferri R et al. Computer-assisted detection of nocturnal leg motor activity in patients with restless
    legs syndrome and periodic leg movements during sleep. Sleep 2005;28:998-1004.

    Examples
    --------
    >>> import pandas as pd
    >>> from twitchlab.simulate.emg import simulate_emg_recording
    >>> truth = pd.DataFrame({"onset_s": [40.0, 70.0], "offset_s": [42.0, 71.5], "side": ["L", "R"]})
    >>> rec, _ = simulate_emg_recording(truth, 120.0, rng=1)
    >>> det = detect_leg_movements(rec)
    >>> det.events[["side", "onset_s"]].round(0).values.tolist()
    [['L', 40.0], ['R', 70.0]]
    """
    check_option("ecg", ecg, ("auto", "channel", "periodicity", "off"))
    for name, val in (("onset_uv", onset_uv), ("offset_uv", offset_uv), ("min_duration_s", min_duration_s)):
        if not (val >= 0 and np.isfinite(val)):
            raise ParameterError(f"{name} must be a finite number >= 0, got {val}")
    if offset_uv > onset_uv:
        raise ParameterError(f"offset_uv ({offset_uv}) must not exceed onset_uv ({onset_uv})")
    qp = quality or QualityParams()
    legs = _legs(rec, channels)
    warn_list: list[str] = []

    def warn(msg: str) -> None:
        warn_list.append(msg)
        warnings.warn(msg, TwitchlabWarning, stacklevel=3)

    if set(legs) == {"B"}:
        warn(
            f"one leg channel for both legs ({legs['B'].label!r}): movements are reported as side B and the "
            "bilateral rules (WASM 2016) cannot be applied."
        )
    r_times = None
    ecg_chs = rec.channels_with_role("ecg")
    if ecg in ("auto", "channel") and ecg_chs and ecg_chs[0].fs_hz >= 50:
        r_times = detect_r_peaks(ecg_chs[0].data, ecg_chs[0].fs_hz)
        if r_times.size < 10:
            r_times = None
    elif ecg == "channel":
        warn("ecg='channel' but no usable ECG channel: cardiac artefact is not suppressed.")

    total = sum(c.duration_s for c in legs.values())
    done = 0.0
    conds: dict[str, ConditionedEMG] = {}
    resolution: dict[str, float] = {}
    _check_units(list(legs.values()))
    for side, ch in legs.items():
        resolution[side] = ch.resolution if ch.resolution is not None else estimate_resolution_uv(ch.data)

        def _progress(d: float, _t: float, base: float = done) -> None:
            if progress is not None:
                progress(base + d, total)

        conds[side] = condition_emg(
            ch.data,
            ch.fs_hz,
            lo_hz=band_hz[0],
            hi_hz=band_hz[1],
            notch=notch,
            envelope_s=envelope_s,
            chunk_s=chunk_s,
            label=ch.label,
            progress=_progress,
            extra_envelopes=extra_envelopes,
            header_rails=ch.rails,
        )
        done += ch.duration_s
    shared = {legs[s].label: c for s, c in conds.items()} if extra_envelopes else {}
    usable = {s: conds[s] for s in legs if resolution[s] <= qp.max_resolution_uv}
    levels: dict[str, Any] = {}
    if ecg == "off":
        beats, beats_method = None, "off"
    elif r_times is not None:
        beats, beats_method = r_times, "ecg_channel"
        gaps = _stretches_without_beats(r_times, ecg_chs[0].duration_s)  # the ECG's own length, not the night's
        if ecg == "auto" and len(gaps):  # the ECG holds no heart beat there (a lost lead): the legs' own rhythm
            lvl = {"baseline_s": baseline_s, "baseline_percentile": baseline_percentile, "offset_uv": offset_uv}
            leg_beats, levels = leg_rhythm_beats(usable, **lvl)
            fill = np.empty(0) if leg_beats is None else leg_beats[point_in(leg_beats, gaps[:, 0], gaps[:, 1])]
            if fill.size:
                beats = np.sort(np.concatenate((r_times, fill)))
                beats_method = "ecg_channel+heart_rate_periodicity"
                warn(
                    f"the ECG channel {ecg_chs[0].label!r} shows no heart beat in {len(gaps)} stretch(es) of "
                    f"{ECG_GAP_WINDOW_S / 60:g} min ({_hours(gaps)} in all; a lost or loose lead?): there the heart "
                    "beats were taken from the heart-rate rhythm of the leg EMG itself"
                )
    elif ecg in ("auto", "periodicity"):
        lvl = {"baseline_s": baseline_s, "baseline_percentile": baseline_percentile, "offset_uv": offset_uv}
        (beats, levels), beats_method = leg_rhythm_beats(usable, **lvl), "heart_rate_periodicity"
    else:
        beats, beats_method = None, "none_found"

    events, rejected, quals = [], [], []
    side_params: dict[str, Any] = {}
    for side, ch in legs.items():
        res = resolution[side]
        found, rej, q, p = detect_side(
            conds.pop(side), side, ch, beats, beats_method, res > qp.max_resolution_uv, qp, levels.get(side),
            onset_uv=onset_uv, offset_uv=offset_uv, offset_quiet_s=offset_quiet_s, min_duration_s=min_duration_s,
            morphology=morphology, adaptive=adaptive, k_onset=k_onset, k_offset=k_offset,
            baseline_s=baseline_s, baseline_percentile=baseline_percentile, envelope_s=envelope_s,
            reject_steps=reject_steps,
        )  # fmt: skip
        p["resolution_uv"] = res
        side_params[side] = p
        events.append(found)
        rejected.append(rej)
        quals.append(q)
        for msg in quality_messages(q, ch, side, res, qp):
            warn(msg)

    quality_df = pd.concat(quals, ignore_index=True)
    unscorable = unscorable_intervals(quality_df)
    lm = pd.concat(events, ignore_index=True)
    n_dropped: dict[str, int] = {}
    if drop_unscorable and len(lm):
        keep = np.ones(len(lm), dtype=bool)
        for side in legs:
            bad = unscorable[unscorable["side"] == side].sort_values("onset_s")
            sel = (lm["side"] == side).to_numpy()
            hit = overlaps(
                lm.loc[sel, "onset_s"].to_numpy(),
                lm.loc[sel, "offset_s"].to_numpy(),
                bad["onset_s"].to_numpy(),
                bad["offset_s"].to_numpy(),
                0.5,
            )
            keep[np.flatnonzero(sel)[hit]] = False
            n_dropped[side] = int(hit.sum())
        lm = lm[keep]
    q_side = quality_df["side"].to_numpy()
    q_len = quality_df["offset_s"].to_numpy(float) - quality_df["onset_s"].to_numpy(float)
    q_ok = quality_df["scorable"].to_numpy(bool)
    scorable_s = {side: float(q_len[(q_side == side) & q_ok].sum()) for side in legs}
    table = make_events(lm.assign(type="lm", source="emg")) if len(lm) else _empty_lm_table()
    params = {
        "onset_uv": onset_uv,
        "offset_uv": offset_uv,
        "offset_quiet_s": offset_quiet_s,
        "min_duration_s": min_duration_s,
        "morphology": morphology,
        "adaptive": adaptive,
        "k_onset": k_onset,
        "k_offset": k_offset,
        "band_hz": list(band_hz),
        "notch": notch,
        "envelope_s": envelope_s,
        "baseline_s": baseline_s,
        "baseline_percentile": baseline_percentile,
        "ecg": ecg,
        "ecg_channel": ecg_chs[0].label if (ecg_chs and r_times is not None) else None,
        "drop_unscorable": drop_unscorable,
        "reject_steps": reject_steps,
        "step_rule": {"min_uv": STEP_MIN_UV, "ratio_to_peak": STEP_RATIO},
        "dropped_unscorable": n_dropped,
        "quality": qp.as_dict(),
        "channels": {side: ch.label for side, ch in legs.items()},
        "sides": side_params,
        "method": "twitchlab.detect.lm (WASM 2016 / AASM computerized LM detection)",
    }
    return LegMovementDetection(
        events=table,
        quality=quality_df,
        scorable_s=scorable_s,
        unscorable=unscorable,
        params=params,
        warnings=warn_list,
        rejected=pd.concat(rejected, ignore_index=True),
        conditioned=shared,
        beats_s=None if beats_method in ("off", "none_found") else (np.empty(0) if beats is None else beats),
    )


def _empty_lm_table() -> pd.DataFrame:
    df = make_events(pd.DataFrame({"onset_s": [0.0], "offset_s": [0.0], "type": ["lm"], "channel": [""]}))
    return df.iloc[0:0]


#: Length of the stretches in which R peaks are looked for (the R-peak quality gate's, 5 min): a stretch without
#: one is a lost ECG lead, and its heart beats are taken from the legs.
ECG_GAP_WINDOW_S = 300.0


def _stretches_without_beats(beats_s: np.ndarray, duration_s: float) -> np.ndarray:
    """``(n, 2)`` start and end (s) of the :data:`ECG_GAP_WINDOW_S` stretches of the night holding no beat."""
    n_win = int(np.ceil(duration_s / ECG_GAP_WINDOW_S)) if duration_s > 0 else 0
    idx = np.clip((np.asarray(beats_s) // ECG_GAP_WINDOW_S).astype(np.int64), 0, max(n_win - 1, 0))
    empty = np.flatnonzero(np.bincount(idx, minlength=n_win)[:n_win] == 0)
    out = np.column_stack((empty * ECG_GAP_WINDOW_S, np.minimum((empty + 1) * ECG_GAP_WINDOW_S, duration_s)))
    return out[out[:, 1] - out[:, 0] >= 60.0]  # a last stretch under a minute may hold no beat by chance


def _hours(stretches: np.ndarray) -> str:
    total_min = float((stretches[:, 1] - stretches[:, 0]).sum()) / 60.0
    return f"{total_min:.0f} min" if total_min < 90 else f"{total_min / 60:.1f} h"


def _check_units(channels: list[Channel]) -> None:
    """Check every leg's unit; one error names every leg whose amplitudes contradict its unit."""
    try:
        from twitchlab.io.units import check_emg_units
    except ImportError:  # pragma: no cover - io not installed in a minimal build
        return
    problems = []
    for ch in channels:
        try:
            check_emg_units(ch, max_samples=60_000, windows=30)
        except UnitError as err:
            problems.append(str(err))
    if len(problems) == 1:
        raise UnitError(problems[0])
    if problems:
        raise UnitError(
            f"{len(problems)} leg channels have amplitudes that contradict their unit: " + " ".join(problems)
        )
