"""Canonical vocabulary and hypnogram expansion (properties)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitchlab.errors import InputFileError
from twitchlab.io.annotations import build_annotations, hypnogram_from_events
from twitchlab.io.vocab import map_label
from twitchlab.model import CANONICAL_TYPES


@settings(max_examples=80, deadline=None)
@given(runs=st.lists(st.tuples(st.sampled_from([0, 1, 2, 3, 4, -1]), st.integers(1, 40)), min_size=1, max_size=30))
def test_runs_expand_to_exact_epochs(runs):
    codes = np.array([c for c, _ in runs])
    n = np.array([k for _, k in runs])
    onsets = np.concatenate([[0], np.cumsum(n)[:-1]]) * 30.0
    hyp = hypnogram_from_events(onsets, n * 30.0, codes)
    assert hyp.n_epochs == n.sum()
    assert hyp.stages.tolist() == np.repeat(codes, n).tolist()


def test_gap_between_stage_annotations_is_unscored():
    hyp = hypnogram_from_events(np.array([0.0, 90.0]), np.array([30.0, 30.0]), np.array([0, 2]))
    assert hyp.labels == ["W", "?", "?", "N2"]


def test_absurd_stage_span_is_an_error():
    with pytest.raises(InputFileError, match="more than 14 days"):
        hypnogram_from_events(np.array([0.0]), np.array([1e12]), np.array([0]))


@pytest.mark.parametrize("typ", CANONICAL_TYPES)
def test_every_canonical_type_name_reads_back_as_itself(typ):
    assert map_label(typ).type == typ


def test_stage_events_kept_and_movement_time_is_artefact_epoch():
    ann = build_annotations([0, 30, 60], [30, 30, 30], ["Sleep stage W", "Movement time", "Sleep stage R"],
                            source="x", kind="test")  # fmt: skip
    assert ann.events["type"].tolist() == ["stage_w", "stage_unscored", "stage_r"]
    assert ann.hypnogram.labels == ["W", "ART", "R"]
