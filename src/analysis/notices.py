"""What ``load`` says after a rebuild: which country and datasets, which raw rows changed, the
numbers that moved, and what became of a figure the analyst edited.

An edit can change nothing downstream for two reasons the analyst cannot see from the CSV:
another figure of the same metric and day won the conflict rule (``derive/resolve.py``), or the
stock-flow model counted the figure little because it is at odds with the figures around it.
The notice says which, and where the conflicts and weights are listed.
"""

from __future__ import annotations

import pandas as pd

from analysis import catalog, paths
from analysis.changelog import changes
from analysis.derive.resolve import conflicts_report, resolution_rule
from analysis.io import read_parquet
from analysis.store import HOOKS, load, load_call

LITTLE_WEIGHT = 0.5
"""Below this mean Student-t weight a figure counts for less than half of a figure in line
with the others (its residual is about 2.5 of its errors): the notice says so."""

MOVED_SHOWN = 3
"""Headline numbers named in the notice; the rest are in ``analysis.changes()``."""


def _call(name: str, country: str) -> str:
    return f"analysis.{name}()" if country == paths.DEFAULT_COUNTRY else \
        f"analysis.{name}({country!r})"


def rebuild_notice(rebuilt: list[str], new: set[str] | frozenset, country: str) -> str:
    """Lines for the analyst: the datasets built for the first time (``new``) and rebuilt, the
    raw rows that changed, the numbers that moved, and any edited figure that was not used or
    was given little weight."""
    first = [name for name in rebuilt if name in new]
    again = [name for name in rebuilt if name not in new]
    lines = [f"{country}: built {', '.join(first)} (first build)"] if first else []
    if again:
        report = changes(country)
        lines.append(f"{country}: rebuilt {', '.join(again)} ({_raw_rows(report)})")
        moved = moved_numbers(report)
        lines += moved or (["  no modelled count moved"] if "flows_monthly" in again else [])
        lines += edited_figure_fates(report, country, model_rebuilt=bool(
            {"flows_monthly", "flows_draws", "prisoners_daily"} & set(again)))
    lines[-1 if len(lines) == 1 else 0] += f"; {_call('changes', country)} has the detail."
    return "\n".join(lines)


def _raw_rows(report: pd.DataFrame) -> str:
    raw = report[report["kind"].str.startswith("row_") & report["file"].notna()]
    raw = raw.drop_duplicates(["dataset", "key"])
    if raw.empty:
        return "no raw row changed: the code, a country.yml or an official list copy did"
    places = []
    for file, rows in raw.groupby("file", sort=True):
        lines = sorted(int(line) for line in rows["line"].dropna())
        shown = ", ".join(str(line) for line in lines[:5]) + (", ..." if len(lines) > 5 else "")
        places.append(f"{file} line{'s' if len(lines) != 1 else ''} {shown}" if lines
                      else file)
    return (f"{len(raw)} raw row{'s' if len(raw) != 1 else ''} changed: "
            + "; ".join(places))


def moved_numbers(report: pd.DataFrame) -> list[str]:
    """The modelled month-end count where it moved by a person or more (a refit moves every
    month by sampling noise below that), and the headline numbers that moved."""
    lines = []
    stock = report[(report["dataset"] == "flows_monthly") & (report["kind"] == "row_changed")
                   & (report["column"] == "stock")]
    change = pd.to_numeric(stock["new"]) - pd.to_numeric(stock["old"])
    stock, change = stock[change.abs() >= 1], change[change.abs() >= 1]
    if len(stock):
        latest = stock.sort_values("key").iloc[-1]
        largest = stock.loc[change.abs().idxmax()]
        parts = [f"end of {_month(latest['key'])} {_count(latest['old'])} → "
                 f"{_count(latest['new'])}"]
        if largest["key"] != latest["key"]:
            parts.append(f"most in {_month(largest['key'])}, {_count(largest['old'])} → "
                         f"{_count(largest['new'])}")
        lines.append(f"  modelled count moved in {len(stock)} month"
                     f"{'s' if len(stock) != 1 else ''}: {'; '.join(parts)}")
    headline = [(row.detail.rsplit(": ", 1)[0], _number(row.old), _number(row.new))
                for row in report[report["kind"] == "headline"].itertuples()]
    headline = [(label, old, new) for label, old, new in headline if old != new]
    lines += [f"  {label}: {old} → {new}" for label, old, new in headline[:MOVED_SHOWN]]
    if len(headline) > MOVED_SHOWN:
        lines.append(f"  and {len(headline) - MOVED_SHOWN} more headline numbers")
    return lines


def _month(key: str) -> str:
    return f"{pd.Timestamp(key):%b %Y}"


def _number(value: object) -> str:
    """A headline number as a count (whole persons); text such as a date as it is."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "(none)" if value is None else str(value) if pd.isna(number) else _count(number)


def _count(value: object) -> str:
    return "(none)" if value is None or pd.isna(value) else f"{float(value):,.0f}"


def edited_figure_fates(report: pd.DataFrame, country: str, model_rebuilt: bool = True
                        ) -> list[str]:
    """A line for each edited or added count that another figure beat in the conflict rule,
    that the model left out, or that the model gave little weight."""
    edited = report[(report["dataset"] == "prisoner_counts")
                    & report["kind"].isin(["row_changed", "row_added"])]
    if edited.empty or not catalog.applies("prisoner_counts", country):
        return []
    counts = read_parquet(paths.processed_path("prisoner_counts", country))
    where = {row.key: f"{row.key} ({row.file} line {row.line})" if pd.notna(row.line)
             else row.key for row in edited.drop_duplicates("key").itertuples()}
    lines, beaten = [], set()
    for conflict in conflicts_report(counts, resolution_rule(country)).itertuples():
        ids = conflict.record_ids.split("; ")
        for record in set(where) & set(ids) - {conflict.chosen_record_id}:
            beaten.add(record)
            lines.append(
                f"  {where[record]} was not used: {conflict.chosen_record_id} "
                f"({conflict.chosen_value:,}) wins the conflict rule for {conflict.metric} on "
                f"{conflict.period_end:%d %b %Y} (decided by {conflict.decided_by}); "
                f"{load_call('count_conflicts', country)} lists the conflicts")
    if model_rebuilt and set(where) - beaten:
        lines += _model_fates({key: where[key] for key in set(where) - beaten}, country)
    return lines


def _model_fates(where: dict[str, str], country: str) -> list[str]:
    weights = figure_weights(country).set_index("record_id")
    lines = []
    for record in sorted(where):
        if record not in weights.index:
            continue
        figure = weights.loc[record]
        if figure["use"] == "unused":
            lines.append(f"  {where[record]} is not used by the model: {figure['reason']}")
        elif figure["weight"] < LITTLE_WEIGHT:
            lines.append(
                f"  {where[record]} was given little weight by the model ({figure['weight']:.2f} "
                "of a figure in line with the others: it is at odds with the figures around "
                f"it); {_call('figure_weights', country)} lists every figure's weight")
    return lines


def figure_weights(country: str = paths.DEFAULT_COUNTRY) -> pd.DataFrame:
    """Every figure the conflict rule chose for the stock-flow model, with its raw line, how
    the model used it (point, bound, or unused and why) and its weight (1: counted fully;
    below 0.5: at odds with the figures around it, so it moved the count little)."""
    # scipy and the model's code: only when a figure's weight is asked for
    from analysis.derive.flows import observation_fit
    from analysis.steps import country_fit

    counts = load("prisoner_counts", country)
    fit = country_fit({"prisoner_counts": counts,
                       "release_events": load("release_events", country)}, country)
    if fit is None:
        return pd.DataFrame(columns=["record_id", "source_line", "metric", "date_start",
                                     "date_end", "value", "qualifier", "use", "reason",
                                     "weight"])
    table = observation_fit(fit)
    lines = counts.set_index("record_id")["source_line"]
    table.insert(1, "source_line", table["record_id"].map(lines))
    return table.sort_values(["date_end", "metric"], kind="stable").reset_index(drop=True)


HOOKS.notice = rebuild_notice
