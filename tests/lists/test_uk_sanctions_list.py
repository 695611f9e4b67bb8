"""The FCDO UK Sanctions List reader, on FIXTURES: no real copy of the list is here, so
tests/fixtures/lists/uk_sanctions_list.{csv,xml} are hand-written from the published layout
described in ../shared/official_lists/README.md, with made-up names. They carry what real files
have: a title line above the CSV header, several name rows per designation, several regimes, a
non-Latin name, ``|``-joined measures, blank trailing fields and a statement spanning two lines.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.lists import LIST_COLUMNS, detect_format, read_sanctions_list
from analysis.lists.uksl import (
    BELARUS_REGIME,
    GROUP_ID,
    best_uk_dates,
    read_report_date,
    read_uk_sanctions_list,
)

NAMES = ("uk_sanctions_list.csv", "uk_sanctions_list.xml")


def by_id(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["record_id"]: row for row in frame.to_dict("records")}


@pytest.mark.parametrize(("name", "expected"), [(NAMES[0], "uk_sl_csv"), (NAMES[1], "uk_sl_xml")])
def test_fixture_formats_are_detected(list_fixtures: Path, name: str, expected: str) -> None:
    assert detect_format(list_fixtures / name) == expected
    frame = read_sanctions_list(list_fixtures / name)
    assert list(frame.columns) == LIST_COLUMNS
    assert (frame["source"] == f"{expected}:{name}").all()


def test_csv_without_title_line_is_still_the_uk_list(list_fixtures: Path, tmp_path: Path) -> None:
    text = (list_fixtures / NAMES[0]).read_text(encoding="utf-8")
    untitled = tmp_path / "list.csv"
    untitled.write_text(text.split("\n", 1)[1], encoding="utf-8")
    assert detect_format(untitled) == "uk_sl_csv", "not mistaken for ConList (also 'Last Updated')"
    assert len(read_sanctions_list(untitled)) == 7


@pytest.mark.parametrize("name", NAMES)
def test_one_row_per_unique_id(list_fixtures: Path, name: str) -> None:
    frame = read_sanctions_list(list_fixtures / name)
    targets = by_id(frame)
    assert list(targets) == ["BEL9001", "BEL9002", "RUS9003", "GHR9004", "BEL9004", "BEL9005",
                             "RUS9006"], "three name rows of BEL9001 fold into one"
    one = targets["BEL9001"]
    assert (one["name"], one["kind"], one["programmes"]) == (
        "ONE, Test Person", "person", BELARUS_REGIME)
    assert one["listed_on"] == pd.Timestamp("2020-12-31")
    assert one["listed_on_basis"] == "uk_designation_date"
    assert (targets["BEL9002"]["name"], targets["BEL9002"]["kind"]) == ("TEST ENTITY TWO",
                                                                        "entity")
    assert targets["RUS9003"]["kind"] == "vessel"
    assert frame["jurisdiction"].eq("UK").all()


@pytest.mark.parametrize("name", NAMES)
def test_belarus_by_regime_or_statement(list_fixtures: Path, name: str) -> None:
    targets = by_id(read_sanctions_list(list_fixtures / name))
    belarus = {record_id for record_id, row in targets.items() if row["belarus"]}
    # GHR9004: Global Human Rights regime, statement names the Belarusian election.
    # RUS9006: Russia regime, statement mentions Belarus in passing: the broad rule counts it.
    assert belarus == {"BEL9001", "BEL9002", "GHR9004", "BEL9004", "BEL9005", "RUS9006"}
    assert targets["GHR9004"]["listed_on"] == pd.Timestamp("2020-09-29")


def test_csv_and_xml_agree(list_fixtures: Path) -> None:
    from_csv = read_uk_sanctions_list(list_fixtures / NAMES[0], "uk_sl_csv").drop(
        columns="source")
    from_xml = read_uk_sanctions_list(list_fixtures / NAMES[1], "uk_sl_xml").drop(
        columns="source")
    pd.testing.assert_frame_equal(from_csv, from_xml)
    assert from_csv[GROUP_ID].tolist() == ["90001", "90002", "90003", "90004", "90004", pd.NA,
                                           pd.NA]


@pytest.mark.parametrize("name", NAMES)
def test_report_date(list_fixtures: Path, name: str) -> None:
    assert read_report_date(list_fixtures / name) == pd.Timestamp("2026-06-24")


def test_only_a_non_latin_name_is_used_when_there_is_no_other(tmp_path: Path,
                                                              list_fixtures: Path) -> None:
    lines = (list_fixtures / NAMES[0]).read_text(encoding="utf-8").splitlines(keepends=True)
    only_cyrillic = [line for line in lines if "BEL9001" not in line or "ТЕСТ АДИН" in line]
    path = tmp_path / "list.csv"
    path.write_text("".join(only_cyrillic), encoding="utf-8")
    assert by_id(read_sanctions_list(path))["BEL9001"]["name"] == "ТЕСТ АДИН"


def test_unknown_regime_names_file_line_and_value(tmp_path: Path, list_fixtures: Path) -> None:
    text = (list_fixtures / NAMES[0]).read_text(encoding="utf-8")
    path = tmp_path / "list.csv"
    path.write_text(text.replace("The Russia (Sanctions) (EU Exit) Regulations 2019", "Russia",
                                 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_sanctions_list(path)
    assert (caught.value.row, caught.value.column) == (8, "Regime Name")
    assert "'Russia'" in str(caught.value) and "\n" not in str(caught.value)


def test_best_date_is_the_earlier_stated_one(list_fixtures: Path) -> None:
    """ConList (fixture) Group IDs 90001-90004 link to the UK list's OFSI Group IDs."""
    conlist = read_sanctions_list(list_fixtures / "ofsi_conlist.csv")
    uk_list = read_uk_sanctions_list(list_fixtures / NAMES[0], "uk_sl_csv")
    best = best_uk_dates(conlist, uk_list)
    targets = by_id(best)
    assert list(best.columns) == [*LIST_COLUMNS, GROUP_ID]
    # 31/12/2020 under UK law; ConList's Listed On gives the original 06/11/2020.
    assert (targets["BEL9001"]["listed_on"], targets["BEL9001"]["listed_on_basis"]) == (
        pd.Timestamp("2020-11-06"), "official_listing_date")
    # GHR9004's own date (29/09/2020) is earlier than the ConList group's Belarus date.
    assert (targets["GHR9004"]["listed_on"], targets["GHR9004"]["listed_on_basis"]) == (
        pd.Timestamp("2020-09-29"), "uk_designation_date")
    assert targets["BEL9004"]["listed_on"] == pd.Timestamp("2020-10-05")
    # No OFSI Group ID (listed after ConList's retirement): its own date.
    assert (targets["BEL9005"]["listed_on"], targets["BEL9005"]["listed_on_basis"]) == (
        pd.Timestamp("2026-03-12"), "uk_designation_date")
    assert targets["BEL9001"]["source"].startswith("uk_sl_csv:")
    assert len(best) == 7, "every ConList group is linked, none added"


def test_conlist_groups_without_a_uk_list_designation_are_kept(list_fixtures: Path) -> None:
    conlist = read_sanctions_list(list_fixtures / "ofsi_conlist.csv")
    uk_list = read_uk_sanctions_list(list_fixtures / NAMES[0], "uk_sl_csv")
    best = best_uk_dates(conlist, uk_list[uk_list[GROUP_ID] != "90002"])
    kept = by_id(best)["90002"]
    assert kept["source"] == "ofsi_csv:ofsi_conlist.csv"
    assert kept[GROUP_ID] == "90002"
    assert kept["listed_on"] == pd.Timestamp("2021-08-09")


def test_no_report_date_without_a_title_line(list_fixtures: Path, tmp_path: Path) -> None:
    text = (list_fixtures / NAMES[0]).read_text(encoding="utf-8")
    untitled = tmp_path / "list.csv"
    untitled.write_text(text.split("\n", 1)[1], encoding="utf-8")
    assert read_report_date(untitled) is None
