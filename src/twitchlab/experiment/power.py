"""How many nights an experiment needs: power by simulation from the fitted rates and dispersion."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
import statsmodels.api as sm
from scipy import stats

from twitchlab.experiment.fit import design_matrix
from twitchlab.experiment.schedule import Schedule, draw_order, min_two_sided_p

__all__ = ["PowerResult", "nights_needed", "simulated_power"]


@dataclass(frozen=True)
class PowerResult:
    """Answer of :func:`nights_needed`.

    Attributes
    ----------
    total_nights : int or None
        Nights (washouts included) of the smallest schedule reaching the power; ``None`` if none within
        the search range.
    n_blocks : int or None
        Blocks of that schedule.
    power : float
        Simulated power of that schedule (or of the largest one tried).
    target_rate_ratio : float
        Effect the power refers to.
    longest_tried_nights : int
        Nights of the largest schedule simulated.
    """

    total_nights: int | None
    n_blocks: int | None
    power: float
    target_rate_ratio: float
    longest_tried_nights: int = 0


def _excludes_one(y: np.ndarray, h: np.ndarray, t: np.ndarray, p: np.ndarray, alpha: float, level: float) -> int:
    """Quick fit with the dispersion held fixed: 1 when the interval excludes a rate ratio of 1."""
    ok = np.isfinite(y)
    y, h, t, p = y[ok], h[ok], t[ok], p[ok]
    X = design_matrix(t, p)
    if t.sum() < 2 or (~t).sum() < 2 or len(y) < X.shape[1] + 2:
        return 0
    fam = sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(y, X, family=fam, offset=np.log(h)).fit(scale="X2")
    scale = res.scale if alpha > 0 else max(res.scale, 1.0)
    se = math.sqrt(res.cov_params(scale=scale)[1, 1])
    q = stats.t.ppf(0.5 + level / 2, res.df_resid)
    return int(abs(res.params[1]) > q * se)


def simulated_power(
    schedule: Schedule,
    *,
    rate_ratio: float,
    base_rate_per_h: float,
    alpha: float,
    hours_mean: float = 7.0,
    missing: float = 0.0,
    n_sim: int = 100,
    level: float = 0.95,
    rng: np.random.Generator | int | None = 0,
) -> float:
    """Share of simulated experiments with this schedule whose interval excludes a rate ratio of 1.

    Parameters
    ----------
    schedule : Schedule
        Design (the order is re-drawn in each simulation, as in a real plan).
    rate_ratio, base_rate_per_h, alpha, hours_mean, missing : float
        Assumed truth (see :func:`twitchlab.experiment.simulate.simulate_nights`).
    n_sim : int
        Simulated experiments.
    level : float
        Interval level.
    rng : numpy.random.Generator or int, optional
        Randomness (fixed by default so that answers do not jitter between calls).

    Returns
    -------
    float
    """
    gen = np.random.default_rng(rng)
    block, washout = schedule.block_of_night()
    keep = ~washout
    block = block[keep]
    period = block // 2
    n = len(block)
    hits = 0
    for _ in range(n_sim):
        order = draw_order(schedule.n_blocks, schedule.design, int(gen.integers(0, 2**63 - 1)))
        treat = np.array([c == "A" for c in order])[block]
        hours = np.clip(gen.normal(hours_mean, 0.8, n), 3.0, 11.0)
        mu = base_rate_per_h * hours * np.where(treat, rate_ratio, 1.0)
        lam = gen.gamma(1.0 / alpha, mu * alpha) if alpha > 0 else mu
        y = gen.poisson(lam).astype(float)
        y[gen.random(n) < missing] = np.nan
        hits += _excludes_one(y, hours, treat, period, alpha, level)
    return hits / n_sim


def nights_needed(
    schedule: Schedule,
    *,
    rate_ratio: float,
    base_rate_per_h: float,
    alpha: float,
    hours_mean: float = 7.0,
    missing: float = 0.0,
    power: float = 0.8,
    max_blocks: int = 40,
    n_sim: int = 100,
    rng: np.random.Generator | int | None = 0,
) -> PowerResult:
    """Smallest number of blocks (same block length and washout) that reaches ``power``.

    The schedule grows two blocks at a time from its planned size. A size only counts when the
    randomisation test of its design can reach p < 0.05 at all.

    Parameters
    ----------
    schedule : Schedule
        The planned design.
    rate_ratio : float
        Effect to detect.
    base_rate_per_h, alpha, hours_mean, missing : float
        Estimated from the nights so far.
    power : float
        Wanted probability that the 95 % interval excludes 1.
    max_blocks : int
        Largest schedule tried.
    n_sim : int
        Simulations per size.
    rng : numpy.random.Generator or int, optional
        Randomness.

    Returns
    -------
    PowerResult

    References
    ----------
    .. [1] Arnold BF, Hogan DR, Colford JM, Hubbard AE. Simulation methods to estimate design power: an
       overview for applied research. BMC Med Res Methodol 2011;11:94.
    """
    seed = int(np.random.default_rng(rng).integers(2**32))  # common random numbers across sizes

    def power_at(n_blocks: int) -> float:
        candidate = replace(schedule, n_blocks=n_blocks, order="AB" * (n_blocks // 2))
        return simulated_power(
            candidate,
            rate_ratio=rate_ratio,
            base_rate_per_h=base_rate_per_h,
            alpha=alpha,
            hours_mean=hours_mean,
            missing=missing,
            n_sim=n_sim,
            rng=seed,
        )

    lo = schedule.n_blocks
    while min_two_sided_p(lo, schedule.design) > 0.05:
        lo += 2
    found: dict[int, float] = {}
    size = lo
    while size <= max_blocks:  # doubling, then bisection between the last failure and the first success
        found[size] = power_at(size)
        if found[size] >= power:
            break
        size = size * 2 if size * 2 <= max_blocks or size == max_blocks else max_blocks
    else:
        size = -1
    if size < 0 or found.get(size, 0.0) < power:
        longest = replace(schedule, n_blocks=max(found, default=schedule.n_blocks)).n_nights
        return PowerResult(None, None, max(found.values(), default=0.0), rate_ratio, longest)
    fail = max((k for k, v in found.items() if v < power), default=lo - 2)
    ok = size
    while ok - fail > 2:
        mid = fail + 2 * ((ok - fail) // 4 or 1)
        found[mid] = power_at(mid)
        if found[mid] >= power:
            ok = mid
        else:
            fail = mid
    candidate = replace(schedule, n_blocks=ok, order="AB" * (ok // 2))
    longest = replace(schedule, n_blocks=max(found)).n_nights
    return PowerResult(candidate.n_nights, ok, found[ok], rate_ratio, longest)
