"""Run a cohort on Dask: one task per night, resumable, one parameter set per run folder.

Resuming into a run folder written by an older twitchlab (an older summary schema version, see
:mod:`twitchlab.cohort.schema`) finishes the run: before any night is added, the summary files already
there are rewritten in the current schema (:func:`twitchlab.cohort.upgrade_run`; columns added since
are filled from ``summary_extra`` where the older version kept their values), so the finished run is
one schema throughout and its done nights are not redone. A run folder written by a newer twitchlab is
refused with a message. The run id includes the twitchlab version, so after a version change the same
parameters name another run folder: ``resume`` then refuses, with a message, rather than redo every night
in a new folder when a run with these parameters from another version has nights done.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dask
import pandas as pd
import pyarrow as pa

from twitchlab import __version__
from twitchlab._util import atomic_write
from twitchlab.cohort.manifest import MANIFEST_COLUMNS, read_manifest
from twitchlab.cohort.night import analyze_night, night_done
from twitchlab.cohort.schema import META_FIELDS, SCHEMA_VERSION, SUMMARY_KEYS, summary_schema
from twitchlab.errors import ParameterError

logger = logging.getLogger(__name__)

__all__ = ["CohortRun", "ProgressCallback", "run_cohort", "run_id_for"]

#: ``callback(done, failed, total, elapsed_s)``, called after every finished night.
ProgressCallback = Callable[[int, int, int, float], None]


@dataclass
class CohortRun:
    """What a cohort run did.

    Attributes
    ----------
    run_dir : Path
        ``OUT/run-<id>``: ``summary/``, ``events/``, ``warnings/`` Parquet datasets and ``run.json``.
    run_id : str
        Hash of the parameters and twitchlab version: other parameters give another run folder.
    n_total, n_skipped, n_ok, n_failed : int
        Nights in the manifest, already done before (resume), done now, failed now.
    failures : list of dict
        ``night_id`` and ``error`` of every night that failed in this call.
    dashboard_link : str or None
        Dask dashboard address while the run was going.
    worker_peak_rss_mb : dict
        Peak resident memory of each worker process (MB), read at the end of the run.
    elapsed_s : float
        Wall time.
    """

    run_dir: Path
    run_id: str
    n_total: int
    n_skipped: int = 0
    n_ok: int = 0
    n_failed: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    dashboard_link: str | None = None
    elapsed_s: float = 0.0
    worker_peak_rss_mb: dict[str, float] = field(default_factory=dict)


def run_id_for(params: dict[str, Any]) -> str:
    """Short stable hash of the analysis parameters and the twitchlab version."""
    blob = json.dumps({"params": params, "version": __version__}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _covariate_schema(manifest: pd.DataFrame) -> pa.Schema:
    cov = manifest[[c for c in manifest.columns if c not in MANIFEST_COLUMNS]]
    taken = [c for c in cov.columns if c in SUMMARY_KEYS or c in META_FIELDS]
    if taken:  # the summary table would hold two columns of that name: one would be lost
        raise ParameterError(
            f"manifest column(s) {taken} have the name of a column twitchlab writes in the summary table; rename "
            f"them in the manifest (e.g. {taken[0]!r} -> '{taken[0]}_covariate') and run again"
        )
    if cov.shape[1] == 0:
        return pa.schema([])
    return pa.Schema.from_pandas(cov, preserve_index=False).remove_metadata()


def _worker_environ() -> dict[str, Any]:
    """Dask's worker environment without its ``MALLOC_TRIM_THRESHOLD_``.

    Dask sets ``MALLOC_TRIM_THRESHOLD_=65536`` in worker processes to give memory back to the OS
    sooner. Setting it switches off glibc's dynamic mmap threshold, so every large numpy array of a
    night is mapped and faulted in afresh: measured here, ``analyze`` then costs about 1.7x the CPU time
    (benchmarks/cohort_scaling.py). One night at a time per worker needs no aggressive trimming.
    """
    env = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    env.pop("MALLOC_TRIM_THRESHOLD_", None)
    return env


def _make_client(scheduler: str, n_workers: int | None) -> tuple[Any, Any]:
    from distributed import Client, LocalCluster

    try:
        if scheduler == "local":
            workers = n_workers or max(1, os.cpu_count() or 1)
            with dask.config.set({"distributed.nanny.pre-spawn-environ": _worker_environ()}):
                cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR,
                )
            return Client(cluster), cluster
        if scheduler == "threads":  # in-process cluster: quick start, for small runs and tests
            cluster = LocalCluster(
                n_workers=n_workers or 1,
                threads_per_worker=1,
                processes=False,  # in-process transport: nothing listens on the network
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            return Client(cluster), cluster
        return Client(scheduler, timeout="20s"), None
    except (OSError, RuntimeError, TimeoutError, ValueError) as err:
        where = "a local Dask cluster on 127.0.0.1" if scheduler == "local" else f"the Dask scheduler {scheduler!r}"
        raise ParameterError(
            f"could not start or reach {where} ({err}). Run the nights in this process with --scheduler threads, "
            "or check the scheduler address and that it is running."
        ) from err


def run_cohort(
    manifest: str | Path | pd.DataFrame,
    out_dir: str | Path,
    *,
    rules: str = "wasm2016",
    analyze_options: dict[str, Any] | None = None,
    scheduler: str = "local",
    n_workers: int | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    progress: ProgressCallback | None = None,
    on_dashboard: Callable[[str], None] | None = None,
) -> CohortRun:
    """Score every night of a manifest on Dask and write a Parquet dataset.

    Each night runs :func:`twitchlab.pipeline.analyze` (the code path of ``twitchlab analyze``) in a
    Dask task; the task gets only the file paths, so recordings are read on the worker and never
    travel through the scheduler. A night that fails is recorded with its error and the run goes on.
    Each night's rows are written atomically, its summary row last, so a killed run never leaves half a
    night; ``resume=True`` then does only the nights without a summary row.

    Parameters
    ----------
    manifest : path or DataFrame
        See :func:`twitchlab.cohort.read_manifest`.
    out_dir : path
        Output folder; the run goes to ``out_dir/run-<run_id>``.
    rules : {"wasm2016", "aasm"}
        Scoring rules.
    analyze_options : dict, optional
        Further keyword arguments of :func:`twitchlab.pipeline.analyze` (e.g. ``lm_source``).
    scheduler : str
        ``"local"`` (a LocalCluster of worker processes sized to the machine), ``"threads"`` (one
        in-process worker; small runs), or the address of a running scheduler (``tcp://host:8786``).
    n_workers : int, optional
        Worker processes of the local cluster (default: number of cores).
    resume : bool
        Continue an interrupted run with the same parameters. Summary files written with an older
        schema version are first upgraded in place (:func:`twitchlab.cohort.upgrade_run`).
    retry_failed : bool
        With ``resume``, also redo nights that failed before.
    progress, on_dashboard : callable, optional
        Progress callback and a callback receiving the dashboard address.

    Returns
    -------
    CohortRun

    Raises
    ------
    ParameterError
        A run with these parameters already has results and ``resume`` was not given; or ``resume`` was
        given and the run was written by a newer twitchlab (a newer summary schema version), or there is
        no run of this twitchlab version but one with the same parameters from another version.
    """
    if rules not in ("wasm2016", "aasm"):
        raise ParameterError(f"rules={rules!r} is not one of ['aasm', 'wasm2016']")
    table = manifest if isinstance(manifest, pd.DataFrame) else read_manifest(manifest)
    params = {"rules": rules, **(analyze_options or {})}
    run_id = run_id_for(params)
    out = Path(out_dir)
    run_dir = out / f"run-{run_id}"
    existing = run_dir.is_dir() and any((run_dir / "summary").glob("*.parquet"))
    if existing and not resume:
        raise ParameterError(
            f"{run_dir} already holds results for these parameters. Pass --resume to finish it, or choose another "
            "--out folder to start afresh."
        )
    if resume and not existing:
        _refuse_other_version(out, params)
    upgraded = 0
    if existing:  # resume: one schema version per run folder, the current one
        from twitchlab.cohort.api import upgrade_run

        upgraded = upgrade_run(run_dir)
        if upgraded:
            logger.info("%s: %d summary files upgraded to cohort schema version %d", run_dir, upgraded, SCHEMA_VERSION)
    for sub in ("summary", "events", "warnings"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    cov_schema = _covariate_schema(table)
    schema = summary_schema(cov_schema)
    run_info = {
        "run_id": run_id,
        "twitchlab_version": __version__,
        "parameters": params,
        "n_nights": len(table),
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "scheduler": scheduler if scheduler in ("local", "threads") else "external",
        "resumed": bool(existing),
        "covariates": cov_schema.names,
        "schema_version": SCHEMA_VERSION,
    }
    if upgraded:
        run_info["summary_files_upgraded"] = upgraded
    with atomic_write(run_dir / "run.json") as fh:
        json.dump(run_info, fh, indent=2)
    with atomic_write(out / "LATEST", "w") as fh:
        fh.write(run_dir.name + "\n")
    table.to_parquet(run_dir / "manifest.parquet") if not (run_dir / "manifest.parquet").exists() else None

    todo_mask = [not night_done(run_dir, nid) for nid in table["night_id"]]
    if resume and retry_failed:
        from twitchlab.cohort.api import load_table

        prev = load_table(run_dir, "summary", columns=["night_id", "status"])
        failed_ids = set(prev.loc[prev["status"] == "failed", "night_id"])
        todo_mask = [t or nid in failed_ids for t, nid in zip(todo_mask, table["night_id"], strict=True)]
    todo = table[todo_mask]
    run = CohortRun(run_dir=run_dir, run_id=run_id, n_total=len(table), n_skipped=len(table) - len(todo))
    t0 = time.perf_counter()
    if progress:
        progress(run.n_skipped, 0, run.n_total, 0.0)
    if len(todo):
        run = _submit_all(todo, params, run_dir, schema, run, scheduler, n_workers, progress, on_dashboard, t0)
    run.elapsed_s = time.perf_counter() - t0
    run_info.update(finished_utc=datetime.now(UTC).isoformat(timespec="seconds"), complete=True)
    with atomic_write(run_dir / "run.json") as fh:
        json.dump(run_info, fh, indent=2)
    return run


def _refuse_other_version(out: Path, params: dict[str, Any]) -> None:
    """Raise when ``resume`` finds no run of this version but one with the same parameters from another version.

    The run id includes the twitchlab version, so after an upgrade ``--resume`` would otherwise start a new
    run folder and redo every night without a word.
    """
    wanted = json.loads(json.dumps(params, default=str))
    for info_file in sorted(out.glob("run-*/run.json")):
        try:
            info = json.loads(info_file.read_text())
        except (OSError, ValueError):
            continue
        n_done = len(list((info_file.parent / "summary").glob("*.parquet")))
        version = info.get("twitchlab_version")
        if info.get("parameters") != wanted or version == __version__ or not n_done:
            continue
        raise ParameterError(
            f"--resume: {info_file.parent} holds {n_done} nights of a run with these parameters from twitchlab "
            f"{version}, but this is twitchlab {__version__}, whose run id differs (one run folder never mixes "
            f"two versions' results). To finish that run, resume it with twitchlab {version}; to score the whole "
            f"manifest again with {__version__}, run without --resume (a new run folder beside the old one)."
        )


def _submit_all(
    todo: pd.DataFrame,
    params: dict[str, Any],
    run_dir: Path,
    schema: pa.Schema,
    run: CohortRun,
    scheduler: str,
    n_workers: int | None,
    progress: ProgressCallback | None,
    on_dashboard: Callable[[str], None] | None,
    t0: float,
) -> CohortRun:
    from distributed import as_completed

    schema_bytes = schema.serialize().to_pybytes()
    client, cluster = _make_client(scheduler, n_workers)
    try:
        run.dashboard_link = getattr(client, "dashboard_link", None) if scheduler != "threads" else None
        if on_dashboard and run.dashboard_link:
            on_dashboard(run.dashboard_link)
        rows = todo.to_dict(orient="records")
        futures = {
            client.submit(
                analyze_night,
                row,
                params,
                str(run_dir),
                schema_bytes,
                key=f"{run.run_id}-{row['night_id']}",
                pure=False,
            ): row["night_id"]
            for row in rows
        }
        done = run.n_skipped
        for fut in as_completed(futures):
            night_id = futures[fut]
            try:
                status = fut.result()
            except Exception as err:  # worker died or the task could not run: record it here
                status = {"night_id": night_id, "status": "failed", "error": f"{type(err).__name__}: {err}"}
                _record_client_failure(
                    row=next(r for r in rows if r["night_id"] == night_id),
                    err=err,
                    run_dir=run_dir,
                    schema=schema,
                    params=params,
                )
            done += 1
            if status["status"] == "ok":
                run.n_ok += 1
            else:
                run.n_failed += 1
                run.failures.append({"night_id": night_id, "error": status.get("error")})
            if progress:
                progress(done, run.n_failed, run.n_total, time.perf_counter() - t0)
        try:
            run.worker_peak_rss_mb = client.run(_peak_rss_mb)
        except Exception:  # diagnostics only; a remote cluster may refuse client.run
            logger.debug("could not read worker memory", exc_info=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return run


def _peak_rss_mb() -> float:
    import resource
    import sys

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _record_client_failure(
    row: dict[str, Any], err: BaseException, run_dir: Path, schema: pa.Schema, params: dict[str, Any]
) -> None:
    from twitchlab.cohort.night import write_table_atomic
    from twitchlab.cohort.schema import events_table, summary_table, warnings_table

    nid = str(row["night_id"])
    meta = {
        "night_id": nid,
        "run_id": run_dir.name,
        "status": "failed",
        "error_type": type(err).__name__,
        "error": f"the task did not complete on its worker: {err}",
        "recording": row["recording"],
        "annotations": json.dumps(list(row.get("annotations") or [])),
        "twitchlab_version": __version__,
        "rules": params.get("rules"),
        "n_warnings": 0,
    }
    cov = {k: v for k, v in row.items() if k not in MANIFEST_COLUMNS}
    write_table_atomic(events_table(nid, None), run_dir / "events" / f"{nid}.parquet")
    write_table_atomic(warnings_table(nid, []), run_dir / "warnings" / f"{nid}.parquet")
    write_table_atomic(summary_table(meta, cov, {}, schema), run_dir / "summary" / f"{nid}.parquet")
