"""``score_night``: leg movements + hypnogram + respiratory and arousal events → events table and summary."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError, check_option
from twitchlab.model import STAGE_LABELS, Hypnogram
from twitchlab.score.aasm import movements_aasm
from twitchlab.score.association import arousal_associated
from twitchlab.score.candidates import Cols, take
from twitchlab.score.indices import summarize
from twitchlab.score.intervals import EPS_S, intersect, point_in, union
from twitchlab.score.options import RULES, ScoringOptions
from twitchlab.score.wasm2016 import movements_wasm2016

__all__ = ["ScoreResult", "prepare_lms", "score_night"]

logger = logging.getLogger(__name__)

#: Summary counts that are unknown (null) when no leg time at all could be scored.
_UNSCORED_COUNTS = (
    "lm_count", "lm_count_left", "lm_count_right", "lm_count_bilateral", "lm_count_single_channel", "clm_count",
    "resp_lm_count", "plm_count", "plms_count", "plmw_count", "plm_nr_count", "plm_series_count",
)  # fmt: skip

_SIDE_MAP = {"l": "L", "left": "L", "r": "R", "right": "R", "b": "B", "both": "B", "bilateral": "B"}


@dataclass
class ScoreResult:
    """Output of :func:`score_night`; unpacks as ``events, summary = score_night(...)``.

    Attributes
    ----------
    events : DataFrame
        One row per movement (SCORING_SPEC §6) plus extras ``n_monolateral``, ``in_sequence``, ``is_plm_nr``.
    summary : dict
        SCORING_SPEC §4 keys plus flags (see ``docs/json_contract.md``).
    params : dict
        ``rules`` and every scoring option used.
    warnings : list of str
        Tolerated problems in plain words.
    """

    events: pd.DataFrame
    summary: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.events, self.summary))


def _object(values: Any, n: int) -> np.ndarray:
    """Object array with None for missing values."""
    if values is None:
        return np.full(n, None, dtype=object)
    arr = np.asarray(values, dtype=object)
    return np.where(pd.isna(arr), None, arr)


def _prepare(lms: pd.DataFrame, warnings: list[str]) -> Cols:
    """Validated, sorted, de-duplicated LM columns (see :func:`prepare_lms`)."""
    if "onset_s" not in lms.columns or not ({"offset_s", "duration_s"} & set(lms.columns)):
        raise ParameterError(
            f"the LM table needs 'onset_s' and 'offset_s' (or 'duration_s'); got columns {list(lms.columns)}"
        )
    on = lms["onset_s"].to_numpy(float)
    off = lms["offset_s"].to_numpy(float) if "offset_s" in lms else on + lms["duration_s"].to_numpy(float)
    if not (np.isfinite(on).all() and np.isfinite(off).all()):
        raise ParameterError("the LM table has missing or infinite onset_s/offset_s; drop or fix those rows")
    if (off < on).any():
        i = int(np.flatnonzero(off < on)[0])
        raise ParameterError(f"LM row {i} ends before it starts (onset {on[i]:.3f} s, offset {off[i]:.3f} s)")
    n = on.size
    if "side" in lms:
        codes, uniq = pd.factorize(lms["side"], use_na_sentinel=True)
        mapped = np.array([_SIDE_MAP.get(str(u).strip().lower()) for u in uniq] + ["B"], dtype=object)
        bad = [str(u) for u, m in zip(uniq, mapped[:-1], strict=True) if m is None]
        if bad:
            raise ParameterError(f"LM sides {sorted(bad)} are not L, R or B (left/right/both)")
        side = mapped[codes]  # missing (code -1) → the last entry, "B"
    else:
        side = np.full(n, "B", dtype=object)
    cols: Cols = {
        "onset_s": on,
        "offset_s": off,
        "side": side,
        "peak_amp_uv": lms["peak_amp_uv"].to_numpy(float) if "peak_amp_uv" in lms else np.full(n, np.nan),
        "source": _object(lms["source"].to_numpy(object) if "source" in lms else None, n),
        "label_original": _object(lms["label_original"].to_numpy(object) if "label_original" in lms else None, n),
    }
    side_rank = (side == "L").astype(np.int8) + 2 * (side == "R").astype(np.int8)
    order = np.lexsort((side_rank, off, on))
    cols = take(cols, order)
    if n > 1:
        same = (
            (np.diff(cols["onset_s"]) == 0) & (np.diff(cols["offset_s"]) == 0) & (cols["side"][1:] == cols["side"][:-1])
        )
        if same.any():
            warnings.append(f"{int(same.sum())} duplicate leg movement(s) (same leg, onset and offset) counted once")
            cols = take(cols, ~np.r_[False, same])
    return cols


def prepare_lms(lms: pd.DataFrame, warnings: list[str] | None = None) -> pd.DataFrame:
    """Normalise an LM table: float times, sides ``L``/``R``/``B``, sorted by onset, exact duplicates dropped.

    Parameters
    ----------
    lms : DataFrame
        ``onset_s`` and ``offset_s`` (or ``duration_s``); optional ``side`` (missing → ``B``),
        ``peak_amp_uv``, ``source``, ``label_original``.
    warnings : list of str, optional
        Receives a sentence for each tolerated problem.

    Returns
    -------
    DataFrame
        ``onset_s``, ``offset_s``, ``side``, ``peak_amp_uv``, ``source``, ``label_original``.

    Raises
    ------
    ParameterError
        Missing columns, non-finite times, offsets before onsets, unknown sides.
    """
    return pd.DataFrame(_prepare(lms, warnings if warnings is not None else []))


def _intervals(df: pd.DataFrame | None, sides: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    if df is None or len(df) == 0:
        return np.empty(0), np.empty(0)
    sel = df["side"].astype(str).str.upper().isin(sides) if "side" in df else np.ones(len(df), bool)
    d = df[sel]
    return union(d["onset_s"].to_numpy(float), d["offset_s"].to_numpy(float))


def _covers(u: tuple[np.ndarray, np.ndarray], start: float, end: float) -> bool:
    """True when the union of intervals ``u`` covers the whole of [start, end) (an empty window is not)."""
    if end <= start or u[0].size == 0:
        return False
    on, off = u
    inside = (off > start) & (on < end)
    on, off = np.maximum(on[inside], start), np.minimum(off[inside], end)
    return bool(off.size and (off - on).sum() >= (end - start) - EPS_S)


def _events_table(
    mov: Cols,
    excl: Cols,
    excl_reason: np.ndarray,
    hypnogram: Hypnogram | None,
    arousals: pd.DataFrame | None,
    opts: ScoringOptions,
) -> pd.DataFrame:
    """One row per movement (scored or excluded), sorted by onset, with the columns of SCORING_SPEC §6."""
    n_m = mov["onset_s"].size
    n_x = excl["onset_s"].size
    both = {k: np.concatenate([mov[k], excl[k]]) for k in ("onset_s", "offset_s", "side", "peak_amp_uv", "source",
                                                            "label_original")}  # fmt: skip
    nr = np.concatenate([mov["is_plm_nr"], np.full(n_x, None, dtype=object)])
    cols: Cols = {
        **both,
        "n_monolateral": np.r_[mov["n_monolateral"], np.ones(n_x, dtype=np.int64)],
        "is_clm": np.r_[mov["is_clm"].astype(bool), np.zeros(n_x, dtype=bool)],
        "is_plm": np.r_[mov["is_plm"].astype(bool), np.zeros(n_x, dtype=bool)],
        "series": np.r_[mov["series"], np.full(n_x, -1)].astype(np.int64),
        "imi_s": np.r_[mov["imi_s"], np.full(n_x, np.nan)],
        "resp_associated": np.r_[mov["resp_associated"].astype(bool), excl_reason == "respiratory"],
        "excluded_reason": np.concatenate([mov["excluded_reason"], excl_reason]).astype(object),
        "in_sequence": np.r_[np.ones(n_m, dtype=bool), np.zeros(n_x, dtype=bool)],
        "nr_value": np.where(np.equal(nr, None), False, nr).astype(bool),
        "nr_mask": np.equal(nr, None),
    }
    cols = take(cols, np.lexsort((cols["offset_s"], cols["onset_s"])))
    on, off = cols["onset_s"], cols["offset_s"]
    n = on.size
    obj = {  # object columns as Series, so that pandas >= 3 does not turn them into strings
        k: pd.Series(v, dtype=object)
        for k, v in {
            "type": np.full(n, "lm", dtype=object),
            "side": cols["side"],
            "stage": _stage_labels(hypnogram, on),
            "excluded_reason": cols["excluded_reason"],
            "label_original": cols["label_original"],
            "source": cols["source"],
        }.items()
    }
    data = {
        "event_id": np.arange(n, dtype=np.int64),
        "type": obj["type"],
        "onset_s": on,
        "offset_s": off,
        "duration_s": off - on,
        "side": obj["side"],
        "peak_amp_uv": cols["peak_amp_uv"],
        "is_clm": cols["is_clm"],
        "is_plm": cols["is_plm"],
        "series_id": pd.arrays.IntegerArray(np.maximum(cols["series"], 0), cols["series"] < 0),
        "imi_s": cols["imi_s"],
        "stage": obj["stage"],
        "resp_associated": cols["resp_associated"],
        "arousal_associated": arousal_associated(on, off, arousals, gap_s=opts.arousal_gap_s),
        "excluded_reason": obj["excluded_reason"],
        "label_original": obj["label_original"],
        "source": obj["source"],
        "n_monolateral": pd.array(cols["n_monolateral"], dtype="Int64"),
        "in_sequence": cols["in_sequence"],
        "is_plm_nr": pd.arrays.BooleanArray(cols["nr_value"].astype(bool), cols["nr_mask"].astype(bool)),
    }
    return pd.DataFrame(data)


def _stage_labels(hyp: Hypnogram | None, onset_s: np.ndarray) -> np.ndarray:
    out = np.full(onset_s.size, None, dtype=object)
    if hyp is None or onset_s.size == 0:
        return out
    codes = hyp.stage_at(onset_s)
    labels = np.array([STAGE_LABELS.get(c) for c in range(-2, 5)], dtype=object)
    out[:] = labels[codes.astype(int) + 2]
    out[codes < 0] = None
    return out


def _resolve_window(
    window: tuple[float | None, float | None] | None,
    recording_s: float | None,
    hyp: Hypnogram | None,
    lms: Cols,
) -> tuple[float, float]:
    start, end = window if window is not None else (None, None)
    if end is None:
        if recording_s is not None:
            end = recording_s
        elif hyp is not None:
            end = hyp.end_s
        else:
            end = float(lms["offset_s"].max()) if lms["offset_s"].size else 0.0
    start = 0.0 if start is None else float(start)
    if not end >= start:
        raise ParameterError(
            f"analysis window ends ({end:.1f} s) before it starts ({start:.1f} s); check lights off/on times"
        )
    return start, float(end)


def score_night(
    lms: pd.DataFrame,
    *,
    hypnogram: Hypnogram | None = None,
    resp_events: pd.DataFrame | None = None,
    arousals: pd.DataFrame | None = None,
    window: tuple[float | None, float | None] | None = None,
    unscorable: pd.DataFrame | None = None,
    recording_s: float | None = None,
    rules: Literal["wasm2016", "aasm"] = "wasm2016",
    **options: Any,
) -> ScoreResult:
    """Score a night's leg movements by the WASM 2016 (default) or AASM rules.

    Parameters
    ----------
    lms : DataFrame
        Monolateral leg movements: ``onset_s``, ``offset_s``, ``side`` (``L``, ``R``; ``B`` for a single
        both-legs channel), optional ``peak_amp_uv``, ``source``, ``label_original``.
    hypnogram : Hypnogram, optional
        Sleep stages. Without it, indices are per hour of recording (``summary["indices_per"]``).
    resp_events : DataFrame, optional
        Apneas, hypopneas and RERAs (``onset_s``, ``offset_s``). None means "not scored": the
        respiratory-free indices are then null.
    arousals : DataFrame, optional
        Arousals (``onset_s``, ``offset_s``). None: ``plms_arousal_index`` is null.
    window : (start_s, end_s), optional
        Analysis window (lights off to lights on); default the whole recording.
    unscorable : DataFrame, optional
        Stretches where a leg's EMG cannot be scored: ``onset_s``, ``offset_s``, ``side`` (``L``, ``R``, or
        ``B`` for both). Removed from denominators; LMs starting there are excluded (``unscorable``).
    recording_s : float, optional
        Recording length (default: end of the hypnogram, else of the last LM).
    rules : {"wasm2016", "aasm"}
        Rule set.
    **options
        Named options of :class:`~twitchlab.score.options.ScoringOptions`.

    Returns
    -------
    ScoreResult
        ``events`` (SCORING_SPEC §6), ``summary`` (§4), ``params``, ``warnings``.

    Raises
    ------
    ParameterError
        Unknown rule set or option, malformed LM table, window ending before it starts.

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    Berry RB, et al. The AASM Manual for the Scoring of Sleep and Associated Events, v2.6. AASM 2020.

    Examples
    --------
    >>> import pandas as pd
    >>> lms = pd.DataFrame({"onset_s": [0, 20, 40, 60.0], "offset_s": [1, 21, 41, 61.0], "side": list("LRLR")})
    >>> events, summary = score_night(lms)
    >>> summary["plm_count"], summary["indices_per"]
    (4, 'hour_of_recording')
    """
    check_option("rules", rules, RULES)
    opts = ScoringOptions.from_kwargs(**options)
    warns: list[str] = []
    lm = _prepare(lms, warns)
    ws, we = _resolve_window(window, recording_s, hypnogram, lm)
    if hypnogram is None:
        warns.append("no hypnogram: indices are per hour of recording in the analysis window, not of sleep")
    n_b = int((lm["side"] == "B").sum())
    if n_b:
        warns.append(
            f"{n_b} leg movement(s) come from a single both-legs source (side B): "
            "bilateral rules cannot be applied to them"
        )

    # unscorable time: per leg, the policy set that leaves the denominators, and the union for series breaks
    u_left = _intervals(unscorable, ("L", "B"))
    u_right = _intervals(unscorable, ("R", "B"))
    u_all = union(np.r_[u_left[0], u_right[0]], np.r_[u_left[1], u_right[1]])
    u_both = intersect(*u_left, *u_right)
    u_policy = u_all if opts.unscorable_policy == "any" else u_both
    # one leg dead for the whole window, the other scorable: score the good leg alone (monolateral rules)
    dead = [name for name, u in (("left", u_left), ("right", u_right)) if _covers(u, ws, we)]
    if opts.one_leg_unscorable == "score_other" and len(dead) == 1 and we > ws:
        good = u_right if dead[0] == "left" else u_left
        u_all = u_policy = good
        other = "right" if dead[0] == "left" else "left"
        warns.append(
            f"the {dead[0]} leg EMG is unscorable for the whole analysis window: the {other} leg was scored alone "
            "(monolateral rules; movements on the two legs cannot be merged into bilateral ones), so the counts "
            "and indices may be underestimated (option one_leg_unscorable='score_other')"
        )

    on = lm["onset_s"]
    side = lm["side"]
    reason = np.full(on.size, None, dtype=object)
    outside = (on < ws) | (on >= we)
    own = np.where(side == "L", point_in(on, *u_left), np.where(side == "R", point_in(on, *u_right), False))
    bad = (own | point_in(on, *u_policy) | ((side == "B") & point_in(on, *u_all))) & ~outside
    short = (lm["offset_s"] - on < opts.min_lm_s - EPS_S) & ~outside & ~bad
    reason[outside] = "outside_window"
    reason[bad] = "unscorable"
    reason[short] = "too_short"
    scope = ~(outside | bad | short)
    lm_in = take(lm, scope)

    if rules == "wasm2016":
        mov, _ = movements_wasm2016(lm_in, resp=resp_events, u_on=u_all[0], u_off=u_all[1], opts=opts)
        rule_reason = np.full(lm_in["onset_s"].size, None, dtype=object)
    else:
        mov, _, rule_reason = movements_aasm(lm_in, resp=resp_events, u_on=u_all[0], u_off=u_all[1], opts=opts)
    reason[np.flatnonzero(scope)] = rule_reason
    is_excl = np.not_equal(reason, None)
    events = _events_table(mov, take(lm, is_excl), reason[is_excl], hypnogram, arousals, opts)
    seq = events[events["in_sequence"].to_numpy()]

    summary = summarize(
        seq,
        n_resp_excluded=int((reason == "respiratory").sum()),
        rules=rules,
        hypnogram=hypnogram,
        window=(ws, we),
        recording_s=recording_s,
        u_any=u_policy,
        u_left=u_left,
        u_right=u_right,
        resp_given=resp_events is not None,
        arousals_given=arousals is not None,
        opts=opts,
    )
    if hypnogram is not None and summary["tst_min"] == 0:
        warns.append("the hypnogram holds no sleep inside the analysis window: sleep indices are null")
    if summary["tib_min"] > 0 and summary["unscorable_min"] >= summary["tib_min"] - 1e-9:
        # nothing could be scored: the counts are unknown, not 0 (a count of 0 would read as "no movements")
        summary.update(dict.fromkeys(_UNSCORED_COUNTS))
        warns.append(
            "the leg EMG is unscorable for the whole analysis window: no leg movement could be scored, so every "
            "leg-movement count and index is null (unknown, not 0); check the leg electrodes and the recording "
            "or export settings, then score the night again"
        )
    elif summary["lm_count"] == 0:
        warns.append("no leg movements inside the analysis window")
    params = {"rules": rules, **opts.to_dict(), "window_s": [ws, we]}
    for w in warns:
        logger.info("scoring: %s", w)
    return ScoreResult(events=events, summary=summary, params=params, warnings=warns)
