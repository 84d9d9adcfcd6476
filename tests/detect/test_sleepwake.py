"""Non-wear, sleep period and sleep/wake estimates against simulated truth and hand-built counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twitchlab.detect.accel import AccelFeatureStream
from twitchlab.detect.sleepwake import (
    cole_kripke,
    estimate_sleep_counts,
    estimate_sleep_raw,
    nonwear_counts,
    nonwear_raw,
    sadeh,
    sleep_period_hdcza,
)
from twitchlab.errors import InsufficientDataError, ParameterError, TwitchlabWarning
from twitchlab.io.accel import read_accel
from twitchlab.simulate.accel import simulate_accel_night


@pytest.fixture(scope="module")
def wrist_night():
    night = simulate_accel_night(11, location="wrist", duration_h=6.0, fs_hz=20.0, nonwear_h=1.5)
    s = AccelFeatureStream(night.fs_hz)
    for acc, temp in night.chunks(1800):
        s.update(acc, temp)
    return night, s.result()


def test_nonwear_found_with_temperature_and_not_in_sleep(wrist_night) -> None:
    night, f = wrist_night
    nw = nonwear_raw(f.stats_5s, f.n_5s, f.temp_5s)
    t = np.arange(nw.size) * 5.0
    true_nw = t < night.nonwear[0][1]
    assert nw[true_nw].mean() > 0.9
    assert nw[~true_nw].mean() < 0.02


def test_nonwear_temperature_branch_changes_result(wrist_night) -> None:
    """Warm (worn) but motionless stretches are not non-wear when temperature is known."""
    _, f = wrist_night
    warm = np.full_like(f.temp_5s, 33.0)
    assert not nonwear_raw(f.stats_5s, f.n_5s, warm).any()
    assert nonwear_raw(f.stats_5s, f.n_5s, None).sum() >= nonwear_raw(f.stats_5s, f.n_5s, f.temp_5s).sum()


def test_hdcza_sleep_period_and_tst_close_to_truth(wrist_night) -> None:
    night, f = wrist_night
    nw = nonwear_raw(f.stats_5s, f.n_5s, f.temp_5s)
    est = estimate_sleep_raw(f.angle_deg, nonwear=nw, duration_s=f.duration_s)
    sleep_ep = np.flatnonzero(night.hypnogram.stages > 0)
    assert est.spt_start_s == pytest.approx(sleep_ep[0] * 30.0, abs=30 * 60)
    assert est.spt_end_s == pytest.approx((sleep_ep[-1] + 1) * 30.0, abs=30 * 60)
    assert est.tst_min == pytest.approx(night.sleep_s / 60.0, rel=0.1)
    agree = (est.sleep[: night.hypnogram.n_epochs] == (night.hypnogram.stages > 0)).mean()
    assert agree > 0.85
    hyp = est.to_hypnogram()
    assert set(np.unique(hyp.stages)) <= {0, 2}
    assert "estimate" in hyp.source
    assert est.nonwear[0][0] == 0.0


def test_hdcza_none_when_always_active() -> None:
    rng = np.random.default_rng(0)
    assert sleep_period_hdcza(rng.uniform(-90, 90, 5000)) is None


def test_cole_kripke_basic_and_webster_rescoring() -> None:
    assert cole_kripke(np.zeros(60)).all()
    assert not cole_kripke(np.full(60, 2000.0)).any()
    counts = np.r_[np.full(20, 300.0), np.zeros(6), np.full(20, 300.0)]
    assert cole_kripke(counts, rescore=False)[24]
    assert not cole_kripke(counts, rescore=True)[20:26].any()  # <= 6 min of sleep between >= 10 min wake


def test_sadeh_basic() -> None:
    assert sadeh(np.zeros(30)).all()
    assert not sadeh(np.full(30, 300.0)).any()


def test_nonwear_counts_choi() -> None:
    c = np.r_[np.full(30, 50.0), np.zeros(100), np.full(30, 50.0)]
    c[80] = 5.0  # a 1-min spike inside the zeros is tolerated
    nw = nonwear_counts(c, 60.0)
    assert nw[30:130].all()
    assert not nw[:30].any()
    assert not nonwear_counts(np.r_[np.full(30, 50.0), np.zeros(80), np.full(30, 50.0)], 60.0).any()


def test_estimate_sleep_counts_methods_on_actiwatch(shared_data: Path) -> None:
    with pytest.warns(TwitchlabWarning, match="no activity value"):
        rec = read_accel(shared_data / "accel" / "Actiwatch.csv")
    counts = rec.channels["activity_counts"].data
    dev = estimate_sleep_counts(counts, 15.0, method="device", device_sleep_wake=rec.channels["sleep_wake_device"].data)
    ck = estimate_sleep_counts(counts, 15.0, method="cole_kripke")
    assert dev.sleep.size == ck.sleep.size == int(np.ceil(860 * 15 / 30))
    assert "device" in dev.method
    assert "Cole-Kripke" in ck.method
    with pytest.raises(InsufficientDataError, match="sleep/wake column"):
        estimate_sleep_counts(counts, 15.0, method="device")
    with pytest.raises(ParameterError):
        estimate_sleep_counts(counts, 15.0, method="oakley")
