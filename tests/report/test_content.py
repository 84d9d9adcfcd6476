from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from twitchlab.report._quality import quality_by_epoch, quality_summary
from twitchlab.report.content import flatten_params, format_value, index_rows
from twitchlab.report.wording import headline, null_reason


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("plms_index", 32.44, "32.4 /h"),
        ("plms_index", None, "not available"),
        ("plms_index", float("nan"), "not available"),
        ("lm_count", 125, "125"),
        ("periodicity_index_sleep", 0.456, "0.46"),
        ("sleep_efficiency_pct", 92.44, "92.4 %"),
        ("tst_min", 416.0, "416.0 min"),
        ("imi_median_s", 24.46, "24.5 s"),
        ("recording_s", 27000.0, "7:30:00 (h:mm:ss)"),
        ("plms_above_threshold", True, "yes"),
        ("some_new_count", 3, "3"),
        ("some_new_value", 0.1234, "0.123"),
    ],
)
def test_format_value(key, value, text):
    assert format_value(key, value) == text


def _with(res, **summary):
    return dataclasses.replace(res, summary={**res.summary, **summary})


def test_headline_above_threshold_is_two_plain_sentences(hand):
    res = _with(hand("plms"), plms_index=32.4, plms_threshold=15.0, resp_lm_count=0, lm_count=400, plms_count=250)
    first, second = headline(res)
    assert first == (
        "Your legs moved periodically about 32 times per hour of sleep, above the 15/h level where clinicians "
        "look further."
    )
    assert "400 leg movements" in second
    assert "250" in second


def test_headline_below_threshold_children_and_breathing(hand):
    res = _with(hand("apnea"), plms_index=4.2, plms_threshold=5.0, resp_lm_count=35, lm_count=125, plms_nr_index=0.6)
    few = _with(res, resp_lm_count=2, lm_count=125, plms_count=30)
    assert "125 leg movements" in headline(few)[1]  # a few breathing-linked movements are not the headline
    first, second = headline(res)
    assert "about 4 times per hour of sleep, below the 5/h level" in first
    assert second.startswith("35 of the 125 leg movements came with a pause or dip in breathing")
    assert "less than once an hour" in second


def test_headline_zero_and_unknown(hand):
    zero = headline(_with(hand("healthy"), plms_index=0.0))[0]
    assert zero.startswith("We found no periodic leg movements")
    no_stages = headline(dataclasses.replace(_with(hand("healthy"), plms_index=0.0), hypnogram=None))[0]
    assert no_stages.startswith("We found no periodic leg movements in the recording (0 per hour; no sleep stages")
    assert "less than once an hour" not in no_stages  # 0 is none, not "less than once"
    unknown = headline(dataclasses.replace(_with(hand("healthy"), plms_index=None), hypnogram=None))[0]
    assert "could not work out" in unknown
    assert "no sleep stages" in unknown


def test_null_reasons_prefer_the_scorers_reason(hand):
    res = _with(hand("healthy"), plms_rem_index=None, null_reasons={"plms_rem_index": "REM was all artefact"})
    assert null_reason("plms_rem_index", res) == "REM was all artefact"
    assert (
        null_reason("plms_nr_index", hand("healthy")) == "no breathing events (apneas, hypopneas) were in the recording"
    )
    assert "EMG" in null_reason("scorable_min_left", hand("healthy"))


def test_index_rows_cover_new_keys_and_skip_non_numbers(hand):
    res = _with(hand("plms"), brand_new_index=1.5, rules="wasm2016", indices_per="hour_of_sleep")
    rows = {r.key: r for _, group in index_rows(res) for r in group}
    assert rows["brand_new_index"].text == "1.5"
    assert "rules" not in rows
    assert "indices_per" not in rows
    assert rows["plms_index"].reference.startswith("> 15/h")
    assert rows["plms_rem_index"].reason == "no REM sleep was scored"


def test_flatten_params_nests_with_dots():
    flat = flatten_params({"rules": "aasm", "detector": {"onset_uv": 8.0, "sides": {"L": {"fs_hz": 200}}}})
    assert flat == [("detector.onset_uv", "8"), ("detector.sides.L.fs_hz", "200"), ("rules", "aasm")]


def test_option_values_read_without_python_none_or_float_noise():
    """QA finding: the clinician's options showed 'None' and 'resolution_uv 0.06433510337987335'."""
    params = {
        "detector": {
            "lm_counts": {"agreement": None, "detected": 740},
            "sides": {"L": {"resolution_uv": 0.06433510337987335, "noise_uv_median": 0.1916418883643637}},
            "band_hz": [10.0, 100.0],
            "adaptive": True,
        },
        "twitches": {"options": {}, "types": ["hypnic_jerk", "alma"]},
        "window_s": [870.0, 28110.5],
        "excess_uv": 16.256,
    }
    flat = dict(flatten_params(params))
    assert flat["detector.lm_counts.agreement"] == "not available"
    assert flat["detector.lm_counts.detected"] == "740"
    assert flat["detector.sides.L.resolution_uv"] == "0.0643"
    assert flat["detector.sides.L.noise_uv_median"] == "0.192"
    assert flat["detector.band_hz"] == "10, 100"
    assert flat["detector.adaptive"] == "yes"
    assert flat["twitches.options"] == "none"
    assert flat["twitches.types"] == "hypnic_jerk, alma"
    assert flat["window_s"] == "870, 28110"  # never 2.81e+04
    assert flat["excess_uv"] == "16.3"
    assert all("None" not in v for v in flat.values())
    assert format_value("brand_new", 28110.5) == "28110"


def test_quality_reader_accepts_the_detectors_columns_and_clips_to_the_window():
    on = np.arange(4) * 30.0
    q = pd.DataFrame(
        {
            "side": ["L"] * 4 + ["R"] * 4,
            "epoch": list(range(4)) * 2,
            "onset_s": np.r_[on, on],
            "offset_s": np.r_[on, on] + 30,
            "state": ["ok", "ok", "clipped", "ok", "ok", "ok", "ok", "ok"],
            "scorable": [True, True, False, True] * 2,
        }
    )
    legs = quality_by_epoch(q)
    assert list(legs) == ["L", "R"]
    assert legs["L"]["reason"].tolist() == [None, None, "clipped", None]
    summary = {s["leg"]: s for s in quality_summary(q, (15.0, 120.0))}
    assert summary["L"]["total_min"] == pytest.approx(105 / 60)
    assert summary["L"]["scorable_min"] == pytest.approx(75 / 60)
    assert summary["L"]["problems"] == ["clipped (0.5 min)"]
    assert quality_by_epoch(None) == {}
    assert quality_by_epoch(q.drop(columns=["scorable"])) == {}


def test_no_hypnogram_says_per_hour_of_recording_and_never_compares(hand):
    """Indices per hour of recording: every wording says so, and nothing is compared with the 15/h level."""
    from twitchlab.report.content import build_context

    res = dataclasses.replace(
        _with(hand("plms"), plms_index=42.3, indices_per="hour_of_recording", plms_above_threshold=None, tst_min=None),
        hypnogram=None,
    )
    first = headline(res)[0]
    assert "per hour of recording (no sleep stages were available)" in first
    for word in ("of sleep,", "15/h", "above"):
        assert word not in first
    rows = {r.key: r for _, group in index_rows(res) for r in group}
    assert "per hour of recording (no sleep stages were available)" in rows["plms_index"].label
    assert "of sleep" not in rows["plms_index"].label
    assert "ICSD-3, adults" not in rows["plms_index"].reference
    assert rows["plms_above_threshold"].text == "not available"
    ctx = build_context(res)
    assert "per hour of recording" in ctx["plms_card_label"]


def test_unscorable_leg_emg_is_not_reported_as_no_movements(hand):
    """No leg time scorable: counts are null; the headline says the signal could not be scored, why, what to do."""
    why = "channel 'Left Leg' (side L): digital resolution 31.3 µV is coarser than 1 µV; the leg EMG is unusable"
    res = dataclasses.replace(
        _with(
            hand("healthy"),
            lm_count=None,
            plm_count=None,
            plms_count=None,
            plms_index=None,
            lms_index=None,
            scorable_min_left=0.0,
            scorable_min_right=0.0,
        ),
        warnings=[why],
    )
    first, second = headline(res)
    text = first + " " + second
    assert "could not score your leg signal" in first
    assert "no leg movements" not in text.lower()
    assert "digital resolution 31.3 µV" in second
    assert "What to do" in second
    rows = {r.key: r for _, group in index_rows(res) for r in group}
    assert rows["lm_count"].text == "not available"
    assert "could not be scored" in rows["lm_count"].reason


def test_aasm_report_uses_aasm_rule_text(hand):
    """--rules aasm: every rule-dependent phrase comes from the AASM rules, none from WASM 2016."""
    from twitchlab.report import figures as figs
    from twitchlab.report.render import render_html

    base = hand("apnea")
    res = dataclasses.replace(
        _with(base, resp_lm_count=2, lm_count=400, plms_count=250), params={**base.params, "rules": "aasm"}
    )
    assert "5 to 90 seconds apart" in headline(res)[1]
    pngs = {key: b"" for key, _, _ in (*figs.FIGURES, *figs.TWITCH_FIGURES)}
    html = render_html(res, figures_png=pngs, figures_narrow_png={})
    for wasm in ("10 to 90 seconds", "10-90 s", "≥ 4 CLM", "WASM: -2 s", "10.25", "bilateral ≤ 15 s",
                 "15 s on both", "10 ≤ IMI"):  # fmt: skip
        assert wasm not in html, wasm
    for aasm in ("5-90 s", "5 to 90 seconds", "onsets are less than 5 s apart", "0.5 s after", "0.5-10 s"):
        assert aasm in html, aasm
    rows = {r.key: r for _, group in index_rows(res) for r in group}
    assert "5-90 s" in rows["plm_series_count"].reference
    assert "0.5 s before the start" in rows["resp_lm_count"].reference


def test_counts_say_what_they_count_sleep_or_whole_window():
    """Headline: all LMs in the window, how many in sleep, and PLM of those in sleep; window counts say so."""
    from tests.report.conftest import sim_result

    res = sim_result("plms")
    s = res.summary
    ev = res.events[(res.events["type"] == "lm") & res.events["in_sequence"].astype(bool)]
    in_sleep = int(ev["stage"].isin(["N1", "N2", "N3", "R"]).sum())
    assert in_sleep < s["lm_count"]  # some were in wake: "during N hours of sleep" would be wrong
    second = headline(res)[1]
    assert f"{s['lm_count']} leg movements between lights off and lights on, {in_sleep} of them in" in second
    assert f"{s['plms_count']} of those were part of a repeating pattern" in second
    rows = {r.key: r for _, group in index_rows(res) for r in group}
    for key in ("lm_count", "plm_count", "plm_nr_count"):
        if key in rows:
            assert "sleep and wake" in rows[key].label, key
    assert rows["plms_count"].label == "PLM in sleep"


def test_no_hypnogram_html_never_says_per_hour_of_sleep(hand):
    """The whole HTML report of a night without sleep stages: no 'per hour of sleep', no threshold comparison."""
    from twitchlab.report import figures as figs
    from twitchlab.report.render import render_html

    base = hand("apnea")
    res = dataclasses.replace(
        _with(base, plms_index=42.3, indices_per="hour_of_recording", plms_above_threshold=None, tst_min=None),
        hypnogram=None,
    )
    pngs = {key: b"" for key, _, _ in (*figs.FIGURES, *figs.TWITCH_FIGURES)}
    html = render_html(res, figures_png=pngs, figures_narrow_png={})
    assert "per hour of sleep" not in html
    assert "in sleep come to" not in html
    assert "per hour of recording (no sleep stages were available)" in html


def test_report_shows_the_file_name_and_checksum_not_the_folders(hand):
    from twitchlab.report.content import build_context

    res = dataclasses.replace(
        hand("healthy"), inputs=[{"path": "/home/ann/patients/Smith J/night.edf", "sha256": "cd" * 32, "kind": "edf"}]
    )
    rows = build_context(res)["inputs"]
    assert rows[0]["path"] == "night.edf"
    assert rows[0]["sha256"] == "cd" * 32
    assert "patients" not in str(build_context(res))
