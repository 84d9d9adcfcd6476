"""Read a cohort run back, as pandas or Dask DataFrames, for notebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from twitchlab.cohort.schema import EVENT_SCHEMA, WARNING_SCHEMA
from twitchlab.errors import InputFileError

__all__ = ["load_cohort", "load_table", "resolve_run"]

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


def load_table(run_dir: str | Path, table: Table = "summary", *, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one table of a run as a pandas DataFrame (zero rows when empty)."""
    folder = Path(run_dir) / table
    files = sorted(str(f) for f in folder.glob("*.parquet"))
    if not files:
        schema = {"events": EVENT_SCHEMA, "warnings": WARNING_SCHEMA}.get(table)
        return schema.empty_table().to_pandas() if schema is not None else pd.DataFrame()
    dataset = ds.dataset(files, format="parquet")
    # keep counts integer and flags boolean when they hold nulls (plain pandas would turn them into float/object)
    return dataset.to_table(columns=columns).to_pandas(types_mapper=_NULLABLE.get)


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
        Passed to :func:`dask.dataframe.read_parquet` with ``engine="dask"``.

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

        return dd.read_parquet(str(run_dir / table / "*.parquet"), **kwargs)
    return load_table(run_dir, table)
