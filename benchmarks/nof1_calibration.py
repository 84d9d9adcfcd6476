"""Calibration of the n-of-1 analysis on simulated experiments with a known true rate ratio.

For each scenario (true rate ratio 1.0, 0.7, 0.5 with NB2 overdispersion), simulate ``--n`` experiments,
each with its own randomly drawn block order (the same design the CLI plans), run the real analysis
(``twitchlab.experiment.analyze_experiment``) and report:

- coverage of the 95 % interval of the rate ratio (target 93-97 %);
- how often the interval excludes 1 (false-positive rate at RR 1, power otherwise);
- how often the randomisation test gives p ≤ 0.05 (target ≈ 5 % at RR 1; the exact test of a design
  with K possible orders can only reach multiples of 2/K, so its size is at most 5 %);
- how often the verdict is "helped", "made it worse" or "can't tell yet".

Usage::

    python benchmarks/nof1_calibration.py            # 500 experiments per scenario, ~1-3 min on one core
    python benchmarks/nof1_calibration.py --n 2000   # tighter Monte-Carlo error
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import date

import numpy as np

from twitchlab.experiment import analyze_experiment, min_two_sided_p, n_allocations, plan_schedule, simulate_nights


def run_scenario(rr: float, args: argparse.Namespace, rng: np.random.Generator) -> dict[str, float]:
    cover = excl = rand = nb = 0
    verdicts = {"helped": 0, "made it worse": 0, "can't tell yet": 0}
    log_rr = []
    for _ in range(args.n):
        plan = plan_schedule(
            "stretching",
            start=date(2026, 1, 5),
            block_nights=args.block_nights,
            n_blocks=args.blocks,
            washout_nights=args.washout,
            design=args.design,
            seed=int(rng.integers(0, 2**63 - 1)),
        )
        sim = simulate_nights(
            plan,
            rate_ratio=rr,
            rng=rng,
            base_rate_per_h=args.rate,
            alpha=args.alpha,
            period_sd=args.drift,
            missing=args.missing,
        )
        a = analyze_experiment(plan, sim, as_of=plan.end, power=False, rng=rng)
        c = a.counts
        assert c is not None
        cover += c.ci_low <= rr <= c.ci_high
        excl += c.ci_high < 1 or c.ci_low > 1
        rand += a.randomisation.p_value <= 0.05
        nb += c.family == "negative_binomial"
        log_rr.append(math.log(c.rate_ratio))
        verdicts[a.verdict.label] += 1
    n = args.n
    return {
        "rr": rr,
        "coverage": cover / n,
        "ci_excludes_1": excl / n,
        "rand_p05": rand / n,
        "nb_share": nb / n,
        "geo_mean_rr": math.exp(float(np.mean(log_rr))),
        **{k: v / n for k, v in verdicts.items()},
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=500, help="simulated experiments per scenario (default 500)")
    p.add_argument("--rr", type=str, default="1.0,0.7,0.5", help="true rate ratios, comma-separated")
    p.add_argument("--alpha", type=float, default=0.3, help="NB2 overdispersion (variance = mu + alpha mu^2)")
    p.add_argument("--blocks", type=int, default=14)
    p.add_argument("--block-nights", type=int, default=4)
    p.add_argument("--washout", type=int, default=1)
    p.add_argument("--design", choices=["pairs", "balanced"], default="pairs")
    p.add_argument("--rate", type=float, default=8.0, help="control movements per hour of sleep")
    p.add_argument("--drift", type=float, default=0.1, help="SD of the per-period log-rate drift")
    p.add_argument("--missing", type=float, default=0.1, help="share of nights without data")
    p.add_argument("--seed", type=int, default=20261125)
    args = p.parse_args()

    rng = np.random.default_rng(args.seed)
    orders = n_allocations(args.blocks, args.design)
    floor = min_two_sided_p(args.blocks, args.design)
    attainable = math.floor(0.05 / floor + 1e-9) * floor
    nights = plan_schedule("stretching", start=date(2026, 1, 5), block_nights=args.block_nights,
                           n_blocks=args.blocks, washout_nights=args.washout, seed=0).n_nights  # fmt: skip
    print(
        f"n-of-1 calibration: {args.n} experiments per scenario; {args.design} design, {args.blocks} blocks x "
        f"{args.block_nights} nights, washout {args.washout} ({nights} nights); {orders} possible orders "
        f"(exact randomisation test: attainable size at 5 % = {attainable:.3f}); NB2 alpha {args.alpha}, "
        f"{args.rate}/h, period drift SD {args.drift}, {args.missing:.0%} nights missing; seed {args.seed}"
    )
    mc = 1.96 * math.sqrt(0.95 * 0.05 / args.n)
    print(f"Monte-Carlo 95 % margin on a coverage of 95 %: ±{mc:.3f}\n")
    header = (
        f"{'true RR':>7} | {'coverage':>8} | {'CI excl. 1':>10} | {'rand p≤.05':>10} | {'NB used':>7} | "
        f"{'geo-mean RR':>11} | {'helped':>6} | {'worse':>6} | {'can’t tell':>10} | {'s':>5}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for rr in (float(x) for x in args.rr.split(",")):
        t0 = time.perf_counter()
        r = run_scenario(rr, args, rng)
        unsure = r["can't tell yet"]
        dt = time.perf_counter() - t0
        print(
            f"{rr:>7.2f} | {r['coverage']:>8.3f} | {r['ci_excludes_1']:>10.3f} | {r['rand_p05']:>10.3f} | "
            f"{r['nb_share']:>7.2f} | {r['geo_mean_rr']:>11.3f} | {r['helped']:>6.3f} | {r['made it worse']:>6.3f} | "
            f"{unsure:>10.3f} | {dt:>5.0f}"
        )
        ok &= 0.93 <= r["coverage"] <= 0.97
        if rr == 1.0:
            ok &= r["rand_p05"] <= 0.05 + mc
    print(
        "\ncoverage: share of 95 % intervals containing the true RR. CI excl. 1: false-positive rate (RR 1) or "
        "power.\nrand p≤.05: randomisation test rejections. Verdicts need both the interval and the test."
    )
    print("PASS" if ok else "CHECK: a target was missed (see the table)")


if __name__ == "__main__":
    main()
