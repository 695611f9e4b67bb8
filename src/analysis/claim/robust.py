"""Robustness of the primary results to the choices the pre-registration fixed.

Each row re-estimates one hypothesis under one alternative choice. Raw p-values only: these rows
are for judging how fragile a verdict is, not for new verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from analysis.claim.counts import DESIGNATION_COLUMNS, h1_pressure, h5_recognition_slowdown
from analysis.claim.events import h2_leverage
from analysis.claim.inference import claim_side
from analysis.claim.report import primary_results
from analysis.claim.revolving import h4_revolving_door
from analysis.claim.spec import (
    DEFAULT_SEED,
    HYPOTHESES,
    Result,
    validate_panel,
    values,
)
from analysis.claim.stock import h3_stock

ROBUSTNESS_COLUMNS = ["hypothesis", "variant", "estimate", "ci_low", "ci_high", "p_value",
                      "n_months", "same_side_as_primary", "note"]


def deal_months(panel: pd.DataFrame) -> list[pd.Timestamp]:
    """Months with a relief step or a release with a stated concession: the events a skeptic
    would suspect of driving a result on their own."""
    flagged = (np.nan_to_num(values(panel, "relief_steps")) > 0) | (
        np.nan_to_num(values(panel, "deals_with_concession")) > 0)
    return list(panel.loc[flagged, "month"])


def specification_variants(panel: pd.DataFrame, n_permutations: int, n_bootstrap: int,
                           seed: int) -> list[tuple[str, Callable[[], Result]]]:
    last_year_start = panel["month"].iloc[-1] - pd.DateOffset(months=11)
    randomised = {"n_permutations": n_permutations, "seed": [seed, 2]}
    variants: list[tuple[str, Callable[[], Result]]] = [
        ("pressure lag 1 only", lambda: h1_pressure(panel, lags=(1,))),
        ("pressure lag 2 only", lambda: h1_pressure(panel, lags=(2,))),
        ("pressure lag 3 only", lambda: h1_pressure(panel, lags=(3,))),
        ("pressure lags 1-6", lambda: h1_pressure(panel, lags=range(1, 7))),
        ("Poisson instead of negative binomial",
         lambda: h1_pressure(panel, family="poisson")),
        ("any EU/US/UK designation as pressure",
         lambda: h1_pressure(panel, pressure=DESIGNATION_COLUMNS)),
        *[(f"{column.removeprefix('designations_').upper()} designations alone as pressure",
           lambda column=column: h1_pressure(panel, pressure=(column,)))
          for column in DESIGNATION_COLUMNS],
        ("full panel from Sep 2020 with trend", lambda: h1_pressure(panel, sample_start=None)),
        ("event study: releases in t+1..t+3 after packages, randomisation",
         lambda: h2_leverage(panel, events=("sanctions_packages",), offsets=(1, 2, 3),
                             hypothesis="H1_pressure", **randomised)),
        ("relief month only (window t)", lambda: h2_leverage(panel, offsets=(0,), **randomised)),
        ("window t..t+1", lambda: h2_leverage(panel, offsets=(0, 1), **randomised)),
        ("relief or engagement steps",
         lambda: h2_leverage(panel, events=("relief_steps", "engagement_steps"), **randomised)),
        ("circular-shift inference", lambda: h2_leverage(panel, inference="circular",
                                                         **randomised)),
        ("last 12 months only", lambda: h2_leverage(panel, start=last_year_start, **randomised)),
        ("Newey-West errors instead of AR(1)", lambda: h3_stock(panel, errors="hac")),
        ("level segmented regression, Newey-West (slope change)",
         lambda: h3_stock(panel, specification="levels", errors="hac")),
        ("observed month ends only", lambda: h3_stock(panel, observed_only=True)),
        ("12-month pre-window", lambda: h3_stock(panel, pre_months=12)),
        ("full series from Sep 2020", lambda: h3_stock(panel, pre_months=None)),
        ("releases at lower bound (released_min)",
         lambda: h4_revolving_door(panel, n_bootstrap=n_bootstrap, seed=[seed, 4],
                                   release_basis="released_min")),
        ("releases at upper bound (released_all)",
         lambda: h4_revolving_door(panel, n_bootstrap=n_bootstrap, seed=[seed, 4],
                                   release_basis="released_all")),
        ("exact recognition figures only",
         lambda: h4_revolving_door(panel, n_bootstrap=n_bootstrap, seed=[seed, 4],
                                   exact_only=True)),
        ("Poisson instead of negative binomial",
         lambda: h5_recognition_slowdown(panel, family="poisson")),
        ("exact recognition figures only",
         lambda: h5_recognition_slowdown(panel, exact_only=True)),
        ("12-month pre-window", lambda: h5_recognition_slowdown(panel, pre_months=12)),
    ]
    return variants


def row(result: Result, variant: str, primary: Mapping[str, Result]) -> dict:
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


def robustness(panel: pd.DataFrame, alternative_panels: dict[str, pd.DataFrame] | None = None,
               *, n_permutations: int = 10_000, n_bootstrap: int = 10_000,
               seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Primary estimates, then: other lags and windows, each jurisdiction's designations alone,
    Poisson against negative binomial, other error models and windows for the stock, release and
    recognition bounds, each deal month left out in turn (all hypotheses), and the primary tests
    on each alternative panel (e.g. built with another conflict-resolution rule)."""
    panel = validate_panel(panel)
    alternatives = {name: validate_panel(other)
                    for name, other in (alternative_panels or {}).items()}
    options = {"n_permutations": n_permutations, "n_bootstrap": n_bootstrap, "seed": seed}
    primary = {r.hypothesis: r for r in primary_results(panel, **options)}
    rows = [row(result, "primary", primary) for result in primary.values()]
    rows += [row(estimate(), variant, primary)
             for variant, estimate in specification_variants(panel, **options)]
    for month in deal_months(panel):
        rows += [row(result, f"without {month:%b %Y}", primary)
                 for result in primary_results(panel, exclude=(month,), **options)]
    for name, other in alternatives.items():
        rows += [row(result, f"panel: {name}", primary)
                 for result in primary_results(other, **options)]
    order = {hypothesis: rank for rank, hypothesis in enumerate(HYPOTHESES)}
    table = pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)
    return table.sort_values("hypothesis", key=lambda s: s.map(order), kind="stable",
                             ignore_index=True)
