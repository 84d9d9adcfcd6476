"""Long contractions > 10 s on one leg (SCORING_SPEC §5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twitchlab.detect._emg import EmgTrace
from twitchlab.detect.long_contraction import detect_long_contractions, long_contractions_from_lms
from twitchlab.model import Hypnogram

FS = 128.0


def leg(bursts: list[tuple[float, float]], side: str = "R") -> EmgTrace:
    env = np.full(round(200 * FS), 2.0)
    for on, dur in bursts:
        env[round(on * FS) : round((on + dur) * FS)] = 30.0
    role = "leg_left" if side == "L" else "leg_right"
    return EmgTrace(f"Leg {side}", role, "leg", side, env, FS, np.full_like(env, 2.0), np.full_like(env, 2.0))


@pytest.mark.parametrize(("dur", "found"), [(9.5, False), (10.5, True), (40.0, True)])
def test_longer_than_ten_seconds(dur, found):
    ev = detect_long_contractions([leg([(50.0, dur)])], Hypnogram(np.full(7, 2)))
    assert (len(ev) == 1) is found
    if found:
        assert ev.iloc[0]["side"] == "R"
        assert ev.iloc[0]["duration_s"] == pytest.approx(dur, abs=0.05)
        assert ev.iloc[0]["stage"] == "N2"


def test_rhythmic_train_joined_by_offset_rule_is_not_sustained():
    bursts = [(50 + 0.8 * k, 0.4) for k in range(20)]  # gaps of 0.4 s < 0.5-s offset quiet: one 16-s "LM"
    assert len(detect_long_contractions([leg(bursts)])) == 0
    assert len(detect_long_contractions([leg(bursts)], min_active_fraction=0.0)) == 1


def test_from_lm_table():
    lms = pd.DataFrame({"onset_s": [10.0, 40.0, 90.0], "offset_s": [12.0, 52.0, 100.0], "side": ["L", "R", "L"]})
    ev = long_contractions_from_lms(lms)
    assert ev["onset_s"].tolist() == [40.0]
    assert ev["side"].tolist() == ["R"]
