"""`twitchlab triage`: from a file, with nights, interactively (skip, back, quit), and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from twitchlab.assess import load_questionnaire
from twitchlab.cli import app

PERSONAS = Path(__file__).resolve().parents[1] / "assess" / "personas"
runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TWITCHLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "120")
    return tmp_path / "home"


def test_answers_file_with_nights_json_and_out(tmp_path: Path) -> None:
    out, js = tmp_path / "report", tmp_path / "f.json"
    args = ["triage", "--answers", str(PERSONAS / "snorer_pauses.yaml"), "--night",
            str(PERSONAS / "snorer_pauses.night.json"), "--json", str(js), "--out", str(out)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "See a clinician" in result.output
    assert "Pauses in breathing" in result.output
    assert "27.9 per hour" in result.output
    assert "not a diagnosis" in result.output
    assert json.loads(js.read_text(encoding="utf-8"))["overall"] == "red_flag"
    assert (out / "findings.html").is_file()
    assert (out / "findings.json").is_file()


def test_two_nights_are_combined(tmp_path: Path) -> None:
    js = tmp_path / "f.json"
    n1, n2 = PERSONAS / "wearable_rls_dopamine.night.json", PERSONAS / "wearable_rls_dopamine.night2.json"
    args = [
        "triage",
        "-a",
        str(PERSONAS / "wearable_rls_dopamine.yaml"),
        "-n",
        str(n1),
        "-n",
        str(n2),
        "--json",
        str(js),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["metrics"]["n_nights"] == 2
    assert doc["metrics"]["plms_index"] == pytest.approx(38.0)
    assert "accelerometer" in result.output


def test_interactive_skip_back_and_finish(home: Path) -> None:
    """Age 40, skip 'pregnant', go back, answer it 'n', go back twice to age, change to 9, quit."""
    qn = load_questionnaire()
    assert qn.ids[:3] == ("age_years", "pregnant", "twitch_timing")
    keys = ["40", "", "b", "n", "b", "b", "9", "n", "2", "q"]
    result = runner.invoke(app, ["triage"], input="\n".join(keys) + "\n")
    assert result.exit_code == 0, result.output
    saved = yaml.safe_load((home / "triage" / "latest.yaml").read_text(encoding="utf-8"))
    assert saved["answers"] == {"age_years": 9, "pregnant": "no", "twitch_timing": "through_night"}
    assert saved["version"] == qn.version
    assert "Twitching in a child" in result.output  # red flag for a child with twitches


def test_interactive_bad_input_is_asked_again_and_eof_finishes() -> None:
    result = runner.invoke(app, ["triage", "--no-save"], input="abc\n200\n30\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("must be a number") == 2
    assert "Not enough answers" in result.output


def test_interactive_multi_choice(home: Path) -> None:
    qn = load_questionnaire()
    idx = qn.ids.index("twitch_body")
    keys = [""] * idx + ["1,4", "q"]
    result = runner.invoke(app, ["triage"], input="\n".join(keys) + "\n")
    assert result.exit_code == 0, result.output
    saved = yaml.safe_load((home / "triage" / "latest.yaml").read_text(encoding="utf-8"))
    assert saved["answers"] == {"twitch_body": ["legs", "face"]}


def test_bad_answers_file_gives_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "a.yaml"
    bad.write_text("answers:\n  urge_to_moov: yes\n", encoding="utf-8")
    result = runner.invoke(app, ["triage", "--answers", str(bad)])
    assert result.exit_code == 2
    assert "Did you mean 'urge_to_move'" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_bad_night_file_gives_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "n.json"
    bad.write_text('{"events": []}', encoding="utf-8")
    result = runner.invoke(app, ["triage", "-a", str(PERSONAS / "night_cramps.yaml"), "--night", str(bad)])
    assert result.exit_code == 2
    assert "no 'summary' section" in " ".join(result.output.split())


def test_findings_go_into_the_night_report_when_a_night_is_given(tmp_path: Path) -> None:
    from twitchlab.pipeline import analyze
    from twitchlab.simulate import simulate_night

    night = tmp_path / "night.json"
    analyze(simulate_night(5, profile="plms", duration_h=3.0).to_recording(), twitches="none").to_json(night)
    out = tmp_path / "out"
    args = ["triage", "--answers", str(PERSONAS / "snorer_pauses.yaml"), "--night", str(night), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Pauses in breathing" in html
    assert "PLMS" in html


@pytest.mark.parametrize("width", [80, 60])
def test_long_finding_titles_are_not_cut_at_narrow_widths(monkeypatch, width) -> None:
    from twitchlab.cli import _common

    monkeypatch.setattr(_common.console, "width", width)
    name = "antidepressant_plms"
    args = ["triage", "-a", str(PERSONAS / f"{name}.yaml"), "--night", str(PERSONAS / f"{name}.night.json")]
    result = runner.invoke(app, [*args, "--no-save"])
    assert result.exit_code == 0, result.output
    tops = [line for line in result.output.splitlines() if line.startswith("╭")]
    assert tops
    assert not [t for t in tops if "…" in t or not t.endswith("─╮")], tops
    text = " ".join(result.output.replace("│", " ").split())
    assert "Leg movements above the level where clinicians look further" in text


def test_nothing_typed_saves_nothing_and_says_no_questions_were_answered(home: Path) -> None:
    result = runner.invoke(app, ["triage"], input="q\n")
    assert result.exit_code == 0, result.output
    assert "You answered no questions" in " ".join(result.output.split())
    assert not (home / "triage" / "latest.yaml").exists()
