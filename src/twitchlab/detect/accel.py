"""Movements from acceleration: band-passed magnitude above a per-night noise floor.

Raw acceleration is processed in chunks by :class:`AccelFeatureStream` (causal filters whose state carries
over chunk boundaries, so chunking does not change the result) into small per-block features: a 10-Hz
movement envelope, 5-s arm/leg angles and per-5-s axis statistics for sleep/wake and non-wear. A week
at 100 Hz (60 M samples per axis) thus needs memory for the features only. :func:`detect_movements` then
finds movements on the envelope with hysteresis, a minimum duration and a merge gap, and returns the LM
table that :func:`twitchlab.score` takes (``source = "accelerometer"``).

The rules mirror the computerised EMG rules of WASM 2016 (onset above a resting baseline, offset after
0.5 s of quiet, minimum 0.5 s, movements < 0.5 s apart merged). Counts from accelerometry approximate
EMG-scored leg movements; they are not a clinical PLMS index.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal

from twitchlab.errors import InsufficientDataError, ParameterError, check_option

__all__ = [
    "LOCATION_DEFAULTS",
    "AccelFeatureStream",
    "AccelFeatures",
    "MovementParams",
    "detect_count_movements",
    "detect_movements",
    "movement_params",
]

logger = logging.getLogger(__name__)

ENV_HZ = 10.0  # envelope rate
BLOCK_S = 5.0  # angle / statistics block


@dataclass(frozen=True)
class MovementParams:
    """Parameters of :func:`detect_movements` (all reported with the result).

    Attributes
    ----------
    lo_hz, hi_hz : float
        Band-pass of each axis before the magnitude (removes gravity and slow posture drift).
    smooth_s : float
        Moving-average length of the 10-Hz envelope.
    floor_percentile : float
        Percentile of the envelope over the night taken as its noise floor.
    onset_ratio : float
        Onset when the envelope exceeds ``floor * onset_ratio`` ...
    min_amp_g : float
        ... and also ``floor + min_amp_g`` (a device-independent lower bound).
    offset_fraction : float
        Offset level between floor (0) and onset level (1).
    quiet_s : float
        The envelope must stay below the offset level this long to end a movement (WASM: 0.5 s).
    min_duration_s : float
        Shorter movements are dropped (WASM: 0.5 s).
    merge_gap_s : float
        Movements closer than this are merged (WASM: < 0.5 s on one leg is one movement).
    """

    lo_hz: float = 0.5
    hi_hz: float = 12.0
    smooth_s: float = 0.2
    floor_percentile: float = 20.0
    onset_ratio: float = 3.0
    min_amp_g: float = 0.02
    offset_fraction: float = 0.5
    quiet_s: float = 0.5
    min_duration_s: float = 0.5
    merge_gap_s: float = 0.5


#: Per-location defaults. Durations follow WASM 2016 (Ferri et al.); amplitude bounds were set on simulated
#: nights (benchmarks/accel_accuracy.py) against sensor noise of about 4 mg (Axivity AX3 / GENEActiv
#: datasheets: 3.9 mg resolution at ±8 g) for worn devices and about 1.5 mg for a phone on a mattress, where
#: leg movements arrive damped through the mattress.
LOCATION_DEFAULTS: dict[str, MovementParams] = {
    "ankle": MovementParams(min_amp_g=0.02, onset_ratio=3.0),
    "wrist": MovementParams(min_amp_g=0.012, onset_ratio=2.5),
    "mattress": MovementParams(min_amp_g=0.004, onset_ratio=2.5),
}


def movement_params(location: str, **overrides: float) -> MovementParams:
    """Defaults for ``location`` with ``overrides`` applied (unknown names raise ParameterError)."""
    check_option("location", location, LOCATION_DEFAULTS)
    bad = set(overrides) - set(asdict(LOCATION_DEFAULTS[location]))
    if bad:
        raise ParameterError(f"unknown movement parameter(s) {sorted(bad)}; allowed {sorted(asdict(MovementParams()))}")
    return replace(LOCATION_DEFAULTS[location], **overrides)


@dataclass
class AccelFeatures:
    """Compact features of a raw recording (what the analysis keeps instead of the samples).

    Attributes
    ----------
    env_g : ndarray
        Band-passed acceleration magnitude, RMS per block of ``env_block`` samples (about 10 Hz), in g.
    env_fs_hz : float
        Rate of ``env_g``.
    angle_deg : ndarray
        Angle of the device's z axis to the horizontal per 5-s block (from per-block medians), degrees.
    stats_5s : ndarray, shape (n_blocks, 4, 3)
        Per 5-s block and axis: sum, sum of squares, min, max (for non-wear SD/range over longer windows).
    n_5s : ndarray
        Samples per 5-s block (the last may be short).
    temp_5s : ndarray or None
        Mean temperature per 5-s block, °C.
    fs_hz : float
        Raw sampling rate; ``n_samples`` processed.
    """

    env_g: np.ndarray
    env_fs_hz: float
    angle_deg: np.ndarray
    stats_5s: np.ndarray
    n_5s: np.ndarray
    temp_5s: np.ndarray | None
    fs_hz: float
    n_samples: int

    @property
    def duration_s(self) -> float:
        """Seconds processed."""
        return self.n_samples / self.fs_hz


class AccelFeatureStream:
    """Turn raw acceleration chunks into :class:`AccelFeatures` in bounded memory.

    Parameters
    ----------
    fs_hz : float
        Sampling rate (≥ 10 Hz).
    lo_hz, hi_hz : float
        Band-pass of each axis (``hi_hz`` is capped at 0.45 ``fs_hz``).

    Examples
    --------
    >>> import numpy as np
    >>> s = AccelFeatureStream(50.0)
    >>> for _ in range(3):
    ...     s.update(np.tile([0.0, 0.0, 1.0], (3000, 1)))
    >>> round(float(s.result().angle_deg[0]))
    90
    """

    def __init__(self, fs_hz: float, *, lo_hz: float = 0.5, hi_hz: float = 12.0) -> None:
        if not fs_hz >= 10.0:
            raise InsufficientDataError(f"sampling rate {fs_hz} Hz is below 10 Hz; movements cannot be resolved.")
        self.fs_hz = float(fs_hz)
        hi = min(hi_hz, 0.45 * fs_hz)
        self._sos = signal.butter(2, [lo_hz, hi], btype="bandpass", fs=fs_hz, output="sos")
        self._zi: np.ndarray | None = None  # set from the first sample: no start-up transient from gravity
        self.env_block = max(1, round(fs_hz / ENV_HZ))
        self.blk5 = max(1, round(BLOCK_S * fs_hz))
        self._env_carry = np.empty(0)
        self._raw_carry = np.empty((0, 3))
        self._temp_carry = np.empty(0)
        self._env: list[np.ndarray] = []
        self._angle: list[np.ndarray] = []
        self._stats: list[np.ndarray] = []
        self._n5: list[np.ndarray] = []
        self._temp: list[np.ndarray] = []
        self._has_temp: bool | None = None
        self.n_samples = 0

    def update(self, acc_g: np.ndarray, temperature_c: np.ndarray | None = None) -> None:
        """Feed the next chunk: (n, 3) acceleration in g (NaN rows allowed: treated as 0 movement)."""
        acc = np.asarray(acc_g, dtype=np.float64)
        if acc.ndim != 2 or acc.shape[1] != 3:
            raise ParameterError(f"acceleration chunk must have shape (n, 3), got {acc.shape}")
        if self._has_temp is None:
            self._has_temp = temperature_c is not None
        self.n_samples += acc.shape[0]
        clean = np.nan_to_num(acc, nan=0.0)
        if clean.shape[0] == 0:
            return
        if self._zi is None:
            self._zi = signal.sosfilt_zi(self._sos)[:, :, None] * clean[0][None, None, :]
        filt, self._zi = signal.sosfilt(self._sos, clean, axis=0, zi=self._zi)
        mag2 = np.einsum("ij,ij->i", filt, filt)
        e = np.concatenate([self._env_carry, mag2])
        k = e.size // self.env_block
        self._env.append(np.sqrt(e[: k * self.env_block].reshape(k, self.env_block).mean(axis=1)).astype(np.float32))
        self._env_carry = e[k * self.env_block :]
        r = np.concatenate([self._raw_carry, acc])
        m = r.shape[0] // self.blk5
        if self._has_temp:
            tc = np.concatenate([self._temp_carry, np.asarray(temperature_c, dtype=np.float64)])
            self._temp_carry = tc[m * self.blk5 :]
            self._temp.append(tc[: m * self.blk5].reshape(m, self.blk5).mean(axis=1))
        self._blocks(r[: m * self.blk5].reshape(m, self.blk5, 3))
        self._raw_carry = r[m * self.blk5 :]

    def _blocks(self, b: np.ndarray) -> None:
        if b.shape[0] == 0:
            return
        med = np.nanmedian(b, axis=1) if np.isnan(b).any() else np.median(b, axis=1)
        self._angle.append(np.degrees(np.arctan2(med[:, 2], np.hypot(med[:, 0], med[:, 1]))))
        self._stats.append(np.stack([np.nansum(b, 1), np.nansum(b * b, 1), np.nanmin(b, 1), np.nanmax(b, 1)], axis=1))
        self._n5.append(np.full(b.shape[0], b.shape[1]))

    def result(self) -> AccelFeatures:
        """Flush the partial last blocks and return the features."""
        if self._env_carry.size:
            self._env.append(np.sqrt([self._env_carry.mean()]).astype(np.float32))
            self._env_carry = np.empty(0)
        if self._raw_carry.shape[0]:
            tail = self._raw_carry[None]
            self._blocks(tail)
            self._n5[-1] = np.array([tail.shape[1]])
            if self._has_temp:
                self._temp.append(np.array([self._temp_carry.mean()]))
            self._raw_carry = np.empty((0, 3))
        cat = lambda xs, shape: np.concatenate(xs) if xs else np.empty(shape)  # noqa: E731
        return AccelFeatures(
            env_g=cat(self._env, (0,)).astype(np.float64),
            env_fs_hz=self.fs_hz / self.env_block,
            angle_deg=cat(self._angle, (0,)),
            stats_5s=cat(self._stats, (0, 4, 3)),
            n_5s=cat(self._n5, (0,)),
            temp_5s=cat(self._temp, (0,)) if self._has_temp else None,
            fs_hz=self.fs_hz,
            n_samples=self.n_samples,
        )


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) indices of runs of True."""
    d = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def detect_movements(
    features: AccelFeatures,
    *,
    params: MovementParams | None = None,
    location: str = "ankle",
    side: str = "B",
    floor_mask: np.ndarray | None = None,
    times_s: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Find movements in the envelope of :class:`AccelFeatures`.

    Parameters
    ----------
    features : AccelFeatures
        From :class:`AccelFeatureStream`.
    params : MovementParams, optional
        Defaults from :data:`LOCATION_DEFAULTS` for ``location``.
    location : {"ankle", "wrist", "mattress"}
        Selects the defaults.
    side : {"L", "R", "B"}
        Side written on every movement (an ankle device sees one leg; wrist and mattress ``B``).
    floor_mask : bool ndarray, optional
        Envelope samples to estimate the night's noise floor on (e.g. the sleep period, worn time).
    times_s : ndarray, optional
        Time of every envelope sample (devices with block clocks); default ``index / env_fs_hz``.

    Returns
    -------
    lms : DataFrame
        ``onset_s``, ``offset_s``, ``side``, ``peak_amp_g``, ``source`` (``"accelerometer"``).
    info : dict
        ``noise_floor_g``, ``onset_g``, ``offset_g`` and the parameters used.

    References
    ----------
    Ferri R, et al. World Association of Sleep Medicine (WASM) 2016 standards for recording and scoring leg
    movements in polysomnograms. Sleep Med 2016;26:86-95.
    Sforza E, Johannes M, Claudio B. The PAM-RL ambulatory device for detection of periodic leg movements:
    a validation study. Sleep Med 2005 (PLM index vs PSG r = 0.87).
    Yang MS, et al. Valid measures of periodic leg movements during a suggested immobilization test using the
    PAM-RL leg activity monitors require adjusting detection parameters for noise and signal in each
    recording. Sleep Med 2014;15:132-137 (why the noise floor is estimated per night).
    """
    p = params or LOCATION_DEFAULTS[check_option("location", location, LOCATION_DEFAULTS)]
    check_option("side", side, ("L", "R", "B"))
    fs = features.env_fs_hz
    env = features.env_g
    w = max(1, round(p.smooth_s * fs))
    sm = np.convolve(env, np.ones(w) / w, mode="same") if env.size >= w else env.copy()
    pool = sm if floor_mask is None or not np.any(floor_mask) else sm[np.asarray(floor_mask, bool)[: sm.size]]
    floor = float(np.percentile(pool, p.floor_percentile)) if pool.size else 0.0
    on_g = max(floor * p.onset_ratio, floor + p.min_amp_g)
    off_g = floor + p.offset_fraction * (on_g - floor)
    info = {"noise_floor_g": floor, "onset_g": on_g, "offset_g": off_g, "env_fs_hz": fs, **asdict(p)}
    empty = pd.DataFrame({"onset_s": pd.Series(dtype=float), "offset_s": pd.Series(dtype=float),
                          "side": pd.Series(dtype=object), "peak_amp_g": pd.Series(dtype=float),
                          "source": pd.Series(dtype=object)})  # fmt: skip
    if sm.size == 0:
        return empty, info
    # active above the offset level; quiet gaps shorter than quiet_s do not end a movement
    st, sp = _runs(sm > off_g)
    if st.size == 0:
        return empty, info
    gap_ok = (st[1:] - sp[:-1]) < max(1, round(p.quiet_s * fs))
    st, sp = st[np.r_[True, ~gap_ok]], sp[np.r_[~gap_ok, True]]
    # peak of each run: reduceat over [st_i, st_i+1) also spans the quiet gap after the run, which lies
    # below the offset level and cannot change the maximum
    seg_peak = np.maximum.reduceat(sm, st)
    keep = seg_peak >= on_g
    st, sp, seg_peak = st[keep], sp[keep], seg_peak[keep]
    if st.size:
        gap = st[1:] - sp[:-1] < max(1, round(p.merge_gap_s * fs))
        first = np.r_[True, ~gap]
        seg_peak = np.maximum.reduceat(seg_peak, np.flatnonzero(first))
        st, sp = st[first], sp[np.r_[~gap, True]]
    t = times_s if times_s is not None else np.arange(sm.size + 1) / fs
    onset, offset = t[st], t[np.minimum(sp, t.size - 1)]
    ok = (offset - onset) >= p.min_duration_s - 1e-9
    lms = pd.DataFrame(
        {
            "onset_s": onset[ok],
            "offset_s": offset[ok],
            "side": side,
            "peak_amp_g": seg_peak[ok],
            "source": "accelerometer",
        }
    )
    logger.debug("accelerometer movements: %d (floor %.4f g, onset %.4f g)", len(lms), floor, on_g)
    return lms.reset_index(drop=True), info


def detect_count_movements(
    counts: np.ndarray,
    epoch_s: float,
    *,
    threshold: float | None = None,
    side: str = "B",
    merge_gap_s: float = 0.5,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Movements from epoch activity counts: runs of epochs with counts above a threshold.

    Only epochs of ≤ 5 s can place movements precisely enough for 10-90 s interval rules.

    Parameters
    ----------
    counts : ndarray
        Counts per epoch (NaN = missing).
    epoch_s : float
        Epoch length.
    threshold : float, optional
        Count above which an epoch holds movement; default: 3 × the median of non-zero counts, at least 1.
    side : {"L", "R", "B"}
    merge_gap_s : float
        Runs closer than this are merged.

    Returns
    -------
    lms, info : DataFrame, dict
        As :func:`detect_movements` (``peak_amp_g`` holds the run's peak count).

    Raises
    ------
    InsufficientDataError
        Epochs longer than 5 s.
    """
    if epoch_s > 5.0:
        raise InsufficientDataError(
            f"{epoch_s:g}-s count epochs are too coarse to time leg movements (intervals of 10-90 s need ≤ 5-s "
            "epochs); export raw data or 1-s epochs. Sleep/wake can still be estimated."
        )
    c = np.nan_to_num(np.asarray(counts, dtype=np.float64), nan=0.0)
    nz = c[c > 0]
    thr = float(threshold) if threshold is not None else max(1.0, 3.0 * float(np.median(nz)) if nz.size else 1.0)
    st, sp = _runs(c > thr)
    if st.size:
        gap = (st[1:] - sp[:-1]) * epoch_s < merge_gap_s
        st, sp = st[np.r_[True, ~gap]], sp[np.r_[~gap, True]]
    peaks = np.maximum.reduceat(c, st) if st.size else np.empty(0)  # gaps after a run are below threshold
    lms = pd.DataFrame(
        {
            "onset_s": st * epoch_s,
            "offset_s": sp * epoch_s,
            "side": side,
            "peak_amp_g": peaks,
            "source": "accelerometer",
        }
    )
    return lms, {"count_threshold": thr, "epoch_s": epoch_s}
