"""Every real file in shared/data/edf and shared/data/text, read in place, against SOURCES.md / manifest.json."""

from __future__ import annotations

import collections
import datetime as dt
import warnings
from pathlib import Path

import edfio
import numpy as np
import pytest

from twitchlab.errors import InputFileError, TwitchlabWarning
from twitchlab.io import load_annotations, read_annotations, read_edf, read_recording

EDF_FILES = [
    "edf/rsleep_subject1.edf",
    "edf/short_psg.edf",
    "edf/SC4001EC-Hypnogram.edf",
    "edf/SC4001EC-Hypnogram.bdf",
    "edf/mne_test.bdf",
    "edf/mne_test.edf",
    "edf/test_uneven_samp.edf",
    "edf/duplicate_channel_labels.edf",
    "edf/test_edf_stim_channel.edf",
    "edf/test_subsecond.edf",
    "edf/test_utf8.edf",
    "edf/test_generator_datarec_generator_2.bdf",
    "edf/simulated-01.edf",
]


def _read(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwitchlabWarning)
        return read_edf(path, hash_inputs=False)


@pytest.mark.parametrize("rel", EDF_FILES)
def test_edf_file_matches_manifest(shared_data, manifest, rel):
    exp = manifest[rel]["expected"]
    rec = _read(shared_data / rel)
    assert len(rec.channels) == exp["n_signals"]
    if "duration_s" in exp:
        assert rec.duration_s == pytest.approx(exp["duration_s"])
    if "start" in exp:
        assert rec.start == dt.datetime.fromisoformat(exp["start"])
    fs = exp.get("fs")
    if isinstance(fs, dict):
        for label, rate in fs.items():
            assert rec.channels[label].fs_hz == pytest.approx(rate)
    elif fs is not None:
        assert all(c.fs_hz == pytest.approx(fs) for c in rec.channels.values())
    if "leg_channels" in exp:
        assert sorted(c.label for c in rec.leg_channels().values()) == sorted(exp["leg_channels"])
    n_ann = exp.get("n_annotations", exp.get("n_event_annotations"))
    if n_ann is not None:
        assert len(rec.events) == n_ann


@pytest.mark.parametrize("rel", [f for f in EDF_FILES if "Hypnogram" not in f])
def test_edf_samples_match_edfio(shared_data, rel):
    """edfio as an independent oracle for scaling (unit conversion aside)."""
    path = shared_data / rel
    rec = _read(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = (edfio.read_bdf if rel.endswith(".bdf") else edfio.read_edf)(path, header_encoding="latin-1")
        ref_data = [s.data for s in ref.signals]
    for ch, expected in zip(rec.channels.values(), ref_data, strict=True):
        factor = {"V": 1e6, "mV": 1e3}.get(ch.physical_dimension, 1.0) if ch.unit == "uV" else 1.0
        assert np.allclose(ch.data, expected * factor, rtol=1e-9, atol=1e-9), ch.label


def test_rsleep_nox_legs_in_volts_converted_with_coarse_resolution(shared_data):
    rec = _read(shared_data / "edf/rsleep_subject1.edf")
    left, right = rec.channel("leg_left"), rec.channel("leg_right")
    assert (left.label, right.label) == ("Left Leg", "Right Leg")
    assert left.unit == "uV"
    assert left.fs_hz == 200
    assert left.resolution == pytest.approx(2.048e6 / 65535, rel=1e-3)  # ~31 µV per digital step
    assert np.unique(left.data).size == 15
    assert left.data.mean() == pytest.approx(720, abs=5)  # +0.72 mV
    assert right.data.mean() == pytest.approx(-5430, abs=10)  # -5.43 mV DC offset
    roles = {c.label: c.role for c in rec.channels.values()}
    assert roles["Jambe gauche Imp"] == "other"
    assert roles["Jambe droite Imp"] == "other"
    assert roles["1-2"] == roles["1-F"] == roles["2-F"] == "chin"
    assert roles["ECG"] == "ecg"
    assert roles["C3-M2"] == "eeg"
    assert roles["E1-M2"] == "eog"
    assert "1 Impédance" in rec.channels  # header bytes decoded, not mojibake
    assert rec.channels["PosAngle"].physical_dimension == "°"


def test_short_psg_has_no_leg_emg(shared_data):
    rec = _read(shared_data / "edf/short_psg.edf")
    assert rec.leg_channels() == {}
    assert rec.channels["EMG submental"].role == "chin"
    assert rec.channels["EMG submental"].fs_hz == 1


def test_sleep_edf_hypnogram_expanded_to_2880_epochs(shared_data, manifest):
    for rel in ("edf/SC4001EC-Hypnogram.edf", "edf/SC4001EC-Hypnogram.bdf"):
        ann = load_annotations(shared_data / rel)
        assert len(ann.events) == 154
        hyp = ann.hypnogram
        assert hyp.n_epochs == 2880
        assert hyp.start_s == 0
        counts = collections.Counter(hyp.labels)
        e = manifest["edf/SC4001EC-Hypnogram.edf"]["expected"]["epochs_30s"]
        assert counts == {"W": e["W"], "N1": e["1"], "N2": e["2"], "N3": e["3"] + e["4"], "R": e["R"], "?": e["?"]}
        first, last = ann.events.iloc[0], ann.events.iloc[-1]
        assert (first["label_original"], first["duration_s"]) == ("Sleep stage W", 30630)
        assert (last["label_original"], last["onset_s"], last["duration_s"]) == ("Sleep stage ?", 79500, 6900)


def test_mne_test_edf_mixed_instant_and_duration_annotations(shared_data, manifest):
    rec = _read(shared_data / "edf/mne_test.edf")
    got = list(zip(rec.events["onset_s"], rec.events["duration_s"], rec.events["label_original"], strict=True))
    want = [(on, dur or 0.0, text) for on, dur, text in manifest["edf/mne_test.edf"]["expected"]["annotations"]]
    assert [(pytest.approx(a), pytest.approx(b), c) for a, b, c in want] == got


@pytest.mark.parametrize("rel", ["edf/test_subsecond.edf", "edf/test_utf8.edf"])
def test_subsecond_start_and_onsets_from_first_sample(shared_data, manifest, rel):
    exp = manifest[rel]["expected"]
    rec = _read(shared_data / rel)
    assert rec.start == dt.datetime(2020, 1, 24, 4, 5, 56, 394531)
    got = list(zip(rec.events["onset_s"], rec.events["label_original"], strict=True))
    assert got == [(pytest.approx(on, abs=1e-6), text) for on, text in exp["annotations_from_first_sample"]]


def test_subsecond_negative_gain_kept(shared_data):
    rec = _read(shared_data / "edf/test_subsecond.edf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = edfio.read_edf(shared_data / "edf/test_subsecond.edf").signals[0]
    digital = ref.digital.astype(float)
    # physical_min 8711 > physical_max -8711: larger digital values give smaller physical values
    x = rec.channels["Fp1"].data
    assert np.corrcoef(digital, x)[0, 1] == pytest.approx(-1.0)


def test_duplicate_labels_real_file(shared_data):
    rec = _read(shared_data / "edf/duplicate_channel_labels.edf")
    assert list(rec.channels) == ["EEG F1-Ref-0", "EEG F2-Ref", "EEG F1-Ref-1"]
    assert any("duplicate channel label" in w for w in rec.warnings)


def test_malformed_zero_records_is_a_clear_error(shared_data):
    with pytest.raises(InputFileError, match="holds no data"):
        _read(shared_data / "edf/malformed/zero-data-records.edf")


def test_malformed_invalid_date_message_names_the_date(shared_data):
    with pytest.raises(InputFileError, match=r"holds no data.*start date/time '00\.00\.00'.*invalid"):
        _read(shared_data / "edf/malformed/invalid-date.edf")


# ------------------------------------------------------------------------------------------------- text

TEXT = Path("text")


@pytest.mark.parametrize(
    "rel",
    [
        "text/Classification Arousals - test1 Unbekannt.txt",
        "text/Flow Events - test1 Unbekannt.txt",
        "text/Generic - test1 Unbekannt.txt",
        "text/Generic_NO_test1.txt",
        "text/noxturnal_events_example_unicode.csv",
        "text/noxturnal_events_example_unicode_2.csv",
        "text/noxturnal_events_example_unicode_3.csv",
    ],
)
def test_text_export_counts(shared_data, manifest, rel):
    exp = manifest[rel]["expected"]
    ann = load_annotations(shared_data / rel)
    assert len(ann.events) == exp["n_events"]
    counts = collections.Counter(ann.events["label_original"])
    for label, n in {**exp.get("counts", {}), **exp.get("counts_leg", {})}.items():
        assert counts[label] == n, label
    assert (ann.events["onset_s"] >= 0).all()
    assert ann.events["type"].notna().all()


def test_domino_arousals_first_event_and_types(shared_data):
    ann = load_annotations(shared_data / TEXT / "Classification Arousals - test1 Unbekannt.txt")
    assert ann.start == dt.datetime(2020, 9, 23, 1, 0, 0)
    first = ann.events.iloc[0]
    assert (first["onset_s"], first["offset_s"]) == (pytest.approx(60.75), pytest.approx(72.25))
    assert set(ann.events["type"]) == {"arousal"}


def test_domino_flow_events_hypopnea_and_unknown_listed(shared_data):
    with pytest.warns(TwitchlabWarning, match="Flow Limitation"):
        ann = read_annotations(shared_data / TEXT / "Flow Events - test1 Unbekannt.txt")
    first = ann.events.iloc[0]
    assert (first["onset_s"], first["offset_s"]) == (pytest.approx(264.411), pytest.approx(281.671))
    assert (ann.events["type"] == "hypopnea").sum() == 13
    assert (ann.events["type"] == "other").sum() == 1


def test_domino_generic_sides_and_phasic_mapping(shared_data):
    ann = load_annotations(shared_data / TEXT / "Generic - test1 Unbekannt.txt")
    first = ann.events.iloc[0]
    assert first["label_original"] == "ChinArtifact"
    assert first["onset_s"] == pytest.approx(18 * 60 + 0.197)
    assert first["offset_s"] == pytest.approx(18 * 60 + 29.872)
    left = ann.events[ann.events["label_original"] == "LeftLegPhasic"]
    assert set(left["type"]) == {"rem_twitch"}
    assert set(left["side"]) == {"L"}


def test_domino_us_12h_header_never_gives_negative_offsets(shared_data):
    ann = load_annotations(shared_data / TEXT / "Generic_NO_test1.txt")
    assert any("AM/PM" in w and "01:00" in w for w in ann.warnings)
    assert ann.start.date() == dt.date(2020, 9, 23)
    on = ann.events["onset_s"]
    assert on.min() == pytest.approx(18 * 60 + 0.865)
    assert on.max() < 3600


def test_domino_sleep_profile_hypnogram(shared_data):
    ann = load_annotations(shared_data / TEXT / "Sleep profile - test1 Unbekannt.txt")
    hyp = ann.hypnogram
    assert hyp.n_epochs == 121
    assert hyp.epoch_s == 30
    assert hyp.start_s == 0
    assert collections.Counter(hyp.labels) == {"N1": 10, "N2": 45, "R": 63, "W": 3}


def test_domino_sleep_profile_snore_is_unscored_with_warning(shared_data):
    with pytest.warns(TwitchlabWarning, match="SNORE"):
        ann = read_annotations(shared_data / TEXT / "malformed/Sleep profile - test1 Unbekannt SNORE.txt")
    assert collections.Counter(ann.hypnogram.labels) == {"N1": 10, "N2": 45, "R": 58, "W": 3, "?": 5}


def test_start_baseline_side_file_is_rejected_cleanly(shared_data):
    with pytest.raises(InputFileError, match="not an annotation table"):
        load_annotations(shared_data / TEXT / "test1_Start-Baseline.txt")


def test_noxturnal_crosses_midnight_and_first_last(shared_data):
    ann = load_annotations(shared_data / TEXT / "noxturnal_events_example_unicode.csv")
    assert ann.start == dt.datetime(2016, 1, 15, 22, 30, 0)
    last = (dt.datetime(2016, 1, 16, 10, 58, 0) - ann.start).total_seconds()
    assert ann.events["onset_s"].max() == pytest.approx(last)
    stages = collections.Counter(ann.events.loc[ann.events["type"].str.startswith("stage_"), "label_original"])
    assert stages == {"N2": 466, "N3": 364, "REM": 249, "Éveil": 213, "N1": 66}
    assert (ann.events["type"] == "arousal").sum() == 22


def test_noxturnal_leg_events_and_plm_span(shared_data):
    ann = load_annotations(shared_data / TEXT / "noxturnal_events_example_unicode_2.csv")
    ev = ann.events
    mj = ev[ev["label_original"] == "MJ"]
    assert len(mj) == 29
    assert set(mj["type"]) == {"lm"}
    assert mj["duration_s"].min() == pytest.approx(2.7, abs=0.05)
    assert mj["duration_s"].max() == pytest.approx(8.9, abs=0.05)
    plm = ev[ev["label_original"] == "PLM"]
    assert len(plm) == 1
    assert plm.iloc[0]["type"] == "plm_span"
    assert plm.iloc[0]["duration_s"] == pytest.approx(126.925)
    plm_on = (dt.datetime(2018, 7, 26, 0, 21, 35) - ann.start).total_seconds()
    assert plm.iloc[0]["onset_s"] == pytest.approx(plm_on)
    assert (ev["type"] == "apnea_obstructive").sum() == 114
    assert (ev["type"] == "hypopnea").sum() == 89
    assert (ev["type"] == "lights_off").sum() == 1


def test_noxturnal_central_apneas(shared_data):
    ev = load_annotations(shared_data / TEXT / "noxturnal_events_example_unicode_3.csv").events
    assert (ev["type"] == "apnea_central").sum() == 24
    assert (ev["type"] == "apnea_mixed").sum() == 3


def test_domino_hypnogram_merged_onto_domino_events(shared_data):
    """Annotation-only recording + another annotation file of the same night: same start, no shift."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwitchlabWarning)
        rec = read_recording(
            shared_data / TEXT / "Sleep profile - test1 Unbekannt.txt",
            annotations=[shared_data / TEXT / "Flow Events - test1 Unbekannt.txt"],
        )
    assert rec.channels == {}
    assert rec.hypnogram.n_epochs == 121
    assert (rec.events["type"] == "hypopnea").sum() == 13
    assert rec.events.loc[rec.events["type"] == "hypopnea", "onset_s"].min() == pytest.approx(264.411)
    assert len(rec.inputs) == 2
    assert all(len(i["sha256"]) == 64 for i in rec.inputs)


def test_sleep_edf_psg_with_its_hypnogram_longer_than_the_cut_signal(shared_data):
    with pytest.warns(TwitchlabWarning) as caught:
        rec = read_recording(
            shared_data / "edf/short_psg.edf", annotations=[shared_data / "edf/SC4001EC-Hypnogram.edf"]
        )
    msgs = " | ".join(str(w.message) for w in caught)
    assert "the hypnogram ends at 86400 s but the signal ends at 300 s: 2870 epoch(s)" in msgs
    assert "153 of 154 event(s) start outside the signal" in msgs
    assert rec.hypnogram.labels[:10] == ["W"] * 10
    assert rec.start == dt.datetime(1989, 4, 24, 16, 13)
    assert [i["kind"] for i in rec.inputs] == ["EDF", "edf+"]
