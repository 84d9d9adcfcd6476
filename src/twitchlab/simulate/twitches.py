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
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError, check_option
from twitchlab.model import EPOCH_S, Channel, Hypnogram, Recording, make_events

__all__ = ["TWITCH_KINDS", "TwitchNight", "simulate_twitch_night"]

logger = logging.getLogger(__name__)

#: Event types the simulator can draw (SCORING_SPEC §5 names).
TWITCH_KINDS = (
    "hypnic_jerk",
    "fragmentary_myoclonus",
    "hypnagogic_foot_tremor",
    "alma",
    "rhythmic_movement",
    "long_contraction",
    "rem_twitch",
)

#: Standard deviation of the resting EMG (µV) per stage code and channel group: tone falls from wake to NREM
#: to REM atonia on the chin (AASM manual, chin EMG criteria for staging); limb muscles stay near the noise floor.
CHIN_TONE_UV = {0: 8.0, 1: 5.0, 2: 4.0, 3: 3.5, 4: 1.5}
LIMB_TONE_UV = {0: 2.0, 1: 1.6, 2: 1.5, 3: 1.5, 4: 1.2}
#: Chin tone (µV SD) of a tonic REM epoch: above the lowest NREM tone, as RSWA tonic activity is defined.
TONIC_CHIN_UV = 7.2
_MINI_S = 3.0

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


def _segments(mask: np.ndarray) -> np.ndarray:
    """(start, stop) index pairs of runs of True in a 1-D boolean array."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.column_stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)])


# ------------------------------------------------------------------------------------------ event drawing


class _Slots:
    """Keeps drawn events apart in time (a guard between kinds keeps the truth unambiguous)."""

    def __init__(self, guard_s: float) -> None:
        self.guard_s = guard_s
        self.busy: list[tuple[float, float]] = []

    def free(self, lo: float, hi: float, guard_s: float | None = None) -> bool:
        g = self.guard_s if guard_s is None else guard_s
        return all(hi + g <= b0 or lo - g >= b1 for b0, b1 in self.busy)

    def take(self, lo: float, hi: float) -> None:
        self.busy.append((lo, hi))


def _draw_start(
    rng: np.random.Generator, slots: _Slots, windows: np.ndarray, length_s: float, tries: int = 200
) -> float | None:
    """A start time whose event of ``length_s`` fits in one of ``windows`` (n, 2) and in free time."""
    fits = windows[(windows[:, 1] - windows[:, 0]) > length_s + 2.0]
    if not len(fits):
        return None
    for _ in range(tries):
        w0, w1 = fits[rng.integers(len(fits))]
        t0 = float(rng.uniform(w0 + 1.0, w1 - length_s - 1.0))
        if slots.free(t0, t0 + length_s):
            slots.take(t0, t0 + length_s)
            return t0
    return None


def _stage_windows(stages: np.ndarray, codes: Sequence[int]) -> np.ndarray:
    seg = _segments(np.isin(stages, codes))
    return seg.astype(float) * EPOCH_S


@dataclass
class _Burst:
    channel: str
    onset_s: float
    offset_s: float
    amp_uv: float


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


def _rswa_plan(
    rng: np.random.Generator,
    stages: np.ndarray,
    rswa: str,
    chin: str,
    arm_labels: dict[str, str],
    slots: _Slots,
    artefacts: bool,
) -> tuple[dict[str, Any], list[_Burst], list[dict[str, Any]], np.ndarray, np.ndarray]:
    """Tonic REM epochs, phasic chin/arm bursts in chosen mini-epochs, and the percentages they make."""
    n_ep = stages.size
    rem = np.flatnonzero(stages == 4)
    tonic = np.zeros(n_ep, dtype=bool)
    bursts: list[_Burst] = []
    twitches: list[dict[str, Any]] = []
    art = np.zeros((0, 2))
    if artefacts and len(rem):
        pick = rng.choice(rem, size=min(3, len(rem)), replace=False)
        art = np.column_stack([pick * EPOCH_S + 6.0, pick * EPOCH_S + 12.0])  # two mini-epochs each
    keys = ("rswa_tonic_pct", "rswa_phasic_pct", "rswa_any_pct", "rem_epochs_scored")
    if chin in ("flat", "envelope_1hz", "absent") or not len(rem):
        return dict.fromkeys(keys), bursts, twitches, tonic, art
    share_tonic = {"none": 0.0, "tonic": 0.35, "phasic": 0.0, "mixed": 0.2}[rswa]
    share_phasic_mini = {"none": 0.0, "tonic": 0.0, "phasic": 0.3, "mixed": 0.2}[rswa]
    tonic[rem] = rng.random(rem.size) < share_tonic
    n_mini = int(EPOCH_S / _MINI_S)
    phasic_mini = np.zeros((n_ep, n_mini), dtype=bool)
    # phasic: whole epochs where most mini-epochs burst, so the AASM phasic share is non-trivial too
    dense = rng.random(rem.size) < share_phasic_mini
    for ep, is_dense in zip(rem, dense, strict=True):
        p = 0.7 if is_dense else share_phasic_mini * 0.3
        phasic_mini[ep] = rng.random(n_mini) < p
    # keep free of other drawn events so truth stays unambiguous
    on = np.arange(n_ep)[:, None] * EPOCH_S + np.arange(n_mini)[None, :] * _MINI_S
    for ep, k in zip(*np.nonzero(phasic_mini), strict=True):
        d = float(rng.uniform(0.3, 1.5))
        t0 = float(on[ep, k] + rng.uniform(0.4, _MINI_S - d - 0.4))
        if not slots.free(t0, t0 + d, guard_s=0.6):
            phasic_mini[ep, k] = False
            continue
        slots.take(t0, t0 + d)
        base = TONIC_CHIN_UV if tonic[ep] else CHIN_TONE_UV[4]
        bursts.append(_Burst("Chin", t0, t0 + d, base * float(rng.uniform(8, 20))))
        bursts += [_Burst(a, t0, t0 + d, float(rng.uniform(15, 40))) for a in arm_labels.values()]
        chans = ",".join(["Chin", *arm_labels.values()])
        twitches.append(dict(type="rem_twitch", onset_s=t0, offset_s=t0 + d, side=None, channels=chans))
    # excluded mini-epochs: artefact stretches
    excluded = np.zeros_like(phasic_mini)
    for a0, a1 in art:
        excluded |= (on < a1) & (on + _MINI_S > a0)
    is_rem = stages == 4
    clean = ~excluded & is_rem[:, None]
    n_clean = clean.sum(axis=1)
    scored = is_rem & (n_clean >= 5)
    any_mini = (phasic_mini | tonic[:, None]) & clean
    phasic_ep = (phasic_mini & clean).sum(axis=1) >= np.ceil(n_clean / 2.0)
    truth = {
        "rswa_tonic_pct": 100.0 * float(tonic[scored].mean()),
        "rswa_phasic_pct": 100.0 * float(phasic_ep[scored].mean()),
        "rswa_any_pct": 100.0 * float(any_mini[scored].sum() / clean[scored].sum()),
        "rem_epochs_scored": int(scored.sum()),
    }
    return truth, bursts, twitches, tonic, art


def _render(
    rng: np.random.Generator,
    stages: np.ndarray,
    duration_s: float,
    fs_hz: float,
    legs: dict[str, str],
    arm_labels: dict[str, str],
    chin_label: str | None,
    chin: str,
    bursts: list[_Burst],
    tonic_epochs: np.ndarray,
    ecg_in_chin: bool,
    ecg_channel: bool,
    art: np.ndarray,
) -> dict[str, Channel]:
    """Gaussian EMG whose standard deviation follows stage tone plus bursts (amplitudes as SD in µV)."""
    n = round(duration_s * fs_hz)
    ep_idx = np.minimum((np.arange(n) / fs_hz // EPOCH_S).astype(np.int64), stages.size - 1)
    by_label: dict[str, list[_Burst]] = {}
    for b in bursts:
        by_label.setdefault(b.channel, []).append(b)
    roles = {legs["L"]: "leg_left", legs["R"]: "leg_right"}
    roles |= {lab: f"arm_{'left' if s == 'L' else 'right'}" for s, lab in arm_labels.items()}
    if chin_label:
        roles[chin_label] = "chin"
    out: dict[str, Channel] = {}
    n_beats = int(duration_s / 0.7) + 2
    rr_s = 0.85 + 0.06 * np.sin(np.arange(n_beats) * 2 * np.pi / 15.0) + rng.normal(0, 0.01, n_beats)
    r_peaks = np.cumsum(rr_s)
    r_peaks = r_peaks[r_peaks < duration_s - 0.2]
    for label, role in roles.items():
        tone = CHIN_TONE_UV if role == "chin" else LIMB_TONE_UV
        sd = np.vectorize(tone.get)(np.asarray(stages, dtype=int)).astype(float)
        if role == "chin":
            sd = np.where(tonic_epochs, TONIC_CHIN_UV, sd)
        sd_t = sd[ep_idx]
        for b in by_label.get(label, []):
            i0, i1 = int(b.onset_s * fs_hz), int(np.ceil(b.offset_s * fs_hz))
            sd_t[i0:i1] = np.maximum(sd_t[i0:i1], b.amp_uv)
        if role == "chin":
            for a0, a1 in art:
                sd_t[int(a0 * fs_hz) : int(a1 * fs_hz)] = 200.0
        x = rng.standard_normal(n) * sd_t
        if role == "chin" and ecg_in_chin:
            x += _qrs_train(r_peaks, n, fs_hz, amp_uv=30.0)
        if role == "chin" and chin == "flat":
            x = np.zeros(n)
        if role == "chin" and chin == "envelope_1hz":
            env = np.sqrt(np.add.reduceat(x**2, np.arange(0, n, int(fs_hz))) / fs_hz)
            out[label] = Channel.from_array(env, 1.0, label, role=role)
            continue
        out[label] = Channel.from_array(x, fs_hz, label, role=role)
    if ecg_channel:
        ecg = _qrs_train(r_peaks, n, fs_hz, amp_uv=1000.0) + rng.standard_normal(n) * 10.0
        out["ECG"] = Channel.from_array(ecg, fs_hz, "ECG", role="ecg")
    return out


def _qrs_train(r_peaks_s: np.ndarray, n: int, fs_hz: float, *, amp_uv: float) -> np.ndarray:
    """A biphasic 80-ms QRS-like spike at each R peak."""
    x = np.zeros(n)
    half = max(2, int(0.04 * fs_hz))
    shape = np.concatenate([np.linspace(0, 1, half), np.linspace(1, -0.4, half), np.linspace(-0.4, 0, half)])
    idx = (r_peaks_s * fs_hz).astype(np.int64)[:, None] + np.arange(shape.size)[None, :]
    idx = idx[(idx[:, -1] < n)]
    x[idx] = amp_uv * shape[None, :]
    return x
