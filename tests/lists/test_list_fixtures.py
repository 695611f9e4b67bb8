"""Parsers for the formats with no real copy here, on fixtures hand-written from the published
layouts (OFAC advanced XML, EU FSF CSV and XML, OFSI CSV)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.lists import LIST_COLUMNS, detect_format, read_sanctions_list


def by_id(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["record_id"]: row for row in frame.to_dict("records")}


@pytest.mark.parametrize(("name", "expected"), [
    ("sdn_advanced.xml", "ofac_xml"),
    ("eu_fsf.csv", "eu_fsf_csv"),
    ("eu_fsf.xml", "eu_fsf_xml"),
    ("ofsi_conlist.csv", "ofsi_csv"),
])
def test_fixture_formats_are_detected(list_fixtures: Path, name: str, expected: str) -> None:
    assert detect_format(list_fixtures / name) == expected
    frame = read_sanctions_list(list_fixtures / name)
    assert list(frame.columns) == LIST_COLUMNS
    assert frame["source"].iloc[0] == f"{expected}:{name}"
    assert str(frame["listed_on"].dtype) == "datetime64[ns]"
    assert str(frame["belarus"].dtype) == "bool"


def test_ofac_advanced_xml(list_fixtures: Path) -> None:
    targets = by_id(read_sanctions_list(list_fixtures / "sdn_advanced.xml"))
    assert set(targets) == {"91001", "91002", "91003", "91004"}
    person = targets["91001"]
    # Surname first, then first name and patronymic, as in the legacy CSV.
    assert person["name"] == "ONE, TEST PERSON"
    assert (person["kind"], person["programmes"], person["belarus"]) == (
        "person", "BELARUS-EO14038", True)
    assert person["listed_on"] == pd.Timestamp("2021-08-09")
    assert person["listed_on_basis"] == "official_listing_date"
    entity = targets["91002"]
    assert entity["kind"] == "entity"
    # Two sanctions entries: programmes from both, the earliest entry date.
    assert entity["programmes"] == "BELARUS-EO14038; RUSSIA-EO14024"
    assert entity["listed_on"] == pd.Timestamp("2023-08-09")
    assert (targets["91003"]["kind"], targets["91003"]["belarus"]) == ("vessel", False)
    assert (targets["91004"]["kind"], targets["91004"]["name"]) == ("aircraft", "EW-00004")


@pytest.mark.parametrize("name", ["eu_fsf.csv", "eu_fsf.xml"])
def test_eu_fsf(list_fixtures: Path, name: str) -> None:
    frame = read_sanctions_list(list_fixtures / name)
    targets = by_id(frame)
    assert len(frame) == 3
    one = targets["900001"]
    assert (one["name"], one["kind"], one["programmes"], one["belarus"]) == (
        "TEST PERSON ONE", "person", "BLR", True)
    # Cites the 2021 act and a 2023 amendment: the earliest act, flagged as an amendment date.
    assert one["listed_on"] == pd.Timestamp("2021-06-21")
    assert one["listed_on_basis"] == "latest_amendment_date"
    two = targets["900002"]
    assert (two["kind"], two["listed_on"], two["listed_on_basis"]) == (
        "entity", pd.Timestamp("2022-03-02"), "official_listing_date")
    assert (targets["900003"]["programmes"], targets["900003"]["belarus"]) == ("RUS", False)


def test_eu_fsf_csv_and_xml_agree(list_fixtures: Path) -> None:
    from_csv = read_sanctions_list(list_fixtures / "eu_fsf.csv").drop(columns="source")
    from_xml = read_sanctions_list(list_fixtures / "eu_fsf.xml").drop(columns="source")
    pd.testing.assert_frame_equal(from_csv, from_xml)


def test_ofsi_csv(list_fixtures: Path) -> None:
    frame = read_sanctions_list(list_fixtures / "ofsi_conlist.csv")
    targets = by_id(frame)
    assert len(frame) == 4, "one row per Group ID, not per name variant"
    assert targets["90001"]["name"] == "ONE, Test Person"
    assert targets["90001"]["listed_on"] == pd.Timestamp("2020-11-06")
    assert (targets["90002"]["kind"], targets["90003"]["kind"]) == ("entity", "vessel")
    assert frame["belarus"].tolist() == [True, True, False, True]
    four = targets["90004"]
    assert four["programmes"] == "Global Human Rights; Belarus"
    assert four["listed_on"] == pd.Timestamp("2020-10-05"), "the Belarus regime's date"


def test_format_argument_overrides_detection(list_fixtures: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "download.bin"
    renamed.write_bytes((list_fixtures / "eu_fsf.xml").read_bytes())
    frame = read_sanctions_list(renamed, format="eu_fsf_xml")
    assert len(frame) == 3
