"""``twitchlab triage``: ask the questions (or read them from a file) and print plain findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from twitchlab.assess.findings import TriageReport, triage
from twitchlab.assess.night import load_night
from twitchlab.assess.questionnaire import Question, Questionnaire, load_questionnaire, read_answers
from twitchlab.assess.render import KIND_WORDS, write_findings
from twitchlab.assess.storage import save_answers
from twitchlab.cli._common import check_output_path, console, handle_errors
from twitchlab.errors import ParameterError

__all__ = ["ask_questions", "print_report", "register"]

STYLE = {"red_flag": "bold red", "discuss": "dark_orange", "self_care": "blue", "reassuring": "green", "info": "grey50"}
ORIGIN_WORDS = {"answer": "your answer", "metric": "measured", "reference": "reference level"}
HELP_LINE = "Press Enter to skip a question, type b to go back, q to finish early."


def _choice_lines(q: Question) -> str:
    return "\n".join(f"  [bold]{i}[/] {text}" for i, text in enumerate(q.choices.values(), start=1))


def _typed_to_value(q: Question, typed: str) -> Any:
    """Map what was typed (a number, ``y``/``n``/``u``, ids) to a raw answer value."""
    keys = list(q.choices)
    if q.kind == "yesno":
        return {"u": "unsure", "1": "yes", "2": "no", "3": "unsure"}.get(typed.lower(), typed)
    if q.kind in ("choice", "multi"):
        parts = [p.strip() for p in typed.replace(";", ",").split(",") if p.strip()]
        picked = [keys[int(p) - 1] if p.isdigit() and 1 <= int(p) <= len(keys) else p for p in parts]
        return picked if q.kind == "multi" else (picked[0] if len(picked) == 1 else typed)
    return typed


def _ask_one(q: Question, number: int, total: int, section: str, con: Console) -> str:
    con.print(f"\n[dim]{number}/{total} · {section}[/]")
    con.print(f"[bold]{q.text}[/]")
    if q.kind == "yesno":
        con.print("  [bold]y[/] yes   [bold]n[/] no   [bold]u[/] not sure")
    elif q.kind in ("choice", "multi"):
        con.print(_choice_lines(q) + ("\n  (several: e.g. 1,3)" if q.kind == "multi" else ""))
    try:
        return con.input("> ").strip()
    except EOFError:
        return "q"


def ask_questions(
    questionnaire: Questionnaire | None = None, *, con: Console | None = None, initial: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Ask every question interactively; skippable, can go back, can finish early.

    Parameters
    ----------
    questionnaire : Questionnaire, optional
        Defaults to the shipped one.
    con : rich.console.Console, optional
        Where to ask (defaults to the CLI console).
    initial : dict, optional
        Answers to start from.

    Returns
    -------
    dict
        Canonical answers (skips absent).
    """
    qn = questionnaire or load_questionnaire()
    con = con or console
    answers: dict[str, Any] = dict(initial or {})
    history: list[int] = []
    i = 0
    con.print(f"[bold]twitchlab triage[/] — questionnaire v{qn.version}. {HELP_LINE}")
    while i < len(qn.questions):
        q = qn.questions[i]
        if not qn.is_asked(q.id, answers):
            answers.pop(q.id, None)
            i += 1
            continue
        typed = _ask_one(q, i + 1, len(qn.questions), qn.sections[q.section], con)
        if typed.lower() in ("q", "quit", "done"):
            break
        if typed.lower() in ("b", "back"):
            i = history.pop() if history else 0
            continue
        if typed == "":
            answers.pop(q.id, None)
        else:
            try:
                value = q.normalize(_typed_to_value(q, typed), where="your answer")
            except ParameterError as err:
                con.print(f"[yellow]{err}[/] Try again, or press Enter to skip.")
                continue
            answers[q.id] = value
        history.append(i)
        i += 1
    return answers


def _finding_panel(f: Any, width: int | None = None) -> Panel:
    """One finding as a panel; a title too long for the top border (``width`` columns) goes into the body."""
    kind = KIND_WORDS[f.kind]
    fits = width is None or len(kind) + 3 + len(f.title) <= width - 6  # '╭─ ' + title + ' ─╮'
    body = Text()
    if not fits:  # Rich would cut it with an ellipsis: wrap it as the first, bold, line instead
        body.append(f.title + "\n", style="bold")
    body.append(f.sentence + "\n")
    if f.clinician:
        body.append("\nWhat to do: " if f.kind == "red_flag" else "\nWhen to see a clinician: ", style="bold")
        body.append(f.clinician + "\n")
    if f.evidence:
        body.append("\nWhy we say this:\n", style="bold")
        for e in f.evidence:
            body.append(f"  • {e.label}: {e.shown} ({ORIGIN_WORDS[e.origin]})\n")
    body.append("How sure: ", style="bold")
    body.append(f.confidence + "\n")
    if f.suggestions:
        body.append("\nWhat you can try:\n", style="bold")
        for s in f.suggestions:
            body.append(f"  • {s.text}\n    ")
            body.append(s.command + "\n", style="cyan")
    body.append("\nSources: " + "; ".join(s.short for s in f.sources), style="dim")
    title = f"[{STYLE[f.kind]}]{kind}[/]" + (f" · {f.title}" if fits else "")
    return Panel(body, title=title, title_align="left", border_style=STYLE[f.kind].split()[-1])


def print_report(report: TriageReport, con: Console | None = None) -> None:
    """Print the findings with Rich: the overall advice first, red flags first."""
    con = con or console
    con.print(Panel(Text(report.overall_sentence, style=STYLE[report.overall]), title="Triage", title_align="left"))
    for f in report.findings:
        con.print(_finding_panel(f, width=con.width))
    if report.suppressed:
        con.print(
            f"[dim]{len(report.suppressed)} reassuring note(s) held back because a warning sign comes first: "
            f"{', '.join(report.suppressed)}.[/]"
        )
    con.print(f"[dim]{report.disclaimer}[/]")


def register(app: typer.Typer) -> None:
    """Add the ``triage`` command to the app."""

    @app.command("triage")
    @handle_errors
    def triage_cmd(
        answers: Path | None = typer.Option(
            None, "--answers", "-a", help="Answers file (YAML/JSON); without it the questions are asked here."
        ),
        night: list[Path] = typer.Option(
            [], "--night", "-n", help="Night result JSON from `twitchlab analyze --json` (repeat for several nights)."
        ),
        json_out: Path | None = typer.Option(None, "--json", help="Write the findings as JSON to this file."),
        out: Path | None = typer.Option(None, "--out", help="Write findings.json and findings.html into this folder."),
        save: bool = typer.Option(
            True, "--save/--no-save", help="Keep typed answers in the local twitchlab folder (TWITCHLAB_HOME)."
        ),
    ) -> None:
        """Is this twitching a problem? Plain findings from your answers and measured nights (never a diagnosis)."""
        check_output_path(json_out, "--json", "file", "findings.json")
        check_output_path(out, "--out", "folder")
        qn = load_questionnaire()
        if answers is not None:
            given = read_answers(answers, qn)
        else:
            given = ask_questions(qn)
            if save and given:  # nothing typed: nothing to keep (an empty file would replace the latest answers)
                path = save_answers(given, questionnaire=qn)
                console.print(f"[dim]Answers kept on this machine: {path}[/]")
        nights = [load_night(p) for p in night]
        report = triage(given, nights, questionnaire=qn)
        print_report(report)
        if json_out is not None:
            from twitchlab._util import atomic_write

            with atomic_write(json_out) as fh:
                fh.write(report.to_json())
            console.print(f"[dim]Findings written to {json_out}[/]")
        if out is not None:
            paths = write_findings(report, out)
            console.print(f"[dim]Findings written to {paths['json']} and {paths['html']}[/]")
            if night:  # the night report of the latest night, with the findings in it
                from twitchlab.errors import InputFileError
                from twitchlab.report import write_report
                from twitchlab.results import NightResult

                try:
                    result = NightResult.from_json(night[-1])
                except InputFileError as err:  # a summary-only file: findings are still written above
                    console.print(f"[dim]No night report: {err}[/]")
                else:
                    written = write_report(result, out, formats=("html",), findings=report)
                    console.print(f"Night report with these findings: [bold]{written['html']}[/]")
