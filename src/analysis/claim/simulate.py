"""Simulated panels of the real shape, and the power and false-positive rates of each test on
them (docs/hypotheses.md, second edition, "Power and false positives").

A simulated outcome keeps the real months, the real relief and sanctions months and the real
pattern of missing figures: it is a baseline with the hypothesis's contrast removed, plus
month-to-month noise resampled in blocks of three from the real residuals, plus a planted effect
of known size, plus the real posterior deviations of the stock-flow model (a draw minus the
posterior mean), so months with few figures stay as uncertain as they are in the data. Each
planted panel is judged at the threshold its test faces when it has the smallest p of the
family (α divided by the family size): Holm's power is at least that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.claim.data import ClaimData
from analysis.claim.estimators import (
    ESTIMATORS,
    comparison_window,
    deal_era,
    family,
)
from analysis.claim.inference import verdict
from analysis.claim.spec import (
    ALPHA,
    DEFAULT_SEED,
    HYPOTHESES,
    PRESSURE_LAGS,
    REFILL_LAGS,
    RELIEF_WINDOW,
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
    """The contrast each test estimates, as the simulation plants it; None for H4 (planted as
    a ratio by ``simulate_ratio``) and H8 (descriptive)."""
    era = deal_era(data)
    before_after = era | comparison_window(data)
    designs: dict[str, Callable[[], Design]] = {
        "H1_pressure": lambda: Design(
            "released_deals",
            any_in_window(data.packages, [-lag for lag in PRESSURE_LAGS]), era),
        "H2_leverage": lambda: Design(
            "released_deals", any_in_window(data.relief, RELIEF_WINDOW), era),
        "H3_net_effect": lambda: Design("stock_change", era.astype(float), before_after,
                                        trend=False),
        "H5_recognition_slowdown": lambda: Design("recognized", era.astype(float),
                                                  before_after, trend=False),
        "H6_additionality": lambda: Design("released_other", era.astype(float), before_after,
                                           trend=False),
        "H7_refill": lambda: Design(
            "recognized", any_in_window(data.relief, [-lag for lag in REFILL_LAGS]), era),
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


def simulate_ratio(data: ClaimData, ratio: float, rng: np.random.Generator) -> ClaimData:
    """H4: recognitions rescaled in the deal era so that their total is ``ratio`` times the
    political prisoners freed in deals in each draw (times a 5% log-normal spread between
    panels), the months' pattern kept."""
    era = deal_era(data)
    columns = rng.integers(0, data.n_draws, SIMULATED_DRAWS)
    freed = data.outcomes["released_deals"][:, columns]
    recognized = data.outcomes["recognized"][:, columns].copy()
    scale = ratio * freed[era].sum(axis=0) / recognized[era].sum(axis=0)
    recognized[era] *= scale[None, :] * rng.lognormal(0, 0.05)
    others = {name: matrix[:, columns] for name, matrix in data.outcomes.items()}
    return ClaimData(data.months, data.relief, data.packages,
                     {**others, "released_deals": freed, "recognized": recognized})


def simulated_data(data: ClaimData, hypothesis: str, effect: float,
                   rng: np.random.Generator) -> ClaimData:
    """The real inputs with the hypothesis's outcome replaced by a simulated one."""
    if hypothesis == "H4_revolving_door":
        return simulate_ratio(data, effect, rng)
    design = planting_design(data, hypothesis)
    simulated = simulate_outcome(data, design, effect, rng)
    others = {name: matrix[:, rng.integers(0, matrix.shape[1], SIMULATED_DRAWS)]
              for name, matrix in data.outcomes.items() if name != design.outcome}
    return ClaimData(data.months, data.relief, data.packages,
                     {**others, design.outcome: simulated})


def scenarios(hypothesis: str) -> dict[str, float]:
    """Planted effects: at the SESOI on the claim's side, none, at the SESOI on the other side."""
    spec = HYPOTHESES[hypothesis]
    if spec.multiplicative:
        claim_side = spec.smallest_effect ** spec.claim_sign
        return {"claim side": claim_side, "none": 1.0, "opposite": 1 / claim_side}
    size = spec.claim_sign * spec.smallest_effect
    return {"claim side": size, "none": 0.0, "opposite": -size}


def judged(hypothesis: str, data: ClaimData, family_size: int) -> str:
    """The verdict a single simulated panel gets at the family's first Holm threshold."""
    spec = HYPOTHESES[hypothesis]
    result = ESTIMATORS[hypothesis](data)
    if result.reason is not None:
        return "not testable with these data"
    scaled = min(1.0, result.p_value * family_size)
    scaled_equivalence = min(1.0, result.p_equivalence * family_size)
    return verdict(spec, result.estimate, scaled, scaled_equivalence, ALPHA)[0]


def verdict_rates(data: ClaimData, hypothesis: str, effect: float, runs: int,
                  family_size: int, seed) -> pd.Series:
    """Share of simulated panels per verdict for one planted effect."""
    rng = np.random.default_rng(seed)
    outcomes = [judged(hypothesis, simulated_data(data, hypothesis, effect, rng), family_size)
                for _ in range(runs)]
    return pd.Series(outcomes).value_counts(normalize=True)


POWER_COLUMNS = ["hypothesis", "scenario", "planted_effect", "supports", "against",
                 "inconclusive", "not_testable", "runs"]


def power_table(data: ClaimData, *, runs: int = 200, family_size: int | None = None,
                seed: int = DEFAULT_SEED, hypotheses: list[str] | None = None) -> pd.DataFrame:
    """Verdict shares per hypothesis and planted effect on panels of the real shape. A test
    that is not identified on the real panel (H1 today) is reported as such."""
    chosen = hypotheses or [h for h in HYPOTHESES if HYPOTHESES[h].in_family]
    family_size = family_size or len(family(data))
    rows = []
    for index, hypothesis in enumerate(chosen):
        for position, (scenario, effect) in enumerate(scenarios(hypothesis).items()):
            shares = verdict_rates(data, hypothesis, effect, runs, family_size,
                                   [seed, index, position])
            rows.append({
                "hypothesis": hypothesis, "scenario": scenario, "planted_effect": effect,
                "supports": shares.get("supports the claim", 0.0),
                "against": shares.get("against the claim", 0.0),
                "inconclusive": shares.get("inconclusive", 0.0),
                "not_testable": shares.get("not testable with these data", 0.0),
                "runs": runs,
            })
    return pd.DataFrame(rows, columns=POWER_COLUMNS)


def power_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per hypothesis: ``power`` (the share of panels that reach the verdict the planted effect
    should give: supports at the claim-side SESOI, or for H6/H7 supports with no effect) and the
    ``false_positive_rate`` (supports with no effect, or for H6/H7 supports at the SESOI on the
    other side)."""
    rows = []
    for hypothesis, group in table.groupby("hypothesis", sort=False):
        by = group.set_index("scenario")
        spec = HYPOTHESES[hypothesis]
        if spec.equivalence_supports:
            power, false = by.loc["none", "supports"], by.loc["opposite", "supports"]
        else:
            power, false = by.loc["claim side", "supports"], by.loc["none", "supports"]
        if by["not_testable"].min() == 1.0:
            power = false = np.nan
        rows.append({"hypothesis": hypothesis, "power": power, "false_positive_rate": false,
                     "power_against": by.loc["opposite", "against"],
                     "not_testable": by["not_testable"].max()})
    return pd.DataFrame(rows)
