"""The analyst's edit–rerun loop: every edit is used or refused out loud, builds are all or
nothing, and ``load`` says what it rebuilt and what it set aside.

Each test edits the raw CSVs as a spreadsheet would save them, then loads as a notebook does.
"""

from __future__ import annotations

import errno
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis import catalog, io, paths, steps, store
from analysis.errors import BuildError


def edit_cell(path: Path, key: str, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame[frame.columns[0]] == key, column] = value
    frame.to_csv(path, index=False)


def parquet_bytes() -> dict[str, bytes]:
    return {path.name: path.read_bytes()
            for path in sorted(paths.processed_dir().glob("*.parquet"))}


def curated(data_dir: Path, table: str) -> Path:
    return data_dir / "raw" / "belarus" / f"{table}.csv"


def test_load_notices_quarantined_rows_once_with_the_reason(data_dir, monkeypatch):
    monkeypatch.setenv("ANALYSIS_MAX_QUARANTINE_SHARE", "0.5")
    analysis.load("panel_monthly")
    edit_cell(curated(data_dir, "prisoner_counts"), "pc003", "value", "1,135")
    with pytest.warns(store.QuarantineWarning) as caught:
        analysis.load("panel_monthly")
    notices = [str(warning.message) for warning in caught
               if warning.category is store.QuarantineWarning]
    assert notices == ["data/raw/belarus/prisoner_counts.csv: 1 of 7 rows quarantined and left "
                       "out (1 row: a thousands separator in `value` (write numbers without "
                       "it), line 4); `python -m analysis quarantine` or "
                       "analysis.load('quarantine') lists them"]
    assert caught[0].filename == __file__, "the warning points at the caller's line"
    with warnings.catch_warnings():
        warnings.simplefilter("error", store.QuarantineWarning)
        analysis.load("panel_monthly")
        analysis.load("prisoners_daily")  # the same quarantine, from another cell: said once
    edit_cell(curated(data_dir, "prisoner_counts"), "pc004", "value", "many")
    with pytest.warns(store.QuarantineWarning) as caught:
        analysis.load("prisoners_daily")
    assert len(caught) == 1, "one notice per load, every file and reason in it"
    assert "2 of 7 rows" in str(caught[0].message)
    assert "1 row: `value`: expected" in str(caught[0].message)


def test_a_clean_load_warns_nothing(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error", store.QuarantineWarning)
        analysis.load("panel_monthly")


def test_load_says_in_one_line_what_it_rebuilt(data_dir, capsys):
    analysis.load("panel_monthly")
    capsys.readouterr()
    edit_cell(curated(data_dir, "release_events"), "re001", "released_political_prisoners",
              "44")
    analysis.load("panel_monthly")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("belarus: rebuilt release_events, prisoners_daily, flows_monthly, "
                        "panel_monthly (1 raw row changed: data/raw/belarus/release_events.csv "
                        "line 2); analysis.changes() has the detail.")
    assert "  political_prisoners_freed_low in 2024: 40 → 44" in lines, "the numbers that moved"
    assert all(line.startswith("  ") for line in lines[1:])
    analysis.load("panel_monthly")
    assert capsys.readouterr().out == "", "a fresh load says nothing"


def test_losing_a_large_share_of_a_table_stops_the_build_and_changes_nothing(data_dir):
    store.build()
    before = parquet_bytes()
    path = curated(data_dir, "prisoner_counts")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["ref_date"] = pd.to_datetime(frame["ref_date"], format="mixed").dt.strftime("%d/%m/%Y")
    frame.to_csv(path, index=False)
    with pytest.raises(BuildError, match=r"prisoner_counts\.csv: 7 of 7 rows would be "
                       r"quarantined \(more than 20%; first reasons: ref_date"):
        analysis.load("panel_monthly")
    assert parquet_bytes() == before


def test_the_share_is_a_setting(data_dir, monkeypatch):
    for key in ("pc001", "pc002"):
        edit_cell(curated(data_dir, "prisoner_counts"), key, "value", "many")
    with pytest.raises(BuildError, match="2 of 7 rows"):
        store.build()
    monkeypatch.setenv("ANALYSIS_MAX_QUARANTINE_SHARE", "0.5")
    with pytest.warns(store.QuarantineWarning, match="2 of 7 rows quarantined"):
        store.build()


def test_an_emptied_table_others_depend_on_stops_the_build(data_dir, monkeypatch):
    store.build()
    before = parquet_bytes()
    monkeypatch.setenv("ANALYSIS_MAX_QUARANTINE_SHARE", "1")
    path = curated(data_dir, "release_events")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["event_type"] = "swap"
    frame.to_csv(path, index=False)
    with pytest.raises(BuildError, match="release_events came out empty and flows_monthly, "
                       "flows_draws, prisoners_daily, model_figures, counterfactual_monthly, "
                       "deal_additionality, panel_monthly, claim_power, claim_verdicts are "
                       "built from it; nothing was changed"):
        store.build()
    assert parquet_bytes() == before


@pytest.mark.parametrize("failing", catalog.build_order())
def test_a_failing_step_leaves_every_dataset_byte_identical(data_dir, monkeypatch, failing):
    store.build()
    before = parquet_bytes()
    edit_cell(curated(data_dir, "prisoner_counts"), "pc001", "value", "101")
    edit_cell(curated(data_dir, "release_events"), "re001", "released_total", "51")
    edit_cell(curated(data_dir, "relief_events"), "rl002", "action", "second visit")
    edit_cell(curated(data_dir, "sanctions_measures"), "sm003", "description", "sectoral")

    def broken(upstream, files, country):
        raise ValueError("cannot convert\nsecond line of a long message")

    monkeypatch.setattr(steps, catalog.dataset(failing).builder.split(":")[1], broken)
    with pytest.raises(BuildError) as caught:
        store.build(force=True)
    assert str(caught.value) == (f"building {failing} failed (ValueError: cannot convert); "
                                 "every dataset is as it was before the build")
    assert parquet_bytes() == before


def test_a_failing_write_leaves_every_dataset_byte_identical(data_dir, monkeypatch):
    store.build()
    before = parquet_bytes()
    edit_cell(curated(data_dir, "prisoner_counts"), "pc001", "value", "101")
    written = []
    real = io.write_parquet

    def fill_disk(frame, path, provenance):
        if len(written) == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        real(frame, path, provenance)

    monkeypatch.setattr(store, "write_parquet", fill_disk)
    with pytest.raises(BuildError, match=r"^cannot write data/processed/belarus \(No space left "
                       r"on device\); every dataset is as it was before the build$"):
        store.build(force=True)
    assert parquet_bytes() == before
    assert not list(paths.processed_dir().glob(".*.tmp"))


def test_an_unwritable_data_folder_ends_in_one_line(data_dir):
    (data_dir / "processed").write_text("a file where the folder should be")
    result = subprocess.run([sys.executable, "-m", "analysis", "build"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot write data/processed")


def test_quarantine_command_starts_with_a_summary_and_never_says_nan(data_dir):
    edit_cell(curated(data_dir, "prisoner_counts"), "pc003", "date_precision", "month")
    result = subprocess.run([sys.executable, "-m", "analysis", "quarantine"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Quarantined rows by file and reason:\n"
                          "  data/raw/belarus/prisoner_counts.csv: 1 row(s)\n"
                          "    1 × the row: expected date_precision that matches")
    assert out.index("by file and reason") < out.index("┃ line")
    assert "nan" not in out.lower().replace("nancy", "")
    assert "None" not in out


def test_cli_build_names_each_file_with_quarantined_rows(data_dir):
    edit_cell(curated(data_dir, "prisoner_counts"), "pc003", "value", "1,135")
    result = subprocess.run([sys.executable, "-m", "analysis", "build"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "prisoner_counts.csv: 1 of 7 rows quarantined" in result.stderr
    assert "QuarantineWarning" not in result.stderr


@pytest.mark.slow
def test_shipped_faults_are_used_or_refused_out_loud(shipped_data_dir, monkeypatch):
    """The faults found by editing the shipped tables: each is now quarantined with a warning
    naming file, line and rule, or read as meant; no traceback, nothing half built."""
    monkeypatch.setenv("ANALYSIS_SHARED_DIR", str(shipped_data_dir / "no-shared"))
    monkeypatch.setenv("ANALYSIS_BUILD_DATE", "2026-11-25")
    folder = shipped_data_dir / "raw" / "belarus"
    panel = analysis.load("panel_monthly")

    counts = pd.read_csv(folder / "prisoner_counts.csv", dtype=str, keep_default_na=False)
    counts["year_inferred"] = counts["year_inferred"].str.upper()
    counts.to_csv(folder / "prisoner_counts.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", store.QuarantineWarning)
        pd.testing.assert_frame_equal(analysis.load("panel_monthly"), panel)

    latest = counts[counts["metric"] == "current_count"].iloc[-1]["record_id"]
    edit_cell(folder / "prisoner_counts.csv", latest, "value", "999999999")
    releases = pd.read_csv(folder / "release_events.csv", dtype=str, keep_default_na=False)
    edit_cell(folder / "release_events.csv", "re033", "row_role", "alt_count")
    edit_cell(folder / "release_events.csv", "re033", "alt_of", "re999")
    edit_cell(folder / "release_events.csv", "re001", "released_political_prisoners", "999")
    with pytest.warns(store.QuarantineWarning) as caught:
        analysis.load("panel_monthly")
    notices = "\n".join(str(warning.message) for warning in caught)
    assert "plausible_count" in notices and "reference_exists" in notices
    assert "part_within_whole" in notices
    assert f"release_events.csv: 2 of {len(releases)} rows" in notices
    assert f"prisoner_counts.csv: 1 of {len(counts)} rows" in notices
    quarantine = analysis.load("quarantine")
    assert set(quarantine["column"]) == {"value", "alt_of", "released_political_prisoners"}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_neutralises_formulas_in_csv_and_xlsx(data_dir, tmp_path, suffix):
    edit_cell(curated(data_dir, "release_events"), "re003", "notes", "=HYPERLINK(\"x\")")
    edit_cell(curated(data_dir, "release_events"), "re001", "destination", "@SUM(A1)")
    path = analysis.export("release_events", tmp_path / f"releases{suffix}")
    if suffix == ".csv":
        back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(path).active
        assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        back = pd.read_excel(path, dtype=str, keep_default_na=False)
    back = back.set_index("event_id")
    assert back.loc["re003", "notes"] == "'=HYPERLINK(\"x\")"
    assert back.loc["re001", "destination"] == "'@SUM(A1)"
    assert back.loc["re001", "released_total"] == "50"


def test_export_refuses_an_unknown_format(data_dir, tmp_path):
    with pytest.raises(analysis.errors.AnalysisError, match="ending in .csv or .xlsx"):
        analysis.export("release_events", tmp_path / "releases.ods")


def test_period_labels_read_as_a_reader_says_them():
    from analysis.summaries import period_label

    assert period_label(pd.Timestamp("2025-12-13"), precision="day") == "13 Dec 2025"
    assert period_label(pd.Timestamp("2026-03-31")) == "Mar 2026"
    assert period_label(pd.Timestamp("2024-07-01"), pd.Timestamp("2026-03-01")) == (
        "Jul 2024 – Mar 2026")
    assert period_label(pd.NaT) == ""


def test_headline_table_shows_whole_numbers_labels_records_and_date_precision(data_dir):
    from analysis.summaries import headline_table

    edit_cell(curated(data_dir, "prisoner_counts"), "pc006", "year_inferred", "TRUE")
    table = headline_table(*(analysis.load(name) for name in (
        "prisoners_daily", "panel_monthly", "release_events", "prisoner_counts")))
    assert str(table["value"].dtype) == "Int64"
    latest = table.set_index("measure").loc["latest observed count"]
    assert (latest["record"], latest["when"], latest["date_known_to"]) == (
        "pc006", "31 Mar 2024", "day, inferred")
    batch = table.set_index("measure").loc["largest release batch (all people)"]
    assert (batch["value"], batch["record"], batch["when"]) == (50, "re001", "15 Mar 2024")
    since = table.set_index("measure").loc["all people freed in release batches since Jul 2024"]
    assert since["record"] == "sum over the panel"


def test_the_stock_chart_marks_month_only_and_inferred_dates_apart_from_exact_ones(data_dir):
    from analysis import figures

    edit_cell(curated(data_dir, "prisoner_counts"), "pc006", "year_inferred", "true")
    figure = figures.prisoners_held_chart(*(analysis.load(name) for name in (
        "prisoners_daily", "release_events", "prisoner_counts")))
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert "Reported count (exact day)" in labels
    assert "Reported count (date inferred)" in labels
    hollow = [collection for collection in figure.axes[0].collections
              if collection.get_label() == "Reported count (date inferred)"]
    assert hollow and (hollow[0].get_facecolor()[0][:3] == 1).all(), "drawn hollow"


def test_briefing_is_byte_identical_when_nothing_changed(data_dir, tmp_path):
    """make run on unchanged data writes the same briefing.pdf: no run time in it."""
    import time

    from analysis import changelog
    from analysis.briefing import write_briefing_pdf

    store.build()
    claims = pd.DataFrame({"hypothesis": ["H1"], "estimate": [1.2], "ci_low": [float("nan")],
                           "ci_high": [1.9], "p_value": [0.2], "p_adjusted": [0.4],
                           "verdict": ["inconclusive"]})
    written = []
    for run in range(2):
        changelog.record_claim_results(claims)
        written.append(write_briefing_pdf(tmp_path / f"briefing{run}.pdf",
                                          changelog.latest_claim_results()).read_bytes())
        time.sleep(1.1)
    assert written[0] == written[1]


def test_a_row_dated_after_the_build_is_used_once_its_day_has_come(data_dir, monkeypatch):
    monkeypatch.setenv("ANALYSIS_BUILD_DATE", "2024-03-30")
    monkeypatch.setenv("ANALYSIS_MAX_QUARANTINE_SHARE", "0.5")
    with pytest.warns(store.QuarantineWarning, match="not_after_build_date"):
        analysis.load("prisoner_counts")
    assert store.stale(["prisoner_counts"]) == []
    monkeypatch.setenv("ANALYSIS_BUILD_DATE", "2024-03-31")
    assert store.stale(["prisoner_counts"]) == ["prisoner_counts"]
    assert "pc006" in analysis.load("prisoner_counts")["record_id"].tolist()
    assert store.stale(["prisoner_counts"]) == []


def test_deals_table_names_the_record_and_how_well_its_date_is_known(data_dir):
    from analysis.summaries import deals_side_by_side

    edit_cell(curated(data_dir, "release_events"), "re003", "year_inferred", "TRUE")
    deals = deals_side_by_side(analysis.load("release_events"),
                               analysis.load("sanctions_timeline"), since="2024-01-01")
    row = deals.set_index("record").loc["re003"]
    assert (row["date"], row["date_known_to"]) == ("10 Feb 2024", "day, inferred")


def test_a_first_load_says_built_not_rebuilt(data_dir, capsys):
    analysis.load("prisoner_counts")
    assert capsys.readouterr().out == ("belarus: built prisoner_counts (first build); "
                                       "analysis.changes() has the detail.\n")
    analysis.load("count_conflicts")
    assert capsys.readouterr().out.startswith("belarus: built count_conflicts (first build);")


def test_a_link_to_a_release_missing_from_the_release_table_is_refused_out_loud(
        data_dir, monkeypatch):
    """relief_events.linked_release_event names a row of release_events.csv in the same
    folder; a link to a release that is not there is quarantined, naming the rule."""
    monkeypatch.setenv("ANALYSIS_MAX_QUARANTINE_SHARE", "1")
    edit_cell(curated(data_dir, "relief_events"), "rl001", "linked_release_event", "re009")
    with pytest.warns(store.QuarantineWarning, match="relief_events.csv: 1 of 2 rows"):
        store.build()
    quarantine = analysis.load("quarantine")
    row = quarantine[quarantine["dataset"] == "relief_events"].iloc[0]
    assert row["column"] == "linked_release_event"
    assert "rule reference_in_table" in row["reason"]


def test_an_edited_research_window_reaches_the_panel(shipped_data_dir):
    """``months_searched`` in a table's ``.meta.yml`` decides which months count zero events and
    which are missing: editing it rebuilds the panel with no other step."""
    assert analysis.load("panel_monthly").loc[0, "release_batches"] == 0
    meta = shipped_data_dir / "raw" / "belarus" / "release_events.meta.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("first: 2020-09", "first: 2021-01"),
                    encoding="utf-8")
    panel = analysis.load("panel_monthly")
    before = panel["month"] < pd.Timestamp("2021-01-01")
    assert panel.loc[before, "release_batches"].isna().all()
    assert panel.loc[~before, "release_batches"].notna().all()
