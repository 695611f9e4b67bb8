"""One estimator per hypothesis of docs/hypotheses.md (second edition), each run on every
posterior draw of the stock-flow model and combined by Rubin's rules.

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
    RELIEF_WINDOW,
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


def h2_leverage(data: ClaimData) -> Result:
    window = any_in_window(data.relief, RELIEF_WINDOW)
    return contrast(data, "H2_leverage", "released_deals", window, deal_era(data), trend=True)


def h3_net_effect(data: ClaimData, comparison_start=COMPARISON_START) -> Result:
    return before_after(data, "H3_net_effect", "stock_change",
                        comparison_start=comparison_start)


def h4_revolving_door(data: ClaimData) -> Result:
    """Recognised per political prisoner freed in deals, summed over the deal era, from the
    draws. The p-value for a ratio of one and the equivalence test use a normal approximation
    on the log scale (so that p is not limited to one over the number of draws)."""
    era = deal_era(data)
    recognized = data.outcomes["recognized"][era]
    freed = data.outcomes["released_deals"][era]
    if data.n_draws < 20:
        return not_testable("H4_revolving_door", "needs the stock-flow model's posterior "
                            "draws, not a single series", int(era.sum()))
    totals = recognized.sum(axis=0), freed.sum(axis=0)
    if not (np.isfinite(totals[0]).all() and (totals[1] > 0).all() and (totals[0] > 0).all()):
        return not_testable("H4_revolving_door", "no political prisoner freed in deals, or no "
                            "recognition, in some draws of the deal era", int(era.sum()))
    ratio = totals[0] / totals[1]
    log_ratio = np.log(ratio)
    centre, spread = log_ratio.mean(), log_ratio.std(ddof=1)
    bound = np.log(1.25)
    other_exits = data.outcomes["released_other"][era].sum(axis=0)
    return Result(
        "H4_revolving_door", estimate=float(np.exp(centre)),
        ci_low=float(np.percentile(ratio, 2.5)), ci_high=float(np.percentile(ratio, 97.5)),
        p_value=float(2 * stats.norm.sf(abs(centre) / spread)),
        p_equivalence=float(max(stats.norm.sf((centre + bound) / spread),
                                 stats.norm.cdf((centre - bound) / spread))),
        n_months=int(era.sum()),
        note=f"recognised per political prisoner leaving by any route (deals and other exits): "
             f"{np.mean(totals[0] / (totals[1] + other_exits)):.2f}")


def h5_recognition_slowdown(data: ClaimData) -> Result:
    us_relief = np.asarray(data.months >= US_RELIEF_START)
    detail = contrast(data, "H5_recognition_slowdown", "recognized", us_relief.astype(float),
                      us_relief | comparison_window(data))
    note = ("US-relief months against the comparison window: "
            + (f"{detail.estimate:+.0f} a month (95% CI {detail.ci_low:+.0f} to "
               f"{detail.ci_high:+.0f})" if detail.reason is None else detail.reason))
    return before_after(data, "H5_recognition_slowdown", "recognized", note=note)


def h6_additionality(data: ClaimData) -> Result:
    return before_after(data, "H6_additionality", "released_other")


def h7_refill(data: ClaimData) -> Result:
    after = any_in_window(data.relief, [-lag for lag in REFILL_LAGS])
    return contrast(data, "H7_refill", "recognized", after, deal_era(data), trend=True)


def h8_durability(data: ClaimData) -> Result:
    return not_testable(
        "H8_durability", "the data count expulsions and single re-arrests but no series to "
        "compare them with; notebook 04 reports them")


ESTIMATORS = {
    "H1_pressure": h1_pressure,
    "H2_leverage": h2_leverage,
    "H3_net_effect": h3_net_effect,
    "H4_revolving_door": h4_revolving_door,
    "H5_recognition_slowdown": h5_recognition_slowdown,
    "H6_additionality": h6_additionality,
    "H7_refill": h7_refill,
    "H8_durability": h8_durability,
}


def family(data: ClaimData) -> list[str]:
    """The hypotheses that get a Holm slot: in the family by design and identified here."""
    return [h for h, spec in HYPOTHESES.items()
            if spec.in_family and ESTIMATORS[h](data).reason is None]
