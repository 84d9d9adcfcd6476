"""score_night contract: columns and dtypes, options, errors, unpacking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twitchlab.errors import ParameterError
from twitchlab.model import EVENT_COLUMNS, validate_events
from twitchlab.score import OPTION_DOCS, SUMMARY_KEYS, ScoringOptions, prepare_lms, score_night
from twitchlab.simulate import simulate_night


def test_events_table_has_spec_columns_and_dtypes(run, periodic):
    """Events: the columns of model.EVENT_COLUMNS in order with their dtypes, then the extras."""
    ev, _ = run([*periodic([0, 20, 40, 60]), (200, 200.2, "R")])
    validate_events(ev)
    assert list(ev.columns[: len(EVENT_COLUMNS)]) == list(EVENT_COLUMNS)
    for col, dtype in EVENT_COLUMNS.items():
        assert str(ev[col].dtype) == dtype, col
    assert list(ev.columns[len(EVENT_COLUMNS) :]) == ["n_monolateral", "in_sequence", "is_plm_nr"]
    assert ev["event_id"].tolist() == list(range(len(ev)))
    assert ev["onset_s"].is_monotonic_increasing


def test_summary_has_every_spec_key(run):
    """Every key of SCORING_SPEC §4 is present (null when unknown)."""
    s = run([(0, 1, "L")]).summary
    assert list(s) == list(SUMMARY_KEYS)


def test_result_unpacks_as_events_and_summary(run):
    res = run([(0, 1, "L")])
    events, summary = res
    assert events is res.events
    assert summary is res.summary
    assert res.params["rules"] == "wasm2016"
    assert res.params["resp_nr_method"] == "recompute"


def test_unknown_rules_and_options_are_named():
    lms = pd.DataFrame({"onset_s": [0.0], "offset_s": [1.0], "side": ["L"]})
    with pytest.raises(ParameterError, match="rules='wasm' is not one of"):
        score_night(lms, rules="wasm")
    with pytest.raises(ParameterError, match="Did you mean 'resp_nr_method'"):
        score_night(lms, resp_nr_methods="drop")
    with pytest.raises(ParameterError, match="resp_nr_method='keep'"):
        score_night(lms, resp_nr_method="keep")


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ({"onset_s": [0.0]}, "needs 'onset_s' and 'offset_s'"),
        ({"onset_s": [2.0], "offset_s": [1.0]}, "ends before it starts"),
        ({"onset_s": [np.nan], "offset_s": [1.0]}, "missing or infinite"),
        ({"onset_s": [0.0], "offset_s": [1.0], "side": ["up"]}, r"\['up'\] are not L, R or B"),
    ],
)
def test_bad_lm_tables_raise_parameter_error(table, match):
    with pytest.raises(ParameterError, match=match):
        score_night(pd.DataFrame(table))


def test_window_ending_before_start_is_refused():
    lms = pd.DataFrame({"onset_s": [0.0], "offset_s": [1.0], "side": ["L"]})
    with pytest.raises(ParameterError, match=r"ends .* before it starts"):
        score_night(lms, window=(100.0, 50.0))


def test_prepare_lms_sides_durations_and_duplicates():
    """Sides in any spelling; duration_s instead of offset_s; exact duplicates counted once with a warning."""
    warns: list[str] = []
    df = prepare_lms(
        pd.DataFrame({"onset_s": [5.0, 1.0, 1.0], "duration_s": [1.0, 2.0, 2.0], "side": ["Right", "left", "l"]}),
        warns,
    )
    assert df["onset_s"].tolist() == [1.0, 5.0]
    assert df["side"].tolist() == ["L", "R"]
    assert df["offset_s"].tolist() == [3.0, 6.0]
    assert any("duplicate" in w for w in warns)


def test_missing_side_column_means_both_legs():
    ev, _ = score_night(pd.DataFrame({"onset_s": [0.0], "offset_s": [1.0]}))
    assert ev["side"].tolist() == ["B"]


def test_options_non_defaults_and_docs():
    opts = ScoringOptions.from_kwargs(resp_nr_method="drop", population="child")
    assert opts.non_defaults() == {"resp_nr_method": "drop", "population": "child"}
    assert set(OPTION_DOCS) <= set(opts.to_dict())
    with pytest.raises(ParameterError, match=">= 0"):
        ScoringOptions(arousal_gap_s=-1.0)


def test_input_table_is_not_modified(run):
    lms = pd.DataFrame({"onset_s": [20.0, 0.0], "offset_s": [21.0, 1.0], "side": ["l", "R"]})
    before = lms.copy()
    score_night(lms)
    pd.testing.assert_frame_equal(lms, before)


def test_simulated_night_scores_consistently_by_both_rules():
    """A PLM-profile phantom night (seed 4): both rule sets find PLMS above 15/h; AASM merges across legs
    within 5 s and leaves respiratory LMs out, so it has no more LMs than WASM 2016."""
    night = simulate_night(4, profile="plms")
    kw = {
        "hypnogram": night.hypnogram,
        "resp_events": night.resp_events,
        "arousals": night.arousals,
        "window": (night.lights_off_s, night.lights_on_s),
        "recording_s": night.duration_s,
    }
    w = score_night(night.lms, **kw).summary
    a = score_night(night.lms, rules="aasm", **kw).summary
    assert w["plms_index"] > 15
    assert a["plms_index"] > 15
    assert a["lm_count"] <= w["lm_count"]
    assert a["plms_nr_index"] == a["plms_index"]
    assert w["plms_nr_index"] is not None
    assert w["resp_lm_count"] > 0


def test_no_hypnogram_never_compares_with_the_sleep_threshold(run, periodic):
    """Per hour of recording, plms_above_threshold is null: the ICSD-3 threshold applies to sleep only."""
    lms = pd.DataFrame(periodic([20.0 * i for i in range(100)]), columns=["onset_s", "offset_s", "side"])
    s = score_night(lms, recording_s=3600.0).summary
    assert s["indices_per"] == "hour_of_recording"
    assert s["plms_index"] > s["plms_threshold"]
    assert s["plms_above_threshold"] is None
