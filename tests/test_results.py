"""NightResult: JSON contract (NaN → null, round trip, atomic), Parquet, IMI histogram."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from twitchlab.errors import InputFileError, ParameterError
from twitchlab.model import Hypnogram, make_events
from twitchlab.results import NightResult, imi_histogram, to_jsonable
from twitchlab.score import score_night
from twitchlab.simulate import simulate_night


@pytest.fixture(scope="module")
def result() -> NightResult:
    night = simulate_night(11, profile="plms", duration_h=3)
    res = score_night(
        night.lms,
        hypnogram=night.hypnogram,
        resp_events=night.resp_events,
        arousals=night.arousals,
        window=(night.lights_off_s, night.lights_on_s),
        recording_s=night.duration_s,
    )
    quality = pd.DataFrame({"side": ["L", "R"], "epoch": [0, 0], "scorable": [True, False], "x": [np.nan, 1.0]})
    return NightResult(
        summary=res.summary,
        events=res.events,
        hypnogram=night.hypnogram,
        params=res.params,
        inputs=[{"path": "phantom", "sha256": None, "kind": "simulated"}],
        warnings=["a warning"],
        quality=quality,
        lm_source="scored",
    )


def test_json_has_contract_keys_and_no_nan(result, tmp_path):
    text = result.to_json(tmp_path / "r.json")
    assert "NaN" not in text
    assert "Infinity" not in text
    d = json.loads(text)
    assert set(d) == {
        "schema_version", "twitchlab_version", "rules", "lm_source", "params", "inputs", "warnings", "summary",
        "hypnogram", "quality", "event_columns", "events", "null_reasons", "recording_declared_s",
        "recording_read_s", "recording_truncated",
    }  # fmt: skip
    assert d["rules"] == "wasm2016"
    assert d["events"][0]["imi_s"] is None  # first LM has no IMI: null, not NaN
    assert d["quality"][0]["x"] is None
    assert isinstance(d["summary"]["plms_index"], float)
    assert isinstance(d["summary"]["plm_count"], int)
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temporary file


def test_json_round_trip_keeps_values_and_dtypes(result, tmp_path):
    path = tmp_path / "night.json"
    result.to_json(path)
    back = NightResult.from_json(path)
    assert back.summary == json.loads(json.dumps(result.summary))
    pd.testing.assert_frame_equal(back.events, result.events, check_dtype=True)
    assert back.hypnogram is not None
    assert back.hypnogram.labels == result.hypnogram.labels
    assert back.params == result.params
    assert back.warnings == ["a warning"]
    assert back.lm_source == "scored"
    # and from the text itself
    assert NightResult.from_json(result.to_json()).summary == back.summary


def test_from_json_refuses_other_files(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid JSON"):
        NightResult.from_json(bad)
    other = tmp_path / "y.json"
    other.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(InputFileError, match="not a twitchlab night result"):
        NightResult.from_json(other)


def test_parquet_holds_events_and_metadata(result, tmp_path):
    path = result.to_parquet(tmp_path / "night.parquet")
    table = pq.read_table(path)
    assert table.num_rows == len(result.events)
    meta = json.loads(table.schema.metadata[b"twitchlab"])
    assert meta["summary"]["plm_count"] == result.summary["plm_count"]
    assert "events" not in meta


def test_to_jsonable_converts_numpy_and_missing():
    out = to_jsonable({"a": np.float64("nan"), "b": np.int64(3), "c": [np.inf, pd.NA, np.bool_(True)], 4: None})
    assert out == {"a": None, "b": 3, "c": [None, None, True], "4": None}
    assert json.dumps(out)


def _hist_events() -> pd.DataFrame:
    """LMs at 0, 20, 41, 131 s in N2 (CLMs), a non-CLM at 140, a CLM at 145 in W, a CLM at 146.5 in W."""
    onsets = [0, 20, 41, 131, 140, 145, 146.5]
    return make_events(
        {
            "type": ["lm"] * 7,
            "onset_s": onsets,
            "offset_s": [t + 1 for t in onsets],
            "is_clm": [True, True, True, True, False, True, True],
            "imi_s": [np.nan, 20, 21, 90, 9, 5, 1.5],
            "stage": ["N2", "N2", "N2", "N2", "W", "W", "W"],
        }
    )


def test_imi_histogram_linear_by_stage():
    """Sleep IMIs between consecutive CLMs: 20, 21, 90 → bins [20,22) ×2 and [90,inf) ×1. Wake: the LM at 140
    is not a CLM, so the IMIs 9 (ending at it) and 5 (starting from it) are left out; 1.5 (CLM after CLM)
    → [0,2)."""
    ev = _hist_events()
    h = imi_histogram(ev, stage="sleep")
    assert h["count"].sum() == 3
    assert h.loc[h["bin_left"] == 20, "count"].item() == 2
    assert h.loc[h["bin_left"] == 90, "count"].item() == 1
    assert math.isinf(h["bin_right"].iloc[-1])
    w = imi_histogram(ev, stage="wake")
    assert w["count"].sum() == 1
    assert w.loc[w["bin_left"] == 0, "count"].item() == 1


def test_imi_histogram_log_bins():
    """ln(20) = 2.996 → bin [2.75, 3.0); ln(21) = 3.045 → [3.0, 3.25); ln(90) = 4.4998 → [4.25, 4.5)."""
    h = imi_histogram(_hist_events(), stage="sleep", log=True)
    assert h.loc[np.isclose(h["bin_left"], 2.75), "count"].item() == 1
    assert h.loc[np.isclose(h["bin_left"], 3.0), "count"].item() == 1
    assert h.loc[np.isclose(h["bin_left"], 4.25), "count"].item() == 1
    assert h["count"].sum() == 3
    with pytest.raises(ParameterError):
        imi_histogram(_hist_events(), stage="rem")


def test_night_result_method_matches_function(result):
    pd.testing.assert_frame_equal(result.imi_histogram(), imi_histogram(result.events))
    assert "NightResult" in repr(result)
    assert result.lms()["type"].eq("lm").all()


def test_empty_result_serialises(tmp_path):
    r = NightResult(summary={"plms_index": None}, hypnogram=Hypnogram(np.array([0, 1])))
    back = NightResult.from_json(r.to_json(tmp_path / "e.json"))
    assert back.events.empty
    assert back.summary == {"plms_index": None}
    assert back.quality is None


def test_plot_delegates_to_report_figures(result):
    import matplotlib.pyplot as plt

    fig = result.plot_imi_histogram()
    assert fig.axes
    plt.close(fig)
    with pytest.raises(ParameterError, match="kind='pie'"):
        result.plot("pie")


def test_plot_draws_the_phone_layout_when_asked(result):
    from twitchlab.report.figures import NARROW_WIDTH_IN

    wide, narrow = result.plot_hypnogram(), result.plot_hypnogram(width_in=NARROW_WIDTH_IN)
    assert wide.get_figwidth() == 11.0
    assert narrow.get_figwidth() == NARROW_WIDTH_IN
    assert result.plot("rswa", width_in=NARROW_WIDTH_IN).get_figwidth() == NARROW_WIDTH_IN


def test_cut_off_recording_is_flagged_said_in_plain_words_and_kept_in_json(result, tmp_path):
    """QA finding: a file holding 100 of its 1800 declared seconds looked complete."""
    import dataclasses

    from twitchlab.results import duration_words

    cut = dataclasses.replace(result, recording_declared_s=1800.0, recording_read_s=100.0)
    assert cut.truncated
    note = cut.coverage_note()
    assert note.startswith("Only 1 minute 40 seconds of this recording could be read, out of the 30 minutes")
    assert "(6 %)" in note
    assert "covers only that part" in note
    back = NightResult.from_json(cut.to_json(tmp_path / "cut.json"))
    assert (back.recording_declared_s, back.recording_read_s, back.truncated) == (1800.0, 100.0, True)
    assert json.loads(cut.to_json())["recording_truncated"] is True
    whole = dataclasses.replace(result, recording_declared_s=1800.0, recording_read_s=1800.0)
    assert not whole.truncated
    assert whole.coverage_note() is None
    assert not result.truncated  # nothing declared: nothing to compare with
    assert [duration_words(s) for s in (40, 100, 1800, 25500, 3600)] == [
        "40 seconds", "1 minute 40 seconds", "30 minutes", "7 hours 5 minutes", "1 hour",
    ]  # fmt: skip


def test_null_reasons_round_trip_and_old_json_reads_without_them(result, tmp_path):
    import dataclasses

    res = dataclasses.replace(result, null_reasons={"hypnic_jerk_count": "no sleep stages"})
    assert NightResult.from_json(res.to_json()).null_reasons == {"hypnic_jerk_count": "no sleep stages"}
    old = {k: v for k, v in json.loads(result.to_json()).items() if not k.startswith(("null_", "recording_"))}
    back = NightResult.from_dict(old)
    assert back.null_reasons == {}
    assert back.recording_read_s is None
    assert not back.truncated


def test_events_csv_is_rounded_for_reading():
    """QA finding: events.csv showed float noise (duration_s 2.7220000000002074)."""
    from twitchlab.results import events_to_csv

    ev = make_events(
        {
            "type": ["lm", "alma"],
            "onset_s": [893.12, 28110.1234567],
            "offset_s": [895.8420000000002, 28112.0],
            "peak_amp_uv": [156.19394750460484, np.nan],
        }
    )
    ev["rate_hz"] = [np.nan, 1.2345678]
    rows = events_to_csv(ev).splitlines()
    head = rows[0].split(",")
    first, second = (dict(zip(head, r.split(","), strict=True)) for r in rows[1:])
    assert first["duration_s"] == "2.722"
    assert first["offset_s"] == "895.842"
    assert first["peak_amp_uv"] == "156.19"
    assert second["onset_s"] == "28110.123"  # milliseconds kept, not cut to 6 digits
    assert second["rate_hz"] == "1.23"
    assert second["peak_amp_uv"] == ""
