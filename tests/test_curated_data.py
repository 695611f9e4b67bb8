"""Checks on the shipped curated tables that no single-row schema rule can make: dates the
sources do not give, and sources without a URL."""

import re

import pandas as pd
import pytest

from analysis import paths

CURATED = paths.REPO_DIR / "data" / "raw" / "belarus"
DATE_COLUMN = {"release_events": "event_date", "relief_events": "event_date",
               "sanctions_measures": "measure_date", "prisoner_counts": "ref_date"}
REFERENCES = ("alt_of", "same_step_as", "linked_release_event", "freed_later_in")
NO_DAY_IN_SOURCE = re.compile(r"no exact (july |)(day|date)|date of re\d+ is used|dated with "
                              r"(gl|the)", re.IGNORECASE)
"""Curators' words for a day the source does not give."""


def _tables() -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(CURATED / f"{name}.csv", dtype=str, keep_default_na=False)
            for name in DATE_COLUMN}


def _dates_by_id(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    dates = {}
    for name, table in tables.items():
        dates.update(zip(table.iloc[:, 0], table[DATE_COLUMN[name]], strict=True))
    return dates


@pytest.mark.parametrize("name", list(DATE_COLUMN))
def test_no_day_is_borrowed_from_another_row(name):
    """A day-dated row whose date was inferred must not carry the exact day of a row it
    refers to (re012 once took re009's day, rl011 the day of GL 11), and no day-dated row may
    say its source gives no day."""
    tables = _tables()
    dates = _dates_by_id(tables)
    table = tables[name]
    borrowed = []
    for row in table.to_dict("records"):
        if row["date_precision"] != "day":
            continue
        date = row[DATE_COLUMN[name]]
        referenced = [row[column] for column in REFERENCES if row.get(column)]
        if row["year_inferred"] == "true" and any(dates.get(ref) == date for ref in referenced):
            borrowed.append((row[table.columns[0]], "inferred and equal to " + str(referenced)))
        if NO_DAY_IN_SOURCE.search(row["notes"]):
            borrowed.append((row[table.columns[0]], "notes say the source gives no day"))
    assert not borrowed, borrowed


def test_a_row_without_url_carries_a_citation():
    for name, table in _tables().items():
        cited = table[~table["source_url"].str.startswith(("http://", "https://"))]
        assert cited["source_url"].str.match(r"^cite: \S").all(), (name, cited)


def test_the_wire_story_count_is_kept_with_its_citation():
    counts = _tables()["prisoner_counts"].set_index("record_id")
    assert counts.loc["pc184", "source_url"].startswith("cite: Reuters")
    assert counts.loc["pc184", "value"] == counts.loc["pc186", "value"]
