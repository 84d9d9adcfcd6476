"""Realistic personas (answer files + night JSON) produce the expected findings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from twitchlab.assess import load_night, read_answers, triage

HERE = Path(__file__).parent / "personas"
EXPECTED = yaml.safe_load((HERE / "expected.yaml").read_text(encoding="utf-8"))


def test_at_least_twelve_personas_each_with_an_answer_file() -> None:
    assert len(EXPECTED) >= 12
    for name in EXPECTED:
        assert (HERE / f"{name}.yaml").is_file(), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_persona_produces_expected_findings(name: str) -> None:
    exp = EXPECTED[name]
    answers = read_answers(HERE / f"{name}.yaml")
    nights = [load_night(HERE / n) for n in exp.get("nights", [])]
    report = triage(answers, nights)
    ids = report.ids()
    missing = [i for i in exp.get("present", []) if i not in ids]
    unexpected = [i for i in exp.get("absent", []) if i in ids]
    assert not missing, f"{name}: missing {missing}; got {ids}"
    assert not unexpected, f"{name}: should not show {unexpected}; got {ids}"
    assert report.overall == exp["overall"], f"{name}: {report.overall} ({ids})"
    for fid in exp.get("suppressed", []):
        assert fid in report.suppressed
    by_id = {f.id: f for f in report.findings}
    for fid, word in exp.get("confidence", {}).items():
        assert by_id[fid].confidence == word, f"{name}/{fid}"
    if report.overall == "red_flag":
        assert report.findings[0].kind == "red_flag"
        assert all("see a clinician" in f.clinician.lower() for f in report.red_flags)
