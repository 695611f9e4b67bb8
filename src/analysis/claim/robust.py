"""Robustness of the contrasts to the choices the editions fixed (third edition).

Each row re-estimates one hypothesis under one alternative choice. Raw p-values only: these
rows are for judging how fragile a result is, not for new verdicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.claim import estimators
from analysis.claim.data import ClaimData
from analysis.claim.inference import claim_side
from analysis.claim.spec import (
    COMPARISON_ALTERNATIVES,
    DEAL_ERA_START,
    HYPOTHESES,
    Result,
    any_in_window,
)

ROBUSTNESS_COLUMNS = ["hypothesis", "variant", "estimate", "ci_low", "ci_high", "p_value",
                      "n_months", "same_side_as_primary", "note"]


def _variants(data: ClaimData) -> list[tuple[str, Callable[[], Result]]]:
    era = estimators.deal_era(data)
    variants: list[tuple[str, Callable[[], Result]]] = []
    stock_change = ("second edition's H3: mean monthly change of the number held, deal era vs "
                    "Jul 2023 - Jun 2024")
    variants.append((stock_change, lambda: estimators.before_after(
        data, "H3_net_effect", "stock_change")))
    observed = data.figures.get("stock")
    if observed is not None:
        both = observed & np.concatenate([[False], observed[:-1]])
        sample = (era | estimators.comparison_window(data)) & both
        variants.append(("second edition's H3 on observed months only (this and the previous "
                         "month's count observed)", lambda: estimators.contrast(
                             data, "H3_net_effect", "stock_change", era.astype(float), sample)))
    variants.append(("second edition's contrast: deal era vs Jul 2023 - Jun 2024",
                     lambda: estimators.before_after(data, "H5_recognition_slowdown",
                                                     "recognized")))
    for start in COMPARISON_ALTERNATIVES:
        label = f"comparison window from {start:%b %Y}"
        if "beyond_completions" in data.outcomes:
            variants.append((label, lambda s=start: estimators.before_after(
                data, "H6_additionality", "beyond_completions", comparison_start=s)))
        variants.append((f"second edition's H6 (other exits, no exit model), {label}",
                         lambda s=start: estimators.before_after(
                             data, "H6_additionality", "released_other", comparison_start=s)))
    variants.append(("no trend", lambda: estimators.contrast(
        data, "H7_refill", "recognized", any_in_window(data.relief, (-1, -2, -3)),
        estimators.refill_sample(data))))
    variants.append(("every deal-era month, modelled recognitions where no figure (second "
                     "edition)", lambda: estimators.contrast(
                         data, "H7_refill", "recognized",
                         any_in_window(data.relief, (-1, -2, -3)), era, trend=True)))
    mean_only = replace(data, outcomes={name: matrix.mean(axis=1, keepdims=True)
                                        for name, matrix in data.outcomes.items()})
    for hypothesis in ("H5_recognition_slowdown", "H6_additionality", "H7_refill"):
        variants.append(("model means only (no model uncertainty)",
                         lambda h=hypothesis: estimators.ESTIMATORS[h](mean_only)))
    return variants


def _without_relief_month(data: ClaimData, month: pd.Timestamp) -> ClaimData:
    relief = data.relief.copy()
    relief[data.months == month] = 0.0
    return replace(data, relief=relief)


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
    """Primary estimates, then: the second edition's H3 (and on observed months only), H5 and
    H6 contrasts, other comparison windows (H6), H7 without a trend and on every deal-era month,
    the model's means without its uncertainty, each deal-era relief month left out in turn
    (H7), and every contrast on each alternative input (e.g. the panel built with another
    conflict-resolution rule)."""
    primary = {h: estimator(data) for h, estimator in estimators.ESTIMATORS.items()}
    rows = [_row(result, "primary", primary) for result in primary.values()]
    rows += [_row(estimate(), variant, primary) for variant, estimate in _variants(data)]
    relief_months = data.months[(np.nan_to_num(data.relief) > 0)
                                & (data.months >= DEAL_ERA_START)]
    for month in relief_months:
        reduced = _without_relief_month(data, month)
        rows.append(_row(estimators.ESTIMATORS["H7_refill"](reduced),
                         f"without relief in {month:%b %Y}", primary))
    for name, other in (alternatives or {}).items():
        rows += [_row(estimator(other), f"inputs: {name}", primary)
                 for estimator in estimators.ESTIMATORS.values()]
    order = {hypothesis: rank for rank, hypothesis in enumerate(HYPOTHESES)}
    table = pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)
    return table.sort_values("hypothesis", key=lambda s: s.map(order), kind="stable",
                             ignore_index=True)
