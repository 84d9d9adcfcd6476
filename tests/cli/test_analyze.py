"""`twitchlab analyze` on real annotation files: table, JSON, output folder, clean errors."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from twitchlab.cli import app
from twitchlab.results import NightResult

runner = CliRunner()


@pytest.fixture
def nox(shared_data):
    return shared_data / "text" / "noxturnal_events_example_unicode_2.csv"


def test_analyze_prints_indices_and_writes_json(nox, tmp_path):
    out = tmp_path / "night.json"
    res = runner.invoke(app, ["analyze", str(nox), "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert "PLMS index" in res.output
    assert "wasm2016" in res.output
    assert "warning:" in res.output  # side-less MJ events are reported
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["summary"]["lm_count"] == 29
    assert d["lm_source"] == "scored"


def test_analyze_out_dir_has_result_events_and_report(nox, tmp_path, monkeypatch):
    """--out writes result.json and events.csv, and calls the report writer (stubbed here: it is tested in
    tests/report and takes seconds)."""
    import twitchlab.report

    calls = []

    def fake_report(result, out_dir):
        calls.append((result.rules, out_dir))
        return {"html": out_dir / "report.html"}

    monkeypatch.setattr(twitchlab.report, "write_report", fake_report)
    res = runner.invoke(app, ["analyze", str(nox), "--rules", "aasm", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert calls == [("aasm", tmp_path / "o")]
    assert "report.html" in res.output
    r = NightResult.from_json(tmp_path / "o" / "result.json")
    assert r.rules == "aasm"
    events_csv = (tmp_path / "o" / "events.csv").read_text(encoding="utf-8").splitlines()
    assert events_csv[0].startswith("event_id,type,onset_s")
    assert len(events_csv) == len(r.events) + 1
    # rounded for reading (QA finding: duration_s 2.7220000000002074); result.json keeps full precision
    assert not any(re.search(r"\d\.\d{4,}", row) for row in events_csv)
    assert ",2.722," in events_csv[1]


def test_analyze_domino_phasic_file_fails_with_reason(shared_data):
    res = runner.invoke(app, ["analyze", str(shared_data / "text" / "Generic - test1 Unbekannt.txt")])
    assert res.exit_code == 2
    assert "not leg movements" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--channel", "left"], "ROLE=NAME"),
        (["--rules", "wasm"], "rules='wasm'"),
        (["--lm-source", "eeg"], "lm_source='eeg'"),
    ],
)
def test_analyze_bad_arguments_exit_2(nox, args, message):
    res = runner.invoke(app, ["analyze", str(nox), *args])
    assert res.exit_code == 2
    assert message in res.output


def test_analyze_missing_file_exit_2(tmp_path):
    res = runner.invoke(app, ["analyze", str(tmp_path / "nope.edf")])
    assert res.exit_code == 2
    assert "not found" in res.output


def test_analyze_cut_off_edf_says_only_part_was_read(tmp_path, monkeypatch):
    """QA finding: on an EDF holding 100 of its 1800 declared records the summary looked complete."""
    import numpy as np

    import twitchlab.report
    from twitchlab.io import from_array, write_edf

    rng = np.random.default_rng(3)
    full = write_edf(from_array(rng.normal(0, 5, (2, 1800 * 100)), 100, ["Leg L", "Leg R"]), tmp_path / "f.edf")
    raw = full.read_bytes()
    header = int(raw[184:192])
    per_record = (len(raw) - header) // int(raw[236:244])
    cut = tmp_path / "cut.edf"
    cut.write_bytes(raw[: header + 100 * per_record])
    monkeypatch.setattr(twitchlab.report, "write_report", lambda result, out_dir: {})  # tested in tests/report
    res = runner.invoke(app, ["analyze", str(cut), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output  # the part present was analysed
    flat = " ".join(res.output.split())
    assert (
        "Incomplete recording. Only 1 minute 40 seconds of this recording could be read, out of the 30 minutes" in flat
    )
    assert "every number here covers only that part" in flat
    assert flat.index("Incomplete recording") < flat.index("Leg movements (LM)")  # above the numbers
    d = json.loads((tmp_path / "o" / "result.json").read_text(encoding="utf-8"))
    assert (d["recording_declared_s"], d["recording_read_s"], d["recording_truncated"]) == (1800.0, 100.0, True)
