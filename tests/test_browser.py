"""End to end: every notebook runs in JupyterLab, driven through the UI of a real browser.

JupyterLab starts on 127.0.0.1 with a random port and token at the root of a temporary copy
of the project (notebooks and the shipped data, built once per test process), as ``make lab``
does; headless Debian Chromium (installed when missing) opens each notebook, runs Run > Run All
Cells, and the test checks that every cell finished, that no cell shows an error or a warning,
that no output is wider than the pane, and that a figure is shown. The analyst's loop is driven
the same way: a raw table edited in JupyterLab's editor and saved, the notebook run again, and
what it says read from the page. Screenshots go to test-output/screenshots/. Under
pytest-xdist these tests run in one process (``ONE_PROCESS`` in conftest.py). No notebook is
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
    FileEditorDriver,
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


def _lab_on_a_copy(base, built):
    """JupyterLab at the root of a copy of the notebooks and of the shipped data (built)."""
    shutil.copytree(NOTEBOOKS_DIR, base / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(built, base / "data")
    return JupyterLab(root_dir=base, home=base / "home", extra_env={
        "ANALYSIS_DATA_DIR": str(base / "data"),
        "ANALYSIS_FIGURES_DIR": str(base / "figures"),
    })


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory, shipped_data_built):
    """JupyterLab shared by all notebooks."""
    lab = _lab_on_a_copy(tmp_path_factory.mktemp("jupyterlab"), shipped_data_built)
    lab.start()
    yield lab
    lab.stop()


@pytest.fixture
def own_jupyterlab(tmp_path, shipped_data_built):
    """JupyterLab on a copy of its own, for a test that edits the raw data."""
    lab = _lab_on_a_copy(tmp_path, shipped_data_built)
    lab.start()
    yield lab
    lab.stop()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(900)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_jupyterlab(path, jupyterlab, browser):
    name = path.relative_to(NOTEBOOKS_DIR.parent).as_posix()
    context = browser.new_context(viewport=VIEWPORT)
    screenshot = SCREENSHOT_DIR / f"{path.stem}.png"
    screenshot.unlink(missing_ok=True)  # never leave an older run's picture behind
    driver = NotebookDriver(context.new_page(), jupyterlab, name)
    try:
        driver.open()
        view = driver.run_all()
        view.screenshot = driver.screenshot(screenshot)
        driver.screenshot_of_widest_table(SCREENSHOT_DIR / f"{path.stem}_table.png")
    except Exception:
        with contextlib.suppress(Exception):
            driver.screenshot(screenshot)  # what the page showed when it went wrong
        raise
    finally:
        context.close()
        jupyterlab.shutdown_kernels()

    problems = view.problems()
    assert not problems, "\n".join([*problems, view.summary()])


COMPARATIVE = next(path for path in NOTEBOOKS if path.name.startswith("05_"))
VENEZUELA_COUNTS = "data/raw/venezuela/prisoner_counts.csv"
TWIN_OF_THE_USED = "pc2247,2026-02-19,day,false,,current_count,700,"
"""Venezuela's figure of 19 Feb 2026 that the conflict rule sets aside for its twin (600)."""
A_COUNT = "pc2221,2026-01-10,day,false,,current_count,803,"


def _run(context, lab, name: str) -> tuple[NotebookDriver, object]:
    driver = NotebookDriver(context.new_page(), lab, name)
    driver.open()
    return driver, driver.run_all()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(1500)
def test_an_edit_in_jupyterlab_and_a_rerun_say_what_happened(own_jupyterlab, browser):
    """The analyst's loop in the browser: notebook 05 run, two Venezuela figures edited in
    JupyterLab's editor (one its conflict twin overrides, one written "1,150"), the notebook
    run again: it names the rebuilt datasets, the figure not used and the quarantined row with
    its thousands separator, once. Then a TAB in country.yml: one line in the page."""
    lab, name = own_jupyterlab, COMPARATIVE.relative_to(NOTEBOOKS_DIR.parent).as_posix()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        _, first = _run(context, lab, name)
        assert not first.problems(), "\n".join([*first.problems(), first.summary()])
        jupyterlab_shutdown_pages(context)

        editor = FileEditorDriver(context.new_page(), lab, VENEZUELA_COUNTS)
        editor.open()
        editor.replace(TWIN_OF_THE_USED, TWIN_OF_THE_USED.replace(",700,", ",1400,"))
        editor.replace(A_COUNT, A_COUNT.replace(",803,", ',"1,150",'))
        editor.save(lab.root_dir / VENEZUELA_COUNTS, '"1,150"')
        editor.page.screenshot(path=SCREENSHOT_DIR / "edit_in_jupyterlab.png")
        editor.page.close()

        driver, second = _run(context, lab, name)
        texts = [output["text"] for output in driver.outputs()]
        shown = "\n".join(texts)
        assert "venezuela: rebuilt prisoner_counts" in shown, shown
        assert "modelled count moved" in shown, "the notice says what the model did"
        assert ("pc2247 (data/raw/venezuela/prisoner_counts.csv line 248) was not used: "
                "pc2246 (600) wins the conflict rule") in shown, shown
        notices = [text for text in texts if "quarantined and left out" in text]
        assert len(notices) == 1, f"one quarantine notice, not {len(notices)}: {notices}"
        assert ("prisoner_counts.csv: 1 of 251 rows quarantined and left out (1 row: a "
                "thousands separator in `value`") in notices[0]
        assert "python -m analysis quarantine --country venezuela" in notices[0]
        assert not second.errors(), second.errors()
        driver.screenshot_of("quarantined and left out", SCREENSHOT_DIR / "rebuild_notice.png")
        driver.page.close()

        belarus = lab.root_dir / "data" / "raw" / "belarus" / "country.yml"
        line = next(number for number, text in enumerate(
            belarus.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("  "))
        indented = belarus.read_text(encoding="utf-8").splitlines()[line - 1]
        editor = FileEditorDriver(context.new_page(), lab, "data/raw/belarus/country.yml")
        editor.open()
        editor.replace(indented, "\t" + indented.lstrip(" "))
        editor.save(belarus, "\t")
        editor.page.close()

        driver, broken = _run(context, lab, name)
        errors = [output["text"].strip() for output in driver.outputs()
                  if output["mime"] == "application/vnd.jupyter.stderr"]
        # The first cell to load data fails. On a loaded machine a cell queued behind it can
        # reach the kernel after the kernel has aborted its queue, and fails the same way (seen
        # in CI): each failing cell must show the same single line.
        assert errors and all(error == errors[0] for error in errors), errors
        assert "\n" not in errors[0], errors[0]
        assert errors[0].startswith(f"InputError: data/raw/belarus/country.yml, line {line}, "
                                    "column 1: expected valid YAML"), errors[0]
        assert "indent with spaces, not a TAB" in errors[0]
        assert "Traceback" not in errors[0]
        driver.screenshot_of("InputError", SCREENSHOT_DIR / "one_line_error.png")
    finally:
        context.close()
        lab.shutdown_kernels()


def jupyterlab_shutdown_pages(context) -> None:
    """Close the pages (not the kernels): the analyst's kernel stays, as in a real session."""
    for page in context.pages:
        page.close()
