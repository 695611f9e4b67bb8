"""How far the data go, stated once: every README block, cover, figure and notebook says it
from here, so no reader takes the end of a chart's axis, or the day of the build, for the end of
the data.

The newest dated item and the months the research searched come from the curated tables and
their ``.meta.yml`` files, so the line written into tracked outputs changes only when the data
do. The build date is today's: it appears only where nothing is tracked (the console of
``make run`` and executed notebooks), in ``stale_warning``.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from analysis import catalog, paths
from analysis import country as countries
from analysis.country import config
from analysis.sources.curated import read_series_coverage
from analysis.store import load
from analysis.summaries import Dated, coarser_items_after, describe_span, newest_item

STALE_AFTER_DAYS = 90
"""A build whose newest item is older than this says so: the data may no longer be current."""

CURATED = ("prisoner_counts", "release_events", "relief_events", "sanctions_measures")
"""The curated tables whose items and research windows define a country's coverage."""


class Coverage(NamedTuple):
    """One country's coverage: the newest dated item of its curated tables (with month-dated
    items that may lie after it), its newest count of the headline metric, and the months its
    research searched (the months every table was searched: from the latest first month to the
    earliest last month)."""

    country: str
    newest: Dated | None
    later_months: tuple[Dated, ...]
    newest_count: Dated | None
    searched_first: pd.Timestamp | None
    searched_last: pd.Timestamp | None


def coverage(country: str = paths.DEFAULT_COUNTRY) -> Coverage:
    """``country``'s coverage from its curated tables and their ``.meta.yml`` files."""
    tables = [load(name, country=country) for name in CURATED
              if name in catalog.DATASETS and catalog.applies(name, country)]
    newest = newest_item(tables)
    later = tuple(coarser_items_after(tables, newest)) if newest is not None else ()
    counts = tables[0]
    headline = counts[(counts["metric"] == countries.config(country)["headline_metric"])
                      & (counts["counts_scope"] == countries.headline_scope(country))]
    searched = read_series_coverage(paths.country_dir(country))
    return Coverage(
        country, newest, later, _latest_ending(headline),
        max((first for first, _ in searched.values()), default=None),
        min((last for _, last in searched.values()), default=None))


def _latest_ending(counts: pd.DataFrame) -> Dated | None:
    """The count that can refer to the latest day (a count dated only 'Mar 2026' ends after one
    dated 18 Mar 2026), at its own precision."""
    dated = counts[counts["date_precision"] != "year"]
    if dated.empty:
        return None
    row = dated.loc[dated["date_end"].idxmax()]
    return Dated(pd.Timestamp(row["date_start"]), row["date_precision"])


def _name(country: str) -> str:
    return config(country)["name"]


def coverage_line(cover: Coverage) -> str:
    """'<Country>: data to <newest item>, newest count <date>; searched <first>–<last>, months
    after <last> not searched.' Names no build date, so it changes only with the data."""
    name = _name(cover.country)
    if cover.newest is None:
        return f"{name}: no dated data."
    newest = str(cover.newest)
    if cover.later_months:
        newest += f" (items dated only to {', '.join(map(str, cover.later_months))} may be later)"
    text = f"{name}: data to {newest}"
    if cover.newest_count is not None and cover.newest_count != cover.newest:
        text += f", newest count {cover.newest_count}"
    if cover.searched_last is not None:
        text += (f"; searched {describe_span(cover.searched_first, cover.searched_last)}, "
                 f"months after {cover.searched_last:%b %Y} not searched")
    return text + "."


def coverage_lines() -> list[str]:
    """``coverage_line`` of every configured country, default first: the briefing's cover, and
    part of the run cache's key, so a chart is redrawn when only its source line changed."""
    return [coverage_line(coverage(country)) for country in paths.countries()]


def coverage_table(countries: list[str] | None = None,
                   today: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per country: newest dated item, newest count, months searched and not searched, the build
    date and the days between it and the newest item (for a notebook's first cell)."""
    today = (today or pd.Timestamp.today()).normalize()
    rows = []
    for country in countries or paths.countries():
        cover = coverage(country)
        rows.append({
            "country": _name(country),
            "newest_item": str(cover.newest) if cover.newest else None,
            "newest_count": str(cover.newest_count) if cover.newest_count else None,
            "months_searched": (f"{cover.searched_first:%b %Y} – {cover.searched_last:%b %Y}"
                                if cover.searched_last is not None else None),
            "months_not_searched": (f"after {cover.searched_last:%b %Y}"
                                    if cover.searched_last is not None else "all"),
            "build_date": f"{today:%-d %b %Y}",
            "days_since_newest_item": ((today - cover.newest.date).days
                                       if cover.newest else None),
        })
    return pd.DataFrame(rows)


def stale_warning(cover: Coverage, today: pd.Timestamp | None = None) -> str | None:
    """One line when the newest item is more than ``STALE_AFTER_DAYS`` older than ``today``
    (the build date), else None. Not for tracked files: it changes with the day."""
    today = (today or pd.Timestamp.today()).normalize()
    if cover.newest is None:
        return None
    days = (today - cover.newest.date).days
    if days <= STALE_AFTER_DAYS:
        return None
    return (f"Warning: built {today:%-d %b %Y}, but the newest {_name(cover.country)}"
            f" item is {cover.newest} ({days} days earlier); nothing after "
            f"{cover.searched_last:%b %Y} was searched, so these results are not current.")


def coverage_note(every_country: bool = False) -> pd.DataFrame:
    """A notebook's first code cell: prints the coverage line of Belarus (``every_country``:
    of every configured country) and any stale warning, and returns ``coverage_table``."""
    countries = paths.countries() if every_country else [paths.DEFAULT_COUNTRY]
    for country in countries:
        cover = coverage(country)
        print(coverage_line(cover))
        warning = stale_warning(cover)
        if warning:
            print(warning)
    return coverage_table(countries)
