import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa

from twitchlab.cohort.schema import (
    ADDED_KEYS,
    EVENT_SCHEMA,
    SCHEMA_VERSION,
    SUMMARY_KEYS,
    events_table,
    summary_file_version,
    summary_schema,
    summary_table,
    upgrade_summary,
)
from twitchlab.model import make_events


def test_summary_row_types_nulls_and_extras():
    schema = summary_schema(pa.schema([("age", pa.int64())]))
    summary = {k: None for k in SUMMARY_KEYS}
    summary.update(
        plms_index=np.float64(31.5), plm_count=np.int64(120), plms_above_threshold=True, lms_index=math.nan, new_key=3
    )
    t = summary_table({"night_id": "n1", "status": "ok"}, {"age": 40}, summary, schema)
    row = t.to_pylist()[0]
    assert row["plms_index"] == 31.5
    assert row["plm_count"] == 120
    assert row["plms_above_threshold"] is True
    assert row["lms_index"] is None  # NaN is stored as null
    assert row["summary_extra"] == '{"new_key": 3}'
    assert t.schema == schema


def test_events_table_has_fixed_schema_even_with_extra_columns():
    ev = make_events({"type": ["lm", "alma"], "onset_s": [1.0, 5.0], "duration_s": [1.0, 2.0], "side": ["L", "B"]})
    ev["n_bursts"] = [pd.NA, 6]
    ev["channels"] = [None, ["leg_left", "leg_right"]]
    ev["unexpected"] = 1
    t = events_table("n1", ev)
    assert t.schema == EVENT_SCHEMA
    assert t.column("channels").to_pylist() == [None, "leg_left,leg_right"]
    assert t.column("n_bursts").to_pylist() == [None, 6]
    assert events_table("n1", None).num_rows == 0


def _v1_schema(covariates: pa.Schema) -> pa.Schema:
    """The summary schema before versioning: no added keys, no version in the metadata."""
    old = summary_schema(covariates)
    return pa.schema([f for f in old if f.name not in ADDED_KEYS[2]])


def test_summary_rules_is_the_meta_column_not_an_extra():
    schema = summary_schema()
    same = summary_table({"night_id": "n", "rules": "aasm"}, {}, {"rules": "aasm", "stimulus_count": 4}, schema)
    assert same.column("summary_extra").to_pylist() == [None]
    assert same.column("stimulus_count").to_pylist() == [4]
    other = summary_table({"night_id": "n", "rules": "aasm"}, {}, {"rules": "wasm2016"}, schema)
    assert json.loads(other.column("summary_extra")[0].as_py()) == {"rules": "wasm2016"}


def test_upgrade_summary_moves_old_extras_into_their_columns():
    cov = pa.schema([("age", pa.int64())])
    extras = [
        {"rules": "wasm2016", "stimulus_count": 12, "stimulus_linked_p": 0.01, "rswa_above_sinbar_fds": True,
         "indices_per": "hour_of_sleep", "future_key": "x"},
        {"rules": "wasm2016", "stimulus_count": None, "lm_count_single_channel": "many"},
        None,
    ]  # fmt: skip
    rows = [
        {"night_id": f"n{i}", "status": "ok", "rules": "wasm2016", "age": 40 + i, "plm_count": i,
         "summary_extra": json.dumps(e) if e is not None else None}
        for i, e in enumerate(extras)
    ]  # fmt: skip
    old = pa.Table.from_pylist(rows, schema=_v1_schema(cov))
    assert summary_file_version(old.schema) == 1
    new = upgrade_summary(old)
    assert new.schema.equals(summary_schema(cov))
    assert summary_file_version(new.schema) == SCHEMA_VERSION
    assert new.column("stimulus_count").to_pylist() == [12, None, None]
    assert new.column("stimulus_linked_p").to_pylist() == [0.01, None, None]
    assert new.column("rswa_above_sinbar_fds").to_pylist() == [True, None, None]
    assert new.column("indices_per").to_pylist() == ["hour_of_sleep", None, None]
    assert new.column("lm_count_single_channel").to_pylist() == [None, None, None]
    assert new.column("plm_count").to_pylist() == [0, 1, 2]
    assert new.column("age").to_pylist() == [40, 41, 42]
    # what is left: keys still unknown, and values that are not of their column's type
    assert [json.loads(x) if x else None for x in new.column("summary_extra").to_pylist()] == [
        {"future_key": "x"},
        {"lm_count_single_channel": "many"},
        None,
    ]
    assert upgrade_summary(new).equals(new)  # idempotent; a current table comes back as it is


def test_upgrade_summary_keeps_a_column_value_over_an_extra_copy():
    schema = summary_schema()
    t = summary_table({"night_id": "n", "rules": "aasm"}, {}, {"stimulus_count": 3}, schema)
    t = t.set_column(t.schema.get_field_index("summary_extra"), "summary_extra", pa.array(['{"stimulus_count": 9}']))
    up = upgrade_summary(t)
    assert up.column("stimulus_count").to_pylist() == [3]
    assert up.column("summary_extra").to_pylist() == [None]
    assert upgrade_summary(summary_schema().empty_table()).num_rows == 0


def test_events_keep_the_stimulus_linked_columns_and_older_event_files_read_them_as_null(tmp_path):
    import pyarrow.parquet as pq

    from twitchlab.cohort import load_table

    ev = make_events({"type": ["hypnic_jerk", "stimulus_linked"], "onset_s": [10.0, 10.0], "duration_s": [0.3, 0.3]})
    ev["latency_s"] = [np.nan, 0.12]
    ev["stimulus_onset_s"] = [np.nan, 9.88]
    ev["jerk_type"] = [None, "hypnic_jerk"]
    new = events_table("new", ev)
    assert new.column("latency_s").to_pylist() == [None, 0.12]
    assert new.column("jerk_type").to_pylist() == [None, "hypnic_jerk"]
    old_cols = [n for n in EVENT_SCHEMA.names if n not in ("latency_s", "stimulus_onset_s", "jerk_type")]
    (tmp_path / "events").mkdir()
    pq.write_table(events_table("old", ev).select(old_cols), tmp_path / "events" / "a-old.parquet")  # older run
    pq.write_table(new, tmp_path / "events" / "b-new.parquet")
    got = load_table(tmp_path, "events")
    assert list(got.columns) == EVENT_SCHEMA.names
    assert got.loc[got["night_id"] == "old", "latency_s"].isna().all()
    assert got.loc[got["night_id"] == "new", "stimulus_onset_s"].tolist()[1] == 9.88


def test_an_older_runs_covariate_named_like_a_new_summary_column_is_kept_beside_it():
    """Review finding: a version-1 covariate 'indices_per' took the new summary column's place and the summary's
    own value (in summary_extra) was deleted; a string covariate 'stimulus_count' made the run unreadable."""
    base = _v1_schema(pa.schema([]))
    v1 = pa.schema([*base, pa.field("indices_per", pa.string()), pa.field("stimulus_count", pa.string())])
    v1 = v1.with_metadata(base.metadata)
    extra = json.dumps({"indices_per": "hour_of_sleep", "stimulus_count": 7})
    row = {"night_id": "n0", "status": "ok", "rules": "wasm2016", "plm_count": 3, "indices_per": "cov_value",
           "stimulus_count": "x", "summary_extra": extra}  # fmt: skip
    old = pa.Table.from_pylist([row], schema=v1)
    assert summary_file_version(old.schema) == 1
    new = upgrade_summary(old)
    assert new.column("indices_per").to_pylist() == ["hour_of_sleep"]  # the summary's value, recovered
    assert new.column("indices_per_covariate").to_pylist() == ["cov_value"]  # the covariate, kept
    assert new.column("stimulus_count").to_pylist() == [7]
    assert new.column("stimulus_count_covariate").to_pylist() == ["x"]
    assert new.column("summary_extra").to_pylist() == [None]


def test_a_manifest_column_named_like_a_summary_column_is_refused(tmp_path):
    import pandas as pd
    import pytest

    from twitchlab.cohort.runner import _covariate_schema
    from twitchlab.errors import ParameterError

    with pytest.raises(ParameterError, match=r"\['stimulus_count'\].*rename"):
        _covariate_schema(pd.DataFrame({"night_id": ["a"], "recording": ["a.edf"], "stimulus_count": [3]}))


def test_an_older_run_with_such_a_covariate_reads_the_same_with_pandas_and_dask(tmp_path):
    """Both readers upgrade each file by its own version (the Dask one read files through one shared schema and
    failed to cast the string covariate 'stimulus_count')."""
    import pyarrow.parquet as pq

    from twitchlab.cohort import load_table
    from twitchlab.cohort.api import _dask_old_summary

    base = _v1_schema(pa.schema([]))
    v1 = pa.schema([*base, pa.field("stimulus_count", pa.string())]).with_metadata(base.metadata)
    (tmp_path / "summary").mkdir()
    for i in range(2):
        row = {"night_id": f"n{i}", "status": "ok", "rules": "wasm2016", "plm_count": i, "stimulus_count": "x",
               "summary_extra": json.dumps({"stimulus_count": 5 + i})}  # fmt: skip
        pq.write_table(pa.Table.from_pylist([row], schema=v1), tmp_path / "summary" / f"n{i}.parquet")
    files = sorted(str(f) for f in (tmp_path / "summary").glob("*.parquet"))
    cols = ["night_id", "stimulus_count", "stimulus_count_covariate"]
    with_pandas = load_table(tmp_path, "summary")[cols].reset_index(drop=True)
    with_dask = _dask_old_summary(tmp_path, files, {}).compute()[cols].reset_index(drop=True)
    assert with_pandas["stimulus_count"].tolist() == [5, 6]
    assert with_pandas["stimulus_count_covariate"].tolist() == ["x", "x"]
    pd.testing.assert_frame_equal(with_dask, with_pandas, check_dtype=False)  # dask keeps its own string dtype
