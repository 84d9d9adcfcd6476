"""The wearable path end to end: simulated nights with truth, real files, JSON contract, hypnogram override."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from twitchlab.errors import TwitchlabWarning
from twitchlab.results import NightResult
from twitchlab.simulate.accel import simulate_accel_night, simulate_accel_week
from twitchlab.wearable import AGREEMENT_CAVEAT, analyze_accel_stream, analyze_wearable


@pytest.fixture(scope="module")
def ankle_night():
    return simulate_accel_night(21, location="ankle", duration_h=4.0, fs_hz=25.0, profile="plms")


def test_simulator_is_deterministic_and_chunkable(ankle_night) -> None:
    again = simulate_accel_night(21, location="ankle", duration_h=4.0, fs_hz=25.0, profile="plms")
    np.testing.assert_array_equal(ankle_night.render(1000, 3000)[0], again.render(1000, 3000)[0])
    whole = ankle_night.render(0, 20000)[0]
    parts = np.concatenate([a for a, _ in (ankle_night.render(i, i + 5000) for i in range(0, 20000, 5000))])
    np.testing.assert_allclose(whole, parts)
    assert (ankle_night.lm_truth["side"] == "R").all()  # ankle device on the right leg


def test_simulated_ankle_night_counts_and_sleep(ankle_night) -> None:
    res = analyze_accel_stream(ankle_night.chunks(1800), ankle_night.fs_hz, location="ankle", side="R")
    s = res.summary
    n_true = len(ankle_night.lm_truth)
    assert s["lm_count"] == pytest.approx(n_true, rel=0.3)
    assert s["tst_min"] == pytest.approx(ankle_night.sleep_s / 60, rel=0.1)
    assert s["plms_index"] is not None
    assert s["plms_index"] > 15  # plms profile
    assert s["source"] == "accelerometer"
    assert s["tst_estimated"] is True
    assert s["n2_min"] is None  # no sleep stages from an accelerometer
    assert s["plms_rem_index"] is None
    assert AGREEMENT_CAVEAT in res.warnings
    assert res.lm_source == "accelerometer"
    assert (res.events["source"] == "accelerometer").all()
    assert res.hypnogram is not None
    assert "estimate" in res.hypnogram.source


def test_json_carries_what_the_diary_needs(ankle_night) -> None:
    res = analyze_accel_stream(ankle_night.chunks(3600), ankle_night.fs_hz, location="ankle")
    d = json.loads(res.to_json())
    assert d["lm_source"] == "accelerometer"
    assert d["summary"]["source"] == "accelerometer"
    assert isinstance(d["summary"]["lm_count"], int)
    assert d["summary"]["tst_min"] > 0
    assert d["summary"]["agreement_caveat"] == AGREEMENT_CAVEAT
    back = NightResult.from_json(res.to_json())
    assert back.summary["lm_count"] == res.summary["lm_count"]


def test_hypnogram_replaces_the_estimate(ankle_night) -> None:
    res = analyze_accel_stream(
        ankle_night.chunks(1800), ankle_night.fs_hz, location="ankle", hypnogram=ankle_night.hypnogram
    )
    s = res.summary
    assert s["tst_estimated"] is False
    assert s["tst_min"] == pytest.approx(ankle_night.sleep_s / 60, abs=0.01)
    assert s["n2_min"] is not None


def test_chunk_size_does_not_change_the_result(ankle_night) -> None:
    rec = ankle_night.to_recording()
    a = analyze_wearable(rec, chunk_s=600)
    b = analyze_wearable(rec, chunk_s=3600)
    assert a.summary["lm_count"] == b.summary["lm_count"]
    np.testing.assert_allclose(a.events["onset_s"], b.events["onset_s"])


@pytest.mark.parametrize("location", ["wrist", "mattress"])
def test_other_locations_run(location: str) -> None:
    night = simulate_accel_night(4, location=location, duration_h=2.0, fs_hz=20.0)
    res = analyze_wearable(night.to_recording())
    assert res.summary["location"] == location
    assert res.summary["lm_count"] > 0


def test_week_simulator_streams_days() -> None:
    week = simulate_accel_week(0, days=1, fs_hz=10.0, location="wrist")
    assert week.duration_s == 24 * 3600
    assert (week.hypnogram.stages[: 16 * 120] == 0).all()
    n = sum(a.shape[0] for a, _ in week.chunks(4 * 3600))
    assert n == week.n_samples


@pytest.mark.parametrize(
    "name",
    [
        "ax3_testfile.cwa",
        "ax6_testfile.cwa",
        "gnactv_sample.bin",
        "ActiGraph13_timestamps_headers.csv",
        "ActiGraph61.csv",
    ],
)
def test_real_files_end_to_end(shared_data: Path, name: str) -> None:
    with pytest.warns(TwitchlabWarning) if name.startswith("ActiGraph13") else _nullcontext():
        res = analyze_wearable(shared_data / "accel" / name, location="wrist")
    assert res.summary["source"] == "accelerometer"
    assert res.summary["lm_count"] is not None
    assert AGREEMENT_CAVEAT in res.warnings
    assert res.inputs[0]["sha256"]


def test_coarse_count_epochs_give_sleep_only(shared_data: Path) -> None:
    res = analyze_wearable(shared_data / "accel" / "Actiwatch.AWD", location="wrist")
    assert res.summary["lm_count"] is None
    assert res.summary["plms_index"] is None
    assert res.summary["tst_min"] is not None
    assert any("too coarse" in w for w in res.warnings)


def test_shaken_ax6_shows_movement(shared_data: Path) -> None:
    res = analyze_wearable(shared_data / "accel" / "ax6_testfile.cwa", location="wrist")
    assert res.summary["lm_count"] >= 3


class _nullcontext:  # noqa: N801 - tiny stand-in for contextlib.nullcontext typed as a context manager
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_multi_day_stream_gives_one_result_per_night() -> None:
    from twitchlab.wearable import analyze_accel_nights

    week = simulate_accel_week(2, days=2, fs_hz=10.0, location="wrist")
    nights = analyze_accel_nights(week.chunks(6 * 3600), week.fs_hz, location="wrist")
    assert len(nights) == 2
    for k, res in enumerate(nights):
        true_sleep_min = (week.hypnogram.stages[k * 2880 : (k + 1) * 2880] > 0).sum() / 2
        assert res.summary["tst_min"] == pytest.approx(true_sleep_min, rel=0.15)
        assert res.params["window_start_s"] == 12 * 3600 + k * 86400


def test_report_carries_the_accelerometer_caveat(tmp_path: Path) -> None:
    from twitchlab.report import write_report

    night = simulate_accel_night(3, location="ankle", duration_h=2.0, fs_hz=20.0)
    paths = write_report(analyze_wearable(night.to_recording()), tmp_path, formats=("html",))
    html = Path(paths["html"]).read_text(encoding="utf-8")
    assert "accelerometer" in html
    assert "not a clinical" in html.lower()


def test_diary_can_attach_a_wearable_night(shared_data: Path, tmp_path: Path) -> None:
    from twitchlab.store.nights_import import night_from_result_json

    res = analyze_wearable(shared_data / "accel" / "ax3_testfile.cwa", location="ankle")
    assert res.params["recording_start"].startswith("2019-02-26T10:55:06")
    path = tmp_path / "night.json"
    res.to_json(path)
    night = night_from_result_json(path)
    assert night.lm_count == res.summary["lm_count"]
    assert str(night.night_date) == "2019-02-25"  # a morning recording belongs to the previous evening


def test_hypnogram_file_replaces_the_estimate(tmp_path: Path) -> None:
    import pandas as pd

    night = simulate_accel_night(2, duration_h=2.0, fs_hz=20.0)
    labels = {0: "W", 1: "N1", 2: "N2", 3: "N3", 4: "R"}
    path = tmp_path / "hypnogram.csv"
    pd.DataFrame(
        {
            "onset": np.arange(night.hypnogram.n_epochs) * 30.0,
            "duration": 30.0,
            "description": [labels[int(c)] for c in night.hypnogram.stages],
        }
    ).to_csv(path, index=False)
    res = analyze_wearable(night.to_recording(), hypnogram=path)
    assert res.summary["tst_min"] == pytest.approx(night.sleep_s / 60)
    assert res.summary["sleep_source"] == "hypnogram file hypnogram.csv"
    assert res.summary["tst_estimated"] is False


def test_simulated_cwa_round_trip_and_streamed_analysis(tmp_path: Path) -> None:
    from twitchlab.io.accel import accel_array, read_accel

    night = simulate_accel_night(8, location="ankle", duration_h=1.0, fs_hz=25.0)
    path = night.to_cwa(tmp_path / "night.cwa")
    rec = read_accel(path)  # intact file: read by skdh
    np.testing.assert_allclose(accel_array(rec), night.render(0, night.n_samples)[0], atol=1 / 256)
    whole = analyze_wearable(path, stream=False)
    streamed = analyze_wearable(path, stream=True)
    assert streamed.inputs[0]["read"] == "streamed"
    assert streamed.summary["lm_count"] == whole.summary["lm_count"]
    np.testing.assert_allclose(streamed.events["onset_s"], whole.events["onset_s"], atol=0.11)


def test_streamed_corrupt_cwa_matches_whole_file_reading(shared_data: Path) -> None:
    path = shared_data / "accel" / "malformed" / "ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa"
    with pytest.warns(TwitchlabWarning, match="skipped 6"):
        whole = analyze_wearable(path, location="wrist", stream=False)
    with pytest.warns(TwitchlabWarning, match="skipped 6"):
        streamed = analyze_wearable(path, location="wrist", stream=True)
    assert streamed.summary["lm_count"] == whole.summary["lm_count"]
    np.testing.assert_allclose(streamed.events["onset_s"], whole.events["onset_s"])
    assert streamed.summary["unscorable_min"] == pytest.approx(whole.summary["unscorable_min"], abs=0.01)
    assert streamed.summary["unscorable_min"] > 0.03  # the 2.4-s gap of blocks 13-14


@pytest.mark.parametrize(("name", "args"), [("ax3_testfile.cwa", []), ("Actiwatch.AWD", ["--device", "actiwatch"])])
def test_cli_analyze_dispatches_wearables(shared_data: Path, tmp_path: Path, name: str, args: list[str]) -> None:
    from typer.testing import CliRunner

    from twitchlab.cli import app

    out = tmp_path / "night.json"
    res = CliRunner().invoke(
        app, ["analyze", str(shared_data / "accel" / name), "--location", "wrist", "--json", str(out), *args]
    )
    assert res.exit_code == 0, res.output
    assert "not a clinical PLMS index" in " ".join(res.output.split())
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["lm_source"] == "accelerometer"
    assert d["summary"]["location"] == "wrist"
