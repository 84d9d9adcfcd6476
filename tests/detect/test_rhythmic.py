"""Rhythmic movements (SCORING_SPEC §5, AASM rhythmic movement disorder)."""

from __future__ import annotations

import numpy as np
import pytest

from twitchlab.detect._emg import EmgTrace
from twitchlab.detect.rhythmic import detect_rhythmic_movements

FS = 128.0
ROLE = {"Leg L": ("leg_left", "leg", "L"), "Leg R": ("leg_right", "leg", "R"), "Chin": ("chin", "chin", None)}


def tr(label: str, bursts: list[tuple[float, float]], amp: float = 30.0, base: float = 4.0) -> EmgTrace:
    env = np.full(round(200 * FS), base)
    for on, dur in bursts:
        env[round(on * FS) : round((on + dur) * FS)] = amp
    role, group, side = ROLE[label]
    b = np.full_like(env, base)
    return EmgTrace(label, role, group, side, env, FS, b, b)


def rocking(rate: float, n: int = 8, dur: float = 0.4) -> list[tuple[float, float]]:
    return [(50 + k / rate, dur) for k in range(n)]


def test_body_rocking_on_both_legs_and_chin():
    ev = detect_rhythmic_movements([tr("Leg L", rocking(1.0)), tr("Leg R", rocking(1.0)), tr("Chin", rocking(1.0))])
    assert len(ev) == 1
    row = ev.iloc[0]
    assert row["type"] == "rhythmic_movement"
    assert row["n_bursts"] == 8
    assert row["rate_hz"] == pytest.approx(1.0, rel=0.02)
    assert set(row["channels"].split(",")) == {"Leg L", "Leg R", "Chin"}


def test_head_banging_on_chin_alone_counts():
    assert len(detect_rhythmic_movements([tr("Chin", rocking(0.8)), tr("Leg L", [])])) == 1


def test_one_leg_alone_is_foot_tremor_territory_not_rhythmic():
    assert len(detect_rhythmic_movements([tr("Leg L", rocking(1.0)), tr("Leg R", [])])) == 0


@pytest.mark.parametrize(("rate", "found"), [(0.55, True), (0.4, False), (1.9, True), (2.5, False)])
def test_rate_boundaries_half_to_two_hz(rate, found):
    chans = [tr(lab, rocking(rate, dur=0.3)) for lab in ("Leg L", "Leg R")]
    assert (len(detect_rhythmic_movements(chans)) == 1) is found


@pytest.mark.parametrize(("n", "found"), [(3, False), (4, True)])
def test_needs_four_movements(n, found):
    chans = [tr(lab, rocking(1.0, n=n)) for lab in ("Leg L", "Leg R")]
    assert (len(detect_rhythmic_movements(chans)) == 1) is found


@pytest.mark.parametrize(("amp", "found"), [(16.0, True), (7.0, False)])
def test_amplitude_at_least_twice_background(amp, found):
    chans = [tr(lab, rocking(1.0), amp=amp, base=4.0) for lab in ("Leg L", "Leg R")]
    assert (len(detect_rhythmic_movements(chans, min_rise_uv=1.0)) == 1) is found


def test_irregular_bursts_are_not_rhythmic():
    on = np.cumsum([0, 0.55, 1.9, 0.6, 1.8, 0.5, 1.95]) + 50
    chans = [tr(lab, [(t, 0.3) for t in on]) for lab in ("Leg L", "Leg R")]
    assert len(detect_rhythmic_movements(chans)) == 0
