"""The pre-registered hypotheses (docs/hypotheses.md) as data, the fixed dates, and panel checks.

Everything a verdict depends on (claim's direction, smallest effect of interest, dates, HAC
lags) lives here so that the tests, the simulations and the document share one definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEAL_ERA_START = pd.Timestamp("2024-07-01")
US_RELIEF_START = pd.Timestamp("2025-09-01")
PRE_DEAL_MONTHS = 24
HAC_LAGS = 3
LJUNG_BOX_LAGS = 6
RELIEF_WINDOW = (-1, 0, 1)
PRESSURE_LAGS = (1, 2, 3)
BLOCK_LENGTH = 3
MIN_MONTHS = 8
DEFAULT_SEED = 20251213

PANEL_COLUMNS = (
    "month", "prisoners_held", "prisoners_held_observed", "recognized", "recognized_qualifier",
    "released", "released_min", "released_all", "release_batches", "largest_batch",
    "deals_with_concession", "relief_steps", "engagement_steps", "designations_eu",
    "designations_us", "designations_uk", "sanctions_packages",
)

VERDICTS = ("supports the claim", "against the claim", "inconclusive")


@dataclass(frozen=True)
class Hypothesis:
    """One pre-registered test. ``claim_sign`` is +1 when the claim predicts an estimate above
    the null value and -1 when below; ``smallest_effect`` is on the estimate's own scale (a
    ratio above 1, or a positive difference)."""

    id: str
    question: str
    method: str
    scale: str
    multiplicative: bool
    claim_sign: int
    smallest_effect: float

    @property
    def null(self) -> float:
        return 1.0 if self.multiplicative else 0.0

    @property
    def equivalence_bounds(self) -> tuple[float, float]:
        if self.multiplicative:
            return 1.0 / self.smallest_effect, self.smallest_effect
        return -self.smallest_effect, self.smallest_effect


HYPOTHESES: dict[str, Hypothesis] = {h.id: h for h in (
    Hypothesis(
        "H1_pressure",
        "Are deal-era months 1-3 after a sanctions package followed by more releases?",
        "negative-binomial GLM of monthly releases on a package in t-1..t-3, a relief step in "
        "t-1..t+1 and a trend, deal era, Newey-West errors",
        "rate ratio", True, +1, 1.5),
    Hypothesis(
        "H2_leverage",
        "Are releases larger in the months around relief steps than in other deal-era months?",
        "event study, window t-1..t+1 around relief steps, randomisation inference over "
        "deal-era months, CI by test inversion",
        "ratio of mean releases", True, +1, 1.5),
    Hypothesis(
        "H3_stock",
        "Did the number held fall faster after the deals began than in the two years before?",
        "segmented regression of the monthly stock change (first differences) with breaks at "
        "Jul 2024 and Sep 2025, from Jul 2022, Newey-West errors, Ljung-Box check",
        "persons per month", False, -1, 10.0),
    Hypothesis(
        "H4_revolving_door",
        "How many new political prisoners were recognised per person freed in the deal era?",
        "ratio of mean monthly recognitions to mean monthly releases, deal era, block bootstrap "
        "with measurement error from qualifiers and release bounds",
        "recognised per released", True, -1, 1.25),
    Hypothesis(
        "H5_recognition_slowdown",
        "Did new recognitions slow once the deals began, beyond their earlier trend?",
        "negative-binomial GLM of monthly recognitions on a trend and a deal-era indicator, "
        "from Jul 2022, Newey-West errors",
        "rate ratio", True, -1, 1.25),
)}

NULL_EFFECTS: dict[str, float] = {h.id: h.null for h in HYPOTHESES.values()}


@dataclass(frozen=True)
class Result:
    """What one estimator returns; ``reason`` is set when the test could not run."""

    hypothesis: str
    estimate: float = np.nan
    ci_low: float = np.nan
    ci_high: float = np.nan
    p_value: float = np.nan
    p_equivalence: float = np.nan
    n_months: int = 0
    note: str = ""
    reason: str | None = None


def not_testable(hypothesis: str, reason: str, n_months: int = 0) -> Result:
    return Result(hypothesis, n_months=n_months, reason=reason)


def validate_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Fail early and by name: a silently missing column would turn into a wrong verdict."""
    if not isinstance(panel, pd.DataFrame):
        raise ValueError(f"panel must be a pandas DataFrame, got {type(panel).__name__}")
    missing = [column for column in PANEL_COLUMNS if column not in panel.columns]
    if missing:
        raise ValueError(f"panel is missing required columns: {', '.join(missing)}")
    months = pd.to_datetime(panel["month"], errors="coerce")
    if months.isna().any():
        raise ValueError("panel column 'month' has missing or unreadable dates")
    ordered = panel.assign(month=months.dt.to_period("M").dt.to_timestamp())
    ordered = ordered.sort_values("month", ignore_index=True)
    month_number = ordered["month"].dt.year * 12 + ordered["month"].dt.month
    if (month_number.diff().iloc[1:] != 1).any():
        raise ValueError("panel months must be consecutive calendar months without duplicates")
    return ordered


def values(panel: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats with NaN for missing, whatever its nullable dtype."""
    return pd.to_numeric(panel[column], errors="coerce").astype("float64").to_numpy()


def any_in_window(counts: np.ndarray, offsets: Iterable[int]) -> np.ndarray:
    """1 if any month t+offset has a positive count, 0 if all are known zeros, NaN if none is
    positive and some are unknown (missing or outside the panel) - unknown is not zero."""
    n = len(counts)
    positive = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    for offset in offsets:
        source = np.arange(n) + offset
        inside = (source >= 0) & (source < n)
        shifted = np.full(n, np.nan)
        shifted[inside] = counts[source[inside]]
        positive |= shifted > 0
        unknown |= np.isnan(shifted)
    return np.where(positive, 1.0, np.where(unknown, np.nan, 0.0))


def month_mask(months: pd.Series, exclude: Iterable[pd.Timestamp]) -> np.ndarray:
    dropped = pd.DatetimeIndex([pd.Timestamp(m) for m in exclude])
    return ~months.isin(dropped).to_numpy()
