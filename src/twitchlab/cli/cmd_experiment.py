"""``twitchlab experiment plan|today|log|status|analyze|export``: n-of-1 self-experiments."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.panel import Panel
from rich.table import Table

from twitchlab._util import atomic_write
from twitchlab.cli._common import console, err_console, handle_errors
from twitchlab.errors import ParameterError
from twitchlab.experiment.analyze import ExperimentAnalysis
from twitchlab.experiment.interventions import INTERVENTIONS
from twitchlab.experiment.schedule import DESIGNS
from twitchlab.experiment.service import (
    analyze_stored,
    assignment,
    experiment_table,
    log_night,
    plan_experiment,
    schedule_of,
)
from twitchlab.store import DiaryRecord, NightRecord, Store, night_from_result_json, parse_night_date

__all__ = ["register"]

experiment_app = typer.Typer(
    help="Self-experiments (n-of-1): plan a randomised schedule, log nights, see what it showed.",
    no_args_is_help=True,
)

DB_HELP = "Store: a SQLite file or a database URL (default: $TWITCHLAB_DB, else a file in your data folder)."
COND_STYLE = {"intervention": "bold cyan", "control": "bold yellow"}
VERDICT_STYLE = {"helped": "green", "made it worse": "red", "can't tell yet": "yellow"}


def _open(db: str | None, *, create: bool = False) -> Store:
    """Open the store; only ``plan`` and ``log`` may create it (a mistyped --db is an error elsewhere)."""
    return Store.open(db, create=create)


@experiment_app.command("plan")
@handle_errors
def plan_cmd(
    name: str = typer.Argument(..., help="A name for the experiment, e.g. caffeine-2026."),
    intervention: str = typer.Option(
        ..., "--intervention", "-i", help=f"What to test: {', '.join(INTERVENTIONS)}.", show_default=False
    ),
    start: str = typer.Option("today", "--start", help="Evening of the first night (YYYY-MM-DD, today, ...)."),
    block_nights: int | None = typer.Option(None, "--block-nights", help="Nights per block [intervention's default]."),
    blocks: int = typer.Option(12, "--blocks", help="Number of blocks (even)."),
    washout: int | None = typer.Option(None, "--washout", help="Washout nights before each later block."),
    design: str = typer.Option("pairs", "--design", help=f"Randomisation: {' or '.join(DESIGNS)}."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the random order (drawn and recorded if omitted)."),
    outcome: str = typer.Option(
        "plm_count",
        "--outcome",
        help="Count to analyse, per hour of sleep: plm_count (periodic leg movements during sleep, PLMS) or "
        "lm_count (all leg movements; for wearables).",
    ),
    allow_overlap: bool = typer.Option(False, "--allow-overlap", help="Allow nights shared with another experiment."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Plan a randomised block schedule (ABAB/ABBA ...) and store it."""
    day = parse_night_date(start, what="--start", allow_future_days=366)
    with _open(db, create=True) as store:
        rec, sched, notes = plan_experiment(
            store,
            name,
            intervention,
            start=day,
            block_nights=block_nights,
            n_blocks=blocks,
            washout_nights=washout,
            design=design,  # type: ignore[arg-type]
            seed=seed,
            outcome=outcome,
            allow_overlap=allow_overlap,
        )
    spec = INTERVENTIONS[intervention]
    table = Table(title=f"{rec.name}: {spec.title}", show_lines=False)
    for col in ("block", "nights", "condition"):
        table.add_column(col)
    nights = sched.nights()
    for b, rows in nights.groupby("block"):
        cond = rows["condition"].iloc[0]
        w = int(rows["washout"].sum())
        span = f"{rows['night_date'].iloc[0]} to {rows['night_date'].iloc[-1]}" + (f" ({w} washout)" if w else "")
        table.add_row(str(int(b) + 1), span, f"[{COND_STYLE[cond]}]{cond}[/]")
    console.print(table)
    console.print(
        f"Order [bold]{sched.order}[/] (A = {spec.title.lower()}), {sched.design} design, seed [bold]{sched.seed}[/]: "
        f"{sched.n_nights} nights from {sched.start} to {sched.end}."
    )
    for note in notes:
        err_console.print(f"[yellow]note:[/] {note}")
    console.print(
        f"Each evening: [bold]twitchlab experiment today {rec.name}[/]. "
        "Each morning: [bold]twitchlab experiment log[/] "
        "(--followed/--not-followed, --symptoms, --night result.json or --plm-count)."
    )


@experiment_app.command("today")
@handle_errors
def today_cmd(
    name: str | None = typer.Argument(None, help="Experiment (default: the latest)."),
    day: str = typer.Option("today", "--date", help="Night to look up (evening date)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Show tonight's assignment."""
    night = parse_night_date(day, what="--date", allow_future_days=366)
    with _open(db) as store:
        a = assignment(store, name, night)
    if a.condition is None:
        console.print(Panel(a.instruction, title=f"{a.experiment} · {a.night_date}"))
    else:
        head = f"[{COND_STYLE[a.condition]}]{a.condition.upper()}[/]" + (" (washout)" if a.washout else "")
        left = f"{a.nights_left} night{'s' * (a.nights_left != 1)} left"
        body = f"{head}\n{a.instruction}\n[dim]block {a.block} of {a.n_blocks}, {left}[/]"
        console.print(Panel(body, title=f"{a.experiment} · night of {a.night_date}"))
    if a.note:
        console.print(f"[bold yellow]{a.note}[/]")


@experiment_app.command("log")
@handle_errors
def log_cmd(
    day: str = typer.Option("yesterday", "--date", help="Night (evening date); default: last night."),
    followed: bool | None = typer.Option(
        None, "--followed/--not-followed", help="Did you follow the night's assigned condition?"
    ),
    sleep_hours: float | None = typer.Option(None, "--sleep-hours", help="Hours you slept (your estimate)."),
    caffeine: int | None = typer.Option(None, "--caffeine", help="Caffeinated drinks that day."),
    alcohol: int | None = typer.Option(None, "--alcohol", help="Alcoholic drinks that day."),
    exercise: int | None = typer.Option(None, "--exercise", help="Minutes of exercise that day."),
    symptoms: int | None = typer.Option(None, "--symptoms", help="Symptoms 0 (none) to 10 (worst)."),
    notes: str | None = typer.Option(None, "--notes", help="Anything worth remembering."),
    night_json: Path | None = typer.Option(
        None, "--night", exists=True, dir_okay=False, help="Result JSON of `twitchlab analyze` for this night."
    ),
    lm_count: int | None = typer.Option(None, "--lm-count", help="Leg movements counted (hand or wearable)."),
    plm_count: int | None = typer.Option(
        None, "--plm-count", help="Periodic leg movements during sleep (PLMS) counted."
    ),
    source: str = typer.Option("manual", "--source", help="Where --lm-count/--plm-count come from: manual, wearable."),
    experiment: str | None = typer.Option(None, "--experiment", "-e", help="Experiment to show the night in."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite an entry already logged for this date."),
    outside: bool = typer.Option(
        False, "--outside-schedule", help="Save a night outside the --experiment's planned nights anyway."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Log a night in the diary (written to disk before this command says so)."""
    night_date = parse_night_date(day, what="--date")
    night = None
    if night_json is not None:
        if lm_count is not None or plm_count is not None:
            raise ParameterError("give either --night (an analyze result) or --lm-count/--plm-count, not both.")
        night = night_from_result_json(night_json, night_date=night_date)
    elif lm_count is not None or plm_count is not None:
        if source not in ("manual", "wearable"):
            raise ParameterError(f"--source={source!r} must be 'manual' or 'wearable'.")
        night = NightRecord(
            night_date,
            source,
            lm_count=lm_count,
            plm_count=plm_count,
            sleep_hours=sleep_hours,  # type: ignore[arg-type]
        )
    entry = DiaryRecord(
        night_date,
        followed=followed,
        sleep_hours=sleep_hours,
        caffeine_drinks=caffeine,
        alcohol_drinks=alcohol,
        exercise_min=exercise,
        symptoms=symptoms,
        notes=notes,
    )
    with _open(db, create=True) as store:
        off_plan = _outside_note(store, experiment, night_date, force=outside)
        log_night(store, entry, night, replace=replace)
        where = ""
        if store.experiments():
            a = assignment(store, experiment, night_date)
            if a.condition is not None:
                where = f" ({a.experiment}: {a.condition}{', washout' if a.washout else ''}, block {a.block})"
    counts = ""
    if night is not None and night.missing_reason:
        counts = f"; no count, stored as a missing night: {night.missing_reason}"
    elif night is not None:
        parts = [f"{k} {v}" for k, v in (("LM", night.lm_count), ("PLMS", night.plm_count)) if v is not None]
        counts = f"; {', '.join(parts)}" + (f" over {night.sleep_hours:.1f} h" if night.sleep_hours else "")
    console.print(f"[green]saved[/] night of {night_date}{where}{counts}.")
    if off_plan:
        err_console.print(f"[yellow]note:[/] {off_plan}")
    if night is not None and not night.missing_reason and night.sleep_hours is None and sleep_hours is None:
        err_console.print(
            "[yellow]note:[/] no sleep time for this night, so its count cannot be used as a rate. "
            "Log it again with --sleep-hours H --replace."
        )


def _outside_note(store: Store, name: str | None, night: date, *, force: bool) -> str | None:
    """Check a night against the experiments' schedules before it is saved.

    With ``--experiment`` a night outside that experiment's plan is refused (unless forced): it would be
    saved but never shown by ``status``, ``analyze`` or ``export``. Without it, a night outside every
    planned experiment gets a note.
    """
    exps = store.experiments()
    if not exps:
        return None
    if name is not None:
        exp = store.get_experiment(name)
        sched = schedule_of(exp)
        if sched.start <= night <= sched.end:
            return None
        msg = (
            f"the night of {night} is outside experiment {exp.name!r}, whose nights run from {sched.start} to "
            f"{sched.end}: `status`, `analyze` and `export` would never show it."
        )
        if not force:
            raise ParameterError(
                f"{msg} Check --date (a night is dated by the evening it began), or pass --outside-schedule "
                "to save it in the diary anyway."
            )
        return f"{msg} Saved in the diary only."
    for exp in exps:
        sched = schedule_of(exp)
        if sched.start <= night <= sched.end:
            return None
    sched = schedule_of(exps[-1])
    return (
        f"the night of {night} is outside every planned experiment (the latest, {exps[-1].name!r}, runs from "
        f"{sched.start} to {sched.end}); it is saved in the diary but no experiment will show it."
    )


def _status_table(store: Store, name: str | None, as_of: date) -> None:
    exp = store.get_experiment(name)
    table = experiment_table(store, exp)
    sched = schedule_of(exp)
    t = Table(title=f"{exp.name}: {INTERVENTIONS[exp.intervention].title} ({sched.start} to {sched.end})")
    for col in ("block", "condition", "nights", "logged", "with count", "followed"):
        t.add_column(col)
    for b, rows in table.groupby("block"):
        reached = rows[rows["night_date"] <= as_of]
        analysed = reached[~reached["washout"]]
        cond = rows["condition"].iloc[0]
        t.add_row(
            str(int(b) + 1),
            f"[{COND_STYLE[cond]}]{cond}[/]",
            f"{len(reached)}/{len(rows)}",
            str(int(reached["has_diary"].sum())),
            f"{int(analysed['count'].notna().sum())}/{len(analysed)}",
            str(int((analysed["followed"] == True).sum())),  # noqa: E712
        )
    console.print(t)


@experiment_app.command("status")
@handle_errors
def status_cmd(
    name: str | None = typer.Argument(None, help="Experiment (default: the latest)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Show progress: nights done, logged, missing and followed, per block."""
    today = date.today()
    with _open(db) as store:
        exps = store.experiments()
        _status_table(store, name, today)
        a = assignment(store, name, today)
        if len(exps) > 1:
            console.print(f"[dim]experiments in {store.url}: {', '.join(e.name for e in exps)}[/]")
    if a.condition is None:
        console.print(f"Tonight ({a.night_date}) is not a night of the experiment. {a.instruction}")
    else:
        console.print(f"Tonight ({a.night_date}): {a.condition}{' (washout)' if a.washout else ''}. {a.instruction}")


def _print_analysis(a: ExperimentAnalysis, name: str) -> None:
    style = VERDICT_STYLE[a.verdict.label]
    console.print(Panel(a.verdict.text, title=f"{name}: [bold {style}]{a.verdict.label}[/]", border_style=style))
    if a.counts is not None:
        c = a.counts
        t = Table(show_header=False, box=None)
        t.add_row("rate ratio", f"{c.rate_ratio:.2f} (95 % CI {c.ci_low:.2f}-{c.ci_high:.2f})")
        t.add_row("model", f"{c.family.replace('_', ' ')}, {c.n_intervention} + {c.n_control} nights")
        if a.randomisation is not None:
            r = a.randomisation
            t.add_row("randomisation test", f"p = {r.p_value:.3f} (smallest possible {r.min_p:.3f})")
        if a.per_protocol is not None:
            pp = a.per_protocol
            t.add_row("followed nights only", f"{pp.rate_ratio:.2f} ({pp.ci_low:.2f}-{pp.ci_high:.2f})")
        if a.symptoms is not None:
            s = a.symptoms
            t.add_row("symptoms (0-10)", f"{s.difference:+.1f} ({s.ci_low:+.1f} to {s.ci_high:+.1f})")
        ad = a.adherence
        t.add_row("nights with data", f"{ad.nights_with_count}/{ad.nights_due}")
        t.add_row("followed", f"{ad.followed} yes, {ad.not_followed} no, {ad.unknown} not answered")
        console.print(t)
    for note in a.notes:
        console.print(f"[yellow]note:[/] {note}")
    spec_note = INTERVENTIONS[a.schedule.intervention].note
    if spec_note:
        console.print(f"[bold yellow]{spec_note}[/]")


@experiment_app.command("analyze")
@handle_errors
def analyze_cmd(
    name: str | None = typer.Argument(None, help="Experiment (default: the latest)."),
    html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report here."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the analysis as JSON here."),
    as_of: str = typer.Option("today", "--as-of", help="Analyse nights up to this date."),
    power: bool = typer.Option(True, "--power/--no-power", help="Simulate how many more nights are needed."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Estimate the effect (rate ratio, randomisation test, symptoms) and give an honest verdict."""
    until = parse_night_date(as_of, what="--as-of")
    with _open(db) as store:
        exp = store.get_experiment(name)
        with console.status("analysing (power by simulation may take a few seconds)..."):
            result = analyze_stored(store, exp.name, as_of=until, power=power)
    _print_analysis(result, exp.name)
    if html is not None:
        from twitchlab.experiment.html import write_html

        write_html(result, html, name=exp.name)
        console.print(f"HTML report: [bold]{html}[/]")
    if json_out is not None:
        with atomic_write(json_out) as fh:
            json.dump(result.to_dict(), fh, indent=1, ensure_ascii=False)
        console.print(f"JSON: [bold]{json_out}[/]")


@experiment_app.command("export")
@handle_errors
def export_cmd(
    name: str | None = typer.Argument(None, help="Experiment (default: the latest)."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write: .csv (one row per night) or .json."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Export the plan and every night (schedule, counts, diary) to CSV or JSON."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ParameterError(f"--out {out}: use a .csv or .json file name.")
    with _open(db) as store:
        exp = store.get_experiment(name)
        table = experiment_table(store, exp)
    if suffix == ".csv":
        with atomic_write(out) as fh:
            table.to_csv(fh, index=False)
    else:
        doc = {
            "experiment": {k: v for k, v in exp.__dict__.items() if k not in ("id",)},
            "nights": json.loads(table.to_json(orient="records", date_format="iso")),
        }
        with atomic_write(out) as fh:
            json.dump(doc, fh, indent=1, default=str, ensure_ascii=False)
    console.print(f"Wrote {len(table)} nights of [bold]{exp.name}[/] to [bold]{out}[/].")


def register(app: typer.Typer) -> None:
    """Add the ``experiment`` command group to the main app."""
    app.add_typer(experiment_app, name="experiment")
