"""`twitchlab demo`: the whole path on a phantom night, from an EDF+ file to the report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.panel import Panel
from rich.table import Table

from twitchlab.cli._common import check_output_path, console, handle_errors

_ROWS = (
    ("plms_index", "PLMS index (periodic movements per hour of sleep)", "{:.1f} /h"),
    ("plms_nr_index", "  without breathing-related movements", "{:.1f} /h"),
    ("lm_count", "Leg movements", "{:d}"),
    ("plms_count", "Periodic leg movements in sleep", "{:d}"),
    ("plm_series_count", "PLM series", "{:d}"),
    ("resp_lm_count", "Movements with a breathing event", "{:d}"),
    ("tst_min", "Sleep", "{:.0f} min"),
)


def demo_command(
    out: Path = typer.Option(Path("demo-output"), "--out", "-o", help="Folder for the EDF, result.json and report."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the phantom night (default: the demo's own)."),
    hours: float = typer.Option(8.0, "--hours", min=0.25, max=16.0, help="Length of the phantom night in hours."),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Write only the HTML report."),
) -> None:
    """Simulate a night with frequent leg movements, write it as EDF+, analyse that file and write the report."""
    from twitchlab.demo import run_demo

    check_output_path(out, "--out", "folder")
    with console.status("starting") as status:
        result = run_demo(
            out,
            seed=seed,
            duration_h=hours,
            formats=("html",) if no_pdf else ("html", "pdf"),
            step=lambda m: status.update(m),
        )
    s = result.result.summary
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column(justify="right", style="bold")
    for key, label, fmt in _ROWS:
        value = s.get(key)
        table.add_row(label, "not available" if value is None else fmt.format(value))
    t = result.truth
    console.print(Panel(table, title="Demo night analysed", subtitle="measured in the EDF file"))

    def n(key: str, word: str, plural: str | None = None) -> str:
        value = t.get(key)
        return f"{value} {word if value == 1 else (plural or word + 's')}"

    console.print(
        f"[dim]Truth vs measured: the simulator drew {n('movements', 'leg movement')} "
        f"({n('trains', 'periodic train')}), {n('resp_events', 'breathing event')}, "
        f"{n('sleep_starts', 'sleep start')} and {n('rem_twitches', 'REM twitch', 'REM twitches')}. "
        "The numbers above are what twitchlab measured in the file, so they differ: some drawn movements "
        "merge or fall outside sleep, and some REM twitches and sleep starts on the legs also meet the "
        "leg-movement rules.[/]"
    )
    lines = [("Phantom night (EDF+):", result.edf), ("Result (JSON):", result.result_json)]
    lines += [(f"Report ({fmt.upper()}):", path) for fmt, path in result.report.items()]
    for label, path in lines:
        console.print(f"{label:<22}[bold]{path}[/]")
    html = result.report.get("html")
    if html is not None:
        console.print(f"Open it in a browser: [link=file://{html.resolve()}]file://{html.resolve()}[/link]")


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command."""
    app.command("demo")(handle_errors(demo_command))
