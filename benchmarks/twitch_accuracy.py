"""Accuracy and speed of the twitch-kind detectors on simulated nights with known truth.

Usage::

    .venv/bin/python benchmarks/twitch_accuracy.py [--nights 10] [--hours 2] [--fs 256] [--speed-hours 8] [--no-speed]

``--fs`` is the EMG sampling rate of the simulated nights. At 200, 250 or 500 Hz the 64-Hz twitch envelope is
66.7 or 62.5 Hz, not a whole number of samples per second: this checks that the 1-s and 30-s blocks stay on
the clock (use ``--hours 8``: a drift of blocks grows with the length of the night).

For each event type, ``--nights`` clean nights (different seeds) are simulated with every kind; a detected
event matches a true event of the same type when they overlap (each true event matched at most once).
Prints precision, recall and F1 per type, the RSWA percentage error against the truth for nights with
atonia, tonic, phasic and mixed RSWA (and with ECG bleed in the chin, no ECG channel), and (unless
``--no-speed``) the time the twitch detectors add to ``pipeline.analyze`` on an 8-h night with both legs
and the chin.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from twitchlab.detect.twitches import detect_twitches
from twitchlab.simulate.twitches import TWITCH_KINDS, simulate_twitch_night


def match(truth: pd.DataFrame, det: pd.DataFrame) -> tuple[int, int, int]:
    """True positives, false positives, false negatives by overlap (greedy, one-to-one)."""
    t_on, t_off = truth["onset_s"].to_numpy(), truth["offset_s"].to_numpy()
    d_on, d_off = det["onset_s"].to_numpy(), det["offset_s"].to_numpy()
    ov = (d_on[:, None] < t_off[None, :] + 0.05) & (d_off[:, None] > t_on[None, :] - 0.05)
    used = np.zeros(len(truth), dtype=bool)
    tp = 0
    for i in range(len(det)):
        j = np.flatnonzero(ov[i] & ~used)
        if j.size:
            used[j[0]] = True
            tp += 1
    return tp, len(det) - tp, len(truth) - tp


def accuracy(n_nights: int, hours: float, fs_hz: float = 256.0) -> pd.DataFrame:
    tally = {k: np.zeros(3, dtype=int) for k in TWITCH_KINDS}
    for seed in range(n_nights):
        night = simulate_twitch_night(1000 + seed, duration_h=hours, rswa="mixed", efm=seed % 2 == 0, fs_hz=fs_hz)
        det = detect_twitches(night.recording, types="all")
        for k in TWITCH_KINDS:
            tally[k] += match(night.truth[night.truth["type"] == k], det.events[det.events["type"] == k])
    rows = []
    for k, (tp, fp, fn) in tally.items():
        p = tp / (tp + fp) if tp + fp else float("nan")
        r = tp / (tp + fn) if tp + fn else float("nan")
        rows.append({"type": k, "true": tp + fn, "detected": tp + fp, "precision": p, "recall": r,
                     "f1": 2 * p * r / (p + r) if p + r else float("nan")})  # fmt: skip
    return pd.DataFrame(rows)


def rswa_error(n_nights: int, hours: float, fs_hz: float = 256.0) -> pd.DataFrame:
    rows = []
    cases = [(m, False) for m in ("none", "tonic", "phasic", "mixed")] + [("none", True), ("mixed", True)]
    for mode, ecg in cases:
        for seed in range(n_nights):
            night = simulate_twitch_night(2000 + seed, duration_h=hours, kinds=["rem_twitch"], rswa=mode,
                                          artefacts=True, ecg_in_chin=ecg, fs_hz=fs_hz)  # fmt: skip
            s = detect_twitches(night.recording, types=["rswa"]).summary
            for key in ("rswa_tonic_pct", "rswa_phasic_pct", "rswa_any_pct"):
                label = f"{mode}+ecg-bleed" if ecg else mode
                rows.append({"rswa": label, "key": key, "error_pts": s[key] - night.rswa_truth[key]})
    df = pd.DataFrame(rows)
    return df.groupby(["key", "rswa"])["error_pts"].agg(
        mean_abs=lambda e: np.abs(e).mean(), max_abs=lambda e: np.abs(e).max()
    )


def speed(hours: float, repeats: int = 3) -> dict[str, float]:
    """Median time of ``analyze`` with and without the twitch kinds on one night (legs + chin)."""
    import statistics
    import warnings

    from twitchlab.pipeline import analyze

    night = simulate_twitch_night(7, duration_h=hours, kinds=["hypnic_jerk", "rem_twitch", "long_contraction"])
    rec = night.recording
    times: dict[str, list[float]] = {"none": [], "all": []}
    cpu: dict[str, list[float]] = {"none": [], "all": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeats):
            for mode in ("none", "all"):
                c0, t0 = time.process_time(), time.perf_counter()
                analyze(rec, lm_source="emg", twitches=mode)
                times[mode].append(time.perf_counter() - t0)
                cpu[mode].append(time.process_time() - c0)
    base, full = statistics.median(times["none"]), statistics.median(times["all"])
    cbase, cfull = statistics.median(cpu["none"]), statistics.median(cpu["all"])
    return {"analyze_without_s": base, "analyze_with_s": full, "added_pct": 100.0 * (full - base) / base,
            "analyze_without_cpu_s": cbase, "analyze_with_cpu_s": cfull,
            "added_cpu_pct": 100.0 * (cfull - cbase) / cbase}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nights", type=int, default=10)
    ap.add_argument("--hours", type=float, default=2.0)
    ap.add_argument("--fs", type=float, default=256.0, help="EMG sampling rate of the simulated nights (Hz)")
    ap.add_argument("--speed-hours", type=float, default=8.0)
    ap.add_argument("--no-speed", action="store_true")
    a = ap.parse_args()
    pd.set_option("display.width", 120)
    print(
        f"Event detection, {a.nights} clean simulated nights of {a.hours:g} h at {a.fs:g} Hz (all kinds, legs + chin):"
    )
    print(accuracy(a.nights, a.hours, a.fs).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"\nRSWA percentage error vs truth (points), {a.nights} nights per mode, with artefact stretches:")
    print(rswa_error(a.nights, a.hours, a.fs).to_string(float_format=lambda x: f"{x:.2f}"))
    if not a.no_speed:
        print(f"\nSpeed on a {a.speed_hours:g}-h night (legs + chin, 256 Hz; median of 3 runs):")
        for k, v in speed(a.speed_hours).items():
            print(f"  {k}: {v:.2f}")


if __name__ == "__main__":
    main()
