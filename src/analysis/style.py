"""The figure contract: one look for every chart, in notebooks and in briefing exports.

A chart has a title (the finding), a subtitle (what is measured, in which units, over which
period), a source line built from the metadata of the raw tables it plots (so it cannot go
stale) with the date of the latest data, and colours from ``COLOURS`` so the same quantity has
the same colour everywhere. ``save_figure`` writes PNG (300 dpi), SVG and PDF; SVG and PDF are
made deterministic so an unchanged chart produces no diff.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import yaml

from analysis import catalog, paths

COLOURS = {
    "held": "#1f3a5f",
    "observed": "#c23b22",
    "recognized": "#d98c1f",
    "released": "#2a7f62",
    "batch": "#2a7f62",
    "relief": "#6a4c93",
    "engagement": "#9d8ec4",
    "EU": "#1f5fa8",
    "US": "#b22234",
    "UK": "#5b6770",
    "other": "#8c8c8c",
    "grid": "#d9d9d9",
    "text": "#222222",
    "muted": "#666666",
}

FIGURE_SIZE = (10, 5.6)
FORMATS = ("png", "svg", "pdf")
PNG_DPI = 300

RC_PARAMS = {
    "figure.figsize": FIGURE_SIZE,
    "figure.dpi": 100,
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "axes.edgecolor": COLOURS["muted"],
    "axes.labelcolor": COLOURS["text"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": COLOURS["grid"],
    "grid.linewidth": 0.8,
    "xtick.color": COLOURS["muted"],
    "ytick.color": COLOURS["muted"],
    "legend.frameon": False,
    "legend.fontsize": 10,
    "svg.hashsalt": "analysis",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "path.simplify": False,
}


def apply() -> None:
    mpl.rcParams.update(RC_PARAMS)


def new_figure(nrows: int = 1, ncols: int = 1, *, height_ratios: list[float] | None = None,
               sharex: bool = False) -> tuple[plt.Figure, object]:
    """A figure with room above for title and subtitle and below for the source line."""
    apply()
    figure, axes = plt.subplots(nrows, ncols, figsize=FIGURE_SIZE, sharex=sharex,
                                gridspec_kw={"height_ratios": height_ratios}
                                if height_ratios else None)
    figure.subplots_adjust(left=0.08, right=0.97, top=0.80, bottom=0.16, hspace=0.35)
    return figure, axes


def annotate(figure: plt.Figure, title: str, subtitle: str, source: str) -> plt.Figure:
    figure.text(0.08, 0.95, title, fontsize=16, fontweight="bold", color=COLOURS["text"],
                va="top", ha="left")
    figure.text(0.08, 0.895, subtitle, fontsize=11.5, color=COLOURS["muted"], va="top",
                ha="left", wrap=True)
    figure.text(0.08, 0.025, source, fontsize=8.5, color=COLOURS["muted"], va="bottom",
                ha="left", wrap=True)
    return figure


@cache
def _raw_metadata(path: Path) -> dict:
    meta = path.with_suffix(".meta.yml")
    if not meta.is_file():
        return {}
    with open(meta, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _raw_inputs(names: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for name in catalog.build_order(list(names)):
        for file in catalog.dataset(name).inputs():
            if file not in files:
                files.append(file)
    return files


def source_line(datasets: Iterable[str], latest: pd.Timestamp | None = None) -> str:
    """'Source: …' naming each raw table behind ``datasets``, from its metadata file."""
    parts = []
    for file in _raw_inputs(datasets):
        meta = _raw_metadata(file)
        title = meta.get("title", file.stem.replace("_", " "))
        domains = meta.get("sources") or []
        count = f"{len(domains)} sources" if isinstance(domains, list) and domains else "sources"
        parts.append(f"{title} ({count}, each row with its URL: {paths.display_path(file)})")
    text = "Source: " + "; ".join(parts) if parts else "Source: see data/raw"
    if latest is not None and not pd.isna(latest):
        text += f". Latest data: {pd.Timestamp(latest):%d %b %Y}."
    return text


def save_figure(figure: plt.Figure, name: str, folder: Path | None = None) -> list[Path]:
    """Write ``name``.png/.svg/.pdf to the figures folder; returns the paths written."""
    folder = folder or paths.figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for extension in FORMATS:
        target = folder / f"{name}.{extension}"
        metadata = {"Date": None} if extension in ("svg", "pdf") else {}
        if extension == "pdf":
            metadata["CreationDate"] = None
        figure.savefig(target, dpi=PNG_DPI if extension == "png" else None, metadata=metadata)
        written.append(target)
    return written
