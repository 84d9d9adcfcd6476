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
        "hypnogram", "quality", "event_columns", "events",
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
