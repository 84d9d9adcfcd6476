"""REM twitches and REM sleep without atonia: AASM tonic/phasic epochs, SINBAR "any" (SCORING_SPEC §5)."""

from __future__ import annotations

import numpy as np
import pytest

from twitchlab.detect._emg import EmgTrace
from twitchlab.detect.rem import detect_rem_twitches, score_rswa
from twitchlab.model import Hypnogram

FS = 128.0
NREM_UV, ATONIA_UV, TONIC_UV = 4.0, 1.0, 6.0


def chin(
    stages: list[int],
    *,
    tonic: tuple[int, ...] = (),
    phasic: dict[int, list[int]] | None = None,
    burst_uv: float = 20.0,
    label: str = "Chin",
    group: str = "chin",
    side: str | None = None,
) -> tuple[EmgTrace, Hypnogram]:
    """Envelope built epoch by epoch: NREM tone, REM atonia or tonic, 0.5-s bursts in given mini-epochs."""
    per_ep = round(30 * FS)
    level = np.array([TONIC_UV if i in tonic else ATONIA_UV if s == 4 else NREM_UV for i, s in enumerate(stages)])
    env = np.repeat(level, per_ep)
    for ep, minis in (phasic or {}).items():
        for m in minis:
            i0 = round((ep * 30 + m * 3 + 1.0) * FS)
            env[i0 : i0 + round(0.5 * FS)] = burst_uv
    role = {"chin": "chin", "arm": f"arm_{'left' if side == 'L' else 'right'}"}[group]
    t = EmgTrace(label, role, group, side, env, FS, np.full_like(env, ATONIA_UV), np.full_like(env, ATONIA_UV))
    return t, Hypnogram(np.array(stages))


STAGES = [2, 2, 2, 4, 4, 4, 4]  # 3 NREM epochs, 4 REM epochs (40 mini-epochs)


def test_atonia_is_zero_everywhere():
    s = score_rswa(*chin(STAGES)).summary
    assert s["rswa_tonic_pct"] == 0.0
    assert s["rswa_phasic_pct"] == 0.0
    assert s["rswa_any_pct"] == 0.0
    assert s["rswa_above_sinbar"] is False
    assert s["rem_epochs_scored"] == 4


def test_tonic_epochs_above_lowest_nrem_amplitude():
    res = score_rswa(*chin(STAGES, tonic=(4, 6)))
    assert res.summary["rswa_tonic_pct"] == 50.0
    assert res.summary["rswa_any_pct"] == 50.0
    assert res.epochs["tonic"].tolist() == [False, True, False, True]


@pytest.mark.parametrize("fs", [200.0 / 3.0, 62.5, 64.0])
def test_tonic_epochs_stay_on_their_epochs_at_any_envelope_rate(fs):
    """A 200-Hz EMG gives a 66.7-Hz envelope: 1-s blocks of a fixed 67 samples drifted a whole epoch in 100 min,
    so REM epochs next to NREM read NREM tone as "tonic" (12-19 points of RSWA on nights with none)."""
    stages = ([2] * 10 + [4] * 10) * 12  # 4 h: REM periods right after NREM, all night
    tonic = {55, 56, 235}  # three REM epochs with tone above the lowest NREM level
    level = np.array([TONIC_UV if i in tonic else ATONIA_UV if st == 4 else NREM_UV for i, st in enumerate(stages)])
    t_s = np.arange(int(len(stages) * 30 * fs)) / fs + 1e-9  # sample j at j / fs s (exact at epoch edges)
    env = level[np.minimum((t_s // 30).astype(int), len(stages) - 1)]
    trace = EmgTrace("Chin", "chin", "chin", None, env, fs, np.full_like(env, ATONIA_UV), np.full_like(env, ATONIA_UV))
    res = score_rswa(trace, Hypnogram(np.array(stages)))
    rem_onsets = res.epochs.loc[res.epochs["tonic"], "onset_s"].to_numpy()
    assert sorted(rem_onsets / 30) == sorted(tonic)
    assert res.summary["rswa_tonic_pct"] == pytest.approx(100 * 3 / 120)


@pytest.mark.parametrize(("n_minis", "phasic"), [(4, False), (5, True)])
def test_phasic_epoch_needs_five_of_ten_mini_epochs(n_minis, phasic):
    res = score_rswa(*chin(STAGES, phasic={3: list(range(n_minis))}))
    assert res.epochs["phasic"].tolist()[0] is phasic
    assert res.summary["rswa_phasic_pct"] == (25.0 if phasic else 0.0)
    assert res.summary["rswa_any_pct"] == pytest.approx(100 * n_minis / 40)


@pytest.mark.parametrize(("n_minis", "above"), [(7, False), (8, True)])
def test_sinbar_chin_any_cutoff_18_percent(n_minis, above):
    minis = {3: list(range(min(n_minis, 4))), 5: list(range(max(0, n_minis - 4)))}
    s = score_rswa(*chin(STAGES, phasic=minis)).summary
    assert s["rswa_any_pct"] == pytest.approx(100 * n_minis / 40)
    assert s["rswa_above_sinbar"] is above


def test_burst_between_two_and_four_times_background_is_sinbar_any_not_aasm_phasic():
    trace, hyp = chin(STAGES, phasic={3: list(range(10))}, burst_uv=3.0)  # 3x background
    s = score_rswa(trace, hyp, phasic_min_rise_uv=0.5).summary
    assert s["rswa_phasic_pct"] == 0.0
    assert s["rswa_any_pct"] == 25.0
    s4 = score_rswa(trace, hyp, phasic_min_rise_uv=0.5, any_phasic_ratio=4.0).summary
    assert s4["rswa_any_pct"] == 0.0


def test_artefact_and_arousal_stretches_are_removed():
    trace, hyp = chin(STAGES, phasic={3: list(range(10))})
    # remove 6 mini-epochs of epoch 3: fewer than 5 clean left, so the epoch is not scored
    res = score_rswa(trace, hyp, excluded=np.array([[90.0, 108.0]]))
    assert res.summary["rem_epochs_scored"] == 3
    assert res.summary["rswa_any_pct"] == 0.0
    # remove 2 mini-epochs: scored, and the removed ones leave the denominator
    res = score_rswa(trace, hyp, excluded=np.array([[90.0, 96.0]]))
    assert res.summary["rem_epochs_scored"] == 4
    assert res.summary["rswa_any_pct"] == pytest.approx(100 * 8 / 38)


def test_flat_chin_is_unusable_not_atonia():
    trace, hyp = chin(STAGES)
    flat = EmgTrace(
        "Chin", "chin", "chin", None, np.zeros_like(trace.env_uv), FS, trace.baseline_uv, trace.background_uv
    )
    res = score_rswa(flat, hyp)
    assert res.summary["rswa_any_pct"] is None
    assert res.summary["rswa_above_sinbar"] is None
    assert any("flat" in w for w in res.warnings)


def test_chin_envelope_below_100_hz_is_unusable():
    res = score_rswa(None, Hypnogram(np.array(STAGES)), chin_fs_hz=1.0)
    assert res.summary["rswa_tonic_pct"] is None
    assert any("1 Hz" in w and "100 Hz" in w for w in res.warnings)


def test_no_rem_gives_nulls_with_reason():
    res = score_rswa(*chin([2, 2, 3, 3]))
    assert res.summary["rem_epochs_scored"] is None
    assert any("no REM" in w for w in res.warnings)


def test_sinbar_combined_with_both_arms():
    c, hyp = chin(STAGES, phasic={3: [0, 1]})
    left, _ = chin(STAGES, phasic={4: [0, 1, 2]}, label="Arm L", group="arm", side="L")
    right, _ = chin(STAGES, phasic={3: [1], 5: [5]}, label="Arm R", group="arm", side="R")
    s = score_rswa(c, hyp, arms=[left, right]).summary
    assert s["rswa_any_pct"] == pytest.approx(5.0)
    assert s["rswa_any_fds_pct"] == pytest.approx(100 * 6 / 40)
    assert s["rswa_above_sinbar_fds"] is False
    res = score_rswa(c, hyp, arms=[left])
    assert res.summary["rswa_any_fds_pct"] is None
    assert any("both arms" in w for w in res.warnings)


def test_ecg_bleed_in_chin_is_not_rswa():
    from twitchlab.detect.twitches import detect_twitches
    from twitchlab.simulate.twitches import simulate_twitch_night

    for ecg_channel in (False, True):
        night = simulate_twitch_night(4, duration_h=1.5, kinds=[], ecg_in_chin=True, ecg_channel=ecg_channel)
        s = detect_twitches(night.recording, types=["rswa"]).summary
        assert s["rem_epochs_scored"] > 0
        assert s["rswa_phasic_pct"] == 0.0
        assert s["rswa_tonic_pct"] == 0.0
        assert s["rswa_any_pct"] < 5.0
        assert s["rswa_above_sinbar"] is False


def _rem_trace(bursts: list[tuple[float, float, float]]) -> tuple[EmgTrace, Hypnogram]:
    env = np.full(round(120 * FS), 1.0)
    for on, dur, amp in bursts:
        env[round(on * FS) : round((on + dur) * FS)] = amp
    t = EmgTrace("Leg L", "leg_left", "leg", "L", env, FS, np.ones_like(env), np.ones_like(env))
    return t, Hypnogram(np.array([2, 2, 4, 4]))


@pytest.mark.parametrize(
    ("on", "dur", "amp", "found"),
    [(70, 0.3, 10, True), (70, 0.05, 10, False), (65, 4.8, 10, True), (65, 5.5, 10, False), (70, 0.3, 3, False),
     (20, 0.3, 10, False)],
)  # fmt: skip
def test_rem_twitch_boundaries(on, dur, amp, found):
    ev = detect_rem_twitches([_rem_trace([(on, dur, amp)])[0]], _rem_trace([])[1], min_rise_uv=1.0)
    assert (len(ev) == 1) is found
    if found:
        assert ev.iloc[0]["stage"] == "R"


def _oracle_any_pct(events, hyp):
    """Independent loop over 3-s REM mini-epochs (SINBAR), for the real scored files."""
    lab = events["label_original"].astype(str).str.lower()
    chin = events[lab.str.contains("chin") & (events["type"] != "artifact")]
    art = events[(events["type"] == "artifact") & ~lab.str.contains("leg|arm")]
    hit = clean = 0
    n_epochs = 0
    for ep, code in enumerate(hyp.stages):
        if code != 4:
            continue
        minis = [(ep * 30 + 3 * k, ep * 30 + 3 * k + 3) for k in range(10)]
        ok = [not ((art["onset_s"] < b) & (art["offset_s"] > a)).any() for a, b in minis]
        if sum(ok) < 5:
            continue
        n_epochs += 1
        for (a, b), good in zip(minis, ok, strict=True):
            if good:
                clean += 1
                hit += bool(((chin["onset_s"] < b) & (chin["offset_s"] > a)).any())
    return 100.0 * hit / clean, n_epochs


@pytest.mark.parametrize("name", ["Generic - test1 Unbekannt.txt", "Generic_NO_test1.txt"])
def test_rswa_from_human_scored_domino_exports(shared_data, name):
    import warnings

    from twitchlab.detect.rem import rswa_from_scored
    from twitchlab.io import read_annotations

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hyp = read_annotations(shared_data / "text" / "Sleep profile - test1 Unbekannt.txt").hypnogram
        events = read_annotations(shared_data / "text" / name).events
    s = rswa_from_scored(events, hyp)
    any_pct, n_epochs = _oracle_any_pct(events, hyp)
    assert s["rswa_any_pct"] == pytest.approx(any_pct)
    assert s["rem_epochs_scored"] == n_epochs
    assert 0 < n_epochs <= int((hyp.stages == 4).sum())
    assert s["rswa_any_fds_pct"] >= s["rswa_any_pct"]
    assert s["rswa_above_sinbar"] is (s["rswa_any_pct"] > 18.0)


@pytest.mark.parametrize("epoch_s", [20.0, 15.0])
def test_hypnograms_in_other_epoch_lengths_are_scored_on_30_s_epochs(epoch_s):
    """Audit finding: 20-s epochs gave 6.7 mini-epochs per epoch (rows drifting) and the 5-of-10 phasic rule ran
    on the wrong count: phasic 29.0 % -> 2.6 %. They are rebuilt on 30-s epochs first, with a note."""
    from dataclasses import replace

    from twitchlab.detect.twitches import detect_twitches
    from twitchlab.simulate.twitches import simulate_twitch_night

    night = simulate_twitch_night(2, duration_h=2.0, kinds=["rem_twitch"], rswa="mixed")
    h30 = night.recording.hypnogram
    n = int(h30.n_epochs * 30 / epoch_s)
    other = Hypnogram(h30.stage_at(np.arange(n) * epoch_s + epoch_s / 2), epoch_s=epoch_s)
    a = detect_twitches(night.recording, types=["rswa"])
    b = detect_twitches(replace(night.recording, hypnogram=other), types=["rswa"])
    for key in ("rswa_tonic_pct", "rswa_phasic_pct", "rem_epochs_scored"):
        assert b.summary[key] == a.summary[key], key
    assert b.summary["rswa_any_pct"] == pytest.approx(a.summary["rswa_any_pct"], abs=0.5)
    assert any("rebuilt" in w for w in b.warnings)
