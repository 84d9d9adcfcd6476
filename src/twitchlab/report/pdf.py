"""The PDF version of the night report, drawn page by page with matplotlib (A4 portrait).

Text flows down the page and continues on a new one; figures are the same
functions as in the HTML, drawn at page width. Each page gets a running header
and the "not a substitute for medical advice" footer.
"""

from __future__ import annotations

import io
import logging
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.image as mpimg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from twitchlab._util import atomic_write
from twitchlab.report import figures as figs

if TYPE_CHECKING:  # pragma: no cover
    from twitchlab.results import NightResult

__all__ = ["write_pdf"]

logger = logging.getLogger(__name__)

PAGE_W, PAGE_H = 8.27, 11.69  # A4, inches
MARGIN = 0.7
TEXT_W = PAGE_W - 2 * MARGIN
_CHARS_PER_IN_AT_10PT = 14.2  # DejaVu Sans, average prose
_CHARS_PER_IN_CELL = 12.0  # table cells: keep a gap to the next column
_FOOTER = "A measurement, not a diagnosis; not a substitute for medical advice."
_FONT_LINE_EM = 1.17  # DejaVu Sans line height (ascent + descent) in em: matplotlib's "normal" line spacing
_EVENT_COLS = (
    ("event_id", "id", 0.4), ("type", "type", 0.45), ("onset", "onset", 0.62), ("onset_s", "onset_s", 0.62),
    ("duration_s", "dur_s", 0.48), ("side", "side", 0.32), ("stage", "stage", 0.38), ("is_clm", "CLM", 0.34),
    ("is_plm", "PLM", 0.34), ("series_id", "series", 0.42), ("imi_s", "IMI_s", 0.5), ("resp_associated", "resp", 0.36),
    ("arousal_associated", "arousal", 0.48), ("excluded_reason", "excluded", 0.8),
)  # fmt: skip


class _Flow:
    """A cursor that writes blocks down A4 pages and starts a new page when one is full."""

    def __init__(self, pdf: PdfPages, header: str, dpi: int) -> None:
        self.pdf = pdf
        self.dpi = dpi  # of the embedded figure images: pages are saved at it so images are not resampled
        self.header = header
        self.fig: Figure | None = None
        self.y = 0.0
        self.pages: list[str] = []
        #: Draw pages with the PDF core fonts (Helvetica): 5-10x faster for long tables, but only Latin-1 text.
        self.core_fonts = False
        self._headed = False

    # -- pages
    def new_page(self, title: str, *, core_fonts: bool | None = None) -> None:
        self._flush()
        if core_fonts is not None:
            self.core_fonts = core_fonts
        self.fig = Figure(figsize=(PAGE_W, PAGE_H))
        self.fig.text(MARGIN / PAGE_W, 1 - 0.4 / PAGE_H, self.header, fontsize=7.5, color="#666666", va="center",
                      **self._weight({}))  # fmt: skip
        self.y = PAGE_H - MARGIN - 0.05
        self.pages.append(title)
        self._headed = False
        if title.endswith("(continued)"):
            self._text(MARGIN, title, 10, fontweight="bold")
            self.y -= 0.3

    def _flush(self) -> None:
        if self.fig is None:
            return
        n = len(self.pages)
        foot = {"fontsize": 7.5, "color": "#666666", "va": "center", **self._weight({})}
        self.fig.text(MARGIN / PAGE_W, 0.4 / PAGE_H, _FOOTER, **foot)
        self.fig.text(1 - MARGIN / PAGE_W, 0.4 / PAGE_H, f"page {n}", ha="right", **foot)
        with mpl.rc_context({"pdf.use14corefonts": self.core_fonts}):
            self.pdf.savefig(self.fig, dpi=self.dpi)
        self.fig.clear()
        self.fig = None

    def finish(self) -> list[str]:
        self._flush()
        return self.pages

    def need(self, h_in: float, title: str) -> None:
        if self.fig is None or self.y - h_in < MARGIN:
            self.new_page(title)

    def _weight(self, kw: dict[str, Any]) -> dict[str, Any]:
        # the core Helvetica is "medium"; asking for "normal" makes matplotlib log a font warning per text
        if self.core_fonts and kw.get("fontweight", "normal") == "normal":
            kw = {**kw, "fontweight": "medium"}
        return kw

    def _text(self, x_in: float, text: str, size: float, **kw: Any) -> None:
        assert self.fig is not None
        self.fig.text(x_in / PAGE_W, self.y / PAGE_H, text, fontsize=size, va="top", **self._weight(kw))

    # -- blocks
    def heading(self, text: str, size: float = 13.0, *, new_page: bool = False) -> None:
        if new_page:
            self.new_page(text)
        self.need(size / 72 * 1.6 + 0.6, text)  # keep a heading with what follows
        if self._headed:  # the page's title lists every section that starts on it
            self.pages[-1] += f" / {text}"
        else:
            self.pages[-1] = text
            self._headed = True
        self.y -= 0.08
        self._text(MARGIN, text, size, fontweight="bold")
        self.y -= size / 72 * 1.55

    def para(self, text: str, size: float = 9.5, *, indent: float = 0.0, title: str = "continued", **kw: Any) -> None:
        width = int((TEXT_W - indent) * _CHARS_PER_IN_AT_10PT * 10 / size)
        for line in textwrap.wrap(text, width=width) or [""]:
            self.need(size / 72 * 1.45, title)
            self._text(MARGIN + indent, line, size, **kw)
            self.y -= size / 72 * 1.45
        self.y -= size / 72 * 0.5

    def bullets(self, items: list[str], size: float = 9.5) -> None:
        for item in items:
            self.need(size / 72 * 1.45, "continued")
            self._text(MARGIN + 0.1, "•", size)
            self.para(item, size, indent=0.28)

    def table(self, header: list[str], rows: list[list[str]], widths: list[float], size: float = 8.5,
              *, title: str = "continued", wrap: bool = True) -> None:  # fmt: skip
        """Draw a table; cells wrap onto more lines (``wrap``) or are cut with an ellipsis."""
        step = size / 72 * 1.5
        scale = min(1.0, TEXT_W / sum(widths))
        xs = [MARGIN + sum(widths[:i]) * scale for i in range(len(widths))]
        chars = [max(int(w * scale * _CHARS_PER_IN_CELL * 10 / size), 4) for w in widths]

        def draw_header() -> None:
            for x, h in zip(xs, header, strict=True):
                self._text(x, h, size, fontweight="bold")
            self.y -= step
            assert self.fig is not None
            self.fig.add_artist(_hline(self.y + step * 0.25))

        self.need(step * 3, title)
        draw_header()
        if not wrap:  # one text per column and page: thousands of rows stay fast
            todo = [[c if len(c) <= n else c[: n - 1] + "…" for c, n in zip(r, chars, strict=True)] for r in rows]
            row_h = size / 72 * 1.4
            while todo:
                fit = max(int((self.y - MARGIN - 0.2) / row_h), 1)
                chunk, todo = todo[:fit], todo[fit:]
                y0 = self.y
                for r in chunk:  # one text per cell: multi-line texts drift apart between columns
                    for x, cell in zip(xs, r, strict=True):
                        if cell:
                            self._text(x, cell, size)
                    self.y -= row_h
                self.y = y0
                self.y -= row_h * len(chunk)
                if todo:
                    self.new_page(title)
                    draw_header()
            self.y -= step * 0.5
            return
        for row in rows:
            cells = [
                (textwrap.wrap(cell, width=n) or [""]) if wrap else [cell if len(cell) <= n else cell[: n - 1] + "…"]
                for cell, n in zip(row, chars, strict=True)
            ]
            height = step + size / 72 * _FONT_LINE_EM * (max(len(c) for c in cells) - 1)
            if self.y - height < MARGIN:
                self.new_page(title)
                draw_header()
            for x, lines in zip(xs, cells, strict=True):
                self._text(x, "\n".join(lines), size)
            self.y -= height
        self.y -= step * 0.5

    def image(self, png: bytes, width_in: float, height_in: float, title: str) -> None:
        self.need(height_in + 0.1, title)
        assert self.fig is not None
        ax = self.fig.add_axes(
            ((MARGIN / PAGE_W), (self.y - height_in) / PAGE_H, width_in / PAGE_W, height_in / PAGE_H)
        )
        ax.imshow(mpimg.imread(io.BytesIO(png), format="png"), interpolation="antialiased")
        ax.set_axis_off()
        self.y -= height_in + 0.1


def _hline(y_in: float) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([MARGIN / PAGE_W, 1 - MARGIN / PAGE_W], [y_in / PAGE_H] * 2, lw=0.5, color="#999999")


def _figure(flow: _Flow, fn: Any, result: NightResult, title: str, caption: str, dpi: int) -> None:
    fig = fn(result, width_in=TEXT_W)
    w, h = fig.get_size_inches()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches=None)
    fig.clear()
    flow.image(buf.getvalue(), TEXT_W, TEXT_W * h / w, title)
    flow.para(caption, 8.5, color="#444444")


def write_pdf(
    result: NightResult, path: str | Path, *, context: dict[str, Any], findings_text: list[str], dpi: int = 150
) -> list[str]:
    """Write the PDF report and return the title of every page, in order.

    Parameters
    ----------
    result : NightResult
        Scored night.
    path : path-like
        Destination ``.pdf`` (written atomically).
    context : dict
        From :func:`twitchlab.report.render.report_context`.
    findings_text : list of str
        Paragraphs of the triage findings (empty: no findings section).
    dpi : int
        Resolution of the figures (they are embedded as images).

    Returns
    -------
    list of str
        One title per page: the sections that start on it joined by ``" / "``, or ``"... (continued)"``.
    """
    c = context
    buf = io.BytesIO()
    header = f"Leg movements in sleep: night report · {c['title_source'] or ''} · twitchlab {c['version']}"
    meta = {"Title": "twitchlab night report", "Creator": f"twitchlab {c['version']}",
            "CreationDate": datetime.now(UTC)}  # fmt: skip
    with PdfPages(buf, metadata=meta) as pdf:
        flow = _Flow(pdf, header, dpi)
        flow.heading("The short answer", 16, new_page=True)
        for sentence in c["headline"]:
            flow.para(sentence, 12.5)
        flow.para("Not a diagnosis. " + c["not_advice"] + " " + c["what_it_is_not"], 9.5, color="#6b4500")
        if c["accel_caveat"]:
            flow.para("Measured with an accelerometer. " + c["accel_caveat"], 9.5, color="#0b4f80")
        flow.heading("See a clinician, whatever the numbers say, if", 11)
        flow.bullets(list(c["see_clinician"]))
        flow.para("Bring this report: the last part is written for them.")
        _cards(flow, c)

        flow.heading("The night at a glance", 14, new_page=True)
        for key, fn, _ in figs.FIGURES[:2]:
            caption = _CAPTIONS_NO_STAGES.get(key, _CAPTIONS[key]) if c["per_recording"] else _CAPTIONS[key]
            _figure(flow, fn, result, "The night at a glance", caption, dpi)
        flow.heading("Time between movements and how long they lasted", 14, new_page=True)
        for key, fn, _ in figs.FIGURES[2:4]:
            caption = _CAPTIONS[key].format(**c["rule_text"])
            _figure(flow, fn, result, "Time between movements and how long they lasted", caption, dpi)

        if c["twitch_rows"]:
            _twitches(flow, c, result, dpi)
        if findings_text:
            flow.heading("What your answers and this night suggest", 13)
            for p in findings_text:
                flow.para(p)
        flow.heading("All measurements, with reference values", 13)
        flow.para(f"Scored with the {c['rules_name']} rules. Reference values are published levels, not a diagnosis.")
        for title, rows in c["rows"]:
            flow.table([title, "Value", "Reference"],
                       [[r.label, r.text + (f" ({r.reason})" if r.reason else ""), r.reference] for r in rows],
                       [3.1, 1.9, 2.1], size=8, title="All measurements (continued)")  # fmt: skip
        _associated(flow, c)
        _quality(flow, c, result, dpi)
        flow.heading("Warnings", 12)
        flow.bullets(c["warnings"]) if c["warnings"] else flow.para("None.")
        flow.heading("Inputs and software", 12)
        for i in c["inputs"] or [{"path": "none recorded (built in memory)", "kind": "", "sha256": ""}]:
            flow.para(f"{i['path']}" + (f" ({i['kind']})" if i["kind"] else ""), 8.5)
            if i["sha256"]:
                flow.para(f"SHA-256 {i['sha256']}", 7.5, indent=0.2, family="DejaVu Sans Mono")
        flow.para(f"twitchlab {c['version']}; movements from {c['lm_source']}; rule set {c['rules']}.", 9)

        flow.new_page("For the clinician", core_fonts=True)  # from here on ASCII tables: options, every event
        flow.heading("For the clinician", 14)
        rt = c["rule_text"]
        series = rt["series_clinician"].replace("≥", ">=").replace("≤", "<=")
        flow.para(_CLINICIAN_NOTE.format(rules=c["rules_name"], series=series, bilateral=rt["bilateral_plain"]), 9)
        # long values (lists of kinds, channel maps) wrap onto more lines: never cut, never into the next cell
        flow.table(["Option", "Value"], [[k, v] for k, v in c["params"]], [2.9, 4.0], size=7, wrap=True,
                   title="For the clinician (continued)")  # fmt: skip
        flow.heading(f"All events ({len(c['events_rows'])})", 12)
        if c["events_rows"]:
            flow.table([h for _, h, _ in _EVENT_COLS], [[r[k] for k, _, _ in _EVENT_COLS] for r in c["events_rows"]],
                       [w for _, _, w in _EVENT_COLS], size=7, title="All events (continued)", wrap=False)  # fmt: skip
        else:
            flow.para("No events.")
        pages = flow.finish()
    with atomic_write(path, "wb") as fh:
        fh.write(buf.getvalue())
    logger.info("PDF report: %d pages", len(pages))
    return pages


_CAPTIONS = {
    "stimulus_psth": "Jerks in the seconds around each sound or light. Shaded: the window in which a jerk counts as "
    "linked; dashed: what chance would give. A peak in the shaded band well above the line means time-locked jerks.",
    "hypnogram": "Top: sleep stages (wake at the top, REM in red). Below: every leg movement, one row per leg; "
    "periodic ones in orange-red, with bars showing each PLM series.",
    "hourly": "Leg movements in each hour: periodic, other ones in sleep, and while awake.",
    "imi": "Periodic movements repeat every {periodic_short} (shaded): a peak there means clockwork-like movements. "
    "Top: 2-s bins up to 90 s; bottom: log scale. Intervals (IMI) are onset to onset between candidate movements.",
    "duration": "Most leg movements last 0.5 s to a few seconds; {duration_short}.",
    "quality": "Green: the leg's signal could be scored; red: it could not and is left out of every count.",
    "twitch_raster": "Top: sleep stages. Below: one row per kind of twitch found, a line at each one (a bar when it "
    "lasted longer, as a foot-tremor train or a long contraction); the count of each kind is in brackets.",
    "rswa": "In dream (REM) sleep the body is normally almost paralysed. Bars: share of REM sleep with chin "
    "activity (AASM tonic and phasic per 30-s epoch; SINBAR any activity per 3-s piece, reference 18 % for the "
    "chin, 32 % with both arms). Orange-red: above the reference. A measurement, not a diagnosis.",
}

#: Captions that change when no sleep stages were available (indices per hour of recording).
_CAPTIONS_NO_STAGES = {
    "hourly": "Leg movements in each hour of the recording: periodic and other ones (no sleep stages were "
    "available, so sleep and wake are not told apart).",
}

_CLINICIAN_NOTE = (
    "LM scored with {rules}. IMI onset to onset. PLM series: {series}; {bilateral}; the last movement of a series "
    "is counted. Indices are null when their denominator is 0 or unknown. The "
    "ICSD-3 threshold is a measurement criterion; PLMD also requires clinical sleep disturbance not better "
    "explained by another condition. The full events table follows; the HTML report also offers it as CSV."
)


def _twitches(flow: _Flow, c: dict[str, Any], result: NightResult, dpi: int) -> None:
    """The "What kind of twitches" section: one sentence per kind, the raster, RSWA bars, per-stage table."""
    title = "What kind of twitches"
    flow.heading(title, 13)
    flow.para("Besides leg movements, we looked for other kinds of twitches in the muscle signals of this night. "
              "Most of them are common and harmless.", 9.5, title=title)  # fmt: skip
    for t in c["twitch_sentences"]:
        flow.need(9.5 / 72 * 1.45, title)
        flow._text(MARGIN + 0.1, "•", 9.5, color="#D55E00" if t.alert else "#1d1d1f")
        flow.para(t.text, 9.5, indent=0.28, title=title, color="#555555" if not t.measured else "#1d1d1f")
    for key, fn, _ in figs.TWITCH_FIGURES:
        if key in c["twitch_figures"]:
            _figure(flow, fn, result, title + " (continued)", _CAPTIONS[key], dpi)
    if c["twitch_table"]:
        stages = c["twitch_stages"]
        header = ["Kind", "All", *stages.values(), "Night rate", "Reference"]
        rows = []
        for r in c["twitch_table"]:
            if r.reason:
                # the narrow count column cannot hold the words: they go with the reason in the last column
                rows.append([r.label, "—", *([""] * len(stages)), "", f"Not measured: {r.reason}"])
                continue
            cells = [("" if v is None else f"{v[0]}" + (f" ({v[1]})" if v[0] and v[1] else "")) for v in
                     (r.stages.get(st) for st in stages)]  # fmt: skip
            rows.append([r.label, r.total, *cells, r.rate, r.reference])
        flow.table(header, rows, [1.45, 0.4, *([0.62] * len(stages)), 0.75, 1.6], size=7.5,
                   title=title + " (continued)")  # fmt: skip
        flow.para("Counts per sleep stage, with the rate per hour of that stage in brackets.", 8.5, color="#444444")
    if c["twitch_missing"]:
        flow.para("Not measured for this night: "
                  + "; ".join(c["twitch_missing"]) + ".", 8.5, color="#444444")  # fmt: skip
    flow.para("Sleep starts and brief twitches in dream sleep are normal in most people; these counts are "
              "measurements, not diagnoses.", 8.5, color="#444444")  # fmt: skip


def _cards(flow: _Flow, c: dict[str, Any]) -> None:
    s, fmt = c["s"], c["fmt"]
    tst = s.get("tst_min")
    rows = [
        [c["plms_card_label"][:1].upper() + c["plms_card_label"][1:], fmt("plms_index", s.get("plms_index"))],
        ["Leg movements in the analysis window (sleep and wake)", fmt("lm_count", s.get("lm_count"))],
        ["Series of periodic movements", fmt("plm_series_count", s.get("plm_series_count"))],
        ["Sleep", f"{tst / 60:.1f} h" if tst is not None else "not available"],
    ]
    flow.heading("Key numbers", 11)
    flow.table(["", ""], rows, [5.2, 1.6], size=10)


def _associated(flow: _Flow, c: dict[str, Any]) -> None:
    s, fmt, n = c["s"], c["fmt"], c["counts"]
    flow.heading("Movements together with breathing events and arousals", 12)
    if c["has_resp"]:
        n_resp, nr = fmt("resp_lm_count", s.get("resp_lm_count")), fmt("plms_nr_index", s.get("plms_nr_index"))
        flow.para(
            f"{n_resp} leg movements came with a breathing event; without them, periodic movements "
            + ("per hour of recording (no sleep stages were available)" if c["per_recording"] else "in sleep")
            + f": {nr}."
        )
    else:
        flow.para("No breathing events were in the recording, so movements could not be checked against them.")
    if c["has_arousals"]:
        aro = fmt("plms_arousal_index", s.get("plms_arousal_index"))
        flow.para(
            f"{n['arousal_lm']} leg movements ({n['arousal_plm']} periodic) came with an arousal; "
            f"PLMS-arousal index {aro}."
        )
    else:
        flow.para("No arousals were scored in the recording, so movements could not be checked against them.")


def _quality(flow: _Flow, c: dict[str, Any], result: NightResult, dpi: int) -> None:
    flow.heading("Signal quality per leg", 12)
    if not c["quality_rows"]:
        flow.para("Signal quality was not measured for this night.")
        return
    rows = [[q["name"], f"{q['scorable_min']:.1f} of {q['total_min']:.1f} min", ", ".join(q["problems"]) or "none"]
            for q in c["quality_rows"]]  # fmt: skip
    flow.table(["Leg", "Scorable", "Problems"], rows, [1.4, 2.0, 3.4])
    _figure(flow, figs.plot_quality, result, "Signal quality per leg", _CAPTIONS["quality"], dpi)
