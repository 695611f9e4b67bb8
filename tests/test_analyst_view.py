"""What an analyst sees: bad input as one line (in a notebook and on the command line), what
became of an edited figure, and tables that fit a pane."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import analysis
from analysis import notices, paths
from analysis.display import MAX_WIDTH_PX, MISSING, show
from analysis.errors import InputError
from test_rerun_loop import curated, edit_cell


def country_yml(data_dir):
    return data_dir / "raw" / paths.DEFAULT_COUNTRY / paths.COUNTRY_FILE


def test_a_tab_in_country_yml_is_one_line_naming_line_column_and_fix(data_dir):
    path = country_yml(data_dir)
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  "))
    lines[at] = "\t" + lines[at][2:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        analysis.load("prisoner_counts")
    message = str(caught.value)
    assert message.startswith(f"data/raw/belarus/country.yml, line {at + 1}, column 1: expected "
                              "valid YAML in the country's configuration")
    assert message.endswith("indent with spaces, not a TAB")
    rendered = caught.value._render_traceback_()
    assert len(rendered) == 1 and "InputError" in rendered[0] and message in rendered[0]
    assert "Traceback (most recent call last)" in caught.value.traceback


def test_a_meta_yml_saved_in_cp1252_is_one_line(data_dir):
    meta = data_dir / "raw" / "belarus" / "release_events.meta.yml"
    meta.write_bytes("columns: {}\nnotes: Lukashenka’s pardons\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"release_events\.meta\.yml, line \d+, column \d+: "
                       r"expected UTF-8 text in the table's description .*save the file as "
                       "UTF-8"):
        analysis.load("panel_monthly")


def test_the_command_line_prints_one_line_and_fails(data_dir):
    path = country_yml(data_dir)
    path.write_text(path.read_text(encoding="utf-8").replace("name:", "name\n:", 1),
                    encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "analysis", "build"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("error: data/raw/belarus/country.yml, line ")


def test_an_edit_the_conflict_rule_overrides_is_named(data_dir, capsys):
    analysis.load("flows_monthly")
    capsys.readouterr()
    edit_cell(curated(data_dir, "prisoner_counts"), "pc004", "value", "125")
    analysis.load("flows_monthly")
    out = capsys.readouterr().out
    assert ("  pc004 (data/raw/belarus/prisoner_counts.csv line 5) was not used: pc003 (119) "
            "wins the conflict rule for current_count on 29 Feb 2024 (decided by publisher); "
            "analysis.load('count_conflicts') lists the conflicts") in out.splitlines()
    edit_cell(curated(data_dir, "prisoner_counts"), "pc006", "value", "300")
    analysis.load("flows_monthly")
    assert "  modelled count moved in 1 month: end of Mar 2024 100 → 300" in (
        capsys.readouterr().out.splitlines())


def test_an_edit_the_model_counts_little_is_named(data_dir, monkeypatch):
    analysis.load("flows_monthly")
    weights = analysis.figure_weights()
    assert weights["weight"].between(0.5, 1.5).all(), "the fixture's figures agree"
    monkeypatch.setattr(notices, "figure_weights", lambda country: weights.assign(
        weight=weights["weight"].where(weights["record_id"] != "pc006", 0.04)))
    report = pd.DataFrame({"kind": ["row_changed"], "dataset": ["prisoner_counts"],
                           "key": ["pc006"], "file": ["data/raw/belarus/prisoner_counts.csv"],
                           "line": [7]})
    assert notices.edited_figure_fates(report, "belarus") == [
        "  pc006 (data/raw/belarus/prisoner_counts.csv line 7) was given little weight by the "
        "model (0.04 of a figure in line with the others: it is at odds with the figures "
        "around it); analysis.figure_weights() lists every figure's weight"]


def test_show_renders_numbers_missing_values_and_width_for_reading():
    frame = pd.DataFrame({
        "episode": ["a", "b", "c"],
        "count": [1236.0, float("nan"), 18.0],
        "stock": [675.4, 700.0, None], "stock_low": [640.0, None, None],
        "stock_high": [710.0, None, None],
        "share": [0.158114, 1.0, pd.NA],
        "when": pd.to_datetime(["2025-01-14", None, "2026-02-01"]),
        "returned": pd.array([True, pd.NA, False], dtype="boolean"),
        **{f"a_long_column_name_{i}": ["some text of forty characters, roughly."] * 3
           for i in range(6)},
    })
    table = show(frame, rows=2)
    first = table.blocks[0]
    assert first["count"].tolist() == ["1236", MISSING]
    assert first["stock (low–high)"].tolist() == ["675 (640–710)", "700"]
    assert first["share"].tolist() == ["0.158", "1"]
    assert first["when"].tolist() == ["2025-01-14", MISSING]
    assert first["returned"].tolist() == ["yes", MISSING]
    assert len(table.blocks) > 1 and all(block.columns[0] == "episode"
                                         for block in table.blocks)
    assert table.note == "1 more rows not shown (3 in all)"
    html = table._repr_html_()
    assert "nan" not in html.lower() and "NaT" not in html and "&lt;NA&gt;" not in html
    assert f"max-width:{MAX_WIDTH_PX}px" in html


def test_a_thousands_separator_is_named_quoted_or_not():
    from analysis.store import reason_class

    assert reason_class("value", "1,150", "expected a whole number such as 12") == (
        "a thousands separator in `value` (write numbers without it)")
    assert reason_class(None, "pc9,2026-01-10,day,false,,current_count,1,150,exact",
                        "expected 12 fields as in the header, found 13").startswith(
        "one field too many, as from a thousands separator")
    assert reason_class("value", "many", "expected a whole number such as 12") == (
        "`value`: expected a whole number such as 12")
