"""Band-pass and mains-notch filters for surface EMG (zero-phase, second-order sections).

The leg-movement standards ask for the EMG band: 10-100 Hz band-pass, then rectification (SCORING_SPEC §2.1).
Filters are designed once per sampling rate as SOS arrays and applied forward-backward
(:func:`scipy.signal.sosfiltfilt`), so onsets are not delayed.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy import signal as sps

from twitchlab.errors import InsufficientDataError, ParameterError

__all__ = [
    "MIN_EMG_FS_HZ",
    "NOTCH_Q",
    "ZeroPhaseFilter",
    "bandpass_sos",
    "check_emg_rate",
    "detect_mains_hz",
    "emg_sos",
    "notch_sos",
]

logger = logging.getLogger(__name__)

#: Below this rate the EMG band cannot be analysed (SCORING_SPEC §1: refuse).
MIN_EMG_FS_HZ = 100.0
#: Quality factor of the mains notch: -3 dB width f0/Q = 5 Hz at 50 Hz. A narrower notch (Q = 30) rings for
#: ~0.5 s after a large burst (its 50-Hz content decays with tau = Q / (pi f0)), which delays offsets and
#: merges movements less than a second apart; Q = 10 rings for ~0.2 s and removes < 5 % of EMG power.
NOTCH_Q = 10.0
#: The upper band edge is capped at this fraction of the Nyquist frequency.
NYQUIST_CAP = 0.9


def check_emg_rate(fs_hz: float, *, where: str = "EMG channel") -> None:
    """Refuse sampling rates at which the EMG band cannot be analysed.

    Parameters
    ----------
    fs_hz : float
        Sampling rate of the channel.
    where : str
        Channel description used in the message.

    Raises
    ------
    InsufficientDataError
        When ``fs_hz`` < 100 Hz (the AASM and WASM 2016 standards ask for >= 200 Hz).
    """
    if not np.isfinite(fs_hz) or fs_hz < MIN_EMG_FS_HZ:
        raise InsufficientDataError(
            f"{where}: sampled at {fs_hz:g} Hz; leg-movement detection needs raw EMG at >= {MIN_EMG_FS_HZ:g} Hz "
            "(the standards ask for >= 200 Hz). This channel is probably an envelope or a down-sampled export: "
            "re-export the raw EMG, or score the movements from annotations (twitchlab analyze --lm-source scored)."
        )


def _band_edges(fs_hz: float, lo_hz: float, hi_hz: float) -> tuple[float, float]:
    nyq = fs_hz / 2.0
    hi = min(hi_hz, NYQUIST_CAP * nyq)
    if not (0 < lo_hz < hi):
        raise ParameterError(
            f"band-pass {lo_hz:g}-{hi_hz:g} Hz is empty at fs={fs_hz:g} Hz (upper edge capped at {hi:g} Hz); "
            "use a lower low edge or a higher sampling rate."
        )
    return lo_hz, hi


def bandpass_sos(fs_hz: float, *, lo_hz: float = 10.0, hi_hz: float = 100.0, order: int = 4) -> np.ndarray:
    """Design a Butterworth band-pass as second-order sections.

    Parameters
    ----------
    fs_hz : float
        Sampling rate (>= 100 Hz).
    lo_hz, hi_hz : float
        Band edges; ``hi_hz`` is capped at 0.9 x Nyquist for low rates (e.g. 90 Hz at 200 Hz).
    order : int
        Butterworth order per edge (the band-pass has ``2 * order`` poles).

    Returns
    -------
    numpy.ndarray
        SOS array, shape ``(order, 6)``.

    References
    ----------
    Ferri R et al. World Association of Sleep Medicine (WASM) 2016 standards for recording and scoring leg
    movements in polysomnograms. Sleep Med 2016;26:86-95 (EMG band for leg-movement scoring).
    """
    check_emg_rate(fs_hz)
    lo, hi = _band_edges(fs_hz, lo_hz, hi_hz)
    return sps.butter(order, [lo, hi], btype="bandpass", fs=fs_hz, output="sos")


def notch_sos(fs_hz: float, f0_hz: float, *, quality: float = NOTCH_Q) -> np.ndarray:
    """Design an IIR notch at ``f0_hz`` as one second-order section.

    Parameters
    ----------
    fs_hz : float
        Sampling rate.
    f0_hz : float
        Mains frequency (50 or 60 Hz).
    quality : float
        Quality factor: -3 dB width is ``f0_hz / quality`` (5 Hz at 50 Hz with the default, see
        :data:`NOTCH_Q`).

    Returns
    -------
    numpy.ndarray
        SOS array, shape ``(1, 6)``.
    """
    if not (0 < f0_hz < fs_hz / 2):
        raise ParameterError(f"notch at {f0_hz:g} Hz is not below Nyquist ({fs_hz / 2:g} Hz)")
    b, a = sps.iirnotch(f0_hz, quality, fs=fs_hz)
    return sps.tf2sos(b, a)


def emg_sos(
    fs_hz: float,
    *,
    lo_hz: float = 10.0,
    hi_hz: float = 100.0,
    mains_hz: float | None = None,
    order: int = 4,
) -> np.ndarray:
    """Band-pass followed by an optional mains notch, as one SOS cascade (one filtering pass).

    Parameters
    ----------
    fs_hz : float
        Sampling rate (>= 100 Hz).
    lo_hz, hi_hz : float
        Band edges (upper edge capped below Nyquist).
    mains_hz : float, optional
        Mains frequency to notch; ignored when not inside the pass band.
    order : int
        Butterworth order per edge.

    Returns
    -------
    numpy.ndarray
        SOS array.
    """
    sos = bandpass_sos(fs_hz, lo_hz=lo_hz, hi_hz=hi_hz, order=order)
    if mains_hz is not None and mains_hz < NYQUIST_CAP * fs_hz / 2:
        sos = np.vstack([sos, notch_sos(fs_hz, mains_hz)])
    return sos


def detect_mains_hz(
    x: np.ndarray,
    fs_hz: float,
    *,
    candidates_hz: tuple[float, ...] = (50.0, 60.0),
    n_segments: int = 48,
    segment_s: float = 4.0,
    ratio: float = 4.0,
    min_share: float = 0.1,
) -> float | None:
    """Detect mains hum (50 or 60 Hz) from evenly spaced segments of a raw signal.

    For each segment the Welch power at each candidate frequency is compared with the median power of the
    surrounding 5-15 Hz on both sides; hum is present when that ratio exceeds ``ratio`` in at least
    ``min_share`` of the segments (hum often comes and goes with bed position or a lamp).

    Parameters
    ----------
    x : array_like
        Raw signal (µV); only ``n_segments * segment_s`` seconds are read.
    fs_hz : float
        Sampling rate.
    candidates_hz : tuple of float
        Frequencies to test.
    n_segments, segment_s : int, float
        Sampling of the night.
    ratio : float
        Peak-to-neighbourhood power ratio that counts as hum (4 ≈ 6 dB).
    min_share : float
        Share of segments that must show hum.

    Returns
    -------
    float or None
        The candidate frequency with hum, or ``None``.
    """
    n = len(x)
    seg = round(segment_s * fs_hz)
    usable = [f for f in candidates_hz if f + 3.0 < fs_hz / 2]
    if not usable or n < seg:
        return None
    starts = np.linspace(0, n - seg, num=min(n_segments, max(1, n // seg))).astype(np.int64)
    idx = starts[:, None] + np.arange(seg)[None, :]
    block = np.asarray(x, dtype=float)[idx]
    finite = np.isfinite(block)
    block = block[finite.mean(axis=1) > 0.9]  # segments inside recording gaps say nothing about hum
    if block.shape[0] == 0:
        return None
    finite = np.isfinite(block)
    block = np.where(finite, block, 0.0)
    block -= (block.sum(axis=1) / finite.sum(axis=1))[:, None]
    block[~finite] = 0.0
    freqs, pxx = sps.welch(block, fs=fs_hz, nperseg=min(seg, round(fs_hz)), axis=-1)
    best, best_share = None, 0.0
    for f0 in usable:
        at = np.abs(freqs - f0) <= 0.6
        near = (np.abs(freqs - f0) >= 5.0) & (np.abs(freqs - f0) <= 15.0) & (freqs < fs_hz / 2 * 0.98)
        if not at.any() or not near.any():
            continue
        peak = pxx[:, at].max(axis=1)
        floor = np.median(pxx[:, near], axis=1) + 1e-12
        share = float(np.mean(peak / floor > ratio))
        if share >= min_share and share > best_share:
            best, best_share = f0, share
    if best is not None:
        logger.info("mains hum at %g Hz in %.0f%% of sampled segments", best, 100 * best_share)
    return best


class ZeroPhaseFilter:
    """Forward-backward SOS filtering with the initial conditions computed once.

    Same result as :func:`scipy.signal.sosfiltfilt` (odd extension of ``padlen`` samples at both ends),
    without recomputing the steady-state initial conditions for every chunk of a long night.

    Parameters
    ----------
    sos : numpy.ndarray
        Second-order sections.
    """

    def __init__(self, sos: np.ndarray) -> None:
        self.sos = np.asarray(sos, dtype=np.float64)
        self.zi = sps.sosfilt_zi(self.sos)
        self.padlen = 3 * (2 * len(self.sos) + 1 - min((self.sos[:, 2] == 0).sum(), (self.sos[:, 5] == 0).sum()))

    def __repr__(self) -> str:
        return f"ZeroPhaseFilter({len(self.sos)} sections)"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Filter ``x`` (1-D); signals shorter than the padding come back as zeros."""
        x = np.asarray(x, dtype=np.float64)
        p = self.padlen
        if x.size <= p:
            return np.zeros_like(x)
        # forward over the odd extension, the signal and the end extension, carrying the state (no copy of
        # the whole signal into a padded array); backward from the end, keeping only the signal's part
        head, tail = 2 * x[0] - x[p:0:-1], 2 * x[-1] - x[-2 : -p - 2 : -1]
        _, z = sps.sosfilt(self.sos, head, zi=self.zi * head[0])
        y, z = sps.sosfilt(self.sos, x, zi=z)
        y_tail, _ = sps.sosfilt(self.sos, tail, zi=z)
        _, z = sps.sosfilt(self.sos, y_tail[::-1], zi=self.zi * y_tail[-1])
        out, _ = sps.sosfilt(self.sos, y[::-1], zi=z)
        return out[::-1]
