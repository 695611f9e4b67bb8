"""The hypotheses of docs/hypotheses.md (third edition, 2026-12-03) as data, the fixed windows,
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

PARTS = ("accounting", "effects", "repression")
"""The answer's three parts, in the order every output gives them."""

NOT_ANSWERABLE = "not answerable with these data"
DESCRIPTION = "description"
"""The ``verdict`` of an accounting row or a description: a quantity with no verdict words."""
VERDICTS = ("supports the claim", "against the claim", "inconclusive", NOT_ANSWERABLE)
VERDICT_WORDS = ("supports the claim", "against the claim", "inconclusive")
"""What only an answerable contrast may say."""

ANSWERABLE_POWER = 0.5
ANSWERABLE_MULTIPLE = 2.0
"""A contrast keeps verdict words if each of its verdicts fires with probability >= 0.5 at twice
its SESOI on simulated panels of the real shape (third edition, "Answerable")."""
NEEDED_MULTIPLES = (2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0)
"""The grid on which a not-answerable contrast's needed effect size is searched."""
POWER_RUNS = 200
"""Simulated panels per planted effect in the build, as the third edition states."""


@dataclass(frozen=True)
class Hypothesis:
    """One test. ``claim_sign`` is +1 when the claim predicts an estimate above ``null`` and -1
    when below; ``smallest_effect`` is on the estimate's scale (a difference in persons a month,
    or for H4 a ratio above 1 whose inverse is the lower equivalence bound);
    ``equivalence_supports`` says whether ruling out effects as large as the SESOI supports the
    claim (H6, H7) or goes against it; ``in_family`` is False for a descriptive row. Every
    hypothesis here bears verdict words if answerable; descriptions are ``DESCRIPTIONS``."""

    id: str
    part: str
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
    def unit(self) -> str:
        return " a month" if self.scale == PERSONS else "" if self.multiplicative else " persons"

    @property
    def equivalence_bounds(self) -> tuple[float, float]:
        if self.multiplicative:
            return 1.0 / self.smallest_effect, self.smallest_effect
        return -self.smallest_effect, self.smallest_effect


PERSONS = "persons per month"

HELD = "persons held"

HYPOTHESES: dict[str, Hypothesis] = {h.id: h for h in (
    Hypothesis(
        "H1_pressure", "effects",
        "Do deal-era months 1-3 after a sanctions package see more political prisoners freed "
        "in deals?",
        "difference in mean monthly political prisoners freed in deals, sanctions package in "
        "t-1..t-3 vs not, with relief in t-1..t and a trend; deal era; Newey-West within model "
        "draws, Rubin's rules",
        PERSONS, +1, 15.0),
    Hypothesis(
        "H3_net_effect", "effects",
        "Did the deals lower the number held, against the no-deal counterfactual (same "
        "entries, same sentence completions, no release batches)?",
        "modelled number held minus the no-deal number held at the model's last month; mean "
        "and 2.5-97.5 percentiles of the draws, p from the normal approximation to the draws",
        HELD, -1, 100.0),
    Hypothesis(
        "H6_additionality", "effects",
        "Did exits other than batches fall in the deal era beyond what sentence completions "
        "explain (prisoners held back for sale)?",
        "difference in mean monthly (other exits minus the exit model's expected sentence "
        "completions), deal era vs Jul 2023 - Jun 2024; Newey-West within model draws, "
        "Rubin's rules",
        PERSONS, +1, 10.0, equivalence_supports=True),
    Hypothesis(
        "H5_recognition_slowdown", "repression",
        "Did new recognitions slow after US relief began (Sep 2025) compared with before "
        "(Jul 2023 - Aug 2025)?",
        "difference in mean monthly recognitions, Sep 2025 on vs Jul 2023 - Aug 2025; "
        "Newey-West within model draws, Rubin's rules",
        PERSONS, -1, 10.0),
    Hypothesis(
        "H7_refill", "repression",
        "Did recognitions rise in the three months after relief steps, where recognition "
        "figures exist?",
        "difference in mean monthly recognitions, months t+1..t+3 after a relief step vs other "
        "deal-era months, with a trend, on deal-era months with a monthly recognition figure "
        "only; Newey-West within model draws, Rubin's rules",
        PERSONS, -1, 10.0, equivalence_supports=True),
)}


@dataclass(frozen=True)
class Description:
    """A quantity reported without verdict words: accounting, or an effect with no null."""

    id: str
    part: str
    question: str
    method: str
    scale: str


DEAL_ERA_SUM = "summed over the deal era; mean and 2.5-97.5 percentiles of the model's draws"
ADDITIONALITY_HORIZONS = (3, 6, 12)

DESCRIPTIONS: dict[str, Description] = {d.id: d for d in (
    Description("A1_stock_change", "accounting",
                "How much did the number held change over the deal era?",
                "number held at the model's last month minus the month before the deal era; "
                "mean and 2.5-97.5 percentiles of the model's draws", HELD),
    Description("A2_recognized", "accounting",
                "How many people were newly recognised as political prisoners?",
                f"recognitions {DEAL_ERA_SUM}", "persons"),
    Description("A3_freed_in_batches", "accounting",
                "How many political prisoners were freed in release batches?",
                f"political prisoners freed in release batches {DEAL_ERA_SUM}", "persons"),
    Description("A4_other_exits", "accounting",
                "How many political prisoners left by other routes (end of sentence, death, "
                "transfer)?", f"other exits {DEAL_ERA_SUM}", "persons"),
    Description("A5_recognized_per_freed", "accounting",
                "How many were recognised per political prisoner freed in batches (was H4)?",
                "ratio of the deal-era sums in each draw; mean and 2.5-97.5 percentiles of "
                "the draws' ratios", "recognised per freed"),
    Description("A6_recognized_per_exit", "accounting",
                "How many were recognised per political prisoner leaving by any route?",
                "recognitions over batch releases plus other exits, deal-era sums in each "
                "draw; mean and 2.5-97.5 percentiles of the draws' ratios",
                "recognised per exit"),
    Description("A7_releases_around_relief", "accounting",
                "Were more political prisoners freed in batches in the months around relief "
                "steps (was H2; the relief steps are linked to the batches it counts)?",
                "difference in mean monthly political prisoners freed in deals, relief step in "
                "t-1..t+1 vs other deal-era months, with a trend; Newey-West within model "
                "draws, Rubin's rules", PERSONS),
    *(Description(f"E2_additionality_{months}m", "effects",
                  f"Of the political prisoners freed in deal-era batches, how many would have "
                  f"left by the end of their sentence within {months} months anyway?",
                  "summed over deal-era batches from the no-deal counterfactual's exit model; "
                  "mean and 95% interval", "persons")
      for months in ADDITIONALITY_HORIZONS),
)}

ORDER = ["A1_stock_change", "A2_recognized", "A3_freed_in_batches", "A4_other_exits",
         "A5_recognized_per_freed", "A6_recognized_per_exit", "A7_releases_around_relief",
         "H3_net_effect", *[f"E2_additionality_{m}m" for m in ADDITIONALITY_HORIZONS],
         "H6_additionality", "H1_pressure", "H5_recognition_slowdown", "H7_refill"]
"""Row order of the answer: accounting, effects, repression."""

NULL_EFFECTS: dict[str, float] = {h.id: h.null for h in HYPOTHESES.values()}


def hypotheses() -> pd.DataFrame:
    """Every row of the answer, in its order: part, question, method, scale and, for the
    verdict-bearing hypotheses, the claim's side, the null and the smallest effect of
    interest (missing for a description)."""
    rows = []
    for name in ORDER:
        if name in HYPOTHESES:
            spec = HYPOTHESES[name]
            rows.append({**asdict(spec), "null": spec.null, "verdict_words": True})
        else:
            rows.append({**asdict(DESCRIPTIONS[name]), "claim_sign": 0,
                         "smallest_effect": np.nan, "multiplicative": False,
                         "equivalence_supports": False, "in_family": False, "null": np.nan,
                         "verdict_words": False})
    return pd.DataFrame(rows).rename(columns={"id": "hypothesis"})


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
