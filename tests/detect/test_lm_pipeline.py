"""From a raw EDF with leg EMG to a PLMS index through ``twitchlab.pipeline.analyze`` (EMG branch)."""

import warnings

import pandas as pd
import pytest

from twitchlab.detect.lm import compare_with_scored
from twitchlab.io import write_edf
from twitchlab.model import Channel, Recording
from twitchlab.pipeline import analyze
from twitchlab.simulate.emg import simulate_emg
from twitchlab.simulate.night import simulate_night


@pytest.fixture(scope="module")
def night_edf(tmp_path_factory):
    night = simulate_night(3, profile="plms", duration_h=0.5)
    legs, ecg, truth = simulate_emg(night.lms, night.duration_s, condition="hard", rng=3)
    chans = {
        "LAT": Channel.from_array(legs["L"], 256.0, "LAT", role="leg_left"),
        "RAT": Channel.from_array(legs["R"], 256.0, "RAT", role="leg_right"),
        "ECG": Channel.from_array(ecg, 256.0, "ECG", role="ecg"),
    }
    rec = Recording(channels=chans, duration_s=night.duration_s, events=night.events, hypnogram=night.hypnogram)
    path = tmp_path_factory.mktemp("emg") / "night.edf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_edf(rec, path)
    return path, night, truth


def test_analyze_goes_from_raw_emg_to_plms_index_and_says_lms_were_detected(night_edf):
    path, night, _ = night_edf
    res = analyze(path, twitches="none")
    assert res.lm_source == "emg"
    assert res.summary["plms_index"] is not None
    counts = res.params["detector"]["lm_counts"]
    assert counts["detected"] == pytest.approx(len(night.lms), rel=0.1)
    assert counts["scored_in_file"] == len(night.lms)  # the file also holds the true (scored) LMs
    assert counts["agreement"]["f1"] >= 0.9
    assert res.params["detector"]["sides"]["L"]["cardiac"]["method"] == "ecg_channel"
    scored = analyze(path, lm_source="scored", twitches="none")
    assert abs(res.summary["plms_index"] - scored.summary["plms_index"]) < 3.0


def test_compare_with_scored_without_scoring():
    det = pd.DataFrame({"side": ["L"], "onset_s": [1.0], "offset_s": [2.0]})
    out = compare_with_scored(det, pd.DataFrame(columns=["side", "onset_s", "offset_s"]))
    assert out["detected"] == 1
    assert out["scored_in_file"] is None
    assert out["agreement"] is None


def test_an_unusable_leg_is_reported_once(shared_data):
    """rsleep's legs have 31 µV steps: said once per leg (it was three times: reader, LM detector, twitch traces)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze(shared_data / "edf" / "rsleep_subject1.edf")
    for leg in ("Left Leg", "Right Leg"):
        about = [w for w in res.warnings if f"'{leg}'" in w and "31.3 µV" in w]
        assert len(about) == 1, about  # the detector's verdict; not the reader's forecast, nor the twitch traces'
        assert "no movements are reported" in about[0]
    assert res.summary["alma_train_count"] is None  # still unusable for the twitch kinds
