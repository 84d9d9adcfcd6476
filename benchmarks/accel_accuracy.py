"""Accuracy of the wearable path on simulated nights with known truth (ankle, wrist, mattress).

For each location, N nights (profiles mixed: plms, healthy, apnea) are simulated, streamed through
``twitchlab.wearable.analyze_accel_stream`` and compared with the truth:

- movement precision / recall / F1: detected onsets matched to true onsets within +-1 s;
- sleep-time error: estimated minus true total sleep time (minutes);
- per-hour movement index: Pearson r between detected and true movement counts per hour of recording;
- night PLMS index: r between the accelerometer PLMS index (estimated sleep) and the PLMS index of the
  same night scored from all true leg movements of both legs with the true hypnogram (what a PSG gives).

Run: ``.venv/bin/python benchmarks/accel_accuracy.py --nights 20 --fs 25``
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from twitchlab.errors import TwitchlabWarning
from twitchlab.score import score_night
from twitchlab.simulate.accel import simulate_accel_night
from twitchlab.wearable import analyze_accel_stream

PROFILES = ("plms", "healthy", "plms", "apnea", "plms")
PUBLISHED = (
    "Ankle devices vs PSG: PAM-RL (both ankles) PLM index r = 0.87, sensitivity 0.88 / specificity 0.76 for "
    "PSG PLMI > 10 (Sforza et al., Sleep Med 2005, 43 patients); Actiwatch AW-64 at the ankle sensitivity 67 %, "
    "specificity 95 % (Kemlink et al., Neurol Res 2008, 40 nights); SCORING_SPEC section 7: r ~ 0.8-0.9. "
    "Wrist and mattress: no comparable validation we rely on."
)


def match(det: np.ndarray, truth: np.ndarray, tol_s: float = 1.0) -> tuple[int, int]:
    """(detections with a true onset within tol, true onsets with a detection within tol)."""
    if det.size == 0 or truth.size == 0:
        return 0, 0
    det, truth = np.sort(det), np.sort(truth)

    def near(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        i = np.clip(np.searchsorted(b, a), 1, b.size - 1) if b.size > 1 else np.zeros(a.size, int)
        d = np.minimum(np.abs(a - b[i - 1 if b.size > 1 else 0]), np.abs(a - b[i]))
        return d <= tol_s

    return int(near(det, truth).sum()), int(near(truth, det).sum())


def hourly(onsets: np.ndarray, duration_s: float) -> np.ndarray:
    return np.histogram(onsets, bins=np.arange(0, duration_s + 3600, 3600))[0]


def run_location(location: str, n: int, fs: float, hours: float) -> dict[str, float]:
    rows, hrs_det, hrs_true = [], [], []
    for seed in range(n):
        night = simulate_accel_night(
            1000 + seed, location=location, profile=PROFILES[seed % len(PROFILES)], duration_h=hours, fs_hz=fs
        )
        res = analyze_accel_stream(night.chunks(1800), fs, location=location)
        lm = res.events[res.events["type"] == "lm"]
        det = lm["onset_s"].to_numpy()
        truth = night.lm_truth["onset_s"].to_numpy()
        tp_d, tp_t = match(det, truth)
        psg = score_night(night.psg_lms, hypnogram=night.hypnogram, recording_s=night.duration_s)
        rows.append(
            {
                "n_det": det.size,
                "n_true": truth.size,
                "tp_d": tp_d,
                "tp_t": tp_t,
                "tst_err": res.summary["tst_min"] - night.sleep_s / 60,
                "plms_acc": res.summary["plms_index"],
                "plms_psg": psg.summary["plms_index"],
            }
        )
        hrs_det.append(hourly(det, night.duration_s))
        hrs_true.append(hourly(truth, night.duration_s))
    df = pd.DataFrame(rows)
    p = df.tp_d.sum() / max(df.n_det.sum(), 1)
    r = df.tp_t.sum() / max(df.n_true.sum(), 1)
    hd, ht = np.concatenate(hrs_det), np.concatenate(hrs_true)
    ok = df.plms_acc.notna() & df.plms_psg.notna()
    return {
        "nights": n,
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "tst_err_mean_min": df.tst_err.mean(),
        "tst_err_mae_min": df.tst_err.abs().mean(),
        "hourly_r": float(np.corrcoef(hd, ht)[0, 1]),
        "plms_index_r": float(np.corrcoef(df.plms_acc[ok].astype(float), df.plms_psg[ok].astype(float))[0, 1]),
        "plms_index_bias": float((df.plms_acc[ok] - df.plms_psg[ok]).mean()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nights", type=int, default=20)
    ap.add_argument("--fs", type=float, default=25.0)
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--locations", default="ankle,wrist,mattress")
    a = ap.parse_args()
    warnings.simplefilter("ignore", TwitchlabWarning)
    out = {}
    t0 = time.perf_counter()
    for loc in a.locations.split(","):
        out[loc] = run_location(loc, a.nights, a.fs, a.hours)
    el = time.perf_counter() - t0
    cols = ["nights", "precision", "recall", "f1", "tst_err_mean_min", "tst_err_mae_min", "hourly_r",
            "plms_index_r", "plms_index_bias"]  # fmt: skip
    print(f"| location | {' | '.join(cols)} |")
    print("|---" * (len(cols) + 1) + "|")
    for loc, m in out.items():
        print(f"| {loc} | " + " | ".join(f"{m[c]:.2f}" if isinstance(m[c], float) else str(m[c]) for c in cols) + " |")
    print(f"\nPublished: {PUBLISHED}")
    print(f"{a.nights} nights x {len(out)} locations, {a.hours:g} h at {a.fs:g} Hz, {el:.0f} s")


if __name__ == "__main__":
    main()
