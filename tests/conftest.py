"""Shared fixtures: every test that builds data does so in a temporary data folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis import paths

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES = TESTS_DIR / "fixtures"


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
def _copy_of_shipped_data(folder: Path) -> Iterator[Path]:
    """For module-scoped fixtures (which cannot use monkeypatch): a copy of the shipped raw data
    in ``folder``, with ANALYSIS_DATA_DIR pointing at it until the block ends."""
    target = folder / "data"
    shutil.copytree(paths.REPO_DIR / "data" / "raw", target / "raw",
                    ignore=shutil.ignore_patterns("lists"))
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
def shipped_data_copy():
    """The context manager above, as a fixture: test modules cannot import ``conftest`` by name
    reliably (pytest may have imported tests/lists/conftest.py under that name first)."""
    return _copy_of_shipped_data


@pytest.fixture
def shipped_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped raw data, so tests can build and edit it freely."""
    target = tmp_path / "data"
    shutil.copytree(paths.REPO_DIR / "data" / "raw", target / "raw",
                    ignore=shutil.ignore_patterns("lists"))
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
