"""write_edf: round trips of what readers produce, gaps, annotation-only recordings, atomic refusal to clobber."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from twitchlab.errors import ParameterError, TwitchlabWarning
from twitchlab.io import from_array, load_annotations, read_edf, write_edf
from twitchlab.model import Channel, Hypnogram, Recording, make_events


def test_mixed_rates_choose_a_record_that_fits_every_rate(tmp_path):
    rec = from_array([np.zeros(128), np.zeros(64)], [12.8, 6.4], ["A", "B"])
    back = read_edf(write_edf(rec, tmp_path / "r.edf"))
    assert back.channels["A"].fs_hz == pytest.approx(12.8)
    assert back.channels["B"].fs_hz == pytest.approx(6.4)
    assert back.duration_s == pytest.approx(10.0)


def test_nan_gaps_are_written_as_zero_with_a_warning(tmp_path):
    x = np.ones(200)
    x[50:100] = np.nan
    rec = from_array(x[None, :], 100, ["LAT"])
    with pytest.warns(TwitchlabWarning, match=r"'LAT' has 50 NaN"):
        path = write_edf(rec, tmp_path / "g.edf")
    data = read_edf(path).channels["LAT"].data
    assert np.allclose(data[50:100], 0.0, atol=1e-3)
    assert np.allclose(data[:50], 1.0, atol=1e-3)


def test_annotation_only_recording_round_trip(tmp_path):
    rec = Recording(
        channels={},
        duration_s=90.0,
        start=dt.datetime(2024, 2, 2, 22, 0),
        events=make_events({"type": ["arousal"], "onset_s": [12.0], "duration_s": [3.0]}),
        hypnogram=Hypnogram(np.array([0, 2, -2])),
    )
    ann = load_annotations(write_edf(rec, tmp_path / "h.edf"))
    assert ann.hypnogram.labels == ["W", "N2", "ART"]
    assert ann.start == dt.datetime(2024, 2, 2, 22, 0)
    assert ann.events.loc[ann.events["type"] == "arousal", "onset_s"].tolist() == [12.0]


def test_non_ascii_labels_are_folded(tmp_path):
    rec = from_array(np.zeros((1, 100)), 100, ["Jambe gauche é"])
    assert list(read_edf(write_edf(rec, tmp_path / "a.edf")).channels) == ["Jambe gauche e"]


def test_refuses_to_overwrite_when_asked(tmp_path):
    rec = from_array(np.zeros((1, 100)), 100, ["LAT"])
    path = write_edf(rec, tmp_path / "a.edf")
    before = path.read_bytes()
    with pytest.raises(ParameterError, match="exists"):
        write_edf(rec, path, overwrite=False)
    assert path.read_bytes() == before


def test_nothing_to_write_is_an_error(tmp_path):
    with pytest.raises(ParameterError, match="nothing to write"):
        write_edf(Recording(channels={}, duration_s=0.0), tmp_path / "e.edf")


def test_lazy_channel_from_another_file_is_copied(tmp_path):
    src = write_edf(from_array(np.arange(300.0)[None, :], 100, ["LAT"]), tmp_path / "s.edf")
    rec = read_edf(src)
    assert isinstance(rec.channels["LAT"], Channel)
    out = read_edf(write_edf(rec, tmp_path / "copy.edf"))
    assert np.allclose(out.channels["LAT"].data, np.arange(300.0), atol=0.01)
