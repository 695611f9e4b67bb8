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
