"""One person, one step, gaps as gaps: the counting rules of ``analysis.counting`` and
the panel columns that follow them."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import analysis
from analysis import io, paths
from analysis.counting import duplicate_steps, freed_once
from analysis.derive.panel import EVENT_COUNTS, blank_uncovered
from analysis.sources.curated import read_series_coverage


def test_a_person_returned_to_prison_is_counted_once_and_political_is_a_bracket():
    """
    released_total  political  people_not_freed -> people  low  high
    52              40         1                -> 51      39   40
    2               <NA>       0                -> 2       0    2
    """
    releases = pd.DataFrame({
        "released_total": [52, 2],
        "released_political_prisoners": pd.array([40, None], dtype="Int64"),
        "people_not_freed": [1, 0],
    })
    counted = freed_once(releases)
    expected = pd.DataFrame({"released_people": [51, 2], "released_political_low": [39, 0],
                             "released_political_high": [40, 2]})
    assert_frame_equal(counted[list(expected.columns)], expected)


def _steps(rows):
    return pd.DataFrame(rows, columns=["step_id", "source_table", "jurisdiction", "step_kind",
                                       "date_start", "date_precision", "is_primary",
                                       "duplicate_of"]).assign(
        date_start=lambda f: pd.to_datetime(f["date_start"]),
        duplicate_of=lambda f: f["duplicate_of"].astype("string"))


def test_a_delisting_and_its_licence_on_one_day_are_one_step():
    """sm2 (licence) repeats sm1 (delisting) of the same day; rl1 repeats sm1 two days later;
    sm3 is another jurisdiction's step the same day and stays a step of its own."""
    timeline = _steps([
        ("sm1", "sanctions_measures", "US", "relief", "2025-11-04", "day", True, None),
        ("sm2", "sanctions_measures", "US", "relief", "2025-11-04", "day", True, None),
        ("sm3", "sanctions_measures", "EU", "relief", "2025-11-04", "day", True, None),
        ("rl1", "relief_events", "US", "relief", "2025-11-06", "day", True, None),
    ])
    assert duplicate_steps(timeline).tolist() == [pd.NA, "sm1", pd.NA, "sm1"]


def test_shipped_statkevich_and_belavia_are_counted_once(shipped_data_dir):
    releases = analysis.load("release_events").set_index("event_id")
    assert releases.loc["re029", "released_people"] == releases.loc["re029", "released_total"] - 1
    assert releases.loc["re029", "freed_later_in"] == "re035"
    timeline = analysis.load("sanctions_timeline").set_index("step_id")
    november = timeline[(timeline["date_start"] == "2025-11-04") & timeline["counts_in_panel"]
                        & (timeline["step_kind"] == "relief")]
    assert len(november) == 1, november


def test_event_counts_are_missing_outside_the_months_searched():
    panel = pd.DataFrame({"month": pd.to_datetime(["2020-08-01", "2020-09-01", "2026-04-01"]),
                          **{column: pd.array([0, 0, 0], dtype="Int64")
                             for column in EVENT_COUNTS}})
    coverage = {table: (pd.Timestamp("2020-09-01"), pd.Timestamp("2026-03-01"))
                for table in set(EVENT_COUNTS.values())}
    blanked = blank_uncovered(panel, coverage)
    assert blanked["sanctions_packages"].isna().tolist() == [True, False, True]
    assert blanked["released_people"].isna().tolist() == [True, False, True]


@pytest.mark.parametrize("country", paths.countries())
def test_every_curated_table_declares_the_months_it_searched(country):
    """Every country's tables that the monthly panel counts, so no panel counts a month nobody
    searched as zero; a table that declares no months (Belarus's sentence facts, read only by
    the exit-time prior) never reaches the panel and says why in its coverage note."""
    folder = paths.country_dir(country)
    coverage = read_series_coverage(folder)
    counted = set(EVENT_COUNTS.values()) | {"prisoner_counts"}
    tables = {path.stem for path in folder.glob("*.csv")}
    assert tables & counted <= set(coverage)
    for table in tables - set(coverage):
        assert table not in counted
        note = io.read_yaml(folder / f"{table}.meta.yml", "table notes")["coverage"]["note"]
        assert "No months_searched block on purpose" in note, table
    for first, last in coverage.values():
        assert first <= last


def test_panel_keeps_political_prisoners_and_all_people_apart(shipped_data_dir):
    panel = analysis.load("panel_monthly")
    assert (panel["released_political_low"] <= panel["released_political_high"]).all()
    assert (panel["released_political_high"] <= panel["released_people"]).all()
    december = panel.set_index("month").loc["2025-12-01"]
    assert december["released_political_low"] < december["released_people"]


def test_a_build_leaves_months_outside_the_search_missing(data_dir):
    """A release table whose research searched only from Jan 2021: the panel's release counts
    are missing before then, zero in searched months without a batch."""
    (data_dir / "raw" / "belarus" / "release_events.meta.yml").write_text(
        "coverage:\n  months_searched:\n    first: 2021-01\n    last: 2024-03\n")
    panel = analysis.load("panel_monthly").set_index("month")
    assert panel.loc[:"2020-12-01", "released_people"].isna().all()
    assert panel.loc["2021-01-01", "released_people"] == 0
    assert panel.loc[:"2020-12-01", "sanctions_packages"].notna().all(), "other tables unaffected"
