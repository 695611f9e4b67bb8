"""Execute the notebooks as an analyst would, top to bottom, on the current data.

The stored notebooks stay without outputs; executed copies go to ``build/notebooks/`` for
reading, and a failing cell stops with the notebook and cell named.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from analysis import paths, run_cache
from analysis.errors import AnalysisError
from analysis.io import READ_LOG_VARIABLE, sha256_file
from analysis.run_cache import file_fingerprint, is_current, key, read_record

NOTEBOOKS_DIR = paths.REPO_DIR / "notebooks"
EXECUTED_DIR = paths.REPO_DIR / "build" / "notebooks"
CELL_TIMEOUT_SECONDS = 600


def notebook_paths(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def execute_notebook(path: Path, output_dir: Path | None = EXECUTED_DIR) -> object:
    """Run every cell of ``path`` in a fresh kernel started in the notebook's folder.

    The kernel talks over local sockets in a private temporary folder rather than TCP, so no
    port is opened and the kernel has nothing to warn about.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    notebook = nbformat.read(path, as_version=4)
    try:
        with tempfile.TemporaryDirectory(prefix="analysis-kernel-") as sockets:
            local_sockets = Config({"KernelManager": {"transport": "ipc",
                                                      "ip": str(Path(sockets) / "kernel")}})
            NotebookClient(notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3",
                           config=local_sockets,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
    except CellExecutionError as error:
        summary = str(error).strip().splitlines()[-1] if str(error).strip() else "error"
        raise AnalysisError(f"{paths.display_path(path)}: a cell failed: {summary}") from None
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, output_dir / path.name)
    return notebook


def execute_all(paths_: list[Path], at_once: int = 2, read_logs: Path | None = None,
                on_success: Callable[[Path], None] | None = None,
                output_dir: Path = EXECUTED_DIR) -> None:
    """Execute notebooks ``at_once`` at a time, each in a process of its own (its client and
    its kernel), so that they share no half-imported module; the first failure is raised with
    its notebook and cell named, after the others have finished.

    With ``read_logs`` (a folder), each notebook's kernel writes the paths of the datasets it
    reads to ``<notebook stem>.log`` there; ``on_success`` is called with each notebook that
    ran through, as it finishes. Executed copies go to ``output_dir``.
    """
    import os
    import subprocess
    import sys

    waiting, running, failures = list(paths_), [], []
    while waiting or running:
        while waiting and len(running) < at_once:
            path = waiting.pop(0)
            env = None if read_logs is None else {
                **os.environ, READ_LOG_VARIABLE: str(read_logs / f"{path.stem}.log")}
            running.append((path, subprocess.Popen(
                [sys.executable, "-m", "analysis.notebooks_run", str(path), str(output_dir)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)))
        path, process = running.pop(0)
        _, error = process.communicate()
        if process.returncode:
            failures.append(error.strip().splitlines()[-1] if error.strip() else
                            f"notebook exited with {process.returncode}")
        elif on_success is not None:
            on_success(path)
    if failures:
        raise AnalysisError(failures[0])


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


def execute_changed(paths_: list[Path], at_once: int = 2,
                    output_dir: Path = EXECUTED_DIR) -> list[Path]:
    """Execute the stale notebooks among ``paths_`` (``execute_all``), and record for each what
    it read; returns those executed."""
    todo = stale_notebooks(paths_, output_dir)

    def record(path: Path) -> None:
        log = logs / f"{path.stem}.log"
        reads = sorted(set(log.read_text(encoding="utf-8").splitlines())) \
            if log.is_file() else []
        run_cache.update_record("notebooks", path.name, run_cache.entry(
            _notebook_key(path, reads, output_dir), [output_dir / path.name], reads=reads))

    with tempfile.TemporaryDirectory(prefix="analysis-reads-") as folder:
        logs = Path(folder)
        execute_all(todo, at_once, read_logs=logs, on_success=record, output_dir=output_dir)
    return todo


if __name__ == "__main__":
    import sys

    try:
        execute_notebook(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2
                         else EXECUTED_DIR)
    except AnalysisError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
