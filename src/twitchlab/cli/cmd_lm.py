"""``twitchlab lm``: detect leg movements in the leg EMG and show the signal quality, without scoring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from twitchlab._util import atomic_write
from twitchlab.cli._common import check_output_path, console, handle_errors, progress_bar
from twitchlab.errors import ParameterError

__all__ = ["register"]


def _channel_map(options: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for opt in options or []:
        key, sep, name = opt.partition("=")
        if not sep or not key.strip() or not name.strip():
            raise ParameterError(f"--channel {opt!r}: write ROLE=NAME, e.g. --channel left='EMG Tib L'.")
        out[key.strip()] = name.strip()
    return out


def _quality_table(det: Any) -> Table:
    table = Table(title="Leg EMG: movements and quality (30-s epochs)")
    for col, just in (("leg", "left"), ("channel", "left"), ("LMs", "right"), ("scorable", "right"),
                      ("lost to", "left"), ("onset µV", "right"), ("cardiac", "left"), ("notch", "left")):  # fmt: skip
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for side, p in det.params["sides"].items():
        q = det.quality[det.quality["side"] == side]
        bad = q.loc[~q["scorable"], "state"].value_counts()
        reasons = ", ".join(f"{k} {v}" for k, v in bad.items()) or "-"
        n_lm = int((det.events["side"] == side).sum())
        card = p["cardiac"]
        name = {"ecg_channel": "ECG", "heart_rate_periodicity": "HR rhythm"}.get(card["method"], card["method"])
        card_txt = f"{name} {card.get('suppressed', 0)}" if card["method"] != "off" else "off"
        lo, hi = p["onset_thr_uv_median"], p["onset_thr_uv_max"]
        table.add_row(
            side,
            p["channel"],
            str(n_lm),
            f"{det.scorable_s[side] / 60:.0f} min",
            reasons,
            f"{lo:.0f}" if hi - lo < 0.5 else f"{lo:.0f}-{hi:.0f}",
            card_txt,
            f"{p['mains_hz']:g} Hz" if p["mains_hz"] else "-",
        )
    return table


def register(app: typer.Typer) -> None:
    """Add ``twitchlab lm`` to the app."""

    @app.command("lm")
    @handle_errors
    def lm(
        file: Path = typer.Argument(..., help="EDF/EDF+/BDF recording with leg EMG."),
        channel: list[str] = typer.Option(
            None, "--channel", "-c", help="Role override ROLE=NAME (left, right, ecg); repeatable."
        ),
        onset_uv: float = typer.Option(8.0, help="Onset threshold above resting EMG (µV)."),
        offset_uv: float = typer.Option(2.0, help="Offset threshold above resting EMG (µV)."),
        adaptive: bool = typer.Option(True, "--adaptive/--fixed", help="Raise thresholds on noisy resting EMG."),
        ecg: str = typer.Option("auto", help="Cardiac artefact: auto, channel, periodicity or off."),
        notch: str = typer.Option("auto", help="Mains notch: auto, off, 50 or 60."),
        unit: list[str] = typer.Option(
            [], "--unit", help="Unit override LABEL=UNIT when the file's header is wrong, e.g. --unit 'LAT=mV'."
        ),
        out: Path = typer.Option(None, "--out", help="Folder for lms.csv, quality.csv and unscorable.csv."),
    ) -> None:
        """Detect leg movements (SCORING_SPEC §2) and show the per-leg signal quality; no PLM scoring."""
        from twitchlab.detect.lm import detect_leg_movements
        from twitchlab.io import read_recording

        key = notch.strip().lower()
        notch_value: str | float | None = {"auto": "auto", "off": None}.get(key)
        if key not in ("auto", "off"):
            try:
                notch_value = float(key)
            except ValueError:
                notch_value = None
            if notch_value not in (50.0, 60.0):  # the mains is 50 or 60 Hz; anything else is a typo
                raise ParameterError(f"--notch {notch!r}: use auto, off, 50 or 60 (the mains frequency in Hz).")
        ecg = ecg.strip().lower()
        check_output_path(out, "--out", "folder")
        from twitchlab.cli.cmd_info import parse_channel_options

        units = parse_channel_options(unit, flag="--unit") or None
        rec = read_recording(file, channel_map=_channel_map(channel) or None, units=units)
        with progress_bar("detecting leg movements") as update:
            det = detect_leg_movements(
                rec, onset_uv=onset_uv, offset_uv=offset_uv, adaptive=adaptive, ecg=ecg, notch=notch_value,  # type: ignore[arg-type]
                progress=update,
            )  # fmt: skip
        console.print(_quality_table(det))
        counts = det.events["side"].value_counts().to_dict()
        console.print(
            f"{len(det.events)} leg movements detected ({', '.join(f'{k} {v}' for k, v in counts.items()) or 'none'})"
            f"; {len(det.rejected)} candidates rejected."
        )
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            for name, df in (("lms", det.events), ("quality", det.quality), ("unscorable", det.unscorable)):
                with atomic_write(out / f"{name}.csv") as fh:
                    df.to_csv(fh, index=False)
            console.print(f"written: {out / 'lms.csv'}, {out / 'quality.csv'}, {out / 'unscorable.csv'}")
