"""read_recording: signal or annotation-only files, merging annotation files, time checks, provenance."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

from twitchlab._util import sha256_file
from twitchlab.errors import ChannelNotFoundError, InputFileError, TwitchlabWarning
from twitchlab.io import from_array, read_recording, write_edf


@pytest.fixture
def edf_10min(tmp_path):
    rng = np.random.default_rng(1)
    rec = from_array(rng.normal(0, 5, (2, 256 * 600)), 256, ["Leg L", "Leg R"], start=dt.datetime(2024, 3, 1, 23, 0))
    return write_edf(rec, tmp_path / "n.edf")


def _csv(tmp_path, rows, name="ev.csv"):
    p = tmp_path / name
    p.write_text("onset,duration,description\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows), encoding="utf-8")
    return p


def test_signal_plus_csv_events_and_inputs_hashed(tmp_path, edf_10min):
    ev = _csv(tmp_path, [(12, 1, "LM left"), (100, 15, "Hypopnea")])
    rec = read_recording(edf_10min, annotations=[ev])
    assert rec.events["type"].tolist() == ["lm_left", "hypopnea"]
    assert [i["sha256"] for i in rec.inputs] == [sha256_file(edf_10min), sha256_file(ev)]
    assert rec.inputs[1]["kind"] == "csv"


def test_events_past_the_end_are_skipped_with_numbers(tmp_path, edf_10min):
    ev = _csv(tmp_path, [(12, 1, "Arousal"), (700, 3, "Arousal")])
    with pytest.warns(TwitchlabWarning, match=r"1 of 2 event\(s\) start outside the signal \(0-600 s\)"):
        rec = read_recording(edf_10min, annotations=[ev])
    assert len(rec.events) == 1


def test_hypnogram_shorter_than_signal_warns_with_numbers(tmp_path, edf_10min):
    ev = _csv(tmp_path, [(0, 300, "Sleep stage W")])
    with pytest.warns(TwitchlabWarning, match=r"hypnogram ends at 300 s, 300 s before the signal ends.*last 10 epoch"):
        rec = read_recording(edf_10min, annotations=[ev])
    assert rec.hypnogram.n_epochs == 10


def test_hypnogram_longer_than_signal_warns_with_numbers(tmp_path, edf_10min):
    ev = _csv(tmp_path, [(0, 300, "Sleep stage W"), (300, 600, "Sleep stage 2")])
    with pytest.warns(TwitchlabWarning, match=r"hypnogram ends at 900 s but the signal ends at 600 s: 10 epoch"):
        read_recording(edf_10min, annotations=[ev])


def _domino(tmp_path, start, lines, name="Flow Events.txt"):
    p = tmp_path / name
    p.write_text(
        f"Signal ID: FlowD\\flow\nStart Time: {start}\nUnit: s\nSignal Type: Impuls\n\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    return p


def test_annotation_start_time_shifts_events_onto_the_recording(tmp_path, edf_10min):
    p = _domino(tmp_path, "01.03.2024 23:01:00", ["23:02:00,000-23:02:15,500; 16;Hypopnea"])
    rec = read_recording(edf_10min, annotations=[p])
    assert rec.events.iloc[0]["onset_s"] == pytest.approx(120.0)
    assert rec.events.iloc[0]["duration_s"] == pytest.approx(15.5)


def test_annotation_file_from_another_night_is_an_error(tmp_path, edf_10min):
    p = _domino(tmp_path, "05.03.2024 23:00:00", ["23:02:00,000-23:02:15,500; 16;Hypopnea"])
    with pytest.raises(
        InputFileError,
        match=r"starts at 2024-03-05 23:00:00 but n\.edf starts at 2024-03-01 23:00:00.*different nights",
    ):
        read_recording(edf_10min, annotations=[p])


def test_annotation_file_starting_before_the_recording_warns(tmp_path, edf_10min):
    p = _domino(tmp_path, "01.03.2024 22:59:00", ["23:02:00,000-23:02:15,500; 16;Hypopnea"])
    with pytest.warns(TwitchlabWarning, match=r"starts -60\.0 s from the start"):
        rec = read_recording(edf_10min, annotations=[p])
    assert rec.events.iloc[0]["onset_s"] == pytest.approx(120.0)


def test_annotation_only_recording_has_no_channels_and_duration_from_annotations(tmp_path):
    rec = read_recording(_csv(tmp_path, [(0, 30, "W"), (30, 30, "N2"), (45, 2, "LM")]))
    assert rec.channels == {}
    assert rec.duration_s == pytest.approx(60.0)
    assert rec.hypnogram.labels == ["W", "N2"]
    assert rec.source == "ev.csv"


def test_channel_map_on_annotation_only_file_is_an_error(tmp_path):
    with pytest.raises(ChannelNotFoundError, match="no signal channels"):
        read_recording(_csv(tmp_path, [(0, 30, "W")]), channel_map={"left": "LAT"})


def test_channel_map_override_and_did_you_mean(tmp_path, edf_10min):
    rec = read_recording(edf_10min, channel_map={"left": "Leg R", "right": "Leg L"})
    assert rec.leg_channels()["L"].label == "Leg R"
    with pytest.raises(ChannelNotFoundError, match=r"no channel 'Leg Z'.*Channels are: Leg L, Leg R.*Did you mean"):
        read_recording(edf_10min, channel_map={"left": "Leg Z"})


def test_second_hypnogram_replaces_first_with_warning(tmp_path, edf_10min):
    a = _csv(tmp_path, [(0, 600, "W")], "a.csv")
    b = _csv(tmp_path, [(0, 600, "N2")], "b.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read_recording(edf_10min, annotations=[a, b])
    assert set(rec.hypnogram.labels) == {"N2"}
    assert any("replaces it" in str(w.message) for w in caught)


@pytest.mark.parametrize("first", [None, "N2"])
def test_hypnogram_entirely_outside_the_signal_is_an_error_and_never_replaces_one(tmp_path, edf_10min, first):
    """Stages at 5000-9030 s on a 600-s signal belong to another file or time base: the night keeps nothing wrong."""
    files = [_csv(tmp_path, [(0, 600, first)], "good.csv")] if first else []
    files.append(_csv(tmp_path, [(5000, 2, "Limb movement"), (9000, 30, "Sleep stage 2")], "outside.csv"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InputFileError, match=r"outside.csv: its hypnogram covers 9000-9030 s.*0-600 s"):
            read_recording(edf_10min, annotations=files)


def test_hypnogram_overlapping_the_signal_by_one_epoch_is_kept(tmp_path, edf_10min):
    ev = _csv(tmp_path, [(570, 300, "Sleep stage 2")])
    with pytest.warns(TwitchlabWarning, match="beyond the signal"):
        rec = read_recording(edf_10min, annotations=[ev])
    assert rec.hypnogram is not None


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_recording(tmp_path / "nope.edf")
