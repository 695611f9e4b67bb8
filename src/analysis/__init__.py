"""Sanctions versus releases: sourced data on Belarus's political prisoners and sanctions, and
the comparative cases (every folder of ``data/raw`` with a ``country.yml``).

``load(name, country="belarus")`` returns a dataset, rebuilding it first when a raw file
changed. Heavier entry points are imported on first use, so ``import analysis`` stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pandas as pd

from analysis import catalog, paths
from analysis.changelog import changes  # importing it registers the snapshot of every build
from analysis.country import countries_table
from analysis.derive.resolve import ALTERNATIVE_RULE
from analysis.fields import FIELDS
from analysis.notices import figure_weights  # importing it registers the rebuild notice
from analysis.store import build, load

__all__ = ["build", "load", "datasets", "columns", "alternative_panels", "read_sanctions_list",
           "test_claim", "changes", "export", "countries", "base_rate", "coverage_note",
           "figure_weights", "show"]

_LAZY = {
    "read_sanctions_list": "analysis.lists",
    "test_claim": "analysis.claim",
    "export": "analysis.export_safety",
    "base_rate": "analysis.episodes",
    "coverage_note": "analysis.coverage",
    "show": "analysis.display",
}


def countries():
    """The configured countries as a table: country, name, counting organisation and its
    definition of a political prisoner, coverage of its count, the deal-era dates."""
    return countries_table()


def datasets(country: str = "belarus"):
    """The catalog as a table: name, description, upstream datasets and raw inputs (those of
    ``country``), and which datasets it has."""
    return pd.DataFrame([
        {"name": spec.name, "description": spec.description,
         "upstream": ", ".join(spec.upstream),
         "inputs": ", ".join(paths.display_path(p) for p in spec.inputs(country)),
         "built_for_country": spec.name in catalog.CROSS_COUNTRY
         or catalog.applies(spec.name, country)}
        for spec in [*catalog.DATASETS.values(), *catalog.CROSS_COUNTRY.values()]
    ])


def columns(name: str, country: str = "belarus"):
    """A dataset's columns with their type and description (built first if stale)."""
    frame = load(name, country)
    return pd.DataFrame({
        "column": frame.columns,
        "dtype": [str(dtype) for dtype in frame.dtypes],
        "description": [FIELDS.get(column, "") for column in frame.columns],
    })


def alternative_panels(country: str = "belarus"):
    """The monthly panel under each alternative conflict-resolution rule, keyed by rule name:
    what the tests of the claim are rerun on to see whether a verdict hangs on the rule."""
    # The model (scipy) and the cleaners (pandera): not for a plain ``import analysis``.
    from analysis.derive.panel import panel_under_rule
    from analysis.sources.curated import read_series_coverage

    inputs = [load(name, country) if catalog.applies(name, country) else None
              for name in ("prisoner_counts", "release_events", "sanctions_timeline",
                           "sanctions_designations")]
    panel = panel_under_rule(*inputs, ALTERNATIVE_RULE,
                             read_series_coverage(paths.country_dir(country)), country)
    return {f"rule {ALTERNATIVE_RULE.name}": panel}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
