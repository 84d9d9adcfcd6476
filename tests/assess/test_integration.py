"""Triage works on what the rest of twitchlab writes: NightResult JSON, experiment interventions."""

from __future__ import annotations

from pathlib import Path

from twitchlab.assess import INTERVENTIONS, load_night, night_from_dict, triage
from twitchlab.experiment import INTERVENTIONS as EXPERIMENT_INTERVENTIONS
from twitchlab.results import NightResult


def test_reads_json_written_by_night_result(tmp_path: Path) -> None:
    summary = {"plms_index": 31.2, "plms_threshold": 15.0, "plms_above_threshold": True, "resp_lm_count": None,
               "clm_count": 200, "hypnic_jerk_count": 2, "rswa_any_pct": None}  # fmt: skip
    result = NightResult(summary=summary, lm_source="accelerometer")
    result.to_json(tmp_path / "night.json")
    night = load_night(tmp_path / "night.json")
    assert night.lm_source == "accelerometer"
    report = triage({"age_years": 50}, [night])
    assert {"plms_above_threshold", "accelerometer_caveat"} <= set(report.ids())
    same = triage({"age_years": 50}, [night_from_dict(result.to_dict())])
    assert same.ids() == report.ids()


def test_suggested_interventions_exist_in_the_experiment_module() -> None:
    assert set(INTERVENTIONS) == set(EXPERIMENT_INTERVENTIONS)
