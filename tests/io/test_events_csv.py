"""CSV/TSV and BIDS events.tsv annotations."""

from __future__ import annotations

import pytest

from twitchlab.errors import InputFileError
from twitchlab.io import load_annotations


def _write(tmp_path, text, name="events.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


def test_csv_onset_duration_description(tmp_path):
    text = "onset,duration,description\n10,1.5,Limb Movement (Left)\n20.25,12,Obstructive Apnea\n30,,Lights on\n"
    ann = load_annotations(_write(tmp_path, text))
    assert ann.kind == "csv"
    assert ann.start is None
    assert ann.events["type"].tolist() == ["lm_left", "apnea_obstructive", "lights_on"]
    assert ann.events["offset_s"].tolist() == pytest.approx([11.5, 32.25, 30.0])


def test_bids_events_tsv_with_na_and_trial_type(tmp_path):
    text = "onset\tduration\ttrial_type\tvalue\n0.0\t30\tSleep stage W\t0\n30\tn/a\tArousal\t1\n"
    ann = load_annotations(_write(tmp_path, text, "sub-01_task-sleep_events.tsv"))
    assert ann.events["type"].tolist() == ["stage_w", "arousal"]
    assert ann.events["duration_s"].tolist() == [30.0, 0.0]
    assert ann.hypnogram.labels == ["W"]


def test_semicolon_and_offset_column(tmp_path):
    text = "Start;End;Label\n5;7.5;LM\n"
    ev = load_annotations(_write(tmp_path, text)).events
    assert ev["type"].tolist() == ["lm"]
    assert ev["duration_s"].tolist() == [2.5]


def test_wrong_columns_is_an_error_listing_what_was_found(tmp_path):
    with pytest.raises(InputFileError, match=r"columns \['when', 'what'\].*needs an onset column"):
        load_annotations(_write(tmp_path, "when,what\n1,x\n"))


def test_bad_rows_are_skipped_and_counted(tmp_path):
    text = "onset,duration,description\n1,1,Arousal\nabc,1,Arousal\n3,-2,Arousal\n4\n5,1,Arousal\n"
    ann = load_annotations(_write(tmp_path, text))
    assert len(ann.events) == 2
    assert any("3 row(s) skipped" in w and "lines 3, 4, 5" in w for w in ann.warnings)


def test_only_bad_rows_is_an_error(tmp_path):
    with pytest.raises(InputFileError, match="no usable rows"):
        load_annotations(_write(tmp_path, "onset,duration,description\nx,1,Arousal\n"))


def test_empty_file_is_an_error(tmp_path):
    with pytest.raises(InputFileError, match="empty annotation file"):
        load_annotations(_write(tmp_path, "\n\n"))


def test_latin1_csv(tmp_path):
    ev = load_annotations(_write(tmp_path, "onset,description\n1,Micro-éveil\n", encoding="latin-1")).events
    assert ev["label_original"].tolist() == ["Micro-éveil"]
    assert ev["type"].tolist() == ["arousal"]


def test_rows_without_a_label_are_skipped_with_their_line_numbers(tmp_path):
    text = "onset,duration,description\n1,1,Arousal\n\n# note\n2,1,\n3,1,NaN\n4,1,n/a\n5,1,Arousal\n"
    ann = load_annotations(_write(tmp_path, text))
    assert ann.events["type"].tolist() == ["arousal", "arousal"]
    assert any("3 row(s) skipped" in w and "label is empty or missing (lines 5, 6, 7)" in w for w in ann.warnings)
    assert not any("other" in w for w in ann.warnings)
