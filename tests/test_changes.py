"""What changed since the previous build: edit a raw fixture, rebuild, read the report."""

import subprocess
import sys
import time

import pandas as pd
import pytest

import analysis
from analysis import changelog, store

RELEASES = "data/raw/belarus/release_events.csv"
NEW_RELEASE = ("re004,2024-03-20,day,false,60,,primary,,pardon,Belarus,pardon,,,false,,,,"
               "https://example.org/r4,synthetic\n")


def releases_file(data_dir):
    return data_dir / "raw" / "belarus" / "release_events.csv"


def replace_line(path, number, text):
    lines = path.read_text().splitlines(keepends=True)
    lines[number - 1] = text
    path.write_text("".join(lines))


def edit_released(data_dir, value):
    """Set re001's released_political_prisoners (line 2 of the fixture)."""
    path = releases_file(data_dir)
    fields = path.read_text().splitlines()[1].split(",")
    assert fields[0] == "re001"
    fields[5] = str(value)
    replace_line(path, 2, ",".join(fields) + "\n")


def claim_table(verdict="inconclusive", ci=(0.8, 1.9)):
    return pd.DataFrame({
        "hypothesis": ["H1", "H2"], "estimate": [1.2, 0.4], "ci_low": [ci[0], 0.1],
        "ci_high": [ci[1], 0.9], "p_value": [0.2, 0.01], "p_adjusted": [0.4, 0.02],
        "verdict": [verdict, "against the claim"],
    })


def test_first_build_has_nothing_to_compare_with(data_dir):
    analysis.load("panel_monthly")
    report = analysis.changes()
    assert report.empty and list(report.columns) == changelog.COLUMNS
    assert report.attrs["previous"] is None


def test_an_edited_value_is_named_with_file_line_column_old_and_new(data_dir):
    analysis.load("panel_monthly")
    edit_released(data_dir, 44)
    analysis.load("panel_monthly")
    report = analysis.changes()
    edit = report[(report["dataset"] == "release_events")
                  & (report["column"] == "released_political_prisoners")]
    assert edit[["kind", "key", "file", "line", "old", "new"]].values.tolist() == [
        ["row_changed", "re001", RELEASES, 2, "40", "44"]]
    assert edit["detail"].item() == (
        f"{RELEASES} line 2 (re001): released_political_prisoners 40 → 44")
    panel = report[(report["dataset"] == "panel_monthly")
                   & (report["column"] == "released_political_low")]
    assert panel[["key", "old", "new"]].values.tolist() == [["2024-03-01", "40", "44"]]


def test_headline_numbers_old_and_new(data_dir):
    store.build()
    edit_released(data_dir, 44)
    store.build()
    headline = analysis.changes().query("kind == 'headline'")
    moved = {(row.dataset, row.key, row.column): (row.old, row.new)
             for row in headline.itertuples()}
    assert moved[("flows_by_year", "2024", "political_prisoners_freed_low")] == ("40", "44")
    assert moved[("flows_by_year", "2024", "political_prisoners_freed_high")] == ("43", "47")


def test_added_and_removed_rows_name_their_lines(data_dir):
    store.build()
    path = releases_file(data_dir)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join([*lines[:3], NEW_RELEASE]))
    store.build()
    rows = analysis.changes().query("dataset == 'release_events'")
    assert rows[["kind", "key", "file", "line"]].values.tolist() == [
        ["row_added", "re004", RELEASES, 4],
        ["row_removed", "re003", RELEASES, 4],
    ]
    assert rows["detail"].tolist() == [
        f"{RELEASES} line 4 (re004): new row",
        f"{RELEASES} line 4 (re003) (previous build): row removed",
    ]


def test_rows_moving_to_other_lines_are_no_change(data_dir):
    store.build()
    path = releases_file(data_dir)
    header, *rows = path.read_text().splitlines(keepends=True)
    path.write_text("".join([header, *reversed(rows)]))
    store.build()
    assert analysis.changes().empty


def test_no_changes_after_a_no_op_or_forced_build(data_dir):
    store.build()
    edit_released(data_dir, 44)
    store.build()
    recorded = changelog.snapshot_paths()
    assert not any(result.rebuilt for result in store.build())
    assert changelog.snapshot_paths() == recorded
    store.build(force=True)
    report = analysis.changes()
    assert report.empty and report.attrs["previous"] is not None


def test_an_edit_reaching_the_panel_over_several_loads_is_reported_whole(data_dir):
    store.build()
    edit_released(data_dir, 44)
    analysis.load("release_events")
    analysis.load("panel_monthly")
    report = analysis.changes()
    assert {"release_events", "panel_monthly", "prisoners_daily", "headline_numbers"} <= set(
        report["dataset"])


def test_reverting_an_edit_leaves_nothing_to_report(data_dir):
    store.build()
    edit_released(data_dir, 44)
    analysis.load("release_events")
    edit_released(data_dir, 40)
    analysis.load("release_events")
    assert analysis.changes().empty


def test_a_fresh_load_records_nothing_and_imports_nothing_heavy(data_dir):
    store.build()
    recorded = changelog.snapshot_paths()
    probe = ("import sys, analysis; analysis.load('panel_monthly'); "
             "print(sorted({'pandera', 'matplotlib'} & {m.split('.')[0] for m in sys.modules}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert changelog.snapshot_paths() == recorded


def test_claim_verdicts_and_intervals_that_moved(data_dir):
    store.build()
    changelog.record_claim_results(claim_table())
    edit_released(data_dir, 44)
    store.build()
    assert analysis.changes().query("kind == 'claim'").empty
    changelog.record_claim_results(claim_table("supports the claim", (1.1, 2.5)))
    claims = analysis.changes().query("kind == 'claim'")
    assert claims[["key", "column", "old", "new"]].values.tolist() == [
        ["H1", "verdict", "inconclusive", "supports the claim"],
        ["H1", "ci", "[0.8, 1.9]", "[1.1, 2.5]"],
    ]
    latest = changelog.latest_claim_results()
    assert latest["verdict"].tolist() == ["supports the claim", "against the claim"]


def test_claim_results_carry_over_to_builds_that_did_not_test_the_claim(data_dir):
    store.build()
    changelog.record_claim_results(claim_table())
    edit_released(data_dir, 44)
    store.build()
    assert changelog.latest_claim_results()["verdict"].tolist() == [
        "inconclusive", "against the claim"]


def test_large_datasets_are_kept_as_files_and_compared_when_asked(data_dir, monkeypatch):
    monkeypatch.setattr(changelog, "LARGE_DATASET_ROWS", 2)
    store.build()
    edit_released(data_dir, 44)
    hashed = []
    original = changelog.dataset_rows
    monkeypatch.setattr(changelog, "dataset_rows",
                        lambda name, *args, **kwargs: hashed.append(name)
                        or original(name, *args, **kwargs))
    store.build()
    assert "release_events" not in hashed
    kept = sorted(path.name for path in changelog.kept_files_dir().glob("release_events.*"))
    assert len(kept) == 2
    rows = analysis.changes().query("dataset == 'release_events'")
    assert rows[["kind", "key", "line", "column", "old", "new"]].values.tolist() == [
        ["row_changed", "re001", 2, "released_political_prisoners", "40", "44"],
        ["row_changed", "re001", 2, "released_political_low", "40", "44"],
        ["row_changed", "re001", 2, "released_political_high", "40", "44"],
    ]
    assert rows["detail"].iloc[0] == (f"{RELEASES} line 2 (re001): released_political_prisoners "
                                      "40 → 44")


def test_kept_files_leave_with_the_snapshots_that_name_them(data_dir, monkeypatch):
    monkeypatch.setattr(changelog, "LARGE_DATASET_ROWS", 2)
    monkeypatch.setattr(changelog, "KEEP", 2)
    for value in (41, 42, 43):
        edit_released(data_dir, value)
        store.build()
    assert len(list(changelog.kept_files_dir().glob("release_events.*"))) == 2


def test_a_dataset_grown_large_is_not_compared_row_by_row(data_dir, monkeypatch):
    store.build()
    edit_released(data_dir, 44)
    monkeypatch.setattr(changelog, "LARGE_DATASET_ROWS", 2)
    store.build()
    rows = analysis.changes().query("dataset == 'release_events'")
    assert rows["detail"].item() == ("release_events: rebuilt, 3 → 3 rows; rows not compared, "
                                     "as the old build kept no copy of them")


def test_a_snapshot_hashes_only_the_datasets_that_changed(data_dir, monkeypatch):
    store.build()
    hashed = []
    original = changelog.dataset_rows
    monkeypatch.setattr(changelog, "dataset_rows",
                        lambda name, *args: hashed.append(name) or original(name, *args))
    edit_released(data_dir, 44)
    store.build()
    assert "prisoner_counts" not in hashed and "relief_events" not in hashed
    assert "release_events" in hashed
    assert analysis.changes().query("dataset == 'release_events'")["new"].tolist()[0] == "44"


def test_only_a_short_history_is_kept(data_dir, monkeypatch):
    monkeypatch.setattr(changelog, "KEEP", 2)
    for _ in range(3):
        store.build(force=True)
    assert [path.name for path in changelog.snapshot_paths()] == [
        "000002.parquet", "000003.parquet"]


def test_analysis_changes_stays_callable_after_the_module_is_imported(data_dir):
    import analysis.changelog  # noqa: F401

    assert list(analysis.changes().columns) == changelog.COLUMNS


def test_many_derived_changes_are_summarised_in_one_line(data_dir):
    store.build()
    edit_released(data_dir, 44)
    store.build()
    lines = changelog.row_lines(analysis.changes())
    heading = next(line for line in lines if line.startswith("\n[bold]prisoners_daily[/bold]: "))
    changed = int(heading.split(": ")[1].split()[0])
    assert changed > 20, "the stock-flow model moves the whole series, not only March"
    daily = lines[lines.index(heading) + 1]
    assert daily.startswith(f"  changed {changed} rows, ")
    moved = next(line for line in lines[lines.index(heading) + 2:]
                 if line.startswith("    prisoners_held "))
    assert f"    prisoners_held ({changed} rows); most at " in moved, "the number that moved"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
def test_the_changes_command(data_dir):
    assert cli("build").returncode == 0
    first = cli("changes")
    assert first.returncode == 0 and "No previous build to compare with." in first.stdout
    edit_released(data_dir, 44)
    report = cli("changes").stdout  # builds what the edit made stale, then reports
    assert report.lstrip().startswith("belarus\n"), "each configured country, named"
    assert f"{RELEASES} line 2 (re001): released_political_prisoners 40 → 44" in report
    assert "political_prisoners_freed_low in 2024" in report
    cli("build", "--force")
    assert "No changes since the previous build." in cli("changes").stdout


def test_empty_and_keyless_datasets_can_be_snapshotted():
    empty = pd.DataFrame({"record_id": pd.Series(dtype="string"),
                          "value": pd.Series(dtype="int64")})
    assert changelog.dataset_rows("anything", empty).empty
    keyless = pd.DataFrame({"value": [1, 1, 2]})
    keys = changelog.dataset_rows("anything", keyless)["key"]
    assert keys.is_unique and keys.str.endswith("#2").sum() == 1


def test_unchanged_claim_results_keep_their_time_so_the_briefing_stays_identical(data_dir):
    """A rerun on unchanged data must not stamp a new time into briefing.pdf."""
    store.build()
    table = claim_table()
    table.loc[0, "ci_low"] = float("nan")
    changelog.record_claim_results(table)
    first = changelog.latest_claim_results().attrs["recorded_at"]
    snapshot = changelog.snapshot_paths()[-1].read_bytes()
    time.sleep(1.1)
    changelog.record_claim_results(table)
    assert changelog.latest_claim_results().attrs["recorded_at"] == first
    assert changelog.snapshot_paths()[-1].read_bytes() == snapshot
    changelog.record_claim_results(claim_table("supports the claim", (1.1, 2.5)))
    assert changelog.latest_claim_results().attrs["recorded_at"] != first
