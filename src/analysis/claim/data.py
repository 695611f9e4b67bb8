"""What the tests of the claim read: the panel's event months, which months have a figure of each
flow, and the stock-flow model's monthly series and its no-deal counterfactual as matrices
(months x posterior draws), so every estimator runs on every draw at once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from analysis.claim.spec import SERIES, validate_panel, values

OUTCOMES = ("stock_change", "recognized", "released_deals", "released_other")
COUNTERFACTUAL_SERIES = ("deal_effect", "completions")
"""From the no-deal counterfactual, per month and draw: the deals' effect on the number held,
and the exit model's expected sentence completions (the latter optional)."""

PANEL_SERIES = {"stock": "prisoners_held", "recognized": "recognized_model",
                "released_deals": "released_deals", "released_other": "released_other"}
"""Panel columns that stand in for the model's series when no draws are given (one draw, no
model uncertainty)."""


@dataclass(frozen=True)
class ClaimData:
    months: pd.DatetimeIndex
    relief: np.ndarray
    packages: np.ndarray
    outcomes: dict[str, np.ndarray]
    """Outcome name -> months x draws; ``stock_change`` is missing in the first month;
    ``deal_effect`` and ``beyond_completions`` (other exits minus expected sentence completions)
    exist only when the no-deal counterfactual is given."""
    figures: dict[str, np.ndarray] = field(default_factory=dict)
    """Flow name -> months: True where the panel has a figure of that flow in the month."""
    additionality: pd.DataFrame | None = None
    """The counterfactual's per-horizon additionality, when given."""

    @property
    def n_draws(self) -> int:
        return next(iter(self.outcomes.values())).shape[1]

    @property
    def has_stock(self) -> bool:
        return bool(np.isfinite(self.outcomes["stock_change"]).any())

    def with_outcome(self, name: str, matrix: np.ndarray) -> ClaimData:
        return replace(self, outcomes={**self.outcomes, name: matrix})


def _matrices(panel: pd.DataFrame, draws: pd.DataFrame | None) -> dict[str, np.ndarray]:
    months = pd.DatetimeIndex(panel["month"])
    if draws is None:
        missing = [column for column in PANEL_SERIES.values() if column not in panel.columns]
        if missing:
            raise ValueError("without model draws the panel needs the model's columns: "
                             + ", ".join(missing))
        return {name: values(panel, column)[:, None] for name, column in PANEL_SERIES.items()}
    wide = {}
    for name in SERIES:
        table = draws.pivot(index="month", columns="draw", values=name)
        wide[name] = table.reindex(months).to_numpy(dtype="float64")
    return wide


def figure_months(panel: pd.DataFrame) -> dict[str, np.ndarray]:
    """Months in which the panel has a figure of each flow (third edition, accounting): an
    observed count of the number held; a monthly recognition figure; a release batch whose
    political-prisoner count is stated (low = high). Other exits have none in the panel."""
    months = len(panel)
    known: dict[str, np.ndarray] = {}
    if "prisoners_held_observed" in panel:
        known["stock"] = panel["prisoners_held_observed"].fillna(False).to_numpy(dtype=bool)
    if "recognized" in panel:
        known["recognized"] = np.isfinite(values(panel, "recognized"))
    if {"released_political_low", "released_political_high"} <= set(panel.columns):
        low = values(panel, "released_political_low")
        high = values(panel, "released_political_high")
        known["released_deals"] = np.isfinite(low) & (low == high) & (high > 0)
    known["released_other"] = np.zeros(months, dtype=bool)
    return known


def _counterfactual(months: pd.DatetimeIndex, effects: pd.DataFrame,
                    n_draws: int) -> dict[str, np.ndarray]:
    wide = {}
    for name in COUNTERFACTUAL_SERIES:
        if name in effects:
            table = effects.pivot(index="month", columns="draw", values=name).reindex(months)
            matrix = table.to_numpy(dtype="float64")
            if matrix.shape[1] != n_draws:
                raise ValueError(f"the counterfactual has {matrix.shape[1]} draws of {name}, "
                                 f"the model {n_draws}")
            wide[name] = matrix
    return wide


def counterfactual_draws(draws: pd.DataFrame, releases: pd.DataFrame,
                         sentences: pd.DataFrame | None) -> pd.DataFrame | None:
    """The no-deal counterfactual per model draw and month, as the tests read it: the deals'
    effect on the number held (``derive.exits.deals_effect_draws``) and the exit model's
    expected sentence completions, the modelled stock times its sentenced share times the
    monthly chance that a random member of a steady stock reaches the end of the term (the rule
    of ``derive.exits.prior_predictive_check``). None without sourced sentence facts, or when a
    fact the prior needs is missing (``counterfactual_monthly`` gives the reason)."""
    from analysis.derive import exits  # scipy: only builds that test the claim

    facts, prior, _ = exits.prior_from_sentences(sentences)
    if prior is None:
        return None
    effect = exits.deals_effect_draws(draws, releases, prior)
    n_draws = effect["draw"].nunique()
    monthly = 1.0 - exits.stock_prior(prior).survival(np.array([exits.DAYS_PER_MONTH]))[
        :n_draws, 0]
    sentenced = np.random.default_rng(exits.PRIOR_SEED + 1).uniform(
        facts.sentenced_share, 1.0, n_draws)
    rate = (monthly * sentenced)[effect["draw"].to_numpy()]
    return pd.DataFrame({"draw": effect["draw"], "month": effect["month"],
                         "deal_effect": effect["deals_effect"],
                         "completions": effect["stock"].to_numpy() * rate})


def additionality_totals(table: pd.DataFrame | None) -> pd.DataFrame | None:
    """``deal_additionality``'s total rows (all deal-era batches) by horizon, as E2 reads them."""
    if table is None or table.empty:
        return None
    total = table[table["event_id"] == "total"]
    return pd.DataFrame({
        "horizon_months": total["horizon_months"].to_numpy(),
        **{f"{name}{end}": total[f"{name}_{suffix}"].to_numpy()
           for name in ("would_have_left", "prison_months_remitted", "freed")
           for end, suffix in (("", "mean"), ("_low", "low"), ("_high", "high"))},
    })


def claim_data(panel: pd.DataFrame, draws: pd.DataFrame | None = None,
               effects: pd.DataFrame | None = None,
               additionality: pd.DataFrame | None = None) -> ClaimData:
    """The tests' inputs from the monthly panel, the model's draws (``flows_draws``) and, when
    given, the no-deal counterfactual's draws per month (``effects``: ``draw``, ``month``,
    ``deal_effect`` and optionally ``completions``, the same draws as the model's) and its
    additionality by horizon; months outside the model are missing in every draw."""
    panel = validate_panel(panel)
    months = pd.DatetimeIndex(panel["month"])
    series = _matrices(panel, draws)
    stock = series.pop("stock")
    change = np.vstack([np.full((1, stock.shape[1]), np.nan), np.diff(stock, axis=0)])
    outcomes = {"stock_change": change, "stock": stock, **series}
    if effects is not None:
        counterfactual = _counterfactual(months, effects, stock.shape[1])
        outcomes["deal_effect"] = counterfactual["deal_effect"]
        if "completions" in counterfactual:
            outcomes["beyond_completions"] = (series["released_other"]
                                              - counterfactual["completions"])
    return ClaimData(
        months=months,
        relief=values(panel, "relief_steps"),
        packages=values(panel, "sanctions_packages"),
        outcomes=outcomes,
        figures=figure_months(panel),
        additionality=additionality,
    )
