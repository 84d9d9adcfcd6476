"""AASM rule scenarios (SCORING_SPEC §3, AASM manual v2.6 movement rules), expectations derived by hand.

One-hour all-N2 night, window 0-3600 s, LMs of 1 s on the left leg unless said otherwise.
"""

from __future__ import annotations

import pandas as pd
import pytest


def _resp(spans):
    return pd.DataFrame({"onset_s": [float(a) for a, _ in spans], "offset_s": [float(b) for _, b in spans]})


@pytest.mark.parametrize(("r_onset", "n_movements"), [(4.9, 1), (5.0, 2)])
def test_aasm_bilateral_onsets_under_5s_are_one_movement(run, movements, r_onset, n_movements):
    """L at 0 s and R at r_onset (1 s each, no overlap): onsets 4.9 s apart → one movement; 5.0 s → two."""
    mov = movements(run([(0, 1, "L"), (r_onset, r_onset + 1, "R")], rules="aasm"))
    assert len(mov) == n_movements


def test_aasm_bilateral_pairs_in_chains(run, movements):
    """L 0, R 3, L 6 (onset gaps 3 s): L0+R3 pair; L6 cannot join (its leg is taken, and it starts 6 s after
    L0) → 2 movements, the first bilateral."""
    mov = movements(run([(0, 1, "L"), (3, 4, "R"), (6, 7, "L")], rules="aasm"))
    assert mov["n_monolateral"].tolist() == [2, 1]


def test_aasm_same_leg_within_5s_not_merged(run, movements):
    """L 0 and L 3: same leg → two LMs (IMI 3 s)."""
    mov = movements(run([(0, 1, "L"), (3, 4, "L")], rules="aasm"))
    assert len(mov) == 2


@pytest.mark.parametrize(
    ("onsets", "expected"),
    [
        ([0, 5, 10, 15], [1, 1, 1, 1]),  # IMI exactly 5 s is inside 5-90 s
        ([0, 4.9, 9.8, 14.7], [0, 0, 0, 0]),
        ([0, 90, 180, 270], [1, 1, 1, 1]),
        ([0, 90.1, 180.2, 270.3], [0, 0, 0, 0]),
    ],
)
def test_aasm_imi_5_to_90(run, periodic, flags, onsets, expected):
    """AASM series: >= 4 LMs with 5 s <= IMI <= 90 s."""
    assert flags(run(periodic(onsets), rules="aasm")) == expected


def test_aasm_vs_wasm_imi_5s(run, periodic):
    """LMs every 5 s: 4 PLM by AASM, none by WASM 2016 (IMI < 10 s)."""
    rows = periodic([0, 5, 10, 15])
    assert run(rows, rules="aasm").summary["plm_count"] == 4
    assert run(rows).summary["plm_count"] == 0


def test_aasm_lm_after_short_imi_may_open(run, periodic, flags):
    """0, 20, 40, 43, 60, 80, 100: IMI 3 s at 43 ends the first run (0-20-40: 3). AASM has no rule against
    43 opening: 43-60-80-100 is a series of 4. WASM 2016 forbids it: 60-80-100 are 3 → no PLM at all."""
    rows = periodic([0, 20, 40, 43, 60, 80, 100])
    assert flags(run(rows, rules="aasm")) == [0, 0, 0, 1, 1, 1, 1]
    assert flags(run(rows)) == [0] * 7


def test_aasm_respiratory_lm_neither_counts_nor_breaks(run, periodic, movements):
    """Apnea 50-60 s; LMs 20, 40, 55 (inside), 70, 90. 55 is not scored; IMIs run across it: 40→70 is 30 s →
    20-40-70-90 is a series of 4. plms_nr_index equals plms_index."""
    res = run(periodic([20, 40, 55, 70, 90]), rules="aasm", resp_events=_resp([(50, 60)]))
    s = res.summary
    assert s["plm_count"] == 4
    assert s["lm_count"] == 4
    assert s["resp_lm_count"] == 1
    assert s["plms_nr_index"] == s["plms_index"]
    ex = res.events[res.events["excluded_reason"] == "respiratory"]
    assert ex["onset_s"].tolist() == [55.0]
    assert movements(res).loc[2, "imi_s"] == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("lm", "excluded"),
    [
        ((48.5, 49.5), True),  # ends exactly 0.5 s before the start: edge included
        ((48.4, 49.4), False),
        ((60.5, 61.5), True),  # starts exactly 0.5 s after the end
        ((60.6, 61.6), False),
    ],
)
def test_aasm_respiratory_window_edges(run, lm, excluded):
    """Apnea 50-60 s: LMs touching 49.5-60.5 s are not scored."""
    res = run([(lm[0], lm[1], "R")], rules="aasm", resp_events=_resp([(50, 60)]))
    assert bool((res.events["excluded_reason"] == "respiratory").any()) is excluded


@pytest.mark.parametrize(("match", "excluded"), [("overlap", True), ("onset", False)])
def test_aasm_resp_match_option(run, match, excluded):
    """LM 48-50.2 s, apnea 50-60: it overlaps the window (49.5-60.5) but starts before it."""
    res = run([(48, 50.2, "L")], rules="aasm", resp_events=_resp([(50, 60)]), aasm_resp_match=match)
    assert bool((res.events["excluded_reason"] == "respiratory").any()) is excluded


def test_aasm_long_lm_is_not_an_lm(run, periodic, movements):
    """0, 20, a 11-s movement at 30, 40, 60: not an LM by AASM (excluded too_long), it neither counts nor
    breaks → 0-20-40-60 is a series of 4."""
    res = run([*periodic([0, 20]), (30, 41, "R"), *periodic([40, 60])], rules="aasm")
    assert res.summary["plm_count"] == 4
    assert res.summary["lm_count"] == 4
    assert (res.events["excluded_reason"] == "too_long").sum() == 1
    assert len(movements(res)) == 4


def test_aasm_no_resp_events_nr_null(run, periodic):
    """Without respiratory events the non-respiratory PLMS index is null under AASM too."""
    assert run(periodic([0, 20, 40, 60]), rules="aasm").summary["plms_nr_index"] is None


def test_aasm_arousal_association(run, movements):
    """AASM: < 0.5 s between the end of one and the onset of the other: 0.49 yes, 0.5 no."""
    ar = pd.DataFrame({"onset_s": [101.49, 301.5], "offset_s": [110.0, 310.0]})
    mov = movements(run([(100, 101, "L"), (300, 301, "L")], rules="aasm", arousals=ar))
    assert mov["arousal_associated"].tolist() == [True, False]
