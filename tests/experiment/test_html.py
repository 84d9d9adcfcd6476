"""HTML report: self-contained, with the plot, the verdict and the clinician note when relevant."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

from twitchlab.experiment import analyze_experiment, plan_schedule, simulate_nights
from twitchlab.experiment.html import render_html, write_html
from twitchlab.experiment.plot import plot_nights


def _analysis(intervention="hot_bath"):
    plan = plan_schedule(intervention, start=date(2026, 2, 2), n_blocks=12, washout_nights=1, seed=5)
    sim = simulate_nights(plan, rate_ratio=0.5, rng=1, missing=0.1)
    return analyze_experiment(plan, sim, as_of=plan.end, power=False)


def test_report_is_self_contained_with_embedded_png(tmp_path: Path):
    a = _analysis()
    path = write_html(a, tmp_path / "r" / "exp.html", name="bath <test>")
    html = path.read_text(encoding="utf-8")
    assert "bath &lt;test&gt;" in html  # escaped
    m = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert m
    assert base64.b64decode(m.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from the network
    assert a.verdict.text.split(":")[0] in html
    assert "clinician" not in html.split("<h2>")[0]


def test_medication_report_carries_the_clinician_note():
    html = render_html(_analysis("medication_change_with_clinician"))
    assert "Only as agreed with your clinician" in html


def test_plot_has_block_boundaries_and_conditions():
    a = _analysis()
    fig = plot_nights(a.table)
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert {"intervention", "control", "washout", "no data"} <= labels
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == a.schedule.n_blocks - 1


def test_outcome_is_labelled_exactly():
    a = _analysis()
    html = render_html(a)
    assert "periodic leg movements during sleep (PLMS) per hour of sleep" in html
    assert "plm_count per hour of sleep" not in html
    assert plot_nights(a.table).axes[0].get_ylabel() == "PLMS per hour of sleep"


def test_nights_without_data_are_off_the_value_axis():
    a = _analysis()
    fig = plot_nights(a.table)
    ax, strip = fig.axes
    missing = int(a.table["count"].isna().sum())
    assert missing > 0
    # nothing drawn on the rate axis for a night without data: only real rates there
    on_axis = sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets"))
    assert on_axis == int(a.table["count"].notna().sum())
    assert sum(len(c.get_offsets()) for c in strip.collections if hasattr(c, "get_offsets")) == missing
    assert [t.get_text() for t in strip.get_yticklabels()] == ["no data"]


def test_report_wording_singular_and_date_ranges():
    plan = plan_schedule("hot_bath", start=date(2026, 2, 2), n_blocks=12, washout_nights=1, seed=5)
    a = analyze_experiment(plan, simulate_nights(plan, rate_ratio=0.5, rng=1), as_of=plan.end, power=False)
    html = " ".join(render_html(a).split())
    assert "1 washout night before each later block" in html
    assert "1 washout nights" not in html
    plan0 = plan_schedule("hot_bath", start=date(2026, 2, 2), n_blocks=12, washout_nights=0, seed=5)
    a0 = analyze_experiment(plan0, simulate_nights(plan0, rate_ratio=0.5, rng=1), as_of=plan0.end, power=False)
    assert "no washout nights" in " ".join(render_html(a0).split())
