"""Speed and peak memory of leg-movement detection on a 2-leg EDF, next to the floor, in the same run.

Floor: reading the two leg channels with edfio + the 10-100 Hz band-pass (scipy ``sosfiltfilt``) alone;
"floor(tw)" is the same with ``twitchlab.io.read_edf`` as the reader, to separate reader and detector costs.
Ours: ``twitchlab.io.read_edf`` + ``twitchlab.detect.lm.detect_leg_movements`` (conditioning, notch check,
envelope, resting level, cardiac check, rules, quality map). Each measurement runs in a fresh process
(peak RSS reset after imports), floor and ours alternate, and medians are reported. Wall time on a shared
machine is noisy; the CPU-time ratios (user + system of the measuring process) are steadier. "paired" is the
median of the per-repeat ratios (ours and the floor run back to back, so slow drifts in the machine's load
cancel), "best" the ratio of the fastest runs (the least disturbed).

Twitch kinds (issue 10): ``twitchlab.pipeline.analyze`` on an 8-h night with both legs and the chin (256 Hz,
sleep starts, REM twitches, long contractions, hypnogram; EDF written with ``write_edf``), with
``twitches="none"`` and ``"all"`` alternating in fresh processes of the same run; the added percentage is
given for the median wall time and the median CPU time (target: at most 30 %). A third process, "none + chin",
runs ``twitches="none"`` and then reads the chin and conditions it with the shared chain
(``condition_emg`` with the twitch envelope), which splits the added time into the chin's conditioning (the
chain the twitch kinds must reuse) and everything the detectors add beyond it.

Usage::

    .venv/bin/python benchmarks/speed.py                 # 8 h @ 256 Hz, 8 h @ 512 Hz, 24 h @ 256 Hz, twitches
    .venv/bin/python benchmarks/speed.py --cases 8h-256 --repeats 5
    .venv/bin/python benchmarks/speed.py --cases --repeats 5          # the twitch comparison only
    .venv/bin/python benchmarks/speed.py --no-twitches               # leg movements only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = {"8h-256": (8.0, 256.0), "8h-512": (8.0, 512.0), "24h-256": (24.0, 256.0)}


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def worker(kind: str, path: str) -> dict[str, float]:
    """Run one measurement in this process; return wall time and memory."""
    import warnings

    import edfio
    import numpy as np
    from scipy import signal as sps

    from twitchlab.detect.lm import detect_leg_movements
    from twitchlab.io import read_edf
    from twitchlab.signal.filters import bandpass_sos

    warnings.simplefilter("ignore")
    base = _rss_mb("VmRSS")
    _reset_peak()
    c0 = time.process_time()
    t0 = time.perf_counter()
    n_lm = -1
    if kind == "floor":
        edf = edfio.read_edf(path)
        for sig in edf.signals:
            if sig.label.strip() in ("Leg L", "Leg R"):
                x = sig.data
                y = sps.sosfiltfilt(bandpass_sos(sig.sampling_frequency), x)
                float(np.abs(y).mean())
    elif kind in ("analyze_none", "analyze_all"):  # the whole pipeline on legs + chin, twitch kinds off / on
        from twitchlab.pipeline import analyze

        res = analyze(path, lm_source="emg", twitches=kind.removeprefix("analyze_"))
        n_lm = len(res.events)
    elif kind == "analyze_chin":  # twitches="none" plus reading and conditioning the chin (the shared chain)
        from twitchlab.detect._emg import TWITCH_ENVELOPE
        from twitchlab.io import read_recording
        from twitchlab.pipeline import analyze
        from twitchlab.signal import condition_emg

        rec = read_recording(path)
        n_lm = len(analyze(rec, lm_source="emg", twitches="none").events)
        chin = rec.channels_with_role("chin")[0]
        window_s, env_fs_hz = TWITCH_ENVELOPE
        float(condition_emg(chin.data, chin.fs_hz, envelope_s=window_s, env_fs_hz=env_fs_hz).envelope_uv.mean())
    elif kind == "floor_tw":  # the same floor with twitchlab's reader, to separate reader and detector costs
        rec = read_edf(path, hash_inputs=False)
        for ch in rec.leg_channels().values():
            y = sps.sosfiltfilt(bandpass_sos(ch.fs_hz), ch.data)
            float(np.abs(y).mean())
    else:
        rec = read_edf(path, hash_inputs=False)
        n_lm = len(detect_leg_movements(rec).events)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {"wall_s": wall, "cpu_s": cpu, "peak_mb": _rss_mb("VmHWM") - base, "n_lm": n_lm}


def make_edf(hours: float, fs_hz: float, path: Path, seed: int = 0) -> None:
    """Write a clean 2-leg night (LMs from ``simulate_night``, tiled beyond 16 h)."""
    import warnings

    import pandas as pd

    from twitchlab.io import write_edf
    from twitchlab.simulate.emg import emg_recording, simulate_emg
    from twitchlab.simulate.night import simulate_night

    warnings.simplefilter("ignore")
    night = simulate_night(seed, profile="plms", duration_h=8.0)
    reps = int(-(-hours // 8))
    truth = pd.concat([night.lms.assign(onset_s=night.lms.onset_s + 28800 * k,
                                        offset_s=night.lms.offset_s + 28800 * k) for k in range(reps)])  # fmt: skip
    legs, _, _ = simulate_emg(truth, hours * 3600, fs_hz=fs_hz, condition={"with_ecg": False}, rng=seed)
    write_edf(emg_recording(legs, fs_hz), path)


def make_twitch_edf(hours: float, path: Path, seed: int = 7) -> None:
    """Write a night with both legs and the chin at 256 Hz (sleep starts, REM twitches, long contractions)."""
    import warnings

    from twitchlab.io import write_edf
    from twitchlab.simulate.twitches import simulate_twitch_night

    warnings.simplefilter("ignore")
    kinds = ["hypnic_jerk", "rem_twitch", "long_contraction"]
    write_edf(simulate_twitch_night(seed, duration_h=hours, kinds=kinds).recording, path)


def _paired(ours: list[dict[str, float]], floor: list[dict[str, float]]) -> float:
    """Median of the per-repeat wall-time ratios (ours and the floor run back to back in each repeat)."""
    ratios = sorted(o["wall_s"] / f["wall_s"] for o, f in zip(ours, floor, strict=True))
    return ratios[len(ratios) // 2]


def _run(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def twitch_overhead(folder: Path, repeats: int, hours: float = 8.0) -> None:
    """Print analyze's time with twitches="none" vs "all" on a legs + chin night, and the added percentage."""
    path = folder / f"speed_twitch_{hours:g}h.edf"
    if not path.exists():
        make_twitch_edf(hours, path)
    res: dict[str, list[dict[str, float]]] = {"analyze_none": [], "analyze_chin": [], "analyze_all": []}
    for _ in range(repeats):
        for kind in res:
            res[kind].append(_run(kind, path))

    def med(kind: str, key: str) -> float:
        vals = sorted(r[key] for r in res[kind])
        return vals[len(vals) // 2]

    print(f"\nanalyze, {hours:g} h, legs + chin, 256 Hz (median of {repeats}, fresh processes, same run):")
    print(f"{'':15} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'events':>7}")
    names = {"analyze_none": "twitches=none", "analyze_chin": "none + chin", "analyze_all": "twitches=all"}
    for kind in res:
        print(
            f"{names[kind]:15} {med(kind, 'wall_s'):7.2f} {med(kind, 'cpu_s'):7.2f}"
            f" {med(kind, 'peak_mb'):8.0f} {int(med(kind, 'n_lm')):7d}"
        )
    for key, name in (("wall_s", "wall"), ("cpu_s", "CPU")):
        base, chin, full = (med(k, key) for k in res)
        print(
            f"{name:4} time: twitch kinds add {100.0 * (full - base) / base:.0f} % (target <= 30 %): reading and"
            f" conditioning the chin {100.0 * (chin - base) / base:.0f} %, the detectors"
            f" {100.0 * (full - chin) / base:.0f} %"
        )
    paired = sorted((a["wall_s"] - c["wall_s"]) / n["wall_s"] for n, c, a in zip(*res.values(), strict=True))
    print(
        f"detectors beyond the chin's conditioning, paired (median per repeat): {100 * paired[len(paired) // 2]:.0f} %"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workdir", default=None, help="where the EDFs go (default: a temporary folder)")
    ap.add_argument("--no-twitches", action="store_true", help="skip analyze with twitch kinds none vs all")
    ap.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    tmp = tempfile.TemporaryDirectory() if args.workdir is None else None
    folder = Path(args.workdir or tmp.name)
    print(
        f"{'case':9} {'floor s':>8} {'ours s':>8} {'ratio':>6} {'floor MB':>9} {'ours MB':>8} {'LMs':>6}"
        f" {'floor(tw) s':>11} {'ratio(tw)':>9} {'cpu ratio':>9} {'cpu ratio(tw)':>13} {'paired':>7} {'best':>6}"
    )
    for case in args.cases:
        hours, fs = CASES[case]
        path = folder / f"speed_{case}.edf"
        if not path.exists():
            make_edf(hours, fs, path)
        res: dict[str, list[dict[str, float]]] = {"floor": [], "ours": [], "floor_tw": []}
        for _ in range(args.repeats):
            for kind in ("floor", "ours", "floor_tw"):
                res[kind].append(_run(kind, path))

        def med(kind: str, key: str, res: dict[str, list[dict[str, float]]] = res) -> float:
            vals = sorted(r[key] for r in res[kind])
            return vals[len(vals) // 2]

        fw, ow = med("floor", "wall_s"), med("ours", "wall_s")
        print(
            f"{case:9} {fw:8.2f} {ow:8.2f} {ow / fw:6.2f} {med('floor', 'peak_mb'):9.0f} {med('ours', 'peak_mb'):8.0f}"
            f" {int(med('ours', 'n_lm')):6d} {med('floor_tw', 'wall_s'):11.2f} {ow / med('floor_tw', 'wall_s'):9.2f}"
            f" {med('ours', 'cpu_s') / med('floor', 'cpu_s'):9.2f}"
            f" {med('ours', 'cpu_s') / med('floor_tw', 'cpu_s'):13.2f}"
            f" {_paired(res['ours'], res['floor']):7.2f}"
            f" {min(r['wall_s'] for r in res['ours']) / min(r['wall_s'] for r in res['floor']):6.2f}",
            flush=True,
        )
    if not args.no_twitches:
        twitch_overhead(folder, args.repeats)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
