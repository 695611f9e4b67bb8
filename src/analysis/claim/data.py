"""What the tests of the claim read: the panel's event months and the stock-flow model's monthly
series as matrices (months x posterior draws), so every estimator runs on every draw at once."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.claim.spec import SERIES, validate_panel, values

OUTCOMES = ("stock_change", "recognized", "released_deals", "released_other")

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
    """Outcome name -> months x draws; ``stock_change`` is missing in the first month."""

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


def claim_data(panel: pd.DataFrame, draws: pd.DataFrame | None = None) -> ClaimData:
    """The tests' inputs from the monthly panel and the model's draws (``flows_draws``); months
    outside the model are missing in every draw."""
    panel = validate_panel(panel)
    series = _matrices(panel, draws)
    stock = series.pop("stock")
    change = np.vstack([np.full((1, stock.shape[1]), np.nan), np.diff(stock, axis=0)])
    return ClaimData(
        months=pd.DatetimeIndex(panel["month"]),
        relief=values(panel, "relief_steps"),
        packages=values(panel, "sanctions_packages"),
        outcomes={"stock_change": change, **series},
    )
