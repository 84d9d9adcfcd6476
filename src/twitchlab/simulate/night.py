"""Phantom nights: a hypnogram with sleep cycles and ground-truth events, no signals.

:func:`simulate_night` draws a plausible night for one of three profiles and
returns the *true* leg movements (one row per leg), respiratory events and
arousals. ``twitchlab.simulate.emg`` turns the LM table into leg EMG; the scoring
tests use the tables directly. Everything is drawn from one seeded
:class:`numpy.random.Generator`, so a seed always gives the same night.

Shapes taken from the literature (not fitted to any data set):

- sleep cycles of about 90 min, N3 mostly in the first two cycles and REM
  growing across the night (AASM manual; Carskadon & Dement, Principles and
  Practice of Sleep Medicine);
- PLM trains mostly in N1/N2, fewer in N3, rare in REM, with a log-normal IMI
  peaking near 20-30 s in RLS/PLMD patients; healthy sleepers show mostly
  isolated LMs and short IMIs (< 10 s) with few trains (Ferri et al., Sleep
  2006; Ferri et al., Sleep Med 2016);
- respiratory-related LMs around the end of apneas and hypopneas, usually with
  an arousal (WASM 2016 association window -2.0 / +10.25 s).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError, check_option
from twitchlab.model import EPOCH_S, Hypnogram, Recording, make_events

__all__ = ["PROFILES", "SimulatedNight", "simulate_night"]

logger = logging.getLogger(__name__)

Profile = Literal["plms", "healthy", "apnea"]

#: Per-profile rates. ``trains_per_h``: PLM trains per hour of NREM sleep; ``train_len``: mean number of LMs
#: per train; ``imi_median_s`` / ``imi_sigma``: log-normal IMI inside trains; ``isolated_per_h``: random LMs per
#: hour in bed; ``ahi``: respiratory events per hour of sleep; ``resp_lm_p``: probability an apnea/hypopnea
#: ends with an LM; ``cluster_per_h``: bursts of 2-4 LMs with short IMIs (1.5-8 s), the first peak of the IMI
#: histogram in patients and healthy sleepers alike; ``resp_cluster_len``: mean events per run of consecutive
#: apneas (cyclic breathing, each event followed by 10-25 s of recovery breathing); ``bilateral_p``: probability
#: that a movement involves both legs.
PROFILES: dict[str, dict[str, float]] = {
    "plms": {
        "trains_per_h": 2.2,
        "train_len": 22.0,
        "imi_median_s": 24.0,
        "imi_sigma": 0.28,
        "isolated_per_h": 8.0,
        "wake_trains_per_h": 3.0,
        "ahi": 2.0,
        "resp_cluster_len": 1.0,
        "resp_lm_p": 0.4,
        "bilateral_p": 0.25,
        "arousal_lm_p": 0.25,
        "spont_arousal_per_h": 8.0,
        "long_lm_per_h": 0.3,
        "cluster_per_h": 5.0,
    },
    "healthy": {
        "trains_per_h": 0.05,
        "train_len": 6.0,
        "imi_median_s": 30.0,
        "imi_sigma": 0.45,
        "isolated_per_h": 4.0,
        "wake_trains_per_h": 0.1,
        "ahi": 1.0,
        "resp_cluster_len": 1.0,
        "resp_lm_p": 0.3,
        "bilateral_p": 0.15,
        "arousal_lm_p": 0.2,
        "spont_arousal_per_h": 10.0,
        "long_lm_per_h": 0.1,
        "cluster_per_h": 3.0,
    },
    "apnea": {
        "trains_per_h": 0.3,
        "train_len": 10.0,
        "imi_median_s": 26.0,
        "imi_sigma": 0.35,
        "isolated_per_h": 5.0,
        "wake_trains_per_h": 0.3,
        "ahi": 30.0,
        "resp_cluster_len": 8.0,
        "resp_lm_p": 0.6,
        "bilateral_p": 0.35,
        "arousal_lm_p": 0.2,
        "spont_arousal_per_h": 6.0,
        "long_lm_per_h": 0.2,
        "cluster_per_h": 2.0,
    },
}

LM_COLUMNS = ("onset_s", "offset_s", "side", "peak_amp_uv", "kind", "train_id", "movement_id")


@dataclass
class SimulatedNight:
    """A phantom night and its ground truth.

    Attributes
    ----------
    seed : int
        Seed of the generator.
    profile : str
        ``plms``, ``healthy`` or ``apnea``.
    duration_s : float
        Recording length.
    lights_off_s, lights_on_s : float
        Analysis window.
    hypnogram : Hypnogram
        30-s stages with cycles.
    lms : DataFrame
        True leg movements, one row per leg: ``onset_s``, ``offset_s``, ``side`` (``L``/``R``),
        ``peak_amp_uv``, ``kind`` (``train``, ``isolated``, ``respiratory``, ``wake_train``, ``long``,
        ``cluster``),
        ``train_id`` (Int64, null outside trains), ``movement_id`` (rows of one bilateral movement share it).
    resp_events : DataFrame
        ``type`` (``apnea_obstructive``, ``apnea_central``, ``hypopnea``), ``onset_s``, ``offset_s``.
    arousals : DataFrame
        ``onset_s``, ``offset_s``, ``cause`` (``lm``, ``respiratory``, ``spontaneous``).
    params : dict
        Profile rates and arguments used.
    """

    seed: int
    profile: str
    duration_s: float
    lights_off_s: float
    lights_on_s: float
    hypnogram: Hypnogram
    lms: pd.DataFrame
    resp_events: pd.DataFrame
    arousals: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def events(self) -> pd.DataFrame:
        """All truth as one canonical events table (``lm_left``/``lm_right``, respiratory, arousal, lights)."""
        lm = pd.DataFrame(
            {
                "type": np.where(self.lms["side"].to_numpy() == "L", "lm_left", "lm_right"),
                "onset_s": self.lms["onset_s"],
                "offset_s": self.lms["offset_s"],
                "side": self.lms["side"],
                "peak_amp_uv": self.lms["peak_amp_uv"],
                "source": "simulated",
            }
        )
        resp = self.resp_events.assign(source="simulated")[["type", "onset_s", "offset_s", "source"]]
        aro = self.arousals.assign(type="arousal", source="simulated")[["type", "onset_s", "offset_s", "source"]]
        marks = pd.DataFrame(
            {
                "type": ["lights_off", "lights_on"],
                "onset_s": [self.lights_off_s, self.lights_on_s],
                "offset_s": [self.lights_off_s, self.lights_on_s],
                "source": "simulated",
            }
        )
        frames = [f for f in (lm, resp, aro, marks) if len(f)]
        out = make_events(pd.concat(frames, ignore_index=True))
        out["label_original"] = out["type"]
        return out

    def to_recording(self) -> Recording:
        """Return an in-memory :class:`~twitchlab.model.Recording`: truth as annotations, no channels."""
        return Recording(
            channels={},
            duration_s=self.duration_s,
            events=self.events,
            hypnogram=self.hypnogram,
            source=f"simulated-{self.profile}-seed{self.seed}",
        )

    def __repr__(self) -> str:
        return (
            f"<SimulatedNight {self.profile} seed={self.seed}: {self.duration_s / 3600:.1f} h, "
            f"{len(self.lms)} leg LMs, {len(self.resp_events)} resp events, {len(self.arousals)} arousals>"
        )


# ---------------------------------------------------------------------------------------------- hypnogram


def _simulate_hypnogram(rng: np.random.Generator, n_epochs: int, lights_off_ep: int, lights_on_ep: int) -> np.ndarray:
    """Stage codes per 30-s epoch: wake outside bed time, ~90-min cycles inside.

    Each cycle is a sequence of (stage, minutes) blocks: N1 brief, N2, N3 (shrinking over cycles),
    N2, REM (growing over cycles); brief awakenings are sprinkled in afterwards.
    """
    stages = np.zeros(n_epochs, dtype=np.int8)
    # 5-20 min sleep latency, at most a third of the time in bed (short nights still hold some sleep)
    latency_ep = lights_off_ep + min(int(rng.integers(10, 41)), max((lights_on_ep - lights_off_ep) // 3, 1))
    blocks: list[tuple[int, float]] = []
    cycle = 0
    total_ep = 0
    avail = max(lights_on_ep - latency_ep, 0)
    while total_ep < avail:
        n3_min = max(0.0, 35.0 - 14.0 * cycle + rng.normal(0, 5))
        rem_min = min(40.0, 8.0 + 8.0 * cycle + rng.normal(0, 4))
        cyc = [
            (1, max(1.0, rng.normal(4, 2))),
            (2, max(5.0, rng.normal(25, 6))),
            (3, n3_min),
            (2, max(5.0, rng.normal(15, 5))),
            (4, max(0.0, rem_min)),
        ]
        for code, minutes in cyc:
            n = round(minutes * 60 / EPOCH_S)
            if n > 0:
                blocks.append((code, n))
                total_ep += n
        cycle += 1
    codes = np.repeat([b[0] for b in blocks], [b[1] for b in blocks]).astype(np.int8)[:avail]
    stages[latency_ep : latency_ep + codes.size] = codes
    # brief awakenings (1-6 epochs), more in the second half of the night
    n_wake = rng.poisson(2.0 + 0.6 * avail * EPOCH_S / 3600)
    if n_wake and codes.size:
        pos = latency_ep + np.sort(rng.integers(0, codes.size, n_wake))
        pos = pos[rng.random(n_wake) < 0.3 + 0.7 * (pos - latency_ep) / max(codes.size, 1)]
        lens = rng.integers(1, 7, pos.size)
        idx = (pos[:, None] + np.arange(6)[None, :])[np.arange(6)[None, :] < lens[:, None]]
        stages[idx[idx < lights_on_ep]] = 0
        # wake is often followed by N1
        after = idx[(idx + 1 < lights_on_ep)] + 1
        stages[after[stages[after] != 0]] = 1
    stages[:lights_off_ep] = 0
    stages[lights_on_ep:] = 0
    return stages


# --------------------------------------------------------------------------------------------------- LMs


def _sample_times(rng: np.random.Generator, mask: np.ndarray, n: int) -> np.ndarray:
    """Uniform random times (s) inside the epochs where ``mask`` is true."""
    ep = np.flatnonzero(mask)
    if n <= 0 or ep.size == 0:
        return np.empty(0)
    return np.sort((rng.choice(ep, n) + rng.random(n)) * EPOCH_S)


def _lm_durations(rng: np.random.Generator, n: int, median_s: float = 1.8) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(median_s), 0.45, n), 0.55, 9.0)


def _trains(
    rng: np.random.Generator, starts_s: np.ndarray, mean_len: float, imi_median_s: float, imi_sigma: float
) -> tuple[np.ndarray, np.ndarray]:
    """Onsets and train ids of PLM trains starting at ``starts_s``."""
    if starts_s.size == 0:
        return np.empty(0), np.empty(0, dtype=np.int64)
    lens = np.maximum(rng.poisson(mean_len, starts_s.size), 4)
    tid = np.repeat(np.arange(starts_s.size), lens)
    imi = rng.lognormal(np.log(imi_median_s), imi_sigma, tid.size)
    first = np.r_[0, np.cumsum(lens)[:-1]]
    imi[first] = 0.0
    csum = np.cumsum(imi)
    onsets = starts_s[tid] + csum - csum[first][tid]
    return onsets, tid


def _resp_events(
    rng: np.random.Generator, hyp: Hypnogram, mask: np.ndarray, n_expected: float, cluster_len: float
) -> tuple[np.ndarray, np.ndarray]:
    """Apneas/hypopneas in runs: each event 10-60 s, then 10-25 s of recovery breathing; only in sleep."""
    n_clusters = rng.poisson(n_expected / max(cluster_len, 1.0))
    starts = _sample_times(rng, mask, n_clusters)
    if starts.size == 0:
        return np.empty(0), np.empty(0)
    lens = np.maximum(rng.poisson(max(cluster_len - 1.0, 0.0), starts.size) + 1, 1)
    cid = np.repeat(np.arange(starts.size), lens)
    dur = np.clip(rng.lognormal(np.log(20.0), 0.3, cid.size), 10.0, 60.0)
    step = dur + rng.uniform(10.0, 25.0, cid.size)
    first = np.r_[0, np.cumsum(lens)[:-1]]
    csum = np.cumsum(step)
    onsets = starts[cid] + csum - step - (csum[first] - step[first])[cid]
    order = np.argsort(onsets, kind="stable")
    onsets, dur = onsets[order], dur[order]
    keep = (hyp.stage_at(onsets) > 0) & (hyp.stage_at(onsets + dur) >= 0)
    onsets, dur = onsets[keep], dur[keep]
    if onsets.size:  # clusters may collide: keep events that start after the previous one ended + 8 s
        ok = np.r_[True, onsets[1:] > np.maximum.accumulate(onsets + dur)[:-1] + 8.0]
        onsets, dur = onsets[ok], dur[ok]
    return onsets, dur


def simulate_night(
    seed: int | np.random.Generator = 0,
    *,
    profile: Profile = "plms",
    duration_h: float = 8.0,
    lights_off_s: float | None = None,
    lights_on_s: float | None = None,
    **rates: float,
) -> SimulatedNight:
    """Draw a phantom night with known leg movements, respiratory events and arousals.

    Parameters
    ----------
    seed : int or numpy.random.Generator
        Seed (or generator) of all randomness; the same seed gives the same night.
    profile : {"plms", "healthy", "apnea"}
        ``plms``: RLS/PLMD-like trains (PLMS index typically 30-60/h); ``healthy``: mostly isolated LMs
        (PLMS index < 5/h); ``apnea``: many apneas/hypopneas ending with LMs and arousals.
    duration_h : float
        Recording length in hours (0.25-16).
    lights_off_s, lights_on_s : float, optional
        Analysis window; default 5-15 min after the start and 5-15 min before the end.
    **rates : float
        Override entries of :data:`PROFILES` (e.g. ``ahi=0``, ``trains_per_h=4``).

    Returns
    -------
    SimulatedNight
        Hypnogram and ground-truth tables.

    Raises
    ------
    ParameterError
        Unknown profile or rate name, or a duration outside 0.25-16 h.

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    Ferri R, et al. New approaches to the study of periodic leg movements during sleep in restless legs
    syndrome. Sleep 2006;29:759-769.

    Examples
    --------
    >>> night = simulate_night(1, profile="plms", duration_h=8)
    >>> sorted(set(night.lms["side"]))
    ['L', 'R']
    """
    check_option("profile", profile, PROFILES)
    if not 0.25 <= duration_h <= 16:
        raise ParameterError(f"duration_h={duration_h} is outside 0.25-16 h; simulate a night of usual length.")
    unknown = set(rates) - set(PROFILES[profile])
    if unknown:
        raise ParameterError(f"unknown rate(s) {sorted(unknown)}; allowed: {sorted(PROFILES[profile])}")
    p = {**PROFILES[profile], **{k: float(v) for k, v in rates.items()}}
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    seed_int = -1 if isinstance(seed, np.random.Generator) else int(seed)

    duration_s = float(np.floor(duration_h * 3600 / EPOCH_S) * EPOCH_S)
    n_ep = int(duration_s / EPOCH_S)
    # default margins: 5-15 min, at most a sixth of the night each on short nights (0.25 h: up to 2.5 min)
    margin_max = max(n_ep // 6, 0) * EPOCH_S
    off = float(lights_off_s) if lights_off_s is not None else min(float(rng.integers(10, 31) * EPOCH_S), margin_max)
    on = (
        float(lights_on_s)
        if lights_on_s is not None
        else duration_s - min(float(rng.integers(10, 31) * EPOCH_S), margin_max)
    )
    if not 0 <= off < on <= duration_s:
        raise ParameterError(f"need 0 <= lights_off_s < lights_on_s <= {duration_s}; got {off}, {on}")
    stages = _simulate_hypnogram(rng, n_ep, int(off // EPOCH_S), int(np.ceil(on / EPOCH_S)))
    hyp = Hypnogram(stages, epoch_s=EPOCH_S, start_s=0.0, source="simulated")
    in_bed = (np.arange(n_ep) * EPOCH_S >= off) & ((np.arange(n_ep) + 1) * EPOCH_S <= on)
    sleep_h = float(((stages > 0) & in_bed).sum() * EPOCH_S / 3600)
    nrem = np.isin(stages, (1, 2)) & in_bed | ((stages == 3) & in_bed & (rng.random(n_ep) < 0.4))
    wake_bed = (stages == 0) & in_bed

    # PLM trains (sleep), wake trains (PLMW), isolated and long LMs
    starts = _sample_times(rng, nrem, rng.poisson(p["trains_per_h"] * sleep_h))
    on_t, tid_t = _trains(rng, starts, p["train_len"], p["imi_median_s"], p["imi_sigma"])
    wstarts = _sample_times(rng, wake_bed, rng.poisson(p["wake_trains_per_h"] * wake_bed.sum() * EPOCH_S / 3600))
    on_w, tid_w = _trains(rng, wstarts, 5.0, p["imi_median_s"] * 0.8, p["imi_sigma"])
    tid_w = tid_w + (tid_t.max() + 1 if tid_t.size else 0)
    on_i = _sample_times(rng, in_bed, rng.poisson(p["isolated_per_h"] * in_bed.sum() * EPOCH_S / 3600))
    on_l = _sample_times(rng, in_bed, rng.poisson(p["long_lm_per_h"] * in_bed.sum() * EPOCH_S / 3600))
    c_starts = _sample_times(rng, in_bed, rng.poisson(p["cluster_per_h"] * in_bed.sum() * EPOCH_S / 3600))
    c_len = rng.integers(2, 5, c_starts.size)
    c_first = np.r_[0, np.cumsum(c_len)[:-1]]
    c_gap = rng.uniform(1.5, 8.0, int(c_len.sum()))
    if c_starts.size == 0:  # no cluster drawn (short nights): no first rows to zero
        c_first = np.empty(0, dtype=np.int64)
    c_gap[c_first] = 0.0
    c_sum = np.cumsum(c_gap)
    on_c = np.repeat(c_starts, c_len) + c_sum - np.repeat(c_sum[c_first], c_len)

    # respiratory events in sleep (mostly NREM), each possibly ending with an LM and an arousal
    resp_on, resp_dur = _resp_events(rng, hyp, (stages > 0) & in_bed, p["ahi"] * sleep_h, p["resp_cluster_len"])
    resp_off = resp_on + resp_dur
    rtype = rng.choice(["apnea_obstructive", "hypopnea", "apnea_central"], resp_on.size, p=[0.5, 0.42, 0.08])
    with_lm = rng.random(resp_on.size) < p["resp_lm_p"]
    on_r = resp_off[with_lm] + rng.normal(0.5, 1.2, int(with_lm.sum()))

    onsets = np.r_[on_t, on_w, on_i, on_r, on_l, on_c]
    kind = np.repeat(
        ["train", "wake_train", "isolated", "respiratory", "long", "cluster"],
        [on_t.size, on_w.size, on_i.size, on_r.size, on_l.size, on_c.size],
    )
    train_id = np.r_[tid_t, tid_w, np.full(on_i.size + on_r.size + on_l.size + on_c.size, -1)].astype(np.int64)
    dur = _lm_durations(rng, onsets.size)
    dur[kind == "long"] = rng.uniform(10.5, 25.0, int((kind == "long").sum()))
    # PLMs are rare in REM: drop most train LMs that fall in REM epochs
    st = hyp.stage_at(onsets)
    drop = (kind == "train") & (st == 4) & (rng.random(onsets.size) < 0.8)
    ok = ~drop & (onsets >= 0) & (onsets + dur < duration_s)
    onsets, kind, train_id, dur = onsets[ok], kind[ok], train_id[ok], dur[ok]

    n = onsets.size
    side1 = np.where(rng.random(n) < 0.5, "L", "R")
    bilat = rng.random(n) < p["bilateral_p"]
    amp = np.clip(rng.lognormal(np.log(40.0), 0.5, n), 12.0, 400.0)
    mov = np.arange(n)
    nb = int(bilat.sum())
    shift = rng.normal(0.0, 0.25, nb)
    lms = pd.DataFrame(
        {
            "onset_s": np.r_[onsets, onsets[bilat] + shift],
            "offset_s": np.r_[
                onsets + dur, onsets[bilat] + shift + np.maximum(dur[bilat] * rng.uniform(0.7, 1.2, nb), 0.55)
            ],
            "side": np.r_[side1, np.where(side1[bilat] == "L", "R", "L")],
            "peak_amp_uv": np.r_[amp, amp[bilat] * rng.uniform(0.5, 1.5, nb)],
            "kind": np.r_[kind, kind[bilat]],
            "train_id": np.r_[train_id, train_id[bilat]],
            "movement_id": np.r_[mov, mov[bilat]],
        }
    )
    lms = _drop_same_leg_overlaps(lms)
    lms["train_id"] = pd.array(np.where(lms["train_id"] < 0, None, lms["train_id"]).tolist(), dtype="Int64")

    # arousals: after some LMs (start within 0-0.4 s of the LM onset), after most LM-less resp events, spontaneous
    first_rows = lms.drop_duplicates("movement_id")
    in_sleep = hyp.stage_at(first_rows["onset_s"].to_numpy()) > 0
    lm_ar = first_rows[in_sleep & (rng.random(len(first_rows)) < p["arousal_lm_p"])]["onset_s"].to_numpy()
    lm_ar = lm_ar + rng.uniform(0.0, 0.4, lm_ar.size)
    r_ar = resp_off[rng.random(resp_off.size) < 0.7]
    r_ar = r_ar + rng.uniform(-1.0, 2.0, r_ar.size)
    s_ar = _sample_times(rng, (stages > 0) & in_bed, rng.poisson(p["spont_arousal_per_h"] * sleep_h))
    a_on = np.r_[lm_ar, r_ar, s_ar]
    a_cause = np.repeat(["lm", "respiratory", "spontaneous"], [lm_ar.size, r_ar.size, s_ar.size])
    order = np.argsort(a_on, kind="stable")
    a_on, a_cause = a_on[order], a_cause[order]
    a_dur = np.clip(rng.lognormal(np.log(6.0), 0.4, a_on.size), 3.0, 15.0)
    keep = np.r_[True, np.diff(a_on) > a_dur[:-1] + 10.0][: a_on.size]  # AASM: arousals at least 10 s apart
    arousals = pd.DataFrame({"onset_s": a_on[keep], "offset_s": a_on[keep] + a_dur[keep], "cause": a_cause[keep]})
    resp = pd.DataFrame({"type": rtype, "onset_s": resp_on, "offset_s": resp_off})
    params = {"profile": profile, "duration_h": duration_h, "seed": seed_int, **p}
    logger.debug("simulated %s night seed %s: %d LM rows", profile, seed_int, len(lms))
    return SimulatedNight(
        seed=seed_int,
        profile=profile,
        duration_s=duration_s,
        lights_off_s=off,
        lights_on_s=on,
        hypnogram=hyp,
        lms=lms.reset_index(drop=True),
        resp_events=resp.reset_index(drop=True),
        arousals=arousals.reset_index(drop=True),
        params=params,
    )


def _drop_same_leg_overlaps(lms: pd.DataFrame, min_gap_s: float = 0.6) -> pd.DataFrame:
    """Remove LMs that start before an earlier LM on the same leg ended (+ ``min_gap_s``).

    A real leg EMG cannot show two overlapping movements on one leg; the detector would merge them.
    Conservative and vectorised: compares with the running maximum offset of all earlier rows.
    """
    lms = lms.sort_values(["side", "onset_s"], kind="stable").reset_index(drop=True)
    same = lms["side"].to_numpy()
    off = lms["offset_s"].to_numpy()
    prev_max = pd.Series(off).groupby(same).transform(lambda s: s.cummax().shift(1)).to_numpy(float)
    keep = ~(lms["onset_s"].to_numpy() < prev_max + min_gap_s)
    # keep both legs of a bilateral movement together: drop the partner too
    dropped = set(lms.loc[~keep, "movement_id"].tolist())
    keep &= ~lms["movement_id"].isin(dropped).to_numpy()
    return lms[keep].sort_values(["onset_s", "side"], kind="stable").reset_index(drop=True)
