"""The curated tables compiled from sourced research (``data/raw/<country>/``).

One cleaner per table: read the CSV as text, validate it against its raw schema (failing rows
are quarantined with file, line, column and reason), then convert the passing rows to types.
Dates keep the precision the source gave: ``date_start`` and ``date_end`` span the day, month
or year a figure refers to, so nothing downstream pretends to know more than the source said.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import paths, schemas
from analysis.counting import freed_once
from analysis.io import LINE, read_yaml
from analysis.validate import Checked, conform, is_increasing, read_and_check


def date_span(text: pd.Series, period_start: pd.Series | None = None
              ) -> tuple[pd.Series, pd.Series]:
    """First and last day a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` value can refer to.

    Worked out once per distinct value: a million rows hold only a few thousand dates.
    """
    codes, distinct = pd.factorize(text)
    first, last = _span_of_distinct(pd.Series(distinct, dtype="str"))
    start = pd.Series(first[codes], index=text.index)
    end = pd.Series(last[codes], index=text.index)
    if period_start is not None:
        stated = period_start != ""
        start[stated] = pd.to_datetime(period_start[stated], format="%Y-%m-%d")
    return start, end


def _span_of_distinct(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    padded = text.where(text.str.len() != 4, text + "-01").where(
        text.str.len() == 10, lambda s: s.str.slice(0, 7) + "-01"
    )
    start = pd.to_datetime(padded, format="%Y-%m-%d").astype("datetime64[ns]")
    lengths = text.str.len()
    end = start.copy()
    is_month = lengths == 7
    is_year = lengths == 4
    end[is_month] = start[is_month] + pd.offsets.MonthEnd(0)
    end[is_year] = start[is_year] + pd.offsets.YearEnd(0)
    return start.to_numpy(), end.to_numpy()


def _flag(column: pd.Series) -> pd.Series:
    return column == "true"


def _count(column: pd.Series) -> pd.Series:
    """Whole numbers the raw schema has checked, parsed by pyarrow: pandas would make a Python
    object of each value first, slow and large on a big table."""
    return pd.Series(pc.cast(pa.array(column.array), pa.int64()).to_numpy(), index=column.index)


def _optional_count(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column.replace("", None)).astype("Int64")


def _optional_text(column: pd.Series) -> pd.Series:
    return column.replace("", None)


def _dated(rows: pd.DataFrame, key: str, date_column: str,
           period_start: pd.Series | None = None) -> dict[str, pd.Series]:
    """The id and date columns every curated table shares, with the span the date covers."""
    start, end = date_span(rows[date_column], period_start)
    return {
        key: rows[key],
        date_column: rows[date_column],
        "date_precision": rows["date_precision"],
        "year_inferred": _flag(rows["year_inferred"]),
        "date_start": start,
        "date_end": end,
    }


def _sourced(rows: pd.DataFrame) -> dict[str, pd.Series]:
    """Where each row comes from: its page, the curators' notes, its line in the raw file."""
    return {
        "source_url": rows["source_url"],
        "notes": rows["notes"],
        "source_line": rows[LINE].astype("int64"),
    }


def _finish(checked: Checked, typed: pd.DataFrame, schema, key: str) -> Checked:
    """Rows in key order, checked against the processed schema. A file already in key order
    (the usual case) is not copied to sort it; the cleaners build ``typed`` with copy=False for
    the same reason, as pandas would otherwise copy same-typed columns into one block."""
    if not is_increasing(typed[key]):
        typed = typed.take(typed[key].argsort(kind="stable").to_numpy())
    return Checked(conform(typed.reset_index(drop=True), schema, key), checked.quarantine,
                   checked.rows_in)


def read_series_coverage(folder: Path | None = None) -> dict[str, tuple[pd.Timestamp,
                                                                        pd.Timestamp]]:
    """First and last month each curated table's research covers, from the ``coverage``
    block of its ``.meta.yml`` (``months_searched: {first: YYYY-MM, last: YYYY-MM}``): the
    months in which finding no event means zero events. A table without one declares
    nothing, so nothing is blanked for it. ``panel_monthly`` lists these files among its
    inputs, so an edited ``months_searched`` rebuilds it."""
    folder = folder or paths.country_dir()
    coverage = {}
    for meta in sorted(folder.glob("*.meta.yml")):
        parsed = read_yaml(meta, "the table's description (columns, coverage, sources)")
        searched = (((parsed if isinstance(parsed, dict) else {}).get("coverage") or {})
                    .get("months_searched"))
        if searched:
            coverage[meta.name.removesuffix(".meta.yml")] = (
                pd.Timestamp(str(searched["first"])),
                pd.Timestamp(str(searched["last"])) + pd.offsets.MonthBegin(0))
    return coverage


def clean_prisoner_counts(path: Path) -> Checked:
    checked = read_and_check(path, schemas.prisoner_counts_raw(), "prisoner_counts")
    rows = checked.rows
    typed = pd.DataFrame({
        **_dated(rows, "record_id", "ref_date", rows["period_start"]),
        "metric": rows["metric"],
        "value": _count(rows["value"]),
        "qualifier": rows["qualifier"],
        "publisher": rows["publisher"],
        "counts_scope": rows["counts_scope"],
        **_sourced(rows),
    }, copy=False)
    return _finish(checked, typed, schemas.prisoner_counts(), "record_id")


def clean_sentences(path: Path) -> Checked:
    """Sentence facts (``sentences.csv``): values are persons, years, shares or days by metric,
    so they are read as decimals; ``out_of`` is the group a count is part of."""
    checked = read_and_check(path, schemas.SENTENCES_RAW, "sentences")
    rows = checked.rows
    typed = pd.DataFrame({
        **_dated(rows, "record_id", "ref_date", rows["period_start"]),
        "metric": rows["metric"],
        "value": pd.to_numeric(rows["value"]).astype("float64"),
        "out_of": _optional_count(rows["out_of"]),
        "qualifier": rows["qualifier"],
        **_sourced(rows),
    }, copy=False)
    return _finish(checked, typed, schemas.SENTENCES, "record_id")


def clean_release_events(path: Path) -> Checked:
    """Release batches; the columns of ``counting.freed_once`` count each person once
    (political prisoners as a low-high bracket, all people freed apart), and ``counts_as_release``
    excludes alternative counts of an event already listed and pre-trial transfers to house
    arrest."""
    checked = read_and_check(path, schemas.RELEASE_EVENTS_RAW, "release_events")
    rows = checked.rows
    political = _optional_count(rows["released_political_prisoners"])
    total = _count(rows["released_total"])
    typed = pd.DataFrame({
        **_dated(rows, "event_id", "event_date"),
        "released_total": total,
        "released_political_prisoners": political,
        "row_role": rows["row_role"],
        "alt_of": _optional_text(rows["alt_of"]),
        "event_type": rows["event_type"],
        "counts_as_release": (rows["row_role"] == "primary")
        & (rows["event_type"] != "house_arrest"),
        "destination": rows["destination"],
        "mechanism": rows["mechanism"],
        "counterpart": rows["counterpart"],
        "concession": rows["concession"],
        "has_stated_concession": _flag(rows["has_stated_concession"]),
        "people_named": rows["people_named"],
        "people_not_freed": _optional_count(rows["people_not_freed"]).fillna(0).astype("int64"),
        "freed_later_in": _optional_text(rows["freed_later_in"]),
        **_sourced(rows),
    }, copy=False)
    return _finish(checked, freed_once(typed), schemas.RELEASE_EVENTS, "event_id")


def clean_relief_events(path: Path) -> Checked:
    checked = read_and_check(path, schemas.RELIEF_EVENTS_RAW, "relief_events")
    rows = checked.rows
    typed = pd.DataFrame({
        **_dated(rows, "event_id", "event_date"),
        "actor": rows["actor"],
        "jurisdiction": rows["jurisdiction"],
        "step_type": rows["step_type"],
        "relief_instrument": _optional_text(rows["relief_instrument"]),
        "action": rows["action"],
        "target": rows["target"],
        "linked_release_event": _optional_text(rows["linked_release_event"]),
        "same_step_as": _optional_text(rows["same_step_as"]),
        **_sourced(rows),
    }, copy=False)
    return _finish(checked, typed, schemas.RELIEF_EVENTS, "event_id")


STEP_KIND = {"designation": "escalation", "sectoral": "escalation", "aviation": "escalation",
             "relief_delisting": "relief", "relief_license": "relief",
             "relief_suspension": "relief", "other": "renewal"}
"""Measure types as steps: new listings and restrictions escalate, relief eases, and renewals
(``other``) only extend what exists."""


def clean_sanctions_measures(path: Path) -> Checked:
    checked = read_and_check(path, schemas.SANCTIONS_MEASURES_RAW, "sanctions_measures")
    rows = checked.rows
    typed = pd.DataFrame({
        **_dated(rows, "measure_id", "measure_date"),
        "jurisdiction": rows["jurisdiction"],
        "instrument": rows["instrument"],
        "measure_type": rows["measure_type"],
        "step_kind": rows["measure_type"].map(STEP_KIND),
        "individuals_listed": _optional_count(rows["individuals_listed"]),
        "entities_listed": _optional_count(rows["entities_listed"]),
        "counts_are_stock": _flag(rows["counts_are_stock"]),
        "row_role": rows["row_role"],
        "alt_of": _optional_text(rows["alt_of"]),
        "same_step_as": _optional_text(rows["same_step_as"]),
        "verified": _flag(rows["verified"]),
        "description": rows["description"],
        **_sourced(rows),
    }, copy=False)
    return _finish(checked, typed, schemas.SANCTIONS_MEASURES, "measure_id")
