"""The same inputs give the same tracked outputs, whatever the machine's thread settings.

Two builds of the shipped data run in separate processes, one with every numerical library
limited to one thread and one to two, each into its own data, figures and README folder; the
figures, briefing.pdf and the README results block must be byte for byte the same. Floating
point noise in the model's last digits must not reach a tracked file (``style.as_drawn``).
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import paths

BUILD = """
from analysis import cli
cli._build_countries(None, False, None)
verdicts = cli._test_claim_and_record()
cli._write_readme_results(verdicts)
cli._export_figures_with_progress(verdicts)
"""
"""What ``make run`` writes to tracked files (the README results block and figures/), without
executing the notebooks, whose outputs are not tracked."""

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _build(folder: Path, threads: int, raw: Path, readme: str) -> dict[str, str]:
    """Build ``raw`` into ``folder`` with ``threads`` threads per numerical library; returns the
    sha256 of every tracked output written."""
    shutil.copytree(raw, folder / "data" / "raw")
    (folder / "README.md").write_text(readme, encoding="utf-8")
    environment = {**os.environ, "ANALYSIS_DATA_DIR": str(folder / "data"),
                   "ANALYSIS_FIGURES_DIR": str(folder / "figures"),
                   **{variable: str(threads) for variable in THREAD_VARIABLES}}
    subprocess.run([sys.executable, "-c", BUILD], env=environment, check=True,
                   capture_output=True, timeout=1200)
    outputs = sorted((folder / "figures").iterdir()) + [folder / "README.md"]
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in outputs}


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_two_builds_with_different_thread_settings_write_the_same_files(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(paths.REPO_DIR / "data" / "raw", raw, ignore=shutil.ignore_patterns("lists"))
    readme = (paths.REPO_DIR / "README.md").read_text(encoding="utf-8")
    one = _build(tmp_path / "one_thread", 1, raw, readme)
    two = _build(tmp_path / "two_threads", 2, raw, readme)
    assert len(one) > 1 and "briefing.pdf" in one
    assert {name for name in one if one[name] != two.get(name)} == set()
    assert one.keys() == two.keys()


def test_saved_files_carry_no_date_and_no_library_version(tmp_path):
    """A rerun, or a matplotlib upgrade that draws the same chart, writes the same bytes."""
    import matplotlib

    from analysis import style

    figure, axis = style.new_figure()
    axis.plot([0, 1], [0, 1])
    for path in style.save_figure(figure, "chart", tmp_path):
        content = path.read_bytes()
        assert matplotlib.__version__.encode() not in content, path.name
        assert b"CreationDate" not in content and b"<dc:date>" not in content, path.name
