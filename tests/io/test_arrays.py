"""from_array (YASA convention) and from_mne."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from twitchlab.errors import ParameterError
from twitchlab.io import from_array, from_mne
from twitchlab.model import Recording


def test_from_array_2d_roles_and_duration():
    data = np.arange(3 * 512, dtype=float).reshape(3, 512)
    rec = from_array(data, 256, ["LAT", "RAT", "C4-M1"], start=dt.datetime(2024, 1, 1, 22))
    assert rec.duration_s == 2.0
    assert rec.leg_channels()["L"].label == "LAT"
    assert rec.channels["C4-M1"].role == "eeg"
    assert np.array_equal(rec.channels["RAT"].data, data[1])


def test_from_array_per_channel_rates_and_lengths():
    rec = Recording.from_array([np.zeros(200), np.zeros(10)], [200, 10], ["Leg L", "SpO2"], units=["uV", "%"])
    assert rec.channels["SpO2"].fs_hz == 10
    assert rec.channels["SpO2"].unit == "%"
    assert rec.duration_s == 1.0


def test_from_array_mismatch_is_a_clear_error():
    with pytest.raises(ParameterError, match=r"2 channel\(s\) of data but 1 name"):
        from_array(np.zeros((2, 10)), 100, ["LAT"])
    with pytest.raises(ParameterError, match="unique"):
        from_array(np.zeros((2, 10)), 100, ["LAT", "LAT"])


def test_from_mne_converts_volts_to_microvolts_and_keeps_annotations():
    mne = pytest.importorskip("mne")
    info = mne.create_info(["LAT", "C3-M2", "SpO2"], 100.0, ["emg", "eeg", "misc"])
    data = np.vstack([np.full(500, 5e-6), np.full(500, -2e-5), np.full(500, 95.0)])
    raw = mne.io.RawArray(data, info, verbose="error")
    raw.set_meas_date(dt.datetime(2024, 1, 1, 23, tzinfo=dt.UTC))
    raw.set_annotations(mne.Annotations([1.0, 2.0], [0.5, 0.0], ["Limb Movement (Left)", "Arousal"]))
    rec = from_mne(raw)
    assert rec.channels["LAT"].role == "leg_left"
    assert rec.channels["LAT"].data == pytest.approx(np.full(500, 5.0))
    assert rec.channels["C3-M2"].data == pytest.approx(np.full(500, -20.0))
    assert rec.channels["SpO2"].data == pytest.approx(np.full(500, 95.0))
    assert rec.events["type"].tolist() == ["lm_left", "arousal"]
    assert rec.events["onset_s"].tolist() == [1.0, 2.0]
    assert rec.start == dt.datetime(2024, 1, 1, 23, tzinfo=dt.UTC)
    assert rec.duration_s == 5.0
