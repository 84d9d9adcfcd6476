"""Randomisation test that re-draws the block order from the experiment's actual design.

Under "the intervention makes no difference", every order the design could have drawn was equally
likely and would have given the same nightly counts; the p-value is the share of those orders whose
statistic is at least as extreme as the observed one. It needs no model assumption, but it can never
be smaller than ``2 / (number of possible orders)``.

References
----------
.. [1] Edgington ES, Onghena P. Randomization Tests, 4th ed. Chapman & Hall/CRC 2007.
.. [2] Onghena P, Edgington ES. Customization of pain treatments: single-case design and analysis.
   Clin J Pain 2005;21(1):56-68.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twitchlab.experiment.schedule import Design, design_allocations, min_two_sided_p

__all__ = ["RandomisationTest", "log_rate_ratio_statistic", "randomisation_test"]


@dataclass(frozen=True)
class RandomisationTest:
    """Result of :func:`randomisation_test`.

    Attributes
    ----------
    statistic : float
        Observed log of (intervention rate / control rate), pooled over analysed nights.
    p_value : float
        Two-sided p-value.
    n_orders : int
        Orders compared (all of them when ``exhaustive``).
    exhaustive : bool
        Exact test over every possible order, or a Monte-Carlo sample.
    min_p : float
        Smallest p-value this design can give.
    """

    statistic: float
    p_value: float
    n_orders: int
    exhaustive: bool
    min_p: float


def log_rate_ratio_statistic(block_counts: np.ndarray, block_hours: np.ndarray, allocations: np.ndarray) -> np.ndarray:
    """Pooled log rate ratio for many block orders at once.

    Parameters
    ----------
    block_counts, block_hours : array, shape (n_blocks,)
        Sums of counts and sleep hours over each block's analysed nights.
    allocations : array of bool, shape (n_orders, n_blocks)
        ``True`` where a block is intervention.

    Returns
    -------
    numpy.ndarray, shape (n_orders,)
        ``log((C_A + ½)/H_A) − log((C_B + ½)/H_B)``; NaN when an arm has no hours.
    """
    a = allocations.astype(float)
    b = 1.0 - a
    with np.errstate(divide="ignore", invalid="ignore"):
        ca, ha = a @ block_counts, a @ block_hours
        cb, hb = b @ block_counts, b @ block_hours
        stat = np.log((ca + 0.5) / ha) - np.log((cb + 0.5) / hb)
    stat[(ha <= 0) | (hb <= 0)] = np.nan
    return stat


def randomisation_test(
    counts: np.ndarray,
    hours: np.ndarray,
    block: np.ndarray,
    order: str,
    design: Design,
    *,
    rng: np.random.Generator | int | None = None,
    max_enumerate: int = 20_000,
    n_draws: int = 5_000,
) -> RandomisationTest:
    """Two-sided randomisation test of "no difference" that respects the schedule's design.

    Parameters
    ----------
    counts, hours : array of float
        Per analysed night (NaN = missing; washout nights should already be removed).
    block : array of int
        Block of each night.
    order : str
        The order actually used (``A`` intervention, ``B`` control per block).
    design : {"pairs", "balanced"}
        How the order was drawn; the test re-draws it the same way.
    rng : numpy.random.Generator or int, optional
        Randomness for the Monte-Carlo version (many blocks).
    max_enumerate, n_draws : int
        Exact test up to ``max_enumerate`` orders, else ``n_draws`` random orders.

    Returns
    -------
    RandomisationTest

    References
    ----------
    .. [1] Edgington ES, Onghena P. Randomization Tests, 4th ed. Chapman & Hall/CRC 2007.
    """
    n_blocks = len(order)
    y = np.asarray(counts, dtype=float)
    h = np.asarray(hours, dtype=float)
    blk = np.asarray(block, dtype=int)
    ok = np.isfinite(y) & np.isfinite(h) & (h > 0)
    c_b = np.bincount(blk[ok], weights=y[ok], minlength=n_blocks)
    h_b = np.bincount(blk[ok], weights=h[ok], minlength=n_blocks)
    observed = np.array([[letter == "A" for letter in order]])
    t_obs = float(log_rate_ratio_statistic(c_b, h_b, observed)[0])
    allocs, exhaustive = design_allocations(n_blocks, design, max_enumerate=max_enumerate, n_draws=n_draws, rng=rng)
    t_all = log_rate_ratio_statistic(c_b, h_b, allocs)
    if not np.isfinite(t_obs):
        return RandomisationTest(t_obs, 1.0, len(allocs), exhaustive, min_two_sided_p(n_blocks, design))
    tol = 1e-9 * max(1.0, abs(t_obs))
    extreme = ~(np.abs(t_all) < abs(t_obs) - tol)  # NaN counts as extreme: conservative
    if exhaustive:
        p = float(extreme.mean())
        min_p = min_two_sided_p(n_blocks, design)
    else:
        p = float((1 + extreme.sum()) / (1 + len(allocs)))
        min_p = 1.0 / (1 + len(allocs))
    return RandomisationTest(t_obs, p, len(allocs), exhaustive, min_p)
