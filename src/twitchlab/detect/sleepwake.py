"""Non-wear, sleep period and sleep/wake from wearables: an ESTIMATE, never a scored hypnogram.

Raw acceleration: non-wear after van Hees et al. (2013) (at least two axes with SD < 13 mg and range
< 50 mg over 60-min windows; with a temperature sensor also below 26 °C, after Zhou et al. 2015), the
sleep period time window by HDCZA (van Hees et al. 2018) and sleep inside it as sustained inactivity
(no change in arm/leg angle > 5° for ≥ 5 min; van Hees et al. 2015). Counts: Cole-Kripke (1992, ActiLife
scaling) with Webster's rescoring rules, or Sadeh (1994). All work on per-block features (5-s angles,
1-min counts), so they cost nothing next to reading the data.

scikit-digital-health has HDCZA (``skdh.sleep.tso``) and a Cole-Kripke on its own activity index, but both
take the full-rate samples of a whole day at once (rolling medians over every sample), which does not fit
the streamed week; the same published rules are applied here to the streamed 5-s features.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twitchlab._arrays import range_indices
from twitchlab.errors import InsufficientDataError, check_option
from twitchlab.model import Hypnogram

__all__ = [
    "SleepEstimate",
    "cole_kripke",
    "estimate_sleep_counts",
    "estimate_sleep_raw",
    "nonwear_counts",
    "nonwear_raw",
    "sadeh",
    "sleep_period_hdcza",
]

logger = logging.getLogger(__name__)

#: Placeholder stage for "asleep" in the estimated hypnogram (accelerometers cannot stage sleep).
SLEEP_CODE = 2


@dataclass
class SleepEstimate:
    """Sleep/wake estimated from movement.

    Attributes
    ----------
    sleep : ndarray of bool
        Asleep per 30-s epoch from the recording start.
    spt_start_s, spt_end_s : float or None
        Sleep period time window (``None`` when none was found).
    nonwear : list of (start_s, end_s)
        Non-wear stretches.
    method : str
        E.g. ``"HDCZA + sustained inactivity (van Hees 2015/2018)"``.
    params : dict
        Thresholds used.
    """

    sleep: np.ndarray
    spt_start_s: float | None
    spt_end_s: float | None
    nonwear: list[tuple[float, float]] = field(default_factory=list)
    method: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def tst_min(self) -> float:
        """Estimated total sleep time in minutes."""
        return float(self.sleep.sum() * 0.5)

    def to_hypnogram(self) -> Hypnogram:
        """30-s hypnogram: W = 0, asleep = 2 (a placeholder: no stages), labelled as an estimate."""
        codes = np.where(self.sleep, SLEEP_CODE, 0).astype(np.int8)
        return Hypnogram(codes, epoch_s=30.0, start_s=0.0, source=f"accelerometer estimate: {self.method}")


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = np.diff(np.r_[0, np.asarray(mask, bool).astype(np.int8), 0])
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def _fill_short(mask: np.ndarray, value: bool, max_len: int) -> np.ndarray:
    """Set interior runs of ``value`` no longer than ``max_len`` to ``not value``."""
    out = np.asarray(mask, bool).copy()
    st, sp = _runs(out == value)
    inner = (st > 0) & (sp < out.size) & ((sp - st) <= max_len)
    idx = range_indices(st[inner], sp[inner])
    out[idx] = not value
    return out


def _rolling_median(x: np.ndarray, w: int) -> np.ndarray:
    from scipy.ndimage import median_filter

    return median_filter(x, size=w, mode="nearest") if x.size else x


def nonwear_raw(
    stats_5s: np.ndarray,
    n_5s: np.ndarray,
    temp_5s: np.ndarray | None = None,
    *,
    window_min: int = 60,
    step_min: int = 15,
    sd_g: float = 0.013,
    range_g: float = 0.050,
    temp_c: float = 26.0,
) -> np.ndarray:
    """Non-wear per 5-s block from per-block axis statistics (van Hees 2013; Zhou 2015 with temperature).

    Returns
    -------
    ndarray of bool
        True where the device was not worn.

    References
    ----------
    van Hees VT, et al. Separating movement and gravity components in an acceleration signal and
    implications for the assessment of human daily physical activity. PLoS One 2013;8:e61691.
    Zhou SM, et al. Classification of accelerometer wear and non-wear events in seven-day monitoring using
    temperature and acceleration. BMJ Open 2015;5:e007447.
    """
    n = n_5s.size
    per_step = int(step_min * 60 / 5)
    per_win = int(window_min * 60 / 5)
    if n < per_win:
        return np.zeros(n, dtype=bool)
    n_steps = int(np.ceil(n / per_step))
    pad = n_steps * per_step - n
    st = np.concatenate([stats_5s, np.repeat(stats_5s[-1:], pad, axis=0)]) if pad else stats_5s
    cnt = np.r_[n_5s, np.repeat(n_5s[-1:], pad)].astype(float)
    s = st.reshape(n_steps, per_step, 4, 3)
    c = cnt.reshape(n_steps, per_step).sum(1)
    k = per_win // per_step
    csum = lambda a: np.cumsum(np.r_[np.zeros((1, *a.shape[1:])), a], axis=0)  # noqa: E731
    S, S2, N = csum(s[:, :, 0].sum(1)), csum(s[:, :, 1].sum(1)), csum(c[:, None])
    mn, mx = s[:, :, 2].min(1), s[:, :, 3].max(1)
    m = n_steps - k + 1
    if m <= 0:
        return np.zeros(n, dtype=bool)
    tot = (N[k:] - N[:-k])[:m]
    mean = (S[k:] - S[:-k])[:m] / tot
    var = np.maximum((S2[k:] - S2[:-k])[:m] / tot - mean**2, 0.0)
    from numpy.lib.stride_tricks import sliding_window_view

    rng_g = sliding_window_view(mx, k, axis=0).max(-1) - sliding_window_view(mn, k, axis=0).min(-1)
    flat = ((np.sqrt(var) < sd_g) & (rng_g < range_g)).sum(axis=1) >= 2
    if temp_5s is not None:
        tp = np.r_[temp_5s, np.repeat(temp_5s[-1:], pad)].reshape(n_steps, per_step).mean(1)
        flat &= sliding_window_view(tp, k).mean(-1) < temp_c
    step_nw = np.zeros(n_steps, dtype=bool)
    for j in range(k):  # a step is non-wear when any window covering it is (k = 4 iterations)
        step_nw[j : j + m] |= flat
    return np.repeat(step_nw, per_step)[:n]


def sleep_period_hdcza(
    angle_deg: np.ndarray,
    *,
    block_s: float = 5.0,
    invalid: np.ndarray | None = None,
    percentile: float = 10.0,
    factor: float = 15.0,
    bounds: tuple[float, float] = (0.13, 0.50),
    min_block_min: float = 30.0,
    max_gap_min: float = 60.0,
) -> tuple[int, int] | None:
    """Sleep period time window by HDCZA (van Hees et al. 2018) on 5-s angles.

    Returns
    -------
    (start, stop) block indices (stop exclusive), or None.

    References
    ----------
    van Hees VT, et al. Estimating sleep parameters using an accelerometer without sleep diary.
    Sci Rep 2018;8:12975.
    """
    if angle_deg.size < 3:
        return None
    dz = np.abs(np.diff(angle_deg, prepend=angle_deg[0]))
    w = max(1, round(300 / block_s))
    med = _rolling_median(dz, w)
    valid = np.ones(med.size, bool) if invalid is None else ~np.asarray(invalid, bool)
    thr = float(np.clip(np.percentile(med[valid] if valid.any() else med, percentile) * factor, *bounds))
    rest = (med < thr) & valid
    st, sp = _runs(rest)
    keep = (sp - st) * block_s > min_block_min * 60
    st, sp = st[keep], sp[keep]
    if st.size == 0:
        return None
    gap = (st[1:] - sp[:-1]) * block_s < max_gap_min * 60
    st, sp = st[np.r_[True, ~gap]], sp[np.r_[~gap, True]]
    i = int(np.argmax(sp - st))
    return int(st[i]), int(sp[i])


def _to_epochs(sleep_block: np.ndarray, per_epoch: int, n_epochs: int) -> np.ndarray:
    pad = n_epochs * per_epoch - sleep_block.size
    b = np.r_[sleep_block, np.zeros(max(pad, 0), bool)][: n_epochs * per_epoch]
    return b.reshape(n_epochs, per_epoch).mean(1) >= 0.5


def estimate_sleep_raw(
    angle_deg: np.ndarray,
    *,
    nonwear: np.ndarray | None = None,
    block_s: float = 5.0,
    angle_change_deg: float = 5.0,
    inactivity_min: float = 5.0,
    duration_s: float | None = None,
) -> SleepEstimate:
    """Sleep/wake per 30-s epoch from 5-s angles: HDCZA window, sustained inactivity inside it.

    References
    ----------
    van Hees VT, et al. A novel, open access method to assess sleep duration using a wrist-worn
    accelerometer. PLoS One 2015;10:e0142533.
    van Hees VT, et al. Estimating sleep parameters using an accelerometer without sleep diary.
    Sci Rep 2018;8:12975.
    """
    n = angle_deg.size
    dur = duration_s if duration_s is not None else n * block_s
    n_ep = int(np.ceil(dur / 30.0))
    nw = np.zeros(n, bool) if nonwear is None else np.asarray(nonwear, bool)[:n]
    spt = sleep_period_hdcza(angle_deg, block_s=block_s, invalid=nw)
    still = np.abs(np.diff(angle_deg, prepend=angle_deg[:1])) <= angle_change_deg
    st, sp = _runs(still)
    long_ = (sp - st) * block_s >= inactivity_min * 60
    sleep_b = np.zeros(n, bool)
    sleep_b[range_indices(st[long_], sp[long_])] = True
    in_spt = np.zeros(n, bool)
    if spt is not None:
        in_spt[spt[0] : spt[1]] = True
    sleep_b &= in_spt & ~nw
    per_epoch = round(30.0 / block_s)
    nw_st, nw_sp = _runs(nw)
    return SleepEstimate(
        sleep=_to_epochs(sleep_b, per_epoch, n_ep),
        spt_start_s=None if spt is None else spt[0] * block_s,
        spt_end_s=None if spt is None else min(spt[1] * block_s, dur),
        nonwear=[(float(a * block_s), float(min(b * block_s, dur))) for a, b in zip(nw_st, nw_sp, strict=True)],
        method="HDCZA sleep window + sustained inactivity (van Hees 2018, 2015)",
        params={"angle_change_deg": angle_change_deg, "inactivity_min": inactivity_min},
    )


def _per_minute(counts: np.ndarray, epoch_s: float) -> np.ndarray:
    c = np.nan_to_num(np.asarray(counts, dtype=np.float64), nan=0.0)
    k = max(1, round(60.0 / epoch_s))
    pad = (-c.size) % k
    return np.r_[c, np.zeros(pad)].reshape(-1, k).sum(1)


def _webster(sleep: np.ndarray) -> np.ndarray:
    """Webster's rescoring rules (as in Cole et al. 1992), loops over runs, not epochs."""
    s = sleep.copy()
    st, sp = _runs(~s)  # wake runs
    for a, b in zip(st, sp, strict=True):
        n = b - a
        extra = 4 if n >= 15 else 3 if n >= 10 else 1 if n >= 4 else 0
        s[b : b + extra] = False
    ss, sps = _runs(s)
    for a, b in zip(ss, sps, strict=True):
        before = a - (sps[sps <= a].max() if (sps <= a).any() else 0)
        after = (ss[ss >= b].min() if (ss >= b).any() else s.size) - b
        n = b - a
        if (n <= 6 and before >= 10 and after >= 10) or (n <= 10 and before >= 20 and after >= 20):
            s[a:b] = False
    return s


def cole_kripke(counts_per_min: np.ndarray, *, rescore: bool = True) -> np.ndarray:
    """Cole-Kripke sleep (True) per 1-min epoch, ActiLife scaling (counts / 100, capped at 300).

    References
    ----------
    Cole RJ, Kripke DF, Gruen W, Mullaney DJ, Gillin JC. Automatic sleep/wake identification from wrist
    activity. Sleep 1992;15:461-469.
    """
    a = np.minimum(np.asarray(counts_per_min, float) / 100.0, 300.0)
    w = np.array([106, 54, 58, 76, 230, 74, 67], float)  # A-4 ... A+2
    ap = np.r_[np.zeros(4), a, np.zeros(2)]
    d = 0.001 * np.lib.stride_tricks.sliding_window_view(ap, 7) @ w
    sleep = d < 1.0
    return _webster(sleep) if rescore else sleep


def sadeh(counts_per_min: np.ndarray) -> np.ndarray:
    """Sadeh sleep (True) per 1-min epoch (counts capped at 300).

    References
    ----------
    Sadeh A, Sharkey KM, Carskadon MA. Activity-based sleep-wake identification: an empirical test of
    methodological issues. Sleep 1994;17:201-207.
    """
    c = np.minimum(np.asarray(counts_per_min, float), 300.0)
    from numpy.lib.stride_tricks import sliding_window_view

    p11 = np.r_[np.zeros(5), c, np.zeros(5)]
    win = sliding_window_view(p11, 11)
    avg = win.mean(1)
    nats = ((win >= 50) & (win < 100)).sum(1)
    w6 = sliding_window_view(np.r_[np.full(5, np.nan), c], 6)  # current and 5 preceding epochs
    n6 = np.isfinite(w6).sum(1)
    m6 = np.nansum(w6, 1) / n6
    ss = np.nansum((w6 - m6[:, None]) ** 2, 1)
    sd = np.sqrt(np.divide(ss, n6 - 1, out=np.zeros_like(ss), where=n6 > 1))
    ps = 7.601 - 0.065 * avg - 1.08 * nats - 0.056 * sd - 0.703 * np.log(c + 1.0)
    return ps > -4.0


def nonwear_counts(counts: np.ndarray, epoch_s: float, *, zero_min: float = 90.0, spike_min: float = 2.0) -> np.ndarray:
    """Non-wear per epoch: ≥ 90 min of zero counts, allowing ≤ 2 min of non-zero (Choi et al. 2011).

    References
    ----------
    Choi L, et al. Validation of accelerometer wear and nonwear time classification algorithm.
    Med Sci Sports Exerc 2011;43:357-364.
    """
    c = np.nan_to_num(np.asarray(counts, float), nan=0.0)
    zero = _fill_short(c == 0, False, max(1, int(spike_min * 60 / epoch_s)))
    st, sp = _runs(zero)
    nw = np.zeros(c.size, bool)
    long_ = (sp - st) * epoch_s >= zero_min * 60
    nw[range_indices(st[long_], sp[long_])] = True
    return nw


def estimate_sleep_counts(
    counts: np.ndarray,
    epoch_s: float,
    *,
    method: str = "cole_kripke",
    device_sleep_wake: np.ndarray | None = None,
    nonwear: np.ndarray | None = None,
) -> SleepEstimate:
    """Sleep/wake per 30-s epoch from activity counts.

    Parameters
    ----------
    counts : ndarray
        Counts per epoch.
    epoch_s : float
        Epoch length (aggregated to 1 min for the algorithms).
    method : {"cole_kripke", "sadeh", "device"}
        ``device`` uses the device software's own score (Actiware's 0 = sleep, 1 = wake column).
    device_sleep_wake : ndarray, optional
        That column, per epoch.
    nonwear : ndarray of bool, optional
        Non-wear per epoch (default: :func:`nonwear_counts`).
    """
    check_option("method", method, ("cole_kripke", "sadeh", "device"))
    c = np.asarray(counts, float)
    if c.size == 0:
        raise InsufficientDataError("no count epochs to estimate sleep from.")
    nw = nonwear_counts(c, epoch_s) if nonwear is None else np.asarray(nonwear, bool)
    dur = c.size * epoch_s
    if method == "device":
        if device_sleep_wake is None:
            raise InsufficientDataError("method='device' needs the device's sleep/wake column; this file has none.")
        sl_e = np.nan_to_num(np.asarray(device_sleep_wake, float), nan=1.0) < 0.5
        t_e = np.arange(c.size) * epoch_s
    else:
        per_min = _per_minute(c, epoch_s)
        sl_e = cole_kripke(per_min) if method == "cole_kripke" else sadeh(per_min)
        t_e = np.arange(per_min.size) * 60.0
    # non-wear is not sleep
    nw_t = np.flatnonzero(nw) * epoch_s
    if nw_t.size:
        sl_e &= ~np.isin(np.floor(t_e / epoch_s).astype(np.int64), np.flatnonzero(nw))
    n_ep = int(np.ceil(dur / 30.0))
    idx = np.minimum(np.searchsorted(t_e, np.arange(n_ep) * 30.0, side="right") - 1, t_e.size - 1)
    sleep = sl_e[np.maximum(idx, 0)]
    # sleep period: longest sleep run after bridging wake gaps of ≤ 60 min, ≥ 30 min long
    bridged = _fill_short(sleep, False, 120)
    st, sp = _runs(bridged)
    keep = (sp - st) >= 60
    spt = None
    if keep.any():
        i = int(np.argmax(np.where(keep, sp - st, -1)))
        spt = (st[i] * 30.0, min(sp[i] * 30.0, dur))
        out = np.zeros_like(sleep)
        out[st[i] : sp[i]] = sleep[st[i] : sp[i]]
        sleep = out
    else:
        sleep = np.zeros_like(sleep)
    nw_st, nw_sp = _runs(nw)
    names = {"cole_kripke": "Cole-Kripke 1992 (ActiLife scaling, Webster rescoring)", "sadeh": "Sadeh 1994",
             "device": "device software's own sleep/wake score"}  # fmt: skip
    return SleepEstimate(
        sleep=sleep,
        spt_start_s=None if spt is None else float(spt[0]),
        spt_end_s=None if spt is None else float(spt[1]),
        nonwear=[(float(a * epoch_s), float(b * epoch_s)) for a, b in zip(nw_st, nw_sp, strict=True)],
        method=names[method],
        params={"method": method, "epoch_s": epoch_s},
    )
