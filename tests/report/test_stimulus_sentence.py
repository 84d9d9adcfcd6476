"""The stimulus-linked sentence of "What kind of twitches": only on nights with stimuli, alarming only beyond chance."""

from __future__ import annotations

import dataclasses

import pytest

from twitchlab.report.content import build_context
from twitchlab.report.render import render_html
from twitchlab.report.wording import twitch_sentences

_NULL = dict.fromkeys(("stimulus_count", "stimulus_linked_count", "stimulus_linked_share", "stimulus_linked_p"))


def _night(hand, window_s=(0.02, 0.5), **summary):
    res = hand("healthy")
    params = {**res.params, "twitches": {"types": ["stimulus_linked"], "stimulus_linked": {"window_s": window_s}}}
    return dataclasses.replace(res, summary={**res.summary, **summary}, params=params)


def _stimulus_sentence(res):
    return [t for t in twitch_sentences(res) if t.kind == "stimulus_linked"]


def test_time_locked_jerks_get_one_plain_sentence_that_refers_to_a_clinician(hand):
    res = _night(hand, stimulus_count=40, stimulus_linked_count=12, stimulus_linked_share=0.3, stimulus_linked_p=0.003)
    (t,) = _stimulus_sentence(res)
    assert t.text == (
        "Jerks after sounds or lights: 12 of 40 stimuli were followed by a jerk within half a second — more than "
        "chance would give (p = 0.003); a clinician can tell whether this is a startle or stimulus-sensitive "
        "myoclonus."
    )
    assert t.alert is True
    assert t.measured is True


def test_jerks_consistent_with_chance_are_not_alarming(hand):
    res = _night(hand, stimulus_count=40, stimulus_linked_count=3, stimulus_linked_share=0.075, stimulus_linked_p=0.41)
    (t,) = _stimulus_sentence(res)
    assert "3 of 40 stimuli" in t.text
    assert "about what chance would give (p = 0.41)" in t.text
    assert t.alert is False
    assert "clinician" not in t.text
    assert "myoclonus" not in t.text


def test_a_non_default_window_is_named(hand):
    res = _night(hand, (0.02, 0.8), stimulus_count=5, stimulus_linked_count=1, stimulus_linked_share=0.2,
                 stimulus_linked_p=0.5)  # fmt: skip
    (t,) = _stimulus_sentence(res)
    assert "followed by a jerk 0.02-0.8 s after it" in t.text
    assert "1 of 5 stimuli" in t.text


@pytest.mark.parametrize("summary", [_NULL, {}], ids=["null keys", "keys absent"])
def test_no_sentence_and_no_missing_note_without_stimuli(hand, summary):
    res = _night(hand, hypnic_jerk_count=2, **summary)
    assert _stimulus_sentence(res) == []
    assert [t.kind for t in twitch_sentences(res)] == ["hypnic_jerk"]
    ctx = build_context(res)
    assert not any("stimul" in str(m).lower() for m in ctx["twitch_missing"])


def test_html_shows_the_sentence_only_when_stimuli_exist(hand):
    with_stim = _night(hand, stimulus_count=40, stimulus_linked_count=12, stimulus_linked_share=0.3,
                       stimulus_linked_p=0.003)  # fmt: skip
    without = _night(hand, hypnic_jerk_count=2, **_NULL)
    pngs = {k: b"png" for k in ("hypnogram", "hourly", "imi", "duration", "quality", "twitch_raster", "rswa")}

    def html(res):  # the figures are tested elsewhere: placeholders keep this test fast
        return render_html(res, figures_png=pngs, figures_narrow_png={})

    shown = html(with_stim)
    assert 'data-kind="stimulus_linked"' in shown
    assert "Jerks after sounds or lights" in shown
    assert "Jerks after sounds or lights" not in html(without)


def _psth_night(hand, **summary):
    res = _night(hand, **summary)
    stim = {
        "window_s": (0.02, 0.5),
        "psth_counts": [1, 0, 1, 0, 0, 9, 2, 0],
        "psth_edges_s": [-2.0 + 0.5 * i for i in range(9)],
        "chance_rate_hz": 0.05,
    }
    params = {**res.params, "twitches": {"types": ["stimulus_linked"], "stimulus_linked": stim}}
    return dataclasses.replace(res, params=params)


def test_the_peri_stimulus_histogram_is_drawn_only_with_stimuli(hand):
    from twitchlab.report.figures import plot_stimulus_psth

    res = _psth_night(hand, stimulus_count=40, stimulus_linked_count=9, stimulus_linked_share=0.22,
                      stimulus_linked_p=0.001)  # fmt: skip
    assert "stimulus_psth" in build_context(res)["twitch_figures"]
    fig = plot_stimulus_psth(res)
    ax = fig.axes[0]
    assert [round(p.get_height()) for p in ax.patches if p.get_width() == 0.5] == [1, 0, 1, 0, 0, 9, 2, 0]
    assert any("40 sounds or lights" in ax.get_title(loc=loc) for loc in ("left", "center", "right"))
    none = _psth_night(hand, **_NULL)
    assert "stimulus_psth" not in build_context(none)["twitch_figures"]
