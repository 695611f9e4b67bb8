"""The two loops every change waits for: the whole test suite, and ``make run`` redoing only
what changed. Rewrites its own two sections of ``RESULTS.md`` (between ``<!-- make-run -->`` and
``<!-- /make-run -->``, and ``<!-- test-suite -->`` and ``<!-- /test-suite -->``).

``python benchmarks/loops.py`` measures both (``run.py`` calls it at its end; ``run.py --loops``
runs only this); ``--run-only`` leaves out the test suite, which takes minutes, and
``--tests-only`` times only the test suite.

- **Test suite**: ``pytest -n auto --dist loadgroup`` as ``make test`` runs it, wall time and the
  CPU time of every process it started (pytest, its workers, their notebook kernels and
  browser), and the ten slowest tests as pytest's ``--durations`` reports them.
- **make run**: ``python -m analysis run`` on a fresh copy of the shipped raw data (nothing built,
  nothing recorded: a fresh clone), again with nothing changed, and again after editing one
  Belarus count (a copy's ``prisoner_counts.csv``, the value of the latest current count plus
  one); each with wall and CPU time (split into ``run``'s own process and the notebooks'
  process with its kernels, as ``run`` records it) and the time of each phase.

Both figures are taken on whatever else the machine is doing; CPU time is the loop's own work,
which wall time on a shared machine is not.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "RESULTS.md"

NOTEBOOKS = len(list((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")))
TEST_BUDGET = 600
"""Seconds the whole suite may take on the 2-core machine (issue 24)."""
NOOP_RUN_BUDGET = 10
"""Seconds ``make run`` may take when nothing changed."""
EDIT_RUN_BUDGET = 30
"""Seconds ``make run`` may take after one Belarus count was edited, besides the build phase
(which holds the model's refit)."""


def timed(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the command and every process it waited for, and its
    output; a failure raises with the output's last lines."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = done.stdout + done.stderr
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n" + "\n".join(
            output.strip().splitlines()[-15:]))
    return wall, cpu, output


def slowest_tests(output: str, count: int = 10) -> list[str]:
    """The ``--durations`` lines of pytest's output: seconds, phase and test id."""
    lines = output.split("slowest", 1)[-1].splitlines()[1:]
    found = [line.strip() for line in lines if re.match(r"\s*\d+\.\d+s ", line)]
    return found[:count]


def measure_tests() -> list[str]:
    wall, cpu, output = timed([sys.executable, "-m", "pytest", "-n", "auto", "--dist",
                               "loadgroup", "--durations=10", "-p", "no:cacheprovider", "-q"])
    summary = next((line.strip("= ") for line in reversed(output.splitlines())
                    if " passed" in line or " failed" in line), "")
    verdict = "PASS" if wall <= TEST_BUDGET else "FAIL"
    return [
        "| Measure | Value | Target | Result | Detail |",
        "|---|---|---|---|---|",
        f"| Whole test suite, `pytest -n auto --dist loadgroup` ({os.cpu_count()} workers) | "
        f"{wall:.0f} s | ≤ {TEST_BUDGET} s | {verdict} | CPU time {cpu:.0f} s; {summary} |",
        "",
        "Ten slowest tests (pytest `--durations`; setup includes the fixture's build, once per "
        "worker for the shipped data):",
        "",
        "```",
        *slowest_tests(output),
        "```",
    ]


def edit_one_belarus_count(raw: Path) -> str:
    """The latest current count of the copy's Belarus counts, plus one; returns its id."""
    import pandas as pd

    path = raw / "belarus" / "prisoner_counts.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    latest = frame.index[frame["metric"] == "current_count"][-1]
    frame.loc[latest, "value"] = str(int(frame.loc[latest, "value"]) + 1)
    frame.to_csv(path, index=False)
    return frame.loc[latest, "record_id"]


def measure_run(scratch: Path) -> list[str]:
    import json

    data = scratch / "data"
    shutil.copytree(REPO / "data" / "raw", data / "raw", ignore=shutil.ignore_patterns("lists"))
    env = {**os.environ, "ANALYSIS_DATA_DIR": str(data),
           "ANALYSIS_FIGURES_DIR": str(scratch / "figures")}
    rows = []
    for label, prepare in (("first run on a fresh copy", None),
                           ("nothing changed", None),
                           ("one Belarus count edited", edit_one_belarus_count)):
        edited = f" ({prepare(data / 'raw')} + 1)" if prepare else ""
        wall, cpu, _ = timed([sys.executable, "-m", "analysis", "run"], env)
        record = json.loads((data / "processed" / "run-record.json").read_text())["phases"]["run"]
        phases = ", ".join(f"{phase} {seconds:.1f} s"
                           for phase, seconds in record["seconds"].items())
        done = (f"{record['notebooks_executed']} of {NOTEBOOKS} notebooks executed, "
                f"{record['charts_drawn']} of {record['charts']} charts and briefing written")
        split = record.get("cpu_seconds", {})
        if split:
            cpu_detail = (f"CPU time {cpu:.1f} s ({split['run']:.1f} s in run's own process, "
                          f"{split['notebooks']:.1f} s in the notebooks' process and kernels)")
        else:
            cpu_detail = f"CPU time {cpu:.1f} s"
        if label == "nothing changed":
            target, passed = f"≤ {NOOP_RUN_BUDGET} s", wall <= NOOP_RUN_BUDGET
        elif prepare:
            build = record["seconds"]["build"]
            target = f"≤ {EDIT_RUN_BUDGET} s + build ({build:.1f} s)"
            passed = wall <= EDIT_RUN_BUDGET + build
        else:
            target, passed = "reported", None
        result = "—" if passed is None else "PASS" if passed else "FAIL"
        rows.append(f"| `make run`, {label}{edited} | {wall:.1f} s | {target} | {result} | "
                    f"{cpu_detail}; {done}; phases: {phases} (notebooks run beside claim, "
                    "readme and figures) |")
    return ["| Measure | Value | Target | Result | Detail |", "|---|---|---|---|---|", *rows]


def section(name: str, title: str, lines: list[str]) -> list[str]:
    load = os.getloadavg()[0]
    return [
        f"<!-- {name} -->",
        "",
        f"## {title}",
        "",
        f"Written by `benchmarks/loops.py` ({datetime.now(UTC):%Y-%m-%d %H:%M UTC}; load "
        f"average {load:.1f} on {os.cpu_count()} cores when it ended); what each figure means: "
        "`benchmarks/README.md`.",
        "",
        *lines,
        "",
        f"<!-- /{name} -->",
    ]


def write_section(lines: list[str], path: Path = RESULTS) -> None:
    """Replace the section between its markers (its first and last line) in ``RESULTS.md``,
    or append it."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    start, end = lines[0], lines[-1]
    block = "\n".join(lines)
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(run: bool = True, tests: bool = True) -> None:
    written = []
    if run:
        with tempfile.TemporaryDirectory(prefix="analysis-loops-") as folder:
            written.append(section("make-run", "`make run`: what a rerun redoes",
                                   measure_run(Path(folder))))
    if tests:
        written.append(section("test-suite", "The whole test suite", measure_tests()))
    for lines in written:
        write_section(lines)
        print("\n".join(lines))


if __name__ == "__main__":
    main(run="--tests-only" not in sys.argv[1:], tests="--run-only" not in sys.argv[1:])
