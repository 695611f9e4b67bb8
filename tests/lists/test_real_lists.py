"""The real official files in the shared folder parse, and their Belarus counts match the
shared README; spot values were checked by reading the files by hand."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.lists import (
    LIST_COLUMNS,
    attach_first_seen,
    detect_format,
    first_seen_targets,
    read_sanctions_list,
)

OFSI_XLSX = "uk_ofsi_conlist_2025-04-10/ConList.xlsx"
EU_ANNEX = "eu_reg_765_2006_annex/32006R0765.csv"
OFAC_2021 = "ofac_sdn_2021-07-07"
OFAC_2025 = "ofac_sdn_2025_excerpt"
FIRST_SEEN = "ofac_belarus_first_seen/belarus_first_seen.csv"
EXPECTED_DTYPES = {
    "source": "string", "jurisdiction": "string", "record_id": "string", "name": "string",
    "kind": "string", "programmes": "string", "belarus": "bool",
    "listed_on": "datetime64[ns]", "listed_on_basis": "string",
}


@pytest.fixture(scope="module")
def ofsi(official_lists: Path) -> pd.DataFrame:
    return read_sanctions_list(official_lists / OFSI_XLSX)


@pytest.fixture(scope="module")
def eu_annex(official_lists: Path) -> pd.DataFrame:
    return read_sanctions_list(official_lists / EU_ANNEX)


@pytest.fixture(scope="module")
def ofac_2021(official_lists: Path) -> pd.DataFrame:
    return read_sanctions_list(official_lists / OFAC_2021)


def one(frame: pd.DataFrame, record_id: str) -> pd.Series:
    rows = frame[frame["record_id"] == record_id]
    assert len(rows) == 1, record_id
    return rows.iloc[0]


def assert_list_shape(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == LIST_COLUMNS
    assert {column: str(dtype) for column, dtype in frame.dtypes.items()} == EXPECTED_DTYPES
    assert frame["record_id"].is_unique
    assert frame["name"].notna().all() and (frame["name"].str.len() > 0).all()


@pytest.mark.parametrize(("relative", "expected"), [
    (OFSI_XLSX, "ofsi_xlsx"),
    (EU_ANNEX, "eu_annex_csv"),
    (OFAC_2021, "ofac_csv"),
    (f"{OFAC_2025}/sdn.csv", "ofac_csv"),
])
def test_formats_are_detected(official_lists: Path, relative: str, expected: str) -> None:
    assert detect_format(official_lists / relative) == expected


def test_ofsi_counts_one_target_per_group_id(ofsi: pd.DataFrame, official_lists: Path) -> None:
    workbook = openpyxl.load_workbook(official_lists / OFSI_XLSX, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    workbook.close()
    header = list(rows[0])
    regime, group = header.index("Regime"), header.index("Group ID")
    belarus_rows = [row for row in rows[1:] if row[regime] == "Belarus"]
    assert len(belarus_rows) == 674
    assert len({row[group] for row in belarus_rows}) == 167

    assert_list_shape(ofsi)
    assert ofsi["belarus"].sum() == 167
    assert ofsi["record_id"].nunique() == len({row[group] for row in rows[1:]})
    assert set(ofsi["jurisdiction"]) == {"UK"}
    assert set(ofsi["kind"]) == {"person", "entity", "vessel"}
    assert (ofsi["listed_on_basis"] == "official_listing_date").all()
    assert ofsi["source"].iloc[0] == "ofsi_xlsx:ConList.xlsx"


def test_ofsi_spot_values(ofsi: pd.DataFrame) -> None:
    plant = one(ofsi, "14042")
    assert (plant["name"], plant["kind"], plant["programmes"]) == (
        "140 REPAIR PLANT", "entity", "Belarus")
    assert plant["listed_on"] == pd.Timestamp("2020-12-18")
    son = one(ofsi, "13919")
    assert son["name"] == "LUKASHENKO, Viktor Aliaksandravich"
    assert son["kind"] == "person"
    assert son["programmes"] == "Belarus; Global Human Rights"
    # Listed under Global Human Rights on 29/09/2020 and Belarus on 06/11/2020: the Belarus date.
    assert son["listed_on"] == pd.Timestamp("2020-11-06")
    assert bool(son["belarus"])


def test_eu_annex_counts_and_dates(eu_annex: pd.DataFrame) -> None:
    assert_list_shape(eu_annex)
    assert len(eu_annex) == 408
    assert eu_annex["belarus"].sum() == 408
    assert eu_annex["listed_on"].notna().sum() == 377
    dated = eu_annex["listed_on"].notna()
    assert (eu_annex.loc[dated, "listed_on_basis"] == "official_listing_date").all()
    assert (eu_annex.loc[~dated, "listed_on_basis"] == "unknown").all()
    assert eu_annex["kind"].value_counts().to_dict() == {"person": 312, "entity": 96}


def test_eu_annex_spot_values(eu_annex: pd.DataFrame) -> None:
    first = one(eu_annex, "I.A/1")
    assert first["name"] == "Uladzimir Uladzimiravich NAVUMAU"
    assert first["kind"] == "person"
    assert first["listed_on"] == pd.Timestamp("2004-09-24")
    assert first["programmes"] == "EU-BLR"
    # "14 June 2022" is written out in words in annex XV.
    assert one(eu_annex, "XV/#4")["listed_on"] == pd.Timestamp("2022-06-14")
    assert one(eu_annex, "I.B/1")["kind"] == "entity"


def test_ofac_2021_belarus_targets(ofac_2021: pd.DataFrame) -> None:
    assert_list_shape(ofac_2021)
    assert ofac_2021["belarus"].sum() == 59
    assert ofac_2021["listed_on"].isna().all()
    assert (ofac_2021["listed_on_basis"] == "unknown").all()
    assert set(ofac_2021["kind"]) == {"person", "entity", "vessel", "aircraft"}
    president = one(ofac_2021, "9760")
    assert president["name"] == "LUKASHENKA, Alyaksandr Hryhoryavich"
    assert (president["kind"], president["programmes"]) == ("person", "BELARUS")
    refinery = one(ofac_2021, "12860")
    assert (refinery["name"], refinery["kind"]) == ("NAFTAN OAO", "entity")
    assert refinery["source"] == "ofac_csv:ofac_sdn_2021-07-07/sdn.csv"


def test_ofac_2025_excerpt(official_lists: Path) -> None:
    excerpt = read_sanctions_list(official_lists / OFAC_2025)
    assert_list_shape(excerpt)
    # The README calls it a 16-record excerpt; sdn.csv holds 17 lines, all parsed.
    assert len(excerpt) == 17
    belarus = excerpt[excerpt["belarus"]]
    assert belarus["record_id"].tolist() == ["44525"]
    assert belarus.iloc[0]["programmes"] == "BELARUS-EO14038"
    assert belarus.iloc[0]["kind"] == "entity"
    assert one(excerpt, "20540")["kind"] == "aircraft"
    assert one(excerpt, "40716")["kind"] == "vessel"
    assert one(excerpt, "11195")["programmes"] == "NPWMD; IFSR; IRAN-CON-ARMS-EO"
    same = read_sanctions_list(official_lists / OFAC_2025 / "sdn.csv")
    pd.testing.assert_frame_equal(excerpt, same)


def test_first_seen_targets(official_lists: Path) -> None:
    first_seen = first_seen_targets(official_lists / FIRST_SEEN)
    assert len(first_seen) == 232
    assert first_seen["belarus"].all()
    assert (first_seen["listed_on_basis"] == "first_seen_in_archive").all()
    assert (first_seen["listed_on"] == pd.Timestamp("2021-08-18")).sum() == 103
    assert first_seen["listed_on"].notna().all()
    assert first_seen["kind"].isna().all()
    son = one(first_seen, "32615")
    assert son["name"] == "LUKASHENKA, Dzmitry Aliaksandravich"
    assert son["listed_on"] == pd.Timestamp("2021-12-02")


def test_attach_first_seen_dates_only_listed_us_rows(ofac_2021: pd.DataFrame,
                                                     official_lists: Path) -> None:
    dated = attach_first_seen(ofac_2021, official_lists / FIRST_SEEN)
    assert_list_shape(dated)
    belarus = dated[dated["belarus"]]
    assert (belarus["listed_on"] == pd.Timestamp("2021-08-18")).all()
    assert (belarus["listed_on_basis"] == "first_seen_in_archive").all()
    others = dated[~dated["belarus"]]
    assert others["listed_on"].isna().all()
    assert (others["listed_on_basis"] == "unknown").all()
    assert ofac_2021["listed_on"].isna().all(), "the input frame must not change"
