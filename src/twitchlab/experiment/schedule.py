"""Randomised block schedules (ABAB/ABBA …) drawn reproducibly from a recorded seed.

A schedule is a sequence of blocks of ``block_nights`` nights, each block either ``A`` (intervention) or
``B`` (control). Every block after the first starts with ``washout_nights`` nights on which the new
condition is already followed but which are not analysed, so that a lingering effect of the previous
block does not blur the comparison. Blocks ``2p`` and ``2p + 1`` form *period* ``p``.

Designs
-------
``pairs``
    Each period is AB or BA with probability ½ each (ABAB, ABBA, BAAB, BABA for four blocks). Slow
    drifts cancel within each period. ``2**(n_blocks/2)`` possible orders.
``balanced``
    Any order with as many A as B blocks. More possible orders, less protection against drift.

The order is drawn from raw PCG64 output, so the same seed gives the same order on every platform and
NumPy version.

References
----------
.. [1] Kravitz RL, Duan N (eds). Design and Implementation of N-of-1 Trials: A User's Guide. AHRQ 2014.
.. [2] Edgington ES, Onghena P. Randomization Tests, 4th ed. Chapman & Hall/CRC 2007 (ch. 11, single-case
   designs).
"""

from __future__ import annotations

import itertools
import math
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from twitchlab.errors import ParameterError, check_option
from twitchlab.experiment.interventions import get_intervention

__all__ = [
    "CONDITIONS",
    "DESIGNS",
    "Schedule",
    "design_allocations",
    "draw_order",
    "min_two_sided_p",
    "n_allocations",
    "plan_schedule",
]

DESIGNS = ("pairs", "balanced")
Design = Literal["pairs", "balanced"]
#: Block letter → condition name.
CONDITIONS = {"A": "intervention", "B": "control"}


def _check_blocks(n_blocks: int) -> None:
    if n_blocks < 2 or n_blocks % 2:
        raise ParameterError(
            f"blocks={n_blocks}: the number of blocks must be even and at least 2, so that intervention and "
            "control get the same number of blocks (e.g. 4, 8 or 12)."
        )


def draw_order(n_blocks: int, design: Design, seed: int) -> str:
    """Draw the block order, e.g. ``"ABBABAAB"``, from ``seed``.

    Parameters
    ----------
    n_blocks : int
        Even number of blocks.
    design : {"pairs", "balanced"}
        Randomisation scheme.
    seed : int
        Seed in ``[0, 2**63)``; the order is a pure function of it.

    Returns
    -------
    str
        One letter per block: ``A`` intervention, ``B`` control.
    """
    _check_blocks(n_blocks)
    check_option("design", design, DESIGNS)
    bits = np.random.PCG64(seed)
    if design == "pairs":
        flips = bits.random_raw(n_blocks // 2) >> np.uint64(63)
        return "".join("BA" if f else "AB" for f in flips.tolist())
    letters = ["A"] * (n_blocks // 2) + ["B"] * (n_blocks // 2)
    raw = bits.random_raw(n_blocks).tolist()
    for i in range(n_blocks - 1, 0, -1):  # Fisher-Yates with raw 64-bit draws
        j = raw[i] % (i + 1)
        letters[i], letters[j] = letters[j], letters[i]
    return "".join(letters)


def n_allocations(n_blocks: int, design: Design) -> int:
    """Number of block orders the design could have produced."""
    _check_blocks(n_blocks)
    if design == "pairs":
        return 2 ** (n_blocks // 2)
    return math.comb(n_blocks, n_blocks // 2)


def min_two_sided_p(n_blocks: int, design: Design) -> float:
    """Smallest two-sided p-value an exact randomisation test of this design can give.

    Swapping A and B in every block is itself a possible order and mirrors the statistic, so the two
    extremes always come together: the floor is ``2 / n_allocations``.
    """
    return min(1.0, 2.0 / n_allocations(n_blocks, design))


def design_allocations(
    n_blocks: int,
    design: Design,
    *,
    max_enumerate: int = 20_000,
    n_draws: int = 5_000,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, bool]:
    """Return the block orders of a design as a boolean matrix (``True`` = intervention).

    Parameters
    ----------
    n_blocks : int
        Even number of blocks.
    design : {"pairs", "balanced"}
        Randomisation scheme.
    max_enumerate : int
        List every order when there are at most this many.
    n_draws : int
        Otherwise draw this many orders at random.
    rng : numpy.random.Generator or int, optional
        Randomness for the draws.

    Returns
    -------
    allocations : numpy.ndarray of bool, shape (n_orders, n_blocks)
    exhaustive : bool
        Whether every possible order is listed (exact test) or a random sample (Monte-Carlo test).
    """
    total = n_allocations(n_blocks, design)
    k = n_blocks // 2
    if total <= max_enumerate:
        if design == "pairs":
            flips = np.array(list(itertools.product((False, True), repeat=k)), dtype=bool)
            return np.repeat(~flips, 2, axis=1) ^ np.tile([False, True], k), True
        out = np.zeros((total, n_blocks), dtype=bool)
        for row, idx in enumerate(itertools.combinations(range(n_blocks), k)):
            out[row, list(idx)] = True
        return out, True
    gen = np.random.default_rng(rng)
    if design == "pairs":
        flips = gen.random((n_draws, k)) < 0.5
        return np.repeat(~flips, 2, axis=1) ^ np.tile([False, True], k), False
    keys = gen.random((n_draws, n_blocks))
    ranks = keys.argsort(axis=1).argsort(axis=1)
    return ranks < k, False


@dataclass(frozen=True)
class Schedule:
    """A planned experiment's calendar. Build it with :func:`plan_schedule`.

    Attributes
    ----------
    intervention : str
        Key in :data:`twitchlab.experiment.INTERVENTIONS`.
    start : datetime.date
        First night (dated by its evening).
    block_nights, n_blocks, washout_nights : int
        Layout.
    design : {"pairs", "balanced"}
        Randomisation scheme.
    seed : int
        Seed the order was drawn from.
    order : str
        One letter per block (``A`` intervention, ``B`` control).
    """

    intervention: str
    start: date
    block_nights: int
    n_blocks: int
    washout_nights: int
    design: Design
    seed: int
    order: str

    @property
    def n_nights(self) -> int:
        """Total nights including washouts."""
        return self.n_blocks * self.block_nights + (self.n_blocks - 1) * self.washout_nights

    @property
    def end(self) -> date:
        """Last night of the schedule."""
        return self.start + timedelta(days=self.n_nights - 1)

    def block_of_night(self) -> tuple[np.ndarray, np.ndarray]:
        """Return per-night ``(block, washout)`` arrays in calendar order."""
        block, washout = [], []
        for b in range(self.n_blocks):
            w = self.washout_nights if b > 0 else 0
            block += [b] * (w + self.block_nights)
            washout += [True] * w + [False] * self.block_nights
        return np.array(block), np.array(washout)

    def nights(self) -> pd.DataFrame:
        """One row per night: ``night_date``, ``block``, ``period``, ``condition``, ``washout``."""
        block, washout = self.block_of_night()
        dates = [self.start + timedelta(days=i) for i in range(self.n_nights)]
        return pd.DataFrame(
            {
                "night_date": dates,
                "block": block,
                "period": block // 2,
                "condition": [CONDITIONS[self.order[b]] for b in block],
                "washout": washout,
            }
        )

    def matches_seed(self) -> bool:
        """Whether ``order`` is what ``seed`` gives (a check that the stored plan was not edited)."""
        return draw_order(self.n_blocks, self.design, self.seed) == self.order


def plan_schedule(
    intervention: str,
    *,
    start: date,
    block_nights: int | None = None,
    n_blocks: int = 12,
    washout_nights: int | None = None,
    design: Design = "pairs",
    seed: int | None = None,
) -> Schedule:
    """Plan a randomised n-of-1 schedule.

    Parameters
    ----------
    intervention : str
        One of :data:`twitchlab.experiment.INTERVENTIONS`.
    start : datetime.date
        Evening of the first night.
    block_nights : int, optional
        Nights per block (default: the intervention's suggestion).
    n_blocks : int
        Even number of blocks. With the ``pairs`` design, 12 blocks are the fewest for which a
        randomisation test can reach p < 0.05.
    washout_nights : int, optional
        Unanalysed nights at the start of each later block (default: the intervention's suggestion).
    design : {"pairs", "balanced"}
        Randomisation scheme (see module notes).
    seed : int, optional
        Seed in ``[0, 2**63)``; a fresh one is drawn (and recorded in the schedule) when omitted.

    Returns
    -------
    Schedule

    Raises
    ------
    ParameterError
        For an unknown intervention or design, an odd number of blocks, or non-positive lengths.

    References
    ----------
    .. [1] Kravitz RL, Duan N (eds). Design and Implementation of N-of-1 Trials: A User's Guide. AHRQ 2014.
    """
    spec = get_intervention(intervention)
    check_option("design", design, DESIGNS)
    block_nights = spec.default_block_nights if block_nights is None else int(block_nights)
    washout_nights = spec.default_washout_nights if washout_nights is None else int(washout_nights)
    if block_nights < 1:
        raise ParameterError(f"block_nights={block_nights} must be at least 1 night.")
    if washout_nights < 0 or washout_nights >= 2 * block_nights + 7:
        raise ParameterError(f"washout_nights={washout_nights} must be ≥ 0 and shorter than the blocks.")
    _check_blocks(n_blocks)
    if seed is None:
        seed = secrets.randbelow(2**63)
    if not 0 <= int(seed) < 2**63:
        raise ParameterError(f"seed={seed} must be in [0, 2**63).")
    order = draw_order(n_blocks, design, int(seed))
    return Schedule(intervention, start, block_nights, n_blocks, washout_nights, design, int(seed), order)
