import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from twitchlab.errors import ChannelNotFoundError, ParameterError
from twitchlab.model import EVENT_COLUMNS, Channel, Hypnogram, Recording, make_events, validate_events


def test_make_events_fills_defaults_and_sorts():
    ev = make_events({"type": ["lm_left", "arousal"], "onset_s": [10.0, 2.0], "duration_s": [1.5, 3.0]})
    assert list(ev.columns[: len(EVENT_COLUMNS)]) == list(EVENT_COLUMNS)
    assert ev["onset_s"].tolist() == [2.0, 10.0]
    assert ev["offset_s"].tolist() == [5.0, 11.5]
    assert ev["event_id"].tolist() == [0, 1]
    assert not ev["is_plm"].any()
    assert ev["series_id"].isna().all()
    validate_events(ev)


def test_make_events_rejects_offset_before_onset():
    with pytest.raises(ParameterError, match="end before they start"):
        make_events({"type": ["lm"], "onset_s": [5.0], "offset_s": [4.0]})


@given(st.lists(st.tuples(st.floats(0, 1e5), st.floats(0, 100)), max_size=30))
def test_make_events_onset_le_offset(rows):
    ev = make_events(pd.DataFrame({"type": "lm", "onset_s": [r[0] for r in rows], "duration_s": [r[1] for r in rows]}))
    assert (ev["offset_s"] >= ev["onset_s"]).all()
    assert ev["onset_s"].is_monotonic_increasing


def test_hypnogram_labels_and_stage_at():
    h = Hypnogram.from_labels(["W", "N1", "N2", "S4", "REM", "?"], start_s=30.0)
    assert h.stages.tolist() == [0, 1, 2, 3, 4, -1]
    assert h.stage_at([0.0, 30.0, 95.0, 1e6]).tolist() == [-1, 0, 2, -1]
    assert h.minutes()["N3"] == pytest.approx(0.5)
    with pytest.raises(ParameterError, match="unknown stage label 'SNORE'"):
        Hypnogram.from_labels(["W", "SNORE"])


def test_hypnogram_yasa_round_trip():
    pytest.importorskip("yasa")
    h = Hypnogram.from_labels(["W", "N1", "N2", "N3", "R", "W"])
    back = Hypnogram.from_yasa(h.to_yasa())
    assert back.stages.tolist() == h.stages.tolist()
    assert back.epoch_s == 30.0


def test_recording_channel_lookup_suggests():
    ch = Channel.from_array(np.zeros(100), 100.0, "LAT", role="leg_left")
    rec = Recording(channels={"LAT": ch}, duration_s=1.0)
    assert rec.channel("leg_left") is ch
    assert rec.leg_channels() == {"L": ch}
    with pytest.raises(ChannelNotFoundError, match="Did you mean 'LAT'"):
        rec.channel("LATT")


def test_channel_data_read_only():
    ch = Channel.from_array(np.arange(5.0), 10.0, "x")
    assert not ch.is_loaded
    with pytest.raises(ValueError, match="read-only"):
        ch.data[0] = 1.0
    assert ch.is_loaded


def test_stage_at_an_epoch_edge_is_the_epoch_it_starts_despite_float_error():
    """Audit finding: at a 66.7-Hz envelope, j / fs at an epoch edge fell a hair short and took the previous stage
    for 959 of 2,881 edges."""
    fs = 200.0 / 3.0
    hyp = Hypnogram(np.arange(2881) % 5, epoch_s=30.0)
    edges = np.round(np.arange(2881) * 30 * fs).astype(int)
    np.testing.assert_array_equal(hyp.stage_at(edges / fs), hyp.stages)
