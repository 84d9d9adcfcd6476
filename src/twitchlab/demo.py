"""The demo: the whole path on a phantom night, from an EDF+ file to the report.

:func:`run_demo` draws a night of a person with frequent periodic leg movements
and a few apnea-linked ones (:func:`twitchlab.simulate.simulate_night`), renders
its leg EMG and ECG (:mod:`twitchlab.simulate.emg`), overlays a few sleep starts and REM twitches with
a chin channel (:func:`twitchlab.simulate.twitches.add_twitches`), writes a real EDF+ file with
the hypnogram, apneas, arousals and lights-off/on as annotations
(:func:`twitchlab.io.write_edf`), analyses that FILE with the same code path as
``twitchlab analyze`` (:func:`twitchlab.pipeline.analyze`) and writes the report.
No download; about 10 s on a laptop.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twitchlab.report import write_report
from twitchlab.results import NightResult

__all__ = ["DEMO_NIGHT", "DemoOutput", "run_demo"]

logger = logging.getLogger(__name__)

#: The phantom person: frequent PLMS trains (RLS/PLMD-like), a mild apnea rate so that some
#: movements follow breathing events, ECG bleeding into the leg EMG (removed by the detector).
DEMO_NIGHT: dict[str, Any] = {
    "seed": 7,
    "profile": "plms",
    "duration_h": 8.0,
    "rates": {"trains_per_h": 3.5, "ahi": 6.0, "resp_lm_p": 0.5},
    "fs_hz": 200.0,
    "condition": "ecg",
}


@dataclass(frozen=True)
class DemoOutput:
    """What the demo wrote and found.

    Attributes
    ----------
    edf : Path
        The phantom night as EDF+ (leg EMG, ECG, annotations).
    result_json : Path
        :meth:`NightResult.to_json` of the analysis.
    report : dict of str to Path
        Report files by format (``html``, ``pdf``).
    result : NightResult
        The analysis of ``edf``.
    truth : dict
        What was simulated: ``movements``, ``trains``, ``resp_events``, ``arousals``, ``sleep_starts``,
        ``rem_twitches``.
    """

    edf: Path
    result_json: Path
    report: dict[str, Path]
    result: NightResult
    truth: dict[str, int] = field(default_factory=dict)


def run_demo(
    out_dir: str | os.PathLike[str] = "demo-output",
    *,
    seed: int | None = None,
    duration_h: float | None = None,
    formats: tuple[str, ...] = ("html", "pdf"),
    step: Callable[[str], None] | None = None,
) -> DemoOutput:
    """Simulate a night, write it as EDF+, analyse the file and write the report.

    Parameters
    ----------
    out_dir : path-like
        Folder for ``demo-night.edf``, ``result.json`` and the report (created when missing).
    seed : int, optional
        Seed of the phantom night (default :data:`DEMO_NIGHT` ``["seed"]``); the same seed gives the
        same files, apart from time stamps.
    duration_h : float, optional
        Length of the night in hours (default :data:`DEMO_NIGHT` ``["duration_h"]``, 8 h).
    formats : tuple of str
        Report formats (see :func:`twitchlab.report.write_report`).
    step : callable, optional
        Called with a short description before each stage (the CLI shows it).

    Returns
    -------
    DemoOutput
        Paths, the result and the simulated truth.

    Examples
    --------
    >>> out = run_demo("demo-output")  # doctest: +SKIP
    >>> out.result.summary["plms_index"] > 15  # doctest: +SKIP
    True
    """
    from twitchlab.io import write_edf
    from twitchlab.pipeline import analyze
    from twitchlab.simulate import simulate_night
    from twitchlab.simulate.emg import simulate_emg_recording
    from twitchlab.simulate.twitches import add_twitches

    say = step or (lambda msg: logger.info(msg))
    cfg = DEMO_NIGHT
    seed = cfg["seed"] if seed is None else int(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    say("simulating a night with frequent periodic leg movements")
    hours = cfg["duration_h"] if duration_h is None else float(duration_h)
    night = simulate_night(seed, profile=cfg["profile"], duration_h=hours, **cfg["rates"])
    rec, _ = simulate_emg_recording(
        night.lms,
        night.duration_s,
        fs_hz=cfg["fs_hz"],
        condition=cfg["condition"],
        rng=seed,
        hypnogram=night.hypnogram,
    )
    rec.events = night.events  # all truth for now, so that the added twitches keep clear of the leg movements
    say("adding sleep starts, REM twitches and a chin channel")
    rec, twitch_truth = add_twitches(rec, seed)
    events = rec.events
    rec.events = events[~events["type"].isin(["lm_left", "lm_right"])].reset_index(drop=True)  # LMs come from EMG
    rec.source = "twitchlab demo night"

    say("writing it as an EDF+ file with annotations")
    edf = write_edf(rec, out / "demo-night.edf")

    say("analysing the file (detection and WASM 2016 scoring)")
    result = analyze(edf)
    result_json = out / "result.json"
    result.to_json(result_json)

    say("writing the report")
    paths = write_report(result, out, formats=formats)
    truth = {
        "movements": int(night.lms["movement_id"].nunique()) if "movement_id" in night.lms else len(night.lms),
        "trains": int(night.lms["train_id"].nunique()) if "train_id" in night.lms else 0,
        "resp_events": len(night.resp_events),
        "arousals": len(night.arousals),
        "sleep_starts": int((twitch_truth["type"] == "hypnic_jerk").sum()) if len(twitch_truth) else 0,
        "rem_twitches": int((twitch_truth["type"] == "rem_twitch").sum()) if len(twitch_truth) else 0,
    }
    return DemoOutput(edf=edf, result_json=result_json, report=paths, result=result, truth=truth)
