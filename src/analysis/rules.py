"""Rules across rows and columns, declared beside each raw schema and checked on every build.

A column check sees one value; these rules see the row and the table: a period starts on or
before its end, a part is no larger than its whole, a reference names a row that is kept, a
date is not after the build date, and a count lies in the range plausible for what it counts.
Each rule gives the rows that break it; ``analysis.validate`` quarantines them with file,
line, column and the rule's name, so an edit that breaks one is refused out loud.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

BUILD_DATE_VARIABLE = "ANALYSIS_BUILD_DATE"
"""Set to YYYY-MM-DD to build as if on that day (tests); unset, the build date is today."""

PLAUSIBLE_RANGES: dict[str, tuple[int, int]] = {
    # prisoner_counts.metric: political prisoners held, or flows within one period
    "current_count": (0, 50_000),
    "newly_recognized_in_period": (0, 10_000),
    "released_in_period": (0, 10_000),
    "released_by_pardon_in_period": (0, 10_000),
    "net_change_in_period": (-10_000, 10_000),
    # cumulative totals over years
    "recognized_total_since_2020": (0, 100_000),
    "released_total_since_2020": (0, 100_000),
    "released_total_pardon_since_2020": (0, 100_000),
    "released_total_pardon_since_2024-07": (0, 100_000),
    # release_events: people freed in one batch
    "released_total": (0, 20_000),
    "released_political_prisoners": (0, 10_000),
    # sanctions_measures: targets listed by one measure, or the cumulative stock
    "individuals_listed": (0, 50_000),
    "entities_listed": (0, 50_000),
}
"""Persons (or targets) a figure can plausibly hold, by metric or column. Generous on purpose:
counts in other countries run to a few thousand (and a post-coup count of people detained past
twenty thousand) and cumulative totals to some thirty thousand; the ranges stop typing slips
(an extra digit, a pasted phone number), not surprising figures."""

DEFAULT_RANGE = (0, 100_000)
"""For a metric not (yet) in ``PLAUSIBLE_RANGES``: an added metric is still checked."""


def build_date() -> pd.Timestamp:
    """The day a build runs on; ``ANALYSIS_BUILD_DATE`` pins it for tests."""
    pinned = os.environ.get(BUILD_DATE_VARIABLE)
    return pd.Timestamp(pinned if pinned else date.today())


@dataclass(frozen=True)
class Rule:
    """A rule over a raw table: ``failing(rows)`` marks the rows (text, as read) that break it.

    ``column`` is the cell a quarantine row points to; ``error`` completes "expected ...".
    Rules see only rows whose every value passed its column checks, so values are well formed.
    """

    name: str
    column: str
    error: str
    failing: Callable[[pd.DataFrame], np.ndarray]
    is_reference: bool = False
    sibling: tuple[str, str] | None = None
    """(table, key) of the table in the same folder that a cross-table reference names."""

    @property
    def reason(self) -> str:
        return f"{self.error} (rule {self.name})"


def _span(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """First and last day each YYYY, YYYY-MM or YYYY-MM-DD value covers (NaT where empty);
    worked out once per distinct value."""
    codes, distinct = pd.factorize(text)
    distinct = pd.Series(distinct, dtype="str")
    lengths = distinct.str.len()
    padded = distinct.where(lengths != 4, distinct + "-01-01").where(lengths != 7,
                                                                      distinct + "-01")
    first = pd.to_datetime(padded.where(padded != ""), format="%Y-%m-%d")
    last = first.copy()
    last[lengths == 7] = first[lengths == 7] + pd.offsets.MonthEnd(0)
    last[lengths == 4] = first[lengths == 4] + pd.offsets.YearEnd(0)
    missing = np.datetime64("NaT", "ns")
    first, last = (np.append(days.to_numpy(dtype="datetime64[ns]"), missing)[codes]
                   for days in (first, last))
    return first, last


def _first_day(text: pd.Series) -> np.ndarray:
    return _span(text)[0]


def _last_day(text: pd.Series) -> np.ndarray:
    return _span(text)[1]


def _number(text: pd.Series) -> np.ndarray:
    """Whole numbers the column checks passed, as floats (NaN where empty), parsed by pyarrow."""
    values = pa.array(text.array) if not isinstance(text.array, pd.arrays.ArrowStringArray) \
        else text.array.__arrow_array__()
    values = pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)
    return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)


def period_in_order(start: str, end: str) -> Rule:
    """A period's stated first day is on or before the last day its end date covers."""
    def failing(rows: pd.DataFrame) -> np.ndarray:
        return _first_day(rows[start]) > _last_day(rows[end])

    return Rule("period_in_order", start, f"{start} on or before {end}", failing)


def part_within_whole(part: str, whole: str) -> Rule:
    """A subset count (political prisoners among those freed) is no larger than the whole."""
    def failing(rows: pd.DataFrame) -> np.ndarray:
        return _number(rows[part]) > _number(rows[whole])

    return Rule("part_within_whole", part, f"{part} no larger than {whole}", failing)


def reference_exists(column: str, key: str) -> Rule:
    """A reference names the id of a row of the same table that is kept."""
    def failing(rows: pd.DataFrame) -> np.ndarray:
        return ((rows[column] != "") & ~rows[column].isin(rows[key])).to_numpy(dtype=bool)

    return Rule("reference_exists", column, f"{column} naming the {key} of a row kept from "
                "this file", failing, is_reference=True)


def reference_in_table(column: str, table: str, key: str) -> Rule:
    """A reference to a row of another table of the same country names an id that table holds;
    ``with_sibling_ids`` gives it the ids when the file is read."""
    return Rule("reference_in_table", column, f"{column} naming the {key} of a row of "
                f"{table}.csv", lambda rows: np.zeros(len(rows), dtype=bool),
                sibling=(table, key))


def with_sibling_ids(rule: Rule, ids: set[str]) -> Rule:
    def failing(rows: pd.DataFrame) -> np.ndarray:
        return ((rows[rule.column] != "") & ~rows[rule.column].isin(ids)).to_numpy(dtype=bool)

    return replace(rule, failing=failing)


def not_after_build_date(column: str) -> Rule:
    """A figure cannot refer to a day after the build: its first possible day is not later."""
    def failing(rows: pd.DataFrame) -> np.ndarray:
        return _first_day(rows[column]) > build_date().to_datetime64()

    return Rule("not_after_build_date", column, f"{column} not after the build date", failing)


def plausible_count(column: str, by: str | None = None) -> Rule:
    """A count within ``PLAUSIBLE_RANGES`` of its metric (column ``by``), or of its column."""
    def failing(rows: pd.DataFrame) -> np.ndarray:
        value = _number(rows[column])
        if by is None:
            low, high = PLAUSIBLE_RANGES.get(column, DEFAULT_RANGE)
        else:
            codes, keys = pd.factorize(rows[by])
            bounds = np.array([PLAUSIBLE_RANGES.get(key, DEFAULT_RANGE) for key in keys]
                              or [DEFAULT_RANGE], dtype="float64")
            low, high = bounds[codes, 0], bounds[codes, 1]
        return (value < low) | (value > high)

    where = f"the plausible range for its {by}" if by else "its plausible range"
    return Rule("plausible_count", column, f"{column} within {where} "
                "(analysis.rules.PLAUSIBLE_RANGES)", failing)


def rule_failures(rows: pd.DataFrame, rules: list[Rule]) -> list[tuple[np.ndarray, Rule]]:
    """Row positions of ``rows`` breaking each rule.

    A reference must name a kept row, so references are checked after the other rules and
    again after every round that sets rows aside, until no more fail.
    """
    found: list[tuple[np.ndarray, Rule]] = []
    kept = np.ones(len(rows), dtype=bool)
    for rule in (rule for rule in rules if not rule.is_reference):
        failing = np.flatnonzero(rule.failing(rows))
        found.append((failing, rule))
        kept[failing] = False
    references = [rule for rule in rules if rule.is_reference]
    while references:
        subset = rows[kept]
        newly = [(np.flatnonzero(kept)[rule.failing(subset)], rule) for rule in references]
        newly = [(at, rule) for at, rule in newly if len(at)]
        if not newly:
            break
        for at, rule in newly:
            found.append((at, rule))
            kept[at] = False
    return [(at, rule) for at, rule in found if len(at)]
