"""What the report says for a cut-off file, why each measure is missing, and how numbers are rounded.

QA findings: a cut-off EDF looked complete; "not measured" reasons were guessed by searching the warnings and
named the wrong cause (REM twitches: "indices are per hour of recording"; REM minutes: "needs a chin EMG");
sleep starts gave two different reasons in two sections; the events table showed float noise.
"""

from __future__ import annotations

import dataclasses
import re
import warnings

import pytest

from twitchlab.report.content import build_context, index_rows, twitch_table
from twitchlab.report.figures import FIGURES
from twitchlab.report.render import events_display, render_html
from twitchlab.report.wording import headline, null_reason, twitch_sentences
from twitchlab.results import NightResult

# the warnings of an rsleep-like night as results saved before structured reasons had them
_OLD_WARNINGS = [
    "no hypnogram: indices are per hour of recording in the analysis window, not of sleep",
    "the leg EMG is unscorable for the whole analysis window: no leg movement could be scored, so every "
    "leg-movement count and index is null (unknown, not 0)",
    "no hypnogram: stage-bound twitch kinds (sleep starts, fragmentary myoclonus, REM) not measured",
    "ALMA needs a left and a right leg channel: alma_train_count is null",
    "no usable leg EMG channel: long contractions (> 10 s) not measured",
    "no hypnogram: REM epochs unknown, RSWA not measured",
    "no sound or light stimuli are marked in this recording (no stimulus annotations), so jerks after stimuli "
    "were not measured",
]
_NULL_TWITCH = (
    "hypnic_jerk_count", "fragmentary_myoclonus_count", "fragmentary_myoclonus_per_min_nrem", "efm_present",
    "hft_train_count", "alma_train_count", "long_contraction_count", "rem_twitch_per_min_rem", "rswa_tonic_pct",
    "rswa_phasic_pct", "rswa_any_pct", "rswa_above_sinbar", "rem_epochs_scored", "rswa_any_fds_pct",
    "rswa_above_sinbar_fds", "stimulus_count", "stimulus_linked_count", "stimulus_linked_share",
    "stimulus_linked_p",
)  # fmt: skip


def _rows(res: NightResult) -> dict[str, object]:
    return {r.key: r for _, group in index_rows(res) for r in group}


@pytest.fixture
def old_rsleep(hand) -> NightResult:
    """An rsleep-like night (no hypnogram, no stimuli, legs unusable) saved without structured reasons."""
    res = hand("healthy")
    summary = {**res.summary, **dict.fromkeys(_NULL_TWITCH), "rhythmic_movement_count": 0, "rem_min": None}
    params = {**res.params, "twitches": {"types": ["hypnic_jerk", "fragmentary_myoclonus", "hypnagogic_foot_tremor",
                                                   "alma", "rhythmic_movement", "long_contraction", "rem_twitch",
                                                   "rswa", "stimulus_linked"]}}  # fmt: skip
    return dataclasses.replace(res, summary=summary, hypnogram=None, warnings=list(_OLD_WARNINGS), params=params)


def test_cut_off_file_says_so_first_in_the_short_answer(hand):
    res = dataclasses.replace(hand("healthy"), recording_declared_s=1800.0, recording_read_s=100.0)
    first, *rest = headline(res)
    assert first.startswith("Only 1 minute 40 seconds of this recording could be read, out of the 30 minutes")
    assert "every number here covers only that part" in first
    assert len(rest) == 2
    html = render_html(res, figures_png={k: b"png" for k, _, _ in FIGURES}, figures_narrow_png={})
    answer = re.search(r'<div class="answer">(.*?)</div>', html, re.S).group(1)
    assert re.search(r"<p>Only 1 minute 40 seconds of this recording could be read", answer)
    assert "0:30:00" in _rows(res)["recording_s"].reference  # the declared length next to the read one
    assert headline(hand("healthy")) == headline(dataclasses.replace(hand("healthy"), recording_read_s=27000.0))


def test_no_movements_in_a_cut_off_file_are_not_said_of_the_whole_recording(hand):
    res = hand("healthy")
    res = dataclasses.replace(
        res,
        summary={**res.summary, "lm_count": 0, "resp_lm_count": 0, "analysis_start_s": 0.0,
                 "analysis_end_s": 100.0, "recording_s": 100.0},
        recording_declared_s=1800.0,
        recording_read_s=100.0,
    )  # fmt: skip
    said = " ".join(headline(res))
    assert "no leg movements at all in the part of the recording that could be read" in said
    assert "at all during the recording" not in said


def test_old_results_get_the_true_reason_not_the_first_warning_that_matches(old_rsleep):
    rows = _rows(old_rsleep)
    rem_twitch = rows["rem_twitch_per_min_rem"].reason
    assert "per hour of recording" not in rem_twitch
    assert "stage-bound" in rem_twitch or "hypnogram" in rem_twitch
    assert rows["rem_min"].reason == "no sleep stages were available"  # not "needs a chin EMG channel"
    for key in ("stimulus_count", "stimulus_linked_count", "stimulus_linked_share", "stimulus_linked_p"):
        assert "stimulus annotations" in rows[key].reason, key
    hft = next(r for r in twitch_table(old_rsleep) if r.type == "hypnagogic_foot_tremor")
    assert "no leg movement could be scored" not in hft.reason
    # sleep starts: one reason in every section
    table = next(r for r in twitch_table(old_rsleep) if r.type == "hypnic_jerk").reason
    sentence = next(t.text for t in twitch_sentences(old_rsleep) if t.kind == "hypnic_jerk")
    assert rows["hypnic_jerk_count"].reason == table
    assert sentence.endswith(f"not measured — {table}.")
    assert "needs the EMG channels" not in table


def test_recorded_reasons_win_and_every_section_uses_them(old_rsleep):
    reasons = {k: f"reason of {k.split('_')[0]}" for k in _NULL_TWITCH}
    res = dataclasses.replace(old_rsleep, null_reasons=reasons)
    rows = _rows(res)
    for key in _NULL_TWITCH:
        assert rows[key].reason == reasons[key]
        assert null_reason(key, res) == reasons[key]
    table = {r.type: r.reason for r in twitch_table(res)}
    assert table["hypnic_jerk"] == reasons["hypnic_jerk_count"]
    assert table["alma"] == reasons["alma_train_count"]
    ctx = build_context(dataclasses.replace(res, summary={**res.summary, "rswa_any_pct": 12.0}))
    assert any(reasons["rswa_any_fds_pct"] in m for m in ctx["twitch_missing"])


def test_real_file_without_hypnogram_or_stimuli_gives_each_row_its_true_reason(shared_data):
    """rsleep_subject1.edf: legs too coarse to use, chin channels, no hypnogram, no stimulus annotations."""
    from twitchlab.pipeline import analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze(shared_data / "edf" / "rsleep_subject1.edf")
    rows = _rows(res)
    assert "REM sleep is unknown" in rows["rem_twitch_per_min_rem"].reason
    assert "chin" not in rows["rem_min"].reason
    assert "sleep stages" in rows["rem_min"].reason
    for key in ("stimulus_count", "stimulus_linked_p"):
        assert "no stimulus annotations" in rows[key].reason
    table = {r.type: r.reason for r in twitch_table(res)}
    assert rows["hypnic_jerk_count"].reason == table["hypnic_jerk"]
    assert "falling asleep" in table["hypnic_jerk"]
    assert "EMG channels this measure uses" not in " ".join(str(r.reason) for r in rows.values())
    ctx = build_context(res)
    assert not any(re.search(r"\b(leg|arm)_(left|right)\b|_count is null", w) for w in ctx["warnings"])


def test_event_times_show_milliseconds(hand):
    res = hand("plms")
    row = events_display(res)[0]
    assert re.fullmatch(r"\d+\.\d{3}", row["onset_s"])
    assert re.fullmatch(r"\d+\.\d{3}", row["duration_s"])
