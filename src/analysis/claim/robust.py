"""Robustness of the results to the choices the amendment fixed.

Each row re-estimates one hypothesis under one alternative choice. Raw p-values only: these
rows are for judging how fragile a result is, not for new verdicts.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.claim import estimators
from analysis.claim.data import ClaimData
from analysis.claim.inference import claim_side
from analysis.claim.spec import (
    COMPARISON_ALTERNATIVES,
    DEAL_ERA_START,
    HYPOTHESES,
    RELIEF_WINDOW,
    Result,
    any_in_window,
)

ROBUSTNESS_COLUMNS = ["hypothesis", "variant", "estimate", "ci_low", "ci_high", "p_value",
                      "n_months", "same_side_as_primary", "note"]


def _variants(data: ClaimData) -> list[tuple[str, Callable[[], Result]]]:
    era = estimators.deal_era(data)
    variants: list[tuple[str, Callable[[], Result]]] = []
    for start in COMPARISON_ALTERNATIVES:
        label = f"comparison window from {start:%b %Y}"
        variants += [
            (label, lambda s=start: estimators.h3_net_effect(data, comparison_start=s)),
            (label, lambda s=start: estimators.before_after(
                data, "H5_recognition_slowdown", "recognized", comparison_start=s)),
            (label, lambda s=start: estimators.before_after(
                data, "H6_additionality", "released_other", comparison_start=s)),
        ]
    for offsets, label in (((0,), "relief month only"), ((0, 1), "window t..t+1")):
        variants.append((label, lambda o=offsets: estimators.contrast(
            data, "H2_leverage", "released_deals", any_in_window(data.relief, o), era,
            trend=True)))
    variants.append(("no trend", lambda: estimators.contrast(
        data, "H2_leverage", "released_deals", any_in_window(data.relief, RELIEF_WINDOW), era)))
    variants.append(("no trend", lambda: estimators.contrast(
        data, "H7_refill", "recognized", any_in_window(data.relief, (-1, -2, -3)), era)))
    mean_only = ClaimData(data.months, data.relief, data.packages,
                          {name: matrix.mean(axis=1, keepdims=True)
                           for name, matrix in data.outcomes.items()})
    for hypothesis in ("H2_leverage", "H3_net_effect", "H5_recognition_slowdown",
                       "H6_additionality", "H7_refill"):
        variants.append(("model means only (no model uncertainty)",
                         lambda h=hypothesis: estimators.ESTIMATORS[h](mean_only)))
    return variants


def _without_relief_month(data: ClaimData, month: pd.Timestamp) -> ClaimData:
    relief = data.relief.copy()
    relief[data.months == month] = 0.0
    return ClaimData(data.months, relief, data.packages, data.outcomes)


def _row(result: Result, variant: str, primary: dict[str, Result]) -> dict:
    spec = HYPOTHESES[result.hypothesis]
    reference = primary[result.hypothesis]
    comparable = np.isfinite(result.estimate) and np.isfinite(reference.estimate)
    return {
        "hypothesis": result.hypothesis, "variant": variant, "estimate": result.estimate,
        "ci_low": result.ci_low, "ci_high": result.ci_high, "p_value": result.p_value,
        "n_months": result.n_months,
        "same_side_as_primary": (claim_side(spec, result.estimate)
                                 == claim_side(spec, reference.estimate)) if comparable
        else pd.NA,
        "note": f"not testable: {result.reason}" if result.reason is not None else result.note,
    }


def robustness(data: ClaimData, alternatives: dict[str, ClaimData] | None = None
               ) -> pd.DataFrame:
    """Primary estimates, then: other comparison windows (H3, H5, H6), other relief windows and
    no trend (H2, H7), the model's means without its uncertainty, each deal-era relief month
    left out in turn (H2, H7), and every test on each alternative input (e.g. the panel built
    with another conflict-resolution rule)."""
    primary = {h: estimator(data) for h, estimator in estimators.ESTIMATORS.items()}
    rows = [_row(result, "primary", primary) for result in primary.values()]
    rows += [_row(estimate(), variant, primary) for variant, estimate in _variants(data)]
    relief_months = data.months[(np.nan_to_num(data.relief) > 0)
                                & (data.months >= DEAL_ERA_START)]
    for month in relief_months:
        reduced = _without_relief_month(data, month)
        rows += [_row(estimators.ESTIMATORS[h](reduced), f"without relief in {month:%b %Y}",
                      primary) for h in ("H2_leverage", "H7_refill")]
    for name, other in (alternatives or {}).items():
        rows += [_row(estimator(other), f"inputs: {name}", primary)
                 for estimator in estimators.ESTIMATORS.values()]
    order = {hypothesis: rank for rank, hypothesis in enumerate(HYPOTHESES)}
    table = pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)
    return table.sort_values("hypothesis", key=lambda s: s.map(order), kind="stable",
                             ignore_index=True)
