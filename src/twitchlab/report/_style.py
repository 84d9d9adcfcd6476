"""Shared look of the report figures: colours, stage order, axis helpers.

Colours follow the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness and in greyscale print.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Periodic leg movements (part of a PLM series).
PLM = "#D55E00"
#: Leg movements outside a series.
LM_OTHER = "#7A7A7A"
#: Movements during wake.
LM_WAKE = "#56B4E9"
#: Respiratory-associated movements.
RESP = "#0072B2"
#: Scorable / unscorable signal.
GOOD = "#009E73"
BAD = "#CC3311"
#: Legs.
SIDE_COLORS = {"L": "#0072B2", "R": "#E69F00", "B": "#CC79A7"}
SIDE_NAMES = {"L": "left leg", "R": "right leg", "B": "both legs (bilateral)"}

#: Hypnogram rows, top to bottom (wake on top, deep sleep at the bottom, as clinicians draw it).
STAGE_ROWS = ("W", "R", "N1", "N2", "N3")
STAGE_NAMES = {"W": "Wake", "R": "REM", "N1": "N1", "N2": "N2", "N3": "N3"}
STAGE_Y = {lab: len(STAGE_ROWS) - 1 - i for i, lab in enumerate(STAGE_ROWS)}

BASE_RC: dict[str, Any] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "figure.dpi": 100,
    "savefig.bbox": "tight",
}

#: Narrow (phone) figures: one point larger throughout, as the image is shown about 400 CSS px wide.
NARROW_RC: dict[str, Any] = {
    **BASE_RC,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 10.5,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
}


def lm_rows(events: pd.DataFrame) -> pd.DataFrame:
    """Rows of type ``lm`` sorted by onset (a copy)."""
    if events is None or len(events) == 0 or "type" not in events.columns:
        return pd.DataFrame(columns=["onset_s", "offset_s", "side", "is_plm", "stage"])
    return events[events["type"] == "lm"].sort_values("onset_s", kind="stable").copy()


def as_bool(series: pd.Series | None, n: int) -> np.ndarray:
    """Boolean array from a possibly missing or nullable column."""
    if series is None:
        return np.zeros(n, dtype=bool)
    return series.astype(object).where(series.notna(), False).astype(bool).to_numpy()


def hour_axis(ax: Any, end_h: float, *, max_ticks: int | None = None) -> None:
    """Label an x axis in hours from the recording start, with a tick every hour (every 2 h past 12 h).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose x axis is in hours.
    end_h : float
        End of the night in hours.
    max_ticks : int, optional
        At most this many ticks (narrow figures): the step grows to 2, 3, 4, 6 or 12 h as needed.
    """
    step = 1 if end_h <= 12 else 2
    if max_ticks is not None:
        step = next((s for s in (1, 2, 3, 4, 6, 12) if s >= step and end_h / s + 1 <= max_ticks), 24)
    ax.set_xticks(np.arange(0, end_h + 1e-9, step))
    ax.set_xlim(0, max(end_h, 0.25))
    ax.set_xlabel("hours from the start of the recording")


def empty_note(ax: Any, text: str) -> None:
    """Write a centred grey note in an axis that has nothing to show."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#555555", fontsize=10, wrap=True)


#: One colour per twitch kind of SCORING_SPEC §5 (Okabe-Ito; rows are labelled, so colour only helps).
TWITCH_COLORS = {
    "hypnic_jerk": "#D55E00",
    "fragmentary_myoclonus": "#7A7A7A",
    "hypnagogic_foot_tremor": "#009E73",
    "alma": "#0072B2",
    "rhythmic_movement": "#CC79A7",
    "long_contraction": "#E69F00",
    "rem_twitch": "#CC3311",
}
#: RSWA bars: above a reference value, not above it, no reference value.
RSWA_ABOVE = "#D55E00"
RSWA_BELOW = "#0072B2"
RSWA_NOREF = "#8FBFDF"
