import numpy as np
import pandas as pd
import pytest

from twitchlab.errors import ParameterError
from twitchlab.simulate.emg import CONDITIONS, EMGCondition, emg_recording, simulate_emg, simulate_emg_recording

FS = 256.0
TRUTH = pd.DataFrame(
    {
        "onset_s": [10.0, 40.0, 40.5, 70.0, 100.0],
        "offset_s": [12.0, 41.0, 42.0, 82.0, 101.0],
        "side": ["L", "L", "L", "R", "B"],
    }
)


def _rect_mean(x, t0, t1):
    return float(np.abs(x[int(t0 * FS) : int(t1 * FS)]).mean())


def test_shapes_truth_and_determinism():
    legs, ecg, info = simulate_emg(TRUTH, 120.0, rng=1)
    legs2, _, _ = simulate_emg(TRUTH, 120.0, rng=1)
    assert set(legs) == {"L", "R"}
    assert legs["L"].size == int(120 * FS)
    assert ecg.size == legs["L"].size
    np.testing.assert_array_equal(legs["L"], legs2["L"])
    lm = info["lm"]
    # overlapping movements of one leg are merged; B rows go to both legs
    assert lm[lm["side"] == "L"][["onset_s", "offset_s"]].values.tolist() == [[10, 12], [40, 42], [100, 101]]
    assert lm[lm["side"] == "R"][["onset_s", "offset_s"]].values.tolist() == [[70, 82], [100, 101]]
    assert lm["observable"].all()
    assert lm["amp_uv"].between(15, 500).all()
    assert info["condition"] == CONDITIONS["clean"].as_dict()


def test_bursts_are_where_the_truth_says():
    legs, _, info = simulate_emg(TRUTH, 120.0, rng=2)
    rest = _rect_mean(legs["L"][: int(9 * FS)] - np.median(legs["L"][: int(9 * FS)]), 0, 9)
    for _, row in info["lm"].iterrows():
        x = legs[row["side"]]
        mid = (row["onset_s"] + row["offset_s"]) / 2
        seg = x[int((mid - 0.2) * FS) : int((mid + 0.2) * FS)]
        assert np.abs(seg - seg.mean()).mean() > 3 * rest


def test_ecg_bleed_mains_and_their_truth():
    legs, ecg, info = simulate_emg(TRUTH, 120.0, condition="hard", rng=3)
    beats = info["r_peaks_s"]
    assert 120 * 60 / 60 < beats.size < 120 * 110 / 60  # 80 bpm mean
    spec = np.abs(np.fft.rfft(legs["R"]))
    f = np.fft.rfftfreq(legs["R"].size, 1 / FS)
    assert f[np.argmax(spec * (f > 20))] == pytest.approx(info["mains_hz"], abs=0.1)
    r_idx = np.round(beats * FS).astype(int)
    assert np.median(np.abs(ecg[r_idx] - np.median(ecg))) > 500  # R waves at the true beats


def test_artefacts_have_truth_and_hide_the_movements_they_cover():
    truth = pd.DataFrame({"onset_s": np.arange(20.0, 3500, 30), "side": "L"})
    truth["offset_s"] = truth["onset_s"] + 2
    legs, _, info = simulate_emg(truth, 3600.0, condition="artefacts", rng=4)
    un = info["unscorable"]
    assert set(un["reason"]) >= {"disconnected"}
    assert (un[un["reason"] == "disconnected"]["side"] == "L").all()
    lm = info["lm"]
    assert lm[lm["side"] == "L"]["offset_s"].max() < 0.7 * 3600  # nothing rendered on the disconnected leg
    for _, row in un[un["reason"] == "clipped"].iterrows():
        x = legs[row["side"]][int((row["onset_s"] + 0.1) * FS) : int((row["offset_s"] - 0.1) * FS)]
        assert np.ptp(x) == 0
        assert abs(x[0]) == CONDITIONS["artefacts"].rail_uv
    hidden = lm[~lm["observable"]]
    clipped = un[un["reason"] == "clipped"]
    for _, row in hidden.iterrows():
        assert ((clipped["onset_s"] < row["offset_s"] + 1) & (clipped["offset_s"] > row["onset_s"] - 1)).any()
    assert len(info["pops"]) >= 1


def test_conditions_by_name_object_or_overrides():
    _, ecg, info = simulate_emg(TRUTH, 60.0, condition={"base": "ecg", "with_ecg": False, "ecg_uv": 90.0}, rng=0)
    assert ecg is None
    assert info["condition"]["ecg_uv"] == 90.0
    _, _, info = simulate_emg(TRUTH, 60.0, condition=EMGCondition(rest_uv=3.0), rng=0)
    assert info["condition"]["rest_uv"] == 3.0
    with pytest.raises(ParameterError, match="Did you mean"):
        simulate_emg(TRUTH, 60.0, condition="clena")
    with pytest.raises(ParameterError):
        simulate_emg(TRUTH.drop(columns="side"), 60.0)


def test_recording_roles():
    rec, _truth = simulate_emg_recording(TRUTH, 60.0, rng=0)
    assert {c.role for c in rec.channels.values()} == {"leg_left", "leg_right", "ecg"}
    assert set(rec.leg_channels()) == {"L", "R"}
    assert rec.duration_s == 60.0
    both = emg_recording({"B": np.zeros(100)}, 100.0)
    assert set(both.leg_channels()) == {"B"}
