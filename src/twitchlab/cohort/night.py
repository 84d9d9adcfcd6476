"""One Dask task: analyze a night and write its rows.

The night goes through the same code path as ``twitchlab analyze``; its rows are written atomically
(events, warnings, then the summary row that marks the night done).
"""

from __future__ import annotations

import json
import os
import time
import traceback
import warnings as warnings_module
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from twitchlab import __version__
from twitchlab._util import sha256_file
from twitchlab.cohort.schema import events_table, summary_table, warnings_table
from twitchlab.errors import TwitchlabError, TwitchlabWarning

__all__ = ["analyze_night", "night_done", "write_table_atomic"]

TABLES = ("summary", "events", "warnings")


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Write a Parquet file through a temporary name and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def night_done(run_dir: Path, night_id: str) -> bool:
    """A night is done when its summary row exists (it is written last)."""
    return (run_dir / "summary" / f"{night_id}.parquet").is_file()


def _sha(path: str) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


_WEARABLE_KEYS = ("device", "location", "side")


def _analyze_any(row: dict[str, Any], annotations: list[str], params: dict[str, Any], analyze: Any) -> Any:
    """PSG or annotation files go through ``pipeline.analyze``; wearable files through ``analyze_wearable``.

    A wearable night is recognised from the file's content, or from a ``device`` column of the manifest
    (or run parameter); ``location`` and ``side`` columns set where it was worn; one annotation file is
    taken as its hypnogram.
    """
    from twitchlab.io.accel import wearable_kind

    def pick(key: str) -> Any:
        value = row.get(key)
        if value is None or (isinstance(value, float) and value != value):
            value = params.get(key)
        return value

    psg_params = {k: v for k, v in params.items() if k not in _WEARABLE_KEYS}
    device = pick("device")
    if not device and wearable_kind(row["recording"]) is None:
        return analyze(row["recording"], annotations=annotations, **psg_params)
    from twitchlab.wearable import analyze_wearable

    if len(annotations) > 1:
        raise ValueError("a wearable night takes at most one annotation file (its hypnogram)")
    return analyze_wearable(
        row["recording"],
        device=str(device or "auto").lower(),
        location=str(pick("location") or "ankle").lower(),  # type: ignore[arg-type]
        side=str(pick("side") or "B").upper(),  # type: ignore[arg-type]
        hypnogram=annotations[0] if annotations else None,
        rules=params.get("rules", "wasm2016"),
    )


def analyze_night(
    row: dict[str, Any],
    params: dict[str, Any],
    run_dir: str,
    summary_schema_bytes: bytes,
) -> dict[str, Any]:
    """Analyze one night on a worker and write its three tables; never raises for a bad night.

    Parameters
    ----------
    row : dict
        ``night_id``, ``recording``, ``annotations`` (list) and covariates.
    params : dict
        Keyword arguments for :func:`twitchlab.pipeline.analyze` (``rules``, ``lm_source``...).
    run_dir : str
        Folder of this run (must be reachable from the worker).
    summary_schema_bytes : bytes
        Serialised Arrow schema of the summary table (covariate types fixed by the client).

    Returns
    -------
    dict
        ``night_id``, ``status`` (``ok``/``failed``), ``error``, ``elapsed_s``.
    """
    from twitchlab.pipeline import analyze

    t0, c0 = time.perf_counter(), time.process_time()
    out = Path(run_dir)
    night_id = str(row["night_id"])
    annotations = list(row.get("annotations") or [])
    covariates = {k: v for k, v in row.items() if k not in ("night_id", "recording", "annotations")}
    schema = pa.ipc.read_schema(pa.py_buffer(summary_schema_bytes))
    meta: dict[str, Any] = {
        "night_id": night_id,
        "run_id": out.name,
        "recording": row["recording"],
        "annotations": json.dumps(annotations),
        "twitchlab_version": __version__,
        "rules": params.get("rules", "wasm2016"),
    }
    summary: dict[str, Any] = {}
    events = None
    warnings: list[str] = []
    hashed: dict[str, str] = {}
    try:
        missing = [f for f in [row["recording"], *annotations] if not Path(f).exists()]
        if missing:
            raise FileNotFoundError(
                f"input file not found: {missing[0]}. Check the manifest (relative paths are taken relative to "
                "the manifest's folder) and that workers see the same file system."
            )
        with warnings_module.catch_warnings():
            # tolerated problems are recorded in the warnings table, not printed by every worker
            warnings_module.simplefilter("ignore", TwitchlabWarning)
            result = _analyze_any(row, annotations, params, analyze)
        hashed = {str(i["path"]): i["sha256"] for i in result.inputs if i.get("path") and i.get("sha256")}
        summary = dict(result.summary)
        events = result.events
        warnings = list(result.warnings)
        meta.update(status="ok", lm_source=getattr(result, "lm_source", None))
    except Exception as err:  # a bad night is recorded, the run goes on
        meta.update(status="failed", error_type=type(err).__name__, error=str(err) or repr(err))
        if not isinstance(err, TwitchlabError | ValueError | KeyError | OSError):
            warnings.append("internal error: " + "".join(traceback.format_exception_only(type(err), err)).strip())
    # checksums: reuse the ones analyze computed; hash only what it did not read
    meta["recording_sha256"] = hashed.get(str(row["recording"])) or _sha(row["recording"])
    meta["annotations_sha256"] = json.dumps([hashed.get(str(a)) or _sha(a) for a in annotations])
    meta["n_warnings"] = len(warnings)
    meta["elapsed_s"] = time.perf_counter() - t0
    meta["cpu_s"] = time.process_time() - c0
    write_table_atomic(events_table(night_id, events), out / "events" / f"{night_id}.parquet")
    write_table_atomic(warnings_table(night_id, warnings), out / "warnings" / f"{night_id}.parquet")
    write_table_atomic(summary_table(meta, covariates, summary, schema), out / "summary" / f"{night_id}.parquet")
    return {"night_id": night_id, "status": meta["status"], "error": meta.get("error"), "elapsed_s": meta["elapsed_s"]}
