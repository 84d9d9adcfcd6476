"""Figures of one night, as functions that take a :class:`~twitchlab.results.NightResult`.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot,
so nothing is shown or kept in a global figure list: display it in a notebook,
save it with ``fig.savefig(...)``, or let :func:`twitchlab.report.write_report`
embed it. Times are hours from the recording start.

Every function takes ``width_in``. Below :data:`NARROW_BELOW_IN` (the HTML report's phone version is drawn
at :data:`NARROW_WIDTH_IN`) the layout changes so the text stays readable when the image is shown about 420
CSS px wide: long titles and labels wrap, axes get fewer ticks, legends move below the plot, and the figure
gets taller. Wider figures (the HTML's 11 in, the PDF's page width) are drawn as before.

Examples
--------
>>> from twitchlab.report import figures  # doctest: +SKIP
>>> fig = figures.plot_hypnogram(result)  # doctest: +SKIP
>>> fig.savefig("hypnogram.png", dpi=150)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from twitchlab.report import _style as st
from twitchlab.report._quality import quality_by_epoch
from twitchlab.report.wording import (
    SINBAR_CHIN_ARMS_PCT,
    SINBAR_CHIN_PCT,
    TWITCH_EVENT_TYPES,
    pct_text,
    twitch_null_reason,
)
from twitchlab.results import imi_histogram

if TYPE_CHECKING:  # pragma: no cover
    from twitchlab.results import NightResult

__all__ = [
    "FIGURES",
    "NARROW_BELOW_IN",
    "NARROW_WIDTH_IN",
    "TWITCH_FIGURES",
    "is_narrow",
    "night_end_s",
    "plot_duration_histogram",
    "plot_hourly_counts",
    "plot_hypnogram",
    "plot_imi_histogram",
    "plot_quality",
    "plot_rswa",
    "plot_stimulus_psth",
    "plot_twitch_raster",
    "twitch_types_present",
]

logger = logging.getLogger(__name__)

_SLEEP = ("N1", "N2", "N3", "R")

#: Width (inches) of the figures the HTML report serves to small screens: about 420 CSS px on a phone.
NARROW_WIDTH_IN = 4.6
#: Figures narrower than this (inches) get the narrow layout; the PDF (6.9 in) and the HTML (11 in) do not.
NARROW_BELOW_IN = 6.0


def is_narrow(width_in: float) -> bool:
    """Whether a figure ``width_in`` inches wide gets the narrow (phone) layout.

    Parameters
    ----------
    width_in : float
        Figure width in inches.

    Returns
    -------
    bool
        ``True`` below :data:`NARROW_BELOW_IN`.
    """
    return width_in < NARROW_BELOW_IN


def _rc(width_in: float) -> dict:
    """Matplotlib settings of a figure this wide: one point larger on a phone."""
    return st.NARROW_RC if is_narrow(width_in) else st.BASE_RC


def _legend_ncol(labels: Sequence[str], width_in: float, fontsize: float = 9.0) -> int:
    """Most legend columns whose estimated width (handle, text, spacing) fits in the figure width."""
    widths = [(0.6 * len(lab) + 4.8) * fontsize for lab in labels]  # text + handle, padding, column spacing
    for ncol in range(len(labels), 1, -1):
        rows = [widths[i::ncol] for i in range(ncol)]  # legend entries fill column by column
        if sum(max(r) for r in rows if r) <= width_in * 72 - 16:
            return ncol
    return 1


def _legend_below(fig: Figure, handles: Sequence, width_in: float, fontsize: float | None = None) -> None:
    """Narrow layout: the legend under the plot, centred, in as many columns as fit the width."""
    labels = [h.get_label() for h in handles]
    fontsize = float(mpl.rcParams["legend.fontsize"]) if fontsize is None else fontsize
    fig.legend(handles=list(handles), labels=labels, loc="outside lower center",
               ncol=_legend_ncol(labels, width_in, fontsize), fontsize=fontsize)  # fmt: skip


def _layout_texts(fig: Figure) -> list[Text]:
    """Titles, axis labels, legend entries and notes of a figure: the texts that may wrap (not tick labels)."""
    ticks = {
        id(lab)
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis)
        for tick in axis.get_major_ticks() + axis.get_minor_ticks()
        for lab in (tick.label1, tick.label2)
    }
    return [
        t for t in fig.findobj(Text)
        if id(t) not in ticks and t.get_visible() and t.get_text().strip() and t.get_rotation() % 180 == 0
    ]  # fmt: skip


def _fit_texts(fig: Figure, *, pad: float = 0.04) -> Figure:
    """Narrow layout: wrap (``textwrap``) every title, label or note that runs past its edge.

    The figure is laid out, each horizontal text is measured and its long lines are wrapped to the width
    left between its anchor and the edge: the axes' edge for notes drawn in an axes (``ax.texts``; their
    ``wrap=True`` would wrap to the figure's edge, over the tick labels), the figure's for the rest.
    Repeated until everything fits (at most four rounds). ``pad`` (a share of the figure width) is kept
    free at the figure's edges: text does not widen exactly in proportion to the dpi (glyph hinting), and
    the PNG is saved at another dpi than this layout's.
    """
    if not is_narrow(fig.get_figwidth()):
        return fig
    notes = {id(t) for ax in fig.axes for t in ax.texts}
    for t in _layout_texts(fig):
        t.set_wrap(False)  # wrapped here instead
        if id(t) in notes:
            t.set_in_layout(False)  # an overlong note must not squeeze its axes before it is wrapped into them
    for _ in range(4):
        fig.draw_without_rendering()
        changed = False
        for t in _layout_texts(fig):
            if id(t) in notes:
                lo, hi = t.axes.bbox.x0 + 2, t.axes.bbox.x1 - 2
            else:
                lo, hi = fig.bbox.x0 + pad * fig.bbox.width, fig.bbox.x1 - pad * fig.bbox.width
            bb = t.get_window_extent()  # the figure's own renderer, after the layout above
            ha = t.get_horizontalalignment()
            if ha == "left":  # anchored on the left: only its right end can come in
                fits, room = bb.x1 <= hi, hi - bb.x0
            elif ha == "right":
                fits, room = bb.x0 >= lo, bb.x1 - lo
            else:
                mid = 0.5 * (bb.x0 + bb.x1)
                fits, room = bb.x0 >= lo and bb.x1 <= hi, 2 * min(mid - lo, hi - mid)
            if fits:
                continue
            lines = t.get_text().split("\n")
            chars = max(int(max(map(len, lines)) * max(room, 1.0) / bb.width * 0.95), 8)
            wrapped = "\n".join(
                textwrap.fill(line, chars, break_long_words=False) if len(line) > chars else line for line in lines
            )
            if wrapped != t.get_text():
                t.set_text(wrapped)
                changed = True
        if not changed:
            break
    return fig


def _title(ax, text: str) -> None:
    """Title a one-panel figure: over the axes, or (narrow) from the figure's left edge, to use the full width."""
    if is_narrow(ax.figure.get_figwidth()):
        ax.figure.suptitle(text, x=0.02, ha="left", fontweight="bold", fontsize=mpl.rcParams["axes.titlesize"])
    else:
        ax.set_title(text)


def _wrap(text: str, chars: int) -> str:
    """Each line of ``text`` wrapped to ``chars`` characters (narrow tick labels)."""
    return "\n".join(textwrap.fill(line, chars) for line in text.split("\n"))


def night_end_s(result: NightResult) -> float:
    """End of the night in seconds: the recording length, else the hypnogram end, else the last event."""
    candidates = [result.summary.get("recording_s"), result.summary.get("analysis_end_s")]
    if result.hypnogram is not None:
        candidates.append(result.hypnogram.end_s)
    if len(result.events):
        candidates.append(float(np.nanmax(result.events["offset_s"].to_numpy(float))))
    vals = [float(v) for v in candidates if v is not None and np.isfinite(float(v))]
    return max(vals) if vals else 0.0


def _shade_outside_window(ax, result: NightResult) -> None:
    """Grey out time before lights-off and after lights-on (outside the analysis window)."""
    lo = result.summary.get("analysis_start_s")
    hi = result.summary.get("analysis_end_s")
    end_h = night_end_s(result) / 3600
    if lo is not None and lo > 0:
        ax.axvspan(0, lo / 3600, color="#000000", alpha=0.06, lw=0)
    if hi is not None and hi / 3600 < end_h:
        ax.axvspan(hi / 3600, end_h, color="#000000", alpha=0.06, lw=0)


def plot_hypnogram(result: NightResult, *, width_in: float = 11.0) -> Figure:
    """Hypnogram with every leg movement and the PLM series drawn under it.

    Top panel: sleep stages (wake on top, REM in red). Bottom panel: one row per leg
    (left, right, and bilateral movements when the legs were merged), each movement a tick;
    periodic movements (PLM) in orange-red, others in grey, respiratory-associated ones
    with a blue dot; bars on the last row span each PLM series.

    Parameters
    ----------
    result : NightResult
        Scored night.
    width_in : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    narrow = is_narrow(width_in)
    with mpl.rc_context(_rc(width_in)):
        fig = Figure(figsize=(width_in, 5.9 if narrow else 5.0), layout="constrained")
        ax_h, ax_lm = fig.subplots(2, 1, sharex=True, height_ratios=[1.5, 1.25])
        end_h = night_end_s(result) / 3600
        _draw_stages(ax_h, result)
        _draw_lm_raster(ax_lm, result)
        for ax in (ax_h, ax_lm):
            _shade_outside_window(ax, result)
        st.hour_axis(ax_lm, end_h, max_ticks=10 if narrow else None)
        ax_h.set_xlabel("")
        _title(ax_h, "Sleep stages and leg movements through the night")
        _fit_texts(fig)
    return fig


def _draw_stages(ax, result: NightResult) -> None:
    hyp = result.hypnogram
    ax.set_yticks(list(st.STAGE_Y.values()), [st.STAGE_NAMES[k] for k in st.STAGE_Y])
    ax.set_ylim(-0.6, len(st.STAGE_ROWS) - 0.4)
    if hyp is None or hyp.n_epochs == 0:
        st.empty_note(ax, "No sleep stages were available for this night.")
        return
    labels = hyp.labels
    y = np.array([st.STAGE_Y.get(lab, np.nan) for lab in labels], dtype=float)
    t = (hyp.epoch_onsets_s()) / 3600
    t_edges = np.r_[t, t[-1] + hyp.epoch_s / 3600]
    ax.stairs(y, t_edges, baseline=None, color="#333333", lw=1.1)
    rem = np.array([lab == "R" for lab in labels])
    if rem.any():
        ax.hlines(np.full(rem.sum(), st.STAGE_Y["R"]), t[rem], t[rem] + hyp.epoch_s / 3600, color="#CC3311", lw=4)
    unscored = np.isnan(y).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.r_[0, unscored, 0]))  # runs of unscored epochs: one span each
    for i0, i1 in zip(edges[::2], edges[1::2], strict=True):
        ax.axvspan(t_edges[i0], t_edges[i1], color="#BBBBBB", alpha=0.5, lw=0)
    ax.grid(axis="y", color="#EEEEEE", lw=0.8)


def _draw_lm_raster(ax, result: NightResult) -> None:
    lm = st.lm_rows(result.events)
    sides = [s for s in ("L", "R", "B") if (lm["side"] == s).any()] if len(lm) else []
    if not sides:
        sides = ["L", "R"]
    rows = {s: len(sides) - i for i, s in enumerate(sides)}  # left leg on top
    names = {"L": "Left leg", "R": "Right leg", "B": "Both legs"}
    ticks = [*list(rows.values()), 0]
    ax.set_yticks(ticks, [*(names[s] for s in rows), "PLM series"])
    ax.set_ylim(-0.6, len(sides) + 0.6)
    for spine in ("left",):
        ax.spines[spine].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if len(lm) == 0:
        st.empty_note(ax, _no_lm_note(result))
        return
    n = len(lm)
    is_plm = st.as_bool(lm.get("is_plm"), n)
    resp = st.as_bool(lm.get("resp_associated"), n)
    onset_h = lm["onset_s"].to_numpy(float) / 3600
    side = lm["side"].to_numpy(object)
    for s, yrow in rows.items():
        here = side == s
        for mask, color, z in ((here & ~is_plm, st.LM_OTHER, 2), (here & is_plm, st.PLM, 3)):
            if mask.any():
                ax.vlines(onset_h[mask], yrow - 0.35, yrow + 0.35, color=color, lw=0.8, zorder=z)
        rmask = here & resp
        if rmask.any():
            ax.plot(onset_h[rmask], np.full(rmask.sum(), yrow + 0.45), "o", ms=2.5, color=st.RESP, zorder=4)
    if "series_id" in lm.columns:
        sid = lm["series_id"]
        valid = sid.notna().to_numpy()
        if valid.any():
            grp = lm.loc[valid].groupby(sid[valid].astype("int64"))
            starts = grp["onset_s"].min().to_numpy(float) / 3600
            ends = grp["offset_s"].max().to_numpy(float) / 3600
            ax.hlines(np.zeros(starts.size), starts, np.maximum(ends, starts + 0.02), color=st.PLM, lw=7)
    handles = [
        Line2D([], [], color=st.PLM, lw=2, label="periodic movement (PLM)"),
        Line2D([], [], color=st.LM_OTHER, lw=2, label="other leg movement"),
        Line2D([], [], color=st.RESP, marker="o", ls="", ms=4, label="linked to a breathing event"),
        Line2D([], [], color=st.PLM, lw=6, label="PLM series"),
    ]
    if not resp.any():
        handles.pop(2)
    if is_narrow(ax.figure.get_figwidth()):
        _legend_below(ax.figure, handles, ax.figure.get_figwidth())
        return
    wide = ax.figure.get_figwidth() >= 9
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.32 if wide else -0.45),
              ncol=len(handles) if wide else 2)  # fmt: skip


def _no_lm_note(result: NightResult) -> str:
    """What an empty movement plot means: none found, or the leg signal could not be scored at all."""
    from twitchlab.report.wording import leg_unscored

    if leg_unscored(result):
        return "The leg signal could not be scored: movements unknown."
    return "No leg movements were found."


def plot_hourly_counts(result: NightResult, *, width_in: float = 11.0) -> Figure:
    """Leg movements per hour of the recording, split into periodic, other (in sleep), and in wake.

    Parameters
    ----------
    result : NightResult
        Scored night.
    width_in : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    narrow = is_narrow(width_in)
    with mpl.rc_context(_rc(width_in)):
        fig = Figure(figsize=(width_in, 3.9 if narrow else 3.2), layout="constrained")
        ax = fig.subplots()
        end_h = night_end_s(result) / 3600
        n_hours = max(int(np.ceil(end_h - 1e-9)), 1)
        edges = np.arange(n_hours + 1)
        lm = st.lm_rows(result.events)
        onset_h = lm["onset_s"].to_numpy(float) / 3600
        is_plm = st.as_bool(lm.get("is_plm"), len(lm))
        stage = lm["stage"].to_numpy(object) if "stage" in lm.columns else np.full(len(lm), None, dtype=object)
        wake = np.isin(stage, ["W"])
        staged = result.hypnogram is not None
        groups = (
            ("periodic (PLM)", is_plm & ~wake, st.PLM),
            ("other, in sleep" if staged else "other (sleep unknown)", ~is_plm & ~wake, st.LM_OTHER),
            *((("in wake", wake, st.LM_WAKE),) if staged else ()),
        )
        bottom = np.zeros(n_hours)
        for label, mask, color in groups:
            counts, _ = np.histogram(onset_h[mask], bins=edges)
            ax.bar(edges[:-1] + 0.5, counts, width=0.8, bottom=bottom, color=color, label=label)
            bottom += counts
        # narrow: totals only when the widest fits over its bar (about 0.8 of the plot's share per hour)
        small = 9 if narrow else 8
        widest = 0.6 * small * len(str(int(bottom.max()))) if n_hours else 0.0
        labelled = not narrow or widest <= 0.8 * (width_in - 0.8) * 72 / n_hours
        for x, total in zip(edges[:-1] + 0.5, bottom, strict=True):
            if total > 0 and labelled:
                ax.text(x, total, f"{int(total)}", ha="center", va="bottom", fontsize=small, color="#333333")
        if narrow:  # hour edges instead of "0-1 h" under each bar
            ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, steps=[1, 2, 3, 6, 10]))
            ax.set_xlabel("hours from the start of the recording")
        else:
            ax.set_xticks(edges[:-1] + 0.5, [f"{h}-{h + 1} h" for h in edges[:-1]])
        ax.set_xlim(0, n_hours)
        ax.set_ylabel("leg movements")
        ax.set_ylim(0, max(bottom.max() * 1.15, 1))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5 if narrow else 10, integer=True))
        _title(ax, "Leg movements in each hour of the night")
        if narrow:
            _legend_below(fig, ax.get_legend_handles_labels()[0], width_in)
        else:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        if len(lm) == 0:
            st.empty_note(ax, _no_lm_note(result))
        _fit_texts(fig)
    return fig


def plot_imi_histogram(result: NightResult, *, width_in: float = 11.0) -> Figure:
    """Intervals between consecutive candidate movements, linear (0-90 s) and log scale, sleep and wake.

    Periodic movements come every 10-90 s by WASM 2016 (5-90 s by AASM; shaded by the rule set used), so a
    peak there, typically around 20-40 s, marks periodicity; shorter intervals are short-interval movements.

    Parameters
    ----------
    result : NightResult
        Scored night.
    width_in : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Ferri R, et al. WASM 2016 standards for recording and scoring leg movements in polysomnograms.
    Sleep Med 2016;26:86-95.
    """
    from twitchlab.report.wording import rule_text

    lo = float(rule_text(result)["imi_min_s"])  # the rule set's shortest periodic interval (WASM 10 s, AASM 5 s)
    narrow = is_narrow(width_in)
    with mpl.rc_context(_rc(width_in)):
        fig = Figure(figsize=(width_in, 6.2 if narrow else 5.4), layout="constrained")
        axes = fig.subplots(2, 2)
        for col, stage in enumerate(("sleep", "wake")):
            lin = imi_histogram(result.events, stage=stage, log=False)
            log = imi_histogram(result.events, stage=stage, log=True)
            n = int(lin["count"].sum())
            ax = axes[0, col]
            left = lin["bin_left"].to_numpy(float)
            widths = np.where(np.isfinite(lin["bin_right"]), lin["bin_right"] - left, 4.0)
            ax.axvspan(lo, 90, color=st.PLM, alpha=0.08, lw=0)
            ax.bar(left, lin["count"], width=widths, align="edge", color=st.PLM if stage == "sleep" else st.LM_WAKE)
            ax.set_xlim(0, 94)
            if narrow:
                ax.set_xticks([0, 30, 60, 90], ["0", "30", "60", "90+"])
            else:
                ax.set_xticks([0, 10, 20, 30, 40, 50, 60, 70, 80, 90], ["0", "10", "20", "30", "40", "50", "60",
                                                                         "70", "80", "90+"])  # fmt: skip
            ax.set_xlabel("seconds (2-s bins)")
            ax.set_title(f"In {stage}:{chr(10) if narrow else ' '}{n} intervals")
            ax = axes[1, col]
            lleft = log["bin_left"].to_numpy(float)
            ax.axvspan(np.log(lo), np.log(90), color=st.PLM, alpha=0.08, lw=0)
            ax.bar(lleft, log["count"], width=np.diff(np.r_[lleft, log["bin_right"].iloc[-1]]), align="edge",
                   color=st.PLM if stage == "sleep" else st.LM_WAKE)  # fmt: skip
            secs = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] if width_in >= 9 else [1, 3, 10, 30, 90, 300, 1000]
            if narrow:
                secs = [1, 10, 100, 1000]
            ax.set_xticks(np.log(secs), [f"{s:g}" for s in secs])
            ax.set_xlim(lleft[0], log["bin_right"].iloc[-1])
            ax.set_xlabel("seconds (log scale)")
            for ax in axes[:, col]:
                ax.set_ylabel("" if narrow and col else "intervals")
                ax.yaxis.set_major_locator(MaxNLocator(nbins=4 if narrow else 10, integer=True))
                if n == 0:
                    ax.set_ylim(0, 1)
                    ax.set_yticks([])
                    note = f"No intervals between candidate movements in {stage}."
                    st.empty_note(ax, _wrap(note, 18) if narrow else note)  # narrow: within its half
        fig.suptitle(
            f"Time from one movement to the next\n(shaded: {lo:g}-90 s, the range of periodic movements)",
            x=0.01, ha="left", fontweight="bold", fontsize=12 if narrow else 11, linespacing=1.4,
        )  # fmt: skip
        _fit_texts(fig)
    return fig


def plot_duration_histogram(result: NightResult, *, width_in: float = 11.0) -> Figure:
    """How long the leg movements lasted (0.5-s bins), one colour per leg, with the candidate limits.

    Parameters
    ----------
    result : NightResult
        Scored night.
    width_in : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from twitchlab.report.wording import rule_text

    narrow = is_narrow(width_in)
    with mpl.rc_context(_rc(width_in)):
        fig = Figure(figsize=(width_in, 3.9 if narrow else 3.2), layout="constrained")
        ax = fig.subplots()
        lm = st.lm_rows(result.events)
        dur = (lm["offset_s"].to_numpy(float) - lm["onset_s"].to_numpy(float)) if len(lm) else np.array([])
        edges = np.r_[np.arange(0.0, 15.01, 0.5), 16.0]
        clipped = np.minimum(dur, 15.5)
        bottom = np.zeros(edges.size - 1)
        side = lm["side"].to_numpy(object) if len(lm) else np.array([], dtype=object)
        for s in ("L", "R", "B"):
            mask = side == s
            if not mask.any():
                continue
            counts, _ = np.histogram(clipped[mask], bins=edges)
            ax.bar(edges[:-1], counts, width=np.diff(edges) * 0.9, align="edge", bottom=bottom,
                   color=st.SIDE_COLORS[s], label=st.SIDE_NAMES[s])  # fmt: skip
            bottom += counts
        top = max(bottom.max(), 1)
        limits = [(0.5, "0.5 s: shortest leg movement", "left"), (10.0, "10 s: longest candidate, one leg", "right")]
        if (side == "B").any() and rule_text(result)["bilateral_max_s"]:  # WASM 2016 only
            limits.append((15.0, "15 s: longest, both legs", "right"))
        for i, (x, txt, ha) in enumerate(limits):
            ax.axvline(x, color="#333333", ls="--" if x < 15 else ":", lw=0.9)
            dx = 0.12 if ha == "left" else -0.12
            if narrow:  # two short lines each, side by side between the limits, all on one level
                ax.text(x + dx, top * 1.38, _wrap(txt, 18), fontsize=9, va="top", ha=ha, color="#333333")
            else:
                ax.text(x + dx, top * (1.16 - 0.1 * i), txt, fontsize=8, va="top", ha=ha, color="#333333")
        ax.set_xlim(0, 16)
        ax.set_ylim(0, top * (1.4 if narrow else 1.2))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5 if narrow else 10, integer=True))
        if narrow:
            ax.set_xticks([0.5, 4, 8, 12, 15.5], ["0.5", "4", "8", "12", ">15"])
        else:
            ax.set_xticks([0.5, 2, 4, 6, 8, 10, 12, 14, 15.5], ["0.5", "2", "4", "6", "8", "10", "12", "14", ">15"])
        ax.set_xlabel("duration of the movement (seconds)")
        ax.set_ylabel("leg movements")
        _title(ax, "How long each leg movement lasted")
        if len(lm) and narrow:
            _legend_below(fig, ax.get_legend_handles_labels()[0], width_in)
        elif len(lm):
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        else:
            st.empty_note(ax, _no_lm_note(result))
        _fit_texts(fig)
    return fig


def plot_quality(result: NightResult, *, width_in: float = 11.0) -> Figure:
    """Signal quality per leg through the night: which epochs could be scored.

    Each leg is a strip of 30-s epochs, green when scorable and red when not (flat line,
    clipping, disconnection, noise); the title gives the scorable minutes per leg.

    Parameters
    ----------
    result : NightResult
        Scored night; ``result.quality`` may be ``None`` (then the figure says so).
    width_in : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    narrow = is_narrow(width_in)
    with mpl.rc_context(_rc(width_in)):
        q = quality_by_epoch(result.quality)
        legs = list(q) if q else []
        height = 1.1 + 0.55 * max(len(legs), 1) + (0.8 if narrow else 0.0)  # narrow: wrapped title, legend below
        fig = Figure(figsize=(width_in, height), layout="constrained")
        ax = fig.subplots()
        end_h = night_end_s(result) / 3600
        st.hour_axis(ax, end_h, max_ticks=10 if narrow else None)
        _title(ax, "Could each leg's signal be scored? (green: yes, red: no)")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        if not legs:
            ax.set_yticks([])
            st.empty_note(ax, "Signal quality was not measured (movements came from annotations, not from EMG).")
            return _fit_texts(fig)
        names = {"L": "Left leg", "R": "Right leg", "B": "Both legs"}
        for i, leg in enumerate(legs):
            frame = q[leg]
            y = len(legs) - 1 - i
            on = frame["onset_s"].to_numpy(float) / 3600
            dur = frame["duration_s"].to_numpy(float) / 3600
            ok = frame["scorable"].to_numpy(bool)
            for mask, color in ((ok, st.GOOD), (~ok, st.BAD)):
                if mask.any():
                    ax.broken_barh(list(zip(on[mask], dur[mask], strict=True)), (y - 0.35, 0.7), color=color, lw=0)
        ax.set_yticks(range(len(legs) - 1, -1, -1), [names.get(leg, str(leg)) for leg in legs])
        ax.set_ylim(-0.6, len(legs) - 0.4)
        handles = [Patch(color=st.GOOD, label="scorable"), Patch(color=st.BAD, label="not scorable")]
        if narrow:
            _legend_below(fig, handles, width_in)
        else:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _fit_texts(fig)
    return fig


def twitch_types_present(result: NightResult) -> list[str]:
    """Event types of SCORING_SPEC §5 found in ``result.events``, in report order."""
    ev = result.events
    if ev is None or len(ev) == 0 or "type" not in ev.columns:
        return []
    have = set(ev["type"].astype(str))
    return [t for t in TWITCH_EVENT_TYPES if t in have]


def plot_twitch_raster(result: NightResult, *, width_in: float = 11.0) -> Figure:
    """What kind of twitches, and when: the hypnogram on top, one row per twitch kind below.

    Each row is one event type of SCORING_SPEC §5 present in ``result.events`` (sleep starts, fragmentary
    myoclonus, foot tremor, ALMA, rhythmic movements, long contractions, REM twitches), with a tick at every
    event's onset and a bar over its duration (visible for trains and long contractions); the row label gives
    the count. Leg movements are in :func:`plot_hypnogram`.

    Parameters
    ----------
    result : NightResult
        Scored night (with the twitch kinds measured, e.g. ``analyze(..., twitches="all")``).
    width_in : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_twitch_raster(result)  # doctest: +SKIP
    >>> fig.savefig("twitches.png", dpi=150)  # doctest: +SKIP
    """
    present = twitch_types_present(result)
    n = max(len(present), 1)
    narrow = is_narrow(width_in)
    row_in = 0.5 if narrow else 0.36  # narrow: the row labels wrap onto two lines
    with mpl.rc_context(_rc(width_in)):
        fig = Figure(figsize=(width_in, (3.0 if narrow else 2.6) + row_in * n), layout="constrained")
        ax_h, ax_t = fig.subplots(2, 1, sharex=True, height_ratios=[1.5, 0.25 + 0.33 * n * row_in / 0.36])
        end_h = night_end_s(result) / 3600
        _draw_stages(ax_h, result)
        for ax in (ax_h, ax_t):
            _shade_outside_window(ax, result)
        st.hour_axis(ax_t, end_h, max_ticks=10 if narrow else None)
        ax_h.set_xlabel("")
        _title(ax_h, "Sleep stages and the kinds of twitches through the night")
        ax_t.spines["left"].set_visible(False)
        ax_t.tick_params(axis="y", length=0)
        ax_t.set_ylim(-0.6, n - 0.4)
        if not present:
            ax_t.set_yticks([])
            st.empty_note(ax_t, "No sleep starts, flickers, tremor, rhythmic movements, long contractions or "
                                "REM twitches were found.")  # fmt: skip
            return _fit_texts(fig)
        ev = result.events
        labels = []
        for i, etype in enumerate(present):
            y = n - 1 - i  # first kind on top
            rows = ev[ev["type"] == etype]
            on = rows["onset_s"].to_numpy(float) / 3600
            off = rows["offset_s"].to_numpy(float) / 3600
            color = st.TWITCH_COLORS[etype]
            ax_t.vlines(on, y - 0.32, y + 0.32, color=color, lw=0.8)
            long = (off - on) * 3600 >= 1.0
            if long.any():
                spans = list(zip(on[long], (off - on)[long], strict=True))
                ax_t.broken_barh(spans, (y - 0.32, 0.64), color=color, alpha=0.45, lw=0)
            labels.append(f"{TWITCH_EVENT_TYPES[etype]} ({len(rows)})")
        ax_t.set_yticks(range(n - 1, -1, -1), [_wrap(lab, 17) for lab in labels] if narrow else labels)
        _fit_texts(fig)
    return fig


#: Bars of the RSWA figure: summary key, label, reference value (SINBAR) or None.
_RSWA_BARS = (
    ("rswa_tonic_pct", "Sustained chin tone\n(AASM tonic, % of 30-s epochs)", None),
    ("rswa_phasic_pct", "Many chin twitches\n(AASM phasic, % of 30-s epochs)", None),
    ("rswa_any_pct", "Any chin activity\n(SINBAR, % of 3-s mini-epochs)", SINBAR_CHIN_PCT),
    ("rswa_any_fds_pct", "Chin or arms\n(SINBAR, % of 3-s mini-epochs)", SINBAR_CHIN_ARMS_PCT),
)


def plot_rswa(result: NightResult, *, width_in: float = 11.0) -> Figure:
    """REM sleep without atonia: the chin (and arm) activity percentages against their reference values.

    One bar each for ``rswa_tonic_pct`` and ``rswa_phasic_pct`` (AASM, % of the scored 30-s REM epochs),
    ``rswa_any_pct`` (SINBAR "any", % of 3-s REM mini-epochs) with the 18 % reference, and, when both arms
    were recorded, ``rswa_any_fds_pct`` with the 32 % reference (dashed lines). Bars above a reference are
    orange-red. The title gives ``rem_epochs_scored``. A null value reads "not measured" with its reason.
    A measurement, never a diagnosis.

    Parameters
    ----------
    result : NightResult
        Scored night.
    width_in : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Frauscher B, et al. Normative EMG values during REM sleep for the diagnosis of REM sleep behavior
    disorder. Sleep 2012;35(6):835-847.
    """
    s = result.summary
    bars = [b for b in _RSWA_BARS if b[0] != "rswa_any_fds_pct" or s.get(b[0]) is not None]
    narrow = is_narrow(width_in)
    with mpl.rc_context(_rc(width_in)):
        fig = Figure(figsize=(width_in, (1.9 + 0.8 * len(bars)) if narrow else (1.1 + 0.62 * len(bars))),
                     layout="constrained")  # fmt: skip
        ax = fig.subplots()
        n_ep = s.get("rem_epochs_scored")
        wide = width_in >= 9
        scored = f"{': ' if wide else chr(10)}{int(n_ep)} REM epochs scored" if isinstance(n_ep, (int, float)) else ""
        _title(ax, f"Muscle activity in dream (REM) sleep{scored}")
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.6, len(bars) - 0.4)
        step = 25 if narrow else 10 if wide else 20
        ax.set_xticks(range(0, 101, step), [f"{x} %" for x in range(0, 101, step)])
        ax.set_xlabel("share of the REM sleep scored" + ("; " if wide else "\n")
                      + "dashed lines: SINBAR reference values (Frauscher et al. 2012)")  # fmt: skip
        ax.tick_params(axis="y", length=0, **({"pad": 10} if narrow else {}))  # narrow: apart from a "0 %"
        ax.spines["left"].set_visible(False)
        ax.set_yticks(range(len(bars) - 1, -1, -1), [_wrap(label, 20) if narrow else label for _, label, _ in bars])
        if all(s.get(k) is None for k, _, _ in bars):
            reason = twitch_null_reason("rswa_any_pct", result)
            st.empty_note(ax, f"Not measured: {reason}.")
            return _fit_texts(fig)
        for i, (key, _, cut) in enumerate(bars):
            y = len(bars) - 1 - i
            val = s.get(key)
            if cut is not None:
                ax.vlines(cut, y - 0.42, y + 0.42, color="#000000", ls=(0, (3, 2)), lw=1.6, zorder=3)
                ax.text(cut + 0.8, y + 0.44, f"reference {cut:g} %", fontsize=9 if narrow else 8, color="#222222",
                        va="top", ha="left", zorder=4)  # fmt: skip
            if val is None:
                why = twitch_null_reason(key, result)
                ax.text(1, y, f"not measured: {why}", va="center", fontsize=9.5 if narrow else 8.5, color="#555555",
                        style="italic")  # fmt: skip
                continue
            v = float(val)
            color = st.RSWA_NOREF if cut is None else (st.RSWA_ABOVE if v > cut else st.RSWA_BELOW)
            ax.barh(y, v, height=0.5, color=color, zorder=2)
            if narrow and v > 70:  # no room right of a long bar on a phone: the value inside it, in white
                ax.text(v - 1.5, y, pct_text(v, cut), va="center", ha="right", fontsize=10, fontweight="bold",
                        color="#FFFFFF", zorder=3)  # fmt: skip
            else:
                x = v + 0.8
                # narrow: a label that would run across its reference line goes right of the line instead
                pt_per_pct = (width_in - 1.9) * 72 / 100  # about 1.9 in go to the row labels
                if narrow and cut is not None and v < cut < x + 0.62 * 10 * len(pct_text(v, cut)) / pt_per_pct:
                    x = cut + 1.2
                ax.text(x, y, pct_text(v, cut), va="center", fontsize=10 if narrow else 9, fontweight="bold",
                        color="#222222")  # fmt: skip
        _fit_texts(fig)
    return fig


def stimulus_psth_params(result: NightResult) -> dict | None:
    """The peri-stimulus histogram of a night (``params.twitches.stimulus_linked``), or ``None``."""
    p = ((result.params or {}).get("twitches") or {}).get("stimulus_linked")
    if not isinstance(p, dict) or not p.get("psth_counts") or not p.get("psth_edges_s"):
        return None
    return p


def plot_stimulus_psth(result: NightResult, *, width_in: float = 11.0) -> Figure:
    """Jerks around the stimuli: a peri-stimulus time histogram.

    Bars count the jerks (sleep starts, REM twitches, fragmentary potentials, leg movements) whose onset fell
    in each bin relative to a stimulus (sound or light annotation); the shaded band is the latency window in
    which a jerk counts as linked, and the dashed line the count per bin expected by chance from the jerk rate
    before the stimuli. A peak inside the band well above the line is what "time-locked" means.

    Parameters
    ----------
    result : NightResult
        Scored night with stimulus annotations.
    width_in : float
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    p = stimulus_psth_params(result) or {}
    counts = np.asarray(p.get("psth_counts") or [], dtype=float)
    edges = np.asarray(p.get("psth_edges_s") or [], dtype=float)
    n_stim = result.summary.get("stimulus_count")
    narrow = is_narrow(width_in)
    with mpl.rc_context(_rc(width_in)):
        fig = Figure(figsize=(width_in, 3.6 if narrow else 2.8), layout="constrained")
        ax = fig.subplots()
        _title(ax, f"Jerks around the {int(n_stim) if n_stim else 0} sounds or lights (time 0: the stimulus)")
        ax.set_xlabel("seconds from the stimulus")
        ax.set_ylabel("jerks")
        if counts.size == 0 or edges.size != counts.size + 1:
            st.empty_note(ax, "Not measured: no stimulus annotations.")
            return _fit_texts(fig)
        lo, hi = p.get("window_s") or (None, None)
        if lo is not None:
            ax.axvspan(float(lo), float(hi), color="#F0E442", alpha=0.45, lw=0, zorder=0, label="counts as linked")
        ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="#0072B2", zorder=2, label="jerks")
        ax.axvline(0, color="#000000", lw=1.2, zorder=3)
        rate = p.get("chance_rate_hz")
        if rate is not None and n_stim:
            expected = float(rate) * float(n_stim) * float(np.diff(edges).mean())
            ax.axhline(expected, color="#D55E00", ls=(0, (4, 2)), lw=1.4, zorder=3, label="expected by chance")
        ax.set_xlim(edges[0], edges[-1])
        ax.set_ylim(0, max(1.0, float(counts.max()) * 1.15))
        if narrow:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            _legend_below(fig, ax.get_legend_handles_labels()[0], width_in, fontsize=9)
        else:
            ax.legend(loc="upper right", fontsize=8, frameon=False)
        _fit_texts(fig)
    return fig


#: Report figures in order: (key, function, alt text for the HTML image).
FIGURES = (
    ("hypnogram", plot_hypnogram, "Sleep stages through the night with each leg movement and PLM series below"),
    ("hourly", plot_hourly_counts, "Bar chart of leg movements per hour of the night"),
    ("imi", plot_imi_histogram, "Histograms of the time between consecutive movements, in sleep and in wake"),
    ("duration", plot_duration_histogram, "Histogram of how long each leg movement lasted"),
    ("quality", plot_quality, "Strips showing which parts of each leg's signal could be scored"),
)

#: Figures of the "What kind of twitches" section (drawn only when that section is shown).
TWITCH_FIGURES = (
    ("twitch_raster", plot_twitch_raster, "Sleep stages through the night with one row of ticks per kind of twitch"),
    ("rswa", plot_rswa, "Bars of chin muscle activity in REM sleep against the SINBAR reference values"),
    ("stimulus_psth", plot_stimulus_psth, "Histogram of jerks in the seconds before and after each sound or light"),
)
