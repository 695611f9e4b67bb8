"""The one place that knows where files live.

Every location can be moved with an environment variable so that tests, benchmarks and
analysts working on a copy of the data never touch the shipped files:

- ``ANALYSIS_DATA_DIR``: folder holding ``raw/`` and ``processed/`` (default ``<repo>/data``)
- ``ANALYSIS_SHARED_DIR``: the shared research folder (default ``<repo>/../shared``)
- ``ANALYSIS_FIGURES_DIR``: where briefing figures go (default ``<repo>/figures``)
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent


def _env_path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).resolve() if value else default


def data_dir() -> Path:
    return _env_path("ANALYSIS_DATA_DIR", REPO_DIR / "data")


def raw_dir() -> Path:
    return data_dir() / "raw"


DEFAULT_COUNTRY = "belarus"
"""The country every entry point serves unless told otherwise."""

COUNTRY_FILE = "country.yml"


def country_dir(country: str = DEFAULT_COUNTRY) -> Path:
    """A country's raw folder: its ``country.yml`` and its curated tables compiled from sourced
    research, one CSV and one meta.yml each. A country is configured by having this folder."""
    return raw_dir() / country


def countries() -> list[str]:
    """Configured countries: the folders of ``raw/`` that hold a ``country.yml``, default first."""
    found = sorted(path.parent.name for path in raw_dir().glob(f"*/{COUNTRY_FILE}"))
    return sorted(found, key=lambda country: country != DEFAULT_COUNTRY)


def lists_dir() -> Path:
    """Official sanctions list files fetched by ``python -m analysis fetch-lists``."""
    return raw_dir() / "lists"


def processed_root() -> Path:
    """Datasets across countries (``episodes``); each country's own are in a folder below."""
    return data_dir() / "processed"


def processed_dir(country: str = DEFAULT_COUNTRY) -> Path:
    return processed_root() / country


def processed_path(name: str, country: str = DEFAULT_COUNTRY) -> Path:
    return processed_dir(country) / f"{name}.parquet"


def shared_dir() -> Path:
    return _env_path("ANALYSIS_SHARED_DIR", REPO_DIR.parent / "shared")


def official_lists_dir() -> Path:
    return shared_dir() / "official_lists"


def figures_dir() -> Path:
    return _env_path("ANALYSIS_FIGURES_DIR", REPO_DIR / "figures")


def readme_path() -> Path:
    """The README whose results block ``run`` rewrites: the one beside the data folder, so a
    build on other data (tests, benchmarks) never touches the repository's README."""
    return data_dir().parent / "README.md"


def display_path(path: Path) -> str:
    """A path as a reader of an error message wants it: relative to the repo when inside it."""
    path = Path(path)
    for base in (data_dir().parent, REPO_DIR, shared_dir().parent):
        try:
            return str(path.resolve().relative_to(base))
        except ValueError:
            continue
    return str(path)
