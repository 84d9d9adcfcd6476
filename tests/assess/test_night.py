"""Reading night JSON from `twitchlab analyze` and combining nights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twitchlab.assess import Night, combine_nights, derive_metrics, load_night
from twitchlab.errors import InputFileError


def _write(tmp_path: Path, doc: object, name: str = "n.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
    return p


def test_load_night_reads_summary_and_source(tmp_path: Path) -> None:
    p = _write(tmp_path, {"params": {"lm_source": "accelerometer"}, "summary": {"plms_index": 12.5, "x": None},
                          "warnings": [{"message": "one leg only"}, "noisy"]})  # fmt: skip
    before = p.read_bytes()
    n = load_night(p)
    assert n.summary["plms_index"] == 12.5
    assert n.lm_source == "accelerometer"
    assert n.warnings == ("one leg only", "noisy")
    assert p.read_bytes() == before  # input never modified


@pytest.mark.parametrize(
    ("content", "match"),
    [("{not json", "not a JSON night result"), ({"events": []}, "no 'summary' section"), ("[1, 2]", "no 'summary'")],
)
def test_load_night_bad_files(tmp_path: Path, content: object, match: str) -> None:
    with pytest.raises(InputFileError, match=match):
        load_night(_write(tmp_path, content))


def test_combine_means_numbers_and_any_for_flags() -> None:
    nights = [
        Night({"plms_index": 10.0, "rswa_above_sinbar": False, "hypnic_jerk_count": None}, "emg"),
        Night({"plms_index": 30.0, "rswa_above_sinbar": True}, "accelerometer"),
        Night({"plms_index": None}, None),
    ]
    m = combine_nights(nights)
    assert m["plms_index"] == pytest.approx(20.0)
    assert m["rswa_above_sinbar"] is True
    assert m["hypnic_jerk_count"] is None
    assert m["n_nights"] == 3
    assert m["lm_source"] == "accelerometer"  # the least direct source wins


def test_derive_thresholds_and_shares() -> None:
    m = combine_nights([Night({"plms_index": 8.0, "plms_threshold": 15, "resp_lm_count": 30, "clm_count": 120,
                               "rswa_any_pct": 19.0})])  # fmt: skip
    adult, child = derive_metrics(m, age_years=45), derive_metrics(m, age_years=12)
    assert adult["plms_above_person"] is False
    assert child["plms_above_person"] is True
    assert child["plms_threshold_person"] == 5.0
    assert adult["resp_lm_pct"] == pytest.approx(25.0)
    assert adult["rswa_above"] is True  # 19 % > 18 % SINBAR chin cut-off
    empty = derive_metrics({})
    assert empty["plms_above_person"] is None
    assert empty["rswa_above"] is None
    assert empty["resp_lm_pct"] is None


def test_nan_in_summary_is_unknown(tmp_path: Path) -> None:
    n = load_night(_write(tmp_path, '{"summary": {"plms_index": NaN}}'))
    assert n.summary["plms_index"] is None


def test_index_per_hour_of_recording_is_not_a_sleep_index() -> None:
    """No sleep stages: the PLM rate is per hour of recording, never a PLMS index compared with 15/h."""
    from twitchlab.assess import night_from_dict, triage

    doc = {"summary": {"plms_index": 42.3, "lms_index": 80.0, "plms_threshold": 15.0, "plms_above_threshold": True,
                       "indices_per": "hour_of_recording", "hypnogram_available": False, "lm_count": 600,
                       "plm_count": 400, "clm_count": 500}}  # fmt: skip
    night = night_from_dict(doc)
    metrics = combine_nights([night])
    assert metrics["plms_index"] is None
    assert metrics["plms_above_threshold"] is None
    assert metrics["plm_recording_index"] == 42.3
    report = triage({"age_years": 50}, [night])
    assert "plms_above_threshold" not in report.ids()
    assert "plms_below_threshold" not in report.ids()
    assert "plm_rate_per_recording" in report.ids()
    text = " ".join(f.sentence for f in report.findings)
    assert "42.3 per hour of recording (no sleep stages were available)" in text
    assert "in sleep was 42.3" not in text


@pytest.mark.parametrize("lm_count", [None, 0])
def test_unscorable_leg_night_gives_no_reassurance(lm_count: int | None) -> None:
    """0 scorable minutes on both legs (null counts, or 0 from an older result): metrics unknown, no reassurance."""
    from twitchlab.assess import night_from_dict, triage

    doc = {"summary": {"lm_count": lm_count, "plm_count": lm_count, "clm_count": lm_count, "plms_index": None,
                       "scorable_min_left": 0.0, "scorable_min_right": 0.0, "tib_min": 2.0, "plms_threshold": 15.0},
           "lm_source": "emg"}  # fmt: skip
    metrics = combine_nights([night_from_dict(doc)])
    assert metrics["lm_count"] is None
    assert metrics["leg_unscored_nights"] == 1
    report = triage({"age_years": 50}, [night_from_dict(doc)])
    assert report.overall != "reassuring"
    assert not any(f.kind == "reassuring" for f in report.findings)
    assert "leg_signal_unscorable" in report.ids()
    assert "could not be scored" in report.overall_sentence


def test_no_answers_never_reads_as_nothing_in_your_answers() -> None:
    """With no question answered the overall sentence says so, for an unscorable night, a scored one, or none."""
    from twitchlab.assess import night_from_dict, triage

    unscored = {"summary": {"lm_count": None, "plms_index": None, "scorable_min_left": 0.0, "scorable_min_right": 0.0,
                            "tib_min": 2.0, "plms_threshold": 15.0}, "lm_source": "emg"}  # fmt: skip
    a = triage({}, [night_from_dict(unscored)])
    assert a.overall == "info"
    assert a.overall_sentence.startswith("You answered no questions and the leg signal")
    b = triage({}, [])
    assert b.overall_sentence.startswith("You answered no questions and gave no measured night")
    assert "Nothing in your answers" not in a.overall_sentence + b.overall_sentence
    c = triage({"age_years": 50}, [night_from_dict(unscored)])  # answers given: the usual sentence
    assert c.overall_sentence.startswith("Nothing in your answers needs attention")
