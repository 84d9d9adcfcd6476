"""Stimulus-linked jerks: twitches time-locked to sound or light stimuli, with a peri-stimulus histogram.

SCORING_SPEC §5 ``stimulus_linked``: jerks time-locked to annotated or recorded stimuli (stimulus-sensitive
myoclonus), reported with a peri-stimulus time histogram (PSTH). The detector does not look at signals: it
takes brief movements found already (leg movements, sleep starts, fragmentary potentials...) and the stimulus
onsets, links each jerk to the stimulus just before it when the latency is inside a post-stimulus window, and
asks whether more jerks fall in those windows than the pre-stimulus rate would give by chance.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from twitchlab._arrays import range_indices
from twitchlab.errors import ParameterError
from twitchlab.model import empty_events, make_events

__all__ = ["LINK_COLUMNS", "StimulusLinkResult", "detect_stimulus_linked", "stimulus_summary", "stimulus_times"]

logger = logging.getLogger(__name__)

#: Tolerance on latencies at the window edges (1 µs, far below any EMG sample period), so that a latency
#: written as 0.02 s and computed as 0.019999999999 s still counts as on the edge.
EDGE_TOL_S = 1e-6

#: Rows of these types are stimuli or earlier results, never candidate jerks.
_NOT_JERKS = ("stimulus", "stimulus_linked")

#: Extra columns of the ``stimulus_linked`` rows (after :data:`twitchlab.model.EVENT_COLUMNS`), present even
#: when there are no rows.
LINK_COLUMNS: dict[str, str] = {"latency_s": "float64", "stimulus_onset_s": "float64", "jerk_type": "object"}


def _no_links() -> pd.DataFrame:
    ev = empty_events()
    for col, dtype in LINK_COLUMNS.items():
        ev[col] = pd.Series(dtype=dtype)
    return ev


def stimulus_times(events: pd.DataFrame) -> np.ndarray:
    """Onsets of the ``stimulus`` rows of an events table.

    Parameters
    ----------
    events : DataFrame
        Events table (needs ``type`` and ``onset_s``), e.g. ``Recording.events``.

    Returns
    -------
    numpy.ndarray
        Stimulus onsets in seconds from recording start: finite, sorted, each instant once (a sound and a
        light annotated at the same time are one stimulus). Empty when there is none.

    Raises
    ------
    ParameterError
        When ``type`` or ``onset_s`` is missing.
    """
    missing = [c for c in ("type", "onset_s") if c not in events.columns]
    if missing:
        raise ParameterError(
            f"stimulus_times needs an events table with 'type' and 'onset_s'; {missing} missing "
            f"(columns are {list(events.columns)}). Build it with twitchlab.model.make_events."
        )
    on = events.loc[events["type"] == "stimulus", "onset_s"].to_numpy(dtype=float)
    return np.unique(on[np.isfinite(on)])


@dataclass(frozen=True)
class StimulusLinkResult:
    """Stimulus-linked jerks of one night and the evidence that they are time-locked.

    Attributes
    ----------
    events : DataFrame
        Events table rows of type ``stimulus_linked`` (one per linked jerk, the jerk's ``onset_s``,
        ``offset_s``, ``side``, ``peak_amp_uv``, ``stage``, ``source``), with extra columns ``latency_s``
        (jerk onset minus stimulus onset), ``stimulus_onset_s``, ``jerk_type`` and ``channels`` (when given).
    stimuli_s : numpy.ndarray
        Stimulus onsets used (finite, sorted, unique).
    psth_counts : numpy.ndarray
        Peri-stimulus time histogram: jerk onsets relative to every stimulus, counted per bin (int).
    psth_edges_s : numpy.ndarray
        Bin edges in seconds relative to the stimulus (``len(psth_counts) + 1`` values).
    n_stimuli : int
        Number of stimuli.
    n_jerks : int
        Candidate jerks with a finite onset (inside ``span_s`` when given).
    n_linked : int
        Jerks linked to a stimulus (``len(events)``).
    linked_share : float or None
        Share of stimuli followed by at least one linked jerk; ``None`` without stimuli.
    n_baseline : int
        Jerks in the pre-stimulus baseline windows (outside every post-stimulus window).
    baseline_exposure_s, post_exposure_s : float
        Total time covered by the baseline windows and by the post-stimulus windows (overlaps counted once).
    chance_rate_hz : float or None
        Jerk rate in the baseline windows; ``None`` when there is no baseline time.
    expected_linked : float or None
        Linked jerks expected by chance: ``chance_rate_hz * post_exposure_s``.
    p_value : float or None
        One-sided exact test that the post-stimulus rate exceeds the baseline rate (see
        :func:`detect_stimulus_linked`); ``None`` without stimuli or when a window covers no time.
    time_locked : bool or None
        ``p_value < alpha``: only then may a report call the jerks time-locked.
    params : dict
        Every parameter used.
    warnings : tuple of str
        What was dropped or could not be computed, in plain words.
    """

    events: pd.DataFrame
    stimuli_s: np.ndarray
    psth_counts: np.ndarray
    psth_edges_s: np.ndarray
    n_stimuli: int
    n_jerks: int
    n_linked: int
    linked_share: float | None
    n_baseline: int
    baseline_exposure_s: float
    post_exposure_s: float
    chance_rate_hz: float | None
    expected_linked: float | None
    p_value: float | None
    time_locked: bool | None
    params: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def psth_rate_hz(self) -> np.ndarray | None:
        """Histogram as jerks per second per stimulus (``None`` without stimuli)."""
        if not self.n_stimuli:
            return None
        return self.psth_counts / (self.n_stimuli * np.diff(self.psth_edges_s))


def _pair(name: str, value: Sequence[float]) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{name} must be two numbers (start, end) in seconds, got {value!r}") from err
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise ParameterError(f"{name} must be finite with start < end, got {value!r}; swap or fix the values.")
    return a, b


def _check_params(
    window_s: Sequence[float],
    baseline_s: Sequence[float],
    hist_range_s: Sequence[float],
    bin_s: float,
    alpha: float,
    span_s: Sequence[float] | None,
) -> tuple[tuple[float, float], tuple[float, float], np.ndarray, tuple[float, float]]:
    lo, hi = _pair("window_s", window_s)
    if lo < 0:
        raise ParameterError(
            f"window_s={window_s!r} starts before the stimulus; a post-stimulus window needs 0 <= start < end "
            "(put pre-stimulus time in baseline_s)."
        )
    b0, b1 = _pair("baseline_s", baseline_s)
    if b1 > 0:
        raise ParameterError(
            f"baseline_s={baseline_s!r} ends after the stimulus; the baseline must be pre-stimulus (end <= 0)."
        )
    h0, h1 = _pair("hist_range_s", hist_range_s)
    if not (math.isfinite(bin_s) and bin_s > 0):
        raise ParameterError(f"bin_s must be a positive number of seconds, got {bin_s!r}")
    n_bins = (h1 - h0) / bin_s
    if abs(n_bins - round(n_bins)) > 1e-6 or round(n_bins) < 1:
        raise ParameterError(
            f"hist_range_s={hist_range_s!r} is not a whole number of bins of bin_s={bin_s!r} s; "
            "choose a bin width that divides the range."
        )
    if not (0 < alpha < 1):
        raise ParameterError(f"alpha must be between 0 and 1 (exclusive), got {alpha!r}")
    span = (-math.inf, math.inf) if span_s is None else _pair("span_s", span_s)
    edges = h0 + bin_s * np.arange(round(n_bins) + 1)
    return (lo, hi), (b0, b1), edges, span


def _relative_onsets(onsets: np.ndarray, stimuli: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Every jerk onset minus every stimulus, for the pairs within [lo, hi] (onsets sorted)."""
    first = np.searchsorted(onsets, stimuli + lo - EDGE_TOL_S, side="left")
    n = np.searchsorted(onsets, stimuli + hi + EDGE_TOL_S, side="right") - first
    total = int(n.sum())
    if not total:
        return np.zeros(0)
    return onsets[range_indices(first, first + n)] - np.repeat(stimuli, n)


def _length(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    return np.clip(stop - start, 0.0, None)


def _exposures(
    stim: np.ndarray, window: tuple[float, float], baseline: tuple[float, float], span: tuple[float, float]
) -> tuple[float, float]:
    """Time in post-stimulus windows and in baseline windows outside them, inside ``span``.

    A time belongs to the post window of its nearest preceding stimulus only, and to the baseline of its nearest
    following stimulus only, so each set is a union of disjoint intervals; baseline time inside the previous
    stimulus' post window is removed.
    """
    lo, hi = window
    b0, b1 = baseline
    a, z = span
    prev = np.concatenate(([-np.inf], stim[:-1]))
    nxt = np.concatenate((stim[1:], [np.inf]))
    p_on, p_off = np.maximum(stim + lo, a), np.minimum.reduce([stim + hi, nxt, np.full_like(stim, z)])
    b_on, b_off = np.maximum.reduce([stim + b0, prev, np.full_like(stim, a)]), np.minimum(stim + b1, z)
    # the previous stimulus' post window, which is the only one that can reach into this baseline
    q_on = np.concatenate(([np.inf], p_on[:-1]))
    q_off = np.concatenate(([-np.inf], p_off[:-1]))
    overlap = _length(np.maximum(b_on, q_on), np.minimum(b_off, q_off))
    return float(_length(p_on, p_off).sum()), float((_length(b_on, b_off) - overlap).clip(0.0).sum())


def detect_stimulus_linked(
    jerks: pd.DataFrame,
    stimuli_s: np.ndarray | Sequence[float],
    *,
    window_s: Sequence[float] = (0.02, 0.5),
    baseline_s: Sequence[float] = (-2.0, -0.1),
    hist_range_s: Sequence[float] = (-2.0, 2.0),
    bin_s: float = 0.05,
    alpha: float = 0.05,
    span_s: Sequence[float] | None = None,
) -> StimulusLinkResult:
    """Link brief movements to the stimuli just before them and test whether they are time-locked.

    A jerk is linked when its onset follows its nearest preceding stimulus by a latency in ``window_s``
    (closed at the start, open at the end: ``start <= latency < end``, with a 1-µs tolerance for rounding).
    Each jerk links to at most one stimulus, the nearest preceding one, even when an earlier stimulus'
    window also covers it; a jerk too soon after a later stimulus is not linked at all.

    Chance test: under the null hypothesis jerks occur at the same rate before and after stimuli. Jerks in the
    post-stimulus windows (``n_linked``) and in the baseline windows (``n_baseline``, excluding time inside a
    post window) are two Poisson counts over the exposures ``post_exposure_s`` and ``baseline_exposure_s``.
    Conditional on their sum, ``n_linked`` is binomial with probability ``post / (post + baseline)``; the
    one-sided exact binomial test (:func:`scipy.stats.binomtest`, ``alternative="greater"``) gives
    ``p_value`` (the C-test for two Poisson rates [3]_, which accounts for the baseline rate being estimated).

    Parameters
    ----------
    jerks : DataFrame
        Candidate brief movements: rows of the events table (``onset_s`` required; ``offset_s``, ``type``,
        ``side``, ``peak_amp_uv``, ``stage``, ``source``, ``channels`` carried over when present). Rows of type
        ``stimulus`` or ``stimulus_linked`` are ignored; rows with a non-finite onset are dropped (counted in
        ``warnings``).
    stimuli_s : array of float
        Stimulus onsets in seconds (e.g. :func:`stimulus_times` of the annotations, or triggers found on a
        sound or light channel). Any order; non-finite values dropped; simultaneous stimuli count once.
    window_s : (float, float)
        Post-stimulus latency window in seconds. The auditory startle reflex reaches the face after about
        30-40 ms and limb muscles later, the further down the body the later [1]_ [2]_; 20 ms excludes
        artefacts coincident with the stimulus. The 0.5-s end is our choice: it covers leg startle latencies
        and the onset uncertainty of envelope-based jerk detection, while staying short of slower
        arousal-related movements.
    baseline_s : (float, float)
        Pre-stimulus window (end <= 0) where the chance rate is measured (our choice: 1.9 s ending 0.1 s
        before the stimulus, so anticipation or annotation jitter does not count as baseline).
    hist_range_s : (float, float)
        Range of the peri-stimulus histogram, relative to the stimulus.
    bin_s : float
        Histogram bin width (our choice: 50 ms, the twitch envelope window); must divide the range.
    alpha : float
        Significance level for ``time_locked`` (conventional 0.05).
    span_s : (float, float), optional
        Time where jerks could be detected (e.g. ``(0, rec.duration_s)``); window time outside it is not
        counted as exposure and jerks outside it are ignored. Default: unbounded.

    Returns
    -------
    StimulusLinkResult
        Linked events, histogram, counts, chance rate and test. Without stimuli: zero counts, an all-zero
        histogram and ``None`` for the share, rate and p value (not an error).

    Raises
    ------
    ParameterError
        When ``jerks`` lacks ``onset_s``, ``stimuli_s`` is not 1-D, or a window, bin or ``alpha`` is invalid.

    See Also
    --------
    stimulus_times : stimulus onsets from an events table.
    stimulus_summary : the SCORING_SPEC §5 summary keys.

    References
    ----------
    .. [1] Brown P, Rothwell JC, Thompson PD, Britton TC, Day BL, Marsden CD. New observations on the normal
       auditory startle reflex in man. Brain 1991;114:1891-1902.
    .. [2] Wilkins DE, Hallett M, Wess MM. Audiogenic startle reflex of man and its relationship to startle
       syndromes. Brain 1986;109:561-573.
    .. [3] Przyborski J, Wilenski H. Homogeneity of results in testing samples from Poisson series.
       Biometrika 1940;31:313-323.
    """
    (lo, hi), (b0, b1), edges, span = _check_params(window_s, baseline_s, hist_range_s, bin_s, alpha, span_s)
    params: dict[str, Any] = {
        "window_s": (lo, hi),
        "baseline_s": (b0, b1),
        "hist_range_s": (float(edges[0]), float(edges[-1])),
        "bin_s": float(bin_s),
        "alpha": float(alpha),
        "span_s": None if span_s is None else span,
    }
    if not isinstance(jerks, pd.DataFrame) or "onset_s" not in jerks.columns:
        cols = list(jerks.columns) if isinstance(jerks, pd.DataFrame) else type(jerks).__name__
        raise ParameterError(f"jerks must be an events table with an 'onset_s' column; got {cols}")
    stim_in = np.asarray(stimuli_s, dtype=float)
    if stim_in.ndim != 1:
        raise ParameterError(f"stimuli_s must be a 1-D array of onsets in seconds, got shape {stim_in.shape}")
    warns: list[str] = []
    stim = np.unique(stim_in[np.isfinite(stim_in)])
    if stim.size < stim_in.size:
        warns.append(f"{stim_in.size - stim.size} stimulus onset(s) non-finite or repeated: dropped")

    j = jerks if "type" not in jerks.columns else jerks[~jerks["type"].isin(_NOT_JERKS)]
    on_all = j["onset_s"].to_numpy(dtype=float)
    keep = np.isfinite(on_all)
    if (~keep).any():
        warns.append(f"{int((~keep).sum())} jerk(s) without a finite onset_s: dropped")
    inside = (on_all >= span[0]) & (on_all <= span[1])
    if (keep & ~inside).any():
        warns.append(f"{int((keep & ~inside).sum())} jerk(s) outside span_s={span_s!r}: ignored")
    keep &= inside
    j = j[keep]
    order = np.argsort(j["onset_s"].to_numpy(dtype=float), kind="stable")
    j = j.iloc[order]
    on = j["onset_s"].to_numpy(dtype=float)

    if not stim.size:
        warns.append("no stimuli: nothing to link, share and chance test not computed")
        return StimulusLinkResult(
            events=_no_links(),
            stimuli_s=stim,
            psth_counts=np.zeros(edges.size - 1, dtype=np.int64),
            psth_edges_s=edges,
            n_stimuli=0,
            n_jerks=int(on.size),
            n_linked=0,
            linked_share=None,
            n_baseline=0,
            baseline_exposure_s=0.0,
            post_exposure_s=0.0,
            chance_rate_hz=None,
            expected_linked=None,
            p_value=None,
            time_locked=None,
            params=params,
            warnings=tuple(warns),
        )

    prev = np.searchsorted(stim, on, side="right") - 1
    latency = on - stim[np.clip(prev, 0, None)]
    linked = (prev >= 0) & (latency >= lo - EDGE_TOL_S) & (latency < hi - EDGE_TOL_S)
    nxt = np.searchsorted(stim, on, side="left")
    to_next = on - stim[np.clip(nxt, None, stim.size - 1)]
    in_base = (nxt < stim.size) & (to_next >= b0 - EDGE_TOL_S) & (to_next < b1 - EDGE_TOL_S) & ~linked

    post_s, base_s = _exposures(stim, (lo, hi), (b0, b1), span)
    n_linked, n_base = int(linked.sum()), int(in_base.sum())
    rate = n_base / base_s if base_s > 0 else None
    expected = rate * post_s if rate is not None else None
    if base_s <= 0 or post_s <= 0:
        which = "baseline_s" if base_s <= 0 else "window_s"
        warns.append(f"the {which} windows cover no time (stimuli too close together?): chance test not run")
        p_value = None
    elif n_linked + n_base == 0:
        p_value = 1.0
    else:
        p_value = float(
            stats.binomtest(n_linked, n_linked + n_base, post_s / (post_s + base_s), alternative="greater").pvalue
        )

    rel = _relative_onsets(on, stim, float(edges[0]), float(edges[-1]))
    # bins are half-open [a, b) like the window; the tolerance keeps a latency written on an edge in the upper bin
    counts = np.histogram(rel + EDGE_TOL_S, bins=edges)[0].astype(np.int64)

    lj = j[linked]
    stim_of = stim[prev[linked]]
    rows: dict[str, Any] = {
        "type": "stimulus_linked",
        "onset_s": lj["onset_s"].to_numpy(dtype=float),
        "offset_s": lj["offset_s"].to_numpy(dtype=float) if "offset_s" in lj else lj["onset_s"].to_numpy(float),
        "latency_s": latency[linked],
        "stimulus_onset_s": stim_of,
        "jerk_type": lj["type"].to_numpy() if "type" in lj else None,
    }
    for col in ("side", "peak_amp_uv", "stage", "source", "channels"):
        if col in lj.columns:
            rows[col] = lj[col].to_numpy()
    events = make_events(pd.DataFrame(rows)) if n_linked else _no_links()
    for arr in (stim, counts, edges):
        arr.setflags(write=False)
    logger.debug("stimulus_linked: %d of %d jerks linked to %d stimuli, p=%s", n_linked, on.size, stim.size, p_value)
    return StimulusLinkResult(
        events=events,
        stimuli_s=stim,
        psth_counts=counts,
        psth_edges_s=edges,
        n_stimuli=int(stim.size),
        n_jerks=int(on.size),
        n_linked=n_linked,
        linked_share=float(np.unique(stim_of).size / stim.size),
        n_baseline=n_base,
        baseline_exposure_s=base_s,
        post_exposure_s=post_s,
        chance_rate_hz=rate,
        expected_linked=expected,
        p_value=p_value,
        time_locked=None if p_value is None else bool(p_value < alpha),
        params=params,
        warnings=tuple(warns),
    )


def stimulus_summary(result: StimulusLinkResult) -> dict[str, Any]:
    """SCORING_SPEC §5 summary keys of stimulus-linked jerks.

    Parameters
    ----------
    result : StimulusLinkResult
        From :func:`detect_stimulus_linked`.

    Returns
    -------
    dict
        ``stimulus_count`` (int), ``stimulus_linked_count`` (int), ``stimulus_linked_share`` (share of stimuli
        followed by a linked jerk, 0-1) and ``stimulus_linked_p`` (one-sided chance test). Every key but
        ``stimulus_count`` is ``None`` when there are no stimuli; ``stimulus_linked_p`` is also ``None`` when
        the test could not be run (see ``result.warnings``).
    """
    none = result.n_stimuli == 0
    return {
        "stimulus_count": int(result.n_stimuli),
        "stimulus_linked_count": None if none else int(result.n_linked),
        "stimulus_linked_share": None if none else result.linked_share,
        "stimulus_linked_p": None if none else result.p_value,
    }
