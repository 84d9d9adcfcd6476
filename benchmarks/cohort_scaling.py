"""Cohort scaling: time per night with 1 and 2 Dask workers for 10, 50 and 200 simulated nights.

Also measures a single in-process ``twitchlab.pipeline.analyze`` of the same nights (the cost of
``twitchlab analyze``), so the per-night overhead of running inside Dask is visible, and the peak
memory of each worker process.

Usage::

    .venv/bin/python benchmarks/cohort_scaling.py [--sizes 10 50 200] [--workers 1 2] [--hours 1.0]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "cohort"))


def make_nights(folder: Path, n: int, hours: float) -> pd.DataFrame:
    from conftest import write_sim_night

    rows = []
    for i in range(n):
        p = folder / f"n{i:04d}.edf"
        if not p.exists():
            write_sim_night(p, 1000 + i, duration_h=hours)
        rows.append({"night_id": f"n{i:04d}", "recording": str(p), "annotations": []})
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 200])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--hours", type=float, default=1.0, help="length of each simulated night")
    ap.add_argument("--single", type=int, default=10, help="nights timed with a plain in-process analyze")
    args = ap.parse_args()

    from twitchlab.cohort import run_cohort
    from twitchlab.pipeline import analyze

    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        t0 = time.perf_counter()
        (tmpd / "in").mkdir()
        nights = make_nights(tmpd / "in", max(args.sizes), args.hours)
        took = time.perf_counter() - t0
        print(f"generated {len(nights)} simulated {args.hours:g}-h nights (200 Hz, 2 legs) in {took:.0f} s")

        single, single_cpu = [], []
        for path in nights["recording"][: args.single]:
            t, c = time.perf_counter(), time.process_time()
            analyze(path)
            single.append(time.perf_counter() - t)
            single_cpu.append(time.process_time() - c)
        base, base_cpu = statistics.median(single), statistics.median(single_cpu)
        print(f"single `analyze` per night (median of {len(single)}): {base:.3f} s wall, {base_cpu:.3f} s CPU\n")

        rows = []
        for w in args.workers:
            for n in args.sizes:
                out = tmpd / f"out_w{w}_n{n}"
                t = time.perf_counter()
                run = run_cohort(nights.head(n), out, scheduler="local", n_workers=w)
                wall = time.perf_counter() - t
                from twitchlab.cohort import load_table

                s = load_table(run.run_dir)
                task_s = s["elapsed_s"].median()
                task_cpu = s["cpu_s"].median()
                rows.append(
                    {
                        "workers": w,
                        "nights": n,
                        "wall_s": round(wall, 1),
                        "s_per_night": round(wall / n, 3),
                        "nights_per_min": round(n / wall * 60, 1),
                        "task_s_median": round(task_s, 3),
                        "task_vs_single": round(task_s / base, 2),
                        "task_cpu_s": round(task_cpu, 3),
                        "task_cpu_vs_single_cpu": round(task_cpu / base_cpu, 2),
                        "wall_x_workers_per_night_vs_single": round(wall * w / n / base, 2),
                        "peak_rss_mb_per_worker": round(max(run.worker_peak_rss_mb.values()), 0)
                        if run.worker_peak_rss_mb
                        else None,
                        "failed": run.n_failed,
                    }
                )
                print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1))
        print()
        table = pd.DataFrame(rows)
        print(table.to_string(index=False))
        for n in args.sizes:
            sub = table[table["nights"] == n].set_index("workers")["wall_s"]
            if 1 in sub and 2 in sub:
                print(f"{n} nights: speed-up with 2 workers = {sub[1] / sub[2]:.2f}x")


if __name__ == "__main__":
    main()
