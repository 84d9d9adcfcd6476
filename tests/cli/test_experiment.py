"""`twitchlab experiment plan|today|log|status|analyze|export` end to end on a temporary store."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from twitchlab.cli import app
from twitchlab.experiment import simulate_nights
from twitchlab.experiment.service import log_night, schedule_of
from twitchlab.store import DiaryRecord, NightRecord, Store

runner = CliRunner()


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite"
    monkeypatch.setenv("TWITCHLAB_DB", str(path))
    monkeypatch.setenv("COLUMNS", "150")
    return path


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_full_experiment_from_the_command_line(tmp_path: Path, db: Path):
    start = date.today() - timedelta(days=80)
    out = _ok(["experiment", "plan", "caf", "-i", "no_caffeine", "--start", start.isoformat(), "--seed", "11"])
    assert "seed 11" in out
    with Store.open(db) as store:
        sched = schedule_of(store.get_experiment("caf"))
    assert "Order " + sched.order in out
    sim = simulate_nights(sched, rate_ratio=0.45, rng=2)
    result_json = tmp_path / "n0.json"
    result_json.write_text(json.dumps({"summary": {"lm_count": 300, "plms_count": int(sim["count"].iloc[0]),
                                                   "tst_min": float(sim["hours"].iloc[0] * 60)}}))  # fmt: skip
    _ok(
        ["experiment", "log", "--date", start.isoformat(), "--followed", "--symptoms", "4", "--night", str(result_json)]
    )
    for r in sim.iloc[1:6].itertuples():
        out = _ok(["experiment", "log", "--date", r.night_date.isoformat(), "--followed", "--caffeine", "0",
                   "--plm-count", str(int(r.count)), "--sleep-hours", f"{r.hours:.3f}", "--symptoms", "3"])  # fmt: skip
        assert f"saved night of {r.night_date}" in out
        assert f"caf: {r.condition}" in out
    with Store.open(db) as store:  # the rest through the library, to keep the test quick
        for r in sim.iloc[6:].itertuples():
            log_night(store, DiaryRecord(r.night_date, followed=True, symptoms=3),
                      NightRecord(r.night_date, "manual", plm_count=int(r.count), sleep_hours=r.hours))  # fmt: skip

    out = _ok(["experiment", "today", "caf", "--date", (start + timedelta(days=2)).isoformat()])
    assert sched.nights()["condition"].iloc[2].upper() in out
    out = _ok(["experiment", "status"])
    assert "block" in out
    assert "Tonight" in out

    html, js = tmp_path / "rep" / "caf.html", tmp_path / "caf.json"
    out = _ok(["experiment", "analyze", "caf", "--html", str(html), "--json", str(js), "--no-power"])
    assert "helped" in out
    assert "data:image/png;base64," in html.read_text(encoding="utf-8")
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["verdict"]["label"] == "helped"
    assert doc["adherence"]["nights_with_count"] == doc["adherence"]["nights_due"]

    csv = tmp_path / "caf.csv"
    _ok(["experiment", "export", "caf", "-o", str(csv)])
    table = pd.read_csv(csv)
    assert len(table) == sched.n_nights
    assert table["count"].iloc[0] == sim["count"].iloc[0]
    _ok(["experiment", "export", "-o", str(tmp_path / "caf.json2.json")])
    exported = json.loads((tmp_path / "caf.json2.json").read_text(encoding="utf-8"))
    assert exported["experiment"]["seed"] == 11
    assert len(exported["nights"]) == sched.n_nights


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["experiment", "log", "--date", "2026-02-31"], "not a calendar date"),
        (["experiment", "log", "--date", "2026-01-01", "--symptoms", "12"], "0 (none) to 10"),
        (["experiment", "plan", "x", "-i", "no_cafeine"], "Did you mean 'no_caffeine'"),
        (["experiment", "plan", "x", "-i", "stretching", "--blocks", "5"], "must be even"),
        (["experiment", "analyze"], "no store at"),
        (["experiment", "export", "-o", "out.xlsx"], ".csv or .json"),
    ],
)
def test_errors_are_clean_messages(args: list[str], message: str):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_duplicate_night_needs_replace():
    _ok(["experiment", "log", "--date", "2026-01-01", "--plm-count", "12", "--sleep-hours", "7"])
    result = runner.invoke(app, ["experiment", "log", "--date", "2026-01-01", "--plm-count", "30"])
    assert result.exit_code == 2
    assert "--replace" in result.output
    out = _ok(["experiment", "log", "--date", "2026-01-01", "--plm-count", "30", "--replace"])
    assert "cannot be used as a rate" in " ".join(out.split())
    out = _ok(["experiment", "log", "--date", "2026-01-01", "--plm-count", "30", "--sleep-hours", "7", "--replace"])
    assert "rate" not in out


def test_medication_plan_shows_the_clinician_note():
    start = (date.today() + timedelta(days=3)).isoformat()
    result = runner.invoke(app, ["experiment", "plan", "med", "-i", "medication_change_with_clinician",
                                 "--start", start])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Only as agreed with your clinician" in " ".join(result.output.split())
    out = _ok(["experiment", "today", "med"])
    assert "clinician" in out


def test_night_with_unusable_leg_emg_is_logged_as_missing(tmp_path: Path):
    start = date.today() - timedelta(days=10)
    _ok(["experiment", "plan", "caf", "-i", "no_caffeine", "--start", start.isoformat(), "--seed", "3"])
    doc = {"summary": {"lm_count": 0, "plm_count": 0, "plms_count": 0, "tst_min": 420.0, "scorable_min_left": 0.0,
                       "scorable_min_right": 0.0}}  # fmt: skip
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = _ok(["experiment", "log", "--date", start.isoformat(), "--night", str(path)])
    assert "LM 0" not in out
    assert "PLM" not in out
    assert "missing night" in out
    assert "leg EMG was unusable" in out
    export = tmp_path / "e.csv"
    _ok(["experiment", "export", "-o", str(export)])
    row = pd.read_csv(export).iloc[0]
    assert pd.isna(row["count"])
    assert "leg EMG" in row["missing_reason"]
    out = _ok(["experiment", "analyze", "--no-power", "--as-of", start.isoformat()])
    assert "as missing, not as zero" in out


def test_log_outside_the_experiments_nights_is_refused_or_noted(db: Path):
    start = date.today() - timedelta(days=10)
    _ok(["experiment", "plan", "caf", "-i", "no_caffeine", "--start", start.isoformat(), "--seed", "3"])
    result = runner.invoke(app, ["experiment", "log", "-e", "caf", "--date", "2020-01-01", "--symptoms", "2"])
    assert result.exit_code != 0
    assert "outside experiment 'caf'" in result.output
    assert "--outside-schedule" in result.output
    with Store.open(db) as store:
        assert store.diary().empty  # nothing was saved
    out = _ok(["experiment", "log", "-e", "caf", "--date", "2020-01-01", "--outside-schedule", "--symptoms", "2"])
    assert "saved night of 2020-01-01" in out
    assert "Saved in the diary only" in out
    out = _ok(["experiment", "log", "--date", "2020-01-02", "--symptoms", "2"])
    assert "outside every planned experiment" in out
    out = _ok(["experiment", "log", "--date", start.isoformat(), "--symptoms", "2"])
    assert "outside" not in out


@pytest.mark.parametrize("command", [["status"], ["analyze"], ["today"], ["export", "-o", "x.csv"]])
def test_read_only_commands_do_not_create_a_store(tmp_path: Path, db: Path, command: list[str]):
    typo = tmp_path / "typo.sqlite"
    result = runner.invoke(app, ["experiment", *command, "--db", str(typo)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"no store at {typo}" in text
    assert "experiment plan" in text
    assert not typo.exists()
    assert not db.exists()  # nor the default one
    _ok(["experiment", "log", "--date", "2026-01-01", "--symptoms", "2"])  # log may create it
    result = runner.invoke(app, ["experiment", *command])
    assert "no experiment is planned" in " ".join(result.output.split())


def test_a_file_that_is_not_a_database_is_a_clean_store_error(tmp_path: Path):
    notdb = tmp_path / "notdb"
    notdb.write_text("hello\n", encoding="utf-8")
    for command in (["status"], ["log", "--date", "2026-01-01"]):
        result = runner.invoke(app, ["experiment", *command, "--db", str(notdb)])
        text = " ".join(result.output.split())
        assert result.exit_code == 2, text
        assert f"{notdb} is not a twitchlab store" in text
        assert "--db" in text
        assert "internal error" not in text
        assert "sqlalche.me" not in text
    assert notdb.read_text(encoding="utf-8") == "hello\n"


def test_status_and_plan_wording():
    start = date.today() - timedelta(days=200)
    out = " ".join(
        _ok(["experiment", "plan", "old", "-i", "hot_bath", "--start", start.isoformat(), "--seed", "4"]).split()
    )
    assert f"{start} to {start + timedelta(days=3)}" in out
    out = " ".join(_ok(["experiment", "status"]).split())
    assert " to " in out.split("block")[0]
    assert re.search(r"\d{4}-\d\d-\d\d ?- ?\d{4}-\d\d-\d\d", out) is None
    assert "Tonight: -" not in out
    assert f"Tonight ({date.today()}) is not a night of the experiment. The experiment ended on" in out
    result = runner.invoke(app, ["experiment", "plan", "new", "-i", "hot_bath", "--start", start.isoformat()])
    assert f"the nights {start} to " in " ".join(result.output.split())


def test_outcome_help_says_what_is_counted():
    out = " ".join(_ok(["experiment", "plan", "--help"]).split())
    assert "periodic leg movements during sleep" in out
