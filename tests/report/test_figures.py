from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from twitchlab.model import empty_events
from twitchlab.report import figures
from twitchlab.results import imi_histogram


def _bar_heights(ax) -> np.ndarray:
    return np.array([bar.get_height() for container in ax.containers for bar in container])


@pytest.mark.parametrize(("key", "fn"), [(k, f) for k, f, _ in figures.FIGURES])
def test_every_figure_function_returns_a_figure_with_a_title(key, fn, sim):
    fig = fn(sim("plms"))
    assert isinstance(fig, Figure)
    titles = [ax.get_title(loc="left") for ax in fig.axes] + [fig._suptitle.get_text() if fig._suptitle else ""]
    assert any(t.strip() for t in titles), key


def test_hypnogram_draws_one_tick_per_leg_movement(sim):
    res = sim("plms")
    fig = figures.plot_hypnogram(res)
    raster = fig.axes[1]
    ticks = sum(len(c.get_segments()) for c in raster.collections if isinstance(c, LineCollection))
    lm = res.events[res.events["type"] == "lm"]
    n_series = lm["series_id"].dropna().nunique()
    assert n_series > 0
    assert ticks == len(lm) + n_series  # one tick per LM + one bar per PLM series
    labels = [t.get_text() for t in raster.get_yticklabels()]
    assert "PLM series" in labels
    assert "Left leg" in labels


def test_hypnogram_stage_rows_have_wake_on_top(sim):
    fig = figures.plot_hypnogram(sim("healthy"))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ys = [t.get_position()[1] for t in fig.axes[0].get_yticklabels()]
    order = [lab for _, lab in sorted(zip(ys, labels, strict=True), reverse=True)]
    assert order == ["Wake", "REM", "N1", "N2", "N3"]


def test_hourly_counts_add_up_to_all_leg_movements(sim):
    res = sim("apnea")
    fig = figures.plot_hourly_counts(res)
    assert _bar_heights(fig.axes[0]).sum() == (res.events["type"] == "lm").sum()


def test_imi_histogram_bars_match_the_results_histogram(sim):
    res = sim("plms")
    fig = figures.plot_imi_histogram(res)
    ax_lin_sleep, ax_lin_wake, ax_log_sleep, _ = fig.axes[:4]
    expected = imi_histogram(res.events, stage="sleep")["count"].sum()
    assert expected > 0
    assert _bar_heights(ax_lin_sleep).sum() == expected
    assert _bar_heights(ax_lin_wake).sum() == imi_histogram(res.events, stage="wake")["count"].sum()
    assert _bar_heights(ax_log_sleep).sum() == imi_histogram(res.events, stage="sleep", log=True)["count"].sum()


def test_duration_histogram_counts_every_movement_once(sim):
    res = sim("plms")
    fig = figures.plot_duration_histogram(res)
    assert _bar_heights(fig.axes[0]).sum() == (res.events["type"] == "lm").sum()


def test_quality_strip_marks_unscorable_epochs(hand):
    res = hand("plms")
    fig = figures.plot_quality(res)
    colors = [tuple(np.round(c.get_facecolor()[0][:3], 3)) for c in fig.axes[0].collections]
    assert len(colors) == 3  # left: all good; right: good + bad
    assert len(set(colors)) == 2


@pytest.mark.parametrize(("key", "fn"), [(k, f) for k, f, _ in figures.FIGURES])
def test_figures_cope_with_an_empty_night_without_hypnogram_or_quality(key, fn, hand):
    res = dataclasses.replace(hand("healthy"), events=empty_events(), hypnogram=None, quality=None)
    fig = fn(res)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("No " in t or "not measured" in t for t in texts), key


def test_night_end_uses_the_recording_length(sim):
    res = sim("healthy")
    assert figures.night_end_s(res) == pytest.approx(res.summary["recording_s"])


@pytest.mark.parametrize("key", ["hypnogram", "hourly_counts", "imi_histogram", "duration_histogram", "quality"])
def test_night_result_methods_delegate_to_the_figure_functions(hand, key):
    res = hand("apnea")
    fig = getattr(res, f"plot_{key}")()
    ref = getattr(figures, f"plot_{key}")(res)
    assert [ax.get_title(loc="left") for ax in fig.axes] == [ax.get_title(loc="left") for ax in ref.axes]


def test_unscored_epochs_are_shaded_as_runs(hand):
    from twitchlab.model import Hypnogram

    res = hand("healthy")
    labels = ["W"] * 10 + ["?"] * 20 + ["N2"] * 30 + ["ART"] * 5 + ["N2"] * 5
    fig = figures.plot_hypnogram(dataclasses.replace(res, hypnogram=Hypnogram.from_labels(labels)))
    spans = [p for p in fig.axes[0].patches if p.get_alpha() == 0.5]
    assert len(spans) == 2
