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


DEALS_ERA = pd.Timestamp("2024-07-01")
"""When the batch pardons began; the deals with stated concessions came from September 2025."""
DEALS_FROM = pd.Timestamp("2025-06-01")
"""Start of the close-up on the US-brokered deals."""
LABELLED_DEAL_BATCH = 10
"""In the close-up, smaller batches are left unlabelled so neighbours' labels do not collide."""

JURISDICTION_LANES = ("EU", "US", "UK", "Canada")
"""Lanes of the sanctions timeline; every other jurisdiction shares an ``Others`` lane."""


def _lane(jurisdiction: str) -> str:
    return jurisdiction if jurisdiction in JURISDICTION_LANES else "Others"


def _stock_with_batches(axis, daily: pd.DataFrame, releases: pd.DataFrame) -> None:
    axis.plot(daily["date"], daily["prisoners_held"], color=COLOURS["held"], linewidth=1.6,
              label="Political prisoners held")
    top = float(np.nanmax(daily["prisoners_held"])) if len(daily) else 1.0
    for batch in _batches(releases).itertuples():
        if batch.batch_size >= LABELLED_BATCH:
            axis.axvline(batch.date_start, color=COLOURS["batch"], linewidth=0.8, alpha=0.6)
    axis.set_ylim(0, top * 1.15)
    axis.set_ylabel("Persons held")


def sanctions_timeline_chart(timeline: pd.DataFrame, daily: pd.DataFrame,
                             releases: pd.DataFrame) -> plt.Figure:
    """Every escalation and relief step by jurisdiction, under the prisoner count."""
    figure, (stock_axis, steps_axis) = style.new_figure(2, 1, height_ratios=[1.4, 1],
                                                        sharex=True)
    _stock_with_batches(stock_axis, daily, releases)
    lanes = [*JURISDICTION_LANES, "Others"]
    steps = timeline[timeline["counts_in_panel"] & (timeline["date_precision"] != "year")]
    steps = steps.assign(lane=steps["jurisdiction"].map(_lane))
    for kind, marker, label in (("escalation", "^", "Escalation (package, sectoral, aviation)"),
                                ("relief", "v", "Relief (licence, delisting, lapse)")):
        chosen = steps[steps["step_kind"] == kind]
        colours = [COLOURS.get(lane, COLOURS["other"]) if kind == "escalation"
                   else COLOURS["relief"] for lane in chosen["lane"]]
        steps_axis.scatter(chosen["date_start"], chosen["lane"].map(lanes.index), marker=marker,
                           s=46, c=colours, edgecolors="white", linewidths=0.5, zorder=3,
                           label=label)
    steps_axis.set_yticks(range(len(lanes)), lanes)
    steps_axis.set_ylim(len(lanes) - 0.5, -0.7)
    steps_axis.grid(axis="x", color=COLOURS["grid"])
    steps_axis.grid(axis="y", visible=False)
    steps_axis.legend(loc="lower left", ncols=2, fontsize=9, bbox_to_anchor=(0, 1.0))
    _month_axis(steps_axis)
    escalations = steps[steps["step_kind"] == "escalation"]
    relief = steps[steps["step_kind"] == "relief"]
    first_relief = relief["date_start"].min()
    relief_from = sorted(relief["jurisdiction"].unique())
    title = ("Sanctions escalated for years; relief came only from the "
             f"{relief_from[0]}" if len(relief_from) == 1
             else "Sanctions escalated for years before any relief")
    style.annotate(
        figure,
        title,
        f"Top: political prisoners held (persons), green lines mark release batches of "
        f"{LABELLED_BATCH}+. Bottom: {len(escalations)} escalation and {len(relief)} relief "
        f"steps by jurisdiction, {steps['date_start'].min():%b %Y} to "
        f"{steps['date_start'].max():%b %Y}; first relief "
        f"{'none' if pd.isna(first_relief) else format(first_relief, '%b %Y')}.",
        style.source_line(["sanctions_timeline", "prisoners_daily"],
                          steps["date_end"].max()),
    )
    return figure


def designations_chart(panel: pd.DataFrame) -> plt.Figure:
    """New Belarus designations per month in each official list, and where a list is silent."""
    jurisdictions = [("EU", "designations_eu"), ("US", "designations_us"),
                     ("UK", "designations_uk")]
    figure, axes = style.new_figure(3, 1, sharex=True)
    months = panel["month"]
    for axis, (jurisdiction, column) in zip(axes, jurisdictions, strict=True):
        values = panel[column].astype("float64")
        axis.bar(months, values.fillna(0), width=25, color=COLOURS[jurisdiction])
        for month in months[values.isna()]:
            axis.axvspan(month, month + pd.offsets.MonthBegin(1), color=COLOURS["grid"],
                         alpha=0.6, linewidth=0)
        axis.set_ylabel(jurisdiction, rotation=0, ha="right", va="center", fontsize=12,
                        fontweight="bold", color=COLOURS[jurisdiction])
        axis.set_ylim(0, max(values.max(skipna=True) if values.notna().any() else 1, 1) * 1.15)
    _month_axis(axes[-1])
    totals = ", ".join(f"{j} {int(panel[c].sum(skipna=True))}" for j, c in jurisdictions)
    listed = panel[[c for _, c in jurisdictions]].sum(axis=1, skipna=True)
    title = (f"{listed[months < DEALS_ERA].sum() / listed.sum():.0%} of dated designations "
             f"came before the release deals began ({DEALS_ERA:%b %Y})" if listed.sum()
             else "No dated designations: no official list copy is available here")
    style.annotate(
        figure,
        title,
        "New Belarus designations per month in each official list (targets listed; EU: asset-"
        f"freeze annexes, UK: OFSI, US: first seen in SDN archives). Grey: months the list "
        f"copy does not cover. Totals shown: {totals}.",
        style.source_line(["sanctions_designations"])
        + ". Current lists omit delisted targets, so early months are undercounted.",
    )
    return figure




def deals_chart(timeline: pd.DataFrame, releases: pd.DataFrame) -> plt.Figure:
    """The 2025-2026 release batches next to the relief steps they came with."""
    figure, axis = style.new_figure()
    batches = _batches(releases)
    batches = batches[batches["date_start"] >= DEALS_FROM]
    with_deal = batches["has_stated_concession"]
    axis.bar(batches["date_start"], batches["batch_size"], width=4,
             color=np.where(with_deal, COLOURS["relief"], COLOURS["batch"]))
    previous = None
    for batch in batches[batches["batch_size"] >= LABELLED_DEAL_BATCH].itertuples():
        crowded = previous is not None and batch.date_start - previous < pd.Timedelta(days=12)
        axis.annotate(f"{batch.batch_size}", (batch.date_start, batch.batch_size),
                      xytext=(6 if crowded else 0, 3), textcoords="offset points",
                      ha="left" if crowded else "center", fontsize=9)
        previous = batch.date_start
    relief = timeline[(timeline["step_kind"] == "relief") & timeline["counts_in_panel"]
                      & (timeline["date_start"] >= DEALS_FROM)
                      & (timeline["date_precision"] == "day")]
    top = max(batches["batch_size"].max() if len(batches) else 10, 10)
    last_day = pd.Series([DEALS_FROM, batches["date_start"].max(),
                          relief["date_start"].max()]).max()
    late = last_day - pd.Timedelta(days=45)
    for offset, step in enumerate(relief.itertuples()):
        axis.axvline(step.date_start, color=COLOURS["relief"], linestyle="--", linewidth=1)
        label = f"{step.instrument_type} {step.date_start:%d %b}"
        right_aligned = step.date_start > late
        axis.text(step.date_start, top * (1.45 - 0.1 * (offset % 2)),
                  f"{label} " if right_aligned else f" {label}", fontsize=8.5,
                  color=COLOURS["relief"], va="top", ha="right" if right_aligned else "left")
    axis.set_ylim(0, top * 1.5)
    axis.set_ylabel("People freed per batch")
    axis.xaxis.set_major_locator(mdates.MonthLocator())
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    axis.scatter([], [], marker="s", color=COLOURS["relief"], label="Batch with US relief stated")
    axis.scatter([], [], marker="s", color=COLOURS["batch"], label="Other batch")
    axis.plot([], [], color=COLOURS["relief"], linestyle="--", label="US relief step")
    axis.legend(loc="upper left", bbox_to_anchor=(0, 0.78))
    by_size = batches.sort_values("batch_size", ascending=False)["has_stated_concession"]
    leading_deals = int(by_size.cumprod().sum())
    words = {1: "largest batch", 2: "two largest batches", 3: "three largest batches"}
    title = (f"The {words.get(leading_deals, f'{leading_deals} largest batches')} since "
             f"{DEALS_FROM:%b %Y} came with US relief" if leading_deals
             else f"No batch since {DEALS_FROM:%b %Y} came with stated sanctions relief")
    style.annotate(
        figure,
        title,
        f"Release batches (persons) and US relief steps, {DEALS_FROM:%b %Y} to "
        f"{last_day:%b %Y}. Dashed lines: licences, delistings and "
        "announced relief (each step counted once).",
        style.source_line(["release_events", "sanctions_timeline"], batches["date_end"].max()),
    )
    return figure


def release_pace_chart(panel: pd.DataFrame, deal_months: list[pd.Timestamp] | None = None,
                       window: int = 6) -> plt.Figure:
    """Monthly batch releases with the deal months (default: months with a batch for which a
    concession is stated) marked against the pace before each."""
    from matplotlib.patches import Patch

    from analysis.summaries import release_pace

    figure, axis = style.new_figure()
    recent = panel[panel["month"] >= "2024-01-01"]
    if deal_months is None:
        deal_months = panel.loc[panel["deals_with_concession"] > 0, "month"].tolist()
    deals = set(pd.to_datetime(deal_months))
    colours = [COLOURS["relief"] if month in deals else COLOURS["released"]
               for month in recent["month"]]
    axis.bar(recent["month"], recent["released"].astype("float64"), width=25, color=colours)
    for row in release_pace(panel, sorted(deals), window).itertuples():
        if not pd.isna(row.mean_before):
            axis.hlines(row.mean_before, row.event_month - pd.DateOffset(months=window),
                        row.event_month, color=COLOURS["text"], linewidth=1.4,
                        linestyles=":")
    axis.set_ylabel("People freed in batches per month")
    axis.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 4, 7, 10]))
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    axis.legend(handles=[
        Patch(color=COLOURS["relief"], label="Month of a deal with US relief"),
        Patch(color=COLOURS["released"], label="Other month"),
        plt.Line2D([], [], color=COLOURS["text"], linestyle=":",
                   label=f"Mean of the {window} months before each deal"),
    ], loc="upper left")
    style.annotate(
        figure,
        "Deal months against the release pace before them",
        "People freed in announced batches per month (political-prisoner count where stated, "
        f"else batch total), {recent['month'].min():%b %Y} to {recent['month'].max():%b %Y}.",
        style.source_line(["release_events"], recent["month"].max() + pd.offsets.MonthEnd(0)),
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
    BriefingChart("04_sanctions_timeline",
                  ("sanctions_timeline", "prisoners_daily", "release_events"),
                  sanctions_timeline_chart),
    BriefingChart("05_designations", ("panel_monthly",), designations_chart),
    BriefingChart("06_deals", ("sanctions_timeline", "release_events"), deals_chart),
    BriefingChart("07_release_pace", ("panel_monthly",), release_pace_chart),
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
