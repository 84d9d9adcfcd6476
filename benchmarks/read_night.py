"""Read time and peak memory: twitchlab reading only the leg channels vs edfio reading everything.

Generates an 8-h EDF+C (2 leg EMG channels at 256 Hz + 6 other channels: 4 at 256 Hz, airflow at 32 Hz,
SaO2 at 1 Hz) in a temporary folder, then measures each reader in its own fresh subprocess (so peak RSS,
``resource.getrusage().ru_maxrss``, belongs to that reader alone) and prints the ratios.

    .venv/bin/python benchmarks/read_night.py [--hours 8] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHANNELS = [  # label, rate (Hz), unit
    ("Leg L", 256, "uV"),
    ("Leg R", 256, "uV"),
    ("C3-M2", 256, "uV"),
    ("O2-M1", 256, "uV"),
    ("E1-M2", 256, "uV"),
    ("ECG", 256, "uV"),
    ("Airflow", 32, ""),
    ("SaO2", 1, "%"),
]


def _f(value: object, width: int) -> bytes:
    return str(value).encode("ascii").ljust(width, b" ")[:width]


def write_night(path: Path, hours: float, seed: int = 0) -> Path:
    """Stream an EDF+C of ``hours`` to ``path`` in 1-s records (never the whole night in memory)."""
    n_rec = int(hours * 3600)
    rows = [(lab, fs, unit) for lab, fs, unit in CHANNELS] + [("EDF Annotations", 30, "")]
    ns = len(rows)
    head = (
        _f("0", 8)
        + _f("X X X X", 80)
        + _f("Startdate 01-JAN-2024 X X X", 80)
        + _f("01.01.24", 8)
        + _f("22.00.00", 8)
        + _f(256 * (ns + 1), 8)
        + _f("EDF+C", 44)
        + _f(n_rec, 8)
        + _f(1, 8)
        + _f(ns, 4)
    )
    cols = [
        [r[0] for r in rows],
        [""] * ns,
        [r[2] for r in rows],
        [-3276.8 if r[0] != "EDF Annotations" else -1 for r in rows],
        [3276.7 if r[0] != "EDF Annotations" else 1 for r in rows],
        [-32768] * ns,
        [32767] * ns,
        [""] * ns,
        [r[1] for r in rows],
        [""] * ns,
    ]
    for values, width in zip(cols, (16, 80, 8, 8, 8, 8, 8, 80, 8, 32), strict=True):
        head += b"".join(_f(v, width) for v in values)
    rng = np.random.default_rng(seed)
    block = 600  # records per write
    with path.open("wb") as fh:
        fh.write(head)
        for first in range(0, n_rec, block):
            n = min(block, n_rec - first)
            parts = [rng.normal(0, 60, (n, fs)).astype("<i2").view(np.uint8).reshape(n, -1) for _, fs, _ in CHANNELS]
            tal = np.zeros((n, 60), np.uint8)
            for i in range(n):
                stamp = f"+{first + i}".encode() + b"\x14\x14\x00"
                tal[i, : len(stamp)] = np.frombuffer(stamp, np.uint8)
            fh.write(np.hstack([*parts, tal]).tobytes())
    return path


CHILD = {
    "twitchlab (legs only)": """
from twitchlab.io import read_edf
rec = read_edf(PATH, hash_inputs=False)
total = sum(float(ch.data.sum()) for ch in rec.leg_channels().values())
""",
    "twitchlab (legs only, with sha256)": """
from twitchlab.io import read_edf
rec = read_edf(PATH)
total = sum(float(ch.data.sum()) for ch in rec.leg_channels().values())
""",
    "twitchlab (everything)": """
from twitchlab.io import read_edf
rec = read_edf(PATH, hash_inputs=False)
arrays = [ch.data for ch in rec.channels.values()]
""",
    "edfio (everything)": """
import edfio
edf = edfio.read_edf(PATH, lazy_load_data=False)
arrays = [s.data for s in edf.signals]  # physical values of every signal, kept as a user would
""",
}

HARNESS = """
import resource, time, json, warnings
warnings.simplefilter("ignore")
import numpy as np
import edfio, twitchlab.io
PATH = {path!r}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
{body}
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"time_s": dt, "peak_mb": peak / 1024, "base_mb": base / 1024}}))
"""


def measure(path: Path, body: str) -> dict[str, float]:
    """Run one reader in a fresh interpreter; return its wall time and peak RSS."""
    out = subprocess.run(
        [sys.executable, "-c", HARNESS.format(path=str(path), body=body)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Generate the night, measure each reader, print a table and the ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "night.edf"
        t0 = time.perf_counter()
        write_night(path, args.hours)
        size_mb = path.stat().st_size / 2**20
        print(f"generated {path.name}: {args.hours:g} h, {len(CHANNELS)} channels, {size_mb:.0f} MB "
              f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in CHILD}
        for _ in range(args.repeats):  # interleaved, so a busy moment on a shared machine hits every reader
            for name, body in CHILD.items():
                runs[name].append(measure(path, body))
        results = {
            name: {
                "time_s": float(np.median([r["time_s"] for r in rs])),
                "peak_mb": max(r["peak_mb"] for r in rs),
                "added_mb": max(r["peak_mb"] - r["base_mb"] for r in rs),
            }
            for name, rs in runs.items()
        }
        print(f"{'reader':38} {'median time (s)':>9} {'peak RSS (MB)':>14} {'added by read (MB)':>19}")
        for name, r in results.items():
            print(f"{name:38} {r['time_s']:9.3f} {r['peak_mb']:14.0f} {r['added_mb']:19.0f}")
        ours, ref = results["twitchlab (legs only)"], results["edfio (everything)"]
        print(
            f"ratio edfio (everything) / twitchlab (legs only): time {ref['time_s'] / ours['time_s']:.1f}x, "
            f"peak RSS {ref['peak_mb'] / ours['peak_mb']:.1f}x, "
            f"memory added by the read {ref['added_mb'] / ours['added_mb']:.1f}x"
        )


if __name__ == "__main__":
    main()
