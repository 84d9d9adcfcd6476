"""detect_leg_movements on simulated nights with known truth, one artefact at a time.

Each artefact test asserts what must NOT happen: no movements from ECG bleed, hum, pops, a disconnected or
flat channel, and a clear warning for saturation and unusable resolution.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from twitchlab.detect._match import match_scores
from twitchlab.detect.lm import LegMovementDetection, detect_leg_movements, estimate_resolution_uv
from twitchlab.errors import ChannelNotFoundError, InsufficientDataError, ParameterError, TwitchlabWarning
from twitchlab.model import Channel, Recording
from twitchlab.simulate.emg import emg_recording, simulate_emg, simulate_emg_recording

DUR = 900.0
NO_LMS = pd.DataFrame({"onset_s": [], "offset_s": [], "side": []})


def truth_table(duration_s, seed):
    """PLM-like series on each leg (IMI 15-40 s, 0.5-6 s long) plus a few long movements."""
    rng = np.random.default_rng(seed)
    rows = []
    for side in ("L", "R"):
        t = rng.uniform(5, 20)
        while t < duration_s - 30:
            dur = rng.uniform(0.6, 6.0) if rng.random() > 0.05 else rng.uniform(10, 12)
            rows.append((t, t + dur, side))
            t += dur + rng.uniform(12, 35)
    return pd.DataFrame(rows, columns=["onset_s", "offset_s", "side"])


def detect_quiet(rec, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean night must not warn
        return detect_leg_movements(rec, **kw)


@pytest.fixture(scope="module")
def clean():
    return simulate_emg_recording(truth_table(DUR, 1), DUR, condition="clean", rng=11)


def test_clean_night_matches_truth(clean):
    rec, truth = clean
    det = detect_quiet(rec)
    assert isinstance(det, LegMovementDetection)
    s = match_scores(truth["lm"], det.events)
    assert s["f1"] >= 0.97, s
    assert s["onset_mae_s"] < 0.15
    assert s["offset_mae_s"] < 0.25
    assert (det.events["source"] == "emg").all()
    assert (det.events["type"] == "lm").all()
    assert set(det.events["side"]) == {"L", "R"}
    assert det.events["peak_amp_uv"].min() >= 8.0


def test_result_reports_every_parameter_and_scorable_time(clean):
    rec, _ = clean
    det = detect_quiet(rec, onset_uv=10.0, offset_uv=3.0)
    p = det.params
    assert (p["onset_uv"], p["offset_uv"], p["offset_quiet_s"], p["min_duration_s"]) == (10.0, 3.0, 0.5, 0.5)
    assert p["sides"]["L"]["onset_thr_uv_median"] == 10.0
    assert p["sides"]["L"]["cardiac"]["method"] == "ecg_channel"
    assert det.scorable_s == {"L": pytest.approx(DUR), "R": pytest.approx(DUR)}
    assert det.unscorable.empty
    q = det.quality
    assert len(q) == 2 * int(DUR / 30)
    assert set(q["state"]) == {"ok"}
    assert {"side", "epoch", "onset_s", "state", "scorable"} <= set(q.columns)


def test_ecg_bleed_alone_gives_no_movements_with_or_without_ecg_channel():
    for cond in ("ecg", "ecg_no_channel"):
        rec, truth = simulate_emg_recording(NO_LMS, DUR, condition=cond, rng=4)
        det = detect_quiet(rec)
        assert len(det.events) == 0, (cond, det.events)
        method = det.params["sides"]["L"]["cardiac"]
        assert method["suppressed"] > 0.9 * truth["r_peaks_s"].size, method
    # without any cardiac handling the same bleed does produce false movements (the test can fail)
    rec, _ = simulate_emg_recording(NO_LMS, DUR, condition={"base": "ecg", "ecg_uv": 120.0, "hr_bpm": 95}, rng=4)
    assert len(detect_quiet(rec, ecg="off", adaptive=False, morphology=False).events) > 0
    assert len(detect_quiet(rec).events) == 0


def test_ecg_bleed_does_not_stretch_real_movements():
    truth = truth_table(DUR, 2)
    rec, t = simulate_emg_recording(truth, DUR, condition={"base": "ecg", "with_ecg": False}, rng=5)
    det = detect_quiet(rec)
    s = match_scores(t["lm"], det.events)
    assert s["f1"] >= 0.95, s
    assert s["offset_mae_s"] < 0.3, s


def test_a_lost_ecg_lead_half_way_takes_the_beats_of_that_half_from_the_legs():
    """Strong ECG bleed in the legs; the ECG channel turns to noise half-way (the R-peak gate finds no beat there).

    Without a fallback the second half had no cardiac handling and lost every movement (F1 0 on this night);
    with it, that half is as good as a night with no ECG channel at all, and the first half keeps its R peaks.
    """
    from twitchlab.simulate.emg import emg_recording, simulate_emg
    from twitchlab.simulate.night import simulate_night

    night = simulate_night(1, profile="plms", duration_h=2.0)
    legs, ecg, _t = simulate_emg(night.lms, 7200, condition={"base": "hard", "ecg_uv": 120.0, "hr_bpm": 90.0}, rng=1)
    ecg = ecg.copy()
    ecg[ecg.size // 2 :] = 20.0 * np.random.default_rng(1).standard_normal(ecg.size - ecg.size // 2)
    with pytest.warns(TwitchlabWarning, match=r"shows no heart beat in 12 stretch\(es\) of 5 min \(60 min in all"):
        det = detect_leg_movements(emg_recording(legs, 256.0, ecg=ecg))
    assert det.params["sides"]["L"]["cardiac"]["method"] == "ecg_channel+heart_rate_periodicity"
    late = det.events[det.events["onset_s"] > 3600]
    s = match_scores(night.lms[night.lms["onset_s"] > 3600], late)
    assert s["f1"] >= 0.8, s
    early = det.beats_s[det.beats_s < 3600]
    assert early.size > 0.9 * 90 * 60  # the first hour keeps the ECG's R peaks (90 bpm)


def test_mains_hum_alone_gives_no_movements_and_is_notched():
    rec, _ = simulate_emg_recording(NO_LMS, DUR, condition={"base": "mains", "mains_hz": 60.0}, rng=6)
    det = detect_quiet(rec)
    assert len(det.events) == 0
    assert det.params["sides"]["R"]["mains_hz"] == 60.0


def test_mains_hum_without_notch_is_reported_unscorable():
    rec, _ = simulate_emg_recording(NO_LMS, DUR, condition="mains", rng=6)
    with pytest.warns(TwitchlabWarning, match="mains hum"):
        det = detect_leg_movements(rec, notch=None)
    assert len(det.events) == 0
    assert set(det.quality["state"]) == {"mains"}
    assert det.scorable_s["L"] == 0.0


def test_electrode_pops_give_no_movements():
    rec, truth = simulate_emg_recording(NO_LMS, DUR, condition={"base": "clean", "pops_per_h": 60}, rng=7)
    assert len(truth["pops"]) > 10
    det = detect_quiet(rec)
    assert len(det.events) == 0
    assert (det.rejected["reject"] == "too_short").all()


def test_disconnected_leg_gives_no_movements_there_and_is_unscorable():
    truth = truth_table(DUR, 3)
    rec, t = simulate_emg_recording(truth, DUR, condition={"base": "clean", "disconnect": "L"}, rng=8)
    with pytest.warns(TwitchlabWarning, match="disconnected"):
        det = detect_leg_movements(rec)
    start = 0.7 * DUR
    left = det.events[det.events["side"] == "L"]
    assert (left["offset_s"] <= start + 30).all()
    un = det.unscorable[det.unscorable["side"] == "L"]
    assert set(un["reason"]) == {"disconnected"}
    assert un["onset_s"].min() == pytest.approx(start, abs=30)
    assert un["offset_s"].max() == DUR
    assert det.scorable_s["L"] < 0.75 * DUR
    assert det.scorable_s["R"] == pytest.approx(DUR)
    s = match_scores(t["lm"][t["lm"]["observable"]], det.events)
    assert s["precision"] >= 0.97


def test_saturation_warns_and_produces_no_movements_in_the_stretch():
    legs, ecg, _t = simulate_emg(NO_LMS, DUR, condition="clean", rng=9)
    legs["R"] = np.clip(legs["R"], -3000, 3000)
    legs["R"][(200 * 256) : (212 * 256)] = 3000.0  # amplifier stuck on its rail for 12 s
    legs["R"][0] = -3000.0
    rec = emg_recording(legs, 256.0, ecg=ecg)
    with pytest.warns(TwitchlabWarning, match="saturated"):
        det = detect_leg_movements(rec)
    assert len(det.events) == 0
    assert (det.unscorable["reason"] == "clipped").any()
    assert det.quality.loc[det.quality["side"] == "R", "clipped_s"].sum() == pytest.approx(12.0, abs=0.1)


def test_leg_saturated_throughout_is_clipped_not_flat():
    legs, ecg, _t = simulate_emg(NO_LMS, DUR, condition="clean", rng=9)
    legs["R"] = np.clip(legs["R"] * 200.0, -50.0, 50.0)  # amplifier gain far too high: pinned on its rails
    rec = emg_recording(legs, 256.0, ecg=ecg)
    with pytest.warns(TwitchlabWarning, match="saturated") as rec_w:
        det = detect_leg_movements(rec)
    q = det.quality[det.quality["side"] == "R"]
    pinned = q["clipped_s"] > 25.0
    assert pinned.any()
    assert (q.loc[pinned, "state"] == "clipped").all()
    assert not any("(side R) is flat" in str(w.message) for w in rec_w)


def test_leg_pinned_at_the_header_maximum_all_night_is_saturated_not_flat(tmp_path):
    """A constant channel has no extremes of its own; the EDF header's physical range says it is on a rail."""
    import edfio

    from twitchlab.io import read_edf

    legs, _, _ = simulate_emg(NO_LMS, DUR, condition={"with_ecg": False}, rng=9)
    sigs = [
        edfio.EdfSignal(np.clip(legs["L"], -3000, 3000), 256.0, label="Leg L", physical_dimension="uV",
                        physical_range=(-3000, 3000)),
        edfio.EdfSignal(np.full(legs["R"].size, 3000.0), 256.0, label="Leg R", physical_dimension="uV",
                        physical_range=(-3000, 3000)),
    ]  # fmt: skip
    edfio.Edf(sigs).write(tmp_path / "pinned.edf")
    with pytest.warns(TwitchlabWarning, match=r"'Leg R' \(side R\) is saturated") as rec_w:
        det = detect_leg_movements(read_edf(tmp_path / "pinned.edf"))
    assert (det.quality.loc[det.quality["side"] == "R", "state"] == "clipped").all()
    assert not any("is flat" in str(w.message) for w in rec_w)


def test_flat_channel_gives_no_movements():
    legs, _, _ = simulate_emg(truth_table(DUR, 4), DUR, condition={"with_ecg": False}, rng=10)
    legs["L"] = np.zeros_like(legs["L"])
    with pytest.warns(TwitchlabWarning, match="flat"):
        det = detect_leg_movements(emg_recording(legs, 256.0))
    assert (det.events["side"] == "R").all()
    assert len(det.events) > 10
    assert det.scorable_s["L"] == 0.0


def test_gap_is_unscorable_and_holds_no_movements():
    legs, _, _ = simulate_emg(truth_table(DUR, 5), DUR, condition={"with_ecg": False}, rng=12)
    legs["L"][(300 * 256) : (420 * 256)] = np.nan
    with pytest.warns(TwitchlabWarning, match="gaps"):
        det = detect_leg_movements(emg_recording(legs, 256.0))
    left = det.events[det.events["side"] == "L"]
    assert not ((left["offset_s"] > 300) & (left["onset_s"] < 420)).any()
    assert det.scorable_s["L"] == pytest.approx(DUR - 120.0)


def test_noisy_rest_raises_thresholds_instead_of_inventing_movements():
    truth = truth_table(DUR, 6)
    rec, t = simulate_emg_recording(truth, DUR, condition={"base": "noisy_rest", "rest_uv": 16.0}, rng=13)
    det = detect_quiet(rec)
    assert det.params["sides"]["L"]["onset_thr_uv_max"] > 9.0
    s = match_scores(t["lm"], det.events)
    assert s["precision"] >= 0.95, s
    assert s["recall"] >= 0.9, s
    fixed = detect_quiet(rec, adaptive=False)
    assert match_scores(t["lm"], fixed.events)["precision"] < s["precision"]


def test_single_both_legs_channel_is_side_b_with_a_warning():
    legs, _, _ = simulate_emg(truth_table(DUR, 7), DUR, condition={"with_ecg": False}, rng=14, sides=("L",))
    with pytest.warns(TwitchlabWarning, match="both legs"):
        det = detect_leg_movements(emg_recording({"B": legs["L"]}, 256.0))
    assert set(det.events["side"]) == {"B"}


def test_low_rate_missing_legs_and_bad_parameters_raise():
    x = np.random.default_rng(0).standard_normal(6000)
    low = Recording(channels={"LAT": Channel.from_array(x, 64.0, "LAT", role="leg_left")}, duration_s=93.75)
    with pytest.raises(InsufficientDataError, match="64 Hz"):
        detect_leg_movements(low)
    none = Recording(channels={"C3": Channel.from_array(x, 256.0, "C3", role="eeg")}, duration_s=23.4)
    with pytest.raises(ChannelNotFoundError, match="--channel left=NAME"):
        detect_leg_movements(none)
    rec = emg_recording({"L": x * 2}, 256.0)
    with pytest.raises(ParameterError):
        detect_leg_movements(rec, onset_uv=2.0, offset_uv=8.0)
    with pytest.raises(ParameterError):
        detect_leg_movements(rec, ecg="maybe")


def test_channel_override_picks_the_named_channel(clean):
    rec, _ = clean
    det = detect_quiet(rec, channels={"L": "Leg R"})
    assert set(det.events["side"]) == {"L"}
    assert det.params["channels"] == {"L": "Leg R"}


def test_estimate_resolution():
    assert estimate_resolution_uv(np.round(np.random.default_rng(0).standard_normal(500) * 10) * 0.5) == 0.5
    assert estimate_resolution_uv(np.zeros(10)) == 0.0


def test_coarse_real_nox_file_is_unusable_not_invented(shared_data):
    from twitchlab.io import read_edf

    with pytest.warns(TwitchlabWarning, match=r"one digital step is 31\.\d µV"):  # said at read time already
        rec = read_edf(shared_data / "edf" / "rsleep_subject1.edf")
    with pytest.warns(TwitchlabWarning, match=r"resolution 31\.\d µV"):
        det = detect_leg_movements(rec)
    assert len(det.events) == 0
    assert set(det.quality["state"]) == {"coarse"}
    assert set(det.unscorable["reason"]) == {"coarse"}
    assert det.scorable_s == {"L": 0.0, "R": 0.0}


def test_file_without_leg_emg_says_so(shared_data):
    from twitchlab.io import read_edf

    rec = read_edf(shared_data / "edf" / "short_psg.edf")
    with pytest.raises(ChannelNotFoundError, match="no leg EMG"):
        detect_leg_movements(rec)
