"""Shared inference: least squares with Newey-West errors on every posterior draw at once,
Rubin's rules to combine the draws, Wald summaries with equivalence tests, Holm's correction and
the verdict rule."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.claim.spec import HYPOTHESES, NOT_ANSWERABLE, Hypothesis, Result, not_testable


@dataclass(frozen=True)
class Combined:
    """One coefficient combined over draws: estimate, standard error, degrees of freedom."""

    estimate: float
    std_error: float
    df: float
    n_months: int


def ols_newey_west(outcome: np.ndarray, design: np.ndarray, lags: int,
                   positions: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (terms x draws) and their Newey-West variances (terms x draws) for an
    outcome matrix (months x draws) on one design (months x terms), with the small-sample
    factor n/(n-k). ``positions`` are the rows' month numbers: a lag pairs rows that many
    calendar months apart, so rows either side of a gap are never taken as neighbours."""
    n, k = design.shape
    positions = np.arange(n) if positions is None else np.asarray(positions)
    bread = np.linalg.inv(design.T @ design)
    coefficients = bread @ design.T @ outcome
    residuals = outcome - design @ coefficients
    scores = design[:, :, None] * residuals[:, None, :]
    meat = np.einsum("tid,tjd->ijd", scores, scores)
    for lag in range(1, lags + 1):
        later = np.flatnonzero(np.isin(positions, positions + lag))
        if not len(later):
            continue
        earlier = np.searchsorted(positions, positions[later] - lag)
        weight = 1 - lag / (lags + 1)
        cross = np.einsum("tid,tjd->ijd", scores[later], scores[earlier])
        meat += weight * (cross + cross.transpose(1, 0, 2))
    covariance = np.einsum("ij,jkd,kl->ild", bread, meat, bread) * n / max(n - k, 1)
    return coefficients, np.einsum("iid->id", covariance)


def rubin(estimates: np.ndarray, variances: np.ndarray, complete_df: float, n_months: int
          ) -> Combined:
    """Rubin's rules over draws, with Barnard and Rubin's (1999) small-sample degrees of
    freedom; one draw gives the within-draw result unchanged."""
    m = len(estimates)
    within = float(np.mean(variances))
    between = float(np.var(estimates, ddof=1)) if m > 1 else 0.0
    total = within + (1 + 1 / m) * between
    if total <= 0 or complete_df <= 0:
        return Combined(float(np.mean(estimates)), np.nan, np.nan, n_months)
    share = (1 + 1 / m) * between / total
    observed_df = (complete_df + 1) / (complete_df + 3) * complete_df * (1 - share)
    df = observed_df if share == 0 else 1 / ((share**2) / (m - 1) + 1 / observed_df)
    return Combined(float(np.mean(estimates)), float(np.sqrt(total)), float(df), n_months)


def wald_result(hypothesis: str, combined: Combined, note: str = "") -> Result:
    """Estimate, 95% CI, two-sided p and TOST p (against ±SESOI) from a combined coefficient;
    a description (no hypothesis) gets no equivalence test."""
    spec = HYPOTHESES.get(hypothesis)
    estimate, se, df = combined.estimate, combined.std_error, combined.df
    if not (np.isfinite(estimate) and np.isfinite(se) and se > 0 and df > 0):
        return not_testable(hypothesis, "the model gave no finite estimate or standard error",
                            combined.n_months)
    critical = stats.t.ppf(0.975, df)
    null = spec.null if spec else 0.0
    p_equivalence = np.nan
    if spec is not None:
        low_bound, high_bound = spec.equivalence_bounds
        p_equivalence = float(max(stats.t.sf((estimate - low_bound) / se, df),
                                  stats.t.cdf((estimate - high_bound) / se, df)))
    return Result(
        hypothesis=hypothesis, estimate=estimate,
        ci_low=estimate - critical * se, ci_high=estimate + critical * se,
        p_value=float(2 * stats.t.sf(abs(estimate - null) / se, df)),
        p_equivalence=p_equivalence, n_months=combined.n_months, note=note)


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
    """The rule of the second edition, kept by the third for the answerable contrasts; returns
    the verdict and which branch gave it."""
    if not (np.isfinite(estimate) and np.isfinite(p_adjusted)):
        return NOT_ANSWERABLE, "not_testable"
    side = claim_side(spec, estimate)
    significant = p_adjusted < alpha
    equivalent = np.isfinite(p_equivalence_adjusted) and p_equivalence_adjusted < alpha
    if significant and side < 0:
        return "against the claim", "opposite_side_significant"
    if significant and side > 0 and not (equivalent and not spec.equivalence_supports):
        return "supports the claim", "claim_side_significant"
    if equivalent:
        if spec.equivalence_supports:
            return "supports the claim", "equivalent"
        if significant:
            return "inconclusive", "smaller_than_sesoi"
        return "against the claim", "equivalent"
    return "inconclusive", "not_significant"
