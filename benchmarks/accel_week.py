"""A week of 100 Hz wrist data (~60 M samples per axis) analysed in bounded memory, night by night.

Two modes:

- default: the simulated week is rendered in chunks and streamed through ``analyze_accel_nights``;
- ``--cwa PATH``: the week is first written as a real Axivity ``.cwa`` file (in a child process, ~250 MB),
  then read back the way a user's file is: read and decoded in batches of blocks
  (``open_cwa_stream``), resampled onto the device clock (``resample_stream``) and analysed night by night.

The samples are never held at once (7 x 24 h x 100 Hz x 3 axes x 8 bytes would be 1.4 GB). Prints the time,
the peak resident memory (ru_maxrss) before and after, and a line per night.

Run: ``.venv/bin/python benchmarks/accel_week.py --days 7 --fs 100`` and add ``--cwa /tmp/week.cwa``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

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
    ap.add_argument("--cwa", type=Path, default=None, help="write the week as a .cwa file here and analyse that")
    ap.add_argument("--write-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    warnings.simplefilter("ignore", TwitchlabWarning)
    week = simulate_accel_week(7, days=a.days, fs_hz=a.fs, location=a.location)
    if a.write_only:
        t0 = time.perf_counter()
        week.to_cwa(a.cwa)
        print(f"wrote {a.cwa} ({a.cwa.stat().st_size / 2**20:.0f} MB) in {time.perf_counter() - t0:.0f} s")
        return
    n = week.n_samples
    if a.cwa is not None:
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--write-only"], check=True)
        from twitchlab.io.accel.chunks import resample_stream
        from twitchlab.io.accel.cwa import open_cwa_stream

        base = peak_mb()
        t0 = time.perf_counter()
        cwa = open_cwa_stream(a.cwa)
        chunks = resample_stream(cwa.samples(), cwa.fs_hz, chunk_s=a.chunk_min * 60)
        what = f"read from {a.cwa.name} (read and decoded in batches of blocks)"
    else:
        base = peak_mb()
        t0 = time.perf_counter()
        chunks = week.chunks(a.chunk_min * 60)
        what = "rendered by the simulator chunk by chunk (time includes rendering)"
    nights = analyze_accel_nights(chunks, week.fs_hz, location=a.location)
    el = time.perf_counter() - t0
    print(f"{a.days} days at {a.fs:g} Hz: {n:,} samples per axis {what}, chunks of {a.chunk_min:g} min")
    print(f"time {el:.1f} s, {n / el / 1e6:.2f} M samples/s per axis")
    print(f"peak RSS {peak_mb():.0f} MB (before streaming {base:.0f} MB); all samples in memory would be "
          f"{n * 3 * 8 / 2**20:.0f} MB")  # fmt: skip
    for k, r in enumerate(nights):
        s = r.summary
        w0, w1 = int(r.params["window_start_s"] // 30), int(r.params["window_end_s"] // 30)
        true_min = (week.hypnogram.stages[w0:w1] > 0).sum() / 2
        print(f"night {k + 1}: window {w0 / 120:.0f}-{w1 / 120:.0f} h, TST est {s['tst_min']:.0f} min "
              f"(true {true_min:.0f}), movements {s['lm_count']}, PLMS index "
              f"{s['plms_index'] if s['plms_index'] is None else round(s['plms_index'], 1)}")  # fmt: skip


if __name__ == "__main__":
    main()
