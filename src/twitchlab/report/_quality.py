"""Read the per-leg, per-epoch signal-quality table of a result into one shape for the report.

The EMG detector fills ``NightResult.quality``; this module accepts the column
names it may use (``side``/``leg``, ``onset_s``/``start_s``/``epoch``, ``offset_s``/``duration_s``,
``scorable``/``scorable_frac``, ``reason``/``state``) so that the report does not break
when that table gains columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twitchlab.model import EPOCH_S

__all__ = ["quality_by_epoch", "quality_summary"]

_SIDE_ALIASES = {
    "l": "L", "left": "L", "leg_left": "L", "r": "R", "right": "R", "leg_right": "R",
    "b": "B", "both": "B", "leg_both": "B",
}  # fmt: skip


def _pick(df: pd.DataFrame, *names: str) -> str | None:
    return next((n for n in names if n in df.columns), None)


def quality_by_epoch(quality: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """Split a quality table into one frame per leg with ``onset_s``, ``duration_s``, ``scorable``, ``reason``.

    Parameters
    ----------
    quality : DataFrame or None
        ``NightResult.quality``.

    Returns
    -------
    dict of str to DataFrame
        Keyed ``"L"``, ``"R"`` or ``"B"`` (or the raw leg name), in that order; empty when there is
        no usable table.
    """
    if quality is None or len(quality) == 0:
        return {}
    side_col = _pick(quality, "side", "leg", "channel_role", "channel")
    t_col = _pick(quality, "onset_s", "start_s", "epoch_onset_s")
    ok_col = _pick(quality, "scorable", "is_scorable", "ok")
    frac_col = _pick(quality, "scorable_frac", "scorable_fraction", "fraction_scorable")
    if side_col is None or (ok_col is None and frac_col is None):
        return {}
    dur_col = _pick(quality, "duration_s", "epoch_s")
    q = pd.DataFrame(index=quality.index)
    q["leg"] = [_SIDE_ALIASES.get(str(v).strip().lower(), str(v)) for v in quality[side_col]]
    if t_col is not None:
        q["onset_s"] = quality[t_col].astype(float)
    elif "epoch" in quality.columns:
        q["onset_s"] = quality["epoch"].astype(float) * EPOCH_S
    else:
        return {}
    if dur_col:
        q["duration_s"] = quality[dur_col].astype(float)
    elif "offset_s" in quality.columns:
        q["duration_s"] = quality["offset_s"].astype(float) - q["onset_s"]
    else:
        q["duration_s"] = EPOCH_S
    if ok_col is not None:
        q["scorable"] = quality[ok_col].astype(object).where(quality[ok_col].notna(), False).astype(bool)
    else:
        q["scorable"] = quality[frac_col].astype(float).fillna(0.0) >= 0.5
    reason_col = _pick(quality, "reason", "problem", "state", "flag")
    reason = quality[reason_col].astype(object) if reason_col else pd.Series(None, index=quality.index, dtype=object)
    q["reason"] = reason.where(~reason.isin(["ok", "", "None"]) & reason.notna(), None)
    order = {"L": 0, "R": 1, "B": 2}
    legs = sorted(q["leg"].unique(), key=lambda s: (order.get(s, 9), s))
    return {leg: q[q["leg"] == leg].sort_values("onset_s").reset_index(drop=True) for leg in legs}


def quality_summary(
    quality: pd.DataFrame | None, window_s: tuple[float | None, float | None] = (None, None)
) -> list[dict[str, object]]:
    """Scorable minutes, total minutes and the commonest problems per leg.

    Parameters
    ----------
    quality : DataFrame or None
        ``NightResult.quality``.
    window_s : (start, end)
        Analysis window in seconds (lights off to lights on); epochs are clipped to it so the
        minutes match ``scorable_min_left``/``scorable_min_right`` of the summary. ``None``: no limit.

    Returns
    -------
    list of dict
        ``leg``, ``scorable_min``, ``total_min``, ``pct`` (0-100 or None) and ``problems``
        (``"reason (n min)"`` strings, most frequent first).
    """
    out: list[dict[str, object]] = []
    lo = -np.inf if window_s[0] is None else float(window_s[0])
    hi = np.inf if window_s[1] is None else float(window_s[1])
    for leg, frame in quality_by_epoch(quality).items():
        on = frame["onset_s"].to_numpy(float)
        dur = np.clip(np.minimum(on + frame["duration_s"].to_numpy(float), hi) - np.maximum(on, lo), 0, None)
        frame = frame.assign(duration_s=dur)
        ok = frame["scorable"].to_numpy(bool)
        total = float(dur.sum()) / 60
        good = float(dur[ok].sum()) / 60
        bad = frame.loc[~ok]
        problems = []
        if len(bad) and bad["reason"].notna().any():
            mins = bad.groupby(bad["reason"].astype(str))["duration_s"].sum().sort_values(ascending=False) / 60
            problems = [f"{r.replace('_', ' ')} ({m:.{0 if m >= 10 else 1}f} min)" for r, m in mins.items()]
        out.append(
            {
                "leg": leg,
                "scorable_min": good,
                "total_min": total,
                "pct": 100.0 * good / total if total > 0 and np.isfinite(total) else None,
                "problems": problems,
            }
        )
    return out
