"""Cardiac artefact in leg EMG: R peaks, heart-rate-periodic spikes, and blanking (SCORING_SPEC §2.7).

The QRS complex leaks into leg EMG through volume conduction. After rectification and smoothing each beat
leaves a narrow blip (~0.1-0.2 s) in the envelope. Blips above the offset threshold delay offsets and can
chain into long false movements. Two defences, both on the envelope:

* with an ECG channel: find R peaks there (:func:`detect_r_peaks`, only in stretches where the ECG looks
  like a heart: none in a noise-only channel), check that the leg envelope really rises at the beats
  (:func:`cardiac_excess_uv`), and subtract the average blip at each beat (:func:`subtract_cardiac`,
  template subtraction scaled per beat) or blank a short window (:func:`blank_envelope`);
* without ECG: find narrow envelope spikes that repeat at a heart-rate interval with little beat-to-beat
  change (:func:`periodic_spike_times`, filling holes of a few beats), and subtract or blank those.
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps
from scipy.ndimage import maximum_filter1d

from twitchlab._arrays import range_indices
from twitchlab.signal.envelope import block_sums

_GATE_BEATS = 64  # beats per stretch that the R-peak quality gate looks at

__all__ = [
    "blank_envelope",
    "cardiac_excess_uv",
    "detect_r_peaks",
    "merge_beat_trains",
    "periodic_spike_times",
    "subtract_cardiac",
]


def detect_r_peaks(
    ecg: np.ndarray,
    fs_hz: float,
    *,
    band_hz: tuple[float, float] = (5.0, 25.0),
    rel_height: float = 0.35,
    block_s: float = 5.0,
    refractory_s: float = 0.3,
    chunk_s: float = 1800.0,
    sub_s: float = 0.05,
    refine_s: float = 0.05,
    min_fs_hz: float = 100.0,
    gate_window_s: float | None = 300.0,
    min_peak_ratio: float = 3.0,
    min_template_r: float = 0.66,
    template_s: float = 0.1,
    rr_range_s: tuple[float, float] = (0.25, 2.5),
    max_rr_change: float = 0.4,
    min_beats: int = 5,
) -> np.ndarray:
    """Find R peaks in an ECG (either polarity) in one causal pass, chunk by chunk, where the ECG holds a heart.

    The ECG is band-passed (QRS energy lies in 5-25 Hz) and rectified. The largest sample of each
    ``sub_s`` sub-block is a candidate; a candidate is a peak when it is the largest within
    ``refractory_s`` on either side and above ``rel_height`` times the 99th percentile of its 5-s
    neighbourhood. The filter runs forward only (its state carries across chunks, so the result does not
    depend on the chunking); each peak is then placed on the largest deflection of the raw ECG near it,
    which undoes the filter's delay. This costs about a third of a zero-phase filter and a full-rate peak
    search.

    A relative threshold always finds local maxima, also in an ECG channel that holds no heart signal
    (electrode off, channel unused, noise). A quality gate therefore keeps the peaks of each stretch of
    ``gate_window_s`` only when, in that stretch, they look like heart beats:

    1. they stand out from the noise: the median ratio of a peak's band-passed height to the noise peak
       level of its 5-s block is at least ``min_peak_ratio``;
    2. they resemble each other: the median correlation of a beat with the average of the stretch's other
       beats is at least ``min_template_r``;
    3. they follow a heart's rhythm: the median RR interval lies in ``rr_range_s``, and the median change
       between an interval and the one 1, 2 or 3 beats earlier (the smallest of the three) is at most
       ``max_rr_change`` times the median RR interval;

    and the stretch holds at least ``min_beats`` peaks. A stretch that fails loses all its peaks, so a night
    whose ECG electrode comes off half-way keeps the beats of its first half. Heights and shapes are judged
    on up to 64 beats spread evenly over the stretch, the rhythm on all of them; the gate keeps the band-passed
    ECG at the search rate in float32 (a quarter of the size of a 256-Hz ECG) and adds about a tenth to the
    time.

    Parameters
    ----------
    ecg : numpy.ndarray
        ECG samples (any unit; NaN treated as 0).
    fs_hz : float
        Sampling rate (>= 50 Hz).
    band_hz : tuple of float
        QRS band.
    rel_height : float
        Detection threshold relative to the local 99th percentile.
    block_s : float
        Neighbourhood for the local percentile.
    refractory_s : float
        Minimum R-R interval (0.3 s = 200 bpm).
    chunk_s : float
        Chunk length (memory stays bounded on long recordings).
    sub_s : float
        Candidate sub-block; shorter than half the refractory time, so no beat is lost.
    refine_s : float
        Each peak found on the filtered ECG is moved to the largest deflection of the raw ECG (from the
        local median) within this distance of where the filter's group delay puts it.
    min_fs_hz : float
        The search runs at the sampling rate divided by the largest whole factor that keeps it at or above
        this (256 Hz: 128 Hz), after a boxcar sum over the factor (anti-aliasing); only the final
        placement of each peak uses the full rate.
    gate_window_s : float or None
        Length of the stretches the quality gate judges one by one. The last stretch takes the remainder,
        so every stretch lasts 0.5-1.5 times this; a recording shorter than 1.5 times this is one stretch.
        Five minutes hold a few hundred beats, enough for stable medians, and follow a lost electrode
        closely enough. ``None`` or 0 turns the gate off.
    min_peak_ratio : float
        Lowest median ratio of a peak's band-passed height to the noise peak level, the median of the
        50-ms sub-block maxima of its 5-s block (most sub-blocks fall between beats). Gaussian noise gives
        1.7-2.0 and heavy-tailed noise (Student t with 2 degrees of freedom) up to 2.8; clean simulated and
        real ECG give 15-30, simulated ECG in white noise of a quarter of the R height still 3.0-3.5. A
        robust form of the kurtosis SQI (ECG is peaky: kurtosis above 5, Gaussian noise 3; Li et al. 2008)
        and of the signal and noise peak levels of Pan and Tompkins (1985).
    min_template_r : float
        Lowest median Pearson correlation between a beat and the average of the stretch's other beats
        (0.66 as in Orphanidou et al. 2015). Each beat is the band-passed ECG within ``template_s`` of its
        centre of QRS energy (the largest lobe of a band-passed QRS can change from beat to beat), z-scored
        so that no beat weighs more than another; leaving the beat out of the average keeps noise from
        matching itself. Beats of one heart give 0.85-1.0 (0.7 in white noise of a quarter of the R height
        or in 50-Hz hum three times the R height); noise gives -0.4 to 0.4, random spikes of either sign up
        to about 0.65. Random spikes of one sign and one shape correlate too: the rhythm test rejects them.
    template_s : float
        Half width of the compared beat: the QRS complex (about 0.1 s) and a little baseline around it.
    rr_range_s : tuple of float
        Plausible range of the median RR interval (0.25-2.5 s: 24-240 bpm). The lower bound matters only
        with a ``refractory_s`` below it; the upper one rejects sparse artefacts on a flat channel.
    max_rr_change : float
        Largest median change between RR intervals, relative to the median RR interval. Sinus rhythm with
        respiratory sinus arrhythmia and ectopic beats gives below 0.1 (a bigeminy or trigeminy repeats
        after 2 or 3 intervals, hence the smallest of three lags); atrial fibrillation stays below about
        0.35 (RR intervals spread evenly over 0.3-1.2 s give 0.35); independent random events such as
        electrode pops give 0.45 and more, Gaussian noise about 0.35 (its peaks fail the other tests).
    min_beats : int
        A stretch with fewer peaks keeps none (the RR change needs 5 beats).

    Returns
    -------
    numpy.ndarray
        R-peak times in seconds from the start of ``ecg``.

    References
    ----------
    Pan J, Tompkins WJ. A real-time QRS detection algorithm. IEEE Trans Biomed Eng 1985;32:230-236
    (band-pass, rectification and an adaptive threshold; simplified here to a local percentile).

    Li Q, Mark RG, Clifford GD. Robust heart rate estimation from multiple asynchronous noisy sources using
    signal quality indices and a Kalman filter. Physiol Meas 2008;29:15-32 (kurtosis SQI).

    Orphanidou C, Bonnici T, Charlton P, Clifton D, Vallance D, Tarassenko L. Signal-quality indices for the
    electrocardiogram and photoplethysmogram: derivation and applications to wireless monitoring. IEEE J
    Biomed Health Inform 2015;19:832-838 (plausible heart rate and RR intervals, correlation of the beats
    with their average template >= 0.66).
    """
    n = len(ecg)
    if n < int(fs_hz):
        return np.empty(0)
    q = max(1, int(fs_hz // min_fs_hz))  # the search runs at fs/q >= min_fs_hz: QRS energy lies below 25 Hz
    fs_d = fs_hz / q
    sos = sps.butter(2, [band_hz[0], min(band_hz[1], 0.45 * fs_d)], btype="bandpass", fs=fs_d, output="sos")
    delay = q * _group_delay_samples(sos, fs_d, float(np.sqrt(band_hz[0] * min(band_hz[1], 0.45 * fs_d))))
    m = max(1, round(sub_s * fs_d))
    n_b = max(m, round(block_s * fs_d / m) * m)  # threshold blocks of whole sub-blocks
    core = max(n_b, round(chunk_s / block_s) * n_b)  # chunks of whole blocks: nothing depends on them
    zi = None
    values, positions, levels = [], [], []
    signed = np.empty(n // q if gate_window_s else 0, dtype=np.float32)  # band-passed ECG for the gate
    for a in range(0, n, core * q):
        x = _box_decimate(np.asarray(ecg[a : a + core * q]), q)
        if x.size == 0:
            break
        if zi is None:
            zi = sps.sosfilt_zi(sos) * x[0]
        y, zi = sps.sosfilt(sos, x, zi=zi)
        if gate_window_s:  # float32 at the search rate: a quarter of the size of a 256-Hz ECG
            signed[a // q : a // q + y.size] = y
        y = np.abs(y, out=y)
        n_sub = y.size // m
        sub = y[: n_sub * m].reshape(n_sub, m)
        arg = sub.argmax(axis=1)
        values.append(sub[np.arange(n_sub), arg])
        positions.append(a // q + np.arange(n_sub) * m + arg)
        n_full = y.size // n_b
        if n_full:  # every second sample is plenty for the 99th percentile of 5 s
            levels.append(np.percentile(y[: n_full * n_b].reshape(n_full, n_b)[:, ::2], 99, axis=1))
        if y.size - n_full * n_b >= m:
            levels.append(np.percentile(y[n_full * n_b :], 99, keepdims=True))
    val, pos = np.concatenate(values), np.concatenate(positions)
    level = np.concatenate(levels) if levels else np.empty(0)
    if val.size == 0 or level.size == 0:
        return np.empty(0)
    centres = np.arange(level.size) * n_b + n_b / 2
    k = max(1, round(refractory_s * fs_d / m))
    is_max = val >= maximum_filter1d(val, size=2 * k + 1, mode="constant", cval=0.0)
    keep = is_max & (val > 0) & (val >= rel_height * np.interp(pos, centres, level))
    if gate_window_s:
        beat = np.flatnonzero(keep)
        ok = _qrs_gate(
            beat,
            val,
            pos,
            signed,
            fs_d,
            sub_per_block=n_b // m,
            window=max(1, round(gate_window_s * fs_d)),
            half=max(1, round(template_s * fs_d)),
            min_peak_ratio=min_peak_ratio,
            min_template_r=min_template_r,
            rr_range_s=rr_range_s,
            max_rr_change=max_rr_change,
            min_beats=min_beats,
        )
        keep[beat[~ok]] = False
    at = pos[keep] * q + (q - 1) / 2  # centre of the decimated sample, in raw samples
    p = _refine_on_raw(ecg, at, delay=delay, half=max(1, round(refine_s * fs_hz)))
    if p.size > 1:  # two candidates on one beat: keep the first (they are the same peak after refining)
        p = p[np.concatenate(([True], np.diff(p) >= refractory_s * fs_hz))]
    return p / fs_hz


def _qrs_gate(
    beat: np.ndarray,
    val: np.ndarray,
    pos: np.ndarray,
    y: np.ndarray,
    fs_hz: float,
    *,
    sub_per_block: int,
    window: int,
    half: int,
    min_peak_ratio: float,
    min_template_r: float,
    rr_range_s: tuple[float, float],
    max_rr_change: float,
    min_beats: int,
    stats: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Whether each candidate beat lies in a stretch that looks like a heart (the gate of :func:`detect_r_peaks`).

    ``beat`` indexes the sub-block maxima ``val`` (rectified band-passed ECG) and their positions ``pos``
    (samples of ``y``, the signed band-passed ECG at ``fs_hz``); ``window`` is the stretch length in samples.
    ``stats``, when given, receives the per-stretch medians (for tuning).
    """
    if beat.size == 0:
        return np.zeros(0, dtype=bool)
    n_win = max(1, round(y.size / window))
    p = pos[beat]
    w = np.minimum(p // window, n_win - 1)  # sorted: each stretch is a run of beats
    # peak heights and beat shapes are judged on up to _GATE_BEATS beats spread evenly over each stretch:
    # enough for a stable median, and the cost stays small
    counts = np.bincount(w, minlength=n_win)
    rank = np.arange(w.size) - (np.cumsum(counts) - counts)[w]
    i = np.flatnonzero(rank % -(-counts // _GATE_BEATS)[w] == 0)
    wi = w[i]
    # 1. height over the noise peak level (the median sub-block maximum of the beat's 5-s block; upper median)
    n_full, mid = val.size // sub_per_block, (sub_per_block + 1) // 4  # every second sub-block is plenty
    noise = np.partition(val[: n_full * sub_per_block].reshape(n_full, sub_per_block)[:, ::2], mid, axis=1)[:, mid]
    if val.size > n_full * sub_per_block:
        noise = np.append(noise, np.median(val[n_full * sub_per_block :]))
    b = beat[i]
    with np.errstate(divide="ignore"):
        ratio = np.minimum(val[b] / noise[b // sub_per_block], 1e6)  # a flat block has no noise: large
    # 2. correlation of the beat with the average of the stretch's other beats: band-passed ECG centred on
    # the QRS energy (its largest lobe can change from beat to beat), each beat z-scored so that none weighs
    # more than another; leaving the beat out of its template keeps noise from matching itself
    at = np.clip(_energy_centre(y, p[i], half=max(1, half // 2)), half, max(half, y.size - 1 - half))
    z = _zscore(y[np.minimum(at[:, None] + np.arange(-half, half + 1)[None, :], y.size - 1)].astype(np.float64))
    first = np.flatnonzero(np.diff(wi, prepend=-1))  # each stretch's picked beats are one run
    others = np.add.reduceat(z, first, axis=0)[np.cumsum(np.diff(wi, prepend=wi[0]) != 0)] - z
    norm = np.sqrt(np.einsum("ij,ij->i", others, others) * z.shape[1])
    r = np.divide(np.einsum("ij,ij->i", z, others), norm, out=np.zeros(i.size), where=norm > 0)
    # 3. RR intervals (all of them: the change needs consecutive beats) that have 3 earlier ones in the
    # stretch, and how much each differs from the one 1, 2 or 3 beats earlier (the smallest of the three
    # medians: a bigeminy or trigeminy repeats after 2 or 3 intervals)
    rr = np.diff(p) / fs_hz  # interval j ends at beat j + 1
    j = np.arange(3, rr.size)
    j = j[w[j - 3] == w[j + 1]]
    col = np.stack([rr[j], *(np.abs(rr[j] - rr[j - lag]) for lag in (1, 2, 3))], axis=1)
    med = _group_median(col, w[j + 1], n_win)
    med_rr, med_change = med[:, 0], med[:, 1:].min(axis=1)
    med_ratio = _group_median(ratio[:, None], wi, n_win)[:, 0]
    med_r = _group_median(r[:, None], wi, n_win)[:, 0]
    ok = (
        (counts >= min_beats)
        & (med_ratio >= min_peak_ratio)
        & (med_r >= min_template_r)
        & (med_rr >= rr_range_s[0])
        & (med_rr <= rr_range_s[1])
        & (med_change <= max_rr_change * med_rr)
    )  # NaN medians (no beats or intervals in a stretch) compare False
    if stats is not None:
        stats.update(ratio=med_ratio, r=med_r, rr_s=med_rr, change=med_change / med_rr, ok=ok)
    return ok[w]


def _energy_centre(y: np.ndarray, at: np.ndarray, *, half: int) -> np.ndarray:
    """Sample nearest to the centre of energy of ``y`` within ``half`` samples of each of ``at``."""
    k = np.arange(-half, half + 1)
    at = np.clip(at, half, max(half, y.size - 1 - half))
    e = np.square(y[np.minimum(at[:, None] + k[None, :], y.size - 1)])
    total = e.sum(axis=1)
    shift = np.divide(e @ k.astype(e.dtype), total, out=np.zeros(at.size, dtype=e.dtype), where=total > 0)
    return at + np.round(shift).astype(np.int64)


def _zscore(x: np.ndarray) -> np.ndarray:
    """Each row minus its mean, over its standard deviation (a flat row becomes 0)."""
    c = x - x.mean(axis=1, keepdims=True)
    sd = np.sqrt(np.einsum("ij,ij->i", c, c) / c.shape[1])[:, None]
    return np.divide(c, sd, out=np.zeros_like(c), where=sd > 0)


def _group_median(x: np.ndarray, group: np.ndarray, n_group: int) -> np.ndarray:
    """Column-wise median of the rows of ``x`` per group (``group`` sorted, values 0..n_group-1); NaN if empty.

    The upper median for an even count. Every group is padded to the largest count with -inf before and +inf
    after it, so that its median lands on one common index: one partition does all groups.
    """
    counts = np.bincount(group, minlength=n_group)
    out = np.full((n_group, x.shape[1]), np.nan)
    if group.size == 0:
        return out
    c_max = int(counts.max())
    k = c_max // 2
    lead = k - counts // 2
    pad = np.empty((n_group * c_max, x.shape[1]))
    pad[:] = np.where(np.arange(c_max)[None, :] < lead[:, None], -np.inf, np.inf).reshape(-1, 1)
    pad[group * c_max + lead[group] + np.arange(group.size) - (np.cumsum(counts) - counts)[group]] = x
    med = np.partition(pad.reshape(n_group, c_max, -1).transpose(0, 2, 1), k, axis=2)[:, :, k]
    out[counts > 0] = med[counts > 0]
    return out


def _box_decimate(x: np.ndarray, q: int) -> np.ndarray:
    """Sum of each ``q`` consecutive samples (a boxcar low-pass, then every ``q``-th); NaN becomes 0."""
    x = np.asarray(x, dtype=np.float64)
    return np.nan_to_num(x) if q == 1 else np.nan_to_num(block_sums(x, q), copy=False)


def _group_delay_samples(sos: np.ndarray, fs_hz: float, f_hz: float) -> float:
    """Group delay (samples) of a forward SOS filter at ``f_hz``."""
    b, a = sps.sos2tf(sos)
    _, gd = sps.group_delay((b, a), w=[f_hz], fs=fs_hz)
    return float(gd[0])


def _refine_on_raw(ecg: np.ndarray, peaks: np.ndarray, *, delay: float, half: int) -> np.ndarray:
    """Move each peak found on the forward-filtered ECG to the largest deflection of the raw ECG nearby.

    The raw window is centred ``delay`` samples earlier (the filter's group delay) and ``half`` samples
    wide on each side; the deflection is measured from the window's median (baseline wander cancels).
    """
    n = len(ecg)
    if peaks.size == 0:
        return peaks
    idx = np.clip(np.round(peaks - delay).astype(np.int64)[:, None] + np.arange(-half, half + 1)[None, :], 0, n - 1)
    win = np.nan_to_num(np.asarray(ecg)[idx].astype(np.float64))
    dev = np.abs(win - np.median(win, axis=1, keepdims=True))
    return np.unique(idx[np.arange(idx.shape[0]), dev.argmax(axis=1)])


def cardiac_excess_uv(
    excess: np.ndarray, env_fs_hz: float, r_times_s: np.ndarray, *, baseline: np.ndarray | None = None
) -> float:
    """How much the envelope rises at the heart beats compared with mid-way between them.

    Parameters
    ----------
    excess : numpy.ndarray
        Envelope minus baseline (µV) at ``env_fs_hz``; the envelope itself when ``baseline`` is given.
    env_fs_hz : float
        Envelope rate.
    r_times_s : numpy.ndarray
        R-peak times.
    baseline : array_like, optional
        Baseline to subtract, only at the samples looked at (an array, or a
        :class:`~twitchlab.signal.baseline.BlockSeries`): no night-long difference is built.

    Returns
    -------
    float
        Median envelope at the beats minus the median mid-way (µV); 0 with fewer than 10 beats.
    """
    if r_times_s.size < 10:
        return 0.0
    at = np.clip(np.round(r_times_s * env_fs_hz).astype(np.int64), 0, excess.size - 1)
    mid_t = (r_times_s[:-1] + r_times_s[1:]) / 2
    mid = np.clip(np.round(mid_t * env_fs_hz).astype(np.int64), 0, excess.size - 1)
    if baseline is None:
        return float(np.median(excess[at]) - np.median(excess[mid]))
    return float(np.median(excess[at] - baseline[at]) - np.median(excess[mid] - baseline[mid]))


def periodic_spike_times(
    excess: np.ndarray,
    env_fs_hz: float,
    *,
    min_prominence_uv: float,
    max_width_s: float = 0.3,
    hr_bpm: tuple[float, float] = (40.0, 180.0),
    tolerance: float = 0.2,
    min_beats: int = 5,
    min_share: float = 0.05,
    fill_gaps_s: float = 4.0,
) -> np.ndarray:
    """Find narrow envelope spikes that repeat at the heart rate (cardiac artefact without an ECG).

    A spike counts as cardiac when it belongs to a run of at least ``min_beats`` spikes whose intervals lie
    within the heart-rate range and change by at most ``tolerance`` from one interval to the next
    (beat-to-beat variability is small; leg movements repeat every 10-90 s, never at 0.3-1.5 s).

    Parameters
    ----------
    excess : numpy.ndarray
        Envelope minus baseline (µV).
    env_fs_hz : float
        Envelope rate.
    min_prominence_uv : float
        Spikes smaller than this do not matter (use the offset threshold).
    max_width_s : float
        Maximum width at half prominence; movements are wider (>= 0.5 s).
    hr_bpm : tuple of float
        Plausible heart-rate range.
    tolerance : float
        Maximum relative change between consecutive intervals.
    min_beats : int
        Minimum run length.
    min_share : float
        Skip the search (return nothing) when there are fewer rises above ``min_prominence_uv`` than this
        share of the beats at the slowest heart rate: no cardiac artefact worth blanking.
    fill_gaps_s : float
        Holes in the beat train up to this long (under a movement, or small beats) are filled with beats
        at the preceding interval (0: off).

    Returns
    -------
    numpy.ndarray
        Times (s) of the spikes judged cardiac.
    """
    min_rr, max_rr = 60.0 / hr_bpm[1], 60.0 / hr_bpm[0]
    high = excess >= min_prominence_uv
    n_rises = int(np.count_nonzero(high[1:] & ~high[:-1]))
    if n_rises < min_share * excess.size / env_fs_hz / max_rr:
        return np.empty(0)  # too few spikes for a heart beat through a meaningful part of the night
    peaks, _ = sps.find_peaks(
        excess,
        height=min_prominence_uv,
        prominence=min_prominence_uv,
        width=(None, max_width_s * env_fs_hz),
        distance=max(1, int(min_rr * env_fs_hz)),
        wlen=int(2 * max_rr * env_fs_hz) | 1,  # prominence within one slowest beat interval on each side
    )
    if peaks.size < min_beats:
        return np.empty(0)
    t = peaks / env_fs_hz
    d = np.diff(t)
    in_range = (d >= min_rr) & (d <= max_rr)
    similar = in_range[1:] & in_range[:-1] & (np.abs(d[1:] - d[:-1]) <= tolerance * d[:-1])
    # a run of k consecutive "similar" interval pairs spans k + 2 peaks
    need = min_beats - 2
    padded = np.concatenate(([False], similar, [False])).astype(np.int8)
    edges = np.diff(padded)
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    keep = (ends - starts) >= need
    mark = np.zeros(peaks.size + 1, dtype=np.int64)
    np.add.at(mark, starts[keep], 1)
    np.add.at(mark, ends[keep] + 2, -1)
    is_cardiac = np.cumsum(mark)[: peaks.size] > 0
    beats = t[is_cardiac]
    if fill_gaps_s > 0 and beats.size >= 3:
        beats = _fill_missing_beats(beats, max_gap_s=fill_gaps_s, max_rr_s=max_rr)
    return beats


def merge_beat_trains(
    trains: list[np.ndarray], *, tol_s: float = 0.2, fill_gaps_s: float = 4.0, max_rr_s: float = 1.5
) -> np.ndarray:
    """Merge beat times found on several channels (the same heart shows on every leg) and fill short holes.

    A beat hidden under a movement on one leg is usually visible on the other. Times closer than
    ``tol_s`` are one beat (their mean is kept); holes of a whole number of intervals up to ``fill_gaps_s``
    are then filled at the local rhythm.

    Parameters
    ----------
    trains : list of numpy.ndarray
        Beat times per channel.
    tol_s : float
        Times closer than this are the same beat.
    fill_gaps_s : float
        Longest hole filled (0: none).
    max_rr_s : float
        Longest plausible beat interval.

    Returns
    -------
    numpy.ndarray
        Sorted beat times.
    """
    t = np.sort(np.concatenate([np.asarray(x, dtype=float) for x in trains])) if trains else np.empty(0)
    if t.size == 0:
        return t
    group = np.concatenate(([0], np.cumsum(np.diff(t) > tol_s)))
    beats = np.bincount(group, weights=t) / np.bincount(group)
    if fill_gaps_s > 0 and beats.size >= 3:
        beats = _fill_missing_beats(beats, max_gap_s=fill_gaps_s, max_rr_s=max_rr_s)
    return beats


def _fill_missing_beats(beats: np.ndarray, *, max_gap_s: float, max_rr_s: float) -> np.ndarray:
    """Insert evenly spaced beats where the train has a hole of a whole number of beat intervals.

    Beats hidden under a movement, or too small to stand out, still leave a blip that can bridge the quiet
    stretch between two movements; the heart keeps its rhythm, so they can be predicted.
    """
    d = np.diff(beats)
    rr = np.concatenate(([d[0]], d[:-1]))  # the interval before each gap
    rr = np.where(rr <= max_rr_s, rr, np.median(d[d <= max_rr_s]) if (d <= max_rr_s).any() else max_rr_s)
    k = np.round(d / rr).astype(np.int64)
    hole = (k >= 2) & (d <= max_gap_s)
    if not hole.any():
        return beats
    n_new = k[hole] - 1
    start = np.repeat(beats[:-1][hole], n_new)
    step = np.repeat(d[hole] / k[hole], n_new)
    j = range_indices(1, n_new + 1)
    return np.sort(np.concatenate((beats, start + j * step)))


def blank_envelope(
    env: np.ndarray, env_fs_hz: float, times_s: np.ndarray, *, half_width_s: float, fill: str = "linear"
) -> np.ndarray:
    """Blank the envelope around given times (cardiac beats).

    ``fill="linear"`` interpolates across each window. ``fill="min"`` uses the lower of the two values
    bordering the window: it removes a blip in quiet EMG, keeps the level inside a movement, and at a
    movement's edge never lengthens the movement. :func:`subtract_cardiac` (template subtraction) is what
    :func:`twitchlab.detect.lm.detect_leg_movements` uses: it leaves movement edges in place.

    Parameters
    ----------
    env : numpy.ndarray
        Envelope (µV).
    env_fs_hz : float
        Envelope rate.
    times_s : numpy.ndarray
        Centres of the windows (R peaks or cardiac spikes).
    half_width_s : float
        Half width of each window.
    fill : {"min", "linear"}
        How a window is filled.

    Returns
    -------
    numpy.ndarray
        A new envelope; ``env`` is not modified.
    """
    out = np.array(env, dtype=np.float64, copy=True)
    if times_s.size == 0 or out.size == 0:
        return out
    h = int(np.ceil(half_width_s * env_fs_hz))
    c = np.round(np.asarray(times_s) * env_fs_hz).astype(np.int64)
    lo = np.clip(c - h, 0, out.size)
    hi = np.clip(c + h + 1, 0, out.size)
    mark = np.zeros(out.size + 1, dtype=np.int64)
    np.add.at(mark, lo, 1)
    np.add.at(mark, hi, -1)
    masked = np.cumsum(mark)[:-1] > 0
    if masked.all():
        return out
    if fill == "linear":
        keep = np.flatnonzero(~masked)
        out[masked] = np.interp(np.flatnonzero(masked), keep, out[keep])
        return out
    edges = np.diff(np.concatenate(([0], masked.view(np.int8), [0])))
    r0, r1 = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    left = np.where(r0 > 0, out[np.maximum(r0 - 1, 0)], np.inf)
    right = np.where(r1 < out.size, out[np.minimum(r1, out.size - 1)], np.inf)
    value = np.minimum(left, right)
    out[masked] = np.repeat(value, r1 - r0)
    return out


def subtract_cardiac(
    env: np.ndarray, env_fs_hz: float, beats_s: np.ndarray, *, half_width_s: float, max_scale: float = 1.5
) -> np.ndarray:
    """Remove the cardiac blip from an envelope by template subtraction, beat by beat.

    The template is the median envelope shape around the beats (above the lower border of each window);
    each beat's copy is scaled by a least-squares fit clipped to ``[0, max_scale]`` (QRS amplitude changes
    with breathing and posture), and the result is floored at zero. Unlike blanking, a beat that falls on
    a movement's onset or offset removes only the cardiac part and leaves the movement's edge in place.

    Parameters
    ----------
    env : numpy.ndarray
        Envelope (µV).
    env_fs_hz : float
        Envelope rate.
    beats_s : numpy.ndarray
        Beat times (R peaks from an ECG, or heart-rate-periodic spikes).
    half_width_s : float
        Half width of the template.
    max_scale : float
        Largest scale of the template at one beat.

    Returns
    -------
    numpy.ndarray
        A new envelope; ``env`` is not modified.

    References
    ----------
    Template subtraction of ECG artefact from surface EMG: see e.g. Drake JDM, Callaghan JP. Elimination of
    electrocardiogram contamination from electromyogram signals: an evaluation of currently used removal
    techniques. J Electromyogr Kinesiol 2006;16:175-187.
    """
    out = np.array(env, dtype=np.float64, copy=True)
    h = int(np.ceil(half_width_s * env_fs_hz))
    c = np.round(np.asarray(beats_s) * env_fs_hz).astype(np.int64)
    c = c[(c - h >= 0) & (c + h < out.size)]
    if c.size < 10:
        return out
    idx = c[:, None] + np.arange(-h, h + 1)[None, :]
    seg = out[idx]
    edge = np.minimum(seg[:, 0], seg[:, -1])[:, None]
    template = np.clip(np.median(seg - edge, axis=0), 0.0, None)
    template[[0, -1]] = 0.0
    norm = float(template @ template)
    if norm == 0.0:
        return out
    scale = np.clip(((seg - edge) @ template) / norm, 0.0, max_scale)
    np.subtract.at(out, idx.ravel(), (scale[:, None] * template[None, :]).ravel())
    return np.maximum(out, 0.0)
