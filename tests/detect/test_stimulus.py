"""Stimulus-linked jerks (SCORING_SPEC §5 stimulus_linked): linking, peri-stimulus histogram, chance test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.detect.stimulus import (
    LINK_COLUMNS,
    StimulusLinkResult,
    detect_stimulus_linked,
    stimulus_summary,
    stimulus_times,
)
from twitchlab.errors import ParameterError
from twitchlab.model import EVENT_COLUMNS, make_events


def jerks_at(onsets, *, kind: str = "fragmentary_myoclonus", side: str = "L") -> pd.DataFrame:
    on = np.asarray(onsets, dtype=float)
    return make_events(
        {"type": kind, "onset_s": on, "offset_s": on + 0.1, "side": side, "peak_amp_uv": 50.0, "channels": "Leg L"}
    )


def night(seed: int, *, locked_share: float, n_stimuli: int = 200, background_hz: float = 0.05):
    """Stimuli 8-20 s apart; a share of them followed by a jerk 0.12 s later; Poisson background jerks."""
    rng = np.random.default_rng(seed)
    stim = np.cumsum(rng.uniform(8.0, 20.0, n_stimuli))
    end = stim[-1] + 20.0
    background = rng.uniform(0.0, end, rng.poisson(background_hz * end))
    locked = stim[rng.random(n_stimuli) < locked_share] + 0.12
    return stim, np.concatenate([background, locked]), end


# ----------------------------------------------------------------------------------------- stimulus_times


def test_stimulus_times_are_the_sorted_finite_unique_stimulus_onsets():
    ev = make_events(
        {
            "type": ["stimulus", "lm", "stimulus", "stimulus", "stimulus"],
            "onset_s": [30.0, 12.0, 10.0, 30.0, 20.0],
        }
    )
    ev.loc[len(ev)] = ev.iloc[0]
    ev.loc[len(ev) - 1, "onset_s"] = np.nan
    assert stimulus_times(ev).tolist() == [10.0, 20.0, 30.0]


def test_stimulus_times_of_a_night_without_stimuli_is_empty():
    assert stimulus_times(make_events({"type": ["lm"], "onset_s": [1.0]})).size == 0


def test_stimulus_times_without_type_column_says_what_is_missing():
    with pytest.raises(ParameterError, match=r"\['type'\] missing"):
        stimulus_times(pd.DataFrame({"onset_s": [1.0]}))


# ------------------------------------------------------------------------------------------------ linking


@pytest.mark.parametrize(
    ("latency_s", "linked"),
    [
        (0.1, True),
        (-0.1, False),
        (0.6, False),  # beyond the default 0.5-s window
        (0.02, True),  # window start is inclusive
        (0.0199, False),
        (0.4999, True),
        (0.5, False),  # window end is exclusive
    ],
)
def test_jerk_links_only_inside_the_half_open_latency_window(latency_s, linked):
    res = detect_stimulus_linked(jerks_at([100.0 + latency_s]), np.array([100.0]))
    assert res.n_linked == int(linked)
    assert len(res.events) == int(linked)


def test_linked_row_keeps_the_jerk_and_adds_latency_and_stimulus():
    res = detect_stimulus_linked(jerks_at([100.1], side="R"), [100.0])
    row = res.events.iloc[0]
    assert list(res.events.columns[: len(EVENT_COLUMNS)]) == list(EVENT_COLUMNS)
    assert row["type"] == "stimulus_linked"
    assert row["jerk_type"] == "fragmentary_myoclonus"
    assert row["onset_s"] == pytest.approx(100.1)
    assert row["offset_s"] == pytest.approx(100.2)
    assert row["latency_s"] == pytest.approx(0.1)
    assert row["stimulus_onset_s"] == 100.0
    assert row["side"] == "R"
    assert row["peak_amp_uv"] == 50.0
    assert row["channels"] == "Leg L"


def test_jerk_links_to_the_nearest_preceding_stimulus_only():
    # stimuli 0.3 s apart: both windows cover 10.35, but only the later stimulus may claim it
    res = detect_stimulus_linked(jerks_at([10.35, 10.31]), [10.3, 10.0])
    assert res.n_linked == 1
    row = res.events.iloc[0]
    assert row["stimulus_onset_s"] == 10.3
    assert row["latency_s"] == pytest.approx(0.05)
    # 10.31 is 0.31 s after the first stimulus but only 0.01 s after the second: not linked
    assert res.linked_share == pytest.approx(0.5)


def test_two_jerks_after_one_stimulus_both_link_and_the_stimulus_counts_once():
    res = detect_stimulus_linked(jerks_at([5.1, 5.3]), [5.0, 50.0])
    assert res.n_linked == 2
    assert res.linked_share == pytest.approx(0.5)


def test_stimulus_rows_in_the_jerk_table_are_not_jerks():
    table = make_events({"type": ["stimulus", "lm"], "onset_s": [10.0, 10.2], "offset_s": [10.0, 11.0]})
    res = detect_stimulus_linked(table, stimulus_times(table), window_s=(0.0, 0.5))
    assert res.n_jerks == 1
    assert res.events["jerk_type"].tolist() == ["lm"]


def test_unsorted_input_with_nan_onsets_gives_the_sorted_result_and_says_what_was_dropped():
    stim = np.array([50.0, 10.0, np.nan, 30.0])
    on = np.array([30.2, np.nan, 10.1, 70.0, 50.05])
    res = detect_stimulus_linked(pd.DataFrame({"onset_s": on}), stim)
    ref = detect_stimulus_linked(pd.DataFrame({"onset_s": [10.1, 30.2, 50.05, 70.0]}), [10.0, 30.0, 50.0])
    assert res.events["onset_s"].tolist() == ref.events["onset_s"].tolist() == [10.1, 30.2, 50.05]
    assert res.psth_counts.tolist() == ref.psth_counts.tolist()
    assert res.p_value == ref.p_value
    assert res.n_jerks == 4
    assert any("1 jerk(s) without a finite onset_s" in w for w in res.warnings)
    assert any("1 stimulus onset(s)" in w for w in res.warnings)


# --------------------------------------------------------------------------------------- histogram, chance


def test_time_locked_jerks_give_a_small_p_and_a_histogram_peak_at_their_latency():
    stim, on, end = night(1, locked_share=0.6)
    res = detect_stimulus_linked(jerks_at(on), stim, span_s=(0.0, end))
    assert res.p_value < 1e-6
    assert res.time_locked is True
    peak = int(np.argmax(res.psth_counts))
    assert res.psth_edges_s[peak] == pytest.approx(0.10)
    assert res.psth_edges_s[peak + 1] == pytest.approx(0.15)
    assert res.psth_counts[peak] >= 100
    assert np.delete(res.psth_counts, peak).max() < 15
    assert res.linked_share > 0.5
    assert res.expected_linked < 0.2 * res.n_linked


def test_jerks_at_random_times_give_a_large_p():
    stim, on, end = night(2, locked_share=0.0, background_hz=0.2)
    res = detect_stimulus_linked(jerks_at(on), stim, span_s=(0.0, end))
    assert res.n_linked > 0
    assert res.p_value > 0.2
    assert res.time_locked is False
    assert res.expected_linked == pytest.approx(res.n_linked, rel=0.5)


def test_exposures_and_chance_rate_by_hand():
    # stimuli 1 s apart: stimulus 11's baseline [10, 10.9) loses stimulus 10's post window [10.02, 10.5)
    res = detect_stimulus_linked(jerks_at([8.5, 10.7, 10.2, 9.95]), [10.0, 11.0])
    assert res.post_exposure_s == pytest.approx(0.48 + 0.48)
    assert res.baseline_exposure_s == pytest.approx(1.9 + 0.9 - 0.48)
    assert res.n_baseline == 2  # 8.5 and 10.7; 10.2 is linked, 9.95 is inside the last 0.1 s
    assert res.chance_rate_hz == pytest.approx(2 / 2.32)
    assert res.n_linked == 1
    assert res.p_value == pytest.approx(1 - (1 - 0.96 / 3.28) ** 3)


def test_span_removes_baseline_time_before_the_recording():
    res = detect_stimulus_linked(jerks_at([]), [1.0], span_s=(0.0, 100.0))
    assert res.baseline_exposure_s == pytest.approx(0.9)
    assert detect_stimulus_linked(jerks_at([]), [1.0]).baseline_exposure_s == pytest.approx(1.9)


def test_psth_counts_every_stimulus_jerk_pair_in_range_and_converts_to_rate():
    res = detect_stimulus_linked(jerks_at([10.12, 11.0, 20.12]), [10.0, 20.0], bin_s=0.1)
    assert res.psth_counts.sum() == 3  # 11.0 is +1.0 s after the first stimulus
    assert res.psth_counts[np.searchsorted(res.psth_edges_s, 0.1)] == 2
    assert res.psth_rate_hz[np.searchsorted(res.psth_edges_s, 0.1)] == pytest.approx(2 / (2 * 0.1))


# ------------------------------------------------------------------------------------------------ edge cases


def test_no_stimuli_gives_an_empty_result_not_an_error():
    res = detect_stimulus_linked(jerks_at([1.0, 2.0]), np.array([]))
    assert isinstance(res, StimulusLinkResult)
    assert (res.n_stimuli, res.n_linked, res.n_jerks) == (0, 0, 2)
    assert res.events.empty
    assert list(res.events.columns) == [*EVENT_COLUMNS, *LINK_COLUMNS]
    assert res.p_value is None
    assert res.time_locked is None
    assert res.psth_rate_hz is None
    assert res.psth_counts.sum() == 0
    assert stimulus_summary(res) == {
        "stimulus_count": 0,
        "stimulus_linked_count": None,
        "stimulus_linked_share": None,
        "stimulus_linked_p": None,
    }


def test_no_jerks_gives_zero_links_and_no_evidence():
    res = detect_stimulus_linked(jerks_at([]), [10.0, 20.0])
    assert stimulus_summary(res) == {
        "stimulus_count": 2,
        "stimulus_linked_count": 0,
        "stimulus_linked_share": 0.0,
        "stimulus_linked_p": 1.0,
    }
    assert res.time_locked is False


def test_stimuli_too_dense_for_a_baseline_leave_the_test_undone():
    stim = np.arange(0.0, 20.0, 0.05)
    res = detect_stimulus_linked(jerks_at([10.1]), stim, window_s=(0.0, 0.05), span_s=(0.0, 20.0))
    assert res.baseline_exposure_s == 0.0
    assert res.p_value is None
    assert stimulus_summary(res)["stimulus_linked_p"] is None
    assert any("baseline_s windows cover no time" in w for w in res.warnings)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"window_s": (0.5, 0.02)}, "start < end"),
        ({"window_s": (-0.1, 0.5)}, "starts before the stimulus"),
        ({"window_s": (0.0, np.inf)}, "finite"),
        ({"window_s": 0.5}, "two numbers"),
        ({"baseline_s": (-1.0, 0.5)}, "must be pre-stimulus"),
        ({"bin_s": 0.0}, "bin_s must be a positive"),
        ({"bin_s": 0.03}, "whole number of bins"),
        ({"alpha": 1.5}, "alpha must be between 0 and 1"),
        ({"span_s": (10.0, 0.0)}, "span_s must be finite with start < end"),
    ],
)
def test_invalid_parameters_raise_parameter_error(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        detect_stimulus_linked(jerks_at([1.0]), [0.5], **kwargs)


def test_jerks_without_onset_or_two_dimensional_stimuli_raise():
    with pytest.raises(ParameterError, match="'onset_s' column"):
        detect_stimulus_linked(pd.DataFrame({"start": [1.0]}), [0.5])
    with pytest.raises(ParameterError, match="1-D"):
        detect_stimulus_linked(jerks_at([1.0]), np.zeros((2, 2)))


# ------------------------------------------------------------------------------------------------ properties

times_ms = st.lists(st.integers(0, 60_000), max_size=40)


@settings(max_examples=60, deadline=None)
@given(stim_ms=times_ms, jerk_ms=times_ms, shift_ms=st.integers(-5_000_000, 5_000_000))
def test_shifting_every_time_by_a_constant_changes_nothing(stim_ms, jerk_ms, shift_ms):
    stim, on, c = np.array(stim_ms) / 1000, np.array(jerk_ms) / 1000, shift_ms / 1000
    a = detect_stimulus_linked(pd.DataFrame({"onset_s": on}), stim)
    b = detect_stimulus_linked(pd.DataFrame({"onset_s": on + c}), stim + c)
    assert (a.n_linked, a.n_baseline, a.n_stimuli) == (b.n_linked, b.n_baseline, b.n_stimuli)
    assert a.psth_counts.tolist() == b.psth_counts.tolist()
    assert b.events["latency_s"].to_numpy() == pytest.approx(a.events["latency_s"].to_numpy(), abs=1e-6)
    assert b.post_exposure_s == pytest.approx(a.post_exposure_s, abs=1e-6)
    assert b.baseline_exposure_s == pytest.approx(a.baseline_exposure_s, abs=1e-6)
    if a.p_value is None:
        assert b.p_value is None
    else:
        assert b.p_value == pytest.approx(a.p_value, rel=1e-6)


@settings(max_examples=80, deadline=None)
@given(
    stim_ms=times_ms,
    jerk_ms=times_ms,
    lo_ms=st.integers(0, 300),
    width_ms=st.integers(1, 2000),
)
def test_links_respect_the_window_and_the_counts(stim_ms, jerk_ms, lo_ms, width_ms):
    stim, on = np.array(stim_ms) / 1000, np.array(jerk_ms) / 1000
    lo, hi = lo_ms / 1000, (lo_ms + width_ms) / 1000
    res = detect_stimulus_linked(pd.DataFrame({"onset_s": on}), stim, window_s=(lo, hi))
    lat = res.events["latency_s"].to_numpy()
    assert ((lat >= lo - 1e-6) & (lat < hi)).all()
    assert res.n_linked == len(res.events) <= res.n_jerks
    linked_stimuli = np.unique(res.events["stimulus_onset_s"].to_numpy())
    assert linked_stimuli.size <= min(res.n_stimuli, res.n_linked)
    # the stimulus a jerk links to is the last one at or before it
    su = np.unique(stim)
    for t, s in zip(res.events["onset_s"], res.events["stimulus_onset_s"], strict=True):
        assert s == su[np.searchsorted(su, t, side="right") - 1]
    assert res.n_linked + res.n_baseline <= res.n_jerks
    if res.p_value is not None:
        assert 0.0 <= res.p_value <= 1.0
    assert res.psth_counts.sum() <= res.n_jerks * res.n_stimuli


def test_jerks_outside_the_span_are_ignored_and_reported():
    res = detect_stimulus_linked(jerks_at([5.1, 105.1]), [5.0, 105.0], span_s=(0.0, 100.0))
    assert (res.n_jerks, res.n_linked) == (1, 1)
    assert any("1 jerk(s) outside span_s" in w for w in res.warnings)


def test_latency_written_on_a_bin_edge_falls_in_the_upper_half_open_bin():
    # 100.1 - 100.0 is 0.0999999... in floating point; it still belongs to [0.10, 0.15)
    res = detect_stimulus_linked(jerks_at([100.1]), [100.0])
    assert res.psth_counts[np.searchsorted(res.psth_edges_s, 0.1 - 1e-9)] == 1
    assert res.psth_counts.sum() == 1
