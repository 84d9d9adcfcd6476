"""``score_night``: leg movements + hypnogram + respiratory and arousal events → events table and summary."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError, check_option
from twitchlab.model import STAGE_LABELS, Hypnogram, make_events
from twitchlab.score.aasm import movements_aasm
from twitchlab.score.association import arousal_associated
from twitchlab.score.indices import summarize
from twitchlab.score.intervals import intersect, point_in, union
from twitchlab.score.options import RULES, ScoringOptions
from twitchlab.score.wasm2016 import movements_wasm2016

__all__ = ["ScoreResult", "prepare_lms", "score_night"]

logger = logging.getLogger(__name__)

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
    warn = warnings if warnings is not None else []
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
    if "side" in lms:
        raw = lms["side"].astype(object).where(lms["side"].notna(), "B").astype(str).str.strip().str.lower()
        side = raw.map(_SIDE_MAP)
        if side.isna().any():
            bad = sorted(set(raw[side.isna()]))
            raise ParameterError(f"LM sides {bad} are not L, R or B (left/right/both)")
    else:
        side = pd.Series(["B"] * len(lms), index=lms.index)
    n = len(lms)

    def col(name: str, default: Any, dtype: Any) -> np.ndarray:
        return lms[name].to_numpy(dtype) if name in lms else np.full(n, default, dtype=dtype)

    out = pd.DataFrame(
        {
            "onset_s": on,
            "offset_s": off,
            "side": side.to_numpy(object),
            "peak_amp_uv": col("peak_amp_uv", np.nan, float),
            "source": col("source", None, object),
            "label_original": col("label_original", None, object),
        }
    )
    out = out.sort_values(["onset_s", "offset_s", "side"], kind="stable").reset_index(drop=True)
    dup = out.duplicated(["onset_s", "offset_s", "side"])
    if dup.any():
        warn.append(f"{int(dup.sum())} duplicate leg movement(s) (same leg, onset and offset) counted once")
        out = out[~dup].reset_index(drop=True)
    return out


def _intervals(df: pd.DataFrame | None, sides: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    if df is None or len(df) == 0:
        return np.empty(0), np.empty(0)
    sel = df["side"].astype(str).str.upper().isin(sides) if "side" in df else np.ones(len(df), bool)
    d = df[sel]
    return union(d["onset_s"].to_numpy(float), d["offset_s"].to_numpy(float))


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
    lms: pd.DataFrame,
) -> tuple[float, float]:
    start, end = window if window is not None else (None, None)
    if end is None:
        if recording_s is not None:
            end = recording_s
        elif hyp is not None:
            end = hyp.end_s
        else:
            end = float(lms["offset_s"].max()) if len(lms) else 0.0
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
    lm = prepare_lms(lms, warns)
    ws, we = _resolve_window(window, recording_s, hypnogram, lm)
    if hypnogram is None:
        warns.append("no hypnogram: indices are per hour of recording in the analysis window, not of sleep")
    if (lm["side"] == "B").any():
        warns.append(
            f"{int((lm['side'] == 'B').sum())} leg movement(s) come from a single both-legs source (side B): "
            "bilateral rules cannot be applied to them"
        )

    # unscorable time: per leg, the policy set that leaves the denominators, and the union for series breaks
    u_left = _intervals(unscorable, ("L", "B"))
    u_right = _intervals(unscorable, ("R", "B"))
    u_all = union(np.r_[u_left[0], u_right[0]], np.r_[u_left[1], u_right[1]])
    u_both = intersect(*u_left, *u_right)
    u_policy = u_all if opts.unscorable_policy == "any" else u_both

    on = lm["onset_s"].to_numpy(float)
    side = lm["side"].to_numpy(object)
    reason = np.full(len(lm), None, dtype=object)
    outside = (on < ws) | (on >= we)
    own = np.where(side == "L", point_in(on, *u_left), np.where(side == "R", point_in(on, *u_right), False))
    bad = (own | point_in(on, *u_policy) | ((side == "B") & point_in(on, *u_all))) & ~outside
    short = (lm["offset_s"].to_numpy(float) - on < opts.min_lm_s - 1e-6) & ~outside & ~bad
    reason[outside] = "outside_window"
    reason[bad] = "unscorable"
    reason[short] = "too_short"
    scope = reason == None  # noqa: E711  (object array)
    lm_in = lm[scope].reset_index(drop=True)

    if rules == "wasm2016":
        mov, _ = movements_wasm2016(lm_in, resp=resp_events, u_on=u_all[0], u_off=u_all[1], opts=opts)
        rule_reason = np.full(len(lm_in), None, dtype=object)
    else:
        mov, _, rule_reason = movements_aasm(lm_in, resp=resp_events, u_on=u_all[0], u_off=u_all[1], opts=opts)
    reason_in = reason.copy()
    reason_in[np.flatnonzero(scope)] = rule_reason
    excl = lm[reason_in != None].copy()  # noqa: E711
    excl["excluded_reason"] = reason_in[reason_in != None]  # noqa: E711

    mov = mov.assign(
        type="lm", in_sequence=True, series_id=pd.array(np.where(mov["series"] >= 0, mov["series"], None).tolist(),
                                                            dtype="Int64")
    ).drop(columns=["series", "max_monolateral_s"])  # fmt: skip
    excl = excl.assign(
        type="lm",
        in_sequence=False,
        n_monolateral=1,
        is_clm=False,
        is_plm=False,
        is_plm_nr=None,
        resp_associated=excl["excluded_reason"].to_numpy(object) == "respiratory",
    )
    rows = pd.concat([mov, excl], ignore_index=True) if len(excl) else mov
    rows["is_plm_nr"] = pd.array(rows["is_plm_nr"].astype(object).tolist(), dtype="boolean")
    rows["stage"] = _stage_labels(hypnogram, rows["onset_s"].to_numpy(float))
    rows["arousal_associated"] = arousal_associated(
        rows["onset_s"].to_numpy(float), rows["offset_s"].to_numpy(float), arousals, gap_s=opts.arousal_gap_s
    )
    events = make_events(rows)
    extras = ["n_monolateral", "in_sequence", "is_plm_nr"]
    events = events[[c for c in events.columns if c not in extras] + extras]
    events["n_monolateral"] = events["n_monolateral"].astype(np.int64)
    events["in_sequence"] = events["in_sequence"].astype(bool)

    summary = summarize(
        events,
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
    if summary["lm_count"] == 0:
        warns.append("no leg movements inside the analysis window")
    params = {"rules": rules, **opts.to_dict(), "window_s": [ws, we]}
    for w in warns:
        logger.info("scoring: %s", w)
    return ScoreResult(events=events, summary=summary, params=params, warnings=warns)
