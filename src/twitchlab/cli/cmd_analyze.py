"""`twitchlab analyze`: score one night (signal file or annotations alone) and print its indices."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from twitchlab.cli._common import check_output_path, console, err_console, handle_errors, progress_bar
from twitchlab.errors import ParameterError

#: (summary key, label, unit) rows of the printed table, in order.
_ROWS: tuple[tuple[str, str, str], ...] = (
    ("tib_min", "Time in bed", "min"),
    ("tst_min", "Total sleep time", "min"),
    ("sleep_efficiency_pct", "Sleep efficiency", "%"),
    ("lm_count", "Leg movements (LM)", ""),
    ("lm_count_bilateral", "  of which bilateral", ""),
    ("clm_count", "Candidate LMs (CLM)", ""),
    ("resp_lm_count", "Respiratory LMs", ""),
    ("plm_count", "Periodic LMs (PLM)", ""),
    ("plm_series_count", "PLM series", ""),
    ("lms_index", "LMS index", "/h"),
    ("plms_index", "PLMS index", "/h"),
    ("plms_nr_index", "PLMS index, non-respiratory", "/h"),
    ("plmw_index", "PLMW index", "/h"),
    ("plms_nrem_index", "PLMS index in NREM", "/h"),
    ("plms_rem_index", "PLMS index in REM", "/h"),
    ("plms_arousal_index", "PLMS with arousal index", "/h"),
    ("periodicity_index_sleep", "Periodicity index (sleep)", ""),
    ("imi_median_s", "Median IMI", "s"),
)


def _fmt(value: Any, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f} {unit}".strip() if unit in ("/h", "") else f"{value:.1f} {unit}".strip()
    return f"{value} {unit}".strip()


def _parse_channels(items: list[str]) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for item in items:
        role, sep, name = item.partition("=")
        if not sep or not role.strip() or not name.strip():
            raise ParameterError(f"--channel {item!r}: write ROLE=NAME, e.g. --channel left='EMG Tib L'")
        out[role.strip()] = name.strip()
    return out or None


def _parse_units(items: list[str]) -> dict[str, str]:
    from twitchlab.cli.cmd_info import parse_channel_options

    return parse_channel_options(items, flag="--unit")


#: (summary key, label, unit) of the other twitch kinds (SCORING_SPEC §5), shown when measured.
_TWITCH_ROWS: tuple[tuple[str, str, str], ...] = (
    ("hypnic_jerk_count", "Sleep starts (hypnic jerks)", ""),
    ("fragmentary_myoclonus_per_min_nrem", "Fragmentary myoclonus per min NREM", ""),
    ("efm_present", "Excessive fragmentary myoclonus", ""),
    ("hft_train_count", "Hypnagogic foot tremor trains", ""),
    ("alma_train_count", "ALMA trains", ""),
    ("rhythmic_movement_count", "Rhythmic movement trains", ""),
    ("long_contraction_count", "Long contractions (> 10 s)", ""),
    ("rem_twitch_per_min_rem", "REM twitches per min REM", ""),
    ("rswa_tonic_pct", "REM without atonia, tonic epochs", "%"),
    ("rswa_phasic_pct", "REM without atonia, phasic epochs", "%"),
    ("rswa_any_pct", "REM 'any' chin activity (SINBAR)", "%"),
)


def _twitch_table(result: Any) -> Table | None:
    rows = [(label, _fmt(result.summary.get(k), unit)) for k, label, unit in _TWITCH_ROWS]
    if all(v == "—" for _, v in rows):
        return None
    table = Table(title="Other twitches (measurements, not diagnoses)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in rows:
        table.add_row(label, value)
    return table


def _summary_table(result: Any) -> Table:
    s = result.summary
    per = "hour of sleep" if s.get("indices_per") == "hour_of_sleep" else "hour of recording (no hypnogram)"
    table = Table(title=f"Leg movements — {result.rules} rules, LMs from {result.lm_source}", caption=f"per {per}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, label, unit in _ROWS:
        table.add_row(label, _fmt(s.get(key), unit))
    thr = s.get("plms_threshold")
    above = s.get("plms_above_threshold")
    verdict = "—" if above is None else ("above" if above else "not above")
    table.add_row(f"PLMS index vs {thr:g}/h (ICSD-3)" if thr else "PLMS threshold", verdict)
    return table


def analyze_command(
    source: Path = typer.Argument(..., help="EDF/BDF with leg EMG, or an annotation file on its own."),
    annotations: list[Path] = typer.Option([], "--annotations", "-a", help="Extra annotation file (repeatable)."),
    rules: str = typer.Option("wasm2016", "--rules", help="Scoring rules: wasm2016 (default) or aasm."),
    lm_source: str = typer.Option(
        "auto", "--lm-source", help="scored (annotations), emg (our detector) or auto (emg when leg EMG exists)."
    ),
    lights_off: float | None = typer.Option(None, "--lights-off", help="Lights off, seconds from recording start."),
    lights_on: float | None = typer.Option(None, "--lights-on", help="Lights on, seconds from recording start."),
    channel: list[str] = typer.Option([], "--channel", help="Channel role override ROLE=NAME (repeatable)."),
    unit: list[str] = typer.Option(
        [], "--unit", help="Unit override LABEL=UNIT when the file's header is wrong, e.g. --unit 'LAT=mV'."
    ),
    json_out: Path | None = typer.Option(None, "--json", help="Write the result as JSON to this file."),
    out_dir: Path | None = typer.Option(
        None, "--out", help="Folder for result.json, events.csv and the report (when available)."
    ),
    resp_nr_method: str = typer.Option(
        "recompute", "--resp-nr-method", help="WASM 2016 non-respiratory PLMS: recompute (default) or drop."
    ),
    population: str = typer.Option("adult", "--population", help="PLMS threshold: adult (15/h) or child (5/h)."),
    allow_no_lms: bool = typer.Option(
        False, "--allow-no-lms", help="Accept annotations without any scored LM (a night scored with none)."
    ),
    twitches: str = typer.Option(
        "all", "--twitches", help="Other twitch kinds to measure: all, none, or a comma-separated list."
    ),
    device: str | None = typer.Option(
        None,
        "--device",
        help="Wearable/phone file: auto, axivity, geneactiv, actigraph, actiwatch or csv (time,x,y,z). "
        "Axivity, GENEActiv, ActiLife and Actiware files are recognised without it.",
    ),
    location: str = typer.Option("ankle", "--location", help="Wearable location: ankle, wrist or mattress."),
) -> None:
    """Score the leg movements of one night and print the indices (WASM 2016 or AASM rules)."""
    from twitchlab.pipeline import analyze

    channel_map = _parse_channels(channel)
    check_output_path(json_out, "--json", "file")  # before the work, not after it
    check_output_path(out_dir, "--out", "folder")
    with progress_bar("reading") as update:
        # a wearable or phone file takes the accelerometer path (issue 11), anything else the PSG pipeline
        result = _wearable(source, device, location, annotations, rules, resp_nr_method, population, update) or analyze(
            source,
            annotations=annotations,
            rules=rules.strip().lower(),  # type: ignore[arg-type]  # AASM, Wasm2016... are the same rules
            lm_source=lm_source.strip().lower(),  # type: ignore[arg-type]
            lights_off_s=lights_off,
            lights_on_s=lights_on,
            channel_map=channel_map,
            units=_parse_units(unit) or None,
            progress=update,
            resp_nr_method=resp_nr_method.strip().lower(),
            population=population.strip().lower(),
            allow_no_scored_lms=allow_no_lms,
            twitches=twitches,
        )
    coverage = _coverage_line(result)
    if coverage:  # a cut-off file: say so above the numbers, which cover only the part read
        console.print(coverage)
    console.print(_summary_table(result))
    if coverage:  # and again below them, where the eye lands last
        console.print(coverage)
    if result.lm_source == "accelerometer":  # wearable path (issue 11): the agreement caveat of SCORING_SPEC §7
        console.print(f"[yellow]{result.summary.get('agreement_caveat')}[/]")
        console.print(f"[dim]Sleep: {result.summary.get('sleep_source')}.[/]")
    tw = _twitch_table(result)
    if tw is not None:
        console.print(tw)
    s = result.summary
    if not s.get("resp_events_available"):
        console.print("[dim]No respiratory events annotated: non-respiratory PLMS index not computed.[/]")
    if not s.get("arousals_available"):
        console.print("[dim]No arousals annotated: PLMS-with-arousal index not computed.[/]")
    if s.get("plms_above_threshold"):
        console.print(
            "[yellow]The PLMS index is above the ICSD-3 threshold. That is a measurement, not a diagnosis: "
            "periodic limb movement disorder also needs clinical sleep disturbance not better explained by "
            "another condition. Talk to a sleep clinician.[/]"
        )
    if json_out is not None:
        result.to_json(json_out)
        console.print(f"JSON: [bold]{json_out}[/]")
    if out_dir is not None:
        _write_outputs(result, out_dir)


def _coverage_line(result: Any) -> str | None:
    """The bold line that says only part of a cut-off recording was read (``None`` when it was read whole)."""
    note = getattr(result, "coverage_note", None)
    text = note() if callable(note) else None
    return f"[bold yellow]Incomplete recording. {text}[/]" if text else None


def _write_outputs(result: Any, out_dir: Path) -> None:
    from twitchlab._util import atomic_write
    from twitchlab.results import events_to_csv

    out_dir.mkdir(parents=True, exist_ok=True)
    result.to_json(out_dir / "result.json")
    with atomic_write(out_dir / "events.csv") as fh:
        fh.write(events_to_csv(result.events))  # rounded for reading; result.json keeps full precision
    console.print(f"Wrote [bold]{out_dir / 'result.json'}[/] and [bold]{out_dir / 'events.csv'}[/]")
    try:
        from twitchlab.report import write_report
    except ImportError:
        err_console.print("[dim]The HTML/PDF report is not available in this installation; skipped.[/]")
        return
    paths = write_report(result, out_dir)
    items = paths.values() if isinstance(paths, dict) else paths if isinstance(paths, list | tuple) else [paths]
    for p in items:
        console.print(f"Report: [bold]{p}[/]")


# --- wearable dispatch (issue 11; owned by twitchlab.wearable) ------------------------------------------------


def _wearable(
    source: Path,
    device: str | None,
    location: str,
    annotations: list[Path],
    rules: str,
    resp_nr_method: str,
    population: str,
    update: Any,
) -> Any:
    """Run :func:`twitchlab.wearable.analyze_wearable` when ``--device`` is given or the file is a wearable's."""
    from twitchlab.io.accel import wearable_kind

    if device is None and wearable_kind(source) is None:
        return None
    from twitchlab.wearable import analyze_wearable

    if len(annotations) > 1:
        raise ParameterError("with a wearable file, pass at most one --annotations file: a hypnogram")
    return analyze_wearable(
        source,
        device=(device or "auto").strip().lower(),
        location=location.strip().lower(),  # type: ignore[arg-type]
        hypnogram=annotations[0] if annotations else None,
        rules=rules.strip().lower(),  # type: ignore[arg-type]
        progress=update,
        resp_nr_method=resp_nr_method.strip().lower(),
        population=population.strip().lower(),
    )


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command."""
    app.command("analyze")(handle_errors(analyze_command))
