"""After a fetch, the what-changed report names the Belarus designations a list added or removed.

The UK Sanctions List copies are FIXTURES (tests/fixtures/lists/uk_sanctions_list.csv, made-up
names) placed in dated folders as ``fetch-lists`` would; the newer one drops BEL9005 and adds
BEL9007 and a non-Belarus designation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

import analysis
from analysis.changelog import belarus_designation_changes, fetched_list_changes
from analysis.lists import read_sanctions_list

LISTS = Path(__file__).resolve().parent / "fixtures" / "lists"
UK_LIST = "UK-Sanctions-List.csv"


def fetched(folder: Path, day: str, *, newer: bool = False) -> Path:
    (folder / day).mkdir(parents=True)
    path = folder / day / UK_LIST
    text = (LISTS / "uk_sanctions_list.csv").read_text(encoding="utf-8")
    if newer:
        text = text.replace("BEL9005", "BEL9007").replace("12/03/2026", "02/07/2026")
        text = text.replace("RUS9003", "RUS9008")
    path.write_text(text, encoding="utf-8")
    return path


def test_added_and_removed_belarus_designations(tmp_path: Path) -> None:
    old = read_sanctions_list(fetched(tmp_path, "2026-06-24"))
    new = read_sanctions_list(fetched(tmp_path, "2026-07-03", newer=True))
    report = belarus_designation_changes(old, new)
    assert report[["change", "record_id", "name", "listed_on"]].values.tolist() == [
        ["added", "BEL9007", "FIVE, Test", pd.Timestamp("2026-07-02")],
        ["removed", "BEL9005", "FIVE, Test", pd.Timestamp("2026-03-12")],
    ], "RUS9003 → RUS9008 is not a Belarus designation"
    assert report["detail"].tolist() == [
        "Belarus designation added: FIVE, Test (UK BEL9007), listed 2026-07-02 "
        "(uk_designation_date)",
        "Belarus designation removed: FIVE, Test (UK BEL9005), listed 2026-03-12 "
        "(uk_designation_date)",
    ]


def test_no_change_is_an_empty_report(tmp_path: Path) -> None:
    frame = read_sanctions_list(fetched(tmp_path, "2026-06-24"))
    assert belarus_designation_changes(frame, frame).empty


def test_the_two_latest_fetches_are_compared(tmp_path: Path) -> None:
    fetched(tmp_path, "2026-05-01")
    fetched(tmp_path, "2026-06-24")
    fetched(tmp_path, "2026-07-03", newer=True)
    shutil.copy(LISTS / "eu_fsf.csv", tmp_path / "2026-07-03" / "eu_fsf.csv")
    report = fetched_list_changes(tmp_path)
    assert report.attrs["previous"] == "2026-06-24" and report.attrs["current"] == "2026-07-03"
    assert report["record_id"].tolist() == ["BEL9007", "BEL9005"]
    assert report.attrs["not_compared"] == ["eu_fsf.csv"]


def test_a_first_fetch_has_nothing_to_compare_with(tmp_path: Path) -> None:
    fetched(tmp_path, "2026-06-24")
    report = fetched_list_changes(tmp_path)
    assert report.empty and report.attrs["previous"] is None
    assert report.attrs["not_compared"] == [UK_LIST]


def test_changes_after_a_fetch_name_the_designations(data_dir: Path) -> None:
    lists = data_dir / "raw" / "lists"
    fetched(lists, "2026-06-24")
    analysis.load("panel_monthly")
    fetched(lists, "2026-07-03", newer=True)
    analysis.load("panel_monthly")
    report = analysis.changes()
    rows = report[report["dataset"] == "sanctions_designations"]
    # Added and removed come first; the rows kept change only their list_file (new folder).
    assert rows[["kind", "key"]].head(2).values.tolist() == [
        ["row_added", "UK / BEL9007"], ["row_removed", "UK / BEL9005"]]
    assert set(rows["column"].iloc[2:]) == {"list_file"}
    added = rows["detail"].iloc[0]
    assert added.startswith("Belarus designation added: FIVE, Test (UK BEL9007), listed "
                            "2026-07-02 (uk_designation_date), ")
    assert added.endswith("2026-07-03/UK-Sanctions-List.csv")


def test_fetch_lists_prints_the_belarus_changes(tmp_path: Path, monkeypatch) -> None:
    """The command after a (stubbed) download: the network part is tested in
    tests/lists/test_fetch_lists.py."""
    from typer.testing import CliRunner

    from analysis import cli
    from analysis.lists import fetch

    fetched(tmp_path, "2026-06-24")
    newer = fetched(tmp_path, "2026-07-03", newer=True)
    monkeypatch.setattr(fetch, "fetch_lists", lambda dest: [newer])
    result = CliRunner().invoke(cli.app, ["fetch-lists", "--dest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "fetch of 2026-07-03 against 2026-06-24: 1 added, 1 removed" in output
    assert "Belarus designation added: FIVE, Test (UK BEL9007), listed 2026-07-02" in output
    assert "Belarus designation removed: FIVE, Test (UK BEL9005)" in output
