"""One estimator per row of docs/hypotheses.md (third edition), each run on every posterior draw
of the stock-flow model (and its no-deal counterfactual) and, for the contrasts, combined by
Rubin's rules.

The contrasts are differences of monthly means (persons a month) estimated by least squares:
an effect in persons is what a briefing can state, and a linear model can be solved for all
draws at once, which keeps the power simulations fast enough to run in a notebook.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.claim.data import ClaimData
from analysis.claim.inference import ols_newey_west, rubin, wald_result
from analysis.claim.spec import (
    COMPARISON_START,
    DEAL_ERA_START,
    HAC_LAGS,
    HYPOTHESES,
    MAX_TREND_CORRELATION,
    MIN_CONTRAST_MONTHS,
    PRESSURE_LAGS,
    REFILL_LAGS,
    RELIEF_CONTROL_WINDOW,
    US_RELIEF_START,
    Result,
    any_in_window,
    not_testable,
)


def deal_era(data: ClaimData) -> np.ndarray:
    return np.asarray(data.months >= DEAL_ERA_START)


def comparison_window(data: ClaimData, start=COMPARISON_START) -> np.ndarray:
    return np.asarray((data.months >= start) & (data.months < DEAL_ERA_START))


def contrast(data: ClaimData, hypothesis: str, outcome: str, indicator: np.ndarray,
             sample: np.ndarray, *, trend: bool = False, controls: tuple[np.ndarray, ...] = (),
             note: str = "") -> Result:
    """Least squares of ``outcome`` on [1, indicator, controls, trend] over the ``sample``
    months, per draw, combined. A month whose outcome, indicator or control is unknown is left
    out, and Newey-West lags count calendar months, so they never bridge a gap."""
    matrix = data.outcomes[outcome]
    columns = [indicator, *controls]
    usable = sample & np.all([np.isfinite(column) for column in columns], axis=0)
    usable &= np.isfinite(matrix).all(axis=1)
    rows = np.flatnonzero(usable)
    n = len(rows)
    if n == 0:
        return not_testable(hypothesis, "no month has the outcome and the indicator")
    exposed = indicator[rows]
    if min(exposed.sum(), n - exposed.sum()) < MIN_CONTRAST_MONTHS:
        return not_testable(hypothesis, f"fewer than {MIN_CONTRAST_MONTHS} months on one side "
                            "of the contrast", n)
    design = [np.ones(n), exposed, *[control[rows] for control in controls]]
    if trend:
        design.append(rows - rows.mean())
    design = np.column_stack(design)
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return not_testable(hypothesis, "the indicator is collinear with the other terms", n)
    coefficients, variances = ols_newey_west(matrix[rows], design, HAC_LAGS, positions=rows)
    combined = rubin(coefficients[1], variances[1], n - design.shape[1], n)
    return wald_result(hypothesis, combined, note)


def before_after(data: ClaimData, hypothesis: str, outcome: str, *,
                 comparison_start=COMPARISON_START, note: str = "") -> Result:
    """Deal era against the comparison window, no trend: the comparison window's mean monthly
    value is the pre-deal trend for a flow, and for the stock's change."""
    era = deal_era(data)
    sample = era | comparison_window(data, comparison_start)
    return contrast(data, hypothesis, outcome, era.astype(float), sample, note=note)


def h1_pressure(data: ClaimData) -> Result:
    pressure = any_in_window(data.packages, [-lag for lag in PRESSURE_LAGS])
    relief = any_in_window(data.relief, RELIEF_CONTROL_WINDOW)
    era = deal_era(data)
    known = era & np.isfinite(pressure)
    switched_on = int(np.nansum(pressure[known]))
    if min(switched_on, int(known.sum()) - switched_on) < MIN_CONTRAST_MONTHS:
        return not_testable(
            "H1_pressure", f"{switched_on} of {int(known.sum())} deal-era months with known "
            f"sanctions steps follow a package within {max(PRESSURE_LAGS)} months and "
            f"{int(known.sum()) - switched_on} do not; at least {MIN_CONTRAST_MONTHS} of each "
            "are needed to tell pressure apart from time and era", int(known.sum()))
    trend = np.arange(known.sum(), dtype=float)
    correlation = np.corrcoef(pressure[known], trend)[0, 1]
    if abs(correlation) > MAX_TREND_CORRELATION:
        return not_testable("H1_pressure", f"pressure correlates with the trend (r = "
                            f"{correlation:.2f}), so its effect is not identified",
                            int(known.sum()))
    controls = (relief,) if np.nanstd(relief[era]) > 0 else ()
    return contrast(data, "H1_pressure", "released_deals", pressure, era, trend=True,
                    controls=controls)


def h3_net_effect(data: ClaimData) -> Result:
    """The deals' effect on the number held at the model's last month, against the no-deal
    counterfactual: the mean of the draws, their 2.5-97.5 percentiles, and p-values from the
    normal approximation to the draws (as the third edition states)."""
    if "deal_effect" not in data.outcomes:
        return not_testable("H3_net_effect", "the no-deal counterfactual is not built for "
                            "this panel")
    effect = data.outcomes["deal_effect"]
    rows = np.flatnonzero(np.isfinite(effect).all(axis=1) & deal_era(data))
    if not len(rows):
        return not_testable("H3_net_effect", "the counterfactual has no deal-era month")
    return draws_result("H3_net_effect", effect[rows[-1]], int(len(rows)),
                        note=effect_by_batch(data))


def draws_result(hypothesis: str, sample: np.ndarray, n_months: int, note: str = "") -> Result:
    """Estimate, percentile interval and normal-approximation p-values from posterior draws."""
    spec = HYPOTHESES[hypothesis]
    centre = float(np.mean(sample))
    spread = float(np.std(sample, ddof=1)) if len(sample) > 1 else 0.0
    if not spread > 0:
        return not_testable(hypothesis, "needs the model's posterior draws, not a single "
                            "series", n_months)
    low, high = spec.equivalence_bounds
    return Result(
        hypothesis, estimate=centre, ci_low=float(np.percentile(sample, 2.5)),
        ci_high=float(np.percentile(sample, 97.5)),
        p_value=float(2 * stats.norm.sf(abs(centre - spec.null) / spread)),
        p_equivalence=float(max(stats.norm.sf((centre - low) / spread),
                                stats.norm.cdf((centre - high) / spread))),
        n_months=n_months, note=note)


def effect_by_batch(data: ClaimData) -> str:
    """The deals' effect on the number held at the end of each deal-era month with a batch."""
    effect = data.outcomes["deal_effect"]
    batches = deal_era(data) & (np.nan_to_num(data.outcomes["released_deals"].mean(axis=1))
                                >= 1) & np.isfinite(effect).all(axis=1)
    parts = [f"{month:%b %Y} {np.mean(row):+,.0f} ({np.percentile(row, 2.5):+,.0f} to "
             f"{np.percentile(row, 97.5):+,.0f})"
             for month, row in zip(data.months[batches], effect[batches], strict=True)]
    return ("effect on the number held at the end of each month with a batch: "
            + "; ".join(parts)) if parts else ""


def h5_recognition_slowdown(data: ClaimData) -> Result:
    """Recognitions after US relief began against the months before it from the comparison
    window's start; the second edition's deal era against the comparison window in the note."""
    after = np.asarray(data.months >= US_RELIEF_START)
    sample = np.asarray(data.months >= COMPARISON_START)
    era = before_after(data, "H5_recognition_slowdown", "recognized")
    note = ("second edition's contrast, deal era against Jul 2023 - Jun 2024: "
            + (f"{era.estimate:+.0f} a month (95% CI {era.ci_low:+.0f} to {era.ci_high:+.0f})"
               if era.reason is None else era.reason))
    return contrast(data, "H5_recognition_slowdown", "recognized", after.astype(float), sample,
                    note=note)


def h6_additionality(data: ClaimData) -> Result:
    if "beyond_completions" not in data.outcomes:
        return not_testable("H6_additionality", "the exit model gives no expected sentence "
                            "completions per month for this panel")
    return before_after(data, "H6_additionality", "beyond_completions")


def refill_sample(data: ClaimData) -> np.ndarray:
    """H7's months: the deal era, where the panel has a monthly recognition figure."""
    figures = data.figures.get("recognized", np.ones(len(data.months), dtype=bool))
    return deal_era(data) & figures


def h7_refill(data: ClaimData) -> Result:
    after = any_in_window(data.relief, [-lag for lag in REFILL_LAGS])
    sample = refill_sample(data)
    result = contrast(data, "H7_refill", "recognized", after, sample, trend=True)
    if result.reason is None:
        return result
    exposed = int(np.nansum(after[sample]))
    return not_testable("H7_refill", f"{exposed} of {int(sample.sum())} deal-era months with a "
                        f"monthly recognition figure fall 1-{max(REFILL_LAGS)} months after a "
                        f"relief step; at least {MIN_CONTRAST_MONTHS} on each side are needed",
                        result.n_months)


ESTIMATORS = {
    "H1_pressure": h1_pressure,
    "H3_net_effect": h3_net_effect,
    "H6_additionality": h6_additionality,
    "H5_recognition_slowdown": h5_recognition_slowdown,
    "H7_refill": h7_refill,
}


def family(data: ClaimData) -> list[str]:
    """The verdict-bearing hypotheses identified on these inputs: the panels of the power
    simulation are judged at alpha over their number (the first Holm step)."""
    return [h for h in HYPOTHESES if ESTIMATORS[h](data).reason is None]
