from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from twitchlab._util import sha256_file
from twitchlab.cli import app
from twitchlab.io import read_annotations


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory):
    """`twitchlab demo` on a 1.5-h phantom night (the default is 8 h; the path is the same)."""
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--hours", "1.5"])
    return out, result


def test_demo_writes_edf_json_and_report(demo_run):
    out, run = demo_run
    assert run.exit_code == 0, run.output
    for name in ("demo-night.edf", "result.json", "report.html", "report.pdf"):
        assert (out / name).stat().st_size > 1000, name
    assert "Report (HTML):" in run.output
    assert str(out / "report.html") in run.output.replace("\n", "")


def test_demo_analysed_the_edf_file_with_annotations(demo_run):
    from twitchlab.results import NightResult

    out, _ = demo_run
    res = NightResult.from_json(out / "result.json")
    assert res.lm_source == "emg"  # movements were detected from the EMG in the file, not copied from truth
    edf = next(i for i in res.inputs if i.get("path"))
    assert edf["path"].endswith("demo-night.edf")
    assert edf["sha256"] == sha256_file(out / "demo-night.edf")
    ann = read_annotations(out / "demo-night.edf")
    assert ann.hypnogram is not None
    types = set(ann.events["type"])
    assert {"arousal", "lights_off", "lights_on"} <= types
    assert types & {"apnea_obstructive", "apnea_central", "hypopnea"}
    assert res.summary["plms_index"] > res.summary["plms_threshold"]


def test_demo_prints_the_headline_numbers_of_the_result(demo_run):
    from twitchlab.results import NightResult

    out, run = demo_run
    res = NightResult.from_json(out / "result.json")
    m = re.search(r"PLMS index \(periodic movements per hour of sleep\)\s+([\d.]+) /h", run.output)
    assert m
    assert float(m.group(1)) == pytest.approx(res.summary["plms_index"], abs=0.05)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"{res.summary['plms_index']:.1f} /h" in html
    assert 'id="twitch-kinds"' in html  # the demo night carries sleep starts, REM twitches and a chin


@pytest.mark.parametrize("hours", ["0.25", "0.6"])
def test_demo_runs_on_the_shortest_nights_the_help_allows(tmp_path, hours):
    res = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--hours", hours, "--no-pdf"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "result.json").is_file()


def test_demo_panel_counts_plms_in_sleep_and_explains_the_simulated_truth(demo_run):
    from twitchlab.results import NightResult

    out, run = demo_run
    s = NightResult.from_json(out / "result.json").summary
    m = re.search(r"Periodic leg movements in sleep\s+(\d+)", run.output)
    assert m, run.output
    assert int(m.group(1)) == s["plms_count"]  # not plm_count, which includes wake
    text = " ".join(run.output.split())
    assert "Truth vs measured: the simulator drew" in text
    assert "what twitchlab measured in the file" in text
