"""Shared inference: Wald summaries with equivalence tests, Holm's correction, the verdict rule."""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.claim.spec import HYPOTHESES, Hypothesis, Result, not_testable


def wald_result(hypothesis: str, coefficient: float, std_error: float, df: float,
                n_months: int, note: str = "") -> Result:
    """Estimate, 95% CI, two-sided p and TOST p from a coefficient on the link scale (log for
    ratios). t reference with the model's residual df, because n is a few dozen months."""
    spec = HYPOTHESES[hypothesis]
    if not (np.isfinite(coefficient) and np.isfinite(std_error) and std_error > 0 and df > 0):
        return not_testable(hypothesis, "the model gave no finite estimate or standard error",
                            n_months)
    back = np.exp if spec.multiplicative else (lambda x: x)
    link = np.log if spec.multiplicative else (lambda x: x)
    critical = stats.t.ppf(0.975, df)
    low, high = coefficient - critical * std_error, coefficient + critical * std_error
    t_null = (coefficient - link(spec.null)) / std_error
    low_bound, high_bound = (link(b) for b in spec.equivalence_bounds)
    p_above_low = stats.t.sf((coefficient - low_bound) / std_error, df)
    p_below_high = stats.t.cdf((coefficient - high_bound) / std_error, df)
    with np.errstate(over="ignore"):
        estimate, ci_low, ci_high = (float(back(v)) for v in (coefficient, low, high))
    return Result(
        hypothesis=hypothesis,
        estimate=estimate,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=float(2 * stats.t.sf(abs(t_null), df)),
        p_equivalence=float(max(p_above_low, p_below_high)),
        n_months=n_months,
        note=note,
    )


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm step-down adjustment over the finite p-values; missing ones stay missing and do not
    count towards the family size."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    if finite.size == 0:
        return adjusted
    order = finite[np.argsort(p[finite], kind="stable")]
    m = order.size
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def claim_side(spec: Hypothesis, estimate: float) -> int:
    """+1 if the estimate lies on the side the claim predicts, -1 if opposite, 0 at the null."""
    with np.errstate(divide="ignore"):
        distance = np.log(estimate) if spec.multiplicative else estimate - spec.null
    return int(np.sign(distance)) * spec.claim_sign


def verdict(spec: Hypothesis, estimate: float, p_adjusted: float, p_equivalence_adjusted: float,
            alpha: float) -> tuple[str, str]:
    """The pre-registered rule; returns the verdict and which branch of the rule gave it."""
    if not (np.isfinite(estimate) and np.isfinite(p_adjusted)):
        return "inconclusive", "not_testable"
    side = claim_side(spec, estimate)
    significant = p_adjusted < alpha
    equivalent = np.isfinite(p_equivalence_adjusted) and p_equivalence_adjusted < alpha
    if significant and side > 0:
        if equivalent:
            return "inconclusive", "smaller_than_sesoi"
        return "supports the claim", "claim_side_significant"
    if significant and side < 0:
        return "against the claim", "opposite_side_significant"
    if equivalent:
        return "against the claim", "equivalent"
    return "inconclusive", "not_significant"
