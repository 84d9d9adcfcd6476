"""Store: location, pragmas, transactions, duplicates, validation, night import."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from twitchlab._util import sha256_file
from twitchlab.errors import InputFileError, ParameterError, StoreError
from twitchlab.store import (
    DiaryRecord,
    ExperimentRecord,
    NightRecord,
    Store,
    create_store_engine,
    default_db_path,
    night_from_result,
    night_from_result_json,
    parse_night_date,
    resolve_db_url,
)

D0 = date(2026, 3, 1)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "s.sqlite")
    yield s
    s.close()


def test_default_location_is_user_data_dir_and_env_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TWITCHLAB_DB", raising=False)
    assert resolve_db_url(None) == f"sqlite:///{default_db_path().resolve()}"
    assert "twitchlab" in str(default_db_path())
    monkeypatch.setenv("TWITCHLAB_DB", str(tmp_path / "env.sqlite"))
    assert resolve_db_url(None).endswith("env.sqlite")
    assert resolve_db_url(tmp_path / "cli.sqlite").endswith("cli.sqlite")  # --db wins over the variable
    assert resolve_db_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_sqlite_runs_wal_full_sync_and_foreign_keys(store: Store):
    with store.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert c.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_foreign_keys_are_enforced(store: Store):
    with pytest.raises(StoreError, match="refused by the database"):
        with store._tx("orphan schedule row") as s:
            s.execute(
                text(
                    "INSERT INTO schedule_nights (experiment_id, night_date, block, period, condition, washout) "
                    "VALUES (999, '2026-01-01', 0, 0, 'control', 0)"
                )
            )
    assert store.schedule(999).empty  # rolled back


def test_duplicate_night_is_a_clear_error_and_replace_overwrites(store: Store):
    store.add_night(NightRecord(D0, "manual", plm_count=40, sleep_hours=7.0))
    with pytest.raises(StoreError, match=r"already stored.*--replace"):
        store.add_night(NightRecord(D0, "wearable", lm_count=3, sleep_hours=6.0))
    assert store.get_night(D0).plm_count == 40
    store.add_night(NightRecord(D0, "wearable", lm_count=3, sleep_hours=6.0), replace=True)
    got = store.get_night(D0)
    assert (got.source, got.lm_count, got.plm_count) == ("wearable", 3, None)
    assert len(store.nights()) == 1


def test_duplicate_diary_is_a_clear_error(store: Store):
    store.add_diary(DiaryRecord(D0, followed=True, symptoms=2))
    with pytest.raises(StoreError, match=r"already has an entry for the night of 2026-03-01"):
        store.add_diary(DiaryRecord(D0, symptoms=5))
    assert store.diary()["symptoms"].tolist() == [2]
    store.add_diary(DiaryRecord(D0, symptoms=5), replace=True)
    assert store.diary()["symptoms"].tolist() == [5]


def test_diary_links_to_the_nights_result_either_order(store: Store):
    store.add_diary(DiaryRecord(D0, symptoms=1))
    nid = store.add_night(NightRecord(D0, "manual", lm_count=10, sleep_hours=7))
    store.add_night(NightRecord(D0 + timedelta(1), "manual", lm_count=10, sleep_hours=7))
    store.add_diary(DiaryRecord(D0 + timedelta(1)))
    diary = store.diary()
    assert diary["night_id"].iloc[0] == nid
    assert diary["night_id"].notna().all()


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("2026-02-30", "not a calendar date"),
        ("03/04/2026", "not a calendar date"),
        ("tomorrow", "not a calendar date"),
        ("1890-01-01", "check the year"),
        ((date.today() + timedelta(days=2)).isoformat(), "in the future"),
    ],
)
def test_bad_dates_get_clear_errors(value: str, match: str):
    with pytest.raises(ParameterError, match=match):
        parse_night_date(value, what="--date")


def test_relative_dates():
    assert parse_night_date("yesterday") == date.today() - timedelta(days=1)
    assert parse_night_date("today") == date.today()
    future = date.today() + timedelta(days=30)
    assert parse_night_date(future.isoformat(), allow_future_days=366) == future


@settings(deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date.today()))
def test_iso_dates_round_trip(day: date):
    assert parse_night_date(day.isoformat()) == day


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"symptoms": 11}, "0 \\(none\\) to 10"),
        ({"symptoms": -1}, "0 \\(none\\) to 10"),
        ({"sleep_hours": 30.0}, "impossible"),
        ({"sleep_hours": 0.0}, "impossible"),
        ({"caffeine_drinks": -2}, "whole number"),
        ({"exercise_min": 2000}, "more than a day"),
    ],
)
def test_diary_values_are_checked(kwargs: dict, match: str):
    with pytest.raises(ParameterError, match=match):
        DiaryRecord(D0, **kwargs)


def test_night_needs_a_count_and_sane_numbers():
    with pytest.raises(ParameterError, match="at least one count"):
        NightRecord(D0, "manual", sleep_hours=7)
    with pytest.raises(ParameterError, match="whole number"):
        NightRecord(D0, "manual", plm_count=-3)
    with pytest.raises(ParameterError, match="not one of"):
        NightRecord(D0, "psg", plm_count=3)  # type: ignore[arg-type]
    assert NightRecord(D0, "analyze", plm_count=3, tst_min=390).sleep_hours == pytest.approx(6.5)


def test_experiment_names_are_unique_and_lookup_suggests(store: Store):
    rec = ExperimentRecord("caffeine", "no_caffeine", "plm_count", "pairs", D0, 4, 2, 0, 1, "AB")
    sched = pd.DataFrame(
        {"night_date": [D0 + timedelta(i) for i in range(8)], "block": [0] * 4 + [1] * 4, "period": 0,
         "condition": ["intervention"] * 4 + ["control"] * 4, "washout": False}
    )  # fmt: skip
    store.add_experiment(rec, sched)
    with pytest.raises(StoreError, match="already exists"):
        store.add_experiment(rec, sched)
    with pytest.raises(StoreError, match="Did you mean 'caffeine'"):
        store.get_experiment("cafeine")
    assert store.get_experiment().name == "caffeine"
    assert len(store.schedule(store.get_experiment().id)) == 8
    assert store.overlapping(D0 + timedelta(7), D0 + timedelta(20)) == ["caffeine"]
    store.delete_experiment("caffeine")
    with pytest.raises(StoreError, match="no experiment is planned"):
        store.get_experiment()


def test_bad_url_is_a_store_error():
    with pytest.raises(StoreError, match="cannot use the store URL"):
        Store.open("nosuchdialect://x/y")


def _result_doc(**summary) -> dict:
    return {"schema_version": 1, "summary": {"lm_count": 120, "plm_count": 80, "plms_index": 12.3,
                                             "tst_min": 390.0, **summary}, "inputs": [{"path": "x.edf"}]}  # fmt: skip


def test_night_from_analyze_json_keeps_provenance_and_leaves_file_untouched(tmp_path: Path, store: Store):
    path = tmp_path / "night.json"
    path.write_text(json.dumps(_result_doc()), encoding="utf-8")
    before = sha256_file(path)
    rec = night_from_result_json(path, night_date="2026-03-01")
    assert sha256_file(path) == before
    assert (rec.lm_count, rec.plm_count, rec.sleep_hours) == (120, 80, 6.5)
    assert rec.source_sha256 == before
    assert rec.result_json
    store.add_night(rec)
    assert store.get_night(D0).plms_index == pytest.approx(12.3)


def test_night_date_from_recording_start_belongs_to_the_evening():
    doc = _result_doc()
    doc["inputs"][0]["start"] = "2026-03-02T01:30:00"
    assert night_from_result(doc).night_date == D0
    doc["inputs"][0]["start"] = "2026-03-01T22:30:00"
    assert night_from_result(doc).night_date == D0


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        ({"events": []}, "no 'summary'"),
        ({"summary": {"tst_min": 390.0}}, "neither"),
        (_result_doc(plm_count=3.5), "whole count"),
        (_result_doc(plm_count="many"), "not a number"),
    ],
)
def test_bad_results_are_input_errors(doc: dict, match: str):
    with pytest.raises(InputFileError, match=match):
        night_from_result(doc, night_date="2026-03-01")


def test_result_without_date_asks_for_one(tmp_path: Path):
    with pytest.raises(InputFileError, match="--date"):
        night_from_result(_result_doc())
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid JSON"):
        night_from_result_json(bad, night_date="2026-03-01")


@settings(deadline=None)
@given(st.text(max_size=20))
def test_any_text_is_a_date_or_a_parameter_error(value: str):
    try:
        day = parse_night_date(value)
    except ParameterError:
        return
    assert isinstance(day, date)


def test_imported_plm_count_is_plms_in_sleep_not_sleep_and_wake():
    # plm_count of a summary includes wake; the stored count is divided by hours of sleep, so PLMS it is
    rec = night_from_result(_result_doc(plm_count=80, plms_count=50, plmw_count=30), night_date="2026-03-01")
    assert rec.plm_count == 50
    # older results: plm_count - plmw_count, else the PLMS index times the sleep it was computed over
    assert night_from_result(_result_doc(plm_count=80, plmw_count=30), night_date="2026-03-01").plm_count == 50
    doc = _result_doc(plm_count=80, plms_index=10.0, sleep_scorable_min=300.0)
    assert night_from_result(doc, night_date="2026-03-01").plm_count == 50
    doc = _result_doc(plm_count=80, plms_index=None)
    assert night_from_result(doc, night_date="2026-03-01").plm_count is None


def test_migration_corrects_stored_plm_count_from_the_kept_result(tmp_path: Path):
    from alembic import command

    from twitchlab.store.engine import alembic_config

    url = resolve_db_url(tmp_path / "old.sqlite")
    command.upgrade(alembic_config(url), "0001")
    doc = json.dumps(_result_doc(plm_count=80, plms_count=50))
    engine = create_store_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO nights (night_date, source, lm_count, plm_count, result_json, created_at) "
                "VALUES ('2026-03-01', 'analyze', 120, 80, :doc, '2026-03-02 08:00:00'), "
                "('2026-03-02', 'manual', NULL, 7, NULL, '2026-03-03 08:00:00')"
            ),
            {"doc": doc},
        )
    engine.dispose()
    with Store.open(url) as store:
        assert store.get_night(D0).plm_count == 50
        assert store.get_night(date(2026, 3, 2)).plm_count == 7


@pytest.mark.parametrize("counts", [{"lm_count": 0, "plm_count": 0, "plms_count": 0}, {"lm_count": None,
                                    "plm_count": None, "plms_count": None}])  # fmt: skip
def test_night_with_unusable_leg_emg_is_missing_not_zero(tmp_path: Path, store: Store, counts: dict):
    doc = _result_doc(scorable_min_left=0.0, scorable_min_right=0.0, plms_index=None, **counts)
    doc["warnings"] = ["channel 'Left Leg' (side L): digital resolution 31.3 µV is coarser than 1 µV, so the "
                       "2-µV offset rule cannot be applied; the leg EMG is unusable"]  # fmt: skip
    path = tmp_path / "bad_emg.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rec = night_from_result_json(path, night_date="2026-03-01")
    assert (rec.lm_count, rec.plm_count) == (None, None)
    assert "leg EMG was unusable" in rec.missing_reason
    assert "31.3 µV" in rec.missing_reason
    store.add_night(rec)
    back = store.get_night(D0)
    assert (back.lm_count, back.plm_count) == (None, None)
    assert back.missing_reason == rec.missing_reason
    # one usable leg still gives a count; null counts without scorable times are missing too
    one_leg = night_from_result(_result_doc(scorable_min_left=0.0, scorable_min_right=300.0), night_date=D0)
    assert one_leg.plm_count == 80
    no_times = night_from_result(_result_doc(**counts, plms_index=None), night_date=D0)
    assert bool(no_times.missing_reason) == (counts["lm_count"] is None)  # a plain 0 with usable EMG stays 0
    with pytest.raises(ParameterError, match="counts cannot also be missing"):
        NightRecord(D0, "manual", plm_count=3, missing_reason="x")


def test_open_without_create_refuses_a_missing_file_and_non_databases(tmp_path: Path):
    with pytest.raises(StoreError, match=r"no store at .*does not exist"):
        Store.open(tmp_path / "nope.sqlite", create=False)
    assert not (tmp_path / "nope.sqlite").exists()
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"not a database at all" * 10)
    with pytest.raises(StoreError, match="is not a twitchlab store"):
        Store.open(junk)
