"""The conflict-resolution rule: which figure wins, and the report of every conflict."""

import pandas as pd

from analysis.derive.resolve import ALTERNATIVE_RULE, DEFAULT_RULE, choose_counts, conflicts_report
from analysis.sources.curated import date_span


def counts(*rows):
    """Rows: (record_id, date, precision, value, qualifier, publisher)."""
    frame = pd.DataFrame(rows, columns=["record_id", "ref_date", "date_precision", "value",
                                        "qualifier", "publisher"])
    frame["metric"] = "current_count"
    frame["year_inferred"] = False
    frame["date_start"], frame["date_end"] = date_span(frame["ref_date"])
    return frame


def test_a_lower_bound_never_overrides_an_exact_value():
    table = counts(("pc1", "2024-03-31", "day", 900, "lower_bound", "viasna"),
                   ("pc2", "2024-03-31", "day", 880, "exact", "other"))
    assert choose_counts(table)["record_id"].tolist() == ["pc2"]
    report = conflicts_report(table)
    assert report[["chosen_record_id", "decided_by"]].values.tolist() == [["pc2", "qualifier"]]


def test_viasnas_own_publication_beats_a_republication():
    table = counts(("pc1", "2024-03-31", "day", 880, "exact", "republication"),
                   ("pc2", "2024-03-31", "day", 881, "exact", "viasna"))
    assert choose_counts(table)["value"].tolist() == [881]


def test_a_month_dated_count_competes_with_the_month_end_day_and_loses():
    table = counts(("pc1", "2021-03", "month", 322, "exact", "viasna"),
                   ("pc2", "2021-03-31", "day", 325, "exact", "viasna"))
    assert choose_counts(table)["value"].tolist() == [325]
    assert conflicts_report(table)["decided_by"].tolist() == ["precision"]


def test_agreeing_figures_are_not_a_conflict_and_ties_are_reported():
    agreeing = counts(("pc1", "2021-10-31", "day", 831, "exact", "viasna"),
                      ("pc2", "2021-10-31", "day", 831, "exact", "other"))
    assert conflicts_report(agreeing).empty
    tied = counts(("pc2", "2022-01-27", "day", 1007, "exact", "other"),
                  ("pc1", "2022-01-27", "day", 1000, "exact", "other"))
    report = conflicts_report(tied)
    assert report["chosen_record_id"].tolist() == ["pc1"]
    assert report["decided_by"].str.startswith("tie").all()


def test_the_alternative_rule_puts_the_publisher_first():
    table = counts(("pc1", "2024-03-31", "day", 900, "approx", "viasna"),
                   ("pc2", "2024-03-31", "day", 880, "exact", "other"))
    assert choose_counts(table, DEFAULT_RULE)["value"].tolist() == [880]
    assert choose_counts(table, ALTERNATIVE_RULE)["value"].tolist() == [900]
