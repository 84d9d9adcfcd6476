"""Conditioned EMG traces for the twitch detectors (legs, chin, arms).

This module only *assembles* the shared signal chain of :mod:`twitchlab.signal`
(:func:`~twitchlab.signal.condition.condition_emg`, resting level, cardiac blanking) for every EMG
channel of a recording; it adds no filtering of its own. The envelope window is shorter than the
leg-movement default (50 ms instead of 100 ms) because the twitch kinds of SCORING_SPEC §5 include
potentials of 75-150 ms (fragmentary myoclonus) and bursts of 100 ms (ALMA) whose durations must be
resolved.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from twitchlab._arrays import time_block_edges
from twitchlab.detect._lm_checks import estimate_resolution_uv
from twitchlab.model import ROLE_WORDS, Channel, Hypnogram, Recording
from twitchlab.signal.baseline import BlockSeries, block_stats, expand_blocks, running_percentile
from twitchlab.signal.cardiac import blank_envelope, cardiac_excess_uv, detect_r_peaks, periodic_spike_times
from twitchlab.signal.condition import ConditionedEMG, condition_emg, epoch_mean, epoch_starts
from twitchlab.signal.filters import MIN_EMG_FS_HZ
from twitchlab.signal.quality import QualityParams, classify_epochs

__all__ = ["EMG_ROLES", "TWITCH_ENVELOPE", "EmgTrace", "block_background", "emg_traces", "r_peaks_of"]

logger = logging.getLogger(__name__)

#: Role -> (group, side) of the EMG channels the twitch detectors use.
EMG_ROLES: dict[str, tuple[str, str | None]] = {
    "leg_left": ("leg", "L"),
    "leg_right": ("leg", "R"),
    "leg_both": ("leg", "B"),
    "chin": ("chin", None),
    "arm_left": ("arm", "L"),
    "arm_right": ("arm", "R"),
}

#: (envelope window s, envelope rate Hz) of the twitch traces: ask the leg-movement detector for this extra
#: envelope (``extra_envelopes``) and pass its ``conditioned`` legs to :func:`emg_traces`, so the legs are
#: band-passed once per analysis.
TWITCH_ENVELOPE = (0.05, 64.0)

_COND_DEFAULTS = {
    k: v.default for k, v in inspect.signature(condition_emg).parameters.items() if v.default is not v.empty
}


@dataclass(frozen=True)
class EmgTrace:
    """One EMG channel, conditioned: envelope and resting level at the envelope rate.

    Attributes
    ----------
    label, role : str
        Channel label and role (:data:`EMG_ROLES`).
    group : str
        ``leg``, ``chin`` or ``arm``.
    side : str or None
        ``L``, ``R``, ``B`` (one both-legs channel) or ``None`` (chin).
    env_uv : numpy.ndarray
        Rectified envelope in µV at :attr:`env_fs_hz`, cardiac spikes blanked.
    env_fs_hz : float
        Envelope rate.
    baseline_uv : numpy.ndarray or BlockSeries
        Resting level (running low percentile over ``baseline_window_s``, 60 s) under the envelope, same length:
        the reference of the leg-movement thresholds (µV above it).
    background_uv : numpy.ndarray or BlockSeries
        Local background, same length: the higher of a running low percentile over ``background_window_s``
        (10 s) and the 10th percentile of the 1-s means of the surrounding 30-s block (epoch). It is the
        reference of the "N× background" ratios of SCORING_SPEC §5 and follows a change of tone (tonic REM
        activity, wake), so the tone itself is not taken for bursts.
    cardiac_s : numpy.ndarray
        Times of the beats blanked in this channel (R peaks or heart-rate-periodic spikes).
    bad_s : numpy.ndarray
        (n, 2) unscorable stretches (flat, clipped, disconnected, mains, gaps, or the whole channel when its
        digital resolution is too coarse), from the shared quality map; bursts there are ignored.
    bad_reason : str or None
        Why the whole channel is unusable, when it is.
    cache : dict
        Per-trace memo: ``background_blocks`` (the background per 0.25-s block and the block length in
        samples, so burst thresholds are computed per block) and the burst table at the base ratio.
    """

    label: str
    role: str
    group: str
    side: str | None
    env_uv: np.ndarray = field(repr=False)
    env_fs_hz: float
    baseline_uv: np.ndarray | BlockSeries = field(repr=False)
    background_uv: np.ndarray | BlockSeries = field(repr=False)
    cardiac_s: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))
    bad_s: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 2)))
    bad_reason: str | None = None
    cache: dict = field(repr=False, compare=False, default_factory=dict)

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.env_uv.size / self.env_fs_hz


def r_peaks_of(rec: Recording) -> np.ndarray | None:
    """R-peak times (s) from the recording's ECG channel, or ``None`` when there is none usable."""
    ecg = rec.channels_with_role("ecg")
    if not ecg or ecg[0].fs_hz < 50:
        return None
    return detect_r_peaks(np.nan_to_num(ecg[0].data), ecg[0].fs_hz)


def _condition(
    ch: Channel,
    *,
    window_s: float,
    env_fs_hz: float,
    baseline_window_s: float,
    background_window_s: float,
    epoch_s: float,
    epoch_start_s: float,
    r_peaks_s: np.ndarray | None,
    cardiac_min_excess_uv: float,
    cardiac_half_width_s: float,
    cardiac_min_beats: int,
    shared: ConditionedEMG | None = None,
    search_beats: bool = True,
) -> EmgTrace:
    group, side = EMG_ROLES[ch.role]
    cond = _reuse(ch, shared, window_s, env_fs_hz)
    if cond is None:
        cond = condition_emg(
            ch.data, ch.fs_hz, envelope_s=window_s, env_fs_hz=env_fs_hz, label=ch.label, header_rails=ch.rails
        )
    env, fs_env = cond.envelope_uv, cond.env_fs_hz
    baseline_uv, noise_median = _resting(
        env, fs_env, window_s=baseline_window_s, noise=search_beats and (r_peaks_s is None or r_peaks_s.size <= 10)
    )
    beats = np.empty(0)
    if r_peaks_s is not None and r_peaks_s.size > 10:
        if cardiac_excess_uv(env, fs_env, r_peaks_s, baseline=baseline_uv) > cardiac_min_excess_uv:
            beats = r_peaks_s
    elif search_beats:
        prominence = max(cardiac_min_excess_uv, 4.0 * noise_median)
        excess = baseline_uv.subtract_from(env)
        beats = periodic_spike_times(excess, fs_env, min_prominence_uv=prominence, max_width_s=0.15, min_beats=10)
    if beats.size >= cardiac_min_beats:
        logger.info("%s: blanking %d cardiac beats in the EMG envelope", ch.label, beats.size)
        env = blank_envelope(env, fs_env, beats, half_width_s=cardiac_half_width_s)
    background, blocks = _background(
        env, fs_env, window_s=background_window_s, block_s=0.25, epoch_s=epoch_s, epoch_start_s=epoch_start_s
    )
    bad, reason = _unscorable(ch, cond, env)
    cache = {} if blocks is None else {"background_blocks": blocks}  # lets the burst thresholds work per block
    return EmgTrace(ch.label, ch.role, group, side, env, fs_env, baseline_uv, background, beats, bad, reason, cache)


def _resting(env: np.ndarray, fs_hz: float, *, window_s: float, noise: bool) -> tuple[BlockSeries, float]:
    """``resting_level(env, fs_hz, window_s=window_s)``: the baseline, and the median of the noise when asked.

    The noise is only needed through its median, which is taken on the 0.5-s block values weighted by the
    samples each covers (the same number as the median of the noise at the envelope rate, without building it).
    """
    rest_block_s = 0.5  # resting_level's default block
    n_block = max(1, round(rest_block_s * fs_hz))
    mean, sd = block_stats(env, n_block)
    size = max(3, round(window_s / rest_block_s) | 1)
    baseline = BlockSeries(running_percentile(mean, size, 10.0), n_block, env.size)
    if not noise or env.size == 0:
        return baseline, float("nan")
    return baseline, BlockSeries(running_percentile(sd, size, 25.0), n_block, env.size).median()


def _background(
    env: np.ndarray, fs_hz: float, *, window_s: float, block_s: float, epoch_s: float, epoch_start_s: float = 0.0
) -> tuple[np.ndarray | BlockSeries, tuple[np.ndarray, int] | None]:
    """Local background: the higher of the running low percentile and :func:`block_background`.

    ``np.maximum(resting_level(env, fs_hz, window_s=window_s, block_s=block_s).baseline_uv,
    block_background(env, fs_hz, block_s=epoch_s))``, taken on the ``block_s`` blocks (both are constant
    there when an epoch holds whole blocks) and kept per block (:class:`BlockSeries`). Also returns the block
    values and the block length in samples (``None`` when an epoch does not hold whole blocks).

    The block is the whole number of samples nearest ``block_s`` that divides an epoch (0.24 s at a 66.7-Hz
    envelope, where an epoch is 2,000 samples), so blocks follow epochs whenever an epoch is a whole number of
    samples; otherwise the background is built sample by sample (slower, same result). Epochs are those of the
    hypnogram (``epoch_start_s``), so a recording that starts before its first epoch keeps each epoch's tone.
    """
    n_block = max(1, round(block_s * fs_hz))
    span = epoch_s * fs_hz  # envelope samples per epoch: the blocks follow epochs only if it is whole blocks
    if abs(span - round(span)) < 1e-6 and round(span) >= 1:
        n_block = _nearest_divisor(round(span), n_block)
    lead = -_epoch_origin(epoch_start_s, epoch_s) * fs_hz  # samples from the first epoch edge before t = 0
    whole = (
        abs(span - round(span)) < 1e-6
        and round(span) % n_block == 0
        and abs(lead - round(lead)) < 1e-6
        and round(lead) % n_block == 0
    )
    starts = np.arange(0, env.size, n_block)
    mean = np.add.reduceat(env, starts) / np.diff(np.append(starts, env.size))
    size = max(3, round(window_s * fs_hz / n_block) | 1)
    low = running_percentile(mean, size, 10.0)
    bg = _epoch_background(env, fs_hz, block_s=epoch_s, start_s=epoch_start_s)
    if bg is None or not whole:
        per_sample = _per_sample(bg, env, fs_hz, block_s=epoch_s, start_s=epoch_start_s)  # bg is not computed twice
        return np.maximum(expand_blocks(low, n_block, env.size), per_sample), None
    ep = np.minimum((np.arange(low.size) * n_block + round(lead)) // round(span), bg.size - 1)
    vals = np.maximum(low, bg[ep])
    return BlockSeries(vals, n_block, env.size), (vals, n_block)


def _nearest_divisor(n: int, target: int) -> int:
    """The divisor of ``n`` closest to ``target`` (the smaller one on a tie)."""
    small = np.arange(1, int(np.sqrt(n)) + 1)
    small = small[n % small == 0]
    divisors = np.unique(np.concatenate((small, n // small)))
    return int(divisors[np.argmin(np.abs(divisors - target))])


def _reuse(ch: Channel, cond: ConditionedEMG | None, window_s: float, env_fs_hz: float) -> ConditionedEMG | None:
    """``cond`` with its extra ``(window_s, env_fs_hz)`` envelope as the main one, or ``None``.

    ``None`` unless ``cond`` was conditioned exactly as :func:`condition_emg` with its defaults would (same
    band, notch, chunks, padding), so reusing it changes nothing.
    """
    if cond is None or (float(window_s), float(env_fs_hz)) not in cond.extra:
        return None
    d = _COND_DEFAULTS
    per_chunk = max(1, round(d["chunk_s"] / d["epoch_s"]))
    same = (
        cond.fs_hz == ch.fs_hz
        and cond.n_samples == ch.n_samples
        and cond.params.get("band_hz") == [d["lo_hz"], min(d["hi_hz"], 0.9 * ch.fs_hz / 2)]
        and cond.params.get("notch") == d["notch"]
        and cond.params.get("chunk_s") == per_chunk * d["epoch_s"]
        and cond.params.get("pad_s") == d["pad_s"]
        and np.array_equal(
            cond.features["onset_s"].to_numpy(), epoch_starts(ch.n_samples, ch.fs_hz, d["epoch_s"]) / ch.fs_hz
        )
    )
    if not same:
        return None
    env, rate = cond.extra[(float(window_s), float(env_fs_hz))]
    feats = cond.features.copy()
    feats["level_uv"] = epoch_mean(env, rate, feats["onset_s"].to_numpy(float))
    params = {**cond.params, "envelope_s": window_s, "env_fs_hz": rate}
    return replace(cond, envelope_uv=env, env_fs_hz=rate, features=feats, params=params, extra={})


def _channel(ch: Channel) -> str:
    """``the right leg channel 'Right Leg'``: a channel as messages name it."""
    return f"the {ROLE_WORDS.get(ch.role, ch.role)} channel {ch.label!r}"


def _unscorable(ch: Channel, cond: ConditionedEMG, env: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Unscorable stretches from the shared epoch quality map.

    The noise criterion of the LM map is not used: twitch thresholds are relative to the background already.
    """
    qp = QualityParams()
    res = ch.resolution if ch.resolution is not None else estimate_resolution_uv(ch.data)  # as the LM detector
    coarse = res > qp.max_resolution_uv
    feats = cond.features.copy()
    if not len(feats):
        return np.zeros((0, 2)), None
    feats["level_uv"] = epoch_mean(env, cond.env_fs_hz, feats["onset_s"].to_numpy(float))
    feats["onset_thr_uv"] = 0.0
    q = classify_epochs(feats, qp, coarse=coarse)
    bad = q.loc[~q["scorable"], ["onset_s", "offset_s"]].to_numpy(float)
    reason = None
    if coarse:
        reason = (
            f"{_channel(ch)}: digital resolution {res:.3g} µV is coarser than "
            f"{qp.max_resolution_uv:g} µV: unusable for twitch detection"
        )
    elif len(q) and not q["scorable"].any():
        states = ", ".join(sorted(set(q["state"])))
        reason = f"{_channel(ch)} is unscorable throughout ({states}): unusable for twitch detection"
    return bad, reason


def block_background(
    env: np.ndarray, fs_hz: float, *, block_s: float = 30.0, percentile: float = 10.0, start_s: float = 0.0
) -> np.ndarray:
    """Per-sample background: the ``percentile`` of the 1-s means of each ``block_s`` block.

    Parameters
    ----------
    env : numpy.ndarray
        Envelope (µV).
    fs_hz : float
        Envelope rate.
    block_s : float
        Block length (one epoch).
    percentile : float
        Low percentile of the 1-s means.
    start_s : float
        Time of one block edge, e.g. the hypnogram's first epoch (blocks are laid from there both ways, so
        they are the hypnogram's epochs; the samples before the first edge form a shorter first block).

    Returns
    -------
    numpy.ndarray
        Same length as ``env``.
    """
    bg = _epoch_background(env, fs_hz, block_s=block_s, percentile=percentile, start_s=start_s)
    return _per_sample(bg, env, fs_hz, block_s=block_s, start_s=start_s)


def _per_sample(bg: np.ndarray | None, env: np.ndarray, fs_hz: float, *, block_s: float, start_s: float) -> np.ndarray:
    """The block values of :func:`_epoch_background` spread over the samples of ``env`` (its median without)."""
    if bg is None:
        return np.full(env.size, float(np.median(env)) if env.size else 0.0)
    origin = _epoch_origin(start_s, block_s)
    edges = time_block_edges(env.size, fs_hz, block_s, start_s=origin, n_blocks=bg.size)  # on the clock
    out = np.repeat(bg, np.diff(edges))  # each block's value over its samples; the tail (< 1 s) takes the last
    return np.concatenate((out, np.full(env.size - out.size, bg[-1]))) if out.size < env.size else out


def _epoch_origin(start_s: float, epoch_s: float) -> float:
    """The epoch edge at or before t = 0 on the grid of epochs starting at ``start_s`` (in ``(-epoch_s, 0]``)."""
    return float(start_s - np.ceil(start_s / epoch_s - 1e-9) * epoch_s)


def _epoch_background(
    env: np.ndarray, fs_hz: float, *, block_s: float = 30.0, percentile: float = 10.0, start_s: float = 0.0
) -> np.ndarray | None:
    """One value per ``block_s`` block for :func:`block_background` (``None`` when under 1 s).

    Blocks are laid on the grid through ``start_s``; the 1-s means before t = 0 are missing (NaN) and left out.
    """
    per = max(1, round(block_s))
    origin = _epoch_origin(start_s, block_s)
    n_sec = int(np.floor(env.size / fs_hz - origin + 1e-9))
    # whole seconds on the clock from the grid's origin (66 or 67 samples at 66.7 Hz)
    edges = time_block_edges(env.size, fs_hz, 1.0, start_s=origin, n_blocks=n_sec)
    if n_sec <= 0 or edges[-1] <= edges[0]:
        return None
    lengths = np.diff(edges)
    full = lengths > 0
    med = np.full(n_sec, np.nan)
    med[full] = np.add.reduceat(env[: edges[-1]], edges[:-1][full]) / lengths[full]
    n_blk = -(-n_sec // per)
    padded = np.concatenate((med, np.full(n_blk * per - n_sec, np.nan)))
    with np.errstate(all="ignore"):
        srt = np.sort(padded.reshape(n_blk, per), axis=1)  # NaN sort last
    count = np.isfinite(srt).sum(axis=1)
    idx = np.clip(np.floor(percentile / 100.0 * (count - 1)).astype(np.int64), 0, per - 1)
    return srt[np.arange(n_blk), idx]


def emg_traces(
    rec: Recording,
    *,
    roles: tuple[str, ...] = tuple(EMG_ROLES),
    window_s: float = 0.05,
    env_fs_hz: float = 64.0,
    baseline_window_s: float = 60.0,
    background_window_s: float = 10.0,
    cardiac_min_excess_uv: float = 1.0,
    cardiac_half_width_s: float = 0.1,
    cardiac_min_beats: int = 100,
    conditioned: Mapping[str, ConditionedEMG] | None = None,
    beats_s: np.ndarray | None = None,
    hypnogram: Hypnogram | None = None,
) -> tuple[list[EmgTrace], list[str]]:
    """Condition every EMG channel with one of ``roles``; skip (with a reason) those that cannot be analysed.

    Parameters
    ----------
    rec : Recording
        The night.
    roles : tuple of str
        Roles to use (default: legs, chin, arms).
    window_s : float
        Envelope moving-average window (50 ms: resolves the 75-150 ms potentials of SCORING_SPEC §5).
    env_fs_hz : float
        Envelope rate after decimation.
    baseline_window_s : float
        Running window of the resting level (SCORING_SPEC §2.3: 30-60 s).
    background_window_s : float
        Running window of the local background used for amplitude ratios (our choice: longer than the 5-s
        longest phasic burst, shorter than a 30-s epoch of tonic activity).
    cardiac_min_excess_uv : float
        Envelope rise at the beats above which the cardiac artefact is blanked.
    cardiac_half_width_s : float
        Half width of the window blanked around each beat.
    cardiac_min_beats : int
        Blank only when at least this many beats are found (about 1.5 min of artefact at 70 bpm); a few
        chance matches in noise are not a cardiac artefact.
    conditioned : mapping of channel label to ConditionedEMG, optional
        Channels conditioned already (e.g. ``LegMovementDetection.conditioned``, asked for with
        ``extra_envelopes=(TWITCH_ENVELOPE,)``): their ``(window_s, env_fs_hz)`` envelope is used instead of
        filtering the channel again, when it was conditioned with the default band, notch and chunks. Their
        detector has reported their quality already, so an unusable one is not reported a second time here.
    beats_s : numpy.ndarray, optional
        The night's heart beats when already known (``LegMovementDetection.beats_s``: R peaks of the ECG,
        or heart-rate-periodic spikes of the legs). Each channel is then blanked at these beats when its
        envelope rises there, as with R peaks, instead of finding R peaks or spikes again. An empty array
        means none were found: the channels in ``conditioned`` (searched already) are left as they are and
        the others are searched for heart-rate-periodic spikes of their own. ``None``: find them here.
    hypnogram : Hypnogram, optional
        Whose epochs the epoch background follows (default ``rec.hypnogram``; 30-s epochs from t = 0 without
        one).

    Returns
    -------
    traces : list of EmgTrace
        One per usable channel, in file order.
    reasons : list of str
        Why channels were skipped (sampled below 100 Hz, empty).
    """
    hyp = hypnogram if hypnogram is not None else rec.hypnogram
    searched = set(conditioned or {}) if beats_s is not None else set()
    r_peaks = r_peaks_of(rec) if beats_s is None else (beats_s if beats_s.size > 10 else None)
    traces, reasons = [], []
    for ch in rec.channels_with_role(*roles):
        if ch.fs_hz < MIN_EMG_FS_HZ:
            reasons.append(
                f"{_channel(ch)} is sampled at {ch.fs_hz:g} Hz (below {MIN_EMG_FS_HZ:g} Hz, "
                "probably an amplitude envelope): unusable for twitch detection; re-export the raw EMG."
            )
            continue
        if ch.n_samples < 10 * ch.fs_hz:
            reasons.append(f"{_channel(ch)} is shorter than 10 s: skipped.")
            continue
        tr = _condition(
            ch,
            window_s=window_s,
            env_fs_hz=env_fs_hz,
            baseline_window_s=baseline_window_s,
            background_window_s=background_window_s,
            epoch_s=hyp.epoch_s if hyp is not None else 30.0,
            epoch_start_s=hyp.start_s if hyp is not None else 0.0,
            r_peaks_s=r_peaks,
            cardiac_min_excess_uv=cardiac_min_excess_uv,
            cardiac_half_width_s=cardiac_half_width_s,
            cardiac_min_beats=cardiac_min_beats,
            shared=(conditioned or {}).get(ch.label),
            search_beats=ch.label not in searched,
        )
        if tr.bad_reason is not None and ch.label not in (conditioned or {}):  # the LM detector said it already
            reasons.append(tr.bad_reason)
        traces.append(tr)
    return traces, reasons
