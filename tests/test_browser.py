"""End to end: every notebook runs in JupyterLab, driven through the UI of a real browser.

JupyterLab starts on 127.0.0.1 with a random port and token, on a temporary copy of the
notebooks and of the shipped data (built once per test process); headless Debian Chromium
(installed when missing) opens each notebook, runs Run > Run All Cells, and the test checks
that every cell finished, that no cell shows an error (warnings printed to stderr are fine),
and that a figure is shown. A screenshot per notebook goes to test-output/screenshots/. Under
pytest-xdist these tests run in one process (``ONE_PROCESS`` in conftest.py). Nothing is
saved.
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest

from analysis.notebooks_run import NOTEBOOKS_DIR, notebook_paths
from browser_support import (
    SCREENSHOT_DIR,
    VIEWPORT,
    JupyterLab,
    NotebookDriver,
    find_chromium,
    install_chromium,
    launch_chromium,
)

NOTEBOOKS = notebook_paths()


def _unavailable(reason: str):
    """Missing browser tooling fails in CI and skips (with the reason) elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = find_chromium()
    if path is None:
        path, reason = install_chromium()
        if path is None:
            _unavailable(reason)
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium_executable)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory, shipped_data_built):
    """JupyterLab on copies of the notebooks and of the shipped data (built), shared by all
    notebooks."""
    base = tmp_path_factory.mktemp("jupyterlab")
    notebooks = base / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, notebooks,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    data = base / "data"
    shutil.copytree(shipped_data_built, data)
    lab = JupyterLab(root_dir=notebooks, home=base / "home", extra_env={
        "ANALYSIS_DATA_DIR": str(data),
        "ANALYSIS_FIGURES_DIR": str(base / "figures"),
    })
    lab.start()
    yield lab
    lab.stop()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_jupyterlab(path, jupyterlab, browser):
    name = path.relative_to(NOTEBOOKS_DIR).as_posix()
    context = browser.new_context(viewport=VIEWPORT)
    screenshot = SCREENSHOT_DIR / f"{path.stem}.png"
    screenshot.unlink(missing_ok=True)  # never leave an older run's picture behind
    driver = NotebookDriver(context.new_page(), jupyterlab, name)
    try:
        driver.open()
        view = driver.run_all()
        view.screenshot = driver.screenshot(screenshot)
    except Exception:
        with contextlib.suppress(Exception):
            driver.screenshot(screenshot)  # what the page showed when it went wrong
        raise
    finally:
        context.close()
        jupyterlab.shutdown_kernels()

    problems = view.problems()
    assert not problems, "\n".join([*problems, view.summary()])
