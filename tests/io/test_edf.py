"""EDF/EDF+/EDF+D/BDF reading on generated files with known content, and every bad-input case."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import edfio
import numpy as np
import pytest
from _edfbytes import Sig, edf_bytes, tal_record

from twitchlab.errors import InputFileError, TwitchlabWarning
from twitchlab.io import from_array, read_edf, write_edf
from twitchlab.model import Hypnogram, make_events

RNG = np.random.default_rng(7)


def ramp(n_rec: int, spr: int) -> np.ndarray:
    return (np.arange(n_rec * spr, dtype=np.int64) % 2000 - 1000).reshape(n_rec, spr).astype(np.int16)


# ------------------------------------------------------------------------------------- round trip, laziness


@pytest.fixture
def night(tmp_path: Path) -> tuple[Path, dict]:
    data = {
        "LAT": RNG.normal(0, 5, 256 * 120),
        "RAT": RNG.normal(0, 5, 256 * 120),
        "C3-M2": RNG.normal(0, 30, 256 * 120),
        "SaO2": np.full(120, 95.0) + RNG.normal(0, 0.5, 120),
    }
    rec = from_array(
        [data["LAT"], data["RAT"], data["C3-M2"], data["SaO2"]],
        [256, 256, 256, 1],
        list(data),
        units=["uV", "uV", "uV", "%"],
        start=dt.datetime(2024, 1, 2, 23, 0, 0, 250000),
    )
    rec.events = make_events(
        {
            "type": ["lm_left", "apnea_obstructive", "arousal"],
            "onset_s": [10.0, 20.0, 33.5],
            "duration_s": [1.5, 12.0, 4.0],
            "label_original": [None, "Obstructive apnea|Obstructive Apnea", None],
        }
    )
    rec.hypnogram = Hypnogram(np.array([0, 1, 2, 2]))
    path = write_edf(rec, tmp_path / "night.edf")
    return path, data


def test_write_read_round_trip_keeps_samples_events_stages_and_subsecond_start(night):
    path, data = night
    rec = read_edf(path)
    assert rec.start == dt.datetime(2024, 1, 2, 23, 0, 0, 250000)
    assert rec.duration_s == pytest.approx(120.0)
    assert rec.channels["LAT"].role == "leg_left"
    assert rec.channels["RAT"].role == "leg_right"
    assert rec.channels["SaO2"].unit == "%"
    assert rec.channels["SaO2"].fs_hz == 1
    for label in ("LAT", "C3-M2"):
        ch = rec.channels[label]
        assert np.abs(ch.data - data[label]).max() <= ch.resolution
    types = rec.events.set_index("onset_s")["type"]
    assert types[10.0] == "lm_left"
    assert types[20.0] == "apnea_obstructive"
    assert types[33.5] == "arousal"
    assert rec.events.set_index("onset_s").loc[20.0, "label_original"] == "Obstructive apnea|Obstructive Apnea"
    assert rec.hypnogram.labels == ["W", "N1", "N2", "N2"]
    assert rec.inputs[0]["sha256"]
    assert len(rec.inputs[0]["sha256"]) == 64


def test_channels_are_lazy_only_requested_signal_is_read(night):
    path, _ = night
    rec = read_edf(path)
    assert not any(c.is_loaded for c in rec.channels.values())
    legs = rec.leg_channels()
    _ = legs["L"].data
    assert rec.channels["LAT"].is_loaded
    assert not rec.channels["C3-M2"].is_loaded
    assert not rec.channels["RAT"].is_loaded


def test_read_never_modifies_the_input(night):
    path, _ = night
    before = path.read_bytes()
    rec = read_edf(path)
    _ = [c.data for c in rec.channels.values()]
    assert path.read_bytes() == before


def test_matches_edfio_samples_on_generated_file(night):
    path, _ = night
    ours = read_edf(path, hash_inputs=False)
    theirs = edfio.read_edf(path)
    for sig in theirs.signals:
        assert np.allclose(ours.channels[sig.label].data, sig.data, atol=1e-9)


def test_bdf_24_bit_round_trip(tmp_path):
    x = RNG.normal(0, 50, 512 * 4)
    bdf = edfio.Bdf([edfio.BdfSignal(x, 512, label="EMG Tib L", physical_dimension="uV")])
    bdf.write(tmp_path / "x.bdf")
    rec = read_edf(tmp_path / "x.bdf")
    ch = rec.channel("leg_left")
    assert ch.fs_hz == 512
    assert np.abs(ch.data - x).max() <= ch.resolution


def test_mv_and_v_are_converted_to_uv(write_bytes):
    d = ramp(2, 10)
    raw = edf_bytes(
        [
            Sig("Leg L", d, dim="mV", pmin=-32.768, pmax=32.767),
            Sig("Leg R", d, dim="V", pmin=-0.0327, pmax=0.0327, dmin=-327, dmax=327),
        ]
    )
    with pytest.warns(TwitchlabWarning, match=r"'Leg R' \(right leg\): one digital step is 100 µV"):
        rec = read_edf(write_bytes(raw))
    assert rec.channels["Leg L"].unit == "uV"
    assert rec.channels["Leg R"].unit == "uV"
    assert np.allclose(rec.channels["Leg L"].data, d.ravel() * 1.0, atol=1e-6)  # 0.001 mV per step
    assert np.allclose(rec.channels["Leg R"].data, d.ravel() * 100.0, atol=1e-6)
    assert rec.channels["Leg R"].resolution == pytest.approx(100.0)


def test_non_integer_rate_and_record_duration(write_bytes):
    raw = edf_bytes([Sig("EEG", ramp(3, 64))], record_s=5.0)
    rec = read_edf(write_bytes(raw))
    assert rec.channels["EEG"].fs_hz == pytest.approx(12.8)
    assert rec.duration_s == pytest.approx(15.0)


# ------------------------------------------------------------------------------------------- bad input


def test_inverted_physical_range_keeps_the_sign_of_the_gain(write_bytes):
    d = ramp(1, 100)
    rec = read_edf(write_bytes(edf_bytes([Sig("Fp1", d, pmin=100.0, pmax=-100.0, dmin=-1000, dmax=1000)])))
    x = rec.channels["Fp1"].data
    assert np.allclose(x, -0.1 * d.ravel().astype(float) - 0.0, atol=1e-9)


def test_digital_range_of_zero_warns_then_refuses_to_scale(write_bytes):
    raw = edf_bytes([Sig("LAT", ramp(1, 10), dmin=5, dmax=5), Sig("RAT", ramp(1, 10))])
    with pytest.warns(TwitchlabWarning, match="digital minimum equals digital maximum"):
        rec = read_edf(write_bytes(raw))
    assert np.isfinite(rec.channels["RAT"].data).all()
    with pytest.raises(InputFileError, match=r"LAT.*digital minimum equals digital maximum"):
        _ = rec.channels["LAT"].data


def test_physical_range_of_zero_warns_constant(write_bytes):
    with pytest.warns(TwitchlabWarning, match="physical minimum equals physical maximum"):
        rec = read_edf(write_bytes(edf_bytes([Sig("X", ramp(1, 10), pmin=3.0, pmax=3.0)])))
    assert np.allclose(rec.channels["X"].data, 3.0)


def test_non_ascii_labels_latin1_and_utf8(write_bytes):
    raw = edf_bytes([Sig("Jambe gauche", ramp(1, 10)), Sig("Fréquence", ramp(1, 10))], label_encoding="latin-1")
    rec = read_edf(write_bytes(raw, "latin.edf"))
    assert list(rec.channels) == ["Jambe gauche", "Fréquence"]
    raw = edf_bytes([Sig("Impédance", ramp(1, 10), dim="Ohm")], label_encoding="utf-8")
    rec = read_edf(write_bytes(raw, "utf8.edf"))
    assert list(rec.channels) == ["Impédance"]
    assert rec.channels["Impédance"].role == "other"


def test_duplicate_labels_are_kept_apart_in_file_order(write_bytes):
    a, b = ramp(1, 10), -ramp(1, 10)
    with pytest.warns(TwitchlabWarning, match="duplicate channel label"):
        rec = read_edf(write_bytes(edf_bytes([Sig("EMG", a), Sig("ECG", a), Sig("EMG", b)])))
    assert list(rec.channels) == ["EMG-0", "ECG", "EMG-1"]
    assert np.allclose(rec.channels["EMG-1"].data, b.ravel() * 0.1, atol=1e-9)
    assert rec.channels["EMG-1"].label_original == "EMG"


def test_truncated_file_reads_whole_records_and_says_so(write_bytes):
    raw = edf_bytes([Sig("LAT", ramp(10, 100))])
    path = write_bytes(raw[: len(raw) - 250])  # 10 records of 200 bytes: cut in the middle of record 9
    with pytest.warns(TwitchlabWarning) as caught:
        rec = read_edf(path)
    msgs = " | ".join(str(w.message) for w in caught)
    assert "says 10 data records but the file holds only 8 complete records" in msgs
    assert "the last 150 bytes are a partial data record" in msgs
    assert rec.duration_s == pytest.approx(8.0)
    assert rec.channels["LAT"].n_samples == 800


def test_truncated_header_is_an_error(write_bytes):
    raw = edf_bytes([Sig("LAT", ramp(1, 10))])
    with pytest.raises(InputFileError, match="truncated"):
        read_edf(write_bytes(raw[:300]))
    with pytest.raises(InputFileError, match="shorter than the 256-byte EDF header"):
        read_edf(write_bytes(raw[:100]))


def test_header_lies_about_record_count(write_bytes):
    raw = edf_bytes([Sig("LAT", ramp(4, 10))], n_records=2)
    with pytest.warns(TwitchlabWarning, match=r"says 2 data records but the file holds 4"):
        rec = read_edf(write_bytes(raw, "fewer.edf"))
    assert rec.duration_s == pytest.approx(2.0)
    raw = edf_bytes([Sig("LAT", ramp(4, 10))], n_records=9)
    with pytest.warns(TwitchlabWarning, match=r"says 9 data records but the file holds only 4"):
        rec = read_edf(write_bytes(raw, "more.edf"))
    assert rec.duration_s == pytest.approx(4.0)
    raw = edf_bytes([Sig("LAT", ramp(4, 10))], n_records=-1)
    with pytest.warns(TwitchlabWarning, match="record count is -1"):
        assert read_edf(write_bytes(raw, "unknown.edf")).duration_s == pytest.approx(4.0)


def test_zero_data_records_is_a_clear_error(write_bytes):
    raw = edf_bytes([Sig("LAT", np.zeros((0, 10), np.int16))], n_records=0)
    with pytest.raises(InputFileError, match="holds no data"):
        read_edf(write_bytes(raw))


def test_invalid_start_date_is_a_warning_and_start_unknown(write_bytes):
    raw = edf_bytes([Sig("LAT", ramp(1, 10))], startdate="31.02.24", recording="")
    with pytest.warns(TwitchlabWarning, match=r"start date/time '31\.02\.24'.*invalid"):
        rec = read_edf(write_bytes(raw))
    assert rec.start is None
    assert rec.duration_s == 1.0


def test_corrupt_number_field_names_signal_and_field(write_bytes):
    raw = bytearray(edf_bytes([Sig("LAT", ramp(1, 10))]))
    spr_at = 256 + 16 + 80 + 8 * 5 + 80  # samples-per-record field of signal 1
    raw[spr_at : spr_at + 8] = b"ten     "
    with pytest.raises(InputFileError, match=r"signal 1 \('LAT'\): samples per data record is 'ten'"):
        read_edf(write_bytes(bytes(raw)))


def test_not_an_edf_is_an_error(write_bytes):
    with pytest.raises(InputFileError, match="not an EDF"):
        read_edf(write_bytes(b"PK\x03\x04" + b"\x00" * 400, "x.edf"))


# ------------------------------------------------------------------------------------------------ EDF+


def test_subsecond_start_from_first_tal_and_onsets_from_first_sample(write_bytes):
    tals = [tal_record(0.25 + i, [(1.75, 0.5, "LM left")] if i == 1 else []) for i in range(3)]
    raw = edf_bytes([Sig("LAT", ramp(3, 10))], reserved="EDF+C", tals=tals)
    rec = read_edf(write_bytes(raw))
    assert rec.start == dt.datetime(2024, 1, 2, 23, 0, 0, 250000)
    assert rec.events["onset_s"].tolist() == [pytest.approx(1.5)]
    assert rec.events["type"].tolist() == ["lm_left"]


def test_edf_plus_d_places_records_at_tal_onsets_with_nan_gaps(write_bytes):
    d = ramp(3, 10)
    tals = [tal_record(0.0), tal_record(1.0), tal_record(5.0, [(5.5, None, "Arousal")])]
    raw = edf_bytes([Sig("LAT", d)], reserved="EDF+D", tals=tals)
    rec = read_edf(write_bytes(raw))
    assert rec.gaps == ((2.0, 5.0),)
    assert rec.duration_s == pytest.approx(6.0)
    x = rec.channels["LAT"].data
    assert x.size == 60
    assert np.isnan(x[20:50]).all()
    assert np.allclose(x[50:60], d[2] * 0.1, atol=1e-9)
    assert np.allclose(x[:20], d[:2].ravel() * 0.1, atol=1e-9)
    assert rec.events.iloc[0]["onset_s"] == pytest.approx(5.5)


def test_edf_plus_c_with_jumping_onsets_is_not_joined_silently(write_bytes):
    tals = [tal_record(0.0), tal_record(4.0)]
    with pytest.warns(TwitchlabWarning, match="start after a gap"):
        rec = read_edf(write_bytes(edf_bytes([Sig("LAT", ramp(2, 10))], reserved="EDF+C", tals=tals)))
    assert rec.gaps == ((1.0, 4.0),)


def test_edf_plus_d_overlapping_records_is_an_error(write_bytes):
    tals = [tal_record(0.0), tal_record(0.5)]
    with pytest.raises(InputFileError, match="overlap or are out of order"):
        read_edf(write_bytes(edf_bytes([Sig("LAT", ramp(2, 10))], reserved="EDF+D", tals=tals)))


def test_edf_plus_c_with_backwards_onsets_is_read_contiguous_with_warning(write_bytes):
    tals = [tal_record(0.0), tal_record(0.0), tal_record(0.0)]
    with pytest.warns(TwitchlabWarning, match="overlap or are out of order.*read as contiguous"):
        rec = read_edf(write_bytes(edf_bytes([Sig("LAT", ramp(3, 10))], reserved="EDF+C", tals=tals)))
    assert rec.duration_s == pytest.approx(3.0)
    assert rec.gaps == ()


def test_absurd_first_record_onset_is_not_trusted(write_bytes):
    tals = [b"+9000000000000000\x14\x14\x00", b"+9000000000000001\x14\x14\x00"]
    with pytest.warns(TwitchlabWarning, match="time-keeping annotations are corrupt"):
        rec = read_edf(write_bytes(edf_bytes([Sig("LAT", ramp(2, 10))], reserved="EDF+C", tals=tals), "c.edf"))
    assert rec.start == dt.datetime(2024, 1, 2, 23, 0)
    with pytest.raises(InputFileError, match="time-keeping annotations are corrupt"):
        read_edf(write_bytes(edf_bytes([Sig("LAT", ramp(2, 10))], reserved="EDF+D", tals=tals), "d.edf"))


def test_annotations_past_the_end_are_skipped_and_counted(write_bytes):
    tals = [tal_record(0.0, [(0.5, 1.0, "Arousal"), (50.0, 3.0, "Arousal"), (60.0, None, "Lights on")]), tal_record(1)]
    with pytest.warns(TwitchlabWarning, match=r"2 annotation\(s\) start outside the recording"):
        rec = read_edf(write_bytes(edf_bytes([Sig("LAT", ramp(2, 10))], reserved="EDF+C", tals=tals)))
    assert len(rec.events) == 1
    assert rec.events.iloc[0]["onset_s"] == 0.5


def test_malformed_tal_is_skipped_and_counted(write_bytes):
    bad = tal_record(0.0) + b"+x1\x14Arousal\x14\x00"
    with pytest.warns(TwitchlabWarning, match=r"1 malformed EDF\+ annotation"):
        rec = read_edf(write_bytes(edf_bytes([Sig("LAT", ramp(1, 10))], reserved="EDF+C", tals=[bad])))
    assert len(rec.events) == 0


def test_annotation_only_edf_duration_from_annotations(write_bytes):
    tal = tal_record(0.0, [(0.0, 60.0, "Sleep stage W"), (60.0, 90.0, "Sleep stage 2")])
    raw = edf_bytes([], reserved="EDF+C", tals=[tal], record_s=0.0, tal_bytes=200)
    rec = read_edf(write_bytes(raw))
    assert rec.channels == {}
    assert rec.duration_s == pytest.approx(150.0)
    assert rec.hypnogram.labels == ["W", "W", "N2", "N2", "N2"]


def test_channel_selection_by_role_and_label(night):
    path, _ = night
    rec = read_edf(path, channels=["leg_left", "SaO2"])
    assert list(rec.channels) == ["LAT", "SaO2"]


def test_zero_data_records_message_counts_every_declared_signal(write_bytes):
    sigs = [Sig(f"S{i}", np.zeros((0, 10), np.int16)) for i in range(4)]
    raw = edf_bytes(sigs, n_records=0, reserved="EDF+C", tals=[])
    with pytest.raises(InputFileError, match=r"5 signals declared \(4 data, 1 annotation\)"):
        read_edf(write_bytes(raw))


def test_read_warns_about_coarse_leg_emg_and_likely_unit(write_bytes):
    rng = np.random.default_rng(5)
    emg = np.round(rng.normal(0, 40, (60, 200))).astype(np.int16)  # 2-µV EMG in 0.05-µV steps
    counts = np.round(rng.normal(0, 0.3, (60, 200))).astype(np.int16)  # ~6-µV EMG in 31.25-µV steps (Nox-like)
    coarse = Sig("Left Leg", counts, dim="mV", pmin=-1024.0, pmax=1023.97)  # ±1 V range
    with pytest.warns(TwitchlabWarning, match=r"'Left Leg' \(left leg\): one digital step is 31\.3 µV"):
        rec = read_edf(write_bytes(edf_bytes([coarse])))
    assert any("too coarse for leg EMG" in w for w in rec.warnings)
    as_mv = Sig("Leg R", emg, dim="mV", pmin=-1638.4, pmax=1638.35)  # µV numbers labelled mV
    with pytest.warns(TwitchlabWarning, match=r"'Leg R': resting level [12]\.\d+ mV .*looks like µV, not mV"):
        rec = read_edf(write_bytes(edf_bytes([as_mv])))
    assert not any("digital step" in w for w in rec.warnings)  # the unit explains the steps: one warning
    fine = Sig("Leg R", emg, dim="uV", pmin=-1638.4, pmax=1638.35)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_edf(write_bytes(edf_bytes([fine]))).warnings == []


def test_header_physical_range_gives_the_rails_in_microvolts(write_bytes):
    raw = edf_bytes(
        [Sig("LAT", ramp(1, 10), dim="mV", pmin=-2.0, pmax=2.0), Sig("RAT", ramp(1, 10), pmin=100.0, pmax=-100.0)]
    )
    rec = read_edf(write_bytes(raw))
    assert rec.channels["LAT"].rails == pytest.approx((-2000.0, 2000.0))  # mV header, data in µV
    assert rec.channels["RAT"].rails == pytest.approx((-100.0, 100.0))  # an inverted range, low to high


def test_cut_off_file_records_declared_and_read_length(tmp_path):
    """The reader's 'holds only 100 complete records' becomes data: declared 1800 s, read 100 s."""
    data = RNG.normal(0, 5, (2, 1800 * 100))
    full = write_edf(from_array(data, 100, ["Leg L", "Leg R"]), tmp_path / "full.edf")
    raw = full.read_bytes()
    header, n_rec = int(raw[184:192]), int(raw[236:244])
    assert n_rec == 1800
    per_record = (len(raw) - header) // n_rec
    cut = tmp_path / "cut.edf"
    cut.write_bytes(raw[: header + 100 * per_record])
    with pytest.warns(TwitchlabWarning, match="holds only 100 complete records"):
        rec = read_edf(cut)
    assert rec.duration_s == pytest.approx(100.0)
    assert rec.declared_duration_s == pytest.approx(1800.0)
    assert read_edf(full).declared_duration_s == pytest.approx(1800.0)
