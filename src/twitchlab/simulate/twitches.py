"""Phantom nights with every twitch kind of SCORING_SPEC §5 and their ground truth.

:func:`simulate_twitch_night` draws a scripted hypnogram (several wake-to-N1
transitions, NREM, REM), places the requested twitch kinds in the stages where
they occur, and renders raw EMG in µV for the legs, the chin and optionally the
arms. Every event it draws is returned as a truth row of the events table, and
the RSWA percentages the chin was built to show are returned alongside, so each
detector of :mod:`twitchlab.detect` can be scored against known answers.

Shapes follow the definitions, not any data set: sleep starts at sleep onset on
several channels (ICSD-3), hypnagogic foot tremor and ALMA trains and
fragmentary myoclonus (AASM manual, movement rules), rhythmic movements at
0.5-2 Hz, long contractions > 10 s, REM twitches, and a chin tone that drops
from wake to NREM to REM atonia, with tonic and phasic REM activity when RSWA is
asked for (AASM manual; Frauscher et al., Sleep 2012).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError, check_option
from twitchlab.model import EPOCH_S, TWITCH_EVENT_TYPES, Channel, Hypnogram, Recording, make_events
from twitchlab.simulate._twitch_signals import (
    CHIN_TONE_UV,
    _Burst,
    _draw_start,
    _render,
    _rswa_plan,
    _Slots,
    _stage_windows,
    white_scale,
)

__all__ = ["TWITCH_KINDS", "TwitchNight", "add_twitches", "simulate_twitch_night"]

logger = logging.getLogger(__name__)

#: Event types the simulator can draw (SCORING_SPEC §5 names).
TWITCH_KINDS = TWITCH_EVENT_TYPES

RswaMode = Literal["none", "tonic", "phasic", "mixed"]
ChinMode = Literal["normal", "flat", "envelope_1hz", "absent"]


@dataclass
class TwitchNight:
    """A phantom night with twitch kinds, its signals and its truth.

    Attributes
    ----------
    recording : Recording
        Raw EMG channels in µV (roles ``leg_left``, ``leg_right``, ``chin``, ``arm_left``, ``arm_right``,
        ``ecg``), the hypnogram, and the simulated artefact stretches as ``artifact`` events.
    hypnogram : Hypnogram
        The scripted 30-s stages.
    truth : DataFrame
        One row per true event (:func:`~twitchlab.model.make_events`), with extra columns ``channels``
        (comma-joined labels), ``n_bursts`` and ``rate_hz`` for trains.
    rswa_truth : dict
        ``rswa_tonic_pct``, ``rswa_phasic_pct``, ``rswa_any_pct`` and ``rem_epochs_scored`` as built into the
        chin (``None`` without a usable chin or REM).
    params : dict
        Arguments used.
    """

    recording: Recording
    hypnogram: Hypnogram
    truth: pd.DataFrame
    rswa_truth: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        counts = self.truth["type"].value_counts().to_dict() if len(self.truth) else {}
        return f"<TwitchNight seed={self.params.get('seed')}: {self.hypnogram.n_epochs} epochs, truth {counts}>"


# ---------------------------------------------------------------------------------------------- hypnogram


def _script_hypnogram(rng: np.random.Generator, n_epochs: int) -> np.ndarray:
    """Stages with a sleep onset, then cycles each opened by a brief awakening (a new wake-to-N1 transition)."""
    blocks: list[tuple[int, int]] = [(0, int(rng.integers(8, 14)))]
    while sum(n for _, n in blocks) < n_epochs:
        for code, lo, hi in ((1, 4, 8), (2, 16, 30), (3, 10, 24), (2, 6, 12), (4, 14, 30), (0, 2, 4)):
            blocks.append((code, int(rng.integers(lo, hi))))
    codes = np.concatenate([np.full(n, c, dtype=np.int8) for c, n in blocks])
    return codes[:n_epochs]


# ------------------------------------------------------------------------------------------------ public


def simulate_twitch_night(
    seed: int | np.random.Generator = 0,
    *,
    kinds: Sequence[str] | str = "all",
    duration_h: float = 2.0,
    fs_hz: float = 256.0,
    arms: bool = False,
    rswa: RswaMode = "none",
    chin: ChinMode = "normal",
    ecg_in_chin: bool = False,
    ecg_channel: bool = False,
    per_hour: float = 6.0,
    efm: bool = False,
    artefacts: bool = False,
) -> TwitchNight:
    """Simulate a night with twitch kinds of SCORING_SPEC §5 and return signals and truth.

    Parameters
    ----------
    seed : int or numpy.random.Generator
        Seed; the same seed always gives the same night.
    kinds : sequence of str or "all"
        Which kinds to draw (:data:`TWITCH_KINDS`); ``"all"`` draws every kind.
    duration_h : float
        Length of the night in hours (≥ 0.5).
    fs_hz : float
        Sampling rate of the EMG channels.
    arms : bool
        Add left and right flexor digitorum superficialis channels (roles ``arm_left``/``arm_right``).
    rswa : {"none", "tonic", "phasic", "mixed"}
        REM chin activity: atonia throughout, tonic epochs, phasic mini-epochs, or both.
    chin : {"normal", "flat", "envelope_1hz", "absent"}
        A normal chin EMG, a flat (disconnected) chin, a 1-Hz amplitude envelope as in Sleep-EDF's
        ``EMG submental``, or no chin channel.
    ecg_in_chin : bool
        Add QRS-shaped cardiac spikes (about 30 µV, 60-80 bpm) to the chin: artefact, not RSWA.
    ecg_channel : bool
        Add an ``ECG`` channel carrying the same R peaks.
    per_hour : float
        Events (or trains) of each train-like kind per hour of the stages where the kind occurs.
    efm : bool
        Fragmentary myoclonus at about 8 potentials per minute through NREM (excessive), instead of 1.5.
    artefacts : bool
        Add a few high-amplitude artefact stretches on the chin in REM, annotated as ``artifact``.

    Returns
    -------
    TwitchNight
        Recording, hypnogram, truth table and RSWA truth.

    References
    ----------
    .. [1] American Academy of Sleep Medicine. The AASM Manual for the Scoring of Sleep and Associated Events.
    .. [2] American Academy of Sleep Medicine. International Classification of Sleep Disorders, 3rd ed. (ICSD-3).
    .. [3] Frauscher B et al. Normative EMG values during REM sleep for the diagnosis of REM sleep behavior
       disorder. Sleep 2012;35(6):835-847.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    check_option("rswa", rswa, ("none", "tonic", "phasic", "mixed"))
    check_option("chin", chin, ("normal", "flat", "envelope_1hz", "absent"))
    chosen = list(TWITCH_KINDS) if kinds == "all" else list(kinds)
    for k in chosen:
        check_option("kinds", k, TWITCH_KINDS)
    if not duration_h >= 0.5:
        raise ParameterError(f"duration_h must be ≥ 0.5 h, got {duration_h}")
    n_epochs = round(duration_h * 3600 / EPOCH_S)
    duration_s = n_epochs * EPOCH_S
    stages = _script_hypnogram(rng, n_epochs)
    hyp = Hypnogram(stages, source="simulated")
    legs = {"L": "Leg L", "R": "Leg R"}
    arm_labels = {"L": "Arm L", "R": "Arm R"} if arms else {}
    chin_label = "Chin" if chin != "absent" else None
    emg_labels = [*legs.values(), *([chin_label] if chin_label else []), *arm_labels.values()]

    slots = _Slots(guard_s=6.0)
    bursts: list[_Burst] = []
    truth: list[dict[str, Any]] = []
    hours = {c: float((stages == c).sum()) * EPOCH_S / 3600 for c in range(5)}

    def n_events(codes: Sequence[int]) -> int:
        return int(rng.poisson(per_hour * sum(hours[c] for c in codes))) + 1

    # sleep starts: one jerk at most wake-to-N1 transitions, on legs, chin and arms within 0.05 s
    if "hypnic_jerk" in chosen:
        trans = np.flatnonzero((stages[:-1] == 0) & (stages[1:] == 1)) + 1
        for ep in trans:
            t0 = ep * EPOCH_S + float(rng.uniform(5.0, 100.0))
            dur = float(rng.uniform(0.15, 0.45))
            if not slots.free(t0, t0 + dur):
                continue
            slots.take(t0, t0 + dur)
            amp = float(rng.uniform(60, 150))
            chans = emg_labels
            offs = rng.uniform(0, 0.05, len(chans))
            bursts += [_Burst(c, t0 + o, t0 + o + dur, amp) for c, o in zip(chans, offs, strict=True)]
            truth.append(dict(type="hypnic_jerk", onset_s=t0, offset_s=t0 + dur + offs.max(), side="B",
                              peak_amp_uv=amp, channels=",".join(chans)))  # fmt: skip

    def add_train(kind: str, windows: np.ndarray, chans_of_burst: list[list[str]] | None, rate: float,
                  dur: np.ndarray, amp: float, side: str | None) -> None:  # fmt: skip
        n = len(dur)
        rel = np.arange(n) / rate + rng.uniform(-0.03, 0.03, n) / rate
        rel -= rel[0]
        length = float(rel[-1] + dur[-1])
        t0 = _draw_start(rng, slots, windows, length)
        if t0 is None:
            return
        all_ch: set[str] = set()
        for i in range(n):
            chs = chans_of_burst[i % len(chans_of_burst)] if chans_of_burst else []
            all_ch.update(chs)
            bursts.extend(_Burst(c, t0 + rel[i], t0 + rel[i] + dur[i], amp) for c in chs)
        truth.append(dict(type=kind, onset_s=t0, offset_s=t0 + length, side=side, peak_amp_uv=amp,
                          channels=",".join(sorted(all_ch)), n_bursts=n, rate_hz=rate))  # fmt: skip

    if "hypnagogic_foot_tremor" in chosen:
        win = _stage_windows(stages, (0, 1))
        for _ in range(n_events((0, 1))):
            d = float(rng.uniform(0.3, 0.8))
            rate = float(rng.uniform(0.5, min(3.5, 1.0 / (d + 0.25))))
            side = str(rng.choice(["L", "R"]))
            durs = rng.uniform(0.8, 1.0, int(rng.integers(4, 13))) * d
            add_train("hypnagogic_foot_tremor", win, [[legs[side]]], rate, durs, float(rng.uniform(25, 60)), side)
    if "alma" in chosen:
        win = _stage_windows(stages, (1, 2))
        for _ in range(n_events((1, 2))):
            d = float(rng.uniform(0.15, 0.4))
            rate = float(rng.uniform(0.6, min(2.8, 1.0 / (d + 0.15))))
            first = str(rng.choice(["L", "R"]))
            order = [[legs[first]], [legs["R" if first == "L" else "L"]]]
            add_train("alma", win, order, rate, rng.uniform(0.8, 1.0, int(rng.integers(4, 13))) * d,
                      float(rng.uniform(25, 60)), "B")  # fmt: skip
    if "rhythmic_movement" in chosen:
        win = _stage_windows(stages, (0, 1))
        group = [legs["L"], legs["R"], *([chin_label] if chin_label else [])]
        for _ in range(n_events((0, 1))):
            d = float(rng.uniform(0.25, 0.6))
            rate = float(rng.uniform(0.6, min(1.9, 1.0 / (d + 0.25))))
            add_train("rhythmic_movement", win, [group], rate, rng.uniform(0.8, 1.0, int(rng.integers(5, 16))) * d,
                      float(rng.uniform(30, 80)), None)  # fmt: skip
    if "long_contraction" in chosen:
        win = _stage_windows(stages, (0, 2))
        for _ in range(n_events((0, 2))):
            dur = float(rng.uniform(11.0, 45.0))
            side = str(rng.choice(["L", "R"]))
            t0 = _draw_start(rng, slots, win, dur)
            if t0 is None:
                continue
            amp = float(rng.uniform(20, 50))
            bursts.append(_Burst(legs[side], t0, t0 + dur, amp))
            truth.append(dict(type="long_contraction", onset_s=t0, offset_s=t0 + dur, side=side,
                              peak_amp_uv=amp, channels=legs[side]))  # fmt: skip
    if "rem_twitch" in chosen:
        win = _stage_windows(stages, (4,))
        pool = [legs["L"], legs["R"], *arm_labels.values()]
        for _ in range(int(rng.poisson(3 * per_hour * hours[4])) + 1):
            dur = float(rng.uniform(0.2, 1.5))
            t0 = _draw_start(rng, slots, win, dur)
            if t0 is None:
                continue
            ch = str(rng.choice(pool))
            amp = float(rng.uniform(15, 50))
            bursts.append(_Burst(ch, t0, t0 + dur, amp))
            truth.append(dict(type="rem_twitch", onset_s=t0, offset_s=t0 + dur, side=_side_of(ch),
                              peak_amp_uv=amp, channels=ch))  # fmt: skip
    if "fragmentary_myoclonus" in chosen:
        nrem = _stage_windows(stages, (2, 3))
        per_min = 8.0 if efm else 1.5
        for w0, w1 in nrem:
            n = int(rng.poisson(per_min * (w1 - w0) / 60.0))
            t = np.sort(rng.uniform(w0 + 1, w1 - 1, n))
            t = t[np.concatenate([[True], np.diff(t) > 1.0])]
            for ti in t:
                dur = float(rng.uniform(0.06, 0.13))
                if not slots.free(ti, ti + dur):
                    continue
                slots.take(ti, ti + dur)
                ch = str(rng.choice(emg_labels))
                amp = float(rng.uniform(25, 60))
                bursts.append(_Burst(ch, ti, ti + dur, amp))
                truth.append(dict(type="fragmentary_myoclonus", onset_s=ti, offset_s=ti + dur, side=_side_of(ch),
                                  peak_amp_uv=amp, channels=ch))  # fmt: skip

    rswa_truth, rem_bursts, rem_rows, tonic_mask, art = _rswa_plan(
        rng, stages, rswa, chin, arm_labels, slots, artefacts
    )
    bursts += rem_bursts
    truth += rem_rows if "rem_twitch" in chosen else []
    channels = _render(rng, stages, duration_s, fs_hz, legs, arm_labels, chin_label, chin, bursts, tonic_mask,
                       ecg_in_chin, ecg_channel, art)  # fmt: skip
    truth_df = make_events(pd.DataFrame(truth)) if truth else make_events(pd.DataFrame(columns=["type", "onset_s"]))
    if len(truth_df):
        truth_df["source"] = "simulated"
    events = make_events(
        pd.DataFrame({"type": "artifact", "onset_s": art[:, 0], "offset_s": art[:, 1], "source": "simulated"})
        if len(art)
        else pd.DataFrame(columns=["type", "onset_s"])
    )
    rec = Recording(channels=channels, duration_s=duration_s, events=events, hypnogram=hyp,
                    source=f"simulated-twitches-seed{seed if isinstance(seed, int) else 'rng'}")  # fmt: skip
    params = dict(seed=seed if isinstance(seed, int) else None, kinds=chosen, duration_h=duration_h, fs_hz=fs_hz,
                  arms=arms, rswa=rswa, chin=chin, ecg_in_chin=ecg_in_chin, per_hour=per_hour, efm=efm)  # fmt: skip
    return TwitchNight(recording=rec, hypnogram=hyp, truth=truth_df, rswa_truth=rswa_truth, params=params)


def _side_of(label: str) -> str | None:
    return "L" if label.endswith(" L") else "R" if label.endswith(" R") else None


def add_twitches(
    rec: Recording,
    seed: int | np.random.Generator = 0,
    *,
    kinds: Sequence[str] = ("hypnic_jerk", "rem_twitch"),
    add_chin: bool = True,
    rem_twitches_per_hour: float = 20.0,
) -> tuple[Recording, pd.DataFrame]:
    """Overlay sleep starts and REM twitches on an existing simulated recording (e.g. the demo night).

    Sleep starts go at most wake-to-N1 transitions of ``rec.hypnogram``, on both legs (and the chin) within
    0.05 s; REM twitches go on one leg in REM. Existing events (leg movements) are kept clear of by 6 s. When
    ``add_chin`` and the recording has no chin channel, a chin EMG with stage-dependent tone (atonia in REM)
    is added at the legs' sampling rate, so RSWA can be measured (it shows none).

    Parameters
    ----------
    rec : Recording
        With a hypnogram and left/right leg channels in µV.
    seed : int or numpy.random.Generator
        Seed.
    kinds : sequence of str
        ``hypnic_jerk`` and/or ``rem_twitch``.
    add_chin : bool
        Add a ``Chin`` channel (role ``chin``) when none exists.
    rem_twitches_per_hour : float
        REM twitches per hour of REM.

    Returns
    -------
    tuple
        The new recording (the input is not changed) and the truth table of the added events.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    for k in kinds:
        check_option("kinds", k, ("hypnic_jerk", "rem_twitch"))
    if rec.hypnogram is None:
        raise ParameterError("add_twitches needs a recording with a hypnogram (sleep starts sit at sleep onset)")
    legs = rec.leg_channels()
    if not {"L", "R"} <= set(legs):
        raise ParameterError(f"add_twitches needs left and right leg channels; found {sorted(legs)}")
    stages = rec.hypnogram.stages
    fs = legs["L"].fs_hz
    slots = _Slots(guard_s=6.0)
    for on, off in rec.events[["onset_s", "offset_s"]].to_numpy(float):
        slots.take(on, off)
    chin_label = next((c.label for c in rec.channels_with_role("chin")), None)
    new_chin = chin_label is None and add_chin
    if new_chin:
        chin_label = "Chin"
    bursts: list[_Burst] = []
    truth: list[dict[str, Any]] = []
    if "hypnic_jerk" in kinds:
        for ep in np.flatnonzero((stages[:-1] == 0) & (stages[1:] == 1)) + 1:
            t0 = rec.hypnogram.start_s + ep * EPOCH_S + float(rng.uniform(5.0, 100.0))
            dur = float(rng.uniform(0.15, 0.45))
            if rng.random() > 0.8 or not slots.free(t0, t0 + dur):
                continue
            slots.take(t0, t0 + dur)
            chans = [legs["L"].label, legs["R"].label, *([chin_label] if chin_label else [])]
            amp = float(rng.uniform(60, 150))
            offs = rng.uniform(0, 0.05, len(chans))
            bursts += [_Burst(c, t0 + o, t0 + o + dur, amp) for c, o in zip(chans, offs, strict=True)]
            truth.append(dict(type="hypnic_jerk", onset_s=t0, offset_s=t0 + dur + offs.max(), side="B",
                              peak_amp_uv=amp, channels=",".join(chans)))  # fmt: skip
    if "rem_twitch" in kinds:
        win = _stage_windows(stages, (4,)) + rec.hypnogram.start_s
        rem_h = float((stages == 4).sum()) * EPOCH_S / 3600
        for _ in range(int(rng.poisson(rem_twitches_per_hour * rem_h))):
            dur = float(rng.uniform(0.2, 1.5))
            t0 = _draw_start(rng, slots, win, dur)
            if t0 is None:
                continue
            side = str(rng.choice(["L", "R"]))
            amp = float(rng.uniform(15, 50))
            bursts.append(_Burst(legs[side].label, t0, t0 + dur, amp))
            truth.append(dict(type="rem_twitch", onset_s=t0, offset_s=t0 + dur, side=side, peak_amp_uv=amp,
                              channels=legs[side].label))  # fmt: skip
    channels = dict(rec.channels)
    if new_chin:
        ep_idx = np.minimum(((np.arange(legs["L"].n_samples) / fs - rec.hypnogram.start_s) // EPOCH_S), stages.size - 1)
        sd = np.array([CHIN_TONE_UV.get(int(c), CHIN_TONE_UV[0]) for c in stages])[np.maximum(ep_idx, 0).astype(int)]
        chin_x = rng.standard_normal(sd.size) * (sd * white_scale(fs))
        channels["Chin"] = Channel.from_array(chin_x, fs, "Chin", role="chin")
    for label in {b.channel for b in bursts}:
        ch = channels[label]
        x = np.array(ch.data, dtype=np.float64)
        for b in (b for b in bursts if b.channel == label):
            i0, i1 = int(b.onset_s * ch.fs_hz), int(np.ceil(b.offset_s * ch.fs_hz))
            x[i0:i1] += rng.standard_normal(max(0, min(i1, x.size) - i0)) * (b.amp_uv * white_scale(ch.fs_hz))
        channels[label] = Channel.from_array(x, ch.fs_hz, label, role=ch.role, label_original=ch.label_original)
    out = replace(rec, channels=channels)
    table = make_events(pd.DataFrame(truth)) if truth else make_events(pd.DataFrame(columns=["type", "onset_s"]))
    if len(table):
        table["source"] = "simulated"
    return out, table
