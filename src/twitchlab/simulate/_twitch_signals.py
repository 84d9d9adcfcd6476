"""Signal rendering and event placement for :mod:`twitchlab.simulate.twitches` (private).

Chin and limb tone per stage, the RSWA plan (tonic epochs, phasic mini-epochs and the percentages they make),
Gaussian EMG whose standard deviation follows tone and bursts, and QRS-shaped cardiac spikes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from twitchlab.model import EPOCH_S, Channel

#: Standard deviation of the resting EMG (µV) per stage code and channel group: tone falls from wake to NREM
#: to REM atonia on the chin (AASM manual, chin EMG criteria for staging); limb muscles stay near the noise floor.
CHIN_TONE_UV = {0: 8.0, 1: 5.0, 2: 4.0, 3: 3.5, 4: 1.5}
LIMB_TONE_UV = {0: 2.0, 1: 1.6, 2: 1.5, 3: 1.5, 4: 1.2}
#: Chin tone (µV SD) of a tonic REM epoch: above the lowest NREM tone, as RSWA tonic activity is defined.
TONIC_CHIN_UV = 7.2
#: The simulators' EMG amplitudes are the standard deviation of white noise at this rate. White noise spreads its
#: power up to the Nyquist frequency, so at another rate it is scaled by sqrt(rate / 256) to keep the same power
#: in the 10-100 Hz band the detectors measure (otherwise a 1000-Hz night has half the in-band EMG).
WHITE_REF_HZ = 256.0


def white_scale(fs_hz: float) -> float:
    """Factor for white-noise EMG at ``fs_hz`` so its 10-100 Hz content matches :data:`WHITE_REF_HZ`."""
    return float(np.sqrt(fs_hz / WHITE_REF_HZ))


_MINI_S = 3.0


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
        x = rng.standard_normal(n) * (sd_t * white_scale(fs_hz))
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
