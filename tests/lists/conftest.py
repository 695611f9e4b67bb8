"""Locations of the real official lists (shared folder) and the hand-written fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import paths

LIST_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lists"


@pytest.fixture(scope="session")
def official_lists() -> Path:
    """The real list files; CI must have them, elsewhere their tests are skipped."""
    folder = paths.official_lists_dir()
    if not folder.is_dir():
        message = (f"official lists folder {folder} is missing (set ANALYSIS_SHARED_DIR to the "
                   "shared folder holding official_lists/)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


@pytest.fixture(scope="session")
def list_fixtures() -> Path:
    return LIST_FIXTURES
