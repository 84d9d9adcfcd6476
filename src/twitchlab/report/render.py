"""Write the night report: one self-contained HTML file and a PDF with the same content.

The HTML embeds its figures as base64 PNG and its CSS inline, and carries the
events table both as an HTML table and as a CSV ``data:`` link, so it opens
offline and can be mailed as one file. Each figure comes twice: 11 in wide, and
:data:`~twitchlab.report.figures.NARROW_WIDTH_IN` wide in a ``<picture>``
``<source media="(max-width: 40rem)">`` that phones show instead. The PDF is drawn with matplotlib
(:mod:`twitchlab.report.pdf`), so no system packages are needed.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from twitchlab._util import atomic_write
from twitchlab.errors import ParameterError, check_option
from twitchlab.report import figures as figs
from twitchlab.report._quality import quality_summary
from twitchlab.report.content import build_context, sig3
from twitchlab.results import events_to_csv, to_jsonable

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from twitchlab.results import NightResult

__all__ = [
    "EVENT_DISPLAY_COLUMNS",
    "events_csv",
    "events_display",
    "figure_png",
    "findings_to_html",
    "narrow_figures_png",
    "render_html",
    "write_report",
]

logger = logging.getLogger(__name__)

FORMATS = ("html", "pdf", "csv")
_LEG_NAMES = {"L": "Left leg", "R": "Right leg", "B": "Both legs"}

#: Columns of the clinician's events table (SCORING_SPEC §6 names), with ``onset`` as h:mm:ss.
EVENT_DISPLAY_COLUMNS = (
    "event_id", "type", "onset", "onset_s", "duration_s", "side", "stage", "is_clm", "is_plm", "series_id",
    "imi_s", "resp_associated", "arousal_associated", "excluded_reason",
)  # fmt: skip
_NUMERIC = {"event_id", "onset_s", "duration_s", "series_id", "imi_s"}


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("twitchlab.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def figure_png(fig: Figure, *, dpi: int = 110) -> bytes:
    """Render a figure to PNG bytes and release it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    fig.clear()
    return buf.getvalue()


def _cell(col: str, value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else ""
    if col == "onset":
        s = float(value)
        return f"{int(s // 3600)}:{int(s % 3600 // 60):02d}:{s % 60:04.1f}"
    if col in ("onset_s", "duration_s", "imi_s"):
        return f"{float(value):.3f}"  # seconds to the millisecond
    if isinstance(value, (float, np.floating)):
        return sig3(float(value))
    return str(value)


def events_display(result: NightResult) -> list[dict[str, str]]:
    """Rows of the events table as strings for the HTML and PDF tables (one dict per event)."""
    ev = result.events
    if len(ev) == 0:
        return []
    cols = {c: (ev["onset_s"] if c == "onset" else ev[c]).astype(object).tolist() for c in EVENT_DISPLAY_COLUMNS
            if c == "onset" or c in ev.columns}  # fmt: skip
    return [{c: _cell(c, cols[c][i]) if c in cols else "" for c in EVENT_DISPLAY_COLUMNS} for i in range(len(ev))]


def events_csv(result: NightResult) -> str:
    """The full events table (every column) as CSV text, rounded for reading; missing values are empty cells.

    Seconds to the millisecond, µV to 0.01, other decimals to 3 significant digits
    (:func:`twitchlab.results.events_to_csv`).
    """
    return events_to_csv(result.events)


def findings_to_html(findings: Any) -> Markup | None:
    """HTML of triage findings, or ``None`` when there are none.

    A ``TriageReport`` or a sequence of ``Finding`` goes through
    :func:`twitchlab.assess.render.render_findings_html`; anything else (plain dicts, strings) is shown as a
    list item each (its ``sentence``/``text`` attribute or key, else ``str``).
    """
    if findings is None or (hasattr(findings, "__len__") and len(findings) == 0):
        return None
    try:
        from twitchlab.assess.render import render_findings_html
    except ImportError:  # pragma: no cover - assess not installed
        render_findings_html = None
    structured = hasattr(findings, "findings") or (
        isinstance(findings, Iterable) and all(hasattr(f, "kind") and hasattr(f, "title") for f in findings)
    )
    if render_findings_html is not None and structured:
        return Markup(render_findings_html(findings))
    items = findings if isinstance(findings, Iterable) and not isinstance(findings, (str, dict)) else [findings]
    lis = []
    for f in items:
        text = (
            (f.get("sentence") or f.get("text") if isinstance(f, dict) else getattr(f, "sentence", None))
            or getattr(f, "text", None)
            or str(f)
        )
        lis.append(f"<li>{html.escape(str(text))}</li>")
    return Markup("<ul>" + "".join(lis) + "</ul>")


def html_to_text(fragment: str) -> list[str]:
    """Paragraphs of plain text from an HTML fragment (for the PDF)."""
    blocks = re.split(r"</?(?:p|li|h\d|tr|div|ul|ol|br)[^>]*>", fragment, flags=re.IGNORECASE)
    out = []
    for b in blocks:
        text = html.unescape(re.sub(r"<[^>]+>", " ", b))
        text = re.sub(r"\s+", " ", text).strip()
        if text:
            out.append(text)
    return out


def _title_source(result: NightResult) -> str | None:
    for item in result.inputs:
        if item.get("path"):
            return Path(str(item["path"])).name
    return None


def report_context(result: NightResult, *, findings: Any = None) -> dict[str, Any]:
    """Template context shared by the HTML and the PDF (figures not included)."""
    ctx = build_context(result)
    ctx["summary_json"] = to_jsonable(result.summary)
    ctx["findings_html"] = findings_to_html(findings)
    window = (result.summary.get("analysis_start_s"), result.summary.get("analysis_end_s"))
    ctx["quality_rows"] = [{**q, "name": _LEG_NAMES.get(str(q["leg"]), str(q["leg"]))}
                           for q in quality_summary(result.quality, window)]  # fmt: skip
    ctx["events_rows"] = events_display(result)
    ctx["events_header"] = list(EVENT_DISPLAY_COLUMNS)
    ctx["numeric_cols"] = _NUMERIC
    ctx["title_source"] = _title_source(result)
    ctx["generated_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ctx["alts"] = {key: alt for key, _, alt in (*figs.FIGURES, *figs.TWITCH_FIGURES)}
    return ctx


def narrow_figures_png(result: NightResult, keys: Iterable[str]) -> dict[str, bytes]:
    """The report's figures drawn for small screens (:data:`~twitchlab.report.figures.NARROW_WIDTH_IN` wide).

    Parameters
    ----------
    result : NightResult
        Scored night.
    keys : iterable of str
        Figure keys of :data:`~twitchlab.report.figures.FIGURES` or
        :data:`~twitchlab.report.figures.TWITCH_FIGURES`; other keys are skipped.

    Returns
    -------
    dict of str to bytes
        PNG per key, at the dpi of :func:`figure_png`.
    """
    fns = {key: fn for key, fn, _ in (*figs.FIGURES, *figs.TWITCH_FIGURES)}
    return {key: figure_png(fns[key](result, width_in=figs.NARROW_WIDTH_IN)) for key in keys if key in fns}


def render_html(
    result: NightResult,
    *,
    findings: Any = None,
    figures_png: dict[str, bytes] | None = None,
    context: dict[str, Any] | None = None,
    figures_narrow_png: dict[str, bytes] | None = None,
) -> str:
    """Render the report as one self-contained HTML string.

    Parameters
    ----------
    result : NightResult
        Scored night.
    findings : optional
        Triage findings (see :func:`findings_to_html`); the section is left out when ``None``.
    figures_png : dict of str to bytes, optional
        PNG per figure key of :data:`twitchlab.report.figures.FIGURES`; drawn when not given. The twitch
        figures (:data:`~twitchlab.report.figures.TWITCH_FIGURES`) are drawn when the section needs them and
        they are not given.
    context : dict, optional
        A context from :func:`report_context` to reuse.
    figures_narrow_png : dict of str to bytes, optional
        PNG per figure key for screens up to 40rem wide (phones), served through ``<picture><source>``;
        drawn at :data:`~twitchlab.report.figures.NARROW_WIDTH_IN` for every figure when not given. A
        figure without one (e.g. ``figures_narrow_png={}``) is shown wide on every screen.

    Returns
    -------
    str
        The HTML document.
    """
    ctx = dict(context) if context is not None else report_context(result, findings=findings)
    if figures_png is None:
        figures_png = {key: figure_png(fn(result)) for key, fn, _ in figs.FIGURES}
    figures_png = dict(figures_png)
    for key, fn, _ in figs.TWITCH_FIGURES:  # only with the "What kind of twitches" section
        if key in ctx["twitch_figures"] and key not in figures_png:
            figures_png[key] = figure_png(fn(result))
    if figures_narrow_png is None:
        figures_narrow_png = narrow_figures_png(result, figures_png)
    ctx["figures"] = {k: base64.b64encode(v).decode("ascii") for k, v in figures_png.items()}
    ctx["figures_narrow"] = {k: base64.b64encode(v).decode("ascii") for k, v in figures_narrow_png.items()}
    ctx["events_csv_b64"] = base64.b64encode(events_csv(result).encode("utf-8")).decode("ascii")
    ctx["csv_name"] = f"{Path(ctx['title_source'] or 'night').stem}-events.csv"
    return _env().get_template("report.html.j2").render(**ctx)


def write_report(
    result: NightResult,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = ("html", "pdf"),
    findings: Any = None,
) -> dict[str, Path]:
    """Write the night report into ``out_dir``.

    Parameters
    ----------
    result : NightResult
        Scored night (from :func:`twitchlab.pipeline.analyze`).
    out_dir : path-like
        Folder, created when missing. Files: ``report.html``, ``report.pdf`` and, with ``"csv"``,
        ``events.csv``. Existing files are replaced atomically.
    formats : sequence of {"html", "pdf", "csv"}
        What to write.
    findings : optional
        Triage findings from :mod:`twitchlab.assess`; adds a findings section when given.

    Returns
    -------
    dict of str to Path
        Written file per format.

    Raises
    ------
    ParameterError
        When ``formats`` is empty or names an unknown format.
    """
    if not formats:
        raise ParameterError("formats is empty; pass one or more of 'html', 'pdf', 'csv'.")
    for f in formats:
        check_option("formats", f, FORMATS)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = report_context(result, findings=findings)
    written: dict[str, Path] = {}
    if "html" in formats:
        pngs = {key: figure_png(fn(result)) for key, fn, _ in figs.FIGURES}
        text = render_html(result, figures_png=pngs, context=ctx)
        with atomic_write(out / "report.html") as fh:
            fh.write(text)
        written["html"] = out / "report.html"
    if "pdf" in formats:
        from twitchlab.report.pdf import write_pdf

        findings_text = html_to_text(str(ctx["findings_html"])) if ctx["findings_html"] else []
        write_pdf(result, out / "report.pdf", context=ctx, findings_text=findings_text)
        written["pdf"] = out / "report.pdf"
    if "csv" in formats:
        with atomic_write(out / "events.csv") as fh:
            fh.write(events_csv(result))
        written["csv"] = out / "events.csv"
    logger.info("report written: %s", ", ".join(str(p) for p in written.values()))
    return written
