"""The "What kind of twitches" section: plain sentences, per-stage table, raster and RSWA figures, HTML and PDF.

One simulated 1-h night with every twitch kind, RSWA and both arms goes through the real pipeline once
(module fixture); the null and edge cases are variations of its summary (no scoring code involved).
"""

from __future__ import annotations

import base64
import dataclasses
import re

import pytest
from matplotlib.collections import LineCollection

from twitchlab.report import figures
from twitchlab.report.content import build_context, twitch_table
from twitchlab.report.render import figure_png, render_html
from twitchlab.report.wording import TWITCH_EVENT_TYPES, pct_text, twitch_null_reason, twitch_sentences
from twitchlab.results import NightResult

_PNG = b"\x89PNG\r\n\x1a\n"
_RSWA_KEYS = ("rswa_tonic_pct", "rswa_phasic_pct", "rswa_any_pct", "rswa_above_sinbar", "rem_epochs_scored")


@pytest.fixture(scope="module")
def night() -> NightResult:
    """A 1-h simulated night with every kind, mixed RSWA and both arms, scored by the pipeline."""
    from twitchlab.pipeline import analyze
    from twitchlab.simulate.twitches import simulate_twitch_night

    return analyze(simulate_twitch_night(5, duration_h=1, rswa="mixed", arms=True).recording)


def _by_kind(res: NightResult) -> dict[str, str]:
    return {t.kind: t.text for t in twitch_sentences(res)}


def _with(res: NightResult, warnings: list[str] | None = None, **summary) -> NightResult:
    return dataclasses.replace(
        res, summary={**res.summary, **summary}, warnings=res.warnings if warnings is None else warnings
    )


def _stage_counts(res: NightResult, etype: str) -> dict[str, int]:
    return res.events.loc[res.events["type"] == etype, "stage"].value_counts().to_dict()


def test_night_has_every_kind(night):
    present = figures.twitch_types_present(night)
    assert present == list(TWITCH_EVENT_TYPES)  # the fixture exercises every row
    assert night.summary["rswa_any_fds_pct"] is not None


def test_sentences_match_the_summary_numbers(night):
    s = night.summary
    text = _by_kind(night)
    assert list(text) == [
        "hypnic_jerk", "fragmentary_myoclonus", "hft_alma", "rhythmic_movement", "long_contraction", "rem_twitch",
        "rswa",
    ]  # fmt: skip
    n = s["hypnic_jerk_count"]
    assert text["hypnic_jerk"].startswith(f"Sleep starts (a sudden jerk as you drift off): {n}, ")
    assert "common and harmless" in text["hypnic_jerk"]
    fm = text["fragmentary_myoclonus"]
    assert f": {s['fragmentary_myoclonus_count']} in non-REM sleep" in fm
    assert f"{s['fragmentary_myoclonus_per_min_nrem']:.1f} per minute" in fm
    assert ("often enough to meet" in fm) == s["efm_present"]
    assert f"{s['hft_train_count']} foot-tremor train" in text["hft_alma"]
    assert f"{s['alma_train_count']} alternating train" in text["hft_alma"]
    assert f": {s['rhythmic_movement_count']} " in text["rhythmic_movement"]
    assert f": {s['long_contraction_count']} " in text["long_contraction"]
    assert "diary" in text["long_contraction"]
    n_rem = int((night.events["type"] == "rem_twitch").sum())
    assert f"{n_rem} in all, {s['rem_twitch_per_min_rem']:.1f} per minute of REM" in text["rem_twitch"]
    assert "normal in moderation" in text["rem_twitch"]
    rswa = text["rswa"]
    assert f"chin activity in {pct_text(s['rswa_any_pct'], 18)} of dream-sleep mini-epochs" in rswa
    assert f"{s['rem_epochs_scored']} REM epochs" in rswa
    assert ("above the 18 % reference" in rswa) == s["rswa_above_sinbar"]
    assert pct_text(s["rswa_any_fds_pct"], 32) in rswa


def test_sentences_give_the_counts_per_stage_from_the_events(night):
    fm = _by_kind(night)["fragmentary_myoclonus"]
    counts = _stage_counts(night, "fragmentary_myoclonus")
    assert len(counts) > 1
    for stage, n in counts.items():
        assert f"{n} in {stage}" in fm
    long = _by_kind(night)["long_contraction"]
    for stage, n in _stage_counts(night, "long_contraction").items():
        assert (f"{n} awake" if stage == "W" else f"{n} in {'REM' if stage == 'R' else stage}") in long


def test_rswa_above_the_cutoff_says_see_a_clinician_and_never_diagnoses(night):
    above = _by_kind(_with(night, rswa_any_pct=24.0, rswa_above_sinbar=True, rswa_any_fds_pct=None))["rswa"]
    assert "chin activity in 24 % of dream-sleep mini-epochs" in above
    assert "above the 18 % reference" in above
    assert "a measurement, not a diagnosis; talk to a clinician, especially if you act out dreams" in above
    below = _by_kind(_with(night, rswa_any_pct=10.0, rswa_above_sinbar=False, rswa_any_fds_pct=None))["rswa"]
    assert "not above the 18 % reference" in below
    # next to the cut-off the decimal shows which side it is on
    assert "18.4 %" in _by_kind(_with(night, rswa_any_pct=18.4, rswa_above_sinbar=True))["rswa"]
    for t in twitch_sentences(night):
        assert "diagnos" not in t.text.replace("not a diagnosis", "")
        assert not re.search(r"\byou have\b|\bdisorder\b", t.text)


def test_null_values_read_not_measured_with_the_reason_from_the_warnings(night):
    reason = "no usable chin EMG channel: RSWA not measured"
    res = _with(night, [*night.warnings, reason], **dict.fromkeys((*_RSWA_KEYS, "rswa_any_fds_pct")))
    rswa = next(t for t in twitch_sentences(res) if t.kind == "rswa")
    assert not rswa.measured
    assert rswa.text.endswith(f"not measured — {reason}.")
    assert twitch_null_reason("rswa_any_pct", res) == reason
    alma_reason = "ALMA needs a left and a right leg channel: alma_train_count is null"
    res = _with(night, [alma_reason], alma_train_count=None)
    hft = _by_kind(res)["hft_alma"]
    assert f"ALMA not measured ({alma_reason})" in hft
    assert f"{night.summary['hft_train_count']} foot-tremor train" in hft
    row = next(r for r in twitch_table(res) if r.type == "alma")
    assert (row.total, row.reason) == ("not measured", alma_reason)


def test_kinds_not_asked_for_say_so(night):
    params = {**night.params, "twitches": {"types": ["hypnic_jerk"], "options": {}}}
    res = dataclasses.replace(_with(night, rhythmic_movement_count=None), params=params)
    assert "not asked for" in _by_kind(res)["rhythmic_movement"]


def test_stage_table_adds_up_and_has_references(night):
    rows = {r.type: r for r in twitch_table(night)}
    assert list(rows) == list(TWITCH_EVENT_TYPES)
    minutes = night.hypnogram.minutes()
    for _etype, r in rows.items():
        assert r.reference
        assert sum(c for c, _ in r.stages.values()) == int(r.total)
        for stage, (c, rate) in r.stages.items():
            if c and minutes[stage] > 0:
                assert float(rate.removesuffix("/h")) == pytest.approx(c / (minutes[stage] / 60), rel=0.06, abs=0.06)
    assert int(rows["rem_twitch"].total) == rows["rem_twitch"].stages["R"][0]
    assert (
        rows["fragmentary_myoclonus"].rate == f"{night.summary['fragmentary_myoclonus_per_min_nrem']:.2f} /min of NREM"
    )


def test_raster_has_one_row_per_present_type(night):
    fig = figures.plot_twitch_raster(night)
    raster = fig.axes[1]
    labels = [t.get_text() for t in raster.get_yticklabels()]
    ev = night.events
    assert labels == [f"{name} ({int((ev['type'] == t).sum())})" for t, name in TWITCH_EVENT_TYPES.items()]
    ticks = sum(len(c.get_segments()) for c in raster.collections if isinstance(c, LineCollection))
    assert ticks == int(ev["type"].isin(list(TWITCH_EVENT_TYPES)).sum())  # leg movements are not drawn here
    # fewer kinds, fewer rows; the NightResult method gives the same figure
    only = dataclasses.replace(night, events=ev[ev["type"].isin(["lm", "hypnic_jerk", "rem_twitch"])])
    labels = [t.get_text() for t in figures.plot_twitch_raster(only).axes[1].get_yticklabels()]
    assert [lab.split(" (")[0] for lab in labels] == ["Sleep starts", "REM twitches"]
    via_method = night.plot_twitch_raster()
    assert [ax.get_title(loc="left") for ax in via_method.axes] == [ax.get_title(loc="left") for ax in fig.axes]


def test_raster_without_twitch_events_says_so(night):
    ev = night.events
    fig = figures.plot_twitch_raster(dataclasses.replace(night, events=ev[ev["type"] == "lm"], hypnogram=None))
    assert any("No sleep starts" in t.get_text() for t in fig.axes[1].texts)


def test_rswa_figure_shows_the_cutoffs_and_the_values(night):
    s = night.summary
    ax = figures.plot_rswa(night).axes[0]
    assert str(s["rem_epochs_scored"]) in ax.get_title(loc="left")
    cuts = sorted({round(float(seg[0][0]), 3) for c in ax.collections for seg in c.get_segments()})
    assert cuts == [18.0, 32.0]
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    expected = [s[k] for k in ("rswa_tonic_pct", "rswa_phasic_pct", "rswa_any_pct", "rswa_any_fds_pct")]
    assert widths == sorted(round(v, 6) for v in expected)
    texts = [t.get_text() for t in ax.texts]
    assert "reference 18 %" in texts
    assert "reference 32 %" in texts
    assert pct_text(s["rswa_any_pct"], 18) in texts
    # without arms: three bars, one cut-off
    ax = figures.plot_rswa(_with(night, rswa_any_fds_pct=None, rswa_above_sinbar_fds=None)).axes[0]
    assert len(ax.patches) == 3
    assert [round(float(seg[0][0]), 3) for c in ax.collections for seg in c.get_segments()] == [18.0]


def test_rswa_figure_when_not_measured_gives_the_reason(night):
    reason = "chin EMG is flat in REM (median envelope < 0.2 µV): unusable, not atonia"
    res = _with(night, [reason], **dict.fromkeys((*_RSWA_KEYS, "rswa_any_fds_pct")))
    ax = figures.plot_rswa(res).axes[0]
    assert not ax.patches
    assert any(f"Not measured: {reason}." == t.get_text() for t in ax.texts)
    assert build_context(res)["twitch_figures"] == ["twitch_raster"]  # no empty RSWA figure in the report


def test_html_section_has_sentences_table_and_figures_as_embedded_png(night):
    pngs = {k: b"png" for k, _, _ in figures.FIGURES}  # the leg figures are tested elsewhere
    html = render_html(night, figures_png=pngs)
    section = re.search(r'<section id="twitch-kinds">(.*?)</section>', html, re.S).group(1)
    for key in ("twitch_raster", "rswa"):
        source = r'<source media="\(max-width: 40rem\)" srcset="data:image/png;base64,([A-Za-z0-9+/=]+)">'
        img = r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="[^"]+"'
        m = re.search(rf'id="fig-{key}"><picture>{source}{img}', section)
        assert m, key
        assert all(base64.b64decode(b64).startswith(_PNG) for b64 in m.groups())
    for t in twitch_sentences(night):
        li = re.search(rf'<li data-kind="{t.kind}"[^>]*>(.*?)</li>', section, re.S).group(1)
        assert re.sub(r"<[^>]+>", "", li).replace("&#39;", "'") == t.text
    assert 'class="alert"' in section  # RSWA above the cut-off stands out
    table = re.search(r'<table id="twitch-table">(.*?)</table>', section, re.S).group(1)
    assert table.count("<tr data-type=") == len(TWITCH_EVENT_TYPES)
    assert "not a diagnos" in section


def test_html_section_only_with_twitch_data(night):
    keys = [k for k in night.summary if k.startswith(("hypnic", "fragmentary", "efm", "hft", "alma", "rhythmic",
                                                     "long_", "rem_", "rswa_"))]  # fmt: skip
    res = dataclasses.replace(_with(night, **dict.fromkeys(keys)), events=night.events[night.events["type"] == "lm"])
    ctx = build_context(res)
    assert ctx["twitch_sentences"] == []
    assert ctx["twitch_figures"] == []
    html = render_html(res, figures_png={k: b"png" for k, _, _ in figures.FIGURES}, figures_narrow_png={})
    assert 'id="twitch-kinds"' not in html
    assert 'id="fig-twitch_raster"' not in html


def test_pdf_draws_the_twitch_figures_and_sentences(night, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from twitchlab.report import pdf
    from twitchlab.report.render import report_context

    drawn: list[str] = []

    def blank(key):
        def fn(result, *, width_in=7.0):
            drawn.append(key)
            return Figure(figsize=(width_in, 1.0))

        return fn

    monkeypatch.setattr(figures, "FIGURES", tuple((k, blank(k), a) for k, _, a in figures.FIGURES))
    monkeypatch.setattr(figures, "TWITCH_FIGURES", tuple((k, blank(k), a) for k, _, a in figures.TWITCH_FIGURES))
    monkeypatch.setattr(figures, "plot_quality", blank("quality"))
    texts: list[str] = []
    real_para = pdf._Flow.para

    def para(self, text, *args, **kwargs):
        texts.append(text)
        return real_para(self, text, *args, **kwargs)

    monkeypatch.setattr(pdf._Flow, "para", para)
    titles = pdf.write_pdf(night, tmp_path / "r.pdf", context=report_context(night), findings_text=[], dpi=30)
    assert "What kind of twitches" in " / ".join(titles)
    assert {"twitch_raster", "rswa"} <= set(drawn)
    for t in twitch_sentences(night):
        assert t.text in texts


def test_twitch_figures_render_to_png(night):
    for _, fn, _ in figures.TWITCH_FIGURES:
        assert figure_png(fn(night, width_in=6.87), dpi=40).startswith(_PNG)


def test_missing_note_names_only_what_no_sentence_covers(night):
    no_arms = build_context(_with(night, rswa_any_fds_pct=None, rswa_above_sinbar_fds=None))
    assert no_arms["twitch_missing"] == [
        "chin and arm activity in REM (SINBAR 32 %; needs EMG of both forearms (flexor digitorum superficialis))"
    ]
    reason = "no usable chin EMG channel: RSWA not measured"
    no_chin = build_context(_with(night, [reason], **dict.fromkeys((*_RSWA_KEYS, "rswa_any_fds_pct"))))
    assert no_chin["twitch_missing"] == []  # the RSWA sentence says "not measured" with the reason
    assert any(reason in t.text for t in no_chin["twitch_sentences"])
