"""``twitchlab info``: what is in a recording or annotation file, and what twitchlab makes of it."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from twitchlab._util import atomic_write
from twitchlab.cli._common import check_output_path, console, handle_errors, progress_bar
from twitchlab.errors import ParameterError, TwitchlabError, TwitchlabWarning
from twitchlab.io import read_recording
from twitchlab.model import Recording

__all__ = ["info_summary", "parse_channel_options", "register"]

#: Compute signal ranges without being asked when the file is at most this big.
CHEAP_RANGE_BYTES = 50 << 20


def parse_channel_options(options: list[str] | None, *, flag: str = "--channel") -> dict[str, str]:
    """Turn ``["left=LAT", "right=RAT"]`` into ``{"left": "LAT", "right": "RAT"}``."""
    example = "--channel left='EMG Tib L'" if flag == "--channel" else "--unit 'Leg L=mV'"
    out: dict[str, str] = {}
    for opt in options or []:
        key, sep, name = opt.partition("=")
        if not sep or not key.strip() or not name.strip():
            raise ParameterError(f"{flag} {opt!r}: write KEY=VALUE, e.g. {example}.")
        out[key.strip()] = name.strip()
    return out


def _channel_row(rec: Recording, label: str, with_range: bool) -> dict[str, Any]:
    ch = rec.channels[label]
    row: dict[str, Any] = {
        "label": ch.label,
        "label_original": ch.label_original,
        "role": ch.role,
        "fs_hz": ch.fs_hz,
        "unit": ch.unit,
        "physical_dimension": ch.physical_dimension,
        "n_samples": ch.n_samples,
        "duration_s": ch.duration_s,
        "resolution": ch.resolution,
        "min": None,
        "max": None,
        "range_error": None,
    }
    if with_range:
        try:
            data = ch.data if ch.is_loaded else np.asarray(ch.loader(), dtype=float)  # not cached: one at a time
            finite = data[np.isfinite(data)]
            if finite.size:
                row["min"], row["max"] = float(finite.min()), float(finite.max())
        except TwitchlabError as err:  # e.g. digital range 0: report per channel, keep going
            row["range_error"] = str(err)
    return row


def info_summary(rec: Recording, *, with_range: bool, progress: Any = None) -> dict[str, Any]:
    """Everything ``twitchlab info`` shows, as a JSON-ready dict."""
    rows = []
    for i, label in enumerate(rec.channels):
        rows.append(_channel_row(rec, label, with_range))
        if progress is not None:
            progress(i + 1, len(rec.channels))
    legs = {side: ch.label for side, ch in rec.leg_channels().items()}
    counts = rec.events["type"].value_counts().sort_index() if len(rec.events) else None
    hyp = rec.hypnogram
    return {
        "file": rec.source,
        "format": rec.inputs[0]["kind"] if rec.inputs else None,
        "start": rec.start.isoformat() if rec.start else None,
        "duration_s": rec.duration_s,
        "gaps": [list(g) for g in rec.gaps],
        "channels": rows,
        "leg_channels": legs,
        "n_events": len(rec.events),
        "events_by_type": {str(k): int(v) for k, v in counts.items()} if counts is not None else {},
        "hypnogram": None
        if hyp is None
        else {
            "n_epochs": hyp.n_epochs,
            "epoch_s": hyp.epoch_s,
            "start_s": hyp.start_s,
            "end_s": hyp.end_s,
            "minutes": {k: round(v, 2) for k, v in hyp.minutes().items()},
            "source": hyp.source,
        },
        "warnings": list(rec.warnings),
        "inputs": rec.inputs,
    }


def _fmt(x: float | None, digits: int = 4) -> str:
    return "" if x is None else f"{x:.{digits}g}"


def _print(summary: dict[str, Any], with_range: bool) -> None:
    dur = summary["duration_s"]
    console.print(
        f"[bold]{summary['file']}[/] · {summary['format']} · start {summary['start'] or 'unknown'} · "
        f"{dur:g} s ({dur / 3600:.2f} h) · {len(summary['channels'])} channels"
    )
    if summary["gaps"]:
        total = sum(b - a for a, b in summary["gaps"])
        kind = " (EDF+D)" if str(summary["format"] or "").upper().startswith(("EDF", "BDF")) else ""
        console.print(f"[yellow]{len(summary['gaps'])} gap(s), {total:g} s unrecorded{kind}; NaN there.[/]")
    if summary["channels"]:
        table = Table(title="Channels", show_lines=False)
        for col in ("label", "role", "fs (Hz)", "unit", "duration (s)", "step", "min", "max"):
            left = col in ("label", "role", "unit")
            table.add_column(col, justify="left" if left else "right", overflow="fold", no_wrap=col == "role")
        for r in summary["channels"]:
            label = r["label"] if r["label"] == r["label_original"] else f"{r['label']} ({r['label_original']})"
            style = "bold green" if r["role"].startswith("leg_") else None
            rng = (_fmt(r["min"]), _fmt(r["max"])) if r["range_error"] is None else ("[red]unreadable[/]", "")
            table.add_row(
                label,
                r["role"],
                _fmt(r["fs_hz"], 6),
                r["unit"] or "-",
                _fmt(r["duration_s"], 7),
                _fmt(r["resolution"], 3),
                *rng,
                style=style,
            )
        console.print(table)
        if not with_range:
            console.print("[dim]Signal ranges not computed for a large file; pass --range to compute them.[/]")
    legs = summary["leg_channels"]
    if legs:
        console.print("Leg EMG: " + ", ".join(f"[bold]{side}[/] = {label}" for side, label in legs.items()))
        if "B" in legs:
            console.print("[yellow]One both-legs channel: bilateral rules cannot be applied (SCORING_SPEC §1).[/]")
    elif any(r["role"] == "accel" for r in summary["channels"]):  # a wearable: movement, not EMG
        console.print(
            f"A wearable recording ({summary['format']}): analyse it with twitchlab analyze "
            f"{summary['file'] or 'FILE'} --location ankle|wrist|mattress (where it was worn)."
        )
    elif summary["channels"]:
        console.print("[yellow]No leg EMG channel found.[/] Name one with --channel left=NAME --channel right=NAME.")
    if summary["events_by_type"]:
        et = Table(title=f"Events ({summary['n_events']})")
        et.add_column("type")
        et.add_column("count", justify="right")
        for typ, n in summary["events_by_type"].items():
            et.add_row(typ, str(n))
        console.print(et)
    else:
        console.print("No annotations.")
    hyp = summary["hypnogram"]
    if hyp:
        mins = ", ".join(f"{k} {v:.1f}" for k, v in hyp["minutes"].items() if v > 0)
        console.print(
            f"Hypnogram: {hyp['n_epochs']} epochs of {hyp['epoch_s']:g} s from {hyp['start_s']:g} s (minutes: {mins})"
        )
    else:
        console.print("No hypnogram.")
    if summary["warnings"]:
        console.print(f"[yellow bold]{len(summary['warnings'])} warning(s):[/]")
        for w in summary["warnings"]:
            console.print(f"  [yellow]•[/] {w}", highlight=False)


def _read_any(file: Path, annotations: list[Path], channel_map: dict[str, str], units: dict[str, str]) -> Recording:
    """A PSG/annotation file through :func:`read_recording`, a wearable file through ``io.accel``."""
    from twitchlab.io.accel import read_accel, wearable_kind

    if file.is_file() and wearable_kind(file) is not None:
        if channel_map or units:
            raise ParameterError(f"{file.name} is a wearable recording; --channel and --unit apply to PSG files only.")
        rec = read_accel(file)
        if annotations:
            from twitchlab.io.recording import merge_annotations

            rec = merge_annotations(rec, annotations)
        return rec
    return read_recording(file, annotations=annotations, channel_map=channel_map or None, units=units or None)


def register(app: typer.Typer) -> None:
    """Add ``twitchlab info`` to the app."""

    @app.command("info")
    @handle_errors
    def info(
        file: Path = typer.Argument(..., help="EDF/EDF+/BDF recording, or an annotation file."),
        annotations: list[Path] = typer.Option(
            None, "--annotations", "-a", help="Extra annotation file (XML, CSV/TSV, EDF+, DOMINO, Noxturnal)."
        ),
        channel: list[str] = typer.Option(
            None, "--channel", "-c", help="Role override ROLE=NAME (left, right, chin, ecg...); repeatable."
        ),
        unit: list[str] = typer.Option(
            None, "--unit", "-u", help="Unit override LABEL=UNIT when the header unit is wrong (e.g. 'LAT=mV')."
        ),
        json_out: Path = typer.Option(None, "--json", help="Also write everything shown as JSON to this file."),
        with_range: bool = typer.Option(
            None, "--range/--no-range", help="Compute each signal's min/max (default: only for files < 50 MB)."
        ),
    ) -> None:
        """Show channels (label -> role, rate, unit, range), leg channels, events, hypnogram and warnings."""
        check_output_path(json_out, "--json", "file", "info.json")
        channel_map = parse_channel_options(channel)
        units = parse_channel_options(unit, flag="--unit")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TwitchlabWarning)  # shown once below, from rec.warnings
            rec = _read_any(file, annotations or [], channel_map, units)
        do_range = with_range if with_range is not None else file.stat().st_size <= CHEAP_RANGE_BYTES
        if do_range and rec.channels:
            with progress_bar("reading signals", total=len(rec.channels)) as update:
                summary = info_summary(rec, with_range=True, progress=update)
        else:
            summary = info_summary(rec, with_range=False)
        _print(summary, bool(do_range))
        if json_out is not None:
            with atomic_write(json_out) as fh:
                json.dump(summary, fh, indent=2, default=str, ensure_ascii=False)
            console.print(f"[dim]wrote {json_out}[/]")
