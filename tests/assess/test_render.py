"""HTML fragment and self-contained page; JSON export; answer storage."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from twitchlab.assess import (
    Night,
    load_latest_answers,
    render_findings_html,
    render_findings_page,
    save_answers,
    triage,
    twitchlab_home,
    write_findings,
)

REPORT = triage({"observed_pauses": "yes", "twitch_timing": "falling_asleep", "twitch_kind": "single_jerk",
                 "urge_to_move": "yes", "worse_at_rest": "yes", "relief_by_movement": "yes", "evening_worse": "yes"},
                [Night({"plms_index": 22.0, "resp_lm_count": 30, "clm_count": 90}, "emg")])  # fmt: skip


def test_fragment_is_embeddable() -> None:
    html = render_findings_html(REPORT)
    assert html.lstrip().startswith("<section")
    assert "<html" not in html
    assert "<head" not in html
    assert html.count('class="tl-finding ') == len(REPORT.findings)
    assert "See a clinician" in html
    assert "twitchlab experiment plan --intervention no_alcohol" in html
    assert "https://doi.org/10.5664/jcsm.6506" in html


def test_fragment_from_a_list_of_findings_and_escaping() -> None:
    html = render_findings_html(list(REPORT.findings[:1]))
    assert "See a clinician" in html
    assert "<script" not in render_findings_html([])


def test_page_is_self_contained() -> None:
    page = render_findings_page(REPORT)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|img)\b", page)
    assert "Kapur VK" in page  # full references listed


def test_write_findings_and_json_contract(tmp_path: Path) -> None:
    paths = write_findings(REPORT, tmp_path / "out")
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert doc["overall"] == "red_flag"
    first = doc["findings"][0]
    assert first["see_clinician"] is True
    assert {"sentence", "evidence", "confidence", "sources", "suggestions", "clinician"} <= set(first)
    assert doc["metrics"]["plms_index"] == 22.0
    assert "NaN" not in paths["json"].read_text(encoding="utf-8")
    assert paths["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_storage_round_trip_under_twitchlab_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWITCHLAB_HOME", str(tmp_path))
    assert twitchlab_home() == tmp_path
    assert load_latest_answers() is None
    first = save_answers({"age_years": 40, "pregnant": "no"})
    second = save_answers({"age_years": 41})
    assert first != second
    assert first.parent == tmp_path / "triage"
    assert load_latest_answers() == {"age_years": 41}
    assert yaml.safe_load(first.read_text(encoding="utf-8"))["answers"] == {"age_years": 40, "pregnant": "no"}
