"""The accounting part of the answer (docs/hypotheses.md, third edition): what happened over the
deal era, from the stock-flow model's draws, with no verdict words, each with the share of the
flow that rests on figures rather than on the model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.claim.data import ClaimData
from analysis.claim.estimators import comparison_window, contrast, deal_era
from analysis.claim.spec import ADDITIONALITY_HORIZONS, RELIEF_WINDOW, any_in_window


@dataclass(frozen=True)
class Described:
    """One description: a quantity with its 95% interval, and no p-value or verdict."""

    hypothesis: str
    estimate: float = np.nan
    ci_low: float = np.nan
    ci_high: float = np.nan
    on_figures: float = np.nan
    n_months: int = 0
    note: str = ""


def _summary(name: str, sample: np.ndarray, on_figures: float, n_months: int,
             note: str = "") -> Described:
    if not len(sample) or not np.isfinite(sample).all():
        return Described(name, n_months=n_months, note="some draws of the model give no finite "
                         "value (a flow of zero under a ratio); a draw is never dropped")
    return Described(name, float(np.mean(sample)), float(np.percentile(sample, 2.5)),
                     float(np.percentile(sample, 97.5)), on_figures, n_months, note)


def on_figures(data: ClaimData, flow: str, months: np.ndarray) -> float:
    """Share of the model's total of ``flow`` over ``months`` (posterior mean) that falls in
    months with a figure of that flow; missing when the panel says nothing of it."""
    known = data.figures.get(flow)
    if known is None:
        return np.nan
    mean = np.nan_to_num(data.outcomes[flow][months].mean(axis=1))
    total = mean.sum()
    return float(mean[known[months]].sum() / total) if total > 0 else np.nan


FLOWS = {"A2_recognized": "recognized", "A3_freed_in_batches": "released_deals",
         "A4_other_exits": "released_other"}


def accounting(data: ClaimData) -> list[Described]:
    """A1-A7: the stock's change, the three flows and the two ratios over the deal era, and
    the releases around relief steps (was H2)."""
    era = deal_era(data)
    rows = np.flatnonzero(era & np.isfinite(data.outcomes["stock"]).all(axis=1))
    if not len(rows) or rows[0] == 0:
        return [Described(name, note="the model does not reach the deal era and the month "
                          "before it") for name in ("A1_stock_change", *FLOWS,
                                                    "A5_recognized_per_freed",
                                                    "A6_recognized_per_exit",
                                                    "A7_releases_around_relief")]
    months = np.zeros(len(era), dtype=bool)
    months[rows] = True
    n = int(len(rows))
    stock = data.outcomes["stock"]
    stock_known = data.figures.get("stock")
    endpoints = [rows[0] - 1, rows[-1]]
    shares = {name: on_figures(data, flow, months) for name, flow in FLOWS.items()}
    sums = {flow: data.outcomes[flow][months].sum(axis=0) for flow in FLOWS.values()}
    result = [_summary(
        "A1_stock_change", stock[rows[-1]] - stock[rows[0] - 1],
        float(np.mean(stock_known[endpoints])) if stock_known is not None else np.nan, n,
        note=f"{data.months[rows[0] - 1]:%b %Y} to {data.months[rows[-1]]:%b %Y}; on_figures: "
             "share of the two ends with an observed count")]
    result += [_summary(name, sums[flow], shares[name], n,
                        note="" if name != "A4_other_exits" else
                        "no monthly figure of other exits in the panel: running counters "
                        "constrain their sums only")
               for name, flow in FLOWS.items()]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_freed = sums["recognized"] / sums["released_deals"]
        per_exit = sums["recognized"] / (sums["released_deals"] + sums["released_other"])
    result.append(_summary("A5_recognized_per_freed", per_freed,
                           _smaller(shares["A2_recognized"], shares["A3_freed_in_batches"]), n,
                           note="was H4; a ratio of two flows, no test"))
    result.append(_summary("A6_recognized_per_exit", per_exit,
                           _smaller(shares["A2_recognized"], shares["A4_other_exits"]), n))
    around = contrast(data, "A7_releases_around_relief", "released_deals",
                      any_in_window(data.relief, RELIEF_WINDOW), era, trend=True)
    result.append(Described("A7_releases_around_relief", around.estimate, around.ci_low,
                            around.ci_high, shares["A3_freed_in_batches"], around.n_months,
                            note=around.reason or "was H2; the relief steps are linked to the "
                            "batches it counts, so it is a description, not a test"))
    return result


def _smaller(first: float, second: float) -> float:
    """A ratio rests on figures no more than its less-covered flow; unknown counts as none."""
    return float(np.nanmin([first, second])) if np.isfinite([first, second]).any() else np.nan


def additionality(data: ClaimData) -> list[Described]:
    """E2: of those freed in deal-era batches, how many would have left by the end of their
    sentence within 3, 6 and 12 months anyway, from the counterfactual's table."""
    table = data.additionality
    names = [f"E2_additionality_{months}m" for months in ADDITIONALITY_HORIZONS]
    if table is None or table.empty:
        return [Described(name, note="the no-deal counterfactual's additionality is not built "
                          "for this panel") for name in names]
    return [_additionality_row(table, months, name)
            for months, name in zip(ADDITIONALITY_HORIZONS, names, strict=True)]


def _additionality_row(table: pd.DataFrame, months: int, name: str) -> Described:
    rows = table[table["horizon_months"] == months]
    if rows.empty:
        return Described(name, note=f"no {months}-month horizon in the counterfactual")
    row = rows.iloc[0]
    return Described(
        name, float(row["would_have_left"]), float(row["would_have_left_low"]),
        float(row["would_have_left_high"]), np.nan, 0,
        note=f"of {row['freed']:,.0f} ({row['freed_low']:,.0f} to {row['freed_high']:,.0f}) "
             f"political prisoners freed in deal-era batches; prison-months remitted within "
             f"{months} months: {row['prison_months_remitted']:,.0f} "
             f"({row['prison_months_remitted_low']:,.0f} to "
             f"{row['prison_months_remitted_high']:,.0f})")


def exits_against_completions(data: ClaimData) -> pd.DataFrame:
    """Mean monthly other exits, the exit model's expected sentence completions and their
    difference, in the comparison window and the deal era, with 95% intervals over the draws:
    whether the fall in other exits is sentences expiring (the sceptic's second question)."""
    if "beyond_completions" not in data.outcomes:
        return pd.DataFrame()
    other = data.outcomes["released_other"]
    completions = other - data.outcomes["beyond_completions"]
    rows = []
    for window, months in (("Jul 2023 - Jun 2024", comparison_window(data)),
                           ("deal era", deal_era(data) & np.isfinite(other).all(axis=1))):
        row = {"window": window, "months": int(months.sum())}
        for name, matrix in (("other_exits", other), ("expected_completions", completions),
                             ("beyond_completions", other - completions)):
            means = matrix[months].mean(axis=0)
            row.update({name: float(means.mean()),
                        f"{name}_low": float(np.percentile(means, 2.5)),
                        f"{name}_high": float(np.percentile(means, 97.5))})
        rows.append(row)
    return pd.DataFrame(rows)
