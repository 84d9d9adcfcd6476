"""Stable column names and types of the cohort Parquet dataset (the data dictionary lives in docs/cohort.md).

Schema versions
---------------
Every summary file carries its schema version in its Parquet metadata (key
:data:`SCHEMA_VERSION_KEY`); files without it are version 1.

* Version 1: the columns before versioning. Summary keys it did not list (the §4 flags and
  denominators, ``rswa_any_fds_pct``, ``rswa_above_sinbar_fds`` and the ``stimulus_*`` keys) were
  stored as JSON in ``summary_extra``.
* Version 2 (:data:`SCHEMA_VERSION`): those keys are typed columns (:data:`ADDED_KEYS`).

Older datasets keep working. :func:`upgrade_summary` turns a summary table of any older version into
the current one: missing columns are added as nulls, and values that an older version kept in
``summary_extra`` are moved into their columns. :func:`twitchlab.cohort.load_table` applies it when
reading, and resuming a run (``--resume``) first rewrites the run's older summary files in place with
it (:func:`twitchlab.cohort.upgrade_run`), so one run folder never mixes two versions. A run folder
written by a *newer* version is refused on resume, with a message.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from twitchlab.model import EVENT_COLUMNS

__all__ = [
    "ADDED_KEYS",
    "EVENT_SCHEMA",
    "META_FIELDS",
    "SCHEMA_VERSION",
    "SCHEMA_VERSION_KEY",
    "SUMMARY_KEYS",
    "WARNING_SCHEMA",
    "events_table",
    "summary_file_version",
    "summary_schema",
    "summary_table",
    "upgrade_summary",
    "warnings_table",
]

#: Version of the summary table's columns (see the module docstring); bump it when columns are added.
SCHEMA_VERSION = 2
#: Parquet (Arrow schema) metadata key holding :data:`SCHEMA_VERSION` in every summary file.
SCHEMA_VERSION_KEY = b"twitchlab.cohort.schema_version"

#: Night summary keys (SCORING_SPEC §4 and §5) and their Arrow types, in the order of the night summary.
#: Indices, minutes, shares, p-values and percentages are float64 (null when their denominator is 0 or
#: unknown), counts int64, flags bool. The night summary's ``rules`` is not repeated here: it is the
#: ``rules`` column of :data:`META_FIELDS`.
SUMMARY_KEYS: dict[str, pa.DataType] = {
    **{k: pa.float64() for k in ("recording_s", "analysis_start_s", "analysis_end_s", "tib_min", "tst_min")},
    **{k: pa.float64() for k in ("waso_min", "sleep_efficiency_pct", "n1_min", "n2_min", "n3_min", "rem_min")},
    "scorable_min_left": pa.float64(),
    "scorable_min_right": pa.float64(),
    **{
        k: pa.int64()
        for k in (
            "lm_count",
            "lm_count_left",
            "lm_count_right",
            "lm_count_bilateral",
            "clm_count",
            "resp_lm_count",
            "plm_count",
            "plms_count",
            "plmw_count",
            "plm_nr_count",
        )
    },
    **{
        k: pa.float64()
        for k in (
            "plms_nr_index",
            "lms_index",
            "plms_index",
            "plmw_index",
            "plms_nrem_index",
            "plms_rem_index",
            "plms_arousal_index",
            "periodicity_index_sleep",
            "periodicity_index_wake",
        )
    },
    "plm_series_count": pa.int64(),
    "plm_series_mean_len": pa.float64(),
    "imi_median_s": pa.float64(),
    "lm_duration_median_s": pa.float64(),
    "plms_threshold": pa.float64(),
    "plms_above_threshold": pa.bool_(),
    # flags and denominators of the scoring summary (docs/json_contract.md); schema version 2
    "hypnogram_available": pa.bool_(),
    "indices_per": pa.string(),  # "hour_of_sleep" or "hour_of_recording"
    "resp_events_available": pa.bool_(),
    "arousals_available": pa.bool_(),
    "lm_count_single_channel": pa.int64(),
    "sleep_scorable_min": pa.float64(),
    "wake_scorable_min": pa.float64(),
    "unscorable_min": pa.float64(),
    # SCORING_SPEC §5
    "hypnic_jerk_count": pa.int64(),
    "fragmentary_myoclonus_count": pa.int64(),
    "fragmentary_myoclonus_per_min_nrem": pa.float64(),
    "efm_present": pa.bool_(),
    "hft_train_count": pa.int64(),
    "alma_train_count": pa.int64(),
    "rhythmic_movement_count": pa.int64(),
    "long_contraction_count": pa.int64(),
    "rem_twitch_per_min_rem": pa.float64(),
    "rswa_tonic_pct": pa.float64(),
    "rswa_phasic_pct": pa.float64(),
    "rswa_any_pct": pa.float64(),
    "rswa_above_sinbar": pa.bool_(),
    "rem_epochs_scored": pa.int64(),
    # schema version 2: RSWA with the arms (SINBAR chin + flexor digitorum superficialis), stimulus-linked jerks
    "rswa_any_fds_pct": pa.float64(),
    "rswa_above_sinbar_fds": pa.bool_(),
    "stimulus_count": pa.int64(),
    "stimulus_linked_count": pa.int64(),
    "stimulus_linked_share": pa.float64(),
    "stimulus_linked_p": pa.float64(),
}

#: Suffix given to a covariate of an older run whose name became a summary column in a later schema version
#: (e.g. a manifest column ``stimulus_count``): its values are kept under ``stimulus_count_covariate``.
CLASH_SUFFIX = "_covariate"

#: Summary keys that became columns in each schema version (before, they went to ``summary_extra``).
ADDED_KEYS: dict[int, tuple[str, ...]] = {
    2: (
        "hypnogram_available",
        "indices_per",
        "resp_events_available",
        "arousals_available",
        "lm_count_single_channel",
        "sleep_scorable_min",
        "wake_scorable_min",
        "unscorable_min",
        "rswa_any_fds_pct",
        "rswa_above_sinbar_fds",
        "stimulus_count",
        "stimulus_linked_count",
        "stimulus_linked_share",
        "stimulus_linked_p",
    ),
}

#: Per-night provenance columns, before the summary keys.
META_FIELDS: dict[str, pa.DataType] = {
    "night_id": pa.string(),
    "run_id": pa.string(),
    "status": pa.string(),  # "ok" or "failed"
    "error_type": pa.string(),
    "error": pa.string(),
    "recording": pa.string(),
    "recording_sha256": pa.string(),
    "annotations": pa.string(),  # JSON list of paths
    "annotations_sha256": pa.string(),  # JSON list, same order
    "twitchlab_version": pa.string(),
    "rules": pa.string(),
    "lm_source": pa.string(),
    "n_warnings": pa.int64(),
    "elapsed_s": pa.float64(),
    "cpu_s": pa.float64(),  # CPU time of the night's task on its worker
    "summary_extra": pa.string(),  # JSON object of summary keys not (yet) in SUMMARY_KEYS
}

_EVENT_ARROW = {
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "Int64": pa.int64(),
    "object": pa.string(),
}
#: Events table: ``night_id`` + SCORING_SPEC §6 columns + the train columns of §5 detectors + the columns of
#: ``stimulus_linked`` rows (latency after the stimulus, its onset, and the kind of jerk). Event files written
#: before a column was added read back with it null (:func:`twitchlab.cohort.load_table` reads every file with
#: this schema).
EVENT_SCHEMA = pa.schema(
    [("night_id", pa.string())]
    + [(c, _EVENT_ARROW[t]) for c, t in EVENT_COLUMNS.items()]
    + [("channels", pa.string()), ("n_bursts", pa.int64()), ("rate_hz", pa.float64())]
    + [("latency_s", pa.float64()), ("stimulus_onset_s", pa.float64()), ("jerk_type", pa.string())]
)
WARNING_SCHEMA = pa.schema([("night_id", pa.string()), ("seq", pa.int64()), ("message", pa.string())])


def summary_schema(covariates: pa.Schema | None = None) -> pa.Schema:
    """Schema of the summary table: meta fields, covariates (manifest order), summary keys.

    Parameters
    ----------
    covariates : pyarrow.Schema, optional
        Manifest columns copied into every row; names of meta fields or summary keys are left out.

    Returns
    -------
    pyarrow.Schema
        With :data:`SCHEMA_VERSION` under :data:`SCHEMA_VERSION_KEY` in its metadata.
    """
    fields = [pa.field(k, t) for k, t in META_FIELDS.items()]
    if covariates is not None:
        fields += [f for f in covariates if f.name not in META_FIELDS and f.name not in SUMMARY_KEYS]
    fields += [pa.field(k, t) for k, t in SUMMARY_KEYS.items()]
    return pa.schema(fields, metadata={SCHEMA_VERSION_KEY: str(SCHEMA_VERSION).encode()})


def summary_file_version(schema: pa.Schema) -> int:
    """Schema version of a summary file or table (1 when its metadata has none: written before versioning).

    Parameters
    ----------
    schema : pyarrow.Schema
        E.g. ``pyarrow.parquet.read_schema(path)``.

    Returns
    -------
    int
    """
    raw = (schema.metadata or {}).get(SCHEMA_VERSION_KEY)
    try:
        return int(raw) if raw is not None else 1
    except ValueError:
        return 1


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _coerce(value: Any, typ: pa.DataType) -> Any:
    """A cleaned summary value as the Python type of its column (raises TypeError/ValueError if it is not one)."""
    v = _clean(value)
    if v is None:
        return None
    if pa.types.is_integer(typ):
        return int(v)
    if pa.types.is_floating(typ):
        return float(v)
    if pa.types.is_boolean(typ):
        return bool(v)
    if pa.types.is_string(typ):
        return str(v)
    return v


def summary_table(
    meta: dict[str, Any], covariates: dict[str, Any], summary: dict[str, Any], schema: pa.Schema
) -> pa.Table:
    """One-row Arrow table for a night; unknown summary keys go to ``summary_extra`` as JSON.

    The night summary's ``rules`` is the ``rules`` meta column; it goes to ``summary_extra`` only if the
    two differ.
    """
    row: dict[str, Any] = {k: _clean(meta.get(k)) for k in META_FIELDS}
    extra = {
        k: _clean(v)
        for k, v in summary.items()
        if k not in SUMMARY_KEYS and not (k in META_FIELDS and _clean(v) == row[k])
    }
    row["summary_extra"] = json.dumps(extra, default=str, sort_keys=True) if extra else None
    row.update({k: _clean(v) for k, v in covariates.items()})
    for k, typ in SUMMARY_KEYS.items():
        row[k] = _coerce(summary.get(k), typ)
    return pa.Table.from_pylist([row], schema=schema)


def upgrade_summary(table: pa.Table) -> pa.Table:
    """Bring a summary table written with an older schema version to the current one.

    Summary keys missing from the table become null columns; values that an older version stored in
    ``summary_extra`` (because its schema did not list the key yet) are moved into their columns, and
    removed from ``summary_extra`` (as is a ``rules`` equal to the ``rules`` column). A value already
    in its column wins over one in ``summary_extra``; a value that does not convert to the column's type
    stays in ``summary_extra``. Columns come in the order of :func:`summary_schema`; covariates and
    columns this version does not know are kept, after the meta fields. A covariate of an older file whose
    name became a summary column since is kept as ``<name>_covariate`` (:data:`CLASH_SUFFIX`), so neither
    its values nor the summary's are lost. A current table comes back with the same values.

    Parameters
    ----------
    table : pyarrow.Table
        Summary rows of any schema version (all columns or a subset; with a subset, recovery needs
        ``summary_extra`` among them).

    Returns
    -------
    pyarrow.Table
        With :func:`summary_schema` columns (covariates taken from ``table``) and the current version
        in its metadata.
    """
    version = summary_file_version(table.schema)
    clash = {k for v, keys in ADDED_KEYS.items() if v > version for k in keys if k in table.column_names}
    if clash:  # in an older file these names were manifest covariates, not summary values: keep them, renamed
        table = table.rename_columns([f"{c}{CLASH_SUFFIX}" if c in clash else c for c in table.column_names])
    n = table.num_rows
    names = set(table.column_names)
    covariates = pa.schema([f for f in table.schema if f.name not in META_FIELDS and f.name not in SUMMARY_KEYS])
    target = summary_schema(covariates)
    cols: dict[str, pa.ChunkedArray | pa.Array] = {}  # in the order of target
    for f in target:
        if f.name not in names:
            cols[f.name] = pa.nulls(n, f.type)
        else:
            col = table.column(f.name)
            cols[f.name] = col if col.type.equals(f.type) else col.cast(f.type)
    raw_extra = cols["summary_extra"].to_pylist() if "summary_extra" in names else [None] * n
    extras = [json.loads(x) if x else {} for x in raw_extra]
    changed = False
    for key in [*SUMMARY_KEYS, *META_FIELDS]:
        rows = [i for i, e in enumerate(extras) if key in e]
        if not rows:
            continue
        typ = target.field(key).type
        values = cols[key].to_pylist()
        for i in rows:
            if key in META_FIELDS:  # only a copy of a meta column (the summary's rules) is redundant
                if extras[i][key] == values[i]:
                    del extras[i][key]
                    changed = True
                continue
            try:
                v = _coerce(extras[i][key], typ)
            except (TypeError, ValueError):
                continue
            del extras[i][key]
            changed = True
            if values[i] is None:
                values[i] = v
        if key in SUMMARY_KEYS:
            cols[key] = pa.array(values, typ)
    if changed:
        cols["summary_extra"] = pa.array(
            [json.dumps(e, default=str, sort_keys=True) if e else None for e in extras], pa.string()
        )
    arrays = [c if isinstance(c, pa.ChunkedArray) else pa.chunked_array([c], c.type) for c in cols.values()]
    return pa.Table.from_arrays(arrays, schema=target)


def events_table(night_id: str, events: pd.DataFrame | None) -> pa.Table:
    """Arrow table of a night's events with :data:`EVENT_SCHEMA` (zero rows allowed)."""
    if events is None or len(events) == 0:
        return EVENT_SCHEMA.empty_table()
    df = events.copy()
    df.insert(0, "night_id", night_id)
    for col in EVENT_SCHEMA.names:
        if col not in df.columns:
            df[col] = None
    if "channels" in events.columns:
        df["channels"] = [
            None
            if v is None or (isinstance(v, float) and math.isnan(v))
            else (",".join(v) if isinstance(v, list | tuple) else str(v))
            for v in events["channels"]
        ]
    df = df[EVENT_SCHEMA.names]
    cols = {}
    for field in EVENT_SCHEMA:
        s = df[field.name]
        if pa.types.is_string(field.type):
            cols[field.name] = pa.array(
                [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v) for v in s],
                pa.string(),
            )
        elif pa.types.is_integer(field.type):
            cols[field.name] = pa.array(pd.array(s, dtype="Int64"), pa.int64())
        elif pa.types.is_boolean(field.type):
            cols[field.name] = pa.array(s.fillna(False).astype(bool), pa.bool_())
        else:
            cols[field.name] = pa.array(pd.to_numeric(s, errors="coerce").astype("float64"), pa.float64())
    return pa.table(cols, schema=EVENT_SCHEMA)


def warnings_table(night_id: str, messages: list[str]) -> pa.Table:
    """Arrow table of a night's warnings."""
    return pa.table(
        {
            "night_id": [night_id] * len(messages),
            "seq": list(range(len(messages))),
            "message": [str(m) for m in messages],
        },
        schema=WARNING_SCHEMA,
    )
