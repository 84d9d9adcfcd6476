import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest

from twitchlab.cohort import load_cohort, load_table, read_manifest, run_cohort
from twitchlab.cohort.report import write_cohort_report
from twitchlab.cohort.schema import EVENT_SCHEMA, SUMMARY_KEYS
from twitchlab.errors import ParameterError
from twitchlab.pipeline import analyze

SIM = ["sim0", "sim1", "sim2"]
BROKEN = ["zero", "baddate", "garbage", "missing"]


def _manifest(cohort_files) -> Path:
    return Path(cohort_files["manifest_path"].iloc[0])


@pytest.fixture(scope="module")
def first_run(cohort_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("cohort_out")
    run = run_cohort(_manifest(cohort_files), out, scheduler="threads", n_workers=1)
    return out, run


def test_failed_nights_are_recorded_with_reasons_and_the_run_goes_on(first_run):
    _, run = first_run
    assert run.n_total == 7
    assert run.n_ok == 3
    assert run.n_failed == 4
    reasons = {f["night_id"]: f["error"] for f in run.failures}
    assert set(reasons) == set(BROKEN)
    assert "data record" in reasons["zero"].lower() or "no data" in reasons["zero"].lower()
    assert "date" in reasons["baddate"].lower()
    assert (
        "not found" in reasons["missing"].lower()
        or "no such file" in reasons["missing"].lower()
        or "does not exist" in reasons["missing"].lower()
    )
    assert all(len(r) > 20 for r in reasons.values())


def test_summary_matches_single_analyze_and_documented_schema(first_run, cohort_files):
    out, _ = first_run
    summary = load_cohort(out)
    assert sorted(summary["night_id"]) == sorted(SIM + BROKEN)
    for key in SUMMARY_KEYS:
        assert key in summary.columns
    assert summary["age"].tolist() == sorted(summary["age"].tolist()) or set(summary["age"]) == set(cohort_files["age"])
    row = summary.set_index("night_id").loc["sim1"]
    direct = analyze(cohort_files.set_index("night_id").loc["sim1", "recording"])
    assert row["status"] == "ok"
    assert row["plms_index"] == pytest.approx(direct.summary["plms_index"])
    assert row["plm_count"] == direct.summary["plm_count"]
    assert row["lm_source"] == direct.lm_source
    assert len(row["recording_sha256"]) == 64
    events = load_cohort(out, "events")
    assert list(events.columns) == EVENT_SCHEMA.names
    assert (events["night_id"] == "sim1").sum() == len(direct.events)
    failed = summary[summary["status"] == "failed"]
    assert failed["plms_index"].isna().all()
    assert failed["error"].notna().all()


def test_dataset_reads_with_pyarrow_duckdb_and_dask(first_run):
    out, run = first_run
    folder = run.run_dir / "summary"
    assert ds.dataset(str(folder), format="parquet").count_rows() == 7
    duckdb = pytest.importorskip("duckdb")
    n = duckdb.sql(f"SELECT count(*) FROM read_parquet('{folder}/*.parquet')").fetchall()[0][0]
    assert n == 7
    ddf = load_cohort(out, "events", engine="dask")
    assert int(ddf.shape[0].compute()) == len(load_cohort(out, "events"))


def test_same_parameters_refuse_without_resume_and_other_parameters_make_a_new_run(first_run, cohort_files):
    out, run = first_run
    with pytest.raises(ParameterError, match="--resume"):
        run_cohort(_manifest(cohort_files), out, scheduler="threads")
    manifest = read_manifest(_manifest(cohort_files))
    small = manifest[manifest["night_id"].isin(["sim0", "zero"])]
    other = run_cohort(small, out, rules="aasm", scheduler="threads")
    assert other.run_dir != run.run_dir
    assert json.loads((other.run_dir / "run.json").read_text())["parameters"]["rules"] == "aasm"
    assert set(load_table(other.run_dir)["rules"]) == {"aasm"}
    assert set(load_table(run.run_dir)["rules"]) == {"wasm2016"}


def test_resume_does_only_missing_nights(cohort_files, tmp_path):
    manifest = read_manifest(_manifest(cohort_files))
    small = manifest[manifest["night_id"].isin(["sim0", "sim2", "garbage"])]
    run = run_cohort(small, tmp_path, scheduler="threads")
    # simulate a crash in the middle of sim2: its events were written, its summary row was not
    (run.run_dir / "summary" / "sim2.parquet").unlink()
    (run.run_dir / "summary" / ".sim0.parquet.123.tmp").write_bytes(b"half")
    again = run_cohort(small, tmp_path, scheduler="threads", resume=True)
    assert again.run_dir == run.run_dir
    assert again.n_skipped == 2
    assert again.n_ok == 1
    s = load_table(run.run_dir)
    assert sorted(s["night_id"]) == ["garbage", "sim0", "sim2"]
    assert s["night_id"].is_unique
    retry = run_cohort(small, tmp_path, scheduler="threads", resume=True, retry_failed=True)
    assert retry.n_skipped == 2
    assert retry.n_failed == 1


def test_killed_run_resumes_without_duplicates(cohort_files, tmp_path):
    manifest = read_manifest(_manifest(cohort_files))
    sims = manifest[manifest["night_id"].isin(SIM)]
    table = pd.concat([sims.assign(night_id=sims["night_id"] + f"_r{k}") for k in range(3)], ignore_index=True)
    mpath = tmp_path / "m.parquet"
    table.to_parquet(mpath)
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-c",
        "from twitchlab.cli import main; main()",
        "cohort",
        "run",
        str(mpath),
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(
        [*cmd, "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("run-*/summary/*.parquet")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list(out.glob("run-*/summary/*.parquet")))
    assert 1 <= done_before <= len(table)
    res = subprocess.run(
        [*cmd, "--workers", "1", "--resume", "--scheduler", "threads"], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    s = load_cohort(out)
    assert sorted(s["night_id"]) == sorted(table["night_id"])
    assert s["night_id"].is_unique
    assert (s["status"] == "ok").all()
    assert not list(out.glob("run-*/*/.*.tmp"))


def test_cohort_report_lists_failures_and_distribution(first_run):
    _, run = first_run
    html = write_cohort_report(run.run_dir).read_text()
    summary = load_cohort(run.run_dir)
    assert "7</strong> nights" in html
    for nid in BROKEN:
        assert f'<td class="l">{nid}</td>' in html
    assert 'id="fig-plms_index"' in html
    med = summary.loc[summary["status"] == "ok", "plms_index"].median()
    assert f"{med:.2f}" in html
    assert "http://" not in html.replace("http://www.w3.org", "")


def test_counts_stay_integer_and_missing_files_are_named(first_run):
    _, run = first_run
    s = load_table(run.run_dir)
    assert str(s["lm_count"].dtype) == "Int64"
    assert str(s["plms_above_threshold"].dtype) == "boolean"
    err = s.set_index("night_id").loc["missing", "error"]
    assert "input file not found" in err
    assert "manifest" in err


def test_unreachable_scheduler_is_a_clear_error(cohort_files, tmp_path):
    manifest = read_manifest(_manifest(cohort_files)).head(1)
    with pytest.raises(ParameterError, match="--scheduler threads"):
        run_cohort(manifest, tmp_path, scheduler="tcp://127.0.0.1:9")


def test_wearable_files_run_in_a_cohort(shared_data, tmp_path):
    table = pd.DataFrame(
        {
            "night_id": ["ax6", "actiwatch"],
            "recording": [str(shared_data / "accel/ax6_testfile.cwa"), str(shared_data / "accel/Actiwatch.AWD")],
            "annotations": [[], []],
            "location": ["ankle", "wrist"],
        }
    )
    run = run_cohort(table, tmp_path, scheduler="threads")
    s = load_table(run.run_dir).set_index("night_id")
    assert run.n_total == 2
    assert s.loc["ax6", "status"] == "ok", s.loc["ax6", "error"]
    assert s.loc["ax6", "lm_source"] == "accelerometer"
    assert s.loc["actiwatch", "location"] == "wrist"
