"""WASM 2016 rule scenarios (SCORING_SPEC §3), each with its expected result derived by hand.

Unless said otherwise: a one-hour night, all N2, window 0-3600 s, LMs of 1 s on the left leg.
"""

from __future__ import annotations

import pytest

# ----------------------------------------------------------------------------------- bilateral merge


def test_wasm2016_bilateral_gap_049_merges(run, movements):
    """L 0-1 s, R 1.49-2.5 s: gap 0.49 s < 0.5 s → one bilateral LM (side B, 2 monolateral, CLM)."""
    res = run([(0, 1, "L"), (1.49, 2.5, "R")])
    mov = movements(res)
    assert len(mov) == 1
    assert mov.loc[0, "side"] == "B"
    assert mov.loc[0, "n_monolateral"] == 2
    assert bool(mov.loc[0, "is_clm"])
    assert res.summary["lm_count"] == 1
    assert res.summary["lm_count_bilateral"] == 1


def test_wasm2016_bilateral_gap_050_stays_apart(run, movements):
    """L 0-1 s, R 1.5-2.5 s: gap exactly 0.5 s is not < 0.5 s → two monolateral LMs (IMI 1.5 s)."""
    res = run([(0, 1, "L"), (1.5, 2.5, "R")])
    mov = movements(res)
    assert mov["side"].tolist() == ["L", "R"]
    assert res.summary["lm_count_left"] == 1
    assert res.summary["lm_count_right"] == 1
    assert mov.loc[1, "imi_s"] == pytest.approx(1.5)


def test_wasm2016_bilateral_overlap_merges_extent(run, movements):
    """L 10-12 s and R 11-14 s overlap → one LM 10-14 s (4 s), onset of the earlier, offset of the later."""
    mov = movements(run([(10, 12, "L"), (11, 14, "R")]))
    assert len(mov) == 1
    assert mov.loc[0, "onset_s"] == 10
    assert mov.loc[0, "offset_s"] == 14
    assert mov.loc[0, "duration_s"] == pytest.approx(4.0)


def test_wasm2016_bilateral_merge_is_transitive(run, movements):
    """L 0-2, R 1.8-4, L 3.9-6: L1~R and R~L2 → one movement of 3 monolateral LMs, 0-6 s, still a CLM."""
    mov = movements(run([(0, 2, "L"), (1.8, 4, "R"), (3.9, 6, "L")]))
    assert len(mov) == 1
    assert mov.loc[0, "n_monolateral"] == 3
    assert bool(mov.loc[0, "is_clm"])


def test_wasm2016_same_leg_never_merged_directly(run, movements):
    """L 0-1 and L 1.2-2: same leg, gap 0.2 s → two LMs (the bilateral rule needs two legs)."""
    mov = movements(run([(0, 1, "L"), (1.2, 2, "L")]))
    assert len(mov) == 2
    assert mov["n_monolateral"].tolist() == [1, 1]


def test_wasm2016_bilateral_holds_at_most_four_monolateral(run, movements):
    """Five monolateral LMs chained L-R-L-R-L (each overlapping the next) over 5 s → one bilateral LM that is
    NOT a CLM (> 4 monolateral); four chained → a CLM."""
    five = [(0, 1, "L"), (0.9, 2, "R"), (1.9, 3, "L"), (2.9, 4, "R"), (3.9, 5, "L")]
    mov = movements(run(five))
    assert len(mov) == 1
    assert mov.loc[0, "n_monolateral"] == 5
    assert not bool(mov.loc[0, "is_clm"])
    assert mov.loc[0, "excluded_reason"] == "too_many_monolateral"
    mov4 = movements(run(five[:4]))
    assert bool(mov4.loc[0, "is_clm"])


@pytest.mark.parametrize(("r_off", "is_clm"), [(15.0, True), (15.1, False)])
def test_wasm2016_bilateral_15s_limit(run, movements, r_off, is_clm):
    """L 0-8 s, R 7-r_off s (each < 10 s): the bilateral LM lasts r_off s; CLM iff <= 15 s."""
    mov = movements(run([(0, 8, "L"), (7, r_off, "R")]))
    assert len(mov) == 1
    assert bool(mov.loc[0, "is_clm"]) is is_clm
    assert mov.loc[0, "excluded_reason"] == (None if is_clm else "too_long")


@pytest.mark.parametrize(("dur", "is_clm"), [(10.0, True), (10.1, False), (0.5, True)])
def test_wasm2016_monolateral_10s_limit(run, movements, dur, is_clm):
    """A monolateral LM at 100 s lasting dur: CLM iff 0.5 s <= dur <= 10 s."""
    mov = movements(run([(100, 100 + dur, "R")]))
    assert bool(mov.loc[0, "is_clm"]) is is_clm


def test_wasm2016_bilateral_with_monolateral_over_10s_is_not_clm(run, movements):
    """L 0-10.5 s (> 10 s) merged with R 1-2 s: 10.5 s total is < 15 s, but one part is > 10 s → not a CLM."""
    mov = movements(run([(0, 10.5, "L"), (1, 2, "R")]))
    assert len(mov) == 1
    assert not bool(mov.loc[0, "is_clm"])


def test_wasm2016_lm_under_half_second_is_no_lm(run, movements):
    """A 0.4-s event between CLMs at 0, 20, 40, 60 s is not an LM: excluded too_short, and the series of 4
    stays (it neither counts nor breaks)."""
    res = run([*[(t, t + 1, "L") for t in (0, 20, 40, 60)], (30, 30.4, "R")])
    assert res.summary["lm_count"] == 4
    assert res.summary["plm_count"] == 4
    assert (res.events["excluded_reason"] == "too_short").sum() == 1


# ------------------------------------------------------------------------------------------- series


@pytest.mark.parametrize(
    ("onsets", "expected"),
    [
        ([0, 10, 20, 30], [1, 1, 1, 1]),  # IMI exactly 10 s is inside 10-90 s
        ([0, 90, 180, 270], [1, 1, 1, 1]),  # IMI exactly 90 s is inside
        ([0, 90.1, 180.2, 270.3], [0, 0, 0, 0]),  # 90.1 s is outside
        ([0, 9.9, 19.8, 29.7], [0, 0, 0, 0]),  # 9.9 s is outside
        ([0, 20, 40], [0, 0, 0]),  # three CLMs are not a series
    ],
)
def test_wasm2016_imi_bounds_inclusive(run, periodic, flags, onsets, expected):
    """4 CLMs with equal IMIs form a series iff 10 s <= IMI <= 90 s; 3 never do."""
    assert flags(run(periodic(onsets))) == expected


def test_wasm2016_last_clm_of_series_is_plm(run, periodic, movements):
    """CLMs at 0, 20, 40, 60 s: the series is all four; the last one is a PLM too (not dropped)."""
    mov = movements(run(periodic([0, 20, 40, 60])))
    assert mov["is_plm"].tolist() == [True] * 4
    assert mov["series_id"].tolist() == [0, 0, 0, 0]


def test_wasm2016_imi_99_inside_series_ends_it(run, periodic, flags):
    """CLMs at 0, 20, 40, 60, 69.9, 90, 110, 130 s. The IMI 9.9 s ends series A (0-60, 4 PLM). The CLM at
    69.9 follows a short IMI, so it cannot open; 90, 110, 130 are only 3 → no second series."""
    res = run(periodic([0, 20, 40, 60, 69.9, 90, 110, 130]))
    assert flags(res) == [1, 1, 1, 1, 0, 0, 0, 0]
    assert res.summary["plm_series_count"] == 1


def test_wasm2016_clm_after_short_imi_cannot_open_next_may(run, periodic, flags):
    """Same as above plus a CLM at 150 s: 90, 110, 130, 150 is a second series (opened by the CLM after the
    one that followed the short IMI)."""
    res = run(periodic([0, 20, 40, 60, 69.9, 90, 110, 130, 150]))
    assert flags(res) == [1, 1, 1, 1, 0, 1, 1, 1, 1]
    assert res.summary["plm_series_count"] == 2
    assert res.summary["plm_series_mean_len"] == 4.0


def test_wasm2016_short_imi_at_start(run, periodic, flags):
    """0, 5, 25, 45, 65 s: IMI 5 s; the CLM at 5 cannot open, 25-45-65 are 3 → none. Adding 85 gives 4."""
    assert flags(run(periodic([0, 5, 25, 45, 65]))) == [0, 0, 0, 0, 0]
    assert flags(run(periodic([0, 5, 25, 45, 65, 85]))) == [0, 0, 1, 1, 1, 1]


def test_wasm2016_long_lm_inside_series_breaks_it(run, periodic, movements):
    """CLMs 0, 20, 40; a 12-s LM at 60 (not a CLM); CLMs 80, 100, 120, 140. The long LM ends the first run
    (3 CLMs: no series). The CLM at 80 follows an IMI of 20 s, so it may open: 80-140 is a series of 4.
    LM count 8, CLM count 7, PLM 4."""
    rows = [*periodic([0, 20, 40]), (60, 72, "L"), *periodic([80, 100, 120, 140])]
    res = run(rows)
    mov = movements(res)
    assert mov["is_plm"].astype(int).tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert mov.loc[3, "excluded_reason"] == "too_long"
    assert (res.summary["lm_count"], res.summary["clm_count"], res.summary["plm_count"]) == (8, 7, 4)


def test_wasm2016_non_clm_bilateral_breaks_series(run, periodic, flags):
    """CLMs 0, 20, 40, 60; a 5-LM bilateral chain at 80 (not a CLM); CLMs 100, 120, 140: the first four are a
    series; the chain breaks; 100-140 are 3 → not a series."""
    chain = [(80, 81, "L"), (80.9, 82, "R"), (81.9, 83, "L"), (82.9, 84, "R"), (83.9, 85, "L")]
    res = run([*periodic([0, 20, 40, 60]), *chain, *periodic([100, 120, 140])])
    assert flags(res) == [1, 1, 1, 1, 0, 0, 0, 0]


def test_wasm2016_imi_counts_from_every_lm(run, movements):
    """IMI is onset to onset from the previous LM whatever it is: a 12-s LM at 30 between CLMs at 0 and 50
    gives IMIs [null, 30, 20]."""
    mov = movements(run([(0, 1, "L"), (30, 42, "R"), (50, 51, "L")]))
    assert mov["imi_s"].isna().tolist() == [True, False, False]
    assert mov["imi_s"].iloc[1:].tolist() == [30.0, 20.0]


def test_wasm2016_bilateral_counts_once_in_series(run, flags, movements):
    """Four movements at 0, 20, 40, 60 s, the second bilateral (L 20-21 and R 20.3-21.5): 4 movements, 4 PLM,
    one bilateral."""
    res = run([(0, 1, "L"), (20, 21, "L"), (20.3, 21.5, "R"), (40, 41, "R"), (60, 61, "L")])
    assert flags(res) == [1, 1, 1, 1]
    assert res.summary["lm_count_bilateral"] == 1


# --------------------------------------------------------------------------------- respiration


@pytest.mark.parametrize(
    ("lm", "related"),
    [
        ((116.5, 118.0), True),  # ends exactly 2.0 s before the end of the event (120 s): edge included
        ((116.0, 117.99), False),  # ends 2.01 s before
        ((130.25, 131.0), True),  # starts exactly 10.25 s after
        ((130.26, 131.0), False),  # starts 10.26 s after
        ((105.0, 106.0), False),  # during the event but more than 2 s before its end
        ((119.0, 121.0), True),  # across the end
    ],
)
def test_wasm2016_resp_window_edges(run, movements, lm, related):
    """Apnea 100-120 s: the window runs from 118.0 to 130.25 s (edges included)."""
    resp = run([(lm[0], lm[1], "L")], resp_events=_resp([(100, 120)]))
    assert bool(movements(resp).loc[0, "resp_associated"]) is related


def test_wasm2016_resp_nr_recompute_vs_drop_removed_lm_lengthens_imi(run, periodic):
    """CLMs 0, 20, 40, 120, 140: a hypopnea ending at 119 makes the CLM at 120 respiratory. On all CLMs:
    0-20-40 (3) then IMI 80 → 0,20,40,120,140 is one series of 5 (IMIs 20, 20, 80, 20). recompute: without
    120 the IMI 40→140 is 100 s → 0-20-40 and 140 → no PLM (0). drop: 5 - 1 = 4."""
    rows = periodic([0, 20, 40, 120, 140])
    resp = _resp([(100, 119)])
    rec = run(rows, resp_events=resp, resp_nr_method="recompute").summary
    drop = run(rows, resp_events=resp, resp_nr_method="drop").summary
    assert rec["plm_count"] == drop["plm_count"] == 5
    assert rec["plm_nr_count"] == 0
    assert drop["plm_nr_count"] == 4


def test_wasm2016_resp_lm_neither_counts_nor_breaks_in_recompute(run, periodic):
    """CLMs 0, 20, 40, 60 and a respiratory LM at 45 (apnea 30-44 ends at 44: window 42-54.25). On all CLMs the
    IMI 5 s breaks the series (0-20-40 is 3; 45 cannot open; 60 alone) → 0 PLM. recompute removes 45 → 0-60 is
    a series of 4 (plm_nr 4). drop → 0."""
    rows = [*periodic([0, 20, 40]), (45, 46, "R"), *periodic([60])]
    resp = _resp([(30, 44)])
    # the CLM at 40 (40-41) lies before 42: not respiratory; 45 is
    rec = run(rows, resp_events=resp).summary
    drop = run(rows, resp_events=resp, resp_nr_method="drop").summary
    assert rec["plm_count"] == 0
    assert rec["plm_nr_count"] == 4
    assert drop["plm_nr_count"] == 0
    assert rec["resp_lm_count"] == 1


def test_wasm2016_no_resp_events_gives_null_nr(run, periodic):
    """Without respiratory events (None: not scored) the non-respiratory measures are null, not 0."""
    s = run(periodic([0, 20, 40, 60])).summary
    assert s["plms_nr_index"] is None
    assert s["plm_nr_count"] is None
    assert s["resp_lm_count"] is None
    s2 = run(periodic([0, 20, 40, 60]), resp_events=_resp([])).summary
    assert s2["plm_nr_count"] == 4


# ------------------------------------------------------------------------------------------ arousal


@pytest.mark.parametrize(
    ("arousal", "associated"),
    [
        ((101.49, 110.0), True),  # starts 0.49 s after the LM ends (LM 100-101)
        ((101.5, 110.0), False),  # 0.5 s after: not < 0.5
        ((90.0, 99.51), True),  # ends 0.49 s before the LM starts
        ((90.0, 99.5), False),  # ends 0.5 s before
        ((100.5, 105.0), True),  # overlap
    ],
)
def test_wasm2016_arousal_gap(run, movements, arousal, associated):
    """LM 100-101 s; an arousal is associated when the gap (either order) is < 0.5 s or they overlap."""
    res = run([(100, 101, "L")], arousals=_resp([arousal]))
    assert bool(movements(res).loc[0, "arousal_associated"]) is associated


# --------------------------------------------------------------------------------- stages, window


def test_wasm2016_series_crossing_wake_and_sleep(run, periodic, hyp):
    """Epochs W, N2 (0-30 W, 30-60 N2, then N2); CLMs at 0, 20 (W) and 40, 60 (N2): one series of 4;
    PLMS 2, PLMW 2."""
    res = run(periodic([0, 20, 40, 60]), hypnogram=hyp(["W"] + ["N2"] * 119))
    s = res.summary
    assert (s["plm_count"], s["plms_count"], s["plmw_count"]) == (4, 2, 2)
    assert s["plmw_index"] == pytest.approx(2 / (30 / 3600))  # 2 PLM in 30 s of wake = 240/h


@pytest.mark.parametrize(
    ("onsets", "n_plm", "n_outside"),
    [
        ([100, 120, 140, 160], 4, 0),  # the first LM exactly at the window start counts
        ([99.9, 120, 140, 160], 0, 1),  # it starts before the window: outside, the rest are 3
        ([140, 160, 180, 200], 0, 1),  # the last starts exactly at the window end (half-open): outside
    ],
)
def test_wasm2016_series_at_window_edges(run, periodic, onsets, n_plm, n_outside):
    """Window 100-200 s; LMs outside it neither count nor take part."""
    res = run(periodic(onsets), window=(100.0, 200.0))
    assert res.summary["plm_count"] == n_plm
    assert (res.events["excluded_reason"] == "outside_window").sum() == n_outside


def test_wasm2016_zero_lms(run):
    """No LMs: counts 0, indices 0 per hour (the denominator exists), medians null, a warning."""
    res = run([])
    s = res.summary
    assert s["lm_count"] == 0
    assert s["plm_count"] == 0
    assert s["plms_index"] == 0.0
    assert s["imi_median_s"] is None
    assert s["lm_duration_median_s"] is None
    assert any("no leg movements" in w for w in res.warnings)


def test_wasm2016_one_lm(run, movements):
    """One LM of 2 s at 600 s: LM 1, CLM 1, PLM 0, IMI null, LMS index 1/h."""
    res = run([(600, 602, "R")])
    assert movements(res)["imi_s"].isna().all()
    assert res.summary["lms_index"] == pytest.approx(1.0)
    assert res.summary["clm_count"] == 1
    assert res.summary["plm_count"] == 0


def test_wasm2016_no_sleep_at_all(run, periodic, hyp):
    """All wake: TST 0 → sleep indices null (not 0), PLMW index 4 PLM per 1 h, threshold verdict null."""
    res = run(periodic([0, 20, 40, 60]), hypnogram=hyp("W", 120))
    s = res.summary
    assert s["tst_min"] == 0
    assert s["plms_index"] is None
    assert s["lms_index"] is None
    assert s["plmw_index"] == pytest.approx(4.0)
    assert s["plms_above_threshold"] is None
    assert any("no sleep" in w for w in res.warnings)


def test_wasm2016_no_hypnogram_per_hour_of_recording(run, periodic):
    """No hypnogram: 4 PLM in a 1-h window → PLMS index 4/h of recording, flagged; stage null; PLMW null."""
    res = run(periodic([0, 20, 40, 60]), hypnogram=None)
    s = res.summary
    assert s["indices_per"] == "hour_of_recording"
    assert s["hypnogram_available"] is False
    assert s["plms_index"] == pytest.approx(4.0)
    assert s["plmw_index"] is None
    assert s["tst_min"] is None
    assert res.events["stage"].isna().all()
    assert any("no hypnogram" in w for w in res.warnings)


def test_wasm2016_unscored_epochs_are_neither_sleep_nor_wake(run, periodic, hyp):
    """Epoch 0 unscored (?), then N2: a PLM at 0-30 s counts in plm_count but not in PLMS or PLMW."""
    s = run(periodic([0, 40, 60, 80]), hypnogram=hyp(["?"] + ["N2"] * 119)).summary
    assert (s["plm_count"], s["plms_count"], s["plmw_count"]) == (4, 3, 0)


# ------------------------------------------------------------------------------------------ indices


def test_wasm2016_periodicity_index(run, periodic):
    """CLMs at 0, 20, 40, 60, 200: IMIs between CLMs 20, 20, 20, 140; the first three form a run of 3 within
    10-90 s → periodicity 3/4 = 0.75."""
    assert run(periodic([0, 20, 40, 60, 200])).summary["periodicity_index_sleep"] == pytest.approx(0.75)


def test_wasm2016_plms_indices_by_stage(run, periodic, hyp):
    """First 60 epochs N2, last 60 R (1 h); 4 PLM in N2 and 4 in R → PLMS 8/h, NREM 8/h (4 per 0.5 h),
    REM 8/h."""
    rows = periodic([0, 20, 40, 60]) + periodic([2000, 2020, 2040, 2060])
    s = run(rows, hypnogram=hyp(["N2"] * 60 + ["R"] * 60)).summary
    assert s["plms_index"] == pytest.approx(8.0)
    assert s["plms_nrem_index"] == pytest.approx(8.0)
    assert s["plms_rem_index"] == pytest.approx(8.0)
    assert s["plm_series_count"] == 2


@pytest.mark.parametrize(("population", "above"), [("adult", False), ("child", True)])
def test_icsd3_threshold_by_population(run, periodic, population, above):
    """8 PLM in 1 h of sleep → 8/h: above 5/h (child), not above 15/h (adult)."""
    rows = periodic([0, 20, 40, 60]) + periodic([2000, 2020, 2040, 2060])
    s = run(rows, population=population).summary
    assert s["plms_above_threshold"] is above
    assert s["plms_threshold"] == (15.0 if population == "adult" else 5.0)


def test_wasm2016_plms_arousal_index(run, periodic):
    """4 PLM, the second with an arousal 0.2 s after it ends → PLMS-arousal index 1/h; null without arousals."""
    rows = periodic([0, 20, 40, 60])
    assert run(rows, arousals=_resp([(21.2, 30)])).summary["plms_arousal_index"] == pytest.approx(1.0)
    assert run(rows).summary["plms_arousal_index"] is None


# -------------------------------------------------------------------------------------- unscorable


def test_unscorable_lm_excluded_and_time_removed(run):
    """Left leg unscorable 1800-2400 s; a left LM at 2000 is excluded; 10 min leave the denominators
    (policy 'any'): sleep scorable 50 min; scorable_min_left 50, right 60."""
    res = run([(2000, 2001, "L"), (100, 101, "R")], unscorable=_un([(1800, 2400, "L")]))
    s = res.summary
    assert (res.events["excluded_reason"] == "unscorable").sum() == 1
    assert s["lm_count"] == 1
    assert s["sleep_scorable_min"] == pytest.approx(50.0)
    assert (s["scorable_min_left"], s["scorable_min_right"]) == (pytest.approx(50.0), pytest.approx(60.0))
    assert s["lms_index"] == pytest.approx(1 / (50 / 60))


def test_unscorable_policy_both_keeps_one_leg_time(run):
    """Same, policy 'both': only the right leg would need to be bad too → denominator stays 60 min; the left
    LM inside its own leg's bad stretch is still excluded."""
    res = run([(2000, 2001, "L")], unscorable=_un([(1800, 2400, "L")]), unscorable_policy="both")
    assert res.summary["sleep_scorable_min"] == pytest.approx(60.0)
    assert res.summary["lm_count"] == 0


@pytest.mark.parametrize(("breaks", "n_plm"), [(True, 0), (False, 5)])
def test_unscorable_stretch_breaks_series(run, periodic, breaks, n_plm):
    """CLMs 0, 20, 40, 60, 80 and the right leg unscorable 45-50 s: by default the series breaks there
    (0-40 is 3, 60-80 is 2 → 0 PLM); with unscorable_breaks_series=False it runs across (5 PLM)."""
    res = run(periodic([0, 20, 40, 60, 80]), unscorable=_un([(45, 50, "R")]), unscorable_breaks_series=breaks)
    assert res.summary["plm_count"] == n_plm


def test_all_unscorable_gives_null_indices(run):
    """Both legs unscorable over the whole hour: the LM/PLM counts are unknown (null, not 0: "no movements" would
    be wrong), every index null (denominator 0), and a warning says why and what to do."""
    res = run([(100, 101, "L")], unscorable=_un([(0, 3600, "B")]))
    s = res.summary
    for key in ("lm_count", "lm_count_left", "lm_count_right", "clm_count", "plm_count", "plms_count", "plmw_count",
                "plm_series_count"):  # fmt: skip
        assert s[key] is None, key
    assert s["plms_index"] is None
    assert s["lms_index"] is None
    assert s["scorable_min_left"] == 0
    assert any("unscorable for the whole" in w and "not 0" in w and "electrodes" in w for w in res.warnings)


@pytest.mark.parametrize("rules", ["wasm2016", "aasm"])
def test_one_leg_unscorable_all_night_scores_the_other_leg(run, periodic, rules):
    """Left leg flat all night, right intact: the right leg is scored alone (monolateral rules) over the whole
    hour, with a warning that the indices may be underestimated; 'void' keeps the old policy (all time lost)."""
    rows = [*periodic([0, 20, 40, 60, 80], side="R"), (30.0, 31.0, "L")]
    un = _un([(0, 3600, "L"), (1000, 1060, "R")])
    res = run(rows, unscorable=un, rules=rules)
    s = res.summary
    assert s["plm_count"] == 5
    assert s["lm_count"] == 5  # the left LM lies in its leg's unscorable time
    assert s["scorable_min_left"] == 0
    assert s["sleep_scorable_min"] == pytest.approx(59.0)  # partial right stretch still leaves ("any")
    assert s["plms_index"] == pytest.approx(5 / (59 / 60))
    assert any("scored alone" in w and "underestimated" in w for w in res.warnings)
    void = run(rows, unscorable=un, rules=rules, one_leg_unscorable="void").summary
    assert void["plms_index"] is None
    assert void["lm_count"] is None


def test_single_channel_side_b_warned(run, periodic):
    """LMs from a both-legs channel (side B) are scored as monolateral, with a warning."""
    res = run(periodic([0, 20, 40, 60], side="B"))
    assert res.summary["plm_count"] == 4
    assert res.summary["lm_count_single_channel"] == 4
    assert any("side B" in w for w in res.warnings)


# ----------------------------------------------------------------------------------------- helpers


def _resp(spans):
    import pandas as pd

    return pd.DataFrame({"onset_s": [float(a) for a, _ in spans], "offset_s": [float(b) for _, b in spans]})


def _un(spans):
    import pandas as pd

    return pd.DataFrame(
        {
            "onset_s": [float(s[0]) for s in spans],
            "offset_s": [float(s[1]) for s in spans],
            "side": [s[2] for s in spans],
        }
    )
