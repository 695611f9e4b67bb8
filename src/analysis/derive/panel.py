"""The monthly panel the tests of the claim run on: one row per month from the country's
``model.panel_start`` (Belarus: September 2020) or else the stock-flow model's first month.

Column meanings and bases are in ``analysis.fields.FIELDS``. Counts of
events are zero in a month the research covered and found no event, and missing in a month no
source covers (coverage is declared per series in the raw tables' ``.meta.yml``, see
``COVERED_BY``); figures that come from reported totals (``recognized``) stay missing where no
source gives one. Release figures cover announced batches only, not people freed at the end of
their sentences. Political prisoners freed and all people freed are separate columns, never
summed. Columns from sanctions data (designations, sanctions packages) are missing, not zero,
for a country without them (``analysis.country``).
"""

from __future__ import annotations

import pandas as pd

from analysis import country as countries
from analysis.derive.designations import designations_monthly
from analysis.derive.resolve import DEFAULT_RULE, ResolutionRule, choose_counts, resolution_rule
from analysis.paths import DEFAULT_COUNTRY

SANCTIONS_COLUMNS = ("designations_eu", "designations_us", "designations_uk",
                     "sanctions_packages", "sanctions_packages_disputed")
"""Columns built from sanctions measures and official lists: missing for a country without."""

PANEL_COLUMNS: tuple[str, ...] = (
    "month",
    "prisoners_held",
    "prisoners_held_low",
    "prisoners_held_high",
    "prisoners_held_observed",
    "recognized",
    "recognized_qualifier",
    "released_political_low",
    "released_political_high",
    "released_people",
    "release_batches",
    "largest_batch",
    "deals_with_concession",
    "relief_steps",
    "engagement_steps",
    "designations_eu",
    "designations_us",
    "designations_uk",
    "sanctions_packages",
    "sanctions_packages_disputed",
    *[f"{flow}{end}" for flow in ("recognized_model", "released_deals", "released_other")
      for end in ("", "_low", "_high")],
)
"""Column order; each column is described in ``analysis.fields.FIELDS``."""


EVENT_COUNTS: dict[str, str] = {
    "released_political_low": "release_events",
    "released_political_high": "release_events",
    "released_people": "release_events",
    "release_batches": "release_events",
    "largest_batch": "release_events",
    "deals_with_concession": "release_events",
    "relief_steps": "relief_events",
    "engagement_steps": "relief_events",
    "sanctions_packages": "sanctions_measures",
    "sanctions_packages_disputed": "sanctions_measures",
}
"""Each event-count column and the raw table whose declared coverage decides where it is
zero (covered, nothing found) and where it is missing (not covered)."""

Coverage = dict[str, tuple[pd.Timestamp, pd.Timestamp]]
"""Raw table name → first and last month its research covers."""


def month_start(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")


def panel_months(first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(first, month_start(pd.Series([last])).iloc[0], freq="MS")


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
    batches = batches.assign(month=month_start(batches["date_start"]))
    grouped = batches.groupby("month")
    return pd.DataFrame({
        "released_political_low": grouped["released_political_low"].sum(),
        "released_political_high": grouped["released_political_high"].sum(),
        "released_people": grouped["released_people"].sum(),
        "release_batches": grouped.size(),
        "largest_batch": grouped["released_people"].max(),
        "deals_with_concession": grouped["has_stated_concession"].sum(),
    }).reset_index()


def steps_by_month(timeline: pd.DataFrame) -> pd.DataFrame:
    """Relief, engagement and escalation steps per month; a month-dated step counts in its
    month, a year-dated one in no month (it cannot be placed)."""
    steps = timeline[timeline["counts_in_panel"] & (timeline["date_precision"] != "year")]
    steps = steps.assign(month=month_start(steps["date_start"]))
    counts = pd.crosstab(steps["month"], steps["step_kind"])
    table = pd.DataFrame({
        "month": counts.index,
        "relief_steps": counts.get("relief", 0),
        "engagement_steps": counts.get("engagement", 0),
        "sanctions_packages": counts.get("escalation", 0),
    }).reset_index(drop=True)
    return table.merge(disputed_packages_by_month(timeline), on="month", how="outer")


def disputed_packages_by_month(timeline: pd.DataFrame) -> pd.DataFrame:
    """Escalation packages counted as in ``sanctions_packages``, plus disputed listings: an
    unverified alternative report of new designations whose primary row is not itself an
    escalation (sm091: listings reported with an EU renewal that other reports call
    unchanged). The second reading of the month, for a robustness check."""
    steps = timeline[(timeline["date_precision"] != "year")
                     & (timeline["step_kind"] == "escalation")]
    disputed = (~steps["is_primary"]) & (~steps["verified"]) & steps["duplicate_of"].isna()
    counted = steps[steps["counts_in_panel"] | disputed]
    months = month_start(counted["date_start"])
    return (counted.groupby(months).size().rename("sanctions_packages_disputed")
            .rename_axis("month").reset_index())


def blank_uncovered(panel: pd.DataFrame, coverage: Coverage) -> pd.DataFrame:
    """Event counts set to missing in months their raw table's research did not cover."""
    panel = panel.copy()
    for column, table in EVENT_COUNTS.items():
        if table in coverage:
            first, last = coverage[table]
            outside = (panel["month"] < first) | (panel["month"] > last)
            panel.loc[outside, column] = pd.NA
    return panel


def build_panel_monthly(daily: pd.DataFrame, counts: pd.DataFrame, releases: pd.DataFrame,
                        timeline: pd.DataFrame, designations: pd.DataFrame | None,
                        flows: pd.DataFrame, rule: ResolutionRule = DEFAULT_RULE,
                        coverage: Coverage | None = None, start: pd.Timestamp | None = None,
                        sanctions: bool = True) -> pd.DataFrame:
    """The panel from ``start`` (default: the first month of ``flows``); with ``sanctions``
    False (or no ``designations``) the sanctions columns are missing throughout."""
    dated = counts[counts["date_precision"] != "year"]
    ends = pd.concat([daily["date"], dated["date_end"],
                      releases.loc[releases["counts_as_release"], "date_end"]]).dropna()
    first = start if start is not None else flows["month"].min()
    months = (panel_months(first, ends.max()) if len(ends)
              else pd.DatetimeIndex([], name="month"))
    panel = prisoners_at_month_end(daily, months)
    parts = [recognitions_by_month(counts, rule), releases_by_month(releases),
             steps_by_month(timeline), model_flows_by_month(flows)]
    if sanctions and designations is not None:
        parts.append(designations_monthly(designations, months))
    for part in parts:
        panel = panel.merge(part, on="month", how="left", validate="1:1")
    event_counts = list(EVENT_COUNTS)
    panel[event_counts] = panel[event_counts].fillna(0).astype("Int64")
    panel = blank_uncovered(panel, coverage or {})
    if not sanctions or designations is None:
        for column in SANCTIONS_COLUMNS:
            panel[column] = pd.array([pd.NA] * len(panel), dtype="Int64")
    panel["recognized"] = panel["recognized"].astype("Int64")
    panel["recognized_qualifier"] = panel["recognized_qualifier"].astype("string")
    return panel[list(PANEL_COLUMNS)]


def panel_under_rule(counts: pd.DataFrame, releases: pd.DataFrame, timeline: pd.DataFrame,
                     designations: pd.DataFrame | None, rule: ResolutionRule,
                     coverage: Coverage | None = None, country: str = DEFAULT_COUNTRY
                     ) -> pd.DataFrame:
    """The panel as another conflict-resolution rule would build it, for robustness checks,
    with the country's counting organisation, model start and panel start."""
    # scipy: only a refit pays for the model, not building the panel
    from analysis.derive.flows import fitted_flows, flows_monthly, prisoners_daily

    rule = resolution_rule(country, rule)
    fit = fitted_flows(counts, releases, rule, countries.headline_scope(country),
                       countries.model_start(country))
    return build_panel_monthly(prisoners_daily(fit), counts, releases, timeline, designations,
                               flows_monthly(fit), rule, coverage, countries.panel_start(country),
                               countries.has_sanctions(country))
