"""Which figure to believe when sources disagree: the one rule, in one place.

Conflicting figures for the same metric and date all stay in ``prisoner_counts``. Wherever a
single number is needed, ``choose_counts`` picks one per (metric, period) by comparing, in
order, the criteria of a ``ResolutionRule``; the first criterion that separates the candidates
decides, and the conflicts report records which one it was. To change the rule, edit
``DEFAULT_RULE`` below (or pass another rule to the panel builder): everything downstream
follows on the next ``load``.

Default rule, in words:
1. exact beats approximate, which beats a round milestone, which beats a bound (so a lower
   bound never overrides an exact value);
2. the country's own counting organisation (``counting_organisation.publisher`` in its
   ``country.yml``; for Belarus, Viasna) beats a republication, which beats any other source;
3. a figure dated to the day beats one dated to the month or year;
4. a figure whose year is stated beats one whose year was inferred;
5. if still tied, the record listed first (lowest ``record_id``) is used and the report says so.

Stock figures (the current count and cumulative totals) dated to a day or a month refer to
the end of that period: a count dated only to a month is taken as the month-end count, so it
competes with a figure dated to that month's last day. A stock figure dated only to a year
cannot be placed in it and competes only with other year-dated figures.

The rule also says which chosen counts may anchor the daily series: by default exact figures
only, and a figure whose date was inferred from context only if it is the counting
organisation's own or a republication of it (an inferred date on a third-party figure is too
weak to pin the series to).

A rule names the counting organisation with ``for_publisher``; a rule that names none (as
``DEFAULT_RULE``) counts any organisation in ``country.counting_organisations()`` (those the
configured countries' ``country.yml`` files name) as the own one, which is the same thing for
a table of one country.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from analysis import country as countries
from analysis import paths

STOCK_METRICS = (
    "current_count",
    "recognized_total_since_2020",
    "released_total_since_2020",
    "released_total_pardon_since_2020",
    "released_total_pardon_since_2024-07",
    "released_end_of_sentence_total_since_2020",
)


@dataclass(frozen=True)
class ResolutionRule:
    """Ranks (lower wins) for each criterion, the order they are applied in, and which
    qualifiers may anchor the daily series."""

    name: str
    qualifier_rank: dict[str, int] = field(default_factory=lambda: {
        "exact": 0, "approx": 1, "milestone_round": 2, "lower_bound": 3, "upper_bound": 3})
    publisher_rank: dict[str, int] = field(default_factory=lambda: {
        "own": 0, "republication": 1, "other": 2})
    precision_rank: dict[str, int] = field(default_factory=lambda: {
        "day": 0, "month": 1, "year": 2})
    order: tuple[str, ...] = ("qualifier", "publisher", "precision", "year_inferred")
    anchor_qualifiers: tuple[str, ...] = ("exact",)
    anchor_inferred_date_publishers: tuple[str, ...] = ("own", "republication")
    own_publisher: str | None = None
    """The ``publisher`` value of the country's counting organisation; None: any of them."""

    def for_publisher(self, publisher: str) -> ResolutionRule:
        return replace(self, own_publisher=publisher)

    def publisher_role(self, publisher: pd.Series) -> pd.Series:
        """``own`` for the counting organisation's own figures, else the publisher as is."""
        own = (publisher == self.own_publisher if self.own_publisher is not None
               else publisher.isin(list(countries.counting_organisations())))
        return publisher.where(~own, "own")


DEFAULT_RULE = ResolutionRule(name="exact_first")

ALTERNATIVE_RULE = ResolutionRule(
    name="viasna_first",
    order=("publisher", "qualifier", "precision", "year_inferred"),
    anchor_qualifiers=("exact", "approx"),
    anchor_inferred_date_publishers=(),
)
"""For robustness checks: the counting organisation's own figure wins even when approximate,
approximate figures also anchor the daily series, and no figure with an inferred date does."""


def resolution_rule(country: str = paths.DEFAULT_COUNTRY,
                    rule: ResolutionRule | None = None) -> ResolutionRule:
    """The conflict rule (default ``DEFAULT_RULE``) with the country's counting organisation
    (its ``country.yml``) ranked first among publishers."""
    return (rule or DEFAULT_RULE).for_publisher(countries.publisher(country))


def conflict_key(counts: pd.DataFrame) -> pd.DataFrame:
    """The (metric, start, end) a figure competes on; day- and month-dated stock figures
    compete on their end date."""
    is_stock = counts["metric"].isin(STOCK_METRICS) & (counts["date_precision"] != "year")
    return pd.DataFrame({
        "metric": counts["metric"],
        "key_start": counts["date_start"].where(~is_stock, counts["date_end"]),
        "key_end": counts["date_end"],
    })


def _ranked(counts: pd.DataFrame, rule: ResolutionRule) -> pd.DataFrame:
    ranks = {
        "qualifier": counts["qualifier"].map(rule.qualifier_rank),
        "publisher": rule.publisher_role(counts["publisher"]).map(rule.publisher_rank)
        .fillna(max(rule.publisher_rank.values())),
        "precision": counts["date_precision"].map(rule.precision_rank),
        "year_inferred": counts["year_inferred"].astype(int),
    }
    ranked = counts.join(conflict_key(counts).add_prefix("_"))
    for criterion in rule.order:
        ranked[f"_rank_{criterion}"] = ranks[criterion]
    sort_by = ["_metric", "_key_start", "_key_end",
               *[f"_rank_{criterion}" for criterion in rule.order], "record_id"]
    return ranked.sort_values(sort_by, kind="stable")


def choose_counts(counts: pd.DataFrame, rule: ResolutionRule = DEFAULT_RULE) -> pd.DataFrame:
    """One figure per (metric, period): the rows of ``counts`` the rule prefers."""
    ranked = _ranked(counts, rule)
    chosen = ranked.drop_duplicates(["_metric", "_key_start", "_key_end"], keep="first")
    return chosen[counts.columns].reset_index(drop=True)


def conflicts_report(counts: pd.DataFrame, rule: ResolutionRule = DEFAULT_RULE) -> pd.DataFrame:
    """Every (metric, period) with figures that disagree, the figure chosen and why."""
    ranked = _ranked(counts, rule)
    rank_columns = [f"_rank_{criterion}" for criterion in rule.order]
    rows = []
    for (metric, start, end), group in ranked.groupby(["_metric", "_key_start", "_key_end"],
                                                      sort=True):
        if group["value"].nunique() < 2:
            continue
        winner, runner_up = group.iloc[0], group.iloc[1]
        deciding = next((criterion for criterion, column in zip(rule.order, rank_columns,
                                                                 strict=True)
                         if winner[column] != runner_up[column]), "tie: first listed record")
        rows.append({
            "metric": metric,
            "period_start": start,
            "period_end": end,
            "candidates": len(group),
            "record_ids": "; ".join(group["record_id"]),
            "values": "; ".join(str(v) for v in group["value"]),
            "qualifiers": "; ".join(group["qualifier"]),
            "publishers": "; ".join(group["publisher"]),
            "chosen_record_id": winner["record_id"],
            "chosen_value": int(winner["value"]),
            "decided_by": deciding,
            "rule": rule.name,
        })
    columns = ["metric", "period_start", "period_end", "candidates", "record_ids", "values",
               "qualifiers", "publishers", "chosen_record_id", "chosen_value", "decided_by",
               "rule"]
    report = pd.DataFrame(rows, columns=columns)
    report["candidates"] = report["candidates"].astype("int64")
    report["chosen_value"] = report["chosen_value"].astype("int64")
    for column in ("period_start", "period_end"):
        report[column] = pd.to_datetime(report[column]).astype("datetime64[ns]")
    return report
