"""Night report: figures, a self-contained HTML page and a PDF with the same content.

Public API::

    from twitchlab.report import write_report, figures
    paths = write_report(result, "out/")          # {"html": Path, "pdf": Path}
    fig = figures.plot_hypnogram(result)          # matplotlib Figure, for notebooks
    fig = figures.plot_twitch_raster(result)      # kinds of twitches over the hypnogram
"""

from __future__ import annotations

from twitchlab.report import figures
from twitchlab.report.figures import (
    plot_duration_histogram,
    plot_hourly_counts,
    plot_hypnogram,
    plot_imi_histogram,
    plot_quality,
    plot_rswa,
    plot_twitch_raster,
)
from twitchlab.report.render import render_html, write_report

__all__ = [
    "figures",
    "plot_duration_histogram",
    "plot_hourly_counts",
    "plot_hypnogram",
    "plot_imi_histogram",
    "plot_quality",
    "plot_rswa",
    "plot_twitch_raster",
    "render_html",
    "write_report",
]
