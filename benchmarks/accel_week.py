"""A week of 100 Hz wrist data (~60 M samples per axis) analysed in bounded memory, night by night.

The simulated week is rendered in chunks and streamed once through ``analyze_accel_nights``; the samples
are never held at once (7 x 24 h x 100 Hz x 3 axes x 8 bytes would be 1.45 GB). Prints the time, the peak
resident memory (ru_maxrss) before and after, and a line per night.

Run: ``.venv/bin/python benchmarks/accel_week.py --days 7 --fs 100 --chunk-min 15``
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

from twitchlab.errors import TwitchlabWarning
from twitchlab.simulate.accel import simulate_accel_week
from twitchlab.wearable import analyze_accel_nights


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--fs", type=float, default=100.0)
    ap.add_argument("--chunk-min", type=float, default=15.0)
    ap.add_argument("--location", default="wrist")
    a = ap.parse_args()
    warnings.simplefilter("ignore", TwitchlabWarning)
    week = simulate_accel_week(7, days=a.days, fs_hz=a.fs, location=a.location)
    base = peak_mb()
    n = week.n_samples
    counted = 0

    def chunks():
        nonlocal counted
        for acc, temp in week.chunks(a.chunk_min * 60):
            counted += acc.shape[0]
            yield acc, temp

    t0 = time.perf_counter()
    nights = analyze_accel_nights(chunks(), week.fs_hz, location=a.location)
    el = time.perf_counter() - t0
    print(f"{a.days} days at {a.fs:g} Hz: {n:,} samples per axis streamed ({counted:,}), chunks of {a.chunk_min:g} min")
    print(f"time {el:.1f} s (includes rendering the simulated signal), {n / el / 1e6:.2f} M samples/s per axis")
    print(f"peak RSS {peak_mb():.0f} MB (before streaming {base:.0f} MB); all samples in memory would be "
          f"{n * 3 * 8 / 2**20:.0f} MB")  # fmt: skip
    for k, r in enumerate(nights):
        s = r.summary
        w0, w1 = int(r.params["window_start_s"] // 30), int(r.params["window_end_s"] // 30)
        true_min = (week.hypnogram.stages[w0:w1] > 0).sum() / 2
        print(f"night {k + 1}: window {r.params['window_start_s'] / 3600:.0f}-{r.params['window_end_s'] / 3600:.0f} h,"
              f" TST est {s['tst_min']:.0f} min (true {true_min:.0f}), movements {s['lm_count']},"
              f" PLMS index {s['plms_index'] if s['plms_index'] is None else round(s['plms_index'], 1)}")  # fmt: skip


if __name__ == "__main__":
    main()
