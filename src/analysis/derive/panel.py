"""The monthly panel the tests of the claim run on: one row per month from September 2020.

Column meanings and bases are in ``analysis.fields.FIELDS``. Counts of
events are zero in a month where no event is known; figures that come from reported totals
(``recognized``) stay missing where no source gives one. Release figures cover announced
batches only, not people freed at the end of their sentences.
"""

from __future__ import annotations

import pandas as pd

from analysis.derive.designations import designations_monthly
from analysis.derive.resolve import DEFAULT_RULE, ResolutionRule, choose_counts

PANEL_START = pd.Timestamp("2020-09-01")

PANEL_COLUMNS: tuple[str, ...] = (
    "month",
    "prisoners_held",
    "prisoners_held_low",
    "prisoners_held_high",
    "prisoners_held_observed",
    "recognized",
    "recognized_qualifier",
    "released",
    "released_min",
    "released_all",
    "release_batches",
    "largest_batch",
    "deals_with_concession",
    "relief_steps",
    "engagement_steps",
    "designations_eu",
    "designations_us",
    "designations_uk",
    "sanctions_packages",
    *[f"{flow}{end}" for flow in ("recognized_model", "released_deals", "released_other")
      for end in ("", "_low", "_high")],
)
"""Column order; each column is described in ``analysis.fields.FIELDS``."""


def month_start(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")


def panel_months(last: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(PANEL_START, month_start(pd.Series([last])).iloc[0], freq="MS")


def prisoners_at_month_end(daily: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    month_ends = months + pd.offsets.MonthEnd(0)
    by_day = daily.set_index("date")
    held = by_day[["prisoners_held", "prisoners_held_low", "prisoners_held_high"]]
    held = held.reindex(month_ends).set_axis(months)
    observed = by_day["basis"].reindex(month_ends).eq("observed").to_numpy()
    return held.assign(prisoners_held_observed=observed).rename_axis("month").reset_index()


def model_flows_by_month(flows: pd.DataFrame) -> pd.DataFrame:
    """The stock-flow model's monthly flows with their intervals; the model's recognitions are
    ``recognized_model`` beside the reported monthly total ``recognized``."""
    renamed = {f"recognized{end}": f"recognized_model{end}" for end in ("", "_low", "_high")}
    columns = ["month", *[f"{flow}{end}" for flow in ("recognized", "released_deals",
                                                      "released_other")
                          for end in ("", "_low", "_high")]]
    return flows[columns].rename(columns=renamed)


def recognitions_by_month(counts: pd.DataFrame, rule: ResolutionRule) -> pd.DataFrame:
    chosen = choose_counts(counts, rule)
    monthly = chosen[(chosen["metric"] == "newly_recognized_in_period")
                     & (chosen["date_precision"] == "month")]
    return pd.DataFrame({
        "month": month_start(monthly["date_start"]),
        "recognized": monthly["value"].astype("Int64"),
        "recognized_qualifier": monthly["qualifier"].astype("string"),
    }).drop_duplicates("month")


def releases_by_month(releases: pd.DataFrame) -> pd.DataFrame:
    batches = releases[releases["counts_as_release"]]
    batches = batches.assign(month=month_start(batches["date_start"]),
                             political=batches["released_political_prisoners"].fillna(0))
    grouped = batches.groupby("month")
    return pd.DataFrame({
        "released": grouped["batch_size"].sum(),
        "released_min": grouped["political"].sum(),
        "released_all": grouped["released_total"].sum(),
        "release_batches": grouped.size(),
        "largest_batch": grouped["batch_size"].max(),
        "deals_with_concession": grouped["has_stated_concession"].sum(),
    }).reset_index()


def steps_by_month(timeline: pd.DataFrame) -> pd.DataFrame:
    """Relief, engagement and escalation steps per month; a month-dated step counts in its
    month, a year-dated one in no month (it cannot be placed)."""
    steps = timeline[timeline["counts_in_panel"] & (timeline["date_precision"] != "year")]
    steps = steps.assign(month=month_start(steps["date_start"]))
    counts = pd.crosstab(steps["month"], steps["step_kind"])
    return pd.DataFrame({
        "month": counts.index,
        "relief_steps": counts.get("relief", 0),
        "engagement_steps": counts.get("engagement", 0),
        "sanctions_packages": counts.get("escalation", 0),
    }).reset_index(drop=True)


def build_panel_monthly(daily: pd.DataFrame, counts: pd.DataFrame, releases: pd.DataFrame,
                        timeline: pd.DataFrame, designations: pd.DataFrame,
                        flows: pd.DataFrame, rule: ResolutionRule = DEFAULT_RULE
                        ) -> pd.DataFrame:
    dated = counts[counts["date_precision"] != "year"]
    ends = pd.concat([daily["date"], dated["date_end"],
                      releases.loc[releases["counts_as_release"], "date_end"]]).dropna()
    months = panel_months(ends.max()) if len(ends) else pd.DatetimeIndex([], name="month")
    panel = prisoners_at_month_end(daily, months)
    for part in (recognitions_by_month(counts, rule), releases_by_month(releases),
                 steps_by_month(timeline), designations_monthly(designations, months),
                 model_flows_by_month(flows)):
        panel = panel.merge(part, on="month", how="left", validate="1:1")
    event_counts = ["released", "released_min", "released_all", "release_batches",
                    "largest_batch", "deals_with_concession", "relief_steps", "engagement_steps",
                    "sanctions_packages"]
    panel[event_counts] = panel[event_counts].fillna(0).astype("Int64")
    panel["recognized"] = panel["recognized"].astype("Int64")
    panel["recognized_qualifier"] = panel["recognized_qualifier"].astype("string")
    return panel[list(PANEL_COLUMNS)]


def panel_under_rule(counts: pd.DataFrame, releases: pd.DataFrame, timeline: pd.DataFrame,
                     designations: pd.DataFrame, rule: ResolutionRule) -> pd.DataFrame:
    """The panel as another conflict-resolution rule would build it, for robustness checks."""
    from analysis.derive.flows import fitted_flows, flows_monthly, prisoners_daily

    fit = fitted_flows(counts, releases, rule)
    return build_panel_monthly(prisoners_daily(fit), counts, releases, timeline, designations,
                               flows_monthly(fit), rule)
