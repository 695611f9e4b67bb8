"""Benchmarks of the data layer at scale; rewrites benchmarks/RESULTS.md (``make benchmark``).

Every measurement runs in a fresh subprocess on copies in a temporary folder (via
ANALYSIS_DATA_DIR), so the shipped data is never touched and each figure includes exactly the
work named. Times are the best of a few runs, because other work on a shared machine only ever
adds time; ratios compare figures taken in the same run on the same machine. These are not
tests: timings live here, not in the test suite. What falls short is profiled with cProfile
and the top of the profile is written into RESULTS.md.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

COUNT_ROWS = 1_000_000
LIST_RECORDS = 100_000
LIST_SCALE_RECORDS = [1_000, 1_000_000]
"""The list parse again at a tiny and a large size: what memory costs whatever the size, and
what it costs per byte once that fixed part no longer dominates."""
REPEATS = 3
FRESH_PROCESS_REPEATS = 5
CURATED_TABLES = ["prisoner_counts", "release_events", "relief_events", "sanctions_measures"]
RESULTS = HERE / "RESULTS.md"


MAKE_RUN_BUDGET = 60
"""Seconds `make run` may take on a 2-core machine with three countries (45 s was the budget
with Belarus alone, before the comparative cases)."""


def worker(task: str, args: dict) -> dict:
    """Run one measured task in this (fresh) process and return its figures.

    Everything the task imports is imported before the baseline is taken, so a peak counts
    the memory the work itself needed, not the interpreter and libraries (``rss_before_mb``).
    """
    import resource

    import pyarrow.compute
    import pyarrow.csv
    import pyarrow.parquet  # noqa: F401

    if task != "pyarrow":
        import analysis.lists
        import analysis.sources.curated
        import analysis.store
        import analysis.validate  # noqa: F401
    if task == "pyarrow":
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        def work() -> None:
            options = {}
            if args.get("headerless"):
                options = {"read_options": pacsv.ReadOptions(autogenerate_column_names=True),
                           "parse_options": pacsv.ParseOptions(
                               invalid_row_handler=lambda row: "skip")}
            pq.write_table(pacsv.read_csv(args["csv"], **options), args["out"])
    elif task == "build":
        from analysis import store

        def work() -> None:
            store.build(args.get("names"), force=args.get("force", False))
    elif task == "list":
        from analysis.io import write_parquet_atomic
        from analysis.lists import read_sanctions_list

        def work() -> None:
            frame = read_sanctions_list(Path(args["path"]), format=args["format"])
            write_parquet_atomic(frame, Path(args["out"]), {"benchmark": True})
    elif task == "load":
        import analysis

        analysis.load(args["name"])
        times = []
        for _ in range(args["times"]):
            start = time.perf_counter()
            analysis.load(args["name"])
            times.append(time.perf_counter() - start)
        return {"seconds": statistics.median(times)}
    else:
        raise ValueError(task)
    before = resident_mb()
    if args.get("profile"):
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(work)
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(25)
        return {"profile": buffer.getvalue()}
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rss_before_mb": before,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def resident_mb() -> float:
    """Memory resident now; the high-water mark would hide the work under a peak of the imports."""
    statm = Path("/proc/self/statm")
    if statm.is_file():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def used_mb(run: dict) -> float:
    return run["peak_mb"] - run["rss_before_mb"]


def run_worker(task: str, args: dict, data_dir: Path | None = None) -> dict:
    env = dict(os.environ)
    if data_dir is not None:
        env["ANALYSIS_DATA_DIR"] = str(data_dir)
    result = subprocess.run([sys.executable, __file__, "--worker", task, json.dumps(args)],
                            capture_output=True, text=True, env=env, check=False)
    if result.returncode:
        raise RuntimeError(f"{task} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def best_of(task: str, args: dict, data_dir: Path | None = None, repeats: int = REPEATS
            ) -> dict:
    runs = [run_worker(task, args, data_dir) for _ in range(repeats)]
    return min(runs, key=lambda run: run["seconds"])


def wall_time(command: list[str], env: dict, repeats: int = 1) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - start)
    return min(times)


def data_copy(target: Path, raw: Path) -> Path:
    shutil.copytree(raw, target / "raw")
    return target


def shipped_raw() -> tuple[Path, str]:
    raw = REPO / "data" / "raw"
    if all((raw / "belarus" / f"{table}.csv").is_file() for table in CURATED_TABLES):
        return raw, "shipped data (data/raw)"
    staged = Path(tempfile.mkdtemp()) / "raw"
    shutil.copytree(REPO / "tests" / "fixtures" / "curated", staged / "belarus")
    shutil.copy(raw / "belarus" / "country.yml", staged / "belarus" / "country.yml")
    return staged, "test fixtures (tests/fixtures/curated; data/raw/belarus was incomplete)"


def edit_notes(path: Path) -> None:
    """Append to the first record's notes: a real edit that keeps the file valid."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame.index[0], "notes"] = frame.loc[frame.index[0], "notes"] + " (edited)"
    frame.to_csv(path, index=False)


def measure(scratch: Path) -> tuple[list[dict], dict[str, str], dict[str, str]]:
    from synthetic import write_ofac_sdn, write_prisoner_counts

    rows: list[dict] = []
    profiles: dict[str, str] = {}

    def add(name: str, value: float, unit: str, target: str, passed: bool, detail: str = ""
            ) -> None:
        rows.append({"name": name, "value": value, "unit": unit, "target": target,
                     "passed": passed, "detail": detail})

    def add_memory(name: str, ours: dict, baseline: dict, size_mb: float) -> None:
        grown, grown_pyarrow = used_mb(ours), used_mb(baseline)
        add(name, grown / size_mb, "×", "≤ 3", grown / size_mb <= 3,
            f"the work's own memory: peak RSS {ours['peak_mb']:.0f} MB less "
            f"{ours['rss_before_mb']:.0f} MB for the interpreter and imported libraries = "
            f"{grown:.0f} MB for a {size_mb:.0f} MB input; plain pyarrow: {grown_pyarrow:.0f} MB "
            f"({grown_pyarrow / size_mb:.1f}×)")

    counts_dir = scratch / "counts"
    shutil.copytree(REPO / "tests" / "fixtures" / "curated", counts_dir / "raw" / "belarus")
    shutil.copy(REPO / "data" / "raw" / "belarus" / "country.yml",
                counts_dir / "raw" / "belarus" / "country.yml")
    counts_csv = write_prisoner_counts(counts_dir / "raw" / "belarus" / "prisoner_counts.csv",
                                       COUNT_ROWS)
    size_mb = counts_csv.stat().st_size / 2**20
    baseline = best_of("pyarrow", {"csv": str(counts_csv), "out": str(scratch / "pa.parquet")})
    build_args = {"names": ["prisoner_counts"], "force": True}
    ours = best_of("build", build_args, counts_dir)
    ratio = baseline["seconds"] / ours["seconds"]
    add(f"Cleaning throughput, {COUNT_ROWS:,}-row prisoner_counts ({size_mb:.0f} MB): "
        "plain pyarrow CSV→Parquet time / our build time", ratio, "×", "≥ 0.5", ratio >= 0.5,
        f"pyarrow {baseline['seconds']:.2f} s, our build {ours['seconds']:.2f} s "
        f"({COUNT_ROWS / ours['seconds']:,.0f} rows/s)")
    if ratio < 0.5:
        profiles["prisoner_counts build"] = run_worker("build", {**build_args, "profile": True},
                                                       counts_dir)["profile"]
    add_memory("Peak memory of that build / input file size", ours, baseline, size_mb)

    sdn = write_ofac_sdn(scratch / "ofac", LIST_RECORDS)
    size_mb = sdn.stat().st_size / 2**20
    baseline = best_of("pyarrow", {"csv": str(sdn), "out": str(scratch / "pa_list.parquet"),
                                   "headerless": True})
    list_args = {"path": str(sdn.parent), "format": "ofac_csv",
                 "out": str(scratch / "list.parquet")}
    ours = best_of("list", list_args)
    ratio = baseline["seconds"] / ours["seconds"]
    add(f"Cleaning throughput, {LIST_RECORDS:,}-record OFAC sdn.csv ({size_mb:.0f} MB): "
        "plain pyarrow CSV→Parquet time / our parse-and-write time", ratio, "×", "≥ 0.5",
        ratio >= 0.5, f"pyarrow {baseline['seconds']:.2f} s, ours {ours['seconds']:.2f} s")
    if ratio < 0.5:
        profiles["OFAC sdn.csv parse"] = run_worker("list", {**list_args, "profile": True}
                                                    )["profile"]
    add_memory("Peak memory of that parse / input file size", ours, baseline, size_mb)
    for records in LIST_SCALE_RECORDS:
        sdn = write_ofac_sdn(scratch / f"ofac{records}", records)
        size_mb = sdn.stat().st_size / 2**20
        baseline = best_of("pyarrow", {"csv": str(sdn), "headerless": True,
                                       "out": str(scratch / "pa_list.parquet")})
        ours = best_of("list", {**list_args, "path": str(sdn.parent)})
        add(f"Same parse at {records:,} records ({size_mb:.1f} MB): time ratio; memory",
            baseline["seconds"] / ours["seconds"], "×", "reported", True,
            f"ours {ours['seconds']:.2f} s and {used_mb(ours):.0f} MB "
            f"({used_mb(ours) / size_mb:.1f}× the input); plain pyarrow "
            f"{baseline['seconds']:.2f} s and {used_mb(baseline):.0f} MB "
            f"({used_mb(baseline) / size_mb:.1f}×)")

    raw, source = shipped_raw()
    shipped = data_copy(scratch / "shipped", raw)
    full = best_of("build", {"force": True}, shipped)
    add("Full build (all datasets, in a running process)", full["seconds"], "s",
        "reported", True, "build(force=True) after the imports")
    env = {**os.environ, "ANALYSIS_DATA_DIR": str(data_copy(scratch / "cli", raw))}
    cli_seconds = wall_time([sys.executable, "-m", "analysis", "build"], env)
    add("Full build from the command line on a fresh copy", cli_seconds, "s", "reported", True,
        "`python -m analysis build`, interpreter start and imports included")

    ratios = {}
    for table in CURATED_TABLES:
        rebuilds = []
        for _ in range(REPEATS):
            edit_notes(shipped / "raw" / "belarus" / f"{table}.csv")
            rebuilds.append(run_worker("build", {}, shipped)["seconds"])
        ratios[table] = min(rebuilds) / full["seconds"]
    worst = max(ratios, key=ratios.get)
    add("Rebuild after editing one raw file / full build (worst file)", ratios[worst], "×",
        "≤ 0.25", ratios[worst] <= 0.25,
        "best of 3 edits each: "
        + ", ".join(f"{table} {value:.2f}" for table, value in ratios.items()))

    env = {**os.environ, "ANALYSIS_DATA_DIR": str(shipped)}
    importing = wall_time([sys.executable, "-c", "import pandas"], env, FRESH_PROCESS_REPEATS)
    loading = wall_time([sys.executable, "-c", "import analysis; analysis.load('panel_monthly')"],
                        env, FRESH_PROCESS_REPEATS)
    add("No-op load('panel_monthly') in a fresh process / `python -c \"import pandas\"`",
        loading / importing, "×", "≤ 1.5", loading / importing <= 1.5,
        f"{loading:.2f} s against {importing:.2f} s")
    warm = run_worker("load", {"name": "panel_monthly", "times": 20}, shipped)["seconds"]
    add("load('panel_monthly') of an already built table", warm * 1000, "ms", "≤ 50",
        warm <= 0.05, "median of 20 calls in a running process")

    run_dir = data_copy(scratch / "run", raw)
    env = {**os.environ, "ANALYSIS_DATA_DIR": str(run_dir),
           "ANALYSIS_FIGURES_DIR": str(scratch / "figures")}
    name = "`make run` main job (`python -m analysis run` on a fresh copy of the data)"
    try:
        seconds = wall_time([sys.executable, "-m", "analysis", "run"], env)
    except subprocess.CalledProcessError as error:
        add(name, float("nan"), "s", f"≤ {MAKE_RUN_BUDGET}", False,
            "failed: " + error.stderr.decode(errors="replace").strip().splitlines()[-1])
    else:
        add(name, seconds, "s", f"≤ {MAKE_RUN_BUDGET}", seconds <= MAKE_RUN_BUDGET,
            "build, stock-flow model, notebooks, claim tests with power simulations, briefing "
            "figures")
    return rows, profiles, {"data": source}


def machine() -> dict[str, str]:
    import numpy
    import pandas
    import pandera
    import pyarrow

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=REPO, check=False).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} "
                   f"{platform.release()}",
        "software": f"Python {platform.python_version()}, pandas {pandas.__version__}, "
                    f"pyarrow {pyarrow.__version__}, pandera {pandera.__version__}, "
                    f"numpy {numpy.__version__}",
        "commit": commit or "unknown",
    }


def write_results(rows: list[dict], profiles: dict[str, str], context: dict[str, str]) -> None:
    def shown(row: dict) -> str:
        value = row["value"]
        return f"{value:.2f} {row['unit']}" if row["unit"] != "ms" else f"{value:.1f} ms"

    lines = [
        "# Benchmark results",
        "",
        "Written by `benchmarks/run.py` (`make benchmark`); do not edit by hand. What each "
        "measure means, and why some fall short: `benchmarks/README.md`.",
        "",
        *(f"- **{key}**: {value}" for key, value in {**machine(), **context}.items()),
        "",
        "| Measure | Value | Target | Result | Detail |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        verdict = "—" if row["target"] == "reported" else ("PASS" if row["passed"] else "FAIL")
        lines.append(f"| {row['name']} | {shown(row)} | {row['target']} | {verdict} | "
                     f"{row['detail']} |")
    if profiles:
        lines += ["", "## Profiles of what falls short", "",
                  "cProfile, sorted by cumulative time, top entries only.", ""]
        for name, text in profiles.items():
            kept = [line.rstrip() for line in text.splitlines()
                    if line.strip() and not line.startswith(("   Ordered", "   List"))]
            lines += [f"### {name}", "", "```", *kept, "```", ""]
    RESULTS.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def main() -> None:
    from flows_validation import main as validate_flows
    from loops import main as measure_loops

    if "--loops" in sys.argv[1:]:
        measure_loops()
        return
    with tempfile.TemporaryDirectory(prefix="analysis-benchmark-") as folder:
        rows, profiles, context = measure(Path(folder))
    write_results(rows, profiles, context)
    validate_flows()
    measure_loops()
    for row in rows:
        print(f"{row['name']}: {row['value']:.3f} {row['unit']} (target {row['target']})")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], json.loads(sys.argv[3]))))
    else:
        main()
