"""Every malformed file in tests/bad_inputs/ ends in a clear error or in quarantined rows.

tests/bad_inputs/manifest.yml states for each file what it expects: an InputError naming the
file, the row (line or element), the column (field) and what was expected, or the rows that
are quarantined and why. Nothing may escape as another exception, and every record read is
either kept or quarantined. Text that looks like a spreadsheet formula is neutralised on export.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import analysis
from analysis import paths, store
from analysis.errors import BuildError, InputError
from analysis.export_safety import FORMULA_STARTS, neutralise_formulas, write_csv_export
from analysis.lists import FORMATS, read_sanctions_list
from analysis.sources import curated

BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = yaml.safe_load((BAD_INPUTS / "manifest.yml").read_text(encoding="utf-8"))
CLEANERS = {
    "prisoner_counts": curated.clean_prisoner_counts,
    "release_events": curated.clean_release_events,
    "relief_events": curated.clean_relief_events,
    "sanctions_measures": curated.clean_sanctions_measures,
    "sentences": curated.clean_sentences,
}


def params(*outcomes: str) -> list:
    """Cases with these outcomes; a reported shortcoming is a strict xfail until fixed."""
    return [
        pytest.param(case, id=case["file"], marks=[pytest.mark.xfail(
            reason=f"reported: {case['known_issue']}", strict=True)]
            if "known_issue" in case else [])
        for case in MANIFEST if case["outcome"] in outcomes
    ]


def read(case: dict):
    path = BAD_INPUTS / case["file"]
    if case["reader"] in CLEANERS:
        return CLEANERS[case["reader"]](path)
    return read_sanctions_list(path, format=case["reader"])


def assert_no_formula_survives_export(frame: pd.DataFrame, tmp_path: Path) -> None:
    text_cells = [value for value in frame.to_numpy().ravel() if isinstance(value, str)]
    assert any(value.startswith(FORMULA_STARTS) for value in text_cells), "case lost its point"
    path = write_csv_export(frame, tmp_path / "export.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


def test_the_corpus_covers_every_table_and_list_format():
    assert len(MANIFEST) >= 40
    assert {case["reader"] for case in MANIFEST} == set(CLEANERS) | set(FORMATS)
    listed = {BAD_INPUTS / case["file"] for case in MANIFEST}
    files = {path for path in BAD_INPUTS.rglob("*") if path.is_file()
             and path.name not in {"manifest.yml", "make_corpus.py"}}
    assert {path for path in files if not ({path, path.parent} & listed)} == set()
    assert all(path.exists() for path in listed)


def test_the_corpus_breaks_every_rule_across_rows():
    from analysis.schemas import RAW_RULES

    reasons = " ".join(item["reason"] for case in MANIFEST for item in case.get("expect", [])
                       if isinstance(item, dict))
    for table, rules in RAW_RULES.items():
        for rule in rules:
            cases = [case for case in MANIFEST if case["reader"] == table
                     for item in case.get("expect", []) if isinstance(item, dict)
                     and item["column"] == rule.column and f"rule {rule.name}" in item["reason"]]
            assert cases, (table, rule.name, rule.column)
    assert "every copy" in reasons


@pytest.mark.parametrize("case", params("clean"))
def test_what_a_spreadsheet_writes_is_read_as_meant(case: dict):
    """TRUE/FALSE, CRLF, a byte order mark and trailing empty columns lose no row."""
    result = read(case)
    assert (result.rows_in, len(result.rows), len(result.quarantine)) == (
        case["records"], case["records"], 0)
    expected = CLEANERS[case["reader"]](Path(__file__).parent / "fixtures" / "curated"
                                        / f"{case['reader']}.csv").rows
    flags = [name for name in expected.columns if expected[name].dtype == bool]
    assert flags and result.rows.drop(columns=flags).equals(expected.drop(columns=flags))


@pytest.mark.parametrize("case", params("error", "quarantine", "accepted"))
def test_a_bad_input_fails_clearly_or_is_quarantined(case: dict, tmp_path: Path):
    """error: InputError with file, row, column and expectation; quarantine: the stated rows
    set aside with line, column and reason, and rows in = rows out + rows quarantined."""
    if case["outcome"] == "error":
        with pytest.raises(InputError) as caught:
            read(case)
        error = caught.value
        assert Path(case["file"]).name in error.file
        assert (error.row, error.column) == (case["row"], case["column"]), str(error)
        assert error.expected
        for text in case["expect"]:
            assert text in str(error)
        return
    result = read(case)
    if case["outcome"] == "accepted":
        assert len(result) == case["records"]
        assert_no_formula_survives_export(result, tmp_path)
        return
    quarantine = result.quarantine
    assert result.rows_in == case["records"]
    assert len(result.rows) + quarantine["line"].nunique() == result.rows_in
    assert sorted(quarantine["line"].unique().tolist()) == case["lines"]
    assert set(result.rows["source_line"]).isdisjoint(case["lines"])
    assert quarantine["file"].str.endswith(Path(case["file"]).name).all()
    assert quarantine["reason"].str.startswith("expected ").all()
    for item in case["expect"]:
        found = quarantine[quarantine["line"] == item["line"]]
        found = found[found["column"].isna() if item["column"] is None
                      else found["column"] == item["column"]]
        assert found["reason"].str.contains(item["reason"], regex=False).any(), (
            item, quarantine.to_dict("records"))
    if case.get("export"):
        assert_no_formula_survives_export(result.rows, tmp_path)


EMPTIES_A_DEPENDENCY = {
    "curated/prisoner_counts/ambiguous_dates.csv": "flows_monthly came out empty",
    "curated/prisoner_counts/bad_counts.csv": "flows_monthly came out empty",
}
"""Cases that leave a derived dataset others are built from without rows (the stock-flow model
needs a count of the number held); a case that quarantines every row of its table empties that
table."""


@pytest.mark.parametrize("case", params("quarantine"))
def test_a_build_with_bad_rows_completes_and_reports_them(case: dict, data_dir: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    """With no limit on the share quarantined, the whole pipeline copes with what the cleaners
    set aside; an emptied table others are built from stops the build, changing nothing."""
    monkeypatch.setenv("ANALYSIS_MAX_QUARANTINE_SHARE", "1")
    shutil.copy(BAD_INPUTS / case["file"], data_dir / "raw" / "belarus" / f"{case['reader']}.csv")
    emptied = (f"{case['reader']} came out empty" if len(case["lines"]) == case["records"]
               else EMPTIES_A_DEPENDENCY.get(case["file"]))
    if emptied:
        with pytest.raises(BuildError, match=emptied):
            store.build()
        assert not list(paths.processed_dir().glob("*.parquet"))
        return
    with pytest.warns(store.QuarantineWarning, match=f"{case['reader']}.csv: "
                      f"{len(case['lines'])} of {case['records']} rows quarantined"):
        results = store.build()
    result = {step.name: step for step in results}[case["reader"]]
    assert (result.rows_in, result.rows_quarantined) == (case["records"], len(case["lines"]))
    assert result.rows_in == result.rows_out + result.rows_quarantined
    quarantine = analysis.load("quarantine")
    lines = quarantine.loc[quarantine["dataset"] == case["reader"], "line"]
    assert sorted(lines.unique().tolist()) == case["lines"]


def test_neutralise_formulas_prefixes_formula_text_and_leaves_numbers():
    frame = pd.DataFrame({
        "text": ["=1+1", "+1", "-1 vs last week", "@SUM(A1)", "\t=1", "\r=1", "plain", "",
                 None, "'=already"],
        "count": [-5, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        "share": np.linspace(-1, 1, 10),
        "=header": pd.array(["-x"] * 9 + [pd.NA], dtype="string"),
    })
    safe = neutralise_formulas(frame)
    expected = ["'=1+1", "'+1", "'-1 vs last week", "'@SUM(A1)", "'\t=1", "'\r=1", "plain", "",
                None, "'=already"]
    assert [None if pd.isna(v) else v for v in safe["text"]] == expected
    assert safe["count"].tolist() == frame["count"].tolist()
    assert safe["count"].dtype == frame["count"].dtype
    assert safe["share"].equals(frame["share"])
    assert safe.columns[3] == "'=header"
    assert safe.iloc[:, 3].tolist()[:2] == ["'-x", "'-x"] and pd.isna(safe.iloc[9, 3])
    assert frame["text"].iloc[0] == "=1+1", "the input frame is left alone"
    assert neutralise_formulas(safe).equals(safe), "neutralising twice changes nothing"


def test_csv_export_reads_back_as_text_without_formulas(tmp_path: Path):
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "ONE, Test", "Łukašenka"],
                          "value": [-3, 0, 12]})
    path = write_csv_export(frame, tmp_path / "out" / "names.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["name"].tolist() == ["'=cmd|' /C calc'!A0", "ONE, Test", "Łukašenka"]
    assert back["value"].tolist() == [-3, 0, 12]
    assert [p.name for p in path.parent.iterdir()] == ["names.csv"]
