"""load() and build(): rebuild only what is stale, record provenance, lock concurrent builds."""

import pandas as pd
import pytest

import analysis
from analysis import paths, store
from analysis.errors import UnknownDatasetError
from analysis.io import read_provenance, sha256_file


def edit_cell(path, record_id, column, value):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = frame.columns[0]
    frame.loc[frame[key] == record_id, column] = value
    frame.to_csv(path, index=False)


def test_editing_a_raw_value_changes_the_panel_on_the_next_load(data_dir):
    before = analysis.load("panel_monthly").set_index("month")
    assert before.loc["2024-03-01", "released_political_low"] == 40
    edit_cell(data_dir / "raw" / "belarus" / "release_events.csv", "re001",
              "released_political_prisoners", "44")
    after = analysis.load("panel_monthly").set_index("month")
    assert after.loc["2024-03-01", "released_political_low"] == 44


def test_a_fresh_load_only_reads(data_dir):
    analysis.load("panel_monthly")
    written = {p.name: p.stat().st_mtime_ns for p in paths.processed_dir().glob("*.parquet")}
    assert store.stale(["panel_monthly"]) == []
    analysis.load("panel_monthly")
    again = {p.name: p.stat().st_mtime_ns for p in paths.processed_dir().glob("*.parquet")}
    assert again == written


def test_only_datasets_downstream_of_an_edit_are_rebuilt(data_dir):
    store.build()
    edit_cell(data_dir / "raw" / "belarus" / "relief_events.csv", "rl002", "step_type", "relief")
    downstream = ["relief_events", "sanctions_timeline", "panel_monthly"]
    assert store.stale() == downstream
    rebuilt = [r.name for r in store.build() if r.rebuilt]
    assert rebuilt == downstream


def test_provenance_records_inputs_rows_and_version(data_dir):
    store.build()
    provenance = read_provenance(paths.processed_path("prisoner_counts"))
    raw = data_dir / "raw" / "belarus" / "prisoner_counts.csv"
    assert provenance["inputs"] == {paths.display_path(raw): sha256_file(raw)}
    assert (provenance["rows_in"], provenance["rows_out"], provenance["rows_quarantined"]) == (
        7, 7, 0)
    assert provenance["package_version"] and provenance["built_at"]


def test_quarantined_rows_are_counted_and_loadable(data_dir):
    with open(data_dir / "raw" / "belarus" / "prisoner_counts.csv", "a") as handle:
        handle.write("pc009,2024-04-30,day,false,,current_count,many,exact,viasna,"
                     "viasna_political_prisoners,https://example.org/q,\n")
    results = {r.name: r for r in store.build()}
    counts = results["prisoner_counts"]
    assert (counts.rows_in, counts.rows_out, counts.rows_quarantined) == (8, 7, 1)
    quarantine = analysis.load("quarantine")
    assert quarantine[["line", "column", "value"]].values.tolist() == [[9, "value", "many"]]


def test_unknown_dataset_names_the_known_ones(data_dir):
    with pytest.raises(UnknownDatasetError, match="known datasets: prisoner_counts"):
        analysis.load("panel")


def test_a_second_build_waits_for_the_lock(data_dir, monkeypatch):
    from filelock import FileLock

    paths.processed_dir().mkdir(parents=True)
    holder = FileLock(paths.processed_dir() / ".build.lock")
    holder.acquire()
    monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 0.2)
    messages = []
    try:
        with pytest.raises(analysis.errors.BuildLockedError, match="another build"):
            store.build(on_step=lambda name, status: messages.append(status))
    finally:
        holder.release()
    assert messages == ["waiting for another build to finish"]
