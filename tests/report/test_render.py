from __future__ import annotations

import base64
import dataclasses
import io
import json
import math
import re
from html import unescape

import pandas as pd
import pytest

from twitchlab.errors import ParameterError
from twitchlab.report import render_html, write_report
from twitchlab.report.content import format_value
from twitchlab.report.figures import FIGURES, NARROW_WIDTH_IN, TWITCH_FIGURES

from .conftest import PROFILES

_SOURCE = r'<source media="\(max-width: 40rem\)" srcset="data:image/png;base64,([A-Za-z0-9+/=]+)">'
_CELL = re.compile(r"<td class=\"num[^\"]*\" data-key=\"(\w+)\" data-value='([^']*)'>([^<]*)")


def _html(written, profile: str) -> str:
    return written[profile][1]["html"].read_text(encoding="utf-8")


def _number(text: str) -> float:
    return float(re.match(r"-?[\d.]+", text.strip()).group(0))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_number_in_the_measurements_table_equals_the_summary(written, profile):
    res = written[profile][0]
    cells = _CELL.findall(_html(written, profile))
    assert len(cells) >= 40
    seen = set()
    for key, raw, text in cells:
        seen.add(key)
        value = res.summary[key]
        shown = json.loads(raw.replace("&#34;", '"'))
        if value is None:
            assert shown is None, key
            assert text.startswith("not available"), key
        elif isinstance(value, bool):
            assert shown is value, key
            assert text == ("yes" if value else "no"), key
        else:
            assert shown == pytest.approx(value), key
            if key.endswith(("_s",)) and key.startswith(("recording", "analysis")):
                continue  # shown as h:mm:ss
            decimals = len(text.split()[0].partition(".")[2])
            assert _number(text) == pytest.approx(round(value, decimals), abs=10**-decimals / 2 + 1e-9), key
    numeric = {k for k, v in res.summary.items() if v is None or isinstance(v, (int, float))}
    assert numeric - {"null_reasons"} <= seen, "summary values missing from the report"


@pytest.mark.parametrize("profile", PROFILES)
def test_answer_comes_first_and_states_the_plms_index_and_threshold(written, profile):
    res = written[profile][0]
    html = _html(written, profile)
    answer = re.search(r'<div class="answer">(.*?)</div>', html, re.S).group(1)
    assert html.index('id="answer"') < html.index('id="glance"') < html.index('id="clinician"')
    idx, thr = res.summary["plms_index"], res.summary["plms_threshold"]
    assert f"{thr:g}/h" in answer
    if idx >= 1:
        assert f"about {round(idx)} time" in answer
    assert ("above" in answer) == (idx > thr)
    assert answer.count("<p>") == 2
    assert "not a substitute for medical advice" in html
    assert "diagnosis" in html
    assert "PLMD" not in answer


@pytest.mark.parametrize("profile", PROFILES)
def test_every_figure_is_embedded_as_a_png(written, profile):
    html = _html(written, profile)
    for key, _, _ in FIGURES:
        if key == "quality":
            continue  # only with a quality table (EMG nights); see test_quality_section
        m = re.search(rf'id="fig-{key}"><picture>{_SOURCE}<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
        assert m, key
        for b64 in m.groups():
            png = base64.b64decode(b64)
            assert png[:8] == b"\x89PNG\r\n\x1a\n", key
            assert len(png) > 10_000, key


@pytest.mark.parametrize("profile", PROFILES)
def test_every_figure_has_a_narrow_version_for_phones(written, profile):
    html = _html(written, profile)
    figures = re.findall(r'<figure id="fig-(\w+)">(.*?)</figure>', html, re.S)
    assert {key for key, _ in figures} >= {"hypnogram", "hourly", "imi", "duration"}
    for key, body in figures:
        m = re.match(rf"<picture>{_SOURCE}<img src=\"data:image/png;base64,([^\"]+)\" alt=\"[^\"]+\"></picture>", body)
        assert m, key
        narrow, wide = (int.from_bytes(base64.b64decode(b64)[16:20], "big") for b64 in m.groups())  # IHDR width
        assert narrow == pytest.approx(NARROW_WIDTH_IN * 110, rel=0.02), key  # drawn narrow, not scaled down
        assert wide > 2 * narrow, key
    # the figure CSS still sizes the image inside <picture>
    assert re.search(r"figure img \{[^}]*width: 100%", html)


def test_every_figure_of_a_night_with_all_of_them_has_a_source_for_phones(full):
    html = render_html(full)
    for key, _, _ in (*FIGURES, *TWITCH_FIGURES):
        assert re.search(rf'<figure id="fig-{key}"><picture>{_SOURCE}<img ', html), key


def test_a_figure_without_a_narrow_version_is_served_wide_everywhere(hand):
    pngs = {k: b"png" for k, _, _ in FIGURES}
    html = render_html(hand("plms"), figures_png=pngs, figures_narrow_png={"hourly": b"small"})
    assert html.count("<source ") == 1
    assert (
        f'<source media="(max-width: 40rem)" srcset="data:image/png;base64,{base64.b64encode(b"small").decode()}">'
        in html
    )
    assert '<figure id="fig-imi"><picture><img src="data:image/png;base64,' in html


@pytest.mark.parametrize("profile", PROFILES)
def test_html_is_self_contained(written, profile):
    html = _html(written, profile)
    assert "<script" not in html
    assert "<link" not in html
    assert "@import" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "url(" not in html


@pytest.mark.parametrize("profile", PROFILES)
def test_events_table_and_csv_hold_every_event(written, profile):
    res = written[profile][0]
    html = _html(written, profile)
    table = re.search(r'<table id="events-table">(.*?)</table>', html, re.S).group(1)
    assert table.count("<tr>") == len(res.events) + 1
    b64 = re.search(r'id="events-csv" download="[^"]+" href="data:text/csv;base64,([^"]+)"', html).group(1)
    csv = pd.read_csv(io.StringIO(base64.b64decode(b64).decode("utf-8")))
    assert len(csv) == len(res.events)
    assert csv["onset_s"].to_numpy() == pytest.approx(res.events["onset_s"].to_numpy(float), rel=1e-5)


def test_breathing_section_follows_the_data(written):
    apnea, healthy = _html(written, "apnea"), _html(written, "healthy")
    res = written["apnea"][0]
    section = re.search(r'<section id="breathing">(.*?)</section>', apnea, re.S).group(1)
    assert f"<strong>{res.summary['resp_lm_count']}</strong> leg movements came together" in section
    assert format_value("plms_nr_index", res.summary["plms_nr_index"]) in section
    assert "arousal" in re.search(r'<section id="breathing">(.*?)</section>', healthy, re.S).group(1)


def test_inputs_version_and_rules_are_stated(written):
    res = written["plms"][0]
    html = _html(written, "plms")
    assert f'<strong id="version">{res.twitchlab_version}</strong>' in html
    assert "WASM 2016" in html
    for key, value in (("rules", "wasm2016"), ("resp_nr_method", res.params["resp_nr_method"])):
        assert f'<td class="mono">{key}</td><td class="mono">{value}</td>' in html


def test_null_index_shows_not_available_with_a_reason(hand):
    res = hand("healthy")
    html = render_html(res, figures_png={k: b"png" for k, _, _ in FIGURES}, figures_narrow_png={})
    cell = re.search(r"data-key=\"plms_rem_index\"[^>]*>(.*?)</td>", html, re.S).group(1)
    assert "not available" in cell
    assert "no REM sleep was scored" in cell


def test_quality_section_with_a_quality_table(hand):
    html = render_html(hand("plms"), figures_png={k: b"png" for k, _, _ in FIGURES}, figures_narrow_png={})
    section = re.search(r'<section id="quality">(.*?)</section>', html, re.S).group(1)
    assert 'id="fig-quality"' in section
    assert "disconnected (20 min)" in section


def test_optional_slots_render_only_with_data(hand):
    pngs = {k: b"png" for k, _, _ in FIGURES}
    res = hand("plms")
    plain = render_html(res, figures_png=pngs, figures_narrow_png={})
    assert 'id="twitch-kinds"' not in plain
    assert 'id="findings"' not in plain
    res2 = dataclasses.replace(res, summary={**res.summary, "hypnic_jerk_count": 4, "rswa_any_pct": None})
    html = render_html(
        res2, findings=[{"sentence": "Urge to move <legs> in the evening."}], figures_png=pngs, figures_narrow_png={}
    )
    twitch = re.search(r'<section id="twitch-kinds">(.*?)</section>', html, re.S).group(1)
    assert "Sleep starts" in twitch
    assert ">4<" in twitch
    assert "SINBAR" not in twitch
    assert 'id="findings"' in html


def test_findings_from_the_assess_package_are_embedded(hand):
    pytest.importorskip("twitchlab.assess.render")
    from twitchlab.assess.findings import Finding

    finding = Finding(
        id="x1", kind="discuss", title="Legs restless in the evening", sentence="You said your legs feel restless.",
        confidence="medium", evidence=(), sources=(),
    )  # fmt: skip
    html = render_html(
        hand("plms"), findings=[finding], figures_png={k: b"png" for k, _, _ in FIGURES}, figures_narrow_png={}
    )
    section = re.search(r'<section id="findings">(.*?)</section>\s*</section>', html, re.S).group(1)
    assert "Legs restless in the evening" in section


def test_accelerometer_caveat_only_for_accelerometer_nights(hand):
    pngs = {k: b"png" for k, _, _ in FIGURES}
    res = hand("plms")
    assert 'id="accel-caveat"' not in render_html(res, figures_png=pngs, figures_narrow_png={})
    html = render_html(dataclasses.replace(res, lm_source="accelerometer"), figures_png=pngs, figures_narrow_png={})
    assert 'id="accel-caveat"' in html
    assert "not a clinical PLMS index" in html
    assert "By the accelerometer's count" in unescape(html)


def test_write_report_checks_formats_and_writes_csv(hand, tmp_path):
    with pytest.raises(ParameterError, match="formats"):
        write_report(hand("healthy"), tmp_path, formats=("docx",))
    with pytest.raises(ParameterError, match="empty"):
        write_report(hand("healthy"), tmp_path, formats=())
    paths = write_report(hand("healthy"), tmp_path / "new", formats=("csv",))
    assert set(paths) == {"csv"}
    assert len(pd.read_csv(paths["csv"])) == len(hand("healthy").events)


def test_values_are_json_not_nan(written):
    for key, raw, _ in _CELL.findall(_html(written, "healthy")):
        v = json.loads(raw.replace("&#34;", '"'))
        assert v is None or not (isinstance(v, float) and math.isnan(v)), key
