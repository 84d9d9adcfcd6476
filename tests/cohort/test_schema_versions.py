"""Cohort summary schema versions: the newer night summary keys are columns, and older datasets keep working.

An "old" dataset is made the way the previous twitchlab wrote it: the columns of schema version 1 (the
current schema without ``ADDED_KEYS[2]``), no version in the file metadata, and every summary key that
version did not list (the added keys and ``rules``) as JSON in ``summary_extra``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from twitchlab.cohort import load_cohort, load_table, run_cohort, upgrade_run
from twitchlab.cohort.report import write_cohort_report
from twitchlab.cohort.schema import (
    ADDED_KEYS,
    SCHEMA_VERSION,
    SCHEMA_VERSION_KEY,
    SUMMARY_KEYS,
    summary_file_version,
)
from twitchlab.errors import ParameterError, TwitchlabWarning
from twitchlab.pipeline import analyze

from .conftest import write_sim_night

NEW = ADDED_KEYS[2]
STIM_KEYS = ("stimulus_count", "stimulus_linked_count", "stimulus_linked_share", "stimulus_linked_p")
N_STIMULI = 20


def _write_stimulus_arm_night(path: Path) -> Path:
    """One hour with fragmentary myoclonus, RSWA, both arms, and 20 stimuli 0.1 s before potentials."""
    from twitchlab.io import write_edf
    from twitchlab.model import make_events
    from twitchlab.simulate.twitches import simulate_twitch_night

    night = simulate_twitch_night(
        21, duration_h=1.0, kinds=["fragmentary_myoclonus"], efm=True, arms=True, rswa="mixed"
    )
    fm = night.truth.loc[night.truth["type"] == "fragmentary_myoclonus", "onset_s"].to_numpy()
    fm = fm[np.diff(fm, prepend=-np.inf) > 3.0]  # spaced potentials, one stimulus each
    onsets = np.sort(np.random.default_rng(0).choice(fm, size=N_STIMULI, replace=False)) - 0.1
    stim = make_events({"type": ["stimulus"] * N_STIMULI, "onset_s": list(onsets), "duration_s": 0.0})
    events = pd.concat([night.recording.events, stim], ignore_index=True) if len(night.recording.events) else stim
    return write_edf(dataclasses.replace(night.recording, events=make_events(events)), path)


@pytest.fixture(scope="module")
def versions_run(tmp_path_factory):
    """A current run of a night with stimuli and arms ("stim") and a legs-only night ("plain")."""
    root = tmp_path_factory.mktemp("versions_in")
    manifest = pd.DataFrame(
        {
            "night_id": ["stim", "plain"],
            "recording": [str(_write_stimulus_arm_night(root / "stim.edf")), str(write_sim_night(root / "p.edf", 0))],
            "annotations": [[], []],
            "group": ["a", "b"],
        }
    )
    out = tmp_path_factory.mktemp("versions_out")
    run = run_cohort(manifest, out, scheduler="threads")
    assert run.n_ok == 2, run.failures
    return manifest, run


def _to_version_1(path: Path, *, keys_known: bool = True) -> None:
    """Rewrite a current summary file as the previous twitchlab wrote it.

    ``keys_known=False``: the night came from an analyze that did not have the added keys at all.
    """
    table = pq.read_table(path)
    (row,) = table.to_pylist()
    extra = json.loads(row["summary_extra"]) if row["summary_extra"] else {}
    if keys_known:
        extra.update({k: row[k] for k in NEW})
    extra["rules"] = row["rules"]
    table = table.drop_columns(list(NEW)).replace_schema_metadata(None)
    i = table.schema.get_field_index("summary_extra")
    table = table.set_column(i, "summary_extra", pa.array([json.dumps(extra, sort_keys=True)], pa.string()))
    assert not set(NEW) & set(table.column_names)
    pq.write_table(table, path)
    assert summary_file_version(pq.read_schema(path)) == 1


def _old_copy(run, dest: Path, *, unknown: tuple[str, ...] = ()) -> Path:
    """A copy of the run folder, every summary file in schema version 1; returns the run folder.

    Nights in ``unknown`` were analysed without the added keys.
    """
    run_dir = dest / run.run_dir.name
    shutil.copytree(run.run_dir, run_dir)
    for f in (run_dir / "summary").glob("*.parquet"):
        _to_version_1(f, keys_known=f.stem not in unknown)
    return run_dir


def _assert_same_new_values(got: pd.DataFrame, want: pd.DataFrame) -> None:
    for key in NEW:
        for nid in want.index:
            a, b = got.loc[nid, key], want.loc[nid, key]
            if pd.isna(b):
                assert pd.isna(a), (nid, key, a)
            elif isinstance(b, float):
                assert a == pytest.approx(b), (nid, key)
            else:
                assert a == b, (nid, key, a, b)


def test_new_summary_keys_are_typed_columns_not_extras(versions_run):
    manifest, run = versions_run
    schema = pq.read_schema(run.run_dir / "summary" / "stim.parquet")
    assert summary_file_version(schema) == SCHEMA_VERSION == 2
    assert schema.metadata[SCHEMA_VERSION_KEY] == b"2"
    expected = {
        "stimulus_count": pa.int64(),
        "stimulus_linked_count": pa.int64(),
        "stimulus_linked_share": pa.float64(),
        "stimulus_linked_p": pa.float64(),
        "rswa_any_fds_pct": pa.float64(),
        "rswa_above_sinbar_fds": pa.bool_(),
        "lm_count_single_channel": pa.int64(),
        "hypnogram_available": pa.bool_(),
        "unscorable_min": pa.float64(),
        "indices_per": pa.string(),
    }
    for key, typ in expected.items():
        assert schema.field(key).type == typ, key
    names = schema.names  # in the order of the night summary
    assert names.index("plms_above_threshold") < names.index("hypnogram_available") < names.index("hypnic_jerk_count")
    assert names.index("rem_epochs_scored") < names.index("rswa_any_fds_pct") < names.index("stimulus_count")

    s = load_table(run.run_dir).set_index("night_id")
    with warnings.catch_warnings():  # the stimulus night has no leg movements, which analyze warns about
        warnings.simplefilter("ignore", TwitchlabWarning)
        direct = analyze(manifest.set_index("night_id").loc["stim", "recording"]).summary
    # every key of the night summary is a column now ("rules" is the meta column), so nothing is left over
    assert set(direct) - set(SUMMARY_KEYS) == {"rules"}
    assert s["summary_extra"].isna().all(), s["summary_extra"].tolist()
    assert s.loc["stim", "rules"] == direct["rules"]
    stim = s.loc["stim"]
    assert stim["stimulus_count"] == N_STIMULI == direct["stimulus_count"]
    assert stim["stimulus_linked_count"] == direct["stimulus_linked_count"] >= 15
    assert stim["stimulus_linked_share"] == pytest.approx(direct["stimulus_linked_share"])
    assert stim["stimulus_linked_p"] == pytest.approx(direct["stimulus_linked_p"])
    assert stim["stimulus_linked_p"] < 1e-3
    assert stim["rswa_any_fds_pct"] == pytest.approx(direct["rswa_any_fds_pct"])
    assert stim["rswa_any_fds_pct"] > 0
    assert stim["rswa_above_sinbar_fds"] == direct["rswa_above_sinbar_fds"]
    assert stim["indices_per"] == "hour_of_sleep"
    assert stim["hypnogram_available"] is not pd.NA
    assert bool(stim["hypnogram_available"])
    # a night without stimuli or arms: null, not zero, and not in summary_extra
    plain = s.loc["plain"]
    assert all(pd.isna(plain[k]) for k in (*STIM_KEYS, "rswa_any_fds_pct", "rswa_above_sinbar_fds"))
    assert str(s["stimulus_count"].dtype) == "Int64"
    assert str(s["rswa_above_sinbar_fds"].dtype) == "boolean"
    assert s["stimulus_linked_p"].dtype == np.float64
    assert json.loads((run.run_dir / "run.json").read_text())["schema_version"] == SCHEMA_VERSION


def test_old_schema_dataset_reads_back_with_recovered_values_and_nulls(versions_run, tmp_path):
    _, run = versions_run
    current = load_table(run.run_dir).set_index("night_id")
    run_dir = _old_copy(run, tmp_path, unknown=("plain",))
    raw_extra = json.loads(pq.read_table(run_dir / "summary" / "stim.parquet").column("summary_extra")[0].as_py())
    assert raw_extra["stimulus_count"] == N_STIMULI  # where the previous version kept it

    s = load_table(run_dir).set_index("night_id")
    assert list(s.columns) == list(current.columns)
    _assert_same_new_values(s.loc[["stim"]], current.loc[["stim"]])  # recovered from summary_extra
    assert s.loc["stim", "stimulus_count"] == N_STIMULI
    assert pd.isna(s.loc["stim", "summary_extra"])  # nothing left over once recovered
    assert all(pd.isna(s.loc["plain", k]) for k in NEW)  # never known: null
    assert str(s["stimulus_count"].dtype) == "Int64"
    assert str(s["hypnogram_available"].dtype) == "boolean"
    assert s.loc["stim", "plms_index"] == pytest.approx(current.loc["stim", "plms_index"])
    assert s.loc["plain", "group"] == "b"

    sub = load_table(run_dir, columns=["night_id", "stimulus_count", "rswa_any_fds_pct"]).set_index("night_id")
    assert list(sub.columns) == ["stimulus_count", "rswa_any_fds_pct"]
    assert sub.loc["stim", "stimulus_count"] == N_STIMULI
    assert sub.loc["stim", "rswa_any_fds_pct"] == pytest.approx(current.loc["stim", "rswa_any_fds_pct"])

    lazy = load_cohort(run_dir, engine="dask")
    assert "stimulus_count" in lazy.columns
    d = lazy.compute().set_index("night_id")
    assert d.loc["stim", "stimulus_count"] == N_STIMULI
    assert pd.isna(d.loc["plain", "stimulus_count"])
    picked = load_cohort(run_dir, engine="dask", columns=["night_id", "stimulus_linked_p"]).compute()
    assert list(picked.columns) == ["night_id", "stimulus_linked_p"]
    with pytest.raises(ParameterError, match="upgrade_run"):
        load_cohort(run_dir, engine="dask", filters=[("status", "==", "ok")])

    assert "2</strong> nights" in write_cohort_report(run_dir).read_text()
    # reading changed nothing on disk
    assert all(summary_file_version(pq.read_schema(f)) == 1 for f in (run_dir / "summary").glob("*.parquet"))


def test_a_run_mixing_versions_reads_as_one_table(versions_run, tmp_path):
    _, run = versions_run
    run_dir = tmp_path / run.run_dir.name
    shutil.copytree(run.run_dir, run_dir)
    _to_version_1(run_dir / "summary" / "stim.parquet")  # sorted first: its (old) schema must not win
    s = load_table(run_dir).set_index("night_id")
    _assert_same_new_values(s, load_table(run.run_dir).set_index("night_id"))
    assert s.loc["stim", "stimulus_count"] == N_STIMULI


def test_resume_into_an_old_folder_upgrades_it_and_does_only_the_missing_night(versions_run, tmp_path):
    manifest, run = versions_run
    current = load_table(run.run_dir).set_index("night_id")
    run_dir = _old_copy(run, tmp_path)
    (run_dir / "summary" / "plain.parquet").unlink()  # the old run stopped before this night
    again = run_cohort(manifest, tmp_path, scheduler="threads", resume=True)
    assert again.run_dir == run_dir
    assert (again.n_skipped, again.n_ok, again.n_failed) == (1, 1, 0)
    files = sorted((run_dir / "summary").glob("*.parquet"))
    assert [f.stem for f in files] == ["plain", "stim"]
    assert all(summary_file_version(pq.read_schema(f)) == SCHEMA_VERSION for f in files)
    # the old night was upgraded in place: any Parquet reader sees the new columns with its values
    raw = ds.dataset([str(f) for f in files], format="parquet").to_table().to_pandas().set_index("night_id")
    assert raw.loc["stim", "stimulus_count"] == N_STIMULI
    assert pd.isna(raw.loc["stim", "summary_extra"])
    s = load_table(run_dir).set_index("night_id")
    _assert_same_new_values(s, current)
    info = json.loads((run_dir / "run.json").read_text())
    assert info["schema_version"] == SCHEMA_VERSION
    assert info["summary_files_upgraded"] == 1
    assert upgrade_run(run_dir) == 0  # nothing left to upgrade


def test_resume_refuses_a_folder_written_by_a_newer_version(versions_run, tmp_path):
    manifest, run = versions_run
    run_dir = tmp_path / run.run_dir.name
    shutil.copytree(run.run_dir, run_dir)
    f = run_dir / "summary" / "stim.parquet"
    table = pq.read_table(f)
    pq.write_table(table.replace_schema_metadata({SCHEMA_VERSION_KEY: b"99"}), f)
    before = f.read_bytes()
    with pytest.raises(ParameterError, match=r"newer twitchlab.*version 99"):
        run_cohort(manifest, tmp_path, scheduler="threads", resume=True)
    assert f.read_bytes() == before


def test_resume_after_a_version_change_says_so_instead_of_redoing_every_night(versions_run, tmp_path):
    manifest, run = versions_run
    old_dir = tmp_path / "run-0123456789ab"  # another version gives another run id
    shutil.copytree(run.run_dir, old_dir)
    info = json.loads((old_dir / "run.json").read_text())
    (old_dir / "run.json").write_text(json.dumps({**info, "twitchlab_version": "0.0.1"}))
    with pytest.raises(ParameterError, match=r"2 nights .* twitchlab 0\.0\.1.*without --resume"):
        run_cohort(manifest, tmp_path, scheduler="threads", resume=True)
    assert not (tmp_path / run.run_dir.name).exists()
