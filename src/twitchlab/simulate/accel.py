"""Accelerometer nights (ankle, wrist, phone on the mattress) with known movements and sleep/wake.

Built on :func:`twitchlab.simulate.simulate_night` (hypnogram and true leg movements): each leg movement
becomes a short band-limited acceleration burst, seen fully by a device on that ankle, attenuated and
only sometimes at the wrist (body jerk), and attenuated at the mattress. Body movements that are not leg
movements (posture shifts in sleep, restlessness in wake, arm movements at the wrist) are added as
confounders, because real devices see them too. Signals are rendered chunk by chunk from the event
tables, so a week at 100 Hz can be streamed in bounded memory (:meth:`AccelNight.chunks`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError, check_option
from twitchlab.model import Hypnogram, Recording
from twitchlab.simulate.night import simulate_night

__all__ = ["LOCATION_MODEL", "AccelNight", "simulate_accel_night", "simulate_accel_week"]

logger = logging.getLogger(__name__)

#: How each location sees movements: sensor noise (g per axis), gain on leg-movement bursts (and the
#: probability a leg movement shows at all), plus confounder rates per hour.
LOCATION_MODEL: dict[str, dict[str, float]] = {
    "ankle": {"noise_g": 0.004, "lm_gain": 1.0, "lm_p": 1.0, "other_leg_gain": 0.0, "posture_per_h": 2.5,
              "arm_per_h": 0.0},
    "wrist": {"noise_g": 0.004, "lm_gain": 0.25, "lm_p": 0.6, "other_leg_gain": 0.25, "posture_per_h": 2.5,
              "arm_per_h": 3.0},
    "mattress": {"noise_g": 0.0015, "lm_gain": 0.08, "lm_p": 1.0, "other_leg_gain": 0.08, "posture_per_h": 2.5,
                 "arm_per_h": 0.0},
}  # fmt: skip
_MOVE_COLUMNS = ("onset_s", "offset_s", "amp_g", "freq_hz", "kind", "posture", "truth")


@dataclass
class AccelNight:
    """A simulated accelerometer recording and its ground truth.

    Attributes
    ----------
    fs_hz : float
        Sampling rate.
    duration_s : float
        Length.
    location : str
        ``ankle`` (worn on the right leg), ``wrist`` or ``mattress``.
    hypnogram : Hypnogram
        True 30-s stages (wake outside the nights).
    movements : DataFrame
        Every rendered burst: ``onset_s``, ``offset_s``, ``amp_g``, ``freq_hz``, ``kind`` (``lm``, ``posture``,
        ``wake``, ``arm``, ``day``), ``posture`` (bool, changes orientation), ``truth`` (bool: a leg movement
        the device should count at this location).
    lm_truth : DataFrame
        Leg movements to count: ``onset_s``, ``offset_s``, ``side`` (one row per movement as the device sees it).
    nonwear : list of (start_s, end_s)
        Stretches where the device lay still off the body (flat signal, room temperature).
    seed : int
    params : dict
    psg_lms : DataFrame, optional
        Every leg movement of both legs as a PSG would score it (``onset_s``, ``offset_s``, ``side`` L/R).
    """

    fs_hz: float
    duration_s: float
    location: str
    hypnogram: Hypnogram
    movements: pd.DataFrame
    lm_truth: pd.DataFrame
    nonwear: list[tuple[float, float]] = field(default_factory=list)
    seed: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    psg_lms: pd.DataFrame | None = None

    @property
    def n_samples(self) -> int:
        """Samples per axis."""
        return round(self.duration_s * self.fs_hz)

    @property
    def sleep_s(self) -> float:
        """True total sleep time in seconds."""
        return float((self.hypnogram.stages > 0).sum() * self.hypnogram.epoch_s)

    def render(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Samples ``start:stop``: acceleration (n, 3) in g and temperature (n,) in °C."""
        return _render(self, start, stop)

    def chunks(self, chunk_s: float = 3600.0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield consecutive ``(acc_g, temperature_c)`` chunks covering the whole recording."""
        step = max(1, round(chunk_s * self.fs_hz))
        for i in range(0, self.n_samples, step):
            yield self.render(i, min(self.n_samples, i + step))

    def to_cwa(self, path: str | os.PathLike[str], *, start: datetime = datetime(2024, 3, 1, 22, 0),
               device_id: int = 4242) -> Path:  # fmt: skip
        """Write the night as an Axivity AX3 ``.cwa`` file (packed 10-bit, ±8 g), streamed hour by hour.

        Needs a rate of 3200 / 2^k Hz (12.5, 25, 50, 100, 200...). Returns the path.
        """
        from twitchlab._util import atomic_write

        code = 15 - round(np.log2(3200.0 / self.fs_hz))
        if not (0 <= code <= 15 and 3200.0 / (1 << (15 - code)) == self.fs_hz):
            raise ParameterError(f"fs_hz={self.fs_hz} is not a CWA rate (3200 / 2^k Hz: 12.5, 25, 50, 100...)")
        rate = code | (1 << 6)  # range bits 01: +-8 g
        step = 120 * max(1, round(3600 * self.fs_hz / 120))
        t0 = (start - datetime(1970, 1, 1)).total_seconds()
        with atomic_write(path, "wb") as fh:
            fh.write(_cwa_header(device_id, rate))
            for i in range(0, self.n_samples, step):
                acc, temp = self.render(i, min(self.n_samples, i + step))
                fh.write(_cwa_blocks(acc, temp, i, self.fs_hz, t0, rate).tobytes())
        return Path(path)

    def to_recording(self) -> Recording:
        """Render everything into an in-memory :class:`~twitchlab.model.Recording` (location and device set)."""
        from twitchlab.io.accel._common import accel_recording

        acc, temp = self.render(0, self.n_samples)
        return accel_recording(
            acc, self.fs_hz, path=None, device="simulated", location=self.location, start=None,
            extra={"temperature_c": (temp, "degC")}, kind="simulated",
        )  # fmt: skip


def _bursts(rng: np.random.Generator, onsets: np.ndarray, dur: np.ndarray, amp: np.ndarray, kind: str,
            posture: bool, truth: bool) -> pd.DataFrame:  # fmt: skip
    return pd.DataFrame(
        {
            "onset_s": onsets,
            "offset_s": onsets + dur,
            "amp_g": amp,
            "freq_hz": rng.uniform(1.5, 6.0, onsets.size),
            "kind": kind,
            "posture": posture,
            "truth": truth,
        }
    )


def _poisson_times(rng: np.random.Generator, mask_ep: np.ndarray, rate_per_h: float, epoch_s: float) -> np.ndarray:
    idx = np.flatnonzero(mask_ep)
    n = rng.poisson(rate_per_h * idx.size * epoch_s / 3600.0)
    if n == 0 or idx.size == 0:
        return np.empty(0)
    return np.sort(rng.choice(idx, n) * epoch_s + rng.uniform(0, epoch_s, n))


def _night_events(rng: np.random.Generator, *, location: str, profile: str, duration_h: float, t0_s: float,
                  **rates: float) -> tuple[Hypnogram, pd.DataFrame, pd.DataFrame, pd.DataFrame]:  # fmt: skip
    night = simulate_night(rng, profile=profile, duration_h=duration_h, **rates)
    m = LOCATION_MODEL[location]
    lms = night.lms
    # one burst per movement as the device sees it: ankle = right leg only; wrist/mattress = any leg
    if location == "ankle":
        seen = lms[lms["side"] == "R"]
        gain = np.full(len(seen), m["lm_gain"])
    else:
        seen = lms.sort_values("peak_amp_uv", ascending=False).drop_duplicates("movement_id")
        gain = np.full(len(seen), m["other_leg_gain"])
    seen = seen.sort_values("onset_s")
    shows = rng.random(len(seen)) < m["lm_p"]
    amp = np.clip(rng.lognormal(np.log(0.15), 0.5, len(seen)), 0.04, 1.5) * gain
    lm_b = _bursts(rng, seen["onset_s"].to_numpy(), (seen["offset_s"] - seen["onset_s"]).to_numpy(), amp, "lm",
                   False, True)[shows]  # fmt: skip
    truth = pd.DataFrame(
        {
            "onset_s": seen["onset_s"].to_numpy() + t0_s,
            "offset_s": seen["offset_s"].to_numpy() + t0_s,
            "side": "R" if location == "ankle" else "B",
        }
    )
    st = night.hypnogram.stages
    ep = night.hypnogram.epoch_s
    sleep_ep, wake_ep = st > 0, st == 0
    pos_on = _poisson_times(rng, sleep_ep, m["posture_per_h"], ep)
    pos = _bursts(rng, pos_on, rng.uniform(3.0, 12.0, pos_on.size), rng.uniform(0.2, 0.6, pos_on.size) *
                  max(m["lm_gain"], 0.3), "posture", True, False)  # fmt: skip
    wk_on = _poisson_times(rng, wake_ep, 40.0, ep)
    wk = _bursts(rng, wk_on, rng.uniform(2.0, 30.0, wk_on.size), rng.uniform(0.1, 0.5, wk_on.size), "wake",
                 True, False)  # fmt: skip
    arm_on = _poisson_times(rng, sleep_ep, m["arm_per_h"], ep)
    arm = _bursts(rng, arm_on, rng.uniform(0.5, 3.0, arm_on.size), rng.uniform(0.03, 0.2, arm_on.size), "arm",
                  False, False)  # fmt: skip
    mv = pd.concat([f for f in (lm_b, pos, wk, arm) if len(f)], ignore_index=True)
    mv[["onset_s", "offset_s"]] += t0_s
    psg = lms[["onset_s", "offset_s", "side"]].copy()
    psg[["onset_s", "offset_s"]] += t0_s
    return night.hypnogram, mv, truth, psg.sort_values("onset_s").reset_index(drop=True)


def simulate_accel_night(
    seed: int = 0,
    *,
    location: str = "ankle",
    profile: str = "plms",
    duration_h: float = 8.0,
    fs_hz: float = 50.0,
    nonwear_h: float = 0.0,
    **rates: float,
) -> AccelNight:
    """Simulate one accelerometer night with known leg movements and sleep/wake.

    Parameters
    ----------
    seed : int
        Seed of every random draw (same seed, same night).
    location : {"ankle", "wrist", "mattress"}
        Where the device is. The ankle device is on the right leg and sees that leg only.
    profile : {"plms", "healthy", "apnea"}
        Night profile of :func:`~twitchlab.simulate.simulate_night`.
    duration_h : float
        Length in hours.
    fs_hz : float
        Sampling rate (10-200 Hz).
    nonwear_h : float
        Hours of non-wear (device lying flat at room temperature) prepended to the night.
    **rates : float
        Overrides of the night profile's rates.

    Returns
    -------
    AccelNight

    Examples
    --------
    >>> night = simulate_accel_night(1, location="ankle", duration_h=1.0, fs_hz=25)
    >>> night.to_recording().location
    'ankle'
    """
    check_option("location", location, tuple(LOCATION_MODEL))
    if not 10.0 <= fs_hz <= 200.0:
        raise ParameterError(f"fs_hz={fs_hz} outside 10-200 Hz; wearables record at 25-100 Hz.")
    rng = np.random.default_rng(seed)
    t0 = float(np.round(nonwear_h * 3600 / 30.0) * 30.0)
    hyp, mv, truth, psg = _night_events(
        rng, location=location, profile=profile, duration_h=duration_h, t0_s=t0, **rates
    )
    stages = np.r_[np.zeros(int(t0 // 30), dtype=np.int8), hyp.stages]
    return AccelNight(
        fs_hz=float(fs_hz), duration_s=t0 + hyp.n_epochs * hyp.epoch_s, location=location,
        hypnogram=Hypnogram(stages, epoch_s=30.0, source="simulated"), movements=mv.sort_values("onset_s"),
        lm_truth=truth.reset_index(drop=True), nonwear=[(0.0, t0)] if t0 > 0 else [], seed=int(seed),
        params={"profile": profile, "duration_h": duration_h, "nonwear_h": nonwear_h, **LOCATION_MODEL[location]},
        psg_lms=psg,
    )  # fmt: skip


def simulate_accel_week(
    seed: int = 0, *, days: int = 7, location: str = "wrist", fs_hz: float = 100.0, profile: str = "plms"
) -> AccelNight:
    """Simulate ``days`` days: 16 h of daytime activity then an 8-h night, repeated (for streaming benchmarks).

    Returns
    -------
    AccelNight
        Render it with :meth:`AccelNight.chunks`; ``to_recording`` would hold it all in memory.
    """
    check_option("location", location, tuple(LOCATION_MODEL))
    rng = np.random.default_rng(seed)
    day_s = 16 * 3600.0
    stages, moves, truths = [], [], []
    for d in range(days):
        t_day = d * 24 * 3600.0
        on = np.sort(rng.uniform(0, day_s - 600, int(rng.poisson(60 * 16))))
        moves.append(_bursts(rng, t_day + on, rng.uniform(5, 120, on.size), rng.uniform(0.2, 0.8, on.size), "day",
                             True, False))  # fmt: skip
        stages.append(np.zeros(int(day_s // 30), dtype=np.int8))
        hyp, mv, tr, _ = _night_events(rng, location=location, profile=profile, duration_h=8.0, t0_s=t_day + day_s)
        stages.append(hyp.stages)
        moves.append(mv)
        truths.append(tr)
    st = np.concatenate(stages)
    return AccelNight(
        fs_hz=float(fs_hz), duration_s=st.size * 30.0, location=location,
        hypnogram=Hypnogram(st, epoch_s=30.0, source="simulated"),
        movements=pd.concat(moves, ignore_index=True).sort_values("onset_s", kind="stable").reset_index(drop=True),
        lm_truth=pd.concat(truths, ignore_index=True), seed=int(seed),
        params={"profile": profile, "days": days, **LOCATION_MODEL[location]},
    )  # fmt: skip


def _cwa_header(device_id: int, rate: int) -> bytes:
    h = bytearray(1024)
    h[0:2], h[2:4], h[4] = b"MD", (1020).to_bytes(2, "little"), 0x00
    h[5:7], h[7:11], h[36] = (device_id & 0xFFFF).to_bytes(2, "little"), (1).to_bytes(4, "little"), rate
    return bytes(h)


def _cwa_blocks(acc: np.ndarray, temp: np.ndarray, first: int, fs: float, t0_posix: float, rate: int) -> np.ndarray:
    """Pack samples ``first ...`` into 512-byte AX3 blocks of 120 (cwa.h layout, valid checksums)."""
    from twitchlab.io.accel._cwa_blocks import BLOCK

    nb = int(np.ceil(acc.shape[0] / 120))
    pad = nb * 120 - acc.shape[0]
    v = np.round(np.vstack([acc, np.repeat(acc[-1:], pad, 0)]) * 256).astype(np.int64).reshape(nb, 120, 3)
    big = np.abs(v).max(axis=2)
    e = np.select([big <= 511, big <= 1023, big <= 2047], [0, 1, 2], 3)
    q = np.clip(v >> e[..., None], -512, 511) & 0x3FF
    words = (q[..., 0] | (q[..., 1] << 10) | (q[..., 2] << 20) | (e << 30)).astype(np.uint32)
    b = np.zeros(nb, dtype=BLOCK)
    b["magic"], b["length"], b["sequence"] = 0x5841, 508, first // 120 + np.arange(nb)
    t_first = t0_posix + (first + 120 * np.arange(nb)) / fs
    whole = np.ceil(t_first)
    b["ts_offset"] = np.round((whole - t_first) * fs).astype(np.int16)
    d = whole.astype("datetime64[s]")
    y, mo = d.astype("datetime64[Y]").astype(int) + 1970, d.astype("datetime64[M]").astype(int) % 12 + 1
    day = (d.astype("datetime64[D]") - d.astype("datetime64[M]")).astype(int) + 1
    sec = (d - d.astype("datetime64[D]")).astype(int)
    b["timestamp"] = (
        ((y - 2000) << 26) | (mo << 22) | (day << 17) | ((sec // 3600) << 12) | ((sec // 60 % 60) << 6) | (sec % 60)
    )
    b["temperature"] = np.round((temp[::120][:nb] + 50.0) * 256 / 75).astype(np.uint16)
    b["rate"], b["axes_bps"], b["count"] = rate, 0x30, 120
    b["data"] = np.frombuffer(words.tobytes(), dtype="V480")
    w = b.view("<u2").reshape(nb, 256)
    b["checksum"] = (-(w[:, :255].sum(axis=1, dtype=np.uint64)) & 0xFFFF).astype(np.uint16)
    return b


def _orientation(seed: int, k: np.ndarray) -> np.ndarray:
    """Gravity direction (unit vectors, (n, 3)) of posture segment ``k``: deterministic per segment."""
    if k.size == 0:
        return np.empty((0, 3))
    uniq, inverse = np.unique(k, return_inverse=True)
    u = np.stack([np.random.default_rng([seed, int(i)]).normal(size=3) for i in uniq])
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return u[inverse]


_NOISE_BLOCK = 1 << 16


def _block_noise(seed: int, start: int, stop: int, k: int) -> np.ndarray:
    """Standard normal noise for samples ``start:stop``, identical whatever the chunking (fixed seeded blocks)."""
    b0, b1 = start // _NOISE_BLOCK, (max(stop, start + 1) - 1) // _NOISE_BLOCK
    blocks = [
        np.random.default_rng([seed, 99, b]).standard_normal((_NOISE_BLOCK, k), dtype=np.float32)
        for b in range(b0, b1 + 1)
    ]
    out = np.concatenate(blocks) if blocks else np.empty((0, k))
    return out[start - b0 * _NOISE_BLOCK : stop - b0 * _NOISE_BLOCK]


def _render(night: AccelNight, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    fs, n = night.fs_hz, stop - start
    t = (start + np.arange(n)) / fs
    rng = np.random.default_rng([night.seed, start])  # only for the non-wear stretches below
    mv = night.movements
    post_on = np.sort(mv.loc[mv["posture"].to_numpy(bool), "offset_s"].to_numpy())
    seg = np.searchsorted(post_on, t, side="right")
    acc = _orientation(night.seed, seg) if n else np.empty((0, 3))
    noise = night.params.get("noise_g", 0.004)
    acc = acc + noise * _block_noise(night.seed, start, stop, 3)
    temp = 32.0 + 0.05 * _block_noise(night.seed + 1, start, stop, 1)[:, 0]
    on = mv["onset_s"].to_numpy()
    off = mv["offset_s"].to_numpy()
    freq, amp = mv["freq_hz"].to_numpy(), mv["amp_g"].to_numpy()
    hit = np.flatnonzero((off > t[0]) & (on < t[-1] + 1 / fs)) if n else np.empty(0, int)
    for i in hit:
        i0 = max(0, int(np.ceil(on[i] * fs)) - start)
        i1 = min(n, int(np.floor(off[i] * fs)) + 1 - start)
        if i1 <= i0:
            continue
        tt = t[i0:i1] - on[i]
        d = off[i] - on[i]
        env = np.sin(np.pi * np.clip(tt / d, 0, 1)) ** 0.5
        f = freq[i]
        brng = np.random.default_rng([night.seed, 7, i])
        direction = brng.normal(size=3)
        direction /= np.linalg.norm(direction)
        phase = brng.uniform(0, 2 * np.pi, 2)
        osc = np.sin(2 * np.pi * f * tt + phase[0]) + 0.5 * np.sin(2 * np.pi * 2.3 * f * tt + phase[1])
        acc[i0:i1] += (amp[i] * env * osc)[:, None] * direction[None, :]
    for a, b in night.nonwear:
        m = (t >= a) & (t < b)
        if m.any():
            acc[m] = np.array([0.0, 0.0, 1.0]) + rng.normal(0.0, 0.002, (int(m.sum()), 3))
            temp[m] = 21.0 + rng.normal(0, 0.05, int(m.sum()))
    return acc, temp
