"""Stable column names and types of the cohort Parquet dataset (the data dictionary lives in docs/cohort.md)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from twitchlab.model import EVENT_COLUMNS

__all__ = [
    "EVENT_SCHEMA",
    "META_FIELDS",
    "SUMMARY_KEYS",
    "WARNING_SCHEMA",
    "events_table",
    "summary_schema",
    "summary_table",
    "warnings_table",
]

#: Night summary keys (SCORING_SPEC §4 and §5) and their Arrow types. Indices are float64 (null when
#: their denominator is 0 or unknown), counts int64, flags bool.
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
#: Events table: ``night_id`` + SCORING_SPEC §6 columns + the train columns of §5 detectors.
EVENT_SCHEMA = pa.schema(
    [("night_id", pa.string())]
    + [(c, _EVENT_ARROW[t]) for c, t in EVENT_COLUMNS.items()]
    + [("channels", pa.string()), ("n_bursts", pa.int64()), ("rate_hz", pa.float64())]
)
WARNING_SCHEMA = pa.schema([("night_id", pa.string()), ("seq", pa.int64()), ("message", pa.string())])


def summary_schema(covariates: pa.Schema | None = None) -> pa.Schema:
    """Schema of the summary table: meta fields, covariates (manifest order), summary keys."""
    fields = [pa.field(k, t) for k, t in META_FIELDS.items()]
    if covariates is not None:
        fields += [f for f in covariates if f.name not in META_FIELDS and f.name not in SUMMARY_KEYS]
    fields += [pa.field(k, t) for k, t in SUMMARY_KEYS.items()]
    return pa.schema(fields)


def _clean(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def summary_table(
    meta: dict[str, Any], covariates: dict[str, Any], summary: dict[str, Any], schema: pa.Schema
) -> pa.Table:
    """One-row Arrow table for a night; unknown summary keys go to ``summary_extra`` as JSON."""
    row: dict[str, Any] = {k: _clean(meta.get(k)) for k in META_FIELDS}
    extra = {k: _clean(v) for k, v in summary.items() if k not in SUMMARY_KEYS}
    row["summary_extra"] = json.dumps(extra, default=str, sort_keys=True) if extra else None
    row.update({k: _clean(v) for k, v in covariates.items()})
    for k, typ in SUMMARY_KEYS.items():
        v = _clean(summary.get(k))
        if v is not None and pa.types.is_integer(typ):
            v = int(v)
        elif v is not None and pa.types.is_floating(typ):
            v = float(v)
        elif v is not None and pa.types.is_boolean(typ):
            v = bool(v)
        row[k] = v
    return pa.Table.from_pylist([row], schema=schema)


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
