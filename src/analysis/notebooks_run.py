"""Execute the notebooks as an analyst would, top to bottom, on the current data.

The stored notebooks stay without outputs; executed copies go to ``build/notebooks/`` for
reading, and a failing cell stops with the notebook and cell named.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from analysis import catalog, paths, run_cache
from analysis.errors import AnalysisError
from analysis.io import READ_LOG_VARIABLE, sha256_file
from analysis.run_cache import file_fingerprint, is_current, key, read_record

NOTEBOOKS_DIR = paths.REPO_DIR / "notebooks"
EXECUTED_DIR = paths.REPO_DIR / "build" / "notebooks"
CELL_TIMEOUT_SECONDS = 600


def notebook_paths(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def _client(notebook, path: Path, sockets: str):
    """A client for ``notebook`` whose kernel starts in the notebook's folder and talks over
    local sockets in the private folder ``sockets`` rather than TCP, so no port is opened and
    the kernel has nothing to warn about."""
    from nbclient import NotebookClient
    from traitlets.config import Config

    local_sockets = Config({"KernelManager": {"transport": "ipc",
                                              "ip": str(Path(sockets) / "kernel")}})
    return NotebookClient(notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3",
                          config=local_sockets,
                          resources={"metadata": {"path": str(path.parent)}})


def _failed_cell(path: Path, error: Exception) -> AnalysisError:
    summary = str(error).strip().splitlines()[-1] if str(error).strip() else "error"
    return AnalysisError(f"{paths.display_path(path)}: a cell failed: {summary}")


def _write_executed(notebook, path: Path, output_dir: Path | None) -> None:
    import nbformat

    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, output_dir / path.name)


def execute_notebook(path: Path, output_dir: Path | None = EXECUTED_DIR) -> object:
    """Run every cell of ``path`` in a fresh kernel started in the notebook's folder."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    try:
        with tempfile.TemporaryDirectory(prefix="analysis-kernel-") as sockets:
            _client(notebook, path, sockets).execute()
    except CellExecutionError as error:
        raise _failed_cell(path, error) from None
    _write_executed(notebook, path, output_dir)
    return notebook


async def _execute_async(path: Path, output_dir: Path, env: dict[str, str]) -> None:
    """``execute_notebook`` for the event loop of ``serve``, with the kernel's environment."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    try:
        with tempfile.TemporaryDirectory(prefix="analysis-kernel-") as sockets:
            await _client(notebook, path, sockets).async_execute(env=env)
    except CellExecutionError as error:
        raise _failed_cell(path, error) from None
    _write_executed(notebook, path, output_dir)


def serve(output_dir: Path, at_once: int, read_logs: Path | None) -> None:
    """The executing process (``NotebookRunner``): executes each notebook read from stdin (a
    line ``<seconds it took last time><TAB><path>``), ``at_once`` at a time, each in a kernel of
    its own, all clients in one event loop; of those waiting, the one that took longest last
    time starts first, so no long notebook starts last. Prints ``ok<TAB>path<TAB>seconds`` or
    ``failed<TAB>path<TAB>reason`` as each finishes, and returns at the end of stdin once all
    have finished."""
    import nbclient  # noqa: F401  (imported before the first path arrives: see NotebookRunner)

    asyncio.run(_serve(output_dir, at_once, read_logs))


async def _serve(output_dir: Path, at_once: int, read_logs: Path | None) -> None:
    loop = asyncio.get_running_loop()
    arrived: asyncio.Queue[str | None] = asyncio.Queue()

    def read_paths() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(arrived.put_nowait, line.strip())
        loop.call_soon_threadsafe(arrived.put_nowait, None)

    threading.Thread(target=read_paths, daemon=True).start()

    async def one(path: Path) -> None:
        env = dict(os.environ)
        if read_logs is not None:
            env[READ_LOG_VARIABLE] = str(read_logs / f"{path.stem}.log")
        started = time.perf_counter()
        try:
            await _execute_async(path, output_dir, env)
            report = f"ok\t{path}\t{time.perf_counter() - started:.2f}"
        except AnalysisError as error:
            report = f"failed\t{path}\t{error}"
        except Exception as error:  # a kernel that died or timed out: said, not hidden
            lines = str(error).strip().splitlines()
            report = (f"failed\t{path}\t{paths.display_path(path)}: {type(error).__name__}"
                      + (f": {lines[-1]}" if lines else ""))
        print(report, flush=True)

    waiting: list[tuple[float, int, str]] = []
    order = itertools.count()
    running: set[asyncio.Task] = set()
    arriving: asyncio.Task | None = asyncio.ensure_future(arrived.get())
    while arriving is not None or waiting or running:
        while waiting and len(running) < at_once:
            running.add(asyncio.ensure_future(one(Path(heapq.heappop(waiting)[2]))))
        done, _ = await asyncio.wait(running | ({arriving} if arriving else set()),
                                     return_when=asyncio.FIRST_COMPLETED)
        running -= done
        if arriving in done:
            line = arriving.result()
            arriving = None if line is None else asyncio.ensure_future(arrived.get())
            if line:
                seconds, path = line.split("\t", 1)
                heapq.heappush(waiting, (-float(seconds), next(order), path))


class NotebookRunner:
    """The process that executes notebooks (``serve``), started before there is anything to
    execute: importing the notebook client takes over a second (nbformat's schema checks), and
    ``run`` starts it while it builds the data, on the core the build leaves idle. One process
    for every notebook pays that once; each notebook still gets a fresh kernel of its own."""

    def __init__(self, output_dir: Path = EXECUTED_DIR, at_once: int = 2,
                 read_logs: Path | None = None) -> None:
        self._errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "analysis.notebooks_run", "--serve", str(output_dir),
             str(at_once), str(read_logs or "")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors, text=True)
        self.submitted: list[Path] = []

    def submit(self, notebooks: list[Path], seconds: dict[Path, float] | None = None) -> None:
        """Queue ``notebooks`` for execution; with ``seconds`` (what each took last time), the
        longest waiting starts first, otherwise they start in this order."""
        seconds = seconds or {}
        self.submitted += notebooks
        try:
            for path in sorted(notebooks, key=lambda path: -seconds.get(path, 0.0)):
                self._process.stdin.write(f"{seconds.get(path, 0.0)}\t{path}\n")
            self._process.stdin.flush()
        except BrokenPipeError:
            pass  # the process ended early: ``finish`` says why, for each notebook

    def finish(self, on_success: Callable[[Path, float], None] | None = None) -> list[Path]:
        """Wait for every submitted notebook; ``on_success`` is called with each that ran
        through and the seconds it took, as it finishes. Returns those, in the order
        submitted; the first failure in that order is raised with its notebook and cell named,
        after the others have finished. With none submitted, the process is ended rather
        than waited for (it may still be importing)."""
        if not self.submitted:
            self.stop()
            return []
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()
        failures: dict[Path, str] = {}
        succeeded = []
        for line in self._process.stdout:
            outcome, path, *reason = line.rstrip("\n").split("\t", 2)
            if outcome == "ok":
                succeeded.append(Path(path))
                if on_success is not None:
                    on_success(Path(path), float(reason[0]))
            else:
                failures[Path(path)] = reason[0] if reason else "failed"
        self._process.wait()
        self._errors.seek(0)
        errors = self._errors.read().strip()
        self._errors.close()
        unreported = [path for path in self.submitted
                      if path not in failures and path not in succeeded]
        for path in unreported:
            failures[path] = (errors.splitlines()[-1] if errors else
                              f"the notebook process exited with {self._process.returncode}")
        first = next((failures[path] for path in self.submitted if path in failures), None)
        if first is not None:
            raise AnalysisError(first)
        return [path for path in self.submitted if path in succeeded]

    def stop(self) -> None:
        """End the process without waiting for what it runs (nothing to run, or the caller
        failed)."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()
        self._process.stdout.close()
        self._errors.close()


def execute_all(paths_: list[Path], at_once: int = 2, read_logs: Path | None = None,
                on_success: Callable[[Path, float], None] | None = None,
                output_dir: Path = EXECUTED_DIR) -> None:
    """Execute notebooks ``at_once`` at a time (``NotebookRunner``), each in a fresh kernel; the
    first failure is raised with its notebook and cell named, after the others have finished.

    With ``read_logs`` (a folder), each notebook's kernel writes the paths of the datasets it
    reads to ``<notebook stem>.log`` there; ``on_success`` is called with each notebook that
    ran through and its seconds, as it finishes. Executed copies go to ``output_dir``.
    """
    runner = NotebookRunner(output_dir, at_once, read_logs)
    try:
        runner.submit(paths_)
        runner.finish(on_success)
    finally:
        runner.stop()


def _notebook_key(path: Path, reads: list[str], output_dir: Path) -> str:
    """What an executed notebook depends on: its own source, the datasets it read, and the
    countries' ``country.yml`` (``analysis.countries()`` reads them directly); and where its
    executed copy goes."""
    return key(notebook=sha256_file(path), output=str(output_dir / path.name),
               reads={read: file_fingerprint(Path(read)) for read in reads},
               countries={country: sha256_file(paths.country_dir(country) / paths.COUNTRY_FILE)
                          for country in paths.countries()})


def stale_notebooks(paths_: list[Path], output_dir: Path = EXECUTED_DIR) -> list[Path]:
    """The notebooks among ``paths_`` whose source or any dataset they read last time changed
    since their last execution by ``execute_changed``, or whose executed copy is gone or
    changed."""
    done = read_record().get("notebooks", {})
    return [path for path in paths_ if not is_current(
        done.get(path.name),
        _notebook_key(path, done.get(path.name, {}).get("reads", []), output_dir))]


def read_no_dataset_built_on_request(path: Path) -> bool:
    """Whether ``path`` read, when last executed, none of the datasets built only on request
    (the tests of the claim, which ``run`` builds after the data): such a notebook's inputs
    are final once the data are built, so it can start while the claim is tested. A notebook
    never executed may read anything."""
    entry = read_record().get("notebooks", {}).get(path.name)
    on_request = {name for name, spec in catalog.DATASETS.items() if spec.on_request}
    return entry is not None and not any(Path(read).stem in on_request
                                         for read in entry.get("reads", []))


class ChangedNotebooks:
    """Executes the stale notebooks among ``paths_`` and records for each what it read; a
    context manager, started before the data are built (``NotebookRunner``).

    ``submit_stale(ready)`` queues the stale notebooks among those for which ``ready`` is true
    (all that are left by default), judged stale on the datasets as they are then, the longest
    last time first; ``finish`` queues the rest, waits and returns the notebooks executed."""

    def __init__(self, paths_: list[Path], at_once: int = 2,
                 output_dir: Path = EXECUTED_DIR) -> None:
        self._left, self._output_dir = list(paths_), output_dir
        self._logs = tempfile.TemporaryDirectory(prefix="analysis-reads-")
        self._runner = NotebookRunner(output_dir, at_once, Path(self._logs.name))

    def __enter__(self) -> ChangedNotebooks:
        return self

    def __exit__(self, *_) -> None:
        self._runner.stop()
        self._logs.cleanup()

    def submit_stale(self, ready: Callable[[Path], bool] = lambda path: True) -> None:
        now = [path for path in self._left if ready(path)]
        self._left = [path for path in self._left if path not in now]
        done = read_record().get("notebooks", {})
        self._runner.submit(stale_notebooks(now, self._output_dir),
                            {path: done.get(path.name, {}).get("seconds", 0.0) for path in now})

    def finish(self) -> list[Path]:
        self.submit_stale()

        def record(path: Path, seconds: float) -> None:
            log = Path(self._logs.name) / f"{path.stem}.log"
            reads = sorted(set(log.read_text(encoding="utf-8").splitlines())) \
                if log.is_file() else []
            run_cache.update_record("notebooks", path.name, run_cache.entry(
                _notebook_key(path, reads, self._output_dir), [self._output_dir / path.name],
                reads=reads, seconds=seconds))

        return self._runner.finish(on_success=record)


def execute_changed(paths_: list[Path], at_once: int = 2,
                    output_dir: Path = EXECUTED_DIR) -> list[Path]:
    """Execute the stale notebooks among ``paths_`` (``ChangedNotebooks``), and record for each
    what it read; returns those executed."""
    with ChangedNotebooks(paths_, at_once, output_dir) as notebooks:
        return notebooks.finish()


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]) if sys.argv[4] else None)
    else:
        try:
            execute_notebook(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2
                             else EXECUTED_DIR)
        except AnalysisError as error:
            print(error, file=sys.stderr)
            sys.exit(1)
