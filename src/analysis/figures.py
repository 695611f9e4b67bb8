"""The briefing charts: each a function from DataFrames to a styled figure.

Notebooks call these to show a chart; ``python -m analysis figures`` calls ``export_briefing``
to write every chart in ``BRIEFING`` to ``figures/`` in PNG, SVG and PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis import style
from analysis.style import COLOURS

LABELLED_BATCH = 50
"""Batches at least this large get a label on the charts."""

RECOGNITION_SOURCES = ("prisoner_counts", "release_events")
"""The raw tables behind the panel's recognised and released columns: the panel's own lineage
also holds the sanctions tables, which would pad the chart's source line with tables it does
not plot."""


def _month_axis(axis) -> None:
    axis.xaxis.set_major_locator(mdates.YearLocator())
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axis.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=[4, 7, 10]))


def _batches(releases: pd.DataFrame) -> pd.DataFrame:
    return releases[releases["counts_as_release"]].sort_values("date_start")


def prisoners_held_chart(daily: pd.DataFrame, releases: pd.DataFrame) -> plt.Figure:
    """The stock of political prisoners: observed figures, the reconstruction between them,
    and the release batches that moved it."""
    figure, axis = style.new_figure()
    axis.plot(daily["date"], daily["prisoners_held"], color=COLOURS["held"], linewidth=1.8,
              label="Reconstructed between observations")
    observed = daily[daily["basis"] == "observed"]
    axis.scatter(observed["date"], observed["prisoners_held"], s=14, color=COLOURS["observed"],
                 zorder=3, label="Observed figure (exact)")
    top = float(np.nanmax(daily["prisoners_held"])) if len(daily) else 1.0
    for batch in _batches(releases).itertuples():
        if batch.batch_size >= LABELLED_BATCH:
            axis.axvline(batch.date_start, color=COLOURS["batch"], linewidth=0.8, alpha=0.6)
            axis.text(batch.date_start, top * 1.04, f"{batch.batch_size}", rotation=90,
                      fontsize=8.5, color=COLOURS["batch"], ha="right", va="bottom")
    axis.set_ylim(0, top * 1.18)
    axis.set_ylabel("Political prisoners held")
    _month_axis(axis)
    axis.legend(loc="upper left")
    latest = observed["date"].max() if len(observed) else None
    held_now = observed["prisoners_held"].iloc[-1] if len(observed) else float("nan")
    style.annotate(
        figure,
        f"{held_now:,.0f} political prisoners held at the latest observation",
        "Political prisoners held in Belarus (persons), daily, "
        f"{daily['date'].min():%b %Y} to {daily['date'].max():%b %Y}. Green lines: release "
        f"batches of {LABELLED_BATCH} or more (size labelled).",
        style.source_line(["prisoners_daily"], latest),
    )
    return figure


def recognitions_vs_releases_chart(panel: pd.DataFrame) -> plt.Figure:
    """New political prisoners recognised each month against those freed in batches."""
    figure, axis = style.new_figure()
    months = panel["month"]
    width = 25
    recognized = panel["recognized"].astype("float64")
    released = panel["released"].astype("float64")
    axis.bar(months, recognized.fillna(0), width=width, color=COLOURS["recognized"],
             label="Newly recognised (monthly total reported)")
    axis.bar(months, -released, width=width, color=COLOURS["released"],
             label="Freed in release batches")
    missing = months[recognized.isna()]
    axis.scatter(missing, np.zeros(len(missing)), marker="|", s=60, color=COLOURS["muted"],
                 label="No monthly recognition figure")
    axis.axhline(0, color=COLOURS["muted"], linewidth=0.8)
    axis.yaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{abs(value):,.0f}"))
    axis.set_ylabel("Persons per month\n(recognised above, freed below)")
    _month_axis(axis)
    axis.legend(loc="lower left")
    period = panel[panel["month"] >= "2024-07-01"]
    total_recognized = period["recognized"].sum()
    total_released = period["released"].sum()
    style.annotate(
        figure,
        "New political prisoners keep being recognised while others are freed",
        "Political prisoners newly recognised vs freed in announced batches (persons per month), "
        f"{months.min():%b %Y} to {months.max():%b %Y}. Since Jul 2024: {total_recognized:,} "
        f"recognised in months with a reported total, {total_released:,} freed in batches.",
        style.source_line(RECOGNITION_SOURCES, months.max() + pd.offsets.MonthEnd(0)),
    )
    return figure


def release_batches_chart(releases: pd.DataFrame) -> plt.Figure:
    """Each announced release batch, marked by whether a concession was stated for it."""
    figure, axis = style.new_figure()
    batches = _batches(releases)
    with_deal = batches["has_stated_concession"]
    for subset, colour, label in (
        (batches[~with_deal], COLOURS["batch"], "No concession stated"),
        (batches[with_deal], COLOURS["relief"], "US concession stated (sanctions relief)"),
    ):
        axis.vlines(subset["date_start"], 0, subset["batch_size"], color=colour, linewidth=2)
        axis.scatter(subset["date_start"], subset["batch_size"], color=colour, s=22, zorder=3,
                     label=label)
    for batch in batches[batches["batch_size"] >= LABELLED_BATCH].itertuples():
        axis.annotate(f"{batch.batch_size} ({batch.date_start:%b %Y})",
                      (batch.date_start, batch.batch_size), xytext=(-6, 6),
                      textcoords="offset points", fontsize=9, ha="right",
                      color=COLOURS["text"])
    axis.set_ylim(0, max(batches["batch_size"].max() * 1.2, 10) if len(batches) else 10)
    axis.set_ylabel("People freed per batch")
    _month_axis(axis)
    axis.legend(loc="upper left")
    style.annotate(
        figure,
        "Releases came in batches, the largest in US-brokered deals",
        "Announced release batches in Belarus (persons per batch: political-prisoner count where "
        "stated, else the batch total), "
        f"{batches['date_start'].min():%b %Y} to {batches['date_start'].max():%b %Y}.",
        style.source_line(["release_events"], batches["date_end"].max()),
    )
    return figure


@dataclass(frozen=True)
class BriefingChart:
    name: str
    datasets: tuple[str, ...]
    draw: Callable[..., plt.Figure]


BRIEFING: list[BriefingChart] = [
    BriefingChart("01_prisoners_held", ("prisoners_daily", "release_events"),
                  prisoners_held_chart),
    BriefingChart("02_recognitions_vs_releases", ("panel_monthly",),
                  recognitions_vs_releases_chart),
    BriefingChart("03_release_batches", ("release_events",), release_batches_chart),
]


def export_briefing(folder: Path | None = None,
                    on_chart: Callable[[str], None] | None = None) -> list[Path]:
    """Draw every briefing chart from the current data and save it in every format."""
    from analysis.store import load

    written: list[Path] = []
    for chart in BRIEFING:
        if on_chart:
            on_chart(chart.name)
        figure = chart.draw(*(load(name) for name in chart.datasets))
        written += style.save_figure(figure, chart.name, folder)
        plt.close(figure)
    return written
