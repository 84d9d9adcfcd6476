"""Leg EMG (and ECG) for a table of true leg movements, with artefacts whose truth is known.

:func:`simulate_emg` renders the LM table of :func:`twitchlab.simulate.simulate_night` (or any table with
``onset_s``, ``offset_s``, ``side``) as tibialis EMG in µV: resting noise whose level drifts slowly, DC
wander, bursts with onset/offset ramps and amplitude modulation, and, per :data:`CONDITIONS`, ECG bleed with
heart-rate variability, mains hum, electrode pops, saturation stretches and a disconnected leg. The truth
says where each of these is. :func:`simulate_emg_recording` wraps the signals in a
:class:`~twitchlab.model.Recording` (roles ``leg_left``, ``leg_right``, ``ecg``).

Everything is vectorised over samples (an 8-h, 256-Hz, two-leg night renders in a few seconds) and all
randomness comes from one :class:`numpy.random.Generator`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal as sps

from twitchlab.errors import ParameterError, check_option
from twitchlab.model import Channel, Hypnogram, Recording
from twitchlab.simulate._twitch_signals import white_scale

__all__ = ["CONDITIONS", "EMGCondition", "emg_recording", "simulate_emg", "simulate_emg_recording"]


@dataclass(frozen=True)
class EMGCondition:
    """How hard the simulated EMG is.

    Attributes
    ----------
    rest_uv : float
        RMS of the resting EMG (tibialis at rest: ~1-3 µV).
    rest_drift : float
        Relative range of the slow change of the resting level (0.3: ±30 % over tens of minutes).
    dc_drift_uv : float
        Amplitude of the slow DC wander (removed by the band-pass).
    amp_uv : tuple of float
        Range of burst amplitudes (mean rectified level, log-uniform).
    ecg_uv : float
        Peak QRS amplitude bleeding into each leg (0: none).
    hr_bpm : float
        Mean heart rate.
    mains_uv : float
        Mains hum amplitude (0: none).
    mains_hz : float
        Mains frequency.
    pops_per_h : float
        Electrode pops per hour and leg.
    saturations_per_h : float
        Saturation stretches (2-20 s on the rail) per hour and leg.
    rail_uv : float
        Amplifier rails (± this value).
    disconnect : str or None
        Side (``"L"``/``"R"``) that comes off for the last 30 % of the night.
    with_ecg : bool
        Whether an ECG channel is recorded.
    """

    rest_uv: float = 1.5
    rest_drift: float = 0.3
    dc_drift_uv: float = 20.0
    amp_uv: tuple[float, float] = (15.0, 500.0)
    ecg_uv: float = 0.0
    hr_bpm: float = 65.0
    mains_uv: float = 0.0
    mains_hz: float = 50.0
    pops_per_h: float = 0.0
    saturations_per_h: float = 0.0
    rail_uv: float = 3000.0
    disconnect: str | None = None
    with_ecg: bool = True

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for truth and reports)."""
        return asdict(self)


#: Named conditions, clean to hard.
CONDITIONS: dict[str, EMGCondition] = {
    "clean": EMGCondition(),
    "noisy_rest": EMGCondition(rest_uv=12.0, rest_drift=0.5, amp_uv=(25.0, 500.0)),
    "ecg": EMGCondition(ecg_uv=60.0, hr_bpm=72.0),
    "ecg_no_channel": EMGCondition(ecg_uv=60.0, hr_bpm=72.0, with_ecg=False),
    "mains": EMGCondition(mains_uv=40.0),
    "hard": EMGCondition(rest_uv=3.0, rest_drift=0.4, amp_uv=(12.0, 80.0), ecg_uv=50.0, hr_bpm=80.0, mains_uv=40.0),
    "hard_no_ecg": EMGCondition(
        rest_uv=3.0, rest_drift=0.4, amp_uv=(12.0, 80.0), ecg_uv=50.0, hr_bpm=80.0, mains_uv=40.0, with_ecg=False
    ),
    "artefacts": EMGCondition(pops_per_h=6.0, saturations_per_h=1.0, disconnect="L"),
    # stress test beyond the targets: weak movements, strong fast ECG bleed without ECG channel, strong hum
    "extreme": EMGCondition(
        rest_uv=6.0,
        rest_drift=0.5,
        amp_uv=(10.0, 40.0),
        ecg_uv=120.0,
        hr_bpm=100.0,
        mains_uv=80.0,
        with_ecg=False,
        pops_per_h=6.0,
    ),
}


def _condition(condition: str | EMGCondition | dict[str, Any]) -> EMGCondition:
    if isinstance(condition, EMGCondition):
        return condition
    if isinstance(condition, str):
        return CONDITIONS[check_option("condition", condition, CONDITIONS)]
    if isinstance(condition, dict):
        base = _condition(condition.get("base", "clean"))
        return replace(base, **{k: v for k, v in condition.items() if k != "base"})
    raise ParameterError(f"condition must be a name, an EMGCondition or a dict, got {type(condition).__name__}")


def _slow(rng: np.random.Generator, n: int, fs_hz: float, knot_s: float) -> np.ndarray:
    """Smooth random series (standard normal at knots every ``knot_s``, linearly interpolated)."""
    n_knots = int(np.ceil(n / fs_hz / knot_s)) + 2
    knots = rng.standard_normal(n_knots)
    return np.interp(np.arange(n) / fs_hz, np.arange(n_knots) * knot_s, knots)


def _merge_side(df: pd.DataFrame, min_gap_s: float = 0.05) -> pd.DataFrame:
    """Merge movements of one side that overlap or nearly touch (the EMG cannot show them apart)."""
    df = df.sort_values("onset_s").reset_index(drop=True)
    if df.empty:
        return df
    run_end = df["offset_s"].cummax().shift(fill_value=-np.inf)
    grp = (df["onset_s"] > run_end + min_gap_s).cumsum()
    return df.groupby(grp, as_index=False).agg(onset_s=("onset_s", "min"), offset_s=("offset_s", "max"))


def _burst_envelope(
    lms: pd.DataFrame, amp: np.ndarray, n: int, fs_hz: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Trapezoid envelope per burst (ramps 50-300 ms, tail at 40-100 % of the peak), zero between bursts."""
    on, off = lms["onset_s"].to_numpy(), lms["offset_s"].to_numpy()
    dur = off - on
    ru = np.minimum(rng.uniform(0.05, 0.3, on.size), dur / 3)
    rd = np.minimum(rng.uniform(0.05, 0.3, on.size), dur / 3)
    tail = amp * rng.uniform(0.4, 1.0, on.size)
    kt = np.column_stack([on, on + ru, off - rd, off]).ravel()
    kv = np.column_stack([np.zeros_like(amp), amp, tail, np.zeros_like(amp)]).ravel()
    t = np.arange(n) / fs_hz
    if kt.size == 0:
        return np.zeros(n), t
    return np.interp(t, kt, kv, left=0.0, right=0.0), t


def _beats(rng: np.random.Generator, duration_s: float, hr_bpm: float) -> np.ndarray:
    """Heart-beat times with slow heart-rate drift, respiratory sinus arrhythmia and beat-to-beat jitter."""
    n_max = int(duration_s * max(hr_bpm, 30) / 60 * 1.6) + 10
    k = np.arange(n_max)
    slow = np.interp(k, np.arange(0, n_max + 300, 300), rng.normal(0, 0.06, n_max // 300 + 2))
    rsa = 0.04 * np.sin(2 * np.pi * k / rng.uniform(3.5, 5.0))
    rr = 60.0 / hr_bpm * (1 + slow + rsa + rng.normal(0, 0.015, n_max))
    t = np.cumsum(np.clip(rr, 0.33, 1.8)) + rng.uniform(0, 1)
    return t[t < duration_s - 0.5]


def _qrs(fs_hz: float, width_s: float = 0.012) -> np.ndarray:
    """Biphasic QRS-like wavelet (second derivative of a Gaussian), peak |amplitude| 1."""
    tt = np.arange(-5 * width_s, 5 * width_s, 1 / fs_hz)
    w = (1 - (tt / width_s) ** 2) * np.exp(-0.5 * (tt / width_s) ** 2)
    return w / np.abs(w).max()


def simulate_emg(
    lm_truth: pd.DataFrame,
    duration_s: float,
    *,
    fs_hz: float = 256.0,
    condition: str | EMGCondition | dict[str, Any] = "clean",
    rng: np.random.Generator | int | None = None,
    sides: tuple[str, ...] = ("L", "R"),
) -> tuple[dict[str, np.ndarray], np.ndarray | None, dict[str, Any]]:
    """Render true leg movements as leg EMG with known artefacts.

    Parameters
    ----------
    lm_truth : pandas.DataFrame
        True movements: ``onset_s``, ``offset_s``, ``side`` (``L``/``R``; ``B`` rows go to both legs).
        Movements of one leg that overlap are merged.
    duration_s : float
        Length of the night.
    fs_hz : float
        Sampling rate.
    condition : str, EMGCondition or dict
        A name of :data:`CONDITIONS`, a condition, or a dict of overrides (``{"base": "hard", "ecg_uv": 80}``).
    rng : numpy.random.Generator, int or None
        Randomness.
    sides : tuple of str
        Legs to render.

    Returns
    -------
    legs : dict of str to numpy.ndarray
        µV per side.
    ecg : numpy.ndarray or None
        ECG in µV (``None`` when the condition records none).
    truth : dict
        ``lm`` (rendered movements: ``side``, ``onset_s``, ``offset_s``, ``amp_uv``, ``observable``: false
        inside saturation or a disconnected stretch), ``unscorable`` (``side``, ``onset_s``, ``offset_s``,
        ``reason``: ``clipped`` or ``disconnected``), ``pops`` (``side``, ``time_s``, ``amp_uv``),
        ``r_peaks_s``, ``mains_hz``, ``fs_hz``, ``condition``.

    Examples
    --------
    >>> import pandas as pd
    >>> truth = pd.DataFrame({"onset_s": [10.0], "offset_s": [12.0], "side": ["L"]})
    >>> legs, ecg, info = simulate_emg(truth, 60.0, rng=0)
    >>> sorted(legs), legs["L"].size, len(info["lm"])
    (['L', 'R'], 15360, 1)
    """
    cond = _condition(condition)
    rng = np.random.default_rng(rng)
    if duration_s <= 0 or fs_hz <= 0:
        raise ParameterError(f"duration_s and fs_hz must be > 0, got {duration_s}, {fs_hz}")
    missing = {"onset_s", "offset_s", "side"} - set(lm_truth.columns)
    if missing:
        raise ParameterError(f"lm_truth lacks columns {sorted(missing)}")
    n = round(duration_s * fs_hz)
    beats = _beats(rng, duration_s, cond.hr_bpm) if (cond.ecg_uv > 0 or cond.with_ecg) else np.empty(0)
    qrs = _qrs(fs_hz)
    impulses = np.zeros(n)
    b_idx = np.clip(np.round(beats * fs_hz).astype(np.int64), 0, n - 1)
    impulses[b_idx] = 1 + 0.1 * np.sin(2 * np.pi * beats / 4.2)
    legs: dict[str, np.ndarray] = {}
    lm_rows, unscorable, pops = [], [], []
    phase = rng.uniform(0, 2 * np.pi)
    t_all = np.arange(n) / fs_hz
    for side in sides:
        sel = lm_truth[(lm_truth["side"] == side) | (lm_truth["side"] == "B")]
        sel = sel[(sel["onset_s"] >= 0) & (sel["offset_s"] <= duration_s)]
        lms = _merge_side(sel[["onset_s", "offset_s"]])
        bad: list[tuple[float, float, str]] = []
        if cond.disconnect == side:
            bad.append((0.7 * duration_s, duration_s, "disconnected"))
        n_sat = rng.poisson(cond.saturations_per_h * duration_s / 3600)
        for s0 in rng.uniform(0, max(duration_s - 25, 0.0), n_sat):
            bad.append((float(s0), float(s0 + rng.uniform(2, 20)), "clipped"))
        if cond.disconnect == side:
            lms = lms[lms["offset_s"] < 0.7 * duration_s]
        amp = np.exp(rng.uniform(np.log(cond.amp_uv[0]), np.log(cond.amp_uv[1]), len(lms)))
        env, _ = _burst_envelope(lms, amp, n, fs_hz, rng)
        mod = np.clip(1 + 0.25 * _slow(rng, n, fs_hz, 0.2), 0.4, None)
        rest = cond.rest_uv * np.exp(cond.rest_drift * np.clip(_slow(rng, n, fs_hz, 600.0), -2, 2) / 2)
        x = rng.standard_normal(n) * ((rest + env * mod / 0.8) * white_scale(fs_hz))  # same in-band EMG at any rate
        x += cond.dc_drift_uv * _slow(rng, n, fs_hz, 8.0)
        if cond.ecg_uv > 0:
            x += sps.oaconvolve(impulses, qrs * cond.ecg_uv * rng.choice([-1, 1]), mode="same")
        if cond.mains_uv > 0:
            hum = cond.mains_uv * (1 + 0.2 * np.clip(_slow(rng, n, fs_hz, 300.0), -2, 2))
            x += hum * np.sin(2 * np.pi * cond.mains_hz * t_all + phase)
        n_pops = rng.poisson(cond.pops_per_h * duration_s / 3600)
        for p0 in rng.uniform(min(1.0, duration_s / 2), max(duration_s - 5, duration_s / 2), n_pops):
            tau, a = rng.uniform(0.1, 1.0), rng.choice([-1, 1]) * rng.uniform(200, 1500)
            i0, i1 = int(p0 * fs_hz), min(n, int((p0 + 6 * tau) * fs_hz))
            x[i0:i1] += a * np.exp(-(np.arange(i1 - i0) / fs_hz) / tau)
            pops.append({"side": side, "time_s": float(p0), "amp_uv": float(a)})
        for b0, b1, reason in bad:
            i0, i1 = int(b0 * fs_hz), int(b1 * fs_hz)
            if reason == "disconnected":
                k = np.arange(i1 - i0) / fs_hz
                x[i0:i1] = (
                    rng.uniform(150, 300) * np.sin(2 * np.pi * cond.mains_hz * (k + b0) + phase)
                    + 400 * _slow(rng, i1 - i0, fs_hz, 5.0)
                    + 0.3 * rng.standard_normal(i1 - i0)
                )
            else:
                x[i0:i1] = cond.rail_uv * rng.choice([-1, 1])
            unscorable.append({"side": side, "onset_s": b0, "offset_s": b1, "reason": reason})
        if bad and any(r == "clipped" for *_, r in bad):
            np.clip(x, -cond.rail_uv, cond.rail_uv, out=x)
        legs[side] = x
        obs = np.ones(len(lms), dtype=bool)
        for b0, b1, _ in bad:
            obs &= ~((lms["onset_s"].to_numpy() < b1 + 1.0) & (lms["offset_s"].to_numpy() > b0 - 1.0))
        lm_rows.append(
            pd.DataFrame(
                {
                    "side": side,
                    "onset_s": lms["onset_s"].to_numpy(),
                    "offset_s": lms["offset_s"].to_numpy(),
                    "amp_uv": amp,
                    "observable": obs,
                }
            )
        )
    ecg = None
    if cond.with_ecg:
        qrs_ecg = 1000 * _qrs(fs_hz, 0.01)
        c = qrs_ecg.size // 2
        kernel = np.zeros(c + int(0.5 * fs_hz))
        kernel[: qrs_ecg.size] += qrs_ecg
        kt = (np.arange(kernel.size) - c) / fs_hz
        kernel += 250 * np.exp(-0.5 * ((kt - 0.25) / 0.04) ** 2)
        ecg = sps.oaconvolve(impulses, kernel, mode="full")[c : c + n]
        ecg = ecg + 10 * rng.standard_normal(n) + 100 * _slow(rng, n, fs_hz, 4.0)
    lm = pd.concat(lm_rows, ignore_index=True).sort_values(["onset_s", "side"], ignore_index=True)
    truth = {
        "lm": lm,
        "unscorable": pd.DataFrame(unscorable, columns=["side", "onset_s", "offset_s", "reason"]),
        "pops": pd.DataFrame(pops, columns=["side", "time_s", "amp_uv"]),
        "r_peaks_s": beats,
        "mains_hz": cond.mains_hz if cond.mains_uv > 0 or cond.disconnect else None,
        "fs_hz": fs_hz,
        "condition": cond.as_dict(),
    }
    return legs, ecg, truth


def emg_recording(
    legs: dict[str, np.ndarray],
    fs_hz: float,
    *,
    ecg: np.ndarray | None = None,
    ecg_fs_hz: float | None = None,
    hypnogram: Hypnogram | None = None,
    source: str = "simulated",
) -> Recording:
    """Wrap leg (and ECG) arrays in a :class:`~twitchlab.model.Recording`.

    Parameters
    ----------
    legs : dict of str to numpy.ndarray
        µV per side: ``L`` and/or ``R``, or ``B`` for one both-legs channel.
    fs_hz : float
        Rate of the leg channels.
    ecg : numpy.ndarray, optional
        ECG in µV.
    ecg_fs_hz : float, optional
        Its rate (default ``fs_hz``).
    hypnogram : Hypnogram, optional
        Stages to attach.
    source : str
        Name for messages.

    Returns
    -------
    Recording
        Channels ``Leg L``/``Leg R``/``Legs`` (roles ``leg_left``/``leg_right``/``leg_both``) and ``ECG``.
    """
    names = {"L": ("Leg L", "leg_left"), "R": ("Leg R", "leg_right"), "B": ("Legs", "leg_both")}
    channels: dict[str, Channel] = {}
    for side, x in legs.items():
        label, role = names[check_option("side", side, names)]
        channels[label] = Channel.from_array(x, fs_hz, label, role=role)
    if ecg is not None:
        channels["ECG"] = Channel.from_array(ecg, ecg_fs_hz or fs_hz, "ECG", role="ecg")
    duration = max(c.duration_s for c in channels.values())
    return Recording(channels=channels, duration_s=duration, hypnogram=hypnogram, source=source)


def simulate_emg_recording(
    lm_truth: pd.DataFrame,
    duration_s: float,
    *,
    fs_hz: float = 256.0,
    condition: str | EMGCondition | dict[str, Any] = "clean",
    rng: np.random.Generator | int | None = None,
    hypnogram: Hypnogram | None = None,
) -> tuple[Recording, dict[str, Any]]:
    """:func:`simulate_emg` followed by :func:`emg_recording`; returns ``(recording, truth)``."""
    legs, ecg, truth = simulate_emg(lm_truth, duration_s, fs_hz=fs_hz, condition=condition, rng=rng)
    rec = emg_recording(legs, fs_hz, ecg=ecg, hypnogram=hypnogram, source=f"simulated ({condition})")
    return rec, truth
