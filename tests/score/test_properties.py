"""Properties of the scoring rules (hypothesis), and the vectorised series finder against a plain loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitchlab.model import Hypnogram
from twitchlab.score import score_night
from twitchlab.score.intervals import EPS_S, coverage, overlaps_any, point_in, union
from twitchlab.score.series import find_series

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

gap = st.floats(min_value=0.2, max_value=120.0).map(lambda x: round(x, 2))
dur = st.floats(min_value=0.3, max_value=16.0).map(lambda x: round(x, 2))
side = st.sampled_from(["L", "R", "L", "R", "B"])
lm_specs = st.lists(st.tuples(gap, dur, side), min_size=0, max_size=40)


def to_lms(specs: list[tuple[float, float, str]], start: float = 0.0) -> pd.DataFrame:
    on = start + np.cumsum([g for g, _, _ in specs]) if specs else np.empty(0)
    return pd.DataFrame(
        {"onset_s": on, "offset_s": on + np.array([d for _, d, _ in specs]), "side": [s for _, _, s in specs]}
    )


HYP = Hypnogram(np.tile(np.repeat([2, 0, 4, 3], 7), 10))  # 280 epochs, 8400 s


def score(lms: pd.DataFrame, rules: str = "wasm2016", **kw):
    kw.setdefault("hypnogram", HYP)
    kw.setdefault("window", (0.0, 8400.0))
    return score_night(lms, rules=rules, recording_s=8400.0, **kw)


def flags(res) -> pd.DataFrame:
    ev = res.events
    return ev[ev["in_sequence"]][["onset_s", "side", "is_clm", "is_plm", "series_id"]].reset_index(drop=True)


# ------------------------------------------------------------------------- oracle: a plain loop


def reference_series(onsets, is_clm, lo, hi, block_after_short, min_count=4):
    """Straightforward sequential reading of the series rule, written independently of the vectorised code."""
    n = len(onsets)
    out = [-1] * n
    run: list[int] = []
    next_id = 0

    def close(run):
        nonlocal next_id
        if len(run) >= min_count:
            for k in run:
                out[k] = next_id
            next_id += 1

    for i in range(n):
        imi = onsets[i] - onsets[i - 1] if i > 0 else None
        if not is_clm[i]:
            close(run)
            run = []
            continue
        if run and lo - EPS_S <= imi <= hi + EPS_S:  # the rules' bounds, read to the µs (sums of floats)
            run.append(i)
            continue
        close(run)
        run = [] if (block_after_short and imi is not None and imi < lo - EPS_S) else [i]
    close(run)
    return out


@SETTINGS
@given(
    st.lists(
        st.tuples(st.sampled_from([3.0, 8.0, 9.99, 10.0, 20.0, 45.0, 90.0, 90.01, 150.0]), st.booleans()), max_size=60
    ),
    st.booleans(),
)
def test_find_series_matches_reference_loop(items, wasm):
    """The run-length implementation gives exactly the series of a simple loop (WASM and AASM variants)."""
    onsets = np.cumsum([g for g, _ in items]) if items else np.empty(0)
    clm = np.array([c or not wasm for _, c in items], dtype=bool)
    lo = 10.0 if wasm else 5.0
    got, _ = find_series(onsets, clm, min_imi_s=lo, max_imi_s=90.0, short_blocks_opening=wasm)
    assert got.tolist() == reference_series(onsets.tolist(), clm.tolist(), lo, 90.0, wasm)


# ------------------------------------------------------------------------------ score invariants


@SETTINGS
@given(lm_specs, st.sampled_from(["wasm2016", "aasm"]))
def test_counts_are_nested(specs, rules):
    """PLM <= CLM <= LM; PLMS + PLMW <= PLM; every PLM is a CLM; every series has >= 4 members."""
    res = score(to_lms(specs), rules)
    s = res.summary
    assert s["plm_count"] <= s["clm_count"] <= s["lm_count"] <= len(specs)
    assert s["plms_count"] + s["plmw_count"] <= s["plm_count"]
    ev = res.events
    assert not (ev["is_plm"] & ~ev["is_clm"]).any()
    sizes = ev["series_id"].dropna().value_counts()
    assert (sizes >= 4).all()
    assert ev["is_plm"].sum() == sizes.sum()


@SETTINGS
@given(lm_specs, st.sampled_from(["wasm2016", "aasm"]), st.integers(min_value=1, max_value=50))
def test_shifting_all_times_changes_nothing(specs, rules, k):
    """Moving LMs, hypnogram and window by the same whole number of epochs leaves every flag unchanged."""
    shift = 30.0 * k
    a = flags(score(to_lms(specs), rules))
    hyp = Hypnogram(HYP.stages, start_s=shift)
    b = flags(score(to_lms(specs, start=shift), rules, hypnogram=hyp, window=(shift, 8400.0 + shift)))
    pd.testing.assert_frame_equal(a.drop(columns="onset_s"), b.drop(columns="onset_s"))


@SETTINGS
@given(lm_specs, st.sampled_from(["wasm2016", "aasm"]), st.floats(min_value=90.5, max_value=500))
def test_adding_an_lm_far_away_keeps_existing_series(specs, rules, after):
    """An LM starting more than 90 s after every other LM ends (so no IMI, merge or association reaches it)
    never changes the existing movements' flags."""
    lms = to_lms(specs)
    a = flags(score(lms, rules))
    last = float(lms["offset_s"].max()) if len(lms) else 0.0
    far = pd.DataFrame({"onset_s": [last + after], "offset_s": [last + after + 1.0], "side": ["L"]})
    b = flags(score(pd.concat([lms, far], ignore_index=True), rules))
    pd.testing.assert_frame_equal(a, b.iloc[: len(a)].reset_index(drop=True))


@SETTINGS
@given(lm_specs, st.sampled_from(["wasm2016", "aasm"]))
def test_mirroring_legs_changes_nothing(specs, rules):
    """Swapping left and right gives the same movements, CLMs and PLMs (sides mirrored)."""
    lms = to_lms(specs)
    mirrored = lms.assign(side=lms["side"].map({"L": "R", "R": "L", "B": "B"}))
    a = flags(score(lms, rules))
    b = flags(score(mirrored, rules))
    pd.testing.assert_frame_equal(a.drop(columns="side"), b.drop(columns="side"))


@SETTINGS
@given(lm_specs)
def test_removing_resp_events_never_adds_plm_nr(specs):
    """With respiratory events, plm_nr is defined, and 'drop' never exceeds the PLM count."""
    lms = to_lms(specs)
    resp = pd.DataFrame({"onset_s": lms["onset_s"].iloc[::3] - 5.0, "offset_s": lms["onset_s"].iloc[::3] - 1.0})
    s = score(lms, resp_events=resp, resp_nr_method="drop").summary
    assert s["plm_nr_count"] is not None
    assert s["plm_nr_count"] <= s["plm_count"]


# ------------------------------------------------------------------------------------- intervals

spans = st.lists(
    st.tuples(st.floats(0, 100).map(lambda x: round(x, 1)), st.floats(0, 20).map(lambda x: round(x, 1))), max_size=12
)


@SETTINGS
@given(spans, spans, st.booleans())
def test_overlaps_any_matches_brute_force(queries, windows, closed):
    q_on = np.array([a for a, _ in queries])
    q_off = q_on + np.array([b for _, b in queries])
    w_on = np.array([a for a, _ in windows])
    w_off = w_on + np.array([b for _, b in windows])
    got = overlaps_any(q_on, q_off, w_on, w_off, closed=closed)
    for i in range(q_on.size):
        if closed:
            want = any(w_on[j] <= q_off[i] and q_on[i] <= w_off[j] for j in range(w_on.size))
        else:
            want = any(w_on[j] < q_off[i] and q_on[i] < w_off[j] for j in range(w_on.size))
        assert got[i] == want


@SETTINGS
@given(spans, st.lists(st.floats(-5, 130).map(lambda x: round(x, 2)), max_size=10))
def test_union_coverage_and_membership(windows, times):
    on = np.array([a for a, _ in windows])
    off = on + np.array([b for _, b in windows])
    u_on, u_off = union(on, off)
    assert (u_off[:-1] < u_on[1:]).all()  # disjoint, sorted, not touching
    for t in times:
        inside = any(a <= t < b for a, b in zip(on, off, strict=True) if b > a)
        assert point_in(np.array([t]), u_on, u_off)[0] == inside
        grid = np.linspace(-5, t, 4001) if t > -5 else np.array([t])
        approx = np.mean([any(a <= x < b for a, b in zip(u_on, u_off, strict=True)) for x in grid]) * (t + 5)
        assert abs(coverage(np.array([t]), u_on, u_off)[0] - approx) < 0.2


@SETTINGS
@given(lm_specs, st.sampled_from(["wasm2016", "aasm"]))
def test_too_short_lms_neither_count_nor_break(specs, rules):
    """Dropping the < 0.5 s events from the input beforehand gives the same movements and flags."""
    lms = to_lms(specs)
    a = flags(score(lms, rules))
    b = flags(score(lms[(lms["offset_s"] - lms["onset_s"]) >= 0.5].reset_index(drop=True), rules))
    pd.testing.assert_frame_equal(a, b)


@SETTINGS
@given(lm_specs, st.lists(st.tuples(gap, st.floats(10, 40)), max_size=8))
def test_aasm_respiratory_lms_neither_count_nor_break(specs, resp_specs):
    """AASM: removing the respiratory-excluded LMs from the input beforehand gives the same PLMs."""
    lms = to_lms(specs)
    r_on = np.cumsum([g * 10 for g, _ in resp_specs]) if resp_specs else np.empty(0)
    resp = pd.DataFrame({"onset_s": r_on, "offset_s": r_on + np.array([d for _, d in resp_specs])})
    res = score(lms, "aasm", resp_events=resp)
    ex = res.events[res.events["excluded_reason"] == "respiratory"]
    keep = ~lms.set_index(["onset_s", "offset_s"]).index.isin(ex.set_index(["onset_s", "offset_s"]).index)
    b = flags(score(lms[keep].reset_index(drop=True), "aasm"))
    pd.testing.assert_frame_equal(flags(res), b)
