"""The import contracts of pyproject.toml (README, Architecture): they hold, and they catch an
upward import or a cycle added to a copy of the package."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import paths

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source: Path, config: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the package under ``source`` with the contracts in ``config``."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
                          cwd=config.parent, env={"PYTHONPATH": str(source), "PATH": ""},
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def package_copy(tmp_path):
    """A copy of ``src/analysis`` and of pyproject.toml to break."""
    shutil.copytree(paths.PACKAGE_DIR, tmp_path / "src" / "analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(paths.REPO_DIR / "pyproject.toml", tmp_path)
    return tmp_path


def add_import(module: Path, statement: str) -> None:
    text = module.read_text()
    marker = "from __future__ import annotations\n"
    module.write_text(text.replace(marker, f"{marker}\n{statement}\n", 1))


def test_the_package_keeps_its_import_contracts():
    result = lint_imports(paths.REPO_DIR / "src", paths.REPO_DIR / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_the_build_engine_importing_what_it_builds_breaks_the_contracts(package_copy):
    add_import(package_copy / "src" / "analysis" / "store.py", "import analysis.episodes")
    result = lint_imports(package_copy / "src", package_copy / "pyproject.toml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Layers: each imports only from below (README, Architecture) BROKEN" in result.stdout
    assert "imports no module that builds, reads or reports a dataset BROKEN" in result.stdout
    assert "analysis.store -> analysis.episodes" in result.stdout


def test_a_cycle_inside_a_layer_breaks_the_contracts(package_copy):
    """``sources`` imports ``validate``, in the same layer: the reverse makes a cycle."""
    add_import(package_copy / "src" / "analysis" / "validate.py", "import analysis.sources")
    result = lint_imports(package_copy / "src", package_copy / "pyproject.toml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No import cycle between the modules of any package BROKEN" in result.stdout


def test_an_import_inside_a_function_says_why():
    """Only to keep a heavy library (pandera, scipy, matplotlib, openpyxl) off a no-op
    ``load()`` or a command that does not need it, with the reason beside it."""
    unexplained = []
    for module in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        lines = module.read_text().splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis")
                        and "#" not in lines[node.lineno - 1]
                        and not lines[node.lineno - 2].strip().startswith("#")
                        and not lines[node.lineno - 3].strip().startswith("#")):
                    unexplained.append(f"{module.relative_to(paths.PACKAGE_DIR)}:{node.lineno}")
    assert not unexplained
