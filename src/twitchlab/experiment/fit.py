"""Model fits of an n-of-1 experiment: nightly counts as a rate, self-rated symptoms as a score.

Counts are modelled with a log link, ``log(sleep hours)`` as offset, a condition term and one term per
period (pair of blocks), which absorbs slow drifts. The negative-binomial (NB2) dispersion ``alpha`` is
estimated by maximum likelihood; when a likelihood-ratio test (on the boundary, ½·χ²₁) finds no
overdispersion the Poisson model is used. In both cases the standard errors are scaled by Pearson's
χ²/df and the interval uses Student's t with the residual degrees of freedom: with 30-90 nights the plain
Wald interval of an ML fit is too narrow (a simulation study in ``benchmarks/nof1_calibration.py`` shows
it covering about 91 % instead of 95 %).

References
----------
.. [1] Hilbe JM. Negative Binomial Regression, 2nd ed. Cambridge University Press 2011 (§7, NB2; §9,
   scaling standard errors).
.. [2] Cameron AC, Trivedi PK. Regression Analysis of Count Data, 2nd ed. Cambridge 2013 (§3.4, tests
   for overdispersion).
.. [3] Kravitz RL, Duan N (eds). Design and Implementation of N-of-1 Trials: A User's Guide. AHRQ 2014
   (ch. 4, statistical analysis).
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import statsmodels.api as sm
from scipy import optimize, stats

from twitchlab.errors import InsufficientDataError

__all__ = ["RateRatioFit", "SymptomFit", "design_matrix", "fit_rate_ratio", "fit_symptoms"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateRatioFit:
    """Rate ratio (intervention / control) of nightly counts per hour of sleep.

    Attributes
    ----------
    family : {"negative_binomial", "poisson"}
        Model used.
    rate_ratio, ci_low, ci_high : float
        Estimate and interval (``level``) of the rate ratio; below 1 means fewer movements per hour.
    log_rr, se : float
        Log rate ratio and its (scaled) standard error.
    p_value : float
        Two-sided test of rate ratio 1 (t with ``df_resid``).
    alpha : float
        NB2 dispersion (0 for Poisson).
    overdispersion_p : float
        Likelihood-ratio test of alpha = 0.
    scale : float
        Pearson χ²/df used to scale the standard errors.
    df_resid : int
        Residual degrees of freedom.
    n_nights, n_intervention, n_control : int
        Nights in the fit.
    control_rate_per_h : float
        Fitted rate per hour on control nights (at the average period).
    level : float
        Interval level.
    """

    family: Literal["negative_binomial", "poisson"]
    rate_ratio: float
    ci_low: float
    ci_high: float
    log_rr: float
    se: float
    p_value: float
    alpha: float
    overdispersion_p: float
    scale: float
    df_resid: int
    n_nights: int
    n_intervention: int
    n_control: int
    control_rate_per_h: float
    level: float = 0.95


@dataclass(frozen=True)
class SymptomFit:
    """Difference in self-rated symptoms (0-10), intervention minus control, from a linear model.

    Attributes
    ----------
    difference, ci_low, ci_high : float
        Estimate and interval; negative means milder symptoms with the intervention.
    p_value : float
        Two-sided t-test of no difference.
    mean_intervention, mean_control : float
        Raw means.
    n_intervention, n_control : int
        Scored nights.
    level : float
        Interval level.
    """

    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    mean_intervention: float
    mean_control: float
    n_intervention: int
    n_control: int
    level: float = 0.95


def design_matrix(treat: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Columns: intercept, condition (1 = intervention), one indicator per period after the first.

    Periods whose nights all have the same condition cannot be told apart from the condition and would
    make the model singular; they share the reference level instead.
    """
    treat = np.asarray(treat, dtype=float)
    period = np.asarray(period)
    cols = [np.ones_like(treat), treat]
    levels = [p for p in np.unique(period) if 0 < treat[period == p].mean() < 1]
    for p in levels[1:]:
        cols.append((period == p).astype(float))
    return np.column_stack(cols)


def _nb_alpha_ml(y: np.ndarray, X: np.ndarray, off: np.ndarray, start: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood NB2 dispersion and log-likelihood (0, -inf when no fit can be trusted)."""
    model = sm.NegativeBinomial(y, X, offset=off, loglike_method="nb2")
    for method in ("bfgs", "nm"):
        try:
            nb = model.fit(start_params=np.append(start, 0.1), disp=0, maxiter=1000, method=method)
        except (np.linalg.LinAlgError, ValueError) as err:  # pragma: no cover - degenerate data
            logger.debug("NB fit with %s failed: %s", method, err)
            continue
        a = float(nb.params[-1])
        if nb.mle_retvals.get("converged", False) and np.isfinite(a) and np.isfinite(nb.llf):
            return max(a, 0.0), float(nb.llf)

    # last resort: profile the likelihood over log(alpha) with the IRLS fit
    def nll(log_a: float) -> float:
        fam = sm.families.NegativeBinomial(alpha=math.exp(log_a))
        return -float(sm.GLM(y, X, family=fam, offset=off).fit().llf)

    best = optimize.minimize_scalar(nll, bounds=(-14.0, 3.0), method="bounded", options={"xatol": 1e-3})
    return math.exp(float(best.x)), -float(best.fun)


def _clean(counts: np.ndarray, hours: np.ndarray, treat: np.ndarray, period: np.ndarray) -> tuple[np.ndarray, ...]:
    y = np.asarray(counts, dtype=float)
    h = np.asarray(hours, dtype=float)
    t = np.asarray(treat, dtype=bool)
    p = np.asarray(period)
    ok = np.isfinite(y) & np.isfinite(h) & (h > 0)
    return y[ok], h[ok], t[ok], p[ok]


def fit_rate_ratio(
    counts: np.ndarray,
    hours: np.ndarray,
    treat: np.ndarray,
    period: np.ndarray,
    *,
    level: float = 0.95,
    family: Literal["auto", "negative_binomial", "poisson"] = "auto",
    overdispersion_alpha: float = 0.05,
) -> RateRatioFit:
    """Fit nightly counts as a rate and return the intervention/control rate ratio.

    Parameters
    ----------
    counts : array of float
        Movements counted each night (NaN = missing).
    hours : array of float
        Hours of (scored or estimated) sleep each night; the offset is ``log(hours)``.
    treat : array of bool
        ``True`` on intervention nights.
    period : array of int
        Period (pair of blocks) of each night.
    level : float
        Interval level.
    family : {"auto", "negative_binomial", "poisson"}
        ``auto``: negative binomial unless the overdispersion test has p ≥ ``overdispersion_alpha``.
    overdispersion_alpha : float
        Level of the overdispersion test.

    Returns
    -------
    RateRatioFit

    Raises
    ------
    InsufficientDataError
        With fewer than 2 nights in either condition, or fewer nights than model terms + 2.

    References
    ----------
    .. [1] Hilbe JM. Negative Binomial Regression, 2nd ed. Cambridge University Press 2011.
    """
    y, h, t, p = _clean(counts, hours, treat, period)
    n_a, n_b = int(t.sum()), int((~t).sum())
    X = design_matrix(t, p)
    if n_a < 2 or n_b < 2 or len(y) < X.shape[1] + 2:
        raise InsufficientDataError(
            f"only {n_a} intervention and {n_b} control nights have both a count and sleep hours; at least 2 "
            f"of each and {X.shape[1] + 2} in all are needed. Keep logging nights."
        )
    off = np.log(h)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter is judged below, not shown to users
        pois = sm.GLM(y, X, family=sm.families.Poisson(), offset=off).fit()
        alpha, od_p = 0.0, 1.0
        mu = pois.fittedvalues
        # score for alpha at 0 (Cameron & Trivedi): when it is not positive, the NB2 likelihood peaks at alpha = 0
        score = float(np.sum((y - mu) ** 2 - y))
        if family != "poisson" and y.sum() > 0 and (score > 0 or family == "negative_binomial"):
            alpha_ml, llf_nb = _nb_alpha_ml(y, X, off, pois.params)
            if alpha_ml > 1e-8:
                lr = max(0.0, 2.0 * (llf_nb - pois.llf))
                od_p = 0.5 * float(stats.chi2.sf(lr, 1)) if lr > 0 else 1.0
                alpha = alpha_ml
        use_nb = family == "negative_binomial" or (family == "auto" and od_p < overdispersion_alpha)
        use_nb = use_nb and alpha > 0
        fam = sm.families.NegativeBinomial(alpha=alpha) if use_nb else sm.families.Poisson()
        res = sm.GLM(y, X, family=fam, offset=off).fit(scale="X2")
    df = int(res.df_resid)
    scale = float(res.scale)
    if not use_nb:  # a Poisson model may only widen its interval, never narrow it below the Poisson one
        scale = max(scale, 1.0)
    b = float(res.params[1])
    se = float(np.sqrt(res.cov_params(scale=scale)[1, 1]))
    if not (np.isfinite(b) and np.isfinite(se)) or se == 0:
        raise InsufficientDataError(
            "the count model could not be fitted (counts all zero in one condition?). Keep logging nights."
        )
    q = float(stats.t.ppf(0.5 + level / 2, df))
    pval = float(2 * stats.t.sf(abs(b) / se, df))
    ctrl = X.copy()
    ctrl[:, 1] = 0.0
    ctrl_rate = float(np.mean(np.exp(ctrl @ res.params)))
    return RateRatioFit(
        family="negative_binomial" if use_nb else "poisson",
        rate_ratio=math.exp(b),
        ci_low=math.exp(b - q * se),
        ci_high=math.exp(b + q * se),
        log_rr=b,
        se=se,
        p_value=pval,
        alpha=alpha if use_nb else 0.0,
        overdispersion_p=od_p,
        scale=scale,
        df_resid=df,
        n_nights=len(y),
        n_intervention=n_a,
        n_control=n_b,
        control_rate_per_h=ctrl_rate,
        level=level,
    )


def fit_symptoms(scores: np.ndarray, treat: np.ndarray, period: np.ndarray, *, level: float = 0.95) -> SymptomFit:
    """Compare self-rated symptoms between conditions with a linear model (condition + period).

    Parameters
    ----------
    scores : array of float
        Symptoms 0-10 per night (NaN = not rated).
    treat : array of bool
        ``True`` on intervention nights.
    period : array of int
        Period of each night.
    level : float
        Interval level.

    Returns
    -------
    SymptomFit

    Raises
    ------
    InsufficientDataError
        With fewer than 2 rated nights in either condition or no residual degrees of freedom.
    """
    s = np.asarray(scores, dtype=float)
    ok = np.isfinite(s)
    s, t, p = s[ok], np.asarray(treat, dtype=bool)[ok], np.asarray(period)[ok]
    X = design_matrix(t, p)
    n_a, n_b = int(t.sum()), int((~t).sum())
    if n_a < 2 or n_b < 2 or len(s) <= X.shape[1]:
        raise InsufficientDataError(
            f"symptoms were rated on {n_a} intervention and {n_b} control nights; at least 2 of each and "
            f"{X.shape[1] + 1} in all are needed."
        )
    res = sm.OLS(s, X).fit()
    b, se, df = float(res.params[1]), float(res.bse[1]), int(res.df_resid)
    if not np.isfinite(se) or se == 0:
        lo = hi = b
        pval = 1.0 if b == 0 else 0.0
    else:
        q = float(stats.t.ppf(0.5 + level / 2, df))
        lo, hi = b - q * se, b + q * se
        pval = float(2 * stats.t.sf(abs(b) / se, df))
    return SymptomFit(b, lo, hi, pval, float(s[t].mean()), float(s[~t].mean()), n_a, n_b, level)
