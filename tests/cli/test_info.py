"""``twitchlab info`` through Typer's CliRunner: output, JSON, overrides, and clean errors (no tracebacks)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from twitchlab.cli import app
from twitchlab.io import from_array, write_edf
from twitchlab.model import Hypnogram, make_events

runner = CliRunner()


@pytest.fixture
def night(tmp_path):
    rng = np.random.default_rng(0)
    rec = from_array(
        rng.normal(0, 5, (3, 200 * 120)), 200, ["EMG Tib L", "EMG Tib R", "ECG"], start=dt.datetime(2024, 5, 1, 22)
    )
    rec.events = make_events({"type": ["lm_left", "arousal"], "onset_s": [10.0, 50.0], "duration_s": [1.0, 5.0]})
    rec.hypnogram = Hypnogram(np.array([0, 1, 2, 2]))
    return write_edf(rec, tmp_path / "night.edf")


def _ok(result):
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def test_info_prints_channels_legs_events_hypnogram(night):
    out = _ok(runner.invoke(app, ["info", str(night)]))
    assert "EMG Tib L" in out
    assert "leg_left" in out
    assert "L = EMG Tib L" in out
    assert "R = EMG Tib R" in out
    assert "lm_left" in out
    assert "Hypnogram: 4 epochs" in out


def test_info_json_has_everything_shown(night, tmp_path):
    out_json = tmp_path / "info.json"
    _ok(runner.invoke(app, ["info", str(night), "--json", str(out_json)]))
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["format"] == "EDF+C"
    assert data["leg_channels"] == {"L": "EMG Tib L", "R": "EMG Tib R"}
    assert data["events_by_type"]["lm_left"] == 1
    assert data["events_by_type"]["stage_n2"] == 1
    assert data["hypnogram"]["n_epochs"] == 4
    ch = {c["label"]: c for c in data["channels"]}
    assert ch["ECG"]["role"] == "ecg"
    assert ch["EMG Tib L"]["fs_hz"] == 200
    assert ch["EMG Tib L"]["min"] < 0 < ch["EMG Tib L"]["max"]
    assert len(data["inputs"][0]["sha256"]) == 64


def test_info_no_range_skips_signal_reads(night, tmp_path):
    out_json = tmp_path / "info.json"
    out = _ok(runner.invoke(app, ["info", str(night), "--no-range", "--json", str(out_json)]))
    assert "--range" in out
    assert all(c["min"] is None for c in json.loads(out_json.read_text())["channels"])


def test_info_channel_override(night, tmp_path):
    out_json = tmp_path / "o.json"
    _ok(runner.invoke(app, ["info", str(night), "--channel", "left=ECG", "--json", str(out_json)]))
    assert json.loads(out_json.read_text())["leg_channels"]["L"] == "ECG"


def test_info_annotations_and_warnings_listed(night, tmp_path):
    csv = tmp_path / "extra.csv"
    csv.write_text("onset,duration,description\n5,1,Mystery\n500,2,Arousal\n", encoding="utf-8")
    out = _ok(runner.invoke(app, ["info", str(night), "--annotations", str(csv)]))
    assert "Mystery" in out
    assert "start outside the signal" in out
    assert "warning(s)" in out


def test_info_annotation_only_file(tmp_path):
    csv = tmp_path / "hyp.csv"
    csv.write_text("onset,duration,description\n0,60,W\n60,30,N2\n", encoding="utf-8")
    out = _ok(runner.invoke(app, ["info", str(csv)]))
    assert "0 channels" in out
    assert "Hypnogram: 3 epochs" in out


def test_info_file_without_legs_says_so(tmp_path):
    rec = from_array(np.zeros((1, 1000)), 100, ["C3-M2"])
    path = write_edf(rec, tmp_path / "eeg.edf")
    out = _ok(runner.invoke(app, ["info", str(path)]))
    assert "No leg EMG channel found" in out


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(b"0" + b" " * 100), "shorter than the 256-byte EDF header"),
        (lambda p: p.write_bytes(b"garbage!" + b" " * 300), "not an EDF"),
    ],
)
def test_info_bad_file_is_a_clean_error(tmp_path, make, expected):
    p = tmp_path / "bad.edf"
    make(p)
    result = runner.invoke(app, ["info", str(p)])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_info_unknown_channel_suggests(night):
    result = runner.invoke(app, ["info", str(night), "--channel", "left=EMG Tib X"])
    assert result.exit_code == 2
    assert "Did you mean" in result.output


def test_info_malformed_channel_option(night):
    result = runner.invoke(app, ["info", str(night), "--channel", "left"])
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.output


def test_info_unit_override(night, tmp_path):
    out_json = tmp_path / "u.json"
    _ok(runner.invoke(app, ["info", str(night), "--unit", "ECG=mV", "--json", str(out_json), "--no-range"]))
    ch = {c["label"]: c for c in json.loads(out_json.read_text())["channels"]}
    assert ch["ECG"]["physical_dimension"] == "mV"
    assert ch["ECG"]["resolution"] == pytest.approx(1000 * ch["EMG Tib L"]["resolution"], rel=0.5)


def test_info_missing_file(tmp_path):
    result = runner.invoke(app, ["info", str(tmp_path / "nope.edf")])
    assert result.exit_code == 2
    assert "not found" in result.output


def test_info_shared_zero_records_file(shared_data):
    result = runner.invoke(app, ["info", str(shared_data / "edf/malformed/zero-data-records.edf")])
    assert result.exit_code == 2
    assert "holds no data" in result.output
    assert "Traceback" not in result.output


def test_info_shared_nox_file(shared_data):
    out = _ok(runner.invoke(app, ["info", str(shared_data / "edf/rsleep_subject1.edf")]))
    assert "L = Left Leg" in out
    assert "R = Right Leg" in out


def test_info_wearable_file_goes_through_the_accelerometer_readers(shared_data, tmp_path):
    out_json = tmp_path / "w.json"
    out = _ok(runner.invoke(app, ["info", str(shared_data / "accel/ax3_testfile.cwa"), "--json", str(out_json)]))
    assert "accel_x" in out
    data = json.loads(out_json.read_text())
    assert {c["role"] for c in data["channels"]} >= {"accel"}
    assert data["duration_s"] == pytest.approx(176.0, abs=1.0)
    result = runner.invoke(app, ["info", str(shared_data / "accel/ax3_testfile.cwa"), "--channel", "left=x"])
    assert result.exit_code == 2
    assert "PSG files only" in result.output


def test_info_on_a_wearable_points_to_analyze_and_does_not_call_its_gaps_edf(shared_data):
    """A GENEActiv file with a missing page: no 'EDF+D', no advice to name leg EMG channels (QA finding)."""
    out = " ".join(_ok(runner.invoke(app, ["info", str(shared_data / "accel/gnactv_sample.bin")])).split())
    assert "gap(s)" in out
    assert "EDF+D" not in out
    assert "No leg EMG channel found" not in out
    assert "twitchlab analyze" in out
    assert "--location" in out
