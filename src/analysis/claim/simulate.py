"""Simulated panels of the real shape, the verdict rates of each contrast on them, and the
decision, made by code before any verdict is read, whether a contrast can answer its question
(docs/hypotheses.md, third edition, "Answerable, decided in advance by code").

A simulated outcome keeps the real months, the real relief and sanctions months and the real
pattern of missing figures: it is a baseline with the contrast removed, plus month-to-month
noise resampled in blocks of three from the real residuals, plus a planted effect of known size,
plus the real posterior deviations of the stock-flow model (a draw minus the posterior mean), so
months with few figures stay as uncertain as they are in the data. H3's simulated quantity is
the deals' effect at the last month: the planted effect plus the real posterior deviations of
the effect. The model is not refitted on each panel (the third edition says why). Each panel is
judged at the threshold its test faces when it has the smallest p of the family (alpha over the
number of verdict-bearing contrasts): Holm's power is at least that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from analysis.claim.data import ClaimData
from analysis.claim.estimators import (
    ESTIMATORS,
    comparison_window,
    deal_era,
    family,
    refill_sample,
)
from analysis.claim.inference import verdict
from analysis.claim.spec import (
    ALPHA,
    ANSWERABLE_MULTIPLE,
    ANSWERABLE_POWER,
    COMPARISON_START,
    DEFAULT_SEED,
    HYPOTHESES,
    NEEDED_MULTIPLES,
    POWER_RUNS,
    PRESSURE_LAGS,
    REFILL_LAGS,
    US_RELIEF_START,
    any_in_window,
)

BLOCK = 3
SIMULATED_DRAWS = 40
"""Posterior deviations carried by each simulated panel: enough for Rubin's between-draw
variance, few enough for hundreds of panels in a few seconds."""


@dataclass(frozen=True)
class Design:
    """Where a hypothesis's effect is planted: the outcome, the indicator of exposed months,
    and the months of its sample."""

    outcome: str
    indicator: np.ndarray
    sample: np.ndarray
    trend: bool = True


def planting_design(data: ClaimData, hypothesis: str) -> Design | None:
    """The contrast each test estimates, as the simulation plants it; None for H3 (planted on
    the counterfactual's effect by ``simulate_effect``)."""
    era = deal_era(data)
    before_after = era | comparison_window(data)
    designs: dict[str, Callable[[], Design]] = {
        "H1_pressure": lambda: Design(
            "released_deals",
            any_in_window(data.packages, [-lag for lag in PRESSURE_LAGS]), era),
        "H5_recognition_slowdown": lambda: Design(
            "recognized", np.asarray(data.months >= US_RELIEF_START, dtype=float),
            np.asarray(data.months >= COMPARISON_START), trend=False),
        "H6_additionality": lambda: Design("beyond_completions", era.astype(float),
                                           before_after, trend=False),
        "H7_refill": lambda: Design(
            "recognized", any_in_window(data.relief, [-lag for lag in REFILL_LAGS]),
            refill_sample(data)),
    }
    return designs[hypothesis]() if hypothesis in designs else None


def simulate_outcome(data: ClaimData, design: Design, effect: float,
                     rng: np.random.Generator) -> np.ndarray:
    """One simulated outcome matrix (months x SIMULATED_DRAWS) with ``effect`` persons a month
    added in the exposed months of the sample and no other difference between exposed and
    unexposed months."""
    matrix = data.outcomes[design.outcome]
    mean = matrix.mean(axis=1)
    deviations = matrix - mean[:, None]
    rows = design.sample & np.isfinite(mean) & np.isfinite(design.indicator)
    exposed = np.nan_to_num(design.indicator)
    trend = np.arange(len(mean), dtype=float) if design.trend else np.zeros(len(mean))
    terms = np.column_stack([np.ones(rows.sum()), exposed[rows], trend[rows]])
    coefficients, *_ = np.linalg.lstsq(terms, mean[rows], rcond=None)
    residuals = mean[rows] - terms @ coefficients
    baseline = mean.copy()
    baseline[rows] = terms[:, [0, 2]] @ coefficients[[0, 2]]
    noise = np.zeros(len(mean))
    noise[rows] = _block_resample(residuals, rng)
    simulated = baseline + noise + effect * exposed * rows
    columns = rng.integers(0, matrix.shape[1], SIMULATED_DRAWS)
    return simulated[:, None] + deviations[:, columns]


def _block_resample(residuals: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(residuals)
    if n == 0:
        return residuals
    starts = rng.integers(0, max(n - BLOCK + 1, 1), size=n // BLOCK + 1)
    picked = np.concatenate([residuals[start:start + BLOCK] for start in starts])[:n]
    return picked - picked.mean()


def simulate_effect(data: ClaimData, effect: float, rng: np.random.Generator) -> np.ndarray:
    """H3: the deals' effect on the number held is ``effect`` in every month, carrying the real
    posterior deviations of the counterfactual's effect month by month."""
    matrix = data.outcomes["deal_effect"]
    deviations = matrix - matrix.mean(axis=1, keepdims=True)
    columns = rng.integers(0, matrix.shape[1], SIMULATED_DRAWS)
    return effect + deviations[:, columns]


def simulated_data(data: ClaimData, hypothesis: str, effect: float,
                   rng: np.random.Generator) -> ClaimData:
    """The real inputs with the hypothesis's outcome replaced by a simulated one."""
    if hypothesis == "H3_net_effect":
        name, simulated = "deal_effect", simulate_effect(data, effect, rng)
    else:
        design = planting_design(data, hypothesis)
        name, simulated = design.outcome, simulate_outcome(data, design, effect, rng)
    columns = rng.integers(0, data.n_draws, SIMULATED_DRAWS)
    others = {key: matrix[:, columns] for key, matrix in data.outcomes.items() if key != name}
    return replace(data, outcomes={**others, name: simulated})


def planted(hypothesis: str, multiple: float) -> float:
    """The effect ``multiple`` times the SESOI on the claim's side (negative: the other side)."""
    spec = HYPOTHESES[hypothesis]
    return multiple * spec.claim_sign * spec.smallest_effect


def judged(hypothesis: str, data: ClaimData, family_size: int, bounds: float = 1.0) -> str:
    """The verdict a single simulated panel gets at the family's first Holm threshold, with
    the equivalence bounds at ``bounds`` times the SESOI."""
    spec = HYPOTHESES[hypothesis]
    result = ESTIMATORS[hypothesis](data)
    if result.reason is not None:
        return "not testable"
    p_equivalence = result.p_equivalence
    if bounds != 1.0:
        wider = replace(spec, smallest_effect=spec.smallest_effect * bounds)
        p_equivalence = _equivalence_p(result, wider)
    scaled = min(1.0, result.p_value * family_size)
    scaled_equivalence = min(1.0, p_equivalence * family_size)
    return verdict(spec, result.estimate, scaled, scaled_equivalence, ALPHA)[0]


def _equivalence_p(result, spec) -> float:
    """The TOST p-value against wider bounds (the needed-effect search only), from the
    result's interval: normal, with the interval's half-width over 1.96 as standard error."""
    se = (result.ci_high - result.ci_low) / (2 * 1.959964)
    low, high = spec.equivalence_bounds
    return float(max(stats.norm.sf((result.estimate - low) / se),
                     stats.norm.cdf((result.estimate - high) / se)))


def verdict_rates(data: ClaimData, hypothesis: str, effect: float, runs: int,
                  family_size: int, seed, bounds: float = 1.0) -> pd.Series:
    """Share of simulated panels per verdict for one planted effect."""
    rng = np.random.default_rng(seed)
    outcomes = [judged(hypothesis, simulated_data(data, hypothesis, effect, rng), family_size,
                       bounds) for _ in range(runs)]
    return pd.Series(outcomes).value_counts(normalize=True)


POWER_COLUMNS = ["hypothesis", "scenario", "multiple", "bounds", "planted_effect", "supports",
                 "against", "inconclusive", "not_testable", "runs"]
MULTIPLES = (ANSWERABLE_MULTIPLE, 1.0, 0.0, -1.0, -ANSWERABLE_MULTIPLE)
"""Planted effects, in SESOIs on the claim's side: the answerability check (twice), the power
(once), and none."""


def _scenario(multiple: float, bounds: float) -> str:
    if multiple == 0:
        return "none" if bounds == 1 else f"none, bounds x{bounds:g}"
    side = "claim side" if multiple > 0 else "opposite"
    return f"{side} x{abs(multiple):g}"


def _rates_row(data, hypothesis, multiple, bounds, runs, family_size, seed) -> dict:
    shares = verdict_rates(data, hypothesis, planted(hypothesis, multiple), runs, family_size,
                           seed, bounds)
    return {"hypothesis": hypothesis, "scenario": _scenario(multiple, bounds),
            "multiple": multiple, "bounds": bounds,
            "planted_effect": planted(hypothesis, multiple),
            "supports": shares.get("supports the claim", 0.0),
            "against": shares.get("against the claim", 0.0),
            "inconclusive": shares.get("inconclusive", 0.0),
            "not_testable": shares.get("not testable", 0.0), "runs": runs}


def power_table(data: ClaimData, *, runs: int = POWER_RUNS, family_size: int | None = None,
                seed: int = DEFAULT_SEED, hypotheses: list[str] | None = None,
                search: bool = True) -> pd.DataFrame:
    """Verdict shares per contrast and planted effect on panels of the real shape: twice and
    once the SESOI on each side and none; then, for a contrast that is not answerable (and
    ``search``), the grid of ``NEEDED_MULTIPLES`` up to the first multiple at which every
    verdict fires with probability >= 0.5. A contrast not identified on the real inputs is not
    simulated: its rows say so (``not_testable`` 1, one run; its reason is its estimator's)."""
    identified = family(data)
    chosen = hypotheses or list(HYPOTHESES)
    family_size = family_size or max(len(identified), 1)
    rows = []
    for index, hypothesis in enumerate(chosen):
        if hypothesis not in identified:
            rows += [{"hypothesis": hypothesis, "scenario": _scenario(multiple, 1.0),
                      "multiple": multiple, "bounds": 1.0,
                      "planted_effect": planted(hypothesis, multiple), "supports": 0.0,
                      "against": 0.0, "inconclusive": 0.0, "not_testable": 1.0, "runs": 1}
                     for multiple in MULTIPLES]
            continue
        for position, multiple in enumerate(MULTIPLES):
            rows.append(_rates_row(data, hypothesis, multiple, 1.0, runs, family_size,
                                   [seed, index, position]))
        if not search or answerability(pd.DataFrame(rows[-len(MULTIPLES):]))[
                "answerable"].item():
            continue
        for step, multiple in enumerate(NEEDED_MULTIPLES[1:], start=len(MULTIPLES)):
            grid = [_rates_row(data, hypothesis, multiple, 1.0, runs, family_size,
                               [seed, index, step, 0]),
                    _rates_row(data, hypothesis, -multiple, 1.0, runs, family_size,
                               [seed, index, step, 1])]
            if HYPOTHESES[hypothesis].equivalence_supports:
                grid.append(_rates_row(data, hypothesis, 0.0, multiple, runs, family_size,
                                       [seed, index, step, 2]))
            rows += grid
            if _reached(HYPOTHESES[hypothesis], pd.DataFrame(grid), multiple):
                break
    return pd.DataFrame(rows, columns=POWER_COLUMNS)


def _share(table: pd.DataFrame, multiple: float, column: str, bounds: float = 1.0) -> float:
    rows = table[(table["multiple"] == multiple) & (table["bounds"] == bounds)]
    return float(rows[column].iloc[0]) if len(rows) else np.nan


def _reached(spec, table: pd.DataFrame, multiple: float) -> bool:
    """Every verdict of ``spec`` fires with probability >= 0.5 at ``multiple`` SESOIs: supports
    on the claim's side (or, for an equivalence verdict, at no effect with the bounds at that
    multiple; at the answerability check itself, the stated bounds), against on the other."""
    if spec.equivalence_supports:
        bounds = 1.0 if multiple == ANSWERABLE_MULTIPLE else multiple
        supports = _share(table, 0.0, "supports", bounds)
    else:
        supports = _share(table, multiple, "supports")
    return bool(supports >= ANSWERABLE_POWER
                and _share(table, -multiple, "against") >= ANSWERABLE_POWER)


def answerability(table: pd.DataFrame) -> pd.DataFrame:
    """Per contrast: ``answerable`` (each verdict fires with probability >= 0.5 at twice the
    SESOI), ``power_supports`` and ``power_against`` (the probability each verdict fires at the
    SESOI; for an equivalence verdict, at no effect), and ``needed_multiple`` (the smallest
    multiple of the SESOI searched at which every verdict fires, or NaN if none was); a
    contrast not identified has no power at all."""
    rows = []
    for hypothesis, group in table.groupby("hypothesis", sort=False):
        spec = HYPOTHESES[hypothesis]
        answerable = _reached(spec, group, ANSWERABLE_MULTIPLE)
        reached = [m for m in sorted(set(group["multiple"].abs()) - {0.0})
                   if m >= ANSWERABLE_MULTIPLE and _reached(spec, group, m)]
        if group["not_testable"].min() == 1.0:
            rows.append({"hypothesis": hypothesis, "answerable": False,
                         "power_supports": np.nan, "power_against": np.nan,
                         "false_positive_rate": np.nan, "needed_multiple": np.nan})
            continue
        rows.append({
            "hypothesis": hypothesis, "answerable": answerable,
            "power_supports": (_share(group, 0.0, "supports") if spec.equivalence_supports
                               else _share(group, 1.0, "supports")),
            "power_against": _share(group, -1.0, "against"),
            "false_positive_rate": (_share(group, -1.0, "supports")
                                    if spec.equivalence_supports
                                    else _share(group, 0.0, "supports")),
            "needed_multiple": min(reached) if reached else np.nan,
        })
    return pd.DataFrame(rows, columns=["hypothesis", "answerable", "power_supports",
                                       "power_against", "false_positive_rate",
                                       "needed_multiple"])


def power_summary(table: pd.DataFrame) -> pd.DataFrame:
    """The verdict table's view of the power table (``answerability``)."""
    return answerability(table)
