"""pipeline.analyze: in-memory recordings, scored and EMG LM sources, windows, real annotation files."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from twitchlab import pipeline
from twitchlab.errors import InsufficientDataError, ParameterError, TwitchlabWarning
from twitchlab.model import Channel, Hypnogram, Recording, make_events
from twitchlab.pipeline import analyze
from twitchlab.simulate import simulate_night


def _rec(events: dict[str, list[Any]], *, hyp: Hypnogram | None = None, duration_s: float = 3600.0) -> Recording:
    return Recording(channels={}, duration_s=duration_s, events=make_events(events), hypnogram=hyp)


def _periodic_events(onsets, typ="lm_left"):
    return {"type": [typ] * len(onsets), "onset_s": onsets, "offset_s": [t + 1.0 for t in onsets]}


N2 = Hypnogram(np.full(120, 2, dtype=np.int8))


def test_simulated_recording_matches_direct_scoring():
    """The pipeline on a phantom night gives the same summary as score_night on its truth tables."""
    from twitchlab.score import score_night

    night = simulate_night(2, profile="plms", duration_h=4)
    res = analyze(night.to_recording())
    direct = score_night(
        night.lms,
        hypnogram=night.hypnogram,
        resp_events=night.resp_events,
        arousals=night.arousals,
        window=(night.lights_off_s, night.lights_on_s),
        recording_s=night.duration_s,
    ).summary
    for key in ("lm_count", "clm_count", "plm_count", "plms_index", "plms_nr_index", "plms_arousal_index"):
        assert res.summary[key] == direct[key], key
    assert res.lm_source == "scored"
    assert res.params["window_source"] == "annotations"
    assert res.params["lm_source_requested"] == "auto"
    # no EMG in a phantom recording: only the twitch detectors' "not measured" notes
    assert all("not measured" in w for w in res.warnings)
    assert res.summary["hypnic_jerk_count"] is None


def test_side_less_lm_is_side_b_and_plm_span_never_counts():
    """4 side-less 'MJ' LMs at 0-60 s plus a 'PLM' series span over them: 4 LMs (side B), 4 PLM; the span
    is not a movement. Both are reported in warnings."""
    ev = _periodic_events([0, 20, 40, 60], typ="lm")
    ev["label_original"] = ["MJ"] * 4
    ev["type"].append("plm_span")
    ev["onset_s"].append(0.0)
    ev["offset_s"].append(61.0)
    ev["label_original"].append("PLM")
    with pytest.warns(TwitchlabWarning) as caught:
        res = analyze(_rec(ev, hyp=N2))
    msgs = [str(w.message) for w in caught]
    assert any("no side" in m and "MJ" in m for m in msgs)
    assert any("span" in m for m in msgs)
    assert not any("single both-legs source" in m for m in msgs)  # said once, not twice
    assert res.summary["lm_count"] == 4
    assert res.summary["plm_count"] == 4
    assert set(res.events["side"]) == {"B"}


def test_lights_window_from_arguments_beats_annotations():
    ev = _periodic_events([100, 120, 140, 160, 1000, 1020, 1040, 1060])
    ev["type"] += ["lights_off", "lights_on"]
    ev["onset_s"] += [50.0, 3000.0]
    ev["offset_s"] += [50.0, 3000.0]
    res = analyze(_rec(ev, hyp=N2))
    assert (res.summary["analysis_start_s"], res.summary["analysis_end_s"]) == (50.0, 3000.0)
    assert res.summary["plm_count"] == 8
    res2 = analyze(_rec(ev, hyp=N2), lights_off_s=500.0, lights_on_s=2000.0)
    assert res2.params["window_source"] == "arguments"
    assert res2.summary["plm_count"] == 4
    with pytest.raises(ParameterError, match="window"):
        analyze(_rec(ev, hyp=N2), lights_off_s=2000.0, lights_on_s=100.0)


def test_no_scored_lms_is_a_clear_error_unless_allowed():
    ev = {"type": ["rem_twitch"], "onset_s": [10.0], "offset_s": [11.0], "label_original": ["LeftLegPhasic"]}
    with pytest.raises(InsufficientDataError, match="REM phasic"):
        analyze(_rec(ev, hyp=N2))
    with pytest.warns(TwitchlabWarning, match="no leg movements"):
        res = analyze(_rec(ev, hyp=N2), allow_no_scored_lms=True)
    assert res.summary["lm_count"] == 0
    assert res.summary["plms_index"] == 0.0


def test_emg_requested_without_leg_channels_fails():
    with pytest.raises(InsufficientDataError, match="no leg EMG"):
        analyze(_rec(_periodic_events([0, 20]), hyp=N2), lm_source="emg")
    with pytest.raises(ParameterError, match="lm_source"):
        analyze(_rec(_periodic_events([0, 20]), hyp=N2), lm_source="both")


@dataclass
class FakeDetection:
    events: pd.DataFrame
    quality: pd.DataFrame
    params: dict[str, Any] = field(default_factory=lambda: {"onset_uv": 8.0})
    warnings: list[str] = field(default_factory=list)


def test_auto_uses_emg_when_leg_channels_exist(monkeypatch):
    """With leg channels, auto runs the detector (here a stand-in), takes its quality per epoch as unscorable
    time, and records channels and detector parameters."""
    legs = {
        "LAT": Channel.from_array(np.zeros(100), 100.0, "LAT", role="leg_left"),
        "RAT": Channel.from_array(np.zeros(100), 100.0, "RAT", role="leg_right"),
    }
    rec = replace(_rec(_periodic_events([3000.0]), hyp=N2), channels=legs)
    seen: dict[str, Any] = {}

    def fake(r: Recording, **params: Any) -> FakeDetection:
        seen.update(params)
        lms = pd.DataFrame({"onset_s": [0.0, 20, 40, 60], "offset_s": [1.0, 21, 41, 61], "side": ["L", "R", "L", "R"]})
        quality = pd.DataFrame({"side": ["L", "R"], "epoch": [10, 10], "scorable": [False, True]})
        return FakeDetection(lms, quality, warnings=["right leg noisy"])

    monkeypatch.setattr(pipeline, "_detect_lms", fake)
    res = analyze(rec, detector_params={"onset_uv": 9.0}, twitches="none")
    assert "right leg noisy" in res.warnings  # kept, not warned twice (the detector warns itself)
    assert seen == {"onset_uv": 9.0}
    assert res.lm_source == "emg"
    assert res.summary["plm_count"] == 4  # the scored LM at 3000 s is not used
    assert res.summary["scorable_min_left"] == pytest.approx(59.5)
    assert res.summary["sleep_scorable_min"] == pytest.approx(59.5)
    assert res.params["detector"]["onset_uv"] == 8.0
    assert {"channels": {"L": "LAT", "R": "RAT"}, "kind": "leg_emg"} in res.inputs
    assert res.quality is not None
    # scored on request, even with EMG present
    assert analyze(rec, lm_source="scored").summary["lm_count"] == 1


def test_rules_and_options_reach_the_scorer():
    night = simulate_night(3, profile="apnea", duration_h=3)
    res = analyze(night.to_recording(), rules="aasm", aasm_resp_match="onset")
    assert res.rules == "aasm"
    assert res.params["aasm_resp_match"] == "onset"
    assert res.summary["plms_nr_index"] == res.summary["plms_index"]


# ------------------------------------------------------------------------------------- real files


def test_noxturnal_leg_events_give_indices_and_match_its_plm_span(shared_data):
    """Noxturnal night _2: 29 'MJ' (side-less) → 29 LMs; our one PLM series is exactly the lab's 'PLM' span
    (2155.0-2281.9 s from the start)."""
    f = shared_data / "text" / "noxturnal_events_example_unicode_2.csv"
    with pytest.warns(TwitchlabWarning):
        res = analyze(f)
    s = res.summary
    assert s["lm_count"] == 29
    assert s["plm_series_count"] == 1
    plm = res.events[res.events["is_plm"]]
    assert plm["onset_s"].min() == pytest.approx(2155.0)
    assert plm["offset_s"].max() == pytest.approx(2281.9, abs=0.5)
    assert s["plms_index"] is not None
    assert s["resp_events_available"] is True
    assert res.inputs[0]["sha256"]
    assert len(res.inputs[0]["sha256"]) == 64


@pytest.mark.parametrize("name", ["Generic - test1 Unbekannt.txt", "Generic_NO_test1.txt"])
def test_domino_leg_phasic_events_are_not_lms(shared_data, name):
    """DOMINO 'Generic' exports hold LeftLegPhasic/RightLegPhasic (RBD phasic EMG marks): not LMs."""
    with pytest.warns(TwitchlabWarning), pytest.raises(InsufficientDataError, match="LeftLegPhasic"):
        analyze(shared_data / "text" / name)


@dataclass
class FakeTwitches:
    events: pd.DataFrame
    summary: dict[str, Any]
    warnings: list[str]
    params: dict[str, Any]


def test_twitch_detectors_join_summary_and_events(monkeypatch):
    """The §5 detectors' summary keys and events are merged: events sorted by onset with ids renumbered, LM
    extras kept; twitches='none' skips them."""
    seen: dict[str, Any] = {}

    def fake(rec: Recording, **kw: Any) -> FakeTwitches:
        seen.update(kw)
        ev = make_events({"type": ["hypnic_jerk"], "onset_s": [30.0], "offset_s": [30.3], "side": ["B"]})
        ev["channels"] = pd.Series([("Leg L", "Leg R")], dtype=object)
        return FakeTwitches(ev, {"hypnic_jerk_count": 1, "rswa_tonic_pct": None}, ["no chin"], {"types": ["all"]})

    monkeypatch.setattr(pipeline, "_detect_twitches", fake)
    res = analyze(_rec(_periodic_events([0, 20, 40, 60]), hyp=N2))
    assert res.summary["hypnic_jerk_count"] == 1
    assert res.summary["plm_count"] == 4
    assert res.events["type"].tolist() == ["lm", "lm", "hypnic_jerk", "lm", "lm"]
    assert res.events["event_id"].tolist() == [0, 1, 2, 3, 4]
    assert res.events["in_sequence"].tolist() == [True, True, False, True, True]
    assert str(res.events["n_monolateral"].dtype) == "Int64"
    assert [c is None for c in res.events["channels"]] == [True, True, False, True, True]
    assert list(res.events["channels"].iloc[2]) == ["Leg L", "Leg R"]
    assert "no chin" in res.warnings
    assert res.params["twitches"] == {"types": ["all"]}
    assert seen["lm_events"]["onset_s"].tolist() == [0.0, 20.0, 40.0, 60.0]
    back = type(res).from_json(res.to_json())
    pd.testing.assert_frame_equal(back.events, res.events)
    none = analyze(_rec(_periodic_events([0, 20, 40, 60]), hyp=N2), twitches="none")
    assert set(none.events["type"]) == {"lm"}
    assert none.params["twitches"] == {"types": "none"}


def test_result_carries_the_recording_start_for_the_diary(tmp_path):
    from datetime import datetime

    from twitchlab.io import write_edf
    from twitchlab.pipeline import analyze
    from twitchlab.simulate import simulate_night
    from twitchlab.store.nights_import import _find_start

    rec = simulate_night(2, profile="healthy", duration_h=2.0).to_recording()
    rec.start = datetime(2026, 3, 4, 23, 10, 0)
    path = write_edf(rec, tmp_path / "n.edf")
    result = analyze(path, twitches="none")
    assert result.params["recording_start"] == "2026-03-04T23:10:00"
    result.to_json(tmp_path / "r.json")
    import json

    assert str(_find_start(json.loads((tmp_path / "r.json").read_text()))) == "2026-03-04"


def test_unusable_legs_give_unknown_long_contractions_not_zero(shared_data):
    """Nox legs at 31 µV resolution cannot be scored: counts that need the legs are null, with reasons."""
    import warnings

    from twitchlab.errors import TwitchlabWarning
    from twitchlab.pipeline import analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwitchlabWarning)  # asserted below through result.warnings
        result = analyze(shared_data / "edf" / "rsleep_subject1.edf")
    assert result.summary["plms_index"] is None
    assert result.summary["long_contraction_count"] is None
    assert any("resolution" in w for w in result.warnings)


def test_a_leg_without_a_channel_has_no_scorable_time(tmp_path):
    import warnings

    from twitchlab.errors import TwitchlabWarning
    from twitchlab.io import write_edf
    from twitchlab.pipeline import analyze
    from twitchlab.simulate import simulate_night
    from twitchlab.simulate.emg import simulate_emg_recording

    night = simulate_night(4, profile="plms", duration_h=1.5)
    rec, _ = simulate_emg_recording(night.lms, night.duration_s, fs_hz=200.0, condition="clean", rng=4)
    right = [label for label, ch in rec.channels.items() if ch.role == "leg_right"]
    for label in right:
        del rec.channels[label]
    path = write_edf(rec, tmp_path / "left_only.edf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwitchlabWarning)
        result = analyze(path, twitches="none")
    assert result.summary["scorable_min_right"] is None
    assert result.summary["scorable_min_left"] > 0


def _cut_edf(tmp_path, keep_records: int = 100, n_records: int = 1800):
    """An EDF whose header declares ``n_records`` 1-s records but which holds only ``keep_records``."""
    from twitchlab.io import from_array, write_edf

    rng = np.random.default_rng(3)
    full = write_edf(from_array(rng.normal(0, 5, (2, n_records * 100)), 100, ["Leg L", "Leg R"]), tmp_path / "f.edf")
    raw = full.read_bytes()
    header = int(raw[184:192])
    per_record = (len(raw) - header) // int(raw[236:244])
    cut = tmp_path / "cut.edf"
    cut.write_bytes(raw[: header + keep_records * per_record])
    return cut


def test_cut_off_edf_is_analysed_and_the_result_says_how_much_was_read(tmp_path):
    """QA finding: a file holding 100 of its 1800 declared records gave a report that looked complete."""
    with pytest.warns(TwitchlabWarning):
        res = analyze(_cut_edf(tmp_path))
    assert res.recording_declared_s == pytest.approx(1800.0)
    assert res.recording_read_s == pytest.approx(100.0)
    assert res.truncated
    assert "Only 1 minute 40 seconds" in res.coverage_note()
    assert res.to_dict()["recording_truncated"] is True


def test_null_twitch_keys_carry_their_own_reason(shared_data):
    """rsleep: coarse legs, a chin, no hypnogram, no stimuli: each null key gets its true reason."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze(shared_data / "edf" / "rsleep_subject1.edf")
    assert not res.truncated
    r = res.null_reasons
    assert "REM sleep is unknown" in r["rem_twitch_per_min_rem"]
    assert "per hour of recording" not in r["rem_twitch_per_min_rem"]
    assert "no stimulus annotations" in r["stimulus_count"]
    assert "falling asleep" in r["hypnic_jerk_count"]


def test_no_scored_lms_message_names_every_annotation_file_not_only_the_first(shared_data):
    """The DOMINO phasic events and arousals live in the 2nd and 3rd files: the error must not pin them on the 1st."""
    d = shared_data / "text"
    files = [d / f"{kind} - test1 Unbekannt.txt" for kind in ("Sleep profile", "Generic", "Classification Arousals")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InsufficientDataError) as err:
            analyze(files[0], annotations=files[1:])
    msg = str(err.value)
    assert msg.startswith("the files given (Sleep profile - test1 Unbekannt.txt, Generic - test1 Unbekannt.txt")
    assert "their 267 leg 'phasic' events" in msg
    assert "they hold 15 arousal(s)" in msg


def test_twitch_kinds_follow_the_lights_window_as_the_leg_movement_indices_do():
    """Audit finding: twitch counts and rates were whole-night while rem_min (and the LM indices) followed the
    lights-off/on window."""
    from twitchlab.simulate.twitches import simulate_twitch_night

    night = simulate_twitch_night(5, duration_h=2.0, rswa="mixed", efm=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = analyze(night.recording, lm_source="emg", twitches="all").summary
        win = analyze(night.recording, lm_source="emg", twitches="all", lights_off_s=1800, lights_on_s=5400).summary
    truth = night.truth[(night.truth["onset_s"] >= 1800) & (night.truth["onset_s"] < 5400)]
    n_rem = int((truth["type"] == "rem_twitch").sum())
    assert win["rem_twitch_per_min_rem"] == pytest.approx(n_rem / win["rem_min"], rel=0.03)
    assert win["rem_epochs_scored"] <= win["rem_min"] * 2 < whole["rem_epochs_scored"]
    assert win["fragmentary_myoclonus_count"] < whole["fragmentary_myoclonus_count"]
    fm_truth = int((truth["type"] == "fragmentary_myoclonus").sum())
    assert win["fragmentary_myoclonus_count"] == pytest.approx(fm_truth, rel=0.05)
