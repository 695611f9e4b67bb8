"""Sanctions versus releases: sourced data on Belarus's political prisoners and sanctions.

``load(name)`` returns a dataset, rebuilding it first when a raw file changed. Heavier entry
points are imported on first use, so ``import analysis`` stays quick.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from analysis.store import build, load

__all__ = ["build", "load", "datasets", "columns", "alternative_panels", "read_sanctions_list",
           "test_claim", "changes", "export"]

_LAZY = {
    "read_sanctions_list": "analysis.lists",
    "test_claim": "analysis.claim",
    "changes": "analysis.changelog",
    "export": "analysis.export_safety",
}


def datasets():
    """The catalog as a table: name, description, upstream datasets and raw inputs."""
    import pandas as pd

    from analysis import catalog, paths

    return pd.DataFrame([
        {"name": spec.name, "description": spec.description,
         "upstream": ", ".join(spec.upstream),
         "inputs": ", ".join(paths.display_path(p) for p in spec.inputs())}
        for spec in catalog.DATASETS.values()
    ])


def columns(name: str):
    """A dataset's columns with their type and description (built first if stale)."""
    import pandas as pd

    from analysis.fields import FIELDS

    frame = load(name)
    return pd.DataFrame({
        "column": frame.columns,
        "dtype": [str(dtype) for dtype in frame.dtypes],
        "description": [FIELDS.get(column, "") for column in frame.columns],
    })


def alternative_panels():
    """The monthly panel under each alternative conflict-resolution rule, keyed by rule name:
    what the tests of the claim are rerun on to see whether a verdict hangs on the rule."""
    from analysis.derive.panel import panel_under_rule
    from analysis.derive.resolve import ALTERNATIVE_RULE

    inputs = [load(name) for name in ("prisoner_counts", "release_events", "sanctions_timeline",
                                      "sanctions_designations")]
    return {f"rule {ALTERNATIVE_RULE.name}": panel_under_rule(*inputs, ALTERNATIVE_RULE)}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
