"""The figure contract: one look for every chart, in notebooks and in briefing exports.

A chart has a title (the finding), a subtitle (what is measured, in which units, over which
period), a source line built from the metadata of the raw tables it plots (so it cannot go
stale) with each country's coverage line (``analysis.coverage``), and colours from
``COLOURS`` so the same quantity has the same colour everywhere. ``save_figure`` writes PNG
(300 dpi), SVG and PDF; SVG and PDF are made deterministic (fixed hash salt, no dates) and
what they draw is rounded (``as_drawn``), so an unchanged chart produces no diff.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

from analysis import catalog, paths
from analysis.coverage import coverage, coverage_line
from analysis.derive.designations import list_copy_titles
from analysis.io import atomic_target, read_yaml
from analysis.summaries import describe_span

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

DATE_MARKERS = {
    "exact": {"marker": "o", "filled": True, "label": "exact day"},
    "month": {"marker": "o", "filled": False, "label": "month only"},
    "inferred": {"marker": "D", "filled": False, "label": "date inferred"},
}
"""How a point shows how well its date is known: a reader must never take a month-only or
inferred date for an exact one."""


def date_quality(frame: pd.DataFrame) -> pd.Series:
    """``exact``, ``month`` (or coarser) or ``inferred`` per row, from ``date_precision`` and
    ``year_inferred``; the keys of ``DATE_MARKERS``."""
    quality = pd.Series("exact", index=frame.index)
    quality[frame["date_precision"] != "day"] = "month"
    quality[frame["year_inferred"].astype(bool)] = "inferred"
    return quality


def scatter_by_date_quality(axis, x: pd.Series, y: pd.Series, quality: pd.Series, colour: str,
                            what: str, **options) -> None:
    """Points marked by ``date_quality``: filled for an exact day, hollow for month-only, hollow
    diamonds for inferred dates; one legend entry per kind present."""
    for kind, marker in DATE_MARKERS.items():
        chosen = (quality == kind).to_numpy()
        if not chosen.any():
            continue
        axis.scatter(x[chosen], y[chosen], marker=marker["marker"], linewidths=1.2,
                     facecolors=colour if marker["filled"] else "white", edgecolors=colour,
                     label=f"{what} ({marker['label']})", **options)


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


TEXT_LEFT, TEXT_RIGHT = 0.08, 0.97
EDGE = 0.012
"""Blank margin (figure fraction) kept between any text and the edge of the figure."""
GAP_POINTS = {"title": 4, "axes_top": 10, "axes_bottom": 8}


def annotate(figure: plt.Figure, title: str, subtitle: str, source: str) -> plt.Figure:
    """Add title, subtitle and source line, then fit the axes into the space left between them.

    The texts are wrapped at the right margin by their measured width, and the axes are moved
    so that tick labels, axis labels and legends clear the texts and the figure edges: a long
    subtitle or source line takes room from the plot instead of running over it or off the page.
    Call it last, once everything is drawn on the axes.
    """
    renderer = figure.canvas.get_renderer()
    point = 1 / (figure.get_figheight() * 72)
    heading = figure.text(TEXT_LEFT, 0.95, title, fontsize=16, fontweight="bold",
                          color=COLOURS["text"], va="top", ha="left")
    below_title = _wrap(heading, renderer).y0 - GAP_POINTS["title"] * point
    explanation = figure.text(TEXT_LEFT, below_title, subtitle, fontsize=11.5,
                              color=COLOURS["muted"], va="top", ha="left")
    footer = figure.text(TEXT_LEFT, 0.025, source, fontsize=8.5, color=COLOURS["muted"],
                         va="bottom", ha="left")
    top = _wrap(explanation, renderer).y0 - GAP_POINTS["axes_top"] * point
    bottom = _wrap(footer, renderer).y1 + GAP_POINTS["axes_bottom"] * point
    _fit_axes(figure, renderer, top, bottom)
    return figure


def _wrap(text, renderer):
    """Break ``text`` into lines ending before ``TEXT_RIGHT``; returns its extent in figure
    fraction.

    Each line takes the most words that fit (at least one), found by halving: a line grows
    wider with every word added, so this breaks where adding words one at a time would, with
    a few measurements a line instead of one a word."""
    figure = text.get_figure()
    limit = TEXT_RIGHT * figure.bbox.width

    def fits(words: list[str]) -> bool:
        text.set_text(" ".join(words))
        return text.get_window_extent(renderer).x1 <= limit

    lines = []
    for paragraph in text.get_text().split("\n"):
        words = paragraph.split(" ")
        while words:
            most, least_not = 1, len(words) + 1
            while least_not - most > 1:
                middle = (most + least_not) // 2
                most, least_not = (middle, least_not) if fits(words[:middle]) \
                    else (most, middle)
            lines.append(" ".join(words[:most]))
            words = words[most:]
    text.set_text("\n".join(lines))
    return text.get_window_extent(renderer).transformed(figure.transFigure.inverted())


def _fit_axes(figure: plt.Figure, renderer, top: float, bottom: float) -> None:
    """Place the grid of axes so everything drawn with them lies within the given band and
    ``EDGE`` inside the figure's sides; twice, as tick labels move a little with the axes."""
    axes = [axis for axis in figure.axes if axis.get_visible()]
    if not axes:
        return
    to_figure = figure.transFigure.inverted()
    for _ in range(2):
        grid = figure.subplotpars
        boxes = [axis.get_tightbbox(renderer).transformed(to_figure) for axis in axes]
        figure.subplots_adjust(
            left=max(TEXT_LEFT, EDGE + grid.left - min(box.x0 for box in boxes)),
            right=min(TEXT_RIGHT, 1 - EDGE - (max(box.x1 for box in boxes) - grid.right)),
            top=top - max(0.0, max(box.y1 for box in boxes) - grid.top),
            bottom=bottom + max(0.0, grid.bottom - min(box.y0 for box in boxes)),
        )


@cache
def _raw_metadata(path: Path) -> dict:
    meta = path.with_suffix(".meta.yml")
    if not meta.is_file():
        return {}
    return read_yaml(meta, "the table's description (columns, coverage, sources)") or {}


def _raw_inputs(names: Iterable[str], countries: Iterable[str] = (paths.DEFAULT_COUNTRY,)
                ) -> list[Path]:
    files: list[Path] = []
    for country in countries:
        for name in catalog.build_order(list(names), country):
            for file in catalog.dataset(name).inputs(country):
                if (file not in files and file.name != paths.COUNTRY_FILE
                        and not file.name.endswith(".meta.yml")):
                    files.append(file)
    return files


def source_line(datasets: Iterable[str],
                countries: Iterable[str] = (paths.DEFAULT_COUNTRY,)) -> str:
    """``raw_sources`` then each country's coverage line (``coverage.coverage_line``: the newest
    dated item and the months not searched), so no reader takes the end of the chart's axis for
    the end of the data. ``countries``: whose raw tables (default Belarus)."""
    countries = list(countries)
    return " ".join([raw_sources(datasets, countries) + ".",
                     *(coverage_line(coverage(country)) for country in countries)])


def raw_sources(datasets: Iterable[str],
                countries: Iterable[str] = (paths.DEFAULT_COUNTRY,)) -> str:
    """'Source: …' naming each raw table behind ``datasets`` from its metadata file, with the
    months its research searched."""
    official = list_copy_titles()
    parts = []
    for file in _raw_inputs(datasets, countries):
        if file in official:
            parts.append(official[file])
            continue
        meta = _raw_metadata(file)
        title = meta.get("title", file.stem.replace("_", " "))
        sources = meta.get("sources") or {}
        domains = sources.get("domains", []) if isinstance(sources, dict) else sources
        count = f"{len(domains)} sources" if domains else "sources"
        searched = (meta.get("coverage") or {}).get("months_searched")
        span = ""
        if searched:
            first, last = (pd.Timestamp(str(searched[end])) for end in ("first", "last"))
            span = f"; searched {describe_span(first, last)}"
        parts.append(f"{title} ({count}; URL per row in {paths.display_path(file)}{span})")
    return "Source: " + "; ".join(parts) if parts else "Source: see data/raw"


DRAWN_DIGITS = 4
"""Significant digits kept in every number a tracked output draws or writes: enough for a
person in thousands and a ratio to three decimals, and far coarser than the last-digit noise
of floating point between machines, so a rebuild on another machine draws the same figure."""


def as_drawn(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its float columns rounded to ``DRAWN_DIGITS`` significant digits: what
    the briefing export and the README results read, at the edge, leaving the model's own
    numbers untouched."""
    floats = frame.select_dtypes("floating").columns
    if not len(floats):
        return frame
    return frame.assign(**{column: round_significant(
        frame[column].to_numpy(dtype="float64", na_value=float("nan"))) for column in floats})


def round_significant(values, digits: int = DRAWN_DIGITS):
    """``values`` (array-like) rounded to ``digits`` significant digits; zeros, NaN and
    infinities unchanged."""
    import numpy as np

    values = np.asarray(values, dtype="float64")
    finite = np.isfinite(values) & (values != 0)
    scale = np.ones_like(values)
    scale[finite] = 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(values[finite]))))
    return np.where(finite, np.round(values * scale) / scale, values)


FILE_METADATA = {"png": {"Software": None},
                 "svg": {"Date": None, "Creator": None},
                 "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}
"""No date and no matplotlib version in a saved file: an upgrade or a rerun that draws the same
chart writes the same bytes."""


def save_figure(figure: plt.Figure, name: str, folder: Path | None = None,
                unless_svg: str | None = None) -> list[Path]:
    """Write ``name``.png/.svg/.pdf to the figures folder; returns the paths written.

    With ``unless_svg``, the sha256 of the SVG that the files there were last written with (by
    the same code and matplotlib), nothing is written when the figure's SVG is that same file:
    the SVG holds every line, point and text (as text) to a millionth of a point, far finer
    than a PNG pixel at ``PNG_DPI``, so the PNG and PDF would come out as they are too. That
    is how ``run`` leaves alone a chart whose data changed in what it does not draw.
    """
    folder = folder or paths.figures_dir()
    svg = io.BytesIO()
    figure.savefig(svg, format="svg", metadata=FILE_METADATA["svg"])
    if unless_svg is not None and hashlib.sha256(svg.getvalue()).hexdigest() == unless_svg:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for extension in FORMATS:
        target = folder / f"{name}.{extension}"
        with atomic_target(target) as temporary:
            if extension == "svg":
                temporary.write_bytes(svg.getvalue())
            else:
                figure.savefig(temporary, format=extension,
                               dpi=PNG_DPI if extension == "png" else None,
                               metadata=FILE_METADATA[extension])
        written.append(target)
    return written
