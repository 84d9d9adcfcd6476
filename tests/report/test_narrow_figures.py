"""Figures drawn at phone width (``NARROW_WIDTH_IN``): every text inside the figure, no two texts overlapping.

Each figure function is drawn at the narrow width on nights that between them have every figure (an 8-h PLMS
night, an apnea night with movements linked to breathing, a 1-h night with every twitch kind, RSWA, both arms
and a stimulus histogram, the same with one RSWA bar not measured, and an empty night), then every visible
text's extent is checked against the figure and against every other text.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from twitchlab.model import empty_events
from twitchlab.report import figures
from twitchlab.report.content import build_context
from twitchlab.report.render import figure_png

from .conftest import full_result, hand_result, sim_result

NARROW = figures.NARROW_WIDTH_IN
ALL_FIGURES = (*figures.FIGURES, *figures.TWITCH_FIGURES)
TOL = 1.0  # px
HTML_DPI = inspect.signature(figure_png).parameters["dpi"].default  # what the HTML report embeds


def _empty():
    res = hand_result("healthy")
    return dataclasses.replace(res, events=empty_events(), hypnogram=None, quality=None)


def _rswa_in_part():
    """The full night with one RSWA bar not measured (its reason written in the figure) and one near 100 %."""
    res = full_result()
    summary = {**res.summary, "rswa_phasic_pct": None, "rswa_any_pct": 97.0}
    summary["null_reasons"] = {**(res.summary.get("null_reasons") or {}),
                               "rswa_phasic_pct": "the chin channel was flat for most of the REM sleep"}  # fmt: skip
    return dataclasses.replace(res, summary=summary)


NIGHTS = {
    "plms": lambda: sim_result("plms"),
    "apnea": lambda: hand_result("apnea"),
    "full": full_result,
    "rswa_in_part": _rswa_in_part,
    "empty": _empty,
}


def _tick_labels(ax, axis) -> list[Text]:
    """The tick labels an axis draws: visible, not empty, at a tick inside the view limits."""
    lo, hi = sorted(axis.get_view_interval())
    eps = 1e-9 * max(abs(hi - lo), 1.0)
    out = []
    for tick in axis.get_major_ticks() + axis.get_minor_ticks():
        if not lo - eps <= tick.get_loc() <= hi + eps:
            continue
        out += [lab for lab in (tick.label1, tick.label2) if lab.get_visible() and lab.get_text().strip()]
    return out


def _drawn(fig: Figure):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _visible_texts(fig: Figure) -> list[Text]:
    """Every text the figure draws: titles, labels, legends, notes, and the tick labels in view."""
    tick_texts = set()
    drawn_ticks = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_texts |= {id(tick.label1), id(tick.label2)}
            drawn_ticks += _tick_labels(ax, axis)
    others = [t for t in fig.findobj(Text) if id(t) not in tick_texts]
    return [t for t in others if t.get_visible() and t.get_text().strip()] + drawn_ticks


def _overlap(a: Bbox, b: Bbox) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > TOL and min(a.y1, b.y1) - max(a.y0, b.y0) > TOL


def _problems(fig: Figure) -> list[str]:
    """What reads badly in the figure as drawn at its current dpi (empty when nothing)."""
    renderer = _drawn(fig)
    box = fig.bbox
    out = []
    for t in _visible_texts(fig):
        bb = t.get_window_extent(renderer)
        if bb.x0 < box.x0 - TOL or bb.x1 > box.x1 + TOL or bb.y0 < box.y0 - TOL or bb.y1 > box.y1 + TOL:
            out.append(f"outside the figure: {t.get_text()!r} {bb.bounds} in {box.bounds}")
    texts = _visible_texts(fig)  # tick labels included: none may run into a title, a note or another label
    for a, b in itertools.combinations(texts, 2):
        if _overlap(a.get_window_extent(renderer), b.get_window_extent(renderer)):
            out.append(f"texts overlap: {a.get_text()!r} {b.get_text()!r}")
    return out


def test_the_full_night_has_every_figure():
    ctx = build_context(full_result())
    assert ctx["twitch_figures"] == [key for key, _, _ in figures.TWITCH_FIGURES]


@pytest.mark.parametrize("night", list(NIGHTS))
@pytest.mark.parametrize(("key", "fn"), [(k, f) for k, f, _ in ALL_FIGURES])
def test_narrow_figure_keeps_every_text_inside_and_apart(key, fn, night):
    fig = fn(NIGHTS[night](), width_in=NARROW)
    assert fig.get_figwidth() == pytest.approx(NARROW)
    for dpi in (fig.dpi, HTML_DPI):  # text widths do not scale exactly with the dpi (hinting)
        fig.set_dpi(dpi)
        assert _problems(fig) == [], f"{key} at {dpi} dpi"


def test_only_phone_widths_get_the_narrow_layout():
    from twitchlab.report.pdf import TEXT_W

    assert figures.is_narrow(NARROW)
    assert not figures.is_narrow(TEXT_W)  # the PDF's figures keep the page-width layout
    assert not figures.is_narrow(11.0)  # and the HTML's wide ones theirs
