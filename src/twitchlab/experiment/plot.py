"""Figure of an experiment: nightly rate coloured by condition, with block boundaries."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

__all__ = ["COLOURS", "OUTCOME_LABELS", "outcome_label", "plot_nights", "png_base64"]

#: Condition colours (colour-blind safe pair from the Okabe-Ito palette).
COLOURS = {"intervention": "#0072B2", "control": "#E69F00", "washout": "#999999"}

#: What each outcome counts, in words: (long label, short axis label). Both are rates per hour of sleep.
OUTCOME_LABELS = {
    "plm_count": ("periodic leg movements during sleep (PLMS) per hour of sleep", "PLMS per hour of sleep"),
    "lm_count": ("leg movements (LM, whole night) per hour of sleep", "LMs per hour of sleep"),
}


def outcome_label(outcome: str, *, short: bool = False) -> str:
    """Return what ``outcome`` measures, e.g. ``"periodic leg movements during sleep (PLMS) per hour of sleep"``."""
    long, axis = OUTCOME_LABELS.get(outcome, (f"{outcome} per hour of sleep", f"{outcome} per hour of sleep"))
    return axis if short else long


def plot_nights(table: pd.DataFrame, *, title: str = "", outcome: str = "plm_count") -> Figure:
    """Plot movements per hour of sleep for each night.

    Parameters
    ----------
    table : pandas.DataFrame
        Per-night table (``night_date``, ``block``, ``condition``, ``washout``, ``count``, ``hours``).
    title : str
        Figure title.
    outcome : str
        Name of the count, for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
        Dots per night (filled: intervention / control; grey: washout), dashed lines between blocks and a
        line at each condition's mean. Nights without data are × in a separate row below the plot,
        labelled "no data", never on the value axis (where they would look like a rate of 0).
    """
    fig = Figure(figsize=(9, 3.9), dpi=110)
    grid = fig.add_gridspec(2, 1, height_ratios=(12, 1), hspace=0.08)
    ax = fig.add_subplot(grid[0])
    strip = fig.add_subplot(grid[1], sharex=ax)  # nights without data: their own row, off the value axis
    dates = pd.to_datetime(table["night_date"])
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = table["count"].to_numpy(float) / table["hours"].to_numpy(float)
    washout = table["washout"].to_numpy(bool)
    has = np.isfinite(rate)
    for cond in ("intervention", "control"):
        sel = (table["condition"] == cond).to_numpy() & ~washout & has
        ax.scatter(dates[sel], rate[sel], s=22, color=COLOURS[cond], label=cond, zorder=3)
        if sel.any():
            mean = float(np.sum(table["count"].to_numpy(float)[sel]) / np.sum(table["hours"].to_numpy(float)[sel]))
            ax.axhline(mean, color=COLOURS[cond], lw=1, alpha=0.6, zorder=1)
    sel = washout & has
    if sel.any():
        ax.scatter(dates[sel], rate[sel], s=18, facecolors="none", edgecolors=COLOURS["washout"], label="washout")
    miss = ~has
    strip.scatter(dates[miss], np.zeros(miss.sum()), marker="x", s=14, color="#666666", zorder=2)
    strip.set_ylim(-1, 1)
    strip.set_yticks([0], ["no data"], fontsize=8)
    strip.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        strip.spines[side].set_visible(False)
    ax.tick_params(axis="x", labelbottom=False)
    if miss.any():
        ax.add_line(Line2D([], [], ls="none", marker="x", ms=4, color="#666666", label="no data"))
    block = table["block"].to_numpy()
    for i in np.flatnonzero(np.diff(block) != 0) + 1:
        ax.axvline(dates.iloc[i] - timedelta(hours=12), color="#444444", lw=0.8, ls="--", zorder=0)
        strip.axvline(dates.iloc[i] - timedelta(hours=12), color="#444444", lw=0.8, ls="--", zorder=0)
    for b in np.unique(block):  # light band per block in its condition's colour
        rows = np.flatnonzero(block == b)
        cond = table["condition"].iloc[rows[0]]
        strip.axvspan(
            dates.iloc[rows[0]] - timedelta(hours=12),
            dates.iloc[rows[-1]] + timedelta(hours=12),
            color=COLOURS[cond],
            alpha=0.07,
            lw=0,
        )
        ax.axvspan(
            dates.iloc[rows[0]] - timedelta(hours=12),
            dates.iloc[rows[-1]] + timedelta(hours=12),
            color=COLOURS[cond],
            alpha=0.07,
            lw=0,
        )
    ax.set_ylabel(outcome_label(outcome, short=True))
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", fontsize=8, ncol=4, frameon=False)
    fig.autofmt_xdate()
    fig.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=0.2)
    return fig


def png_base64(fig: Figure) -> str:
    """Render a figure to a base64 PNG string (for a self-contained HTML page)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")
