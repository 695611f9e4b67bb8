"""A build killed at any moment, or two builds at once, never leave a corrupt dataset.

Builds run in subprocesses on a copy of the fixture data (ANALYSIS_DATA_DIR), so SIGKILL hits
real writes: afterwards every Parquet file must be readable and be either the previous good
version or the new complete one, and the next ``load`` must repair whatever is stale.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import analysis
from analysis import catalog, paths, store
from analysis.io import read_provenance

TRIALS = 24
SEED = 20240229
BUILD_SCRIPT = """
import sys, time
from analysis import store
print("ready", flush=True)
start = time.monotonic()
store.build(force="--force" in sys.argv)
print(f"done {time.monotonic() - start}", flush=True)
"""
RACE_SCRIPT = """
import sys, time
from pathlib import Path
from analysis import store
go = Path(sys.argv[1])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
def report(name, status):
    print(f"{time.monotonic()} {status or '-'} {name or '-'}", flush=True)
report("", "start")
store.build(force=True, on_step=report)
report("", "finished")
"""


def start_build(script: str, *args: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def dataset_files() -> dict[Path, tuple[str, pd.DataFrame]]:
    """Every dataset Parquet file (data and quarantine) with its fingerprint and content."""
    found = {}
    for path in sorted(paths.processed_dir().rglob("*.parquet")):
        table = pq.read_table(path)
        provenance = read_provenance(path) or {}
        if provenance.get("dataset") in catalog.DATASETS:
            found[path] = (provenance["fingerprint"], table.to_pandas())
    return found


def edit_raw_value(data_dir: Path, trial: int) -> None:
    """Change a figure so that the build has something new to write."""
    path = data_dir / "raw" / "belarus" / "prisoner_counts.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["record_id"] == "pc001", "value"] = str(100 + trial)
    frame.to_csv(path, index=False)


def repair() -> None:
    for name in catalog.DATASETS:
        analysis.load(name)
    analysis.load("quarantine")


@pytest.mark.slow
def test_a_build_killed_at_random_points_leaves_old_or_new_files(data_dir: Path):
    rng = random.Random(SEED)
    process = start_build(BUILD_SCRIPT, "--force")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    duration = float(out.split()[-1])
    previous = dataset_files()
    outcomes = {"killed before any write": 0, "killed mid-build": 0, "finished": 0}
    for trial in range(1, TRIALS + 1):
        edit_raw_value(data_dir, trial)
        store.code_fingerprint.cache_clear()
        new_prints = store.fingerprints(list(catalog.DATASETS))
        process = start_build(BUILD_SCRIPT)
        time.sleep(rng.uniform(0, duration))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)

        after_kill = dataset_files()
        assert set(after_kill) == set(previous), "a dataset file vanished or appeared"
        written = 0
        for path, (fingerprint, frame) in after_kill.items():
            old_fingerprint, old_frame = previous[path]
            name = read_provenance(path)["dataset"]
            if fingerprint == old_fingerprint:
                pd.testing.assert_frame_equal(frame, old_frame)
            else:
                assert fingerprint == new_prints[name], f"{path.name}: neither old nor new"
                written += 1
        outcomes["finished" if process.returncode == 0 else
                 "killed mid-build" if written else "killed before any write"] += 1

        repair()
        assert store.stale() == []
        repaired = dataset_files()
        for path, (fingerprint, frame) in after_kill.items():
            if fingerprint != previous[path][0]:
                pd.testing.assert_frame_equal(frame, repaired[path][1])
        assert not list(paths.processed_dir().glob(".*.tmp")), "temporary files left behind"
        counts = analysis.load("prisoner_counts").set_index("record_id")
        assert counts.loc["pc001", "value"] == 100 + trial
        previous = repaired
    assert outcomes["killed mid-build"] >= 3, outcomes


def test_two_builds_at_once_are_serialised_by_the_lock(data_dir: Path, tmp_path: Path):
    go = tmp_path / "go"
    first, second = (start_build(RACE_SCRIPT, str(go)) for _ in range(2))
    go.touch()
    logs = []
    for process in (first, second):
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        logs.append([line.split(" ", 2) for line in out.splitlines()])
    spans = []
    for log in logs:
        steps = [float(at) for at, status, _ in log if status in {"building", "done"}]
        finished = next(float(at) for at, status, _ in log if status == "finished")
        spans.append((min(steps), finished))
    (first_start, first_end), (second_start, second_end) = sorted(spans)
    assert first_end <= second_start, "the two builds wrote at the same time"
    waited = [log for log in logs if any(status == "waiting" for _, status, _ in log)]
    assert len(waited) == 1, "the later build says it is waiting for the other one"
    assert store.stale() == []
    for path in paths.processed_dir().rglob("*.parquet"):
        pq.read_table(path)
    reference = analysis.load("panel_monthly")
    store.build(force=True)
    pd.testing.assert_frame_equal(analysis.load("panel_monthly"), reference)
