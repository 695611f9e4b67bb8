"""Shared fixtures: every test that builds data does so in a temporary data folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest

from analysis import paths

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES = TESTS_DIR / "fixtures"


ONE_PROCESS = ("test_browser.py",)
"""Test modules whose tests share one process under pytest-xdist: the browser tests share one
JupyterLab (a port) and one browser."""


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadgroup`` (as ``make test`` runs), with the tests of ``ONE_PROCESS`` as one
    group. pytest-xdist 3.8 groups by renaming node ids in each worker, which pytest 9 ignores,
    so its ``xdist_group`` marks have no effect: the group is set here, on the controller."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ModuleGroups(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module.endswith(ONE_PROCESS) else super()._split_scope(nodeid)

    return ModuleGroups(config, log)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder holding the small synthetic curated tables from tests/fixtures/curated as
    the default country's tables, with the shipped ``country.yml`` of that country.

    The shared folder points to an empty one, so no official list is read: the designation
    columns are missing, and builds stay fast.
    """
    target = tmp_path / "data"
    country = target / "raw" / paths.DEFAULT_COUNTRY
    shutil.copytree(FIXTURES / "curated", country)
    shutil.copy(paths.REPO_DIR / "data" / "raw" / paths.DEFAULT_COUNTRY / paths.COUNTRY_FILE,
                country / paths.COUNTRY_FILE)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(target))
    monkeypatch.setenv("ANALYSIS_SHARED_DIR", str(tmp_path / "no-shared"))
    return target


@contextmanager
def _data_dir_set_to(target: Path) -> Iterator[Path]:
    """ANALYSIS_DATA_DIR pointing at ``target`` until the block ends (for fixtures wider than a
    test, which cannot use monkeypatch)."""
    previous = os.environ.get("ANALYSIS_DATA_DIR")
    os.environ["ANALYSIS_DATA_DIR"] = str(target)
    try:
        yield target
    finally:
        if previous is None:
            os.environ.pop("ANALYSIS_DATA_DIR")
        else:
            os.environ["ANALYSIS_DATA_DIR"] = previous


@pytest.fixture(scope="session")
def shipped_data_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped raw data with every dataset built: each country's (the claim
    tests' included) and the episodes. Built once per test process (under pytest-xdist, once
    per worker, in the worker's own temporary folder); tests never use it directly but get a
    copy (``shipped_data_dir``, ``shipped_data_copy``), so each may edit and rebuild its own,
    and a copy's datasets are fresh: the build is done and only what a test changes is redone.
    """
    import analysis
    from analysis import catalog, store

    target = tmp_path_factory.mktemp("shipped-built") / "data"
    shutil.copytree(paths.REPO_DIR / "data" / "raw", target / "raw",
                    ignore=shutil.ignore_patterns("lists"))
    with _data_dir_set_to(target):
        for country in paths.countries():
            store.build(report_quarantine=False, country=country)
        store.build(["claim_power", "claim_verdicts"], report_quarantine=False)
        for name in catalog.CROSS_COUNTRY:
            analysis.load(name)
    return target


def _copy_of_built(built: Path, folder: Path) -> Path:
    target = folder / "data"
    shutil.copytree(built, target)
    return target


@contextmanager
def _copy_of_shipped_data(built: Path, folder: Path) -> Iterator[Path]:
    """For module-scoped fixtures (which cannot use monkeypatch): a copy of the shipped data,
    built, in ``folder``, with ANALYSIS_DATA_DIR pointing at it until the block ends."""
    with _data_dir_set_to(_copy_of_built(built, folder)) as target:
        yield target


@pytest.fixture(scope="session")
def shipped_data_copy(shipped_data_built: Path):
    """The context manager above, as a fixture taking the folder: test modules cannot import
    ``conftest`` by name reliably (pytest may have imported tests/lists/conftest.py under that
    name first)."""
    return partial(_copy_of_shipped_data, shipped_data_built)


@pytest.fixture
def shipped_data_dir(shipped_data_built: Path, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped data with its datasets built, so tests can load, edit and rebuild
    it freely."""
    target = _copy_of_built(shipped_data_built, tmp_path)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(target))
    return target


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared research folder; CI must have it, elsewhere its tests are skipped."""
    folder = paths.shared_dir()
    if not folder.is_dir():
        message = f"shared folder {folder} is missing (set ANALYSIS_SHARED_DIR)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder
