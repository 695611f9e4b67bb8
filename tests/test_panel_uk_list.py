"""The panel's UK designations once ``fetch-lists`` has brought a UK Sanctions List: the best
date per designation from it and the archived ConList. Both lists here are FIXTURES
(tests/fixtures/lists/uk_sanctions_list.csv and ofsi_conlist.csv, hand-written, made-up names),
placed where a fetch and the shared folder would put them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pandas as pd

import analysis
from analysis.derive.designations import coverage_table, date_basis_table, designations_monthly

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"


def place_conlist(data_dir: Path) -> None:
    """The ConList fixture as the xlsx the build reads from the shared folder."""
    folder = data_dir.parent / "no-shared" / "official_lists" / "uk_ofsi_conlist_2025-04-10"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    with open(LISTS / "ofsi_conlist.csv", encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            book.active.append(row)
    book.save(folder / "ConList.xlsx")


def place_uk_list(data_dir: Path, day: str = "2026-06-24") -> Path:
    folder = data_dir / "raw" / "lists" / day
    folder.mkdir(parents=True)
    return Path(shutil.copy(LISTS / "uk_sanctions_list.csv", folder / "UK-Sanctions-List.csv"))


def uk_rows() -> dict[str, dict]:
    designations = analysis.load("sanctions_designations")
    uk = designations[designations["jurisdiction"] == "UK"]
    return {row["record_id"]: row for row in uk.to_dict("records")}


def uk_monthly() -> pd.Series:
    """UK counts over months past the fixture panel's end (March 2024)."""
    months = pd.date_range("2020-09-01", "2026-08-01", freq="MS")
    table = designations_monthly(analysis.load("sanctions_designations"), months)
    return table.set_index("month")["designations_uk"]


def test_best_date_per_designation_with_both_lists(data_dir: Path) -> None:
    place_conlist(data_dir)
    place_uk_list(data_dir)
    rows = uk_rows()
    assert set(rows) == {"BEL9001", "BEL9002", "GHR9004", "BEL9004", "BEL9005", "RUS9006"}
    dates = {key: (row["listed_on"], row["listed_on_basis"], row["counts_as_designation"])
             for key, row in rows.items()}
    assert dates == {
        "BEL9001": (pd.Timestamp("2020-11-06"), "official_listing_date", True),
        "BEL9002": (pd.Timestamp("2021-08-09"), "uk_designation_date", True),
        "GHR9004": (pd.Timestamp("2020-09-29"), "uk_designation_date", True),
        "BEL9004": (pd.Timestamp("2020-10-05"), "official_listing_date", False),
        "BEL9005": (pd.Timestamp("2026-03-12"), "uk_designation_date", True),
        "RUS9006": (pd.Timestamp("2026-02-20"), "uk_designation_date", True),
    }
    assert rows["BEL9001"]["list_file"].endswith("2026-06-24/UK-Sanctions-List.csv")
    panel = analysis.load("panel_monthly").set_index("month")["designations_uk"]
    assert panel[pd.Timestamp("2020-09-01")] == 1, "GHR9004; BEL9004 is the same person"
    assert panel[pd.Timestamp("2020-10-01")] == 0
    assert panel[pd.Timestamp("2020-11-01")] == 1
    assert panel[pd.Timestamp("2021-08-01")] == 1
    monthly = uk_monthly()
    assert monthly.loc["2025-04-01":"2026-05-01"].notna().all(), "covered past ConList's end"
    assert monthly.loc["2026-06-01":].isna().all(), "not past the list's report date"
    assert (monthly["2026-02-01"], monthly["2026-03-01"]) == (1, 1)


def test_conlist_alone_is_read_as_before(data_dir: Path) -> None:
    place_conlist(data_dir)
    rows = uk_rows()
    assert set(rows) == {"90001", "90002", "90004"}
    assert rows["90004"]["listed_on"] == pd.Timestamp("2020-10-05")
    monthly = uk_monthly()
    assert monthly.loc[:"2025-03-01"].notna().all() and monthly.loc["2025-04-01":].isna().all()
    table = coverage_table().set_index("list_copy")
    fetched = table[table["jurisdiction"].eq("UK") & ~table["available_here"]]
    assert len(fetched) == 1 and pd.isna(fetched["covers_to"].iloc[0])


def test_uk_list_alone_keeps_its_own_dates(data_dir: Path) -> None:
    place_uk_list(data_dir)
    rows = uk_rows()
    assert rows["BEL9001"]["listed_on"] == pd.Timestamp("2020-12-31")
    assert rows["BEL9001"]["listed_on_basis"] == "uk_designation_date"
    table = coverage_table()
    uk = table[table["jurisdiction"].eq("UK") & table["available_here"]]
    assert uk["covers_to"].tolist() == [pd.Timestamp("2026-05-01")], "month before 24 Jun 2026"


def test_the_latest_fetch_is_used(data_dir: Path) -> None:
    place_uk_list(data_dir)
    newer = place_uk_list(data_dir, "2026-07-01")
    newer.write_text(newer.read_text(encoding="utf-8").replace("BEL9005", "BEL9007"),
                     encoding="utf-8")
    assert "BEL9007" in uk_rows()


def test_date_basis_table_says_where_the_uk_dates_come_from(data_dir: Path) -> None:
    place_conlist(data_dir)
    place_uk_list(data_dir)
    table = date_basis_table(analysis.load("sanctions_designations"))
    uk = table[table["jurisdiction"] == "UK"].set_index("listed_on_basis")
    assert uk["rows"].to_dict() == {"official_listing_date": 2, "uk_designation_date": 4}
    assert uk["counted"].to_dict() == {"official_listing_date": 1, "uk_designation_date": 4}


def test_without_a_report_date_the_fetch_date_ends_the_coverage(data_dir: Path) -> None:
    path = place_uk_list(data_dir, "2026-07-03")
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    table = coverage_table()
    uk = table[table["jurisdiction"].eq("UK") & table["available_here"]]
    assert uk["covers_to"].tolist() == [pd.Timestamp("2026-06-01")]


def test_a_fetched_list_is_an_input_and_a_source_only_once_fetched(data_dir: Path) -> None:
    from analysis.derive.designations import list_copy_paths
    from analysis.style import source_line

    assert not [path for path in list_copy_paths() if path.name == "UK-Sanctions-List.csv"]
    assert "UK Sanctions List" not in source_line(["panel_monthly"])
    analysis.load("panel_monthly")
    path = place_uk_list(data_dir)
    assert path in list_copy_paths()
    assert "FCDO UK Sanctions List" in source_line(["panel_monthly"])
    assert "panel_monthly" in analysis.store.stale(), "a new fetch makes the panel stale"
