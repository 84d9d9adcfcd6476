"""`twitchlab cohort run|report|status`: score many nights on Dask."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from twitchlab.cli._common import console, err_console, handle_errors

cohort_app = typer.Typer(
    help="Score a cohort of nights on Dask into a Parquet dataset, and report on it.", no_args_is_help=True
)


@cohort_app.command("run")
@handle_errors
def run(
    manifest: Path = typer.Argument(
        ..., help="CSV/TSV/Parquet with night_id, recording[, annotations, covariates], or a folder of EDFs."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (the run goes to OUT/run-<id>)."),
    scheduler: str = typer.Option(
        "local", help="'local' (LocalCluster on this machine), 'threads', or a scheduler address tcp://host:8786."
    ),
    workers: int | None = typer.Option(
        None, "--workers", "-n", help="Worker processes of the local cluster (default: cores)."
    ),
    rules: str = typer.Option("wasm2016", help="Scoring rules: wasm2016 or aasm."),
    lm_source: str = typer.Option("auto", "--lm-source", help="auto, emg or scored (as in `twitchlab analyze`)."),
    resume: bool = typer.Option(
        False, "--resume", help="Finish an interrupted run with the same parameters (only missing nights)."
    ),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="With --resume, also redo nights that failed."),
) -> None:
    """Score every night of MANIFEST with the same code path as `twitchlab analyze`."""
    import logging

    from twitchlab.cohort import read_manifest, run_cohort

    for noisy in ("distributed", "tornado", "bokeh", "asyncio"):  # Dask's own chatter; errors still show
        logging.getLogger(noisy).setLevel(logging.ERROR)
    table = read_manifest(manifest)
    console.print(f"[bold]{len(table)}[/] nights in {manifest}")
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed: {task.fields[failed]}"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
    ) as progress:
        task = progress.add_task("nights", total=len(table), failed=0, rate="")

        def on_progress(done: int, failed: int, total: int, elapsed_s: float) -> None:
            rate = f"{done / elapsed_s * 60:.1f} nights/min" if elapsed_s > 0 and done else ""
            progress.update(task, completed=done, total=total, failed=failed, rate=rate)

        def on_dashboard(link: str) -> None:
            progress.console.print(f"Dask dashboard: [link={link}]{link}[/link]")

        result = run_cohort(
            table,
            out,
            rules=rules,
            analyze_options={"lm_source": lm_source},
            scheduler=scheduler,
            n_workers=workers,
            resume=resume,
            retry_failed=retry_failed,
            progress=on_progress,
            on_dashboard=on_dashboard,
        )
    console.print(
        f"run [bold]{result.run_id}[/]: {result.n_ok} scored, {result.n_failed} failed, "
        f"{result.n_skipped} already done, in {result.elapsed_s:.1f} s → {result.run_dir}"
    )
    if result.failures:
        t = Table(title="Failed nights", show_lines=False)
        t.add_column("night")
        t.add_column("reason", overflow="fold")
        for f in result.failures[:50]:
            t.add_row(f["night_id"], str(f["error"]))
        console.print(t)
    console.print(f"Next: [cyan]twitchlab cohort report {out}[/]")


@cohort_app.command("report")
@handle_errors
def report(
    path: Path = typer.Argument(..., help="Cohort output folder (latest run) or a run folder."),
    out_file: Path | None = typer.Option(
        None, "--out", "-o", help="HTML file to write (default: inside the run folder)."
    ),
    run_id: str | None = typer.Option(None, "--run", help="Run id when the folder holds several runs."),
) -> None:
    """Write an HTML summary of a cohort run."""
    from twitchlab.cohort.report import write_cohort_report

    dest = write_cohort_report(path, out_file, run=run_id)
    console.print(f"Cohort report: [bold]{dest}[/]")


@cohort_app.command("status")
@handle_errors
def status(
    path: Path = typer.Argument(..., help="Cohort output folder or run folder."),
    run_id: str | None = typer.Option(None, "--run", help="Run id."),
) -> None:
    """Show how many nights of a run are done and which failed."""
    import pandas as pd

    from twitchlab.cohort import load_table, resolve_run

    run_dir = resolve_run(path, run_id)
    summary = load_table(run_dir, "summary", columns=["night_id", "status", "error"])
    manifest = pd.read_parquet(run_dir / "manifest.parquet") if (run_dir / "manifest.parquet").is_file() else None
    total = len(manifest) if manifest is not None else len(summary)
    n_ok = int((summary["status"] == "ok").sum())
    console.print(f"{run_dir}: {n_ok} scored, {len(summary) - n_ok} failed, {total - len(summary)} not done of {total}")


def register(app: typer.Typer) -> None:
    """Add the ``cohort`` command group."""
    app.add_typer(cohort_app, name="cohort")
