"""``twitchlab lm``: detection and quality from the command line."""

import warnings

import pandas as pd
from typer.testing import CliRunner

from twitchlab.cli import app
from twitchlab.io import write_edf
from twitchlab.simulate.emg import emg_recording, simulate_emg


def test_lm_command_prints_quality_and_writes_tables(tmp_path):
    truth = pd.DataFrame({"onset_s": [20.0, 60.0, 100.0], "offset_s": [22.0, 61.0, 103.0], "side": ["L", "R", "L"]})
    legs, _, _ = simulate_emg(truth, 150.0, condition={"with_ecg": False}, rng=2)
    path = tmp_path / "n.edf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_edf(emg_recording(legs, 256.0), path)
    res = CliRunner().invoke(app, ["lm", str(path), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "3 leg movements detected" in res.output
    lms = pd.read_csv(tmp_path / "out" / "lms.csv")
    assert lms["side"].tolist() == ["L", "R", "L"]
    assert (tmp_path / "out" / "quality.csv").exists()


def test_lm_command_without_leg_emg_exits_with_a_message(shared_data):
    res = CliRunner().invoke(app, ["lm", str(shared_data / "edf" / "short_psg.edf")])
    assert res.exit_code == 2
    assert "no leg EMG" in res.output


def test_lm_command_rejects_a_bad_notch(tmp_path):
    res = CliRunner().invoke(app, ["lm", str(tmp_path / "missing.edf"), "--notch", "55x"])
    assert res.exit_code == 2
    assert "use auto, off, 50 or 60" in res.output
