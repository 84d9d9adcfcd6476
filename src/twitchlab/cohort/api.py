"""Read a cohort run back, as pandas or Dask DataFrames, for notebooks.

Summary tables written by an older twitchlab (an older schema version, see
:mod:`twitchlab.cohort.schema`) are read as if written now: columns added since come back as nulls,
or with the values the older version kept in ``summary_extra``. :func:`upgrade_run` rewrites such a
run's summary files in place (``twitchlab cohort run --resume`` does it before adding nights), so that
other readers (DuckDB, ``pandas.read_parquet``) see the new columns too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from twitchlab.cohort.schema import (
    EVENT_SCHEMA,
    META_FIELDS,
    SCHEMA_VERSION,
    SUMMARY_KEYS,
    WARNING_SCHEMA,
    summary_file_version,
    summary_schema,
    upgrade_summary,
)
from twitchlab.errors import InputFileError, ParameterError

__all__ = ["load_cohort", "load_table", "resolve_run", "upgrade_run"]

Table = Literal["summary", "events", "warnings"]

_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


def resolve_run(path: str | Path, run: str | None = None) -> Path:
    """Return a run folder from a cohort output folder (the latest run, or ``run``) or a run folder itself."""
    p = Path(path)
    if (p / "summary").is_dir():
        return p
    if run is not None:
        cand = p / (run if run.startswith("run-") else f"run-{run}")
    elif (p / "LATEST").is_file():
        cand = p / (p / "LATEST").read_text().strip()
    else:
        runs = sorted(p.glob("run-*"), key=lambda q: q.stat().st_mtime)
        if not runs:
            raise InputFileError(
                f"{p} holds no cohort run (no run-*/summary folder). Run `twitchlab cohort run` first."
            )
        cand = runs[-1]
    if not (cand / "summary").is_dir():
        raise InputFileError(f"{cand} is not a cohort run folder (no summary/ inside).")
    return cand


def _summary_dataset(files: list[str]) -> ds.Dataset:
    """Dataset over summary files of possibly different schema versions, with every column of all of them.

    All files are inspected (one footer each), so a run mixing versions loses no column; the columns
    come in the current order, with the summary keys added since an older version as nulls.
    """
    factory = ds.FileSystemDatasetFactory(pafs.LocalFileSystem(), files, ds.ParquetFileFormat())
    found = factory.inspect(promote_options="permissive")
    covariates = pa.schema([f for f in found if f.name not in META_FIELDS and f.name not in SUMMARY_KEYS])
    return factory.finish(summary_schema(covariates))


def _has_old_files(files: list[str]) -> bool:
    """Whether any summary file was written with an older schema version (one footer read per file)."""
    return any(summary_file_version(pq.read_schema(f)) < SCHEMA_VERSION for f in files)


def _old_run_schema(files: list[str]) -> pa.Schema:
    """Columns of a run's summary files once each is upgraded by its own version (see :func:`_upgraded_file`).

    Each file's version says which of its columns were covariates (a covariate named like a column added
    since is kept as ``<name>_covariate``), so files are upgraded one by one, not through one shared schema.
    """
    schemas = [upgrade_summary(pq.read_schema(f).empty_table()).schema for f in files]
    return pa.unify_schemas(schemas, promote_options="permissive")


def _upgraded_file(path: str, schema: pa.Schema) -> pa.Table:
    """One summary file upgraded by its own version, with the columns of ``schema`` (missing ones null)."""
    t = upgrade_summary(pq.read_table(path))
    cols = [t.column(f.name).cast(f.type) if f.name in t.column_names else pa.nulls(t.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def load_table(run_dir: str | Path, table: Table = "summary", *, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one table of a run as a pandas DataFrame (zero rows when empty).

    Parameters
    ----------
    run_dir : path-like
        A run folder (:func:`resolve_run`).
    table : {"summary", "events", "warnings"}
        Which table.
    columns : list of str, optional
        Only these columns (all by default).

    Returns
    -------
    pandas.DataFrame
        Counts as ``Int64`` and flags as ``boolean`` (nullable). A summary written by an older schema
        version comes back in the current one (:func:`twitchlab.cohort.schema.upgrade_summary`): newer
        columns are null, or hold the values the older version kept in ``summary_extra``.
    """
    folder = Path(run_dir) / table
    files = sorted(str(f) for f in folder.glob("*.parquet"))
    if not files:
        schema = {"events": EVENT_SCHEMA, "warnings": WARNING_SCHEMA}.get(table)
        return schema.empty_table().to_pandas() if schema is not None else pd.DataFrame()
    if table != "summary":  # every file read with the current columns: ones it lacks (older runs) are null
        schema = {"events": EVENT_SCHEMA, "warnings": WARNING_SCHEMA}.get(table)
        arrow = ds.dataset(files, format="parquet", schema=schema).to_table(columns=columns)
    elif _has_old_files(files):
        schema = _old_run_schema(files)
        arrow = pa.concat_tables([_upgraded_file(f, schema) for f in files])
        if columns is not None:
            arrow = arrow.select(columns)
    else:
        dataset = _summary_dataset(files)
        read = None
        if columns is not None:  # recovering older values needs summary_extra (and rules, a copy of which it may hold)
            read = list(
                dict.fromkeys([*columns, *(c for c in ("summary_extra", "rules") if c in dataset.schema.names)])
            )
        arrow = upgrade_summary(dataset.to_table(columns=read))
        if columns is not None:
            arrow = arrow.select(columns)
    # keep counts integer and flags boolean when they hold nulls (plain pandas would turn them into float/object)
    return arrow.to_pandas(types_mapper=_NULLABLE.get)


def upgrade_run(run_dir: str | Path) -> int:
    """Rewrite the summary files of a run written with an older schema version in the current one.

    Each file is read, passed through :func:`twitchlab.cohort.schema.upgrade_summary` (new columns
    filled from ``summary_extra`` where the older version kept their values, null otherwise) and
    replaced atomically; files already current are left alone, so an interrupted upgrade can simply be
    run again. ``run_cohort(..., resume=True)`` calls it before adding nights.

    Parameters
    ----------
    run_dir : path-like
        A run folder (``OUT/run-<id>``).

    Returns
    -------
    int
        Number of files rewritten.

    Raises
    ------
    ParameterError
        A summary file was written by a newer twitchlab (a newer schema version than this one).
    """
    from twitchlab.cohort.night import write_table_atomic

    files = sorted((Path(run_dir) / "summary").glob("*.parquet"))
    versions = {f: summary_file_version(pq.read_schema(f)) for f in files}
    newer = {f: v for f, v in versions.items() if v > SCHEMA_VERSION}
    if newer:
        f, v = next(iter(newer.items()))
        raise ParameterError(
            f"{len(newer)} summary file(s) of {run_dir} (e.g. {f.name}) were written by a newer twitchlab (cohort "
            f"schema version {v}; this twitchlab writes version {SCHEMA_VERSION}). Finish the run with the twitchlab "
            "that started it, or choose another --out folder to start afresh with this one."
        )
    old = [f for f, v in versions.items() if v < SCHEMA_VERSION]
    for f in old:
        write_table_atomic(upgrade_summary(pq.read_table(f)), f)
    return len(old)


def load_cohort(
    path: str | Path,
    table: Table = "summary",
    *,
    run: str | None = None,
    engine: Literal["pandas", "dask"] = "pandas",
    **kwargs: Any,
) -> Any:
    """Load a cohort table for analysis.

    Parameters
    ----------
    path : path-like
        Output folder of ``twitchlab cohort run`` (its latest run is used) or a run folder.
    table : {"summary", "events", "warnings"}
        Which table.
    run : str, optional
        A run id, when the folder holds several runs.
    engine : {"pandas", "dask"}
        Return a pandas DataFrame, or a lazy ``dask.dataframe`` for tables larger than memory.
    **kwargs
        Passed to :func:`dask.dataframe.read_parquet` with ``engine="dask"``. A summary holding files of an
        older schema version is read file by file and upgraded instead; it takes only ``columns``.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        One row per night (summary), event or warning; column meanings in docs/cohort.md.

    Examples
    --------
    >>> df = load_cohort("cohort-out")  # doctest: +SKIP
    >>> df.groupby("group")["plms_index"].median()  # doctest: +SKIP
    """
    run_dir = resolve_run(path, run)
    if engine == "dask":
        import dask.dataframe as dd

        files = sorted(str(f) for f in (run_dir / table).glob("*.parquet"))
        if table == "summary" and _has_old_files(files):
            return _dask_old_summary(run_dir, files, kwargs)
        return dd.read_parquet(str(run_dir / table / "*.parquet"), **kwargs)
    return load_table(run_dir, table)


def _summary_file_frame(path: str, schema: pa.Schema, columns: list[str] | None) -> pd.DataFrame:
    """One summary file in the current schema version (a partition of :func:`_dask_old_summary`)."""
    arrow = _upgraded_file(path, schema)
    return (arrow.select(columns) if columns is not None else arrow).to_pandas(types_mapper=_NULLABLE.get)


def _dask_old_summary(run_dir: Path, files: list[str], kwargs: dict[str, Any]) -> Any:
    """Lazy summary of a run holding files of an older schema version, one partition per file, upgraded."""
    import dask.dataframe as dd

    columns = kwargs.pop("columns", None)
    if kwargs:
        raise ParameterError(
            f"{run_dir} holds summary files of an older cohort schema version, which Dask's read_parquet cannot read "
            f"together with {sorted(kwargs)}. Upgrade them once with "
            f"twitchlab.cohort.upgrade_run({str(run_dir)!r}) (or resume the run), or call load_cohort without them."
        )
    schema = _old_run_schema(files)
    cols = list(columns) if columns is not None else None
    empty = schema.empty_table()
    meta = (empty.select(cols) if cols is not None else empty).to_pandas(types_mapper=_NULLABLE.get)
    return dd.from_map(_summary_file_frame, files, schema=schema, columns=cols, meta=meta)
