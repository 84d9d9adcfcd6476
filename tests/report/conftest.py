"""Night results for the report tests.

``hand_result(profile)`` builds a NightResult from hand-made events (edge cases:
nulls, quality problems, no scoring code involved); ``sim_result(profile)`` runs
the simulator and the real pipeline on the simulated truth, so the report is
checked on real scorer output for a healthy, a PLMS and an apnea night.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twitchlab.model import Hypnogram, make_events
from twitchlab.results import NightResult

PROFILES = ("healthy", "plms", "apnea")


def _hypnogram(rng: np.random.Generator, hours: float = 7.5) -> Hypnogram:
    n = int(hours * 120)
    cycle = ["N1"] * 10 + ["N2"] * 50 + ["N3"] * 40 + ["N2"] * 40 + ["R"] * 30 + ["W"] * 4
    labels = (["W"] * 30 + cycle * 10)[:n]
    for i in rng.choice(n, size=20, replace=False):
        labels[i] = "W"
    return Hypnogram.from_labels(labels, source="hand-made")


def hand_result(profile: str, seed: int = 1) -> NightResult:
    """A NightResult with plausible events for ``healthy``, ``plms`` or ``apnea``."""
    rng = np.random.default_rng(seed)
    hyp = _hypnogram(rng)
    rows: list[dict] = []
    sid = 0
    n_series = {"healthy": 1, "plms": 20, "apnea": 6}[profile]
    for _ in range(n_series):
        t = rng.uniform(1800, hyp.end_s - 1800)
        for _k in range(int(rng.integers(4, 18))):
            rows.append({"onset_s": t, "duration_s": rng.uniform(0.6, 4), "side": rng.choice(["L", "R", "B"]),
                         "is_clm": True, "is_plm": True, "series_id": sid})  # fmt: skip
            t += rng.uniform(15, 40)
        sid += 1
    for t in rng.uniform(0, hyp.end_s, size=40):
        rows.append({"onset_s": t, "duration_s": rng.uniform(0.5, 12), "side": rng.choice(["L", "R"])})
    if profile == "apnea":
        for t in rng.uniform(3600, hyp.end_s - 600, size=35):
            rows.append({"onset_s": t, "duration_s": 2.0, "side": "B", "resp_associated": True, "is_clm": True})
    ev = make_events(pd.DataFrame(rows).assign(type="lm", source="emg"))
    ev["is_clm"] = ev["is_clm"] | (ev["duration_s"] <= 10)
    ev["imi_s"] = ev["onset_s"].diff()
    ev["stage"] = [hyp.labels[int(t // 30)] if t < hyp.end_s else None for t in ev["onset_s"]]
    ev["arousal_associated"] = rng.random(len(ev)) < 0.2
    sleep_min = sum(v for k, v in hyp.minutes().items() if k in ("N1", "N2", "N3", "R"))
    n_plms = int((ev["is_plm"] & ev["stage"].isin(["N1", "N2", "N3", "R"])).sum())
    has_resp = profile == "apnea"
    summary = {
        "recording_s": hyp.end_s,
        "analysis_start_s": 0.0,
        "analysis_end_s": hyp.end_s,
        "tib_min": hyp.end_s / 60,
        "tst_min": sleep_min,
        "waso_min": hyp.minutes()["W"] - 15,
        "sleep_efficiency_pct": 100 * sleep_min / (hyp.end_s / 60),
        "n1_min": hyp.minutes()["N1"],
        "n2_min": hyp.minutes()["N2"],
        "n3_min": hyp.minutes()["N3"],
        "rem_min": hyp.minutes()["R"],
        "scorable_min_left": 441.5,
        "scorable_min_right": 430.0,
        "lm_count": len(ev),
        "lm_count_left": int((ev["side"] == "L").sum()),
        "lm_count_right": int((ev["side"] == "R").sum()),
        "lm_count_bilateral": int((ev["side"] == "B").sum()),
        "clm_count": int(ev["is_clm"].sum()),
        "resp_lm_count": int(ev["resp_associated"].sum()) if has_resp else 0,
        "plm_count": int(ev["is_plm"].sum()),
        "plms_count": n_plms,
        "plmw_count": int(ev["is_plm"].sum()) - n_plms,
        "plm_nr_count": n_plms - 3 if has_resp else None,
        "plms_nr_index": (n_plms - 3) / (sleep_min / 60) if has_resp else None,
        "lms_index": len(ev) / (sleep_min / 60),
        "plms_index": n_plms / (sleep_min / 60),
        "plmw_index": 3.21,
        "plms_nrem_index": n_plms / (sleep_min / 60) * 1.1,
        "plms_rem_index": None,
        "plms_arousal_index": 2.345,
        "periodicity_index_sleep": 0.41,
        "periodicity_index_wake": None,
        "plm_series_count": n_series,
        "plm_series_mean_len": 9.5,
        "imi_median_s": 24.5,
        "lm_duration_median_s": 2.1,
        "plms_threshold": 15.0,
        "plms_above_threshold": n_plms / (sleep_min / 60) > 15,
    }
    on = hyp.epoch_onsets_s()
    quality = pd.DataFrame(
        {
            "side": ["L"] * len(on) + ["R"] * len(on),
            "onset_s": np.r_[on, on],
            "scorable": np.r_[np.ones(len(on), bool), np.arange(len(on)) % 97 > 3],
            "reason": [None] * len(on) + [None if i % 97 > 3 else "disconnected" for i in range(len(on))],
        }
    )
    return NightResult(
        summary=summary,
        events=ev,
        hypnogram=hyp,
        params={"rules": "wasm2016", "resp_nr_method": "recompute", "onset_uv": 8.0},
        inputs=[{"path": f"/tmp/{profile}.edf", "sha256": "ab" * 32, "kind": "edf"}],
        warnings=["channel 'LAT': 3 min of clipping"] if profile != "healthy" else [],
        quality=quality,
        lm_source="emg",
    )


_SIM_CACHE: dict[str, NightResult] = {}


def sim_result(profile: str, seed: int = 3) -> NightResult:
    """The pipeline's result on a simulated night (annotations only, so it is fast); cached."""
    if profile not in _SIM_CACHE:
        from twitchlab.pipeline import analyze
        from twitchlab.simulate import simulate_night

        _SIM_CACHE[profile] = analyze(simulate_night(seed, profile=profile).to_recording())
    return _SIM_CACHE[profile]


@pytest.fixture(params=PROFILES)
def sim_night(request: pytest.FixtureRequest) -> NightResult:
    return sim_result(request.param)


@pytest.fixture
def hand():
    """``hand("plms")``: a hand-made NightResult."""
    return hand_result


@pytest.fixture
def sim():
    """``sim("plms")``: the pipeline's result on a simulated night."""
    return sim_result


@pytest.fixture(scope="session")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[NightResult, dict, list[str]]]:
    """Per simulated night: (result, {"html": path, "pdf": path}, PDF page titles), written once per session."""
    from twitchlab.report import write_report
    from twitchlab.report.pdf import write_pdf
    from twitchlab.report.render import report_context

    out = {}
    for profile in PROFILES:
        res = sim_result(profile)
        folder = tmp_path_factory.mktemp(profile)
        paths = write_report(res, folder, formats=("html",))
        paths["pdf"] = folder / "report.pdf"
        titles = write_pdf(res, paths["pdf"], context=report_context(res), findings_text=[], dpi=60)
        out[profile] = (res, paths, titles)
    return out


_FULL_CACHE: dict[str, NightResult] = {}


def full_result() -> NightResult:
    """A night with every report figure: leg movements, every twitch kind, RSWA with both arms, stimulus PSTH.

    The simulated 1-h twitch night of ``test_twitches_section`` (scored by the pipeline), with a peri-stimulus
    histogram and a stimulus count added to its params and summary (the simulator has no stimuli); cached.
    """
    if "full" not in _FULL_CACHE:
        import dataclasses

        from twitchlab.pipeline import analyze
        from twitchlab.simulate.twitches import simulate_twitch_night

        res = analyze(simulate_twitch_night(5, duration_h=1, rswa="mixed", arms=True).recording)
        stim = {
            "window_s": (0.02, 0.5),
            "psth_counts": [1, 0, 1, 0, 0, 9, 2, 0],
            "psth_edges_s": [-2.0 + 0.5 * i for i in range(9)],
            "chance_rate_hz": 0.05,
        }
        twitches = {**((res.params or {}).get("twitches") or {}), "stimulus_linked": stim}
        summary = {**res.summary, "stimulus_count": 40, "stimulus_linked_count": 9, "stimulus_linked_share": 0.22,
                   "stimulus_linked_p": 0.001}  # fmt: skip
        _FULL_CACHE["full"] = dataclasses.replace(res, params={**res.params, "twitches": twitches}, summary=summary)
    return _FULL_CACHE["full"]


@pytest.fixture
def full() -> NightResult:
    """A night that has every report figure (see :func:`full_result`)."""
    return full_result()
