"""Helpers for hand-built scoring scenarios: tiny LM tables on an all-N2 hour unless said otherwise."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import pytest

from twitchlab.model import Hypnogram
from twitchlab.score import ScoreResult, score_night

Row = tuple[float, float, str]


def make_lms(rows: Sequence[Row]) -> pd.DataFrame:
    """LM table from (onset_s, offset_s, side) tuples."""
    return pd.DataFrame(
        {
            "onset_s": [float(r[0]) for r in rows],
            "offset_s": [float(r[1]) for r in rows],
            "side": [r[2] for r in rows],
        }
    )


def periodic(onsets: Sequence[float], dur_s: float = 1.0, side: str = "L") -> list[Row]:
    """Monolateral LMs of ``dur_s`` at the given onsets."""
    return [(t, t + dur_s, side) for t in onsets]


def hypnogram(labels: str | Sequence[str], n: int | None = None) -> Hypnogram:
    """30-s hypnogram: one label repeated ``n`` times, or a list of labels."""
    if isinstance(labels, str):
        labels = [labels] * int(n or 120)
    return Hypnogram.from_labels(list(labels))


def run(rows: Sequence[Row], **kwargs: Any) -> ScoreResult:
    """Score rows on a one-hour all-N2 night, window 0-3600 s, unless overridden."""
    kwargs.setdefault("hypnogram", hypnogram("N2", 120))
    kwargs.setdefault("window", (0.0, 3600.0))
    kwargs.setdefault("recording_s", 3600.0)
    return score_night(make_lms(rows), **kwargs)


def lm_rows(res: ScoreResult) -> pd.DataFrame:
    """Movements that took part in scoring, in time order."""
    ev = res.events
    return ev[ev["in_sequence"]].sort_values("onset_s").reset_index(drop=True)


def plm_flags(res: ScoreResult) -> list[int]:
    return lm_rows(res)["is_plm"].astype(int).tolist()


@pytest.fixture(name="run")
def _run() -> Callable[..., ScoreResult]:
    """Scenario runner: rows on a one-hour all-N2 night."""
    return run


@pytest.fixture(name="periodic")
def _periodic() -> Callable[..., list[Row]]:
    return periodic


@pytest.fixture(name="hyp")
def _hyp() -> Callable[..., Hypnogram]:
    return hypnogram


@pytest.fixture(name="movements")
def _movements() -> Callable[[ScoreResult], pd.DataFrame]:
    return lm_rows


@pytest.fixture(name="flags")
def _flags() -> Callable[[ScoreResult], list[int]]:
    return plm_flags


@pytest.fixture(name="make")
def _make() -> Callable[[Sequence[Row]], pd.DataFrame]:
    return make_lms
