"""How long does scoring a night take, and how does it grow with the number of leg movements?

Builds synthetic nights with 1,000 / 10,000 / 100,000 monolateral LMs (log-normal IMIs around 22 s, a quarter
of them bilateral, apneas every few minutes with their arousals, a 30-s hypnogram as long as the LMs need)
and times ``twitchlab.score.score_night`` under both rule sets (median of several runs, after one warm-up).

With ``--agreement``, it also runs the whole path on phantom nights instead: ``simulate_night`` →
``simulate_emg_recording`` (leg EMG under a named condition) → ``analyze(lm_source="emg")``, and compares the
indices with those scored on the true LM table (``lm_source="scored"``): the agreement of the end-to-end
pipeline with its ground truth.

Run:  .venv/bin/python benchmarks/score_night.py [--sizes 1000 10000 100000] [--repeats 5]
      .venv/bin/python benchmarks/score_night.py --agreement [--seeds 2] [--conditions clean hard artefacts]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from twitchlab.model import Hypnogram
from twitchlab.score import score_night


def synthetic_night(n_lms: int, seed: int = 0) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    n_mov = int(n_lms / 1.25)
    onsets = np.cumsum(rng.lognormal(np.log(22.0), 0.5, n_mov))
    dur = np.clip(rng.lognormal(np.log(1.8), 0.45, n_mov), 0.3, 14.0)
    side = np.where(rng.random(n_mov) < 0.5, "L", "R")
    bil = np.flatnonzero(rng.random(n_mov) < 0.25)[: n_lms - n_mov]
    lms = pd.DataFrame(
        {
            "onset_s": np.r_[onsets, onsets[bil] + rng.uniform(-0.3, 0.3, bil.size)],
            "offset_s": np.r_[onsets + dur, onsets[bil] + 0.4 + dur[bil]],
            "side": np.r_[side, np.where(side[bil] == "L", "R", "L")],
        }
    )
    end = float(lms["offset_s"].max()) + 60
    n_ep = int(np.ceil(end / 30))
    stages = rng.choice([0, 1, 2, 3, 4], n_ep, p=[0.12, 0.08, 0.5, 0.12, 0.18]).astype(np.int8)
    r_on = np.sort(rng.uniform(0, end, max(n_ep // 8, 1)))
    resp = pd.DataFrame({"onset_s": r_on, "offset_s": r_on + 20.0})
    ar = pd.DataFrame({"onset_s": r_on + 20.5, "offset_s": r_on + 27.0})
    return {
        "lms": lms,
        "hypnogram": Hypnogram(stages),
        "resp_events": resp,
        "arousals": ar,
        "window": (0.0, end),
        "recording_s": end,
    }


def time_it(kwargs: dict[str, object], rules: str, repeats: int) -> tuple[float, float, dict]:
    score_night(rules=rules, **kwargs)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = score_night(rules=rules, **kwargs)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), res.summary


AGREEMENT_KEYS = ("lm_count", "plm_count", "plms_index", "plms_nr_index", "plmw_index", "periodicity_index_sleep")


def _cell(a: object, b: object) -> str:
    if a is None or b is None:
        return f"{a!s:>9} → {b!s:<9}"
    return f"{a:>9.4g} → {b:<9.4g}" if isinstance(a, float) else f"{a:>9} → {b:<9}"


def agreement(seeds: int, conditions: list[str], hours: float) -> None:
    """End-to-end: PLMS indices from simulated EMG vs from the true LMs, per profile and EMG condition."""
    import dataclasses
    import warnings

    from twitchlab.errors import TwitchlabWarning
    from twitchlab.pipeline import analyze
    from twitchlab.simulate import simulate_night
    from twitchlab.simulate.emg import simulate_emg_recording

    print(f"{'profile':>8} {'condition':>10} {'seed':>4} " + " ".join(f"{k[:14]:>21}" for k in AGREEMENT_KEYS))
    print(f"{'':>25}" + " ".join(f"{'truth → emg':>21}" for _ in AGREEMENT_KEYS))
    for profile in ("plms", "healthy", "apnea"):
        for cond in conditions:
            for seed in range(seeds):
                night = simulate_night(seed, profile=profile, duration_h=hours)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", TwitchlabWarning)
                    rec, _ = simulate_emg_recording(
                        night.lms, night.duration_s, rng=seed, condition=cond, hypnogram=night.hypnogram
                    )
                    rec = dataclasses.replace(rec, events=night.to_recording().events)
                    truth = analyze(rec, lm_source="scored", twitches="none").summary
                    emg = analyze(rec, lm_source="emg", twitches="none").summary
                cells = " ".join(_cell(truth[k], emg[k]) for k in AGREEMENT_KEYS)
                print(f"{profile:>8} {cond:>10} {seed:>4} {cells}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--agreement", action="store_true", help="end-to-end agreement on simulated EMG instead")
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--conditions", nargs="+", default=["clean", "hard", "artefacts"])
    ap.add_argument("--hours", type=float, default=8.0)
    args = ap.parse_args()
    if args.agreement:
        agreement(args.seeds, args.conditions, args.hours)
        return
    print(
        f"{'LMs':>8} {'rules':>9} {'median ms':>10} {'best ms':>8} {'µs/LM':>7} {'movements':>10} {'PLM':>7} "
        f"{'hours':>7}"
    )
    for n in args.sizes:
        kw = synthetic_night(n)
        for rules in ("wasm2016", "aasm"):
            t, best, s = time_it(kw, rules, args.repeats)
            hours = kw["recording_s"] / 3600  # type: ignore[operator]
            print(
                f"{n:>8} {rules:>9} {t * 1000:>10.1f} {best * 1000:>8.1f} {best / n * 1e6:>7.2f} {s['lm_count']:>10} "
                f"{s['plm_count']:>7} {hours:>7.1f}"
            )


if __name__ == "__main__":
    main()
