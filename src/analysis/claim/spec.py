"""The hypotheses of docs/hypotheses.md (second edition, 2026-11-29) as data, the fixed windows,
and the checks a panel must pass.

Everything a verdict depends on (the claim's side, the smallest effect of interest, what
ruling out that effect means, the windows) lives here, so that the tests, the simulations and
the document share one definition.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

DEAL_ERA_START = pd.Timestamp("2024-07-01")
US_RELIEF_START = pd.Timestamp("2025-09-01")
COMPARISON_START = pd.Timestamp("2023-07-01")
"""Start of the comparison window (to the month before the deal era): after the 2022 surge."""
COMPARISON_ALTERNATIVES = (pd.Timestamp("2023-01-01"), pd.Timestamp("2022-07-01"))
HAC_LAGS = 3
RELIEF_WINDOW = (-1, 0, 1)
"""Months t-1..t+1 around a relief step (H2)."""
PRESSURE_LAGS = (1, 2, 3)
RELIEF_CONTROL_WINDOW = (-1, 0)
"""H1's relief control: a relief step in t-1..t, not t+1, which releases at t can cause."""
REFILL_LAGS = (1, 2, 3)
"""H7: months t+1..t+3 after a relief step."""
MIN_CONTRAST_MONTHS = 3
MAX_TREND_CORRELATION = 0.8
DEFAULT_SEED = 20251213
ALPHA = 0.05

PANEL_COLUMNS = ("month", "prisoners_held", "relief_steps", "sanctions_packages")
"""What the tests read from the panel; the flows come from the stock-flow model's draws."""

SERIES = ("stock", "recognized", "released_deals", "released_other")
"""The model's monthly series the tests read, one matrix (months x draws) each."""

VERDICTS = ("supports the claim", "against the claim", "inconclusive",
            "not testable with these data")


@dataclass(frozen=True)
class Hypothesis:
    """One test. ``claim_sign`` is +1 when the claim predicts an estimate above ``null`` and -1
    when below; ``smallest_effect`` is on the estimate's scale (a difference in persons a month,
    or for H4 a ratio above 1 whose inverse is the lower equivalence bound);
    ``equivalence_supports`` says whether ruling out effects as large as the SESOI supports the
    claim (H6, H7) or goes against it; ``in_family`` is False for a descriptive row."""

    id: str
    question: str
    method: str
    scale: str
    claim_sign: int
    smallest_effect: float
    multiplicative: bool = False
    equivalence_supports: bool = False
    in_family: bool = True

    @property
    def null(self) -> float:
        return 1.0 if self.multiplicative else 0.0

    @property
    def equivalence_bounds(self) -> tuple[float, float]:
        if self.multiplicative:
            return 1.0 / self.smallest_effect, self.smallest_effect
        return -self.smallest_effect, self.smallest_effect


PERSONS = "persons per month"

HYPOTHESES: dict[str, Hypothesis] = {h.id: h for h in (
    Hypothesis(
        "H1_pressure",
        "Do deal-era months 1-3 after a sanctions package see more political prisoners freed "
        "in deals?",
        "difference in mean monthly political prisoners freed in deals, sanctions package in "
        "t-1..t-3 vs not, with relief in t-1..t and a trend; deal era; Newey-West within model "
        "draws, Rubin's rules",
        PERSONS, +1, 15.0),
    Hypothesis(
        "H2_leverage",
        "Are more political prisoners freed in deals in the months around relief steps?",
        "difference in mean monthly political prisoners freed in deals, relief step in "
        "t-1..t+1 vs other deal-era months, with a trend; Newey-West within model draws, "
        "Rubin's rules",
        PERSONS, +1, 15.0),
    Hypothesis(
        "H3_net_effect",
        "Did the deal era lower the number held beyond the pre-deal trend?",
        "difference in mean monthly change of the number held, deal era vs Jul 2023 - Jun "
        "2024; Newey-West within model draws, Rubin's rules",
        PERSONS, -1, 10.0),
    Hypothesis(
        "H4_revolving_door",
        "How many political prisoners were newly recognised per political prisoner freed in "
        "deals over the deal era?",
        "ratio of recognitions to political prisoners freed in deals summed over the deal era, "
        "posterior draws of the stock-flow model",
        "recognised per freed", -1, 1.25, multiplicative=True),
    Hypothesis(
        "H5_recognition_slowdown",
        "Did new recognitions slow in the deal era compared with the year before it?",
        "difference in mean monthly recognitions, deal era vs Jul 2023 - Jun 2024; Newey-West "
        "within model draws, Rubin's rules",
        PERSONS, -1, 10.0),
    Hypothesis(
        "H6_additionality",
        "Did releases outside deals fall as deal releases rose (prisoners held back for sale)?",
        "difference in mean monthly other exits (end of sentence, death, transfer), deal era vs "
        "Jul 2023 - Jun 2024; Newey-West within model draws, Rubin's rules",
        PERSONS, +1, 10.0, equivalence_supports=True),
    Hypothesis(
        "H7_refill",
        "Did recognitions rise in the three months after relief steps?",
        "difference in mean monthly recognitions, months t+1..t+3 after a relief step vs other "
        "deal-era months, with a trend; Newey-West within model draws, Rubin's rules",
        PERSONS, -1, 10.0, equivalence_supports=True),
    Hypothesis(
        "H8_durability",
        "Do those freed stay free (re-arrests, forced exile)?",
        "descriptive: re-arrest and expulsion counts where the data give them",
        "persons", 0, np.nan, in_family=False),
)}

NULL_EFFECTS: dict[str, float] = {h.id: h.null for h in HYPOTHESES.values()}


def hypotheses() -> pd.DataFrame:
    """The hypotheses as a table, one row each: the fields of ``Hypothesis`` and ``null``."""
    return pd.DataFrame([{**asdict(spec), "null": spec.null} for spec in HYPOTHESES.values()]
                        ).rename(columns={"id": "hypothesis"})


@dataclass(frozen=True)
class Result:
    """What one estimator returns; ``reason`` is set when the test is not identified."""

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


def any_in_window(counts: np.ndarray, offsets) -> np.ndarray:
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
