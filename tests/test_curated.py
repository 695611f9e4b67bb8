"""Cleaning the curated tables: typed output, and bad rows quarantined with a reason."""

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.sources.curated import (
    clean_prisoner_counts,
    clean_release_events,
    clean_relief_events,
    date_span,
)


def test_date_span_keeps_the_precision_the_source_gave():
    start, end = date_span(pd.Series(["2024-02-10", "2024-02", "2024"]))
    assert start.dt.strftime("%Y-%m-%d").tolist() == ["2024-02-10", "2024-02-01", "2024-01-01"]
    assert end.dt.strftime("%Y-%m-%d").tolist() == ["2024-02-10", "2024-02-29", "2024-12-31"]


def test_fixture_tables_clean_without_quarantine(data_dir):
    curated = data_dir / "raw" / "belarus"
    counts = clean_prisoner_counts(curated / "prisoner_counts.csv")
    assert counts.quarantine.empty
    assert len(counts.rows) == counts.rows_in == 7
    assert counts.rows["value"].dtype == "int64"
    releases = clean_release_events(curated / "release_events.csv")
    batch = releases.rows.set_index("event_id")
    assert batch.loc["re001", ["released_political_low", "released_political_high",
                               "released_people"]].tolist() == [40, 40, 50]
    assert batch.loc["re003", ["released_political_low", "released_political_high"]].tolist() == [
        0, 3], "no stated count: zero to the batch total"
    assert not batch.loc["re002", "counts_as_release"], "alternative counts are not releases"
    relief = clean_relief_events(curated / "relief_events.csv")
    assert relief.rows["step_type"].tolist() == ["relief", "engagement"]


BAD_ROWS = [
    ("pc008,2024-13-01,day,false,,current_count,5,exact,viasna,viasna_political_prisoners,"
     "https://example.org/x,", "ref_date", "a date as YYYY-MM-DD"),
    ("pc008,2024-02-30,day,false,,current_count,5,exact,viasna,viasna_political_prisoners,"
     "https://example.org/x,", "ref_date", "a date that exists in the calendar"),
    ("pc008,2024-02-01,day,false,,current_count,5.5,exact,viasna,viasna_political_prisoners,"
     "https://example.org/x,", "value", "a whole number"),
    ("pc008,2024-02-01,day,false,,current_count,-5,exact,viasna,viasna_political_prisoners,"
     "https://example.org/x,", None, "0 or more"),
    ("pc008,2024-02-01,day,false,,current_count,5,roughly,viasna,viasna_political_prisoners,"
     "https://example.org/x,", "qualifier", "one of exact"),
    ("pc008,2024-02-01,day,false,,current_count,5,exact,viasna,viasna_political_prisoners,"
     "not-a-url,", "source_url", "a source URL"),
    ("pc008,2024-02,day,false,,current_count,5,exact,viasna,viasna_political_prisoners,"
     "https://example.org/x,", None, "date_precision that matches"),
    ("pc001,2024-02-01,day,false,,current_count,5,exact,viasna,viasna_political_prisoners,"
     "https://example.org/x,", "record_id", "field_uniqueness"),
    ("pc008,2024-02,month,false,2024-03-01,newly_recognized_in_period,5,exact,viasna,"
     "viasna_political_prisoners,https://example.org/x,", "period_start", "rule period_in_order"),
    ("pc008,2024-02-01,day,false,,current_count,999999999,exact,viasna,"
     "viasna_political_prisoners,https://example.org/x,", "value", "rule plausible_count"),
]


def test_every_copy_of_a_repeated_id_is_quarantined_whatever_the_order(data_dir):
    """Row order never decides which of two figures with one id is used."""
    path = data_dir / "raw" / "belarus" / "prisoner_counts.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    copy = lines[1].replace(",100,", ",1135,")
    for text in (lines + [copy], [lines[0], copy, *lines[1:]]):
        path.write_text("".join(text), encoding="utf-8")
        checked = clean_prisoner_counts(path)
        assert "pc001" not in checked.rows["record_id"].tolist()
        assert checked.quarantine["value"].tolist().count("pc001") == 2


def test_a_date_after_the_build_date_is_quarantined(data_dir, monkeypatch):
    path = data_dir / "raw" / "belarus" / "prisoner_counts.csv"
    monkeypatch.setenv("ANALYSIS_BUILD_DATE", "2024-03-30")
    checked = clean_prisoner_counts(path)
    late = checked.quarantine[checked.quarantine["reason"].str.contains("not_after_build_date")]
    assert sorted(late["line"].unique().tolist()) == [6, 7]
    monkeypatch.setenv("ANALYSIS_BUILD_DATE", "2024-03-31")
    assert clean_prisoner_counts(path).quarantine.empty


@pytest.mark.parametrize(("row", "column", "reason"), BAD_ROWS)
def test_a_bad_row_is_quarantined_with_line_column_and_reason(data_dir, row, column, reason):
    path = data_dir / "raw" / "belarus" / "prisoner_counts.csv"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    checked = clean_prisoner_counts(path)
    assert checked.rows_in == 8
    assert len(checked.rows) + checked.quarantine["line"].nunique() == checked.rows_in
    assert 9 in checked.quarantine["line"].tolist()
    first = checked.quarantine[checked.quarantine["line"] == 9].iloc[0]
    assert first["file"].endswith("prisoner_counts.csv")
    if column is not None:
        assert first["column"] == column
    assert reason in first["reason"]
    assert "pc008" not in checked.rows["record_id"].tolist() or column == "record_id"


def test_a_row_with_too_many_fields_is_quarantined(data_dir):
    path = data_dir / "raw" / "belarus" / "relief_events.csv"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("rl003,2024-04-01,day,false,a,US,relief,licence,x,y,,,https://e.org,,extra\n")
    checked = clean_relief_events(path)
    assert len(checked.rows) == 2
    assert checked.quarantine["reason"].iloc[0].startswith("expected 14 fields")


def test_a_file_with_a_missing_column_stops_with_file_and_column(data_dir):
    path = data_dir / "raw" / "belarus" / "release_events.csv"
    frame = pd.read_csv(path, dtype=str).drop(columns=["released_total"])
    frame.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"release_events\.csv, line 1, column 'released_total'"):
        clean_release_events(path)
