"""Execute the notebooks as an analyst would, top to bottom, on the current data.

The stored notebooks stay without outputs; executed copies go to ``build/notebooks/`` for
reading, and a failing cell stops with the notebook and cell named.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from analysis import paths
from analysis.errors import AnalysisError

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


def execute_all(paths_: list[Path], at_once: int = 2) -> None:
    """Execute notebooks ``at_once`` at a time, each in a process of its own (its client and
    its kernel), so that they share no half-imported module; the first failure is raised with
    its notebook and cell named, after the others have finished."""
    import subprocess
    import sys

    waiting, running, failures = list(paths_), [], []
    while waiting or running:
        while waiting and len(running) < at_once:
            path = waiting.pop(0)
            running.append(subprocess.Popen(
                [sys.executable, "-m", "analysis.notebooks_run", str(path)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        process = running.pop(0)
        _, error = process.communicate()
        if process.returncode:
            failures.append(error.strip().splitlines()[-1] if error.strip() else
                            f"notebook exited with {process.returncode}")
    if failures:
        raise AnalysisError(failures[0])


if __name__ == "__main__":
    import sys

    try:
        execute_notebook(Path(sys.argv[1]))
    except AnalysisError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
