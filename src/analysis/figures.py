"""The briefing charts: each a function from DataFrames to a styled figure.

Notebooks call these to show a chart; ``python -m analysis figures`` calls ``export_briefing``
to write every chart in ``BRIEFING`` to ``figures/`` in PNG, SVG and PDF.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis import coverage, paths, run_cache, style, summaries
from analysis.claim.spec import (
    DEAL_ERA_START,
    PRESSURE_LAGS,
    RELIEF_WINDOW,
    any_in_window,
    values,
)
from analysis.comparative_figures import base_rate_chart, episode_counts_chart
from analysis.derive.resolve import choose_counts
from analysis.store import load
from analysis.style import COLOURS
from analysis.summaries import release_pace

LABELLED_BATCH = 50
"""Batches that freed at least this many people (all people, political prisoners or not) get a
line and a label: one rule for every chart, stated in each subtitle."""

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


def _batch_label(batch) -> str:
    """'52 freed, 40 political prisoners' or '123 freed, political prisoners not stated'."""
    political = batch.released_political_prisoners
    known = "not stated" if pd.isna(political) else f"{batch.released_political_low:,}"
    if not pd.isna(political) and batch.released_political_low != batch.released_political_high:
        known = f"{batch.released_political_low:,}–{batch.released_political_high:,}"
    return f"{batch.released_people:,} freed, political prisoners {known}"


def prisoners_held_chart(daily: pd.DataFrame, releases: pd.DataFrame,
                         counts: pd.DataFrame | None = None) -> plt.Figure:
    """The stock of political prisoners: the stock-flow model's daily estimate with its 95%
    band, the reported counts it was fitted to, and the release batches that moved it. With
    ``counts`` (prisoner_counts), each reported count is drawn at its reported value and marked
    by how well its date is known."""
    figure, axis = style.new_figure()
    axis.fill_between(daily["date"], daily["prisoners_held_low"], daily["prisoners_held_high"],
                      color=COLOURS["held"], alpha=0.18, linewidth=0,
                      label="95% interval of the model")
    axis.plot(daily["date"], daily["prisoners_held"], color=COLOURS["held"], linewidth=1.6,
              label="Stock-flow model (mean)")
    observed = daily[daily["basis"] == "observed"]
    if counts is None:
        axis.scatter(observed["date"], observed["prisoners_held"], s=14,
                     color=COLOURS["observed"], zorder=3, label="Reported count")
    else:
        records = counts.set_index("record_id")
        reported = records["value"].reindex(observed["anchor_record_id"]).to_numpy(float)
        dates = records[["date_precision", "year_inferred"]]
        anchors = dates.reindex(observed["anchor_record_id"]).fillna(
            {"date_precision": "day", "year_inferred": False}).set_axis(observed.index)
        style.scatter_by_date_quality(axis, observed["date"], reported,
                                      style.date_quality(anchors), COLOURS["observed"],
                                      "Reported count", s=16, zorder=3)
    top = float(np.nanmax(daily["prisoners_held_high"])) if len(daily) else 1.0
    for batch in _batches(releases).itertuples():
        if batch.released_people >= LABELLED_BATCH:
            axis.axvline(batch.date_start, color=COLOURS["batch"], linewidth=0.8, alpha=0.6)
            axis.text(batch.date_start, top * 1.04, _batch_label(batch).replace(", ", "\n"),
                      rotation=90, fontsize=7.5, color=COLOURS["batch"], ha="right",
                      va="bottom")
    axis.set_ylim(0, top * 1.45)
    axis.set_ylabel("Political prisoners held")
    _month_axis(axis)
    axis.legend(loc="upper left")
    if len(observed) and counts is not None:
        latest = counts.set_index("record_id").loc[observed.iloc[-1]["anchor_record_id"]]
        title = (f"{summaries.say_figure(latest)} political prisoners held at the newest "
                 f"reported count ({_anchor_date(observed.iloc[-1])})")
    elif len(observed):
        title = (f"{observed['prisoners_held'].iloc[-1]:,.0f} political prisoners held at the "
                 f"newest reported count ({_anchor_date(observed.iloc[-1])})")
    else:
        title = "Political prisoners held"
    style.annotate(
        figure, title,
        "Political prisoners held in Belarus (persons), daily, "
        f"{daily['date'].min():%b %Y} to {daily['date'].max():%b %Y}: reported counts and the "
        "stock-flow model fitted to every sourced figure, with its 95% interval. Green lines: "
        f"every release batch that freed {LABELLED_BATCH} or more people (all people, political "
        "prisoners or not), labelled with people freed and political prisoners among them.",
        style.source_line(["prisoners_daily"]),
    )
    return figure


def _anchor_date(day: pd.Series) -> str:
    """The date of an observed count as precise as its source: a month-dated count anchors the
    month's last day but refers only to the month."""
    counts = load("prisoner_counts").set_index("record_id")
    record = day["anchor_record_id"]
    if record in counts.index:
        row = counts.loc[record]
        return str(summaries.Dated(row["date_start"], row["date_precision"]))
    return str(summaries.Dated(day["date"], "day"))


def recognitions_vs_releases_chart(panel: pd.DataFrame) -> plt.Figure:
    """New political prisoners recognised each month against political prisoners freed in
    batches (a low-high bracket where batches give no political count): the same population
    on both sides, and totals only over the months that have both figures."""
    figure, axis = style.new_figure()
    months = panel["month"]
    width = 25
    recognized = panel["recognized"].astype("float64")
    low = panel["released_political_low"].astype("float64")
    high = panel["released_political_high"].astype("float64")
    axis.bar(months, recognized.fillna(0), width=width, color=COLOURS["recognized"],
             label="Newly recognised (monthly total reported)")
    axis.bar(months, -high, width=width, color=COLOURS["released"], alpha=0.3,
             label="Freed in batches: political prisoners, upper bound")
    axis.bar(months, -low, width=width, color=COLOURS["released"],
             label="Freed in batches: political prisoners, stated counts (lower bound)")
    missing = months[recognized.isna()]
    axis.scatter(missing, np.zeros(len(missing)), marker="|", s=60, color=COLOURS["muted"],
                 label="No monthly recognition figure")
    axis.axhline(0, color=COLOURS["muted"], linewidth=0.8)
    axis.yaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{abs(value):,.0f}"))
    axis.set_ylabel("Political prisoners per month\n(recognised above, freed below)")
    _month_axis(axis)
    axis.legend(loc="lower left", fontsize=9)
    since = panel[(panel["month"] >= DEALS_ERA) & panel["recognized"].notna()]
    span = len(panel[panel["month"] >= DEALS_ERA])
    style.annotate(
        figure,
        "New political prisoners keep being recognised while others are freed",
        "Political prisoners newly recognised vs political prisoners freed in announced batches "
        f"(persons per month), {months.min():%b %Y} to {months.max():%b %Y}. Like with like: "
        f"in the {len(since)} of {span} months since {DEALS_ERA:%b %Y} that have a recognition "
        f"total, {int(since['recognized'].sum()):,} were recognised and "
        f"{int(since['released_political_low'].sum()):,}–"
        f"{int(since['released_political_high'].sum()):,} political prisoners freed in release "
        "batches.",
        style.source_line(RECOGNITION_SOURCES),
    )
    return figure


def release_batches_chart(releases: pd.DataFrame) -> plt.Figure:
    """Each announced release batch: all people freed, and the political prisoners among them
    where a source states it, marked by whether a concession was stated."""
    figure, axis = style.new_figure()
    batches = _batches(releases)
    with_deal = batches["has_stated_concession"]
    for subset, colour, label in (
        (batches[~with_deal], COLOURS["batch"], "All people freed; no concession stated"),
        (batches[with_deal], COLOURS["relief"], "All people freed; US concession stated"),
    ):
        axis.vlines(subset["date_start"], 0, subset["released_people"], color=colour,
                    linewidth=2)
        known = style.date_quality(subset) == "exact"
        axis.scatter(subset["date_start"][known], subset["released_people"][known],
                     color=colour, s=22, zorder=3, label=label)
    uncertain = style.date_quality(batches)
    style.scatter_by_date_quality(axis, batches["date_start"][uncertain != "exact"],
                                  batches["released_people"][uncertain != "exact"],
                                  uncertain[uncertain != "exact"], COLOURS["text"], "Batch date",
                                  s=30, zorder=4)
    stated = batches[batches["released_political_prisoners"].notna()]
    axis.scatter(stated["date_start"], stated["released_political_low"], marker="_", s=90,
                 color=COLOURS["text"], zorder=4, linewidths=2,
                 label="Political prisoners among them, where stated")
    for batch in batches[batches["released_people"] >= LABELLED_BATCH].itertuples():
        axis.annotate(f"{_batch_label(batch)} ({batch.date_start:%b %Y})",
                      (batch.date_start, batch.released_people), xytext=(-6, 6),
                      textcoords="offset points", fontsize=8.5, ha="right",
                      color=COLOURS["text"])
    axis.set_ylim(0, max(batches["released_people"].max() * 1.2, 10) if len(batches) else 10)
    axis.set_ylabel("People freed per batch")
    _month_axis(axis)
    axis.legend(loc="upper left", fontsize=9)
    unknown = int(batches["released_political_prisoners"].isna().sum())
    style.annotate(
        figure,
        "Releases came in batches, the largest in US-brokered deals",
        "Announced release batches in Belarus: all people freed per batch (persons, each person "
        "once) and, as a dash, the political prisoners among them where a source states it "
        f"({unknown} of {len(batches)} batches state no political count), "
        f"{batches['date_start'].min():%b %Y} to {batches['date_start'].max():%b %Y}. "
        f"Labelled: batches of {LABELLED_BATCH} or more people.",
        style.source_line(["release_events"]),
    )
    return figure


DEALS_ERA = summaries.DEALS_ERA
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
        if batch.released_people >= LABELLED_BATCH:
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
    disputed = timeline[(~timeline["is_primary"]) & (~timeline["verified"])
                        & timeline["duplicate_of"].isna()
                        & (timeline["step_kind"] == "escalation")
                        & (timeline["date_precision"] != "year")]
    if len(disputed):
        steps_axis.scatter(disputed["date_start"],
                           disputed["jurisdiction"].map(_lane).map(lanes.index), marker="^",
                           s=46, facecolors="none", edgecolors=COLOURS["text"], zorder=3,
                           label="Disputed listing report (not counted)")
    steps_axis.set_yticks(range(len(lanes)), lanes)
    steps_axis.set_ylim(len(lanes) - 0.5, -0.7)
    steps_axis.grid(axis="x", color=COLOURS["grid"])
    steps_axis.grid(axis="y", visible=False)
    _month_axis(steps_axis)
    searched_from = coverage.coverage().searched_first
    shaded = searched_from is not None and steps["date_start"].min() < searched_from
    if shaded:
        steps_axis.axvspan(steps["date_start"].min(), searched_from, color=COLOURS["grid"],
                           alpha=0.5, linewidth=0, zorder=0)
    steps_axis.legend(loc="lower left", ncols=3, fontsize=8.5, bbox_to_anchor=(0, 1.0))
    searched = steps[steps["date_start"] >= searched_from] if searched_from is not None else steps
    escalations = searched[searched["step_kind"] == "escalation"]
    relief = searched[searched["step_kind"] == "relief"]
    relief_from = sorted(relief["jurisdiction"].unique())
    since = f"Since {searched['date_start'].min():%b %Y}"
    title = (f"{since}, {len(escalations)} escalation steps; relief came only from the "
             f"{relief_from[0]}, from {relief['date_start'].min():%b %Y}"
             if len(relief_from) == 1
             else f"{since}, {len(escalations)} escalation and {len(relief)} relief steps")
    style.annotate(
        figure,
        title,
        f"Top: political prisoners held (persons), green lines mark release batches of "
        f"{LABELLED_BATCH} or more people. Bottom: steps by jurisdiction, one per decision"
        + ("; grey: months not searched step by step (steps there come from the research on "
           "the 2008 and 2015 deals, so the title does not count them)" if shaded else "")
        + (f"; hollow: {len(disputed)} disputed listing report(s), not counted."
           if len(disputed) else "."),
        style.source_line(["sanctions_timeline", "prisoners_daily"]),
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
    eu = panel["designations_eu"].astype("float64")
    covered = panel[eu.notna()]
    title = (f"The EU listed {_monthly_rate(panel, 'designations_eu', months < DEALS_ERA)} "
             f"Belarus targets a month before the release deals began ({DEALS_ERA:%b %Y}), "
             f"{_monthly_rate(panel, 'designations_eu', months >= DEALS_ERA)} a month since"
             if eu.sum() else "No dated EU designations: no EU list copy is available here")
    rates = "; ".join(
        f"{j} {_monthly_rate(panel, c, months < DEALS_ERA)} a month before, "
        f"{_monthly_rate(panel, c, months >= DEALS_ERA)} from {DEALS_ERA:%b %Y}"
        for j, c in jurisdictions)
    style.annotate(
        figure,
        title,
        "New Belarus designations per month in each official list (targets listed; EU: asset-"
        f"freeze annexes, UK: OFSI, US: first seen in SDN archives). Grey: months the list "
        f"copy does not cover. The headline uses the EU list alone, the one copy covering "
        f"every month ({len(covered)}); the others end earlier, so each is compared per "
        f"covered month: {rates}. Totals shown: {totals}.",
        style.source_line(["sanctions_designations"])
        + ". Current lists omit delisted targets, so early months are undercounted.",
    )
    return figure




def _monthly_rate(panel: pd.DataFrame, column: str, months: pd.Series) -> str:
    """Mean designations per covered month, or 'no month covered'."""
    values = panel.loc[months, column].astype("float64").dropna()
    return f"{values.mean():.1f}" if len(values) else "no month covered"


def deals_chart(timeline: pd.DataFrame, releases: pd.DataFrame) -> plt.Figure:
    """The 2025-2026 release batches next to the relief steps they came with."""
    figure, axis = style.new_figure()
    batches = _batches(releases)
    batches = batches[batches["date_start"] >= DEALS_FROM]
    with_deal = batches["has_stated_concession"]
    axis.bar(batches["date_start"], batches["released_people"], width=4,
             color=np.where(with_deal, COLOURS["relief"], COLOURS["batch"]))
    stated = batches[batches["released_political_prisoners"].notna()]
    axis.scatter(stated["date_start"], stated["released_political_low"], marker="_", s=70,
                 color=COLOURS["text"], linewidths=2, zorder=3)
    previous = None
    for batch in batches[batches["released_people"] >= LABELLED_DEAL_BATCH].itertuples():
        crowded = previous is not None and batch.date_start - previous < pd.Timedelta(days=12)
        axis.annotate(f"{batch.released_people}", (batch.date_start, batch.released_people),
                      xytext=(6 if crowded else 0, 3), textcoords="offset points",
                      ha="left" if crowded else "center", fontsize=9)
        previous = batch.date_start
    relief = timeline[(timeline["step_kind"] == "relief") & timeline["counts_in_panel"]
                      & (timeline["date_start"] >= DEALS_FROM)
                      & (timeline["date_precision"] == "day")]
    top = max(batches["released_people"].max() if len(batches) else 10, 10)
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
    axis.scatter([], [], marker="_", s=70, linewidths=2, color=COLOURS["text"],
                 label="Political prisoners among them, where stated")
    axis.legend(loc="upper left", bbox_to_anchor=(0, 0.78))
    by_size = batches.sort_values("released_people", ascending=False)["has_stated_concession"]
    leading_deals = int(by_size.cumprod().sum())
    words = {1: "largest batch", 2: "two largest batches", 3: "three largest batches"}
    title = (f"The {words.get(leading_deals, f'{leading_deals} largest batches')} since "
             f"{DEALS_FROM:%b %Y} came with US relief" if leading_deals
             else f"No batch since {DEALS_FROM:%b %Y} came with stated sanctions relief")
    style.annotate(
        figure,
        title,
        f"Release batches (bars: all people freed, labelled; dashes: political prisoners "
        f"among them where stated) and US relief steps, {DEALS_FROM:%b %Y} to "
        f"{last_day:%b %Y}. Dashed lines: licences, delistings and "
        "announced relief (each step counted once).",
        style.source_line(["release_events", "sanctions_timeline"]),
    )
    return figure


def release_pace_chart(panel: pd.DataFrame, deal_months: list[pd.Timestamp] | None = None,
                       window: int = 6) -> plt.Figure:
    """Monthly batch releases with the deal months (default: months with a batch for which a
    concession is stated) marked against the pace before each."""
    from matplotlib.patches import Patch

    figure, axis = style.new_figure()
    recent = panel[panel["month"] >= "2024-01-01"]
    if deal_months is None:
        deal_months = panel.loc[panel["deals_with_concession"] > 0, "month"].tolist()
    deals = set(pd.to_datetime(deal_months))
    colours = [COLOURS["relief"] if month in deals else COLOURS["released"]
               for month in recent["month"]]
    axis.bar(recent["month"], recent["released_people"].astype("float64"), width=25, color=colours)
    for row in release_pace(panel, sorted(deals), window).itertuples():
        if not pd.isna(row.mean_before):
            axis.hlines(row.mean_before, row.event_month - pd.DateOffset(months=window),
                        row.event_month, color=COLOURS["text"], linewidth=1.4,
                        linestyles=":")
    axis.set_ylabel("All people freed in batches per month")
    axis.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 4, 7, 10]))
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    axis.legend(handles=[
        Patch(color=COLOURS["relief"], label="Month of a deal with US relief"),
        Patch(color=COLOURS["released"], label="Other month"),
        plt.Line2D([], [], color=COLOURS["text"], linestyle=":",
                   label=f"Mean of the {window} months before each deal (other deal "
                         "months left out)"),
    ], loc="upper left")
    style.annotate(
        figure,
        "Deal months against the release pace before them",
        "All people freed in announced batches per month (persons, political prisoners or not, "
        f"each person once), {recent['month'].min():%b %Y} to {recent['month'].max():%b %Y}.",
        style.source_line(["release_events"]),
    )
    return figure


VERDICT_COLOURS = {"supports the claim": COLOURS["released"],
                   "against the claim": COLOURS["observed"],
                   "inconclusive": COLOURS["muted"],
                   "not answerable with these data": COLOURS["other"]}


def _not_enough_data(title: str, reason: str) -> plt.Figure:
    """A chart page that says why it is empty, so a briefing never silently loses a chart."""
    figure, axis = style.new_figure()
    axis.set_axis_off()
    axis.text(0.5, 0.5, reason, ha="center", va="center", transform=axis.transAxes,
              fontsize=13, color=COLOURS["muted"])
    style.annotate(figure, title, "Not enough data in this panel to draw the chart.",
                   "Source: the monthly panel (docs/data.md).")
    return figure


def _deal_era(panel: pd.DataFrame) -> pd.DataFrame:
    return panel[panel["month"] >= DEAL_ERA_START]


def flows_chart(flows: pd.DataFrame) -> plt.Figure:
    """The stock-flow model's monthly flows, each a line with its 95% band: what every test of
    the claim reads."""
    series = [("recognized", "Newly recognised", COLOURS["recognized"]),
              ("released_deals", "Political prisoners freed in release batches",
               COLOURS["released"]),
              ("released_other", "Other exits (end of sentence, death, transfer)",
               COLOURS["other"])]
    figure, axis = style.new_figure()
    for column, label, colour in series:
        axis.fill_between(flows["month"], flows[f"{column}_low"].clip(lower=0),
                          flows[f"{column}_high"], color=colour, alpha=0.2, linewidth=0,
                          step="mid")
        axis.step(flows["month"], flows[column], where="mid", color=colour, linewidth=1.8,
                  label=label)
    axis.axhline(0, color=COLOURS["muted"], linewidth=0.8)
    axis.legend(loc="upper center")
    axis.set_ylabel("Political prisoners per month")
    _month_axis(axis)
    last = flows["month"].max() + pd.offsets.MonthEnd(0)
    style.annotate(
        figure, "Political prisoners in and out, month by month, with 95% intervals",
        f"Monthly flows of the stock-flow model (persons), {flows['month'].min():%b %Y} to "
        f"{last:%b %Y}: lines are means, bands 95% intervals, cut at zero as no flow can be "
        "negative; a wide band is a month few figures describe.",
        style.source_line(["prisoner_counts", "release_events"]),
    )
    return figure


def release_timing_chart(panel: pd.DataFrame, event_column: str, offsets: tuple[int, ...],
                         window_label: str, event_label: str, title: str) -> plt.Figure:
    """Deal-era political prisoners freed in release batches per month (stock-flow model, 95%
    interval), coloured by whether the month is in a test's event window (month t is in it if
    an event fell at t+offset for an offset in ``offsets``); a window holding every month or
    none leaves nothing to compare, and the chart says the contrast is not answerable."""
    from matplotlib.patches import Patch

    in_window = any_in_window(values(panel, event_column), offsets) > 0
    era = _deal_era(panel.assign(in_window=in_window))
    if era.empty:
        return _not_enough_data(title, "No deal-era months (from July 2024) in this panel.")
    figure, axis = style.new_figure()
    freed = era["released_deals"].astype("float64")
    low, high = era["released_deals_low"], era["released_deals_high"]
    top = max(high.max(), 1.0)
    axis.bar(era["month"], freed, width=25,
             color=np.where(era["in_window"], COLOURS["relief"], COLOURS["released"]))
    axis.errorbar(era["month"], freed, yerr=[freed - low, high - freed], fmt="none",
                  ecolor=COLOURS["text"], elinewidth=1, capsize=3)
    events = era[era[event_column].fillna(0) > 0]
    axis.scatter(events["month"], np.full(len(events), -0.05 * top), marker="^", s=40,
                 color=COLOURS["text"], zorder=3)
    inside = era["in_window"].to_numpy(dtype=bool)
    axis.legend(handles=[
        *([Patch(color=COLOURS["relief"], label=window_label)] if inside.any() else []),
        *([Patch(color=COLOURS["released"], label="Other deal-era month")]
          if not inside.all() else []),
        plt.Line2D([], [], marker="^", linestyle="", color=COLOURS["text"],
                   label=f"Month with {event_label}"),
        plt.Line2D([], [], color=COLOURS["text"], label="95% interval"),
    ], loc="upper left")
    axis.set_ylim(-0.1 * top, top * 1.15)
    axis.set_ylabel("Political prisoners freed\nin release batches per month")
    axis.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 4, 7, 10]))
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    untestable = ""
    if inside.all() or not inside.any():
        title = f"{title}: not answerable with these data"
        untestable = (f" {'Every' if inside.all() else 'No'} deal-era month is "
                      f"{window_label[0].lower()}{window_label[1:]}, so there is nothing to "
                      "compare.")
    style.annotate(
        figure, title,
        "Political prisoners freed in release batches per month (persons, stock-flow model: "
        "stated counts, else an estimate between zero and the batch total), deal era "
        f"{era['month'].min():%b %Y} to {era['month'].max():%b %Y}.{untestable}",
        style.source_line(["prisoner_counts", "release_events", "sanctions_timeline"]),
    )
    return figure


def pressure_chart(panel: pd.DataFrame) -> plt.Figure:
    """H1: do releases follow new sanctions packages within one to three months?"""
    return release_timing_chart(
        panel, "sanctions_packages", tuple(-lag for lag in PRESSURE_LAGS),
        "1-3 months after a sanctions package", "a sanctions package",
        "H1 pressure: political prisoners freed after new sanctions packages")


def leverage_chart(panel: pd.DataFrame) -> plt.Figure:
    """A7 (was H2), a description: do releases cluster in the month before, of or after a
    relief step? The relief steps are linked to the batches, so it is no test."""
    return release_timing_chart(
        panel, "relief_steps", RELIEF_WINDOW, "Within a month of a relief step",
        "a relief step", "Accounting (was H2): political prisoners freed around sanctions "
        "relief")


def stock_change_chart(counterfactual: pd.DataFrame, verdicts: pd.DataFrame) -> plt.Figure:
    """H3: the release batches' effect on the number held month by month against the no-deal
    counterfactual, with its 95% band, the smallest effect of interest, and the H3 row's
    interval and verdict at the last month (chart 16 draws the two levels)."""
    title = "H3 net effect: what the release batches changed in the number held"
    shown = counterfactual[(counterfactual["month"] >= DEAL_ERA_START)
                           & counterfactual["deals_effect_mean"].notna()]
    if shown.empty:
        reason = (counterfactual["reason"].iloc[0] if len(counterfactual)
                  and counterfactual["reason"].iloc[0] else "no deal-era month in the model")
        return _not_enough_data(title, f"No no-deal counterfactual: {reason}.")
    figure, axis = style.new_figure()
    months = shown["month"] + pd.offsets.MonthEnd(0)
    axis.fill_between(months, shown["deals_effect_low"], shown["deals_effect_high"],
                      color=COLOURS["released"], alpha=0.2, linewidth=0)
    axis.plot(months, shown["deals_effect_mean"], color=COLOURS["released"], linewidth=2,
              label="Modelled minus no-deal number held, mean and 95% interval")
    row = verdicts.set_index("hypothesis").loc["H3_net_effect"]
    sesoi = float(row["smallest_effect"])
    axis.axhline(0, color=COLOURS["text"], linewidth=0.8)
    axis.axhline(-sesoi, color=COLOURS["muted"], linewidth=1, linestyle="--",
                 label=f"Smallest effect of interest ({-sesoi:+,.0f})")
    if np.isfinite(row["ci_low"]):
        axis.errorbar(months.iloc[-1], row["estimate"],
                      yerr=[[row["estimate"] - row["ci_low"]], [row["ci_high"] - row["estimate"]]],
                      fmt="o", color=COLOURS["observed"], capsize=5,
                      label=f"H3 at the last month: {row['verdict']}")
    axis.legend(loc="lower left")
    axis.set_ylabel("Effect on the number held (persons)")
    axis.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 4, 7, 10]))
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    difference = (f"at {months.iloc[-1]:%d %b %Y}, {row['ci_low']:+,.0f} to "
                  f"{row['ci_high']:+,.0f} persons (95% interval; {row['verdict']})"
                  if np.isfinite(row["ci_low"]) else row["note"])
    style.annotate(
        figure, title,
        f"The release batches' effect on the number held at each month's end (persons), "
        f"{months.min():%b %Y} to {months.max():%b %Y}: the modelled number held minus the "
        f"number had each political prisoner freed in a batch stayed until the end of the term "
        f"(same entries and other exits); {difference}. It cannot be above zero by "
        f"construction, so it says how many fewer were held, not whether sanctions worked.",
        style.source_line(["prisoner_counts", "release_events", "sentences"]),
    )
    return figure


def revolving_door_chart(draws: pd.DataFrame, verdicts: pd.DataFrame) -> plt.Figure:
    """Accounting (A2-A6, was H4): political prisoners recognised against those freed in
    release batches and by other routes over the deal era, with 95% intervals from the model's
    draws; a description, no verdict."""
    era = draws[draws["month"] >= DEAL_ERA_START]
    title = "Accounting: recognised against freed"
    if era.empty:
        return _not_enough_data(title, "No deal-era months in the stock-flow model.")
    totals = era.groupby("draw")[["recognized", "released_deals", "released_other"]].sum()
    rows = [("recognized", "Newly recognised", COLOURS["recognized"]),
            ("released_deals", "Freed in release\nbatches", COLOURS["released"]),
            ("released_other", "Left by other routes\n(end of sentence, ...)", COLOURS["other"])]
    figure, axis = style.new_figure()
    for position, (column, _, colour) in enumerate(rows):
        mean = totals[column].mean()
        low, high = np.percentile(totals[column], [2.5, 97.5])
        axis.barh(position, mean, color=colour, height=0.5)
        axis.errorbar(mean, position, xerr=[[mean - low], [high - mean]],
                      color=COLOURS["text"], capsize=6, linewidth=1.5)
        axis.annotate(f"{low:,.0f}–{high:,.0f}", (high, position), xytext=(8, 0),
                      textcoords="offset points", va="center", fontsize=10)
    axis.set_yticks(range(len(rows)), [label for _, label, _ in rows])
    axis.set_ylim(-0.6, len(rows) - 0.4)
    axis.invert_yaxis()
    axis.grid(axis="x", color=COLOURS["grid"])
    axis.grid(axis="y", visible=False)
    axis.set_xlim(0, totals.quantile(0.975).max() * 1.35)
    axis.set_xlabel("Political prisoners over the deal era (persons)")
    rows = verdicts.set_index("hypothesis")
    per_freed, per_exit = rows.loc["A5_recognized_per_freed"], rows.loc["A6_recognized_per_exit"]
    headline = (f"{per_freed['ci_low']:.2f} to {per_freed['ci_high']:.2f} recognised per "
                f"political prisoner freed in release batches, {per_exit['ci_low']:.2f} to "
                f"{per_exit['ci_high']:.2f} per one leaving by any route"
                if np.isfinite(per_freed["ci_low"]) and np.isfinite(per_exit["ci_low"])
                else per_freed["note"])
    last = era["month"].max() + pd.offsets.MonthEnd(0)
    style.annotate(
        figure, f"Accounting: {headline} (95% intervals)",
        f"Political prisoners newly recognised, freed in release batches, and leaving by other "
        f"routes (persons, stock-flow model), {DEAL_ERA_START:%b %Y} to {last:%b %Y}; bars: "
        "model means, labels and whiskers: 95% intervals.",
        style.source_line(["prisoner_counts", "release_events"]),
    )
    return figure


CUMULATIVE_SERIES = {
    "recognized_total_since_2020": ("Ever recognised as political prisoners",
                                    COLOURS["recognized"]),
    "released_total_since_2020": ("Freed by any route", COLOURS["released"]),
    "released_end_of_sentence_total_since_2020": ("Freed at the end of their sentence",
                                                  COLOURS["held"]),
    "released_total_pardon_since_2020": ("Freed by pardon", COLOURS["relief"]),
}
"""Viasna's cumulative totals since 2020, each drawn as reported (never joined to the batch
counts): the people ever recognised, and the routes out of prison."""
QUALIFIER_MARKERS = {"exact": "o", "approx": "s", "milestone_round": "s", "lower_bound": "^",
                     "upper_bound": "v"}


def cumulative_chart(counts: pd.DataFrame) -> plt.Figure:
    """The cumulative number ever recognised and freed by each route, as Viasna reports it:
    the scale of the repression behind the number held, which the monthly panel cannot show."""
    chosen = choose_counts(counts[counts["metric"].isin(list(CUMULATIVE_SERIES))
                                  & (counts["date_precision"] != "year")])
    if chosen.empty:
        return _not_enough_data("Cumulative totals since 2020",
                                "No cumulative total in the prisoner counts.")
    figure, axis = style.new_figure()
    for metric, (label, colour) in CUMULATIVE_SERIES.items():
        series = chosen[chosen["metric"] == metric].sort_values("date_start")
        if series.empty:
            continue
        for qualifier, marker in QUALIFIER_MARKERS.items():
            points = series[series["qualifier"] == qualifier]
            axis.scatter(points["date_start"], points["value"], marker=marker, s=26,
                         color=colour, zorder=3)
        last = series.iloc[-1]
        axis.annotate(f"{label}: {summaries.say_figure(last)} ({last['date_start']:%b %Y})",
                      (last["date_start"], last["value"]), xytext=(-4, 6),
                      textcoords="offset points", ha="right", fontsize=9, color=colour)
    for qualifier, marker in (("exact", "o"), ("approx", "s"), ("lower_bound", "^")):
        axis.scatter([], [], marker=marker, color=COLOURS["muted"],
                     label={"exact": "exact", "approx": "about", "lower_bound": "at least"}[
                         qualifier])
    axis.legend(loc="upper left", title="Figure as reported", fontsize=9, title_fontsize=9)
    axis.set_ylabel("Persons since 2020 (cumulative)")
    axis.set_ylim(0, max(chosen["value"].max() if len(chosen) else 1, 1) * 1.15)
    _month_axis(axis)
    recognised = summaries.latest_figure(counts, "recognized_total_since_2020")
    title = (f"{summaries.say_figure(recognised).capitalize()} people recognised as political "
             f"prisoners since 2020 ({recognised['date_start']:%b %Y})" if recognised is not None
             else "No cumulative recognition total in the data")
    period = [summaries.latest_figure(counts, metric) for metric in
              ("released_end_of_sentence_in_period", "expelled_in_period")]
    extra = ""
    if all(figure is not None for figure in period):
        end_of_sentence, expelled = period
        extra = (f" In {end_of_sentence['date_start']:%b %Y}–{end_of_sentence['date_end']:%b %Y}"
                 f", {summaries.say_figure(end_of_sentence)} were freed at the end of their "
                 f"sentence; in {expelled['date_start']:%b %Y}–{expelled['date_end']:%b %Y}, "
                 f"{summaries.say_figure(expelled)} were forced abroad on release.")
    style.annotate(
        figure,
        title,
        "Viasna's cumulative totals since 2020 (persons), as reported, one figure per date "
        "chosen by the resolution rule and not joined (the totals come from different "
        "reviews); marker shape gives the qualifier." + extra,
        style.source_line(["prisoner_counts"]),
    )
    return figure


def verdict_chart(verdicts: pd.DataFrame) -> plt.Figure:
    """Each contrast's 95% interval and estimate against no effect and the smallest effect of
    interest, coloured by verdict (grey: not answerable with these data), one panel per unit:
    the parts of the answer that could carry verdict words, on one page. Accounting rows and
    descriptions are not drawn (they carry no verdict)."""
    contrasts = verdicts[(verdicts["verdict"] != "description")
                         & np.isfinite(verdicts["ci_low"].astype(float))]
    scales = [scale for scale in ("persons held", "persons per month")
              if (contrasts["scale"] == scale).any()] or ["persons per month"]
    figure, axes = style.new_figure(
        len(scales), 1,
        height_ratios=[max((contrasts["scale"] == scale).sum(), 1) + 0.6 for scale in scales])
    for axis, scale in zip(np.atleast_1d(axes), scales, strict=True):
        table = contrasts[contrasts["scale"] == scale]
        for position, row in enumerate(table.itertuples()):
            colour = VERDICT_COLOURS.get(row.verdict, COLOURS["muted"])
            axis.plot([row.ci_low, row.ci_high], [position, position], color=colour,
                      linewidth=3)
            axis.plot(row.estimate, position, "o", color=colour, markersize=8)
            for edge in (-row.smallest_effect, row.smallest_effect):
                axis.plot(edge, position, "|", color=COLOURS["muted"], markersize=14)
        axis.axvline(0, color=COLOURS["text"], linewidth=1)
        axis.set_yticks(range(len(table)),
                        [f"{row.hypothesis}\n{row.verdict}" for row in table.itertuples()])
        for label, row in zip(axis.get_yticklabels(), table.itertuples(), strict=True):
            label.set_color(VERDICT_COLOURS.get(row.verdict, COLOURS["muted"]))
        axis.set_ylim(len(table) - 0.5, -0.5)
        axis.grid(axis="x", color=COLOURS["grid"])
        axis.grid(axis="y", visible=False)
        axis.set_xlabel(f"Difference in {scale} (0 = no effect; ticks: smallest effect of "
                        "interest)")
    figure.subplots_adjust(hspace=0.75)
    counts = verdicts.loc[verdicts["verdict"] != "description", "verdict"].value_counts()
    summary = ", ".join(f"{count} {verdict}" for verdict, count in counts.items())
    style.annotate(
        figure,
        "The contrasts of the claim: 95% intervals, estimates and verdicts",
        f"Effects and repression's response of docs/hypotheses.md (third edition); verdict "
        f"words only where simulated panels of the real shape can reach them, Holm-adjusted "
        f"over those: {summary}.",
        "Source: the stock-flow model's draws, its no-deal counterfactual and the monthly "
        "panel (docs/data.md); methods in src/analysis/claim.",
    )
    return figure


def counterfactual_chart(table: pd.DataFrame) -> plt.Figure:
    """The modelled number held against the number had no release batch freed anyone (each
    person freed held to the end of the term), both with their 95% bands: what the batches
    changed, and how uncertain that is."""
    title = "Political prisoners held, and held had there been no release batches"
    shown = table[table["deals_effect_mean"].notna()]
    if shown.empty:
        reason = table["reason"].iloc[0] if len(table) else "no months modelled"
        return _not_enough_data(title, textwrap.fill(reason, 60))
    figure, axis = style.new_figure()
    months = shown["month"] + pd.offsets.MonthEnd(0)
    series = [("stock_no_deals", "No release batches (same entries and other exits)",
               COLOURS["relief"], "--"),
              ("stock", "Stock-flow model", COLOURS["held"], "-")]
    for column, label, colour, line in series:
        axis.fill_between(months, shown[f"{column}_low"], shown[f"{column}_high"],
                          color=colour, alpha=0.18, linewidth=0)
        axis.plot(months, shown[f"{column}_mean"], color=colour, linewidth=1.8, linestyle=line,
                  label=f"{label}, mean and 95% interval")
    axis.set_ylim(0, float(shown["stock_no_deals_high"].max()) * 1.15)
    axis.set_ylabel("Political prisoners held")
    axis.legend(loc="upper left")
    _month_axis(axis)
    last = shown.iloc[-1]
    effect = (f"{-last['deals_effect_mean']:,.0f} (95% interval "
              f"{-last['deals_effect_high']:,.0f} to {-last['deals_effect_low']:,.0f})")
    style.annotate(
        figure, title,
        f"Political prisoners held at each month's end (persons), {months.min():%b %Y} to "
        f"{months.max():%b %Y}. Without batches, each political prisoner freed in a release "
        "batch would have stayed until the end of the term, drawn from an exit-time prior "
        "built on sourced sentence facts (docs/model.md); bands: 95% intervals over the "
        f"model's draws paired with the prior's. By {months.max():%d %b %Y} the batches had "
        f"cut the number held by {effect}.",
        style.source_line(["counterfactual_monthly"]),
    )
    return figure


@dataclass(frozen=True)
class BriefingChart:
    name: str
    datasets: tuple[str, ...]
    draw: Callable[..., plt.Figure]


BRIEFING: list[BriefingChart] = [
    BriefingChart("01_prisoners_held", ("prisoners_daily", "release_events", "prisoner_counts"),
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
    BriefingChart("08_h1_pressure", ("panel_monthly",), pressure_chart),
    BriefingChart("09_h2_leverage", ("panel_monthly",), leverage_chart),
    BriefingChart("10_h3_net_effect", ("counterfactual_monthly", "claim_verdicts"),
                  stock_change_chart),
    BriefingChart("11_h4_revolving_door", ("flows_draws", "claim_verdicts"),
                  revolving_door_chart),
    BriefingChart("12_flows", ("flows_monthly",), flows_chart),
    BriefingChart("13_cumulative", ("prisoner_counts",), cumulative_chart),
    BriefingChart("14_episode_counts", ("episode_counts",), episode_counts_chart),
    BriefingChart("15_base_rate", ("episodes",), base_rate_chart),
    BriefingChart("16_counterfactual", ("counterfactual_monthly",), counterfactual_chart),
]


BRIEFING_PDF = "briefing.pdf"


def briefing_files() -> set[str]:
    """Names of every file the export writes to ``figures/``: each chart in each format and the
    briefing PDF. Anything else there is an orphan that no current code writes."""
    return {f"{chart.name}.{extension}" for chart in BRIEFING
            for extension in style.FORMATS} | {BRIEFING_PDF}


def export_briefing(folder: Path | None = None,
                    on_chart: Callable[[str], None] | None = None,
                    only_changed: bool = False,
                    keep: dict[str, plt.Figure] | None = None) -> list[Path]:
    """Draw every briefing chart from the current data and save it in every format.

    With ``only_changed`` (for ``run``, which has just built every dataset), a chart whose
    datasets have the fingerprints they had when it was last exported this way, and whose
    files are as then written, is not drawn again; one drawn again by the same code whose SVG
    comes out the same is not written again (``style.save_figure``). Returns the paths
    written. With ``keep``, each figure drawn is left open in it by chart name (for
    ``briefing.pdf``, which then need not draw it again; the caller closes them).
    """
    folder = folder or paths.figures_dir()
    record = run_cache.read_record().get("figures", {}) if only_changed else {}
    lines = coverage.coverage_lines()
    written: list[Path] = []
    for chart in BRIEFING:
        if on_chart:
            on_chart(chart.name)
        drawing = run_cache.key(chart=chart.name, folder=str(folder))
        wanted = run_cache.key(chart=chart.name, folder=str(folder),
                               data=run_cache.dataset_fingerprints(chart.datasets),
                               coverage=lines)
        previous = record.get(chart.name)
        if only_changed and run_cache.is_current(previous, wanted):
            continue
        figure = chart.draw(*(style.as_drawn(load(name)) for name in chart.datasets))
        same_code = (only_changed and previous is not None
                     and previous.get("drawing") == drawing
                     and run_cache.is_current(previous, previous["key"]))
        svg = str(folder / f"{chart.name}.svg")
        files = style.save_figure(figure, chart.name, folder,
                                  unless_svg=previous["files"].get(svg) if same_code else None)
        if keep is None:
            plt.close(figure)
        else:
            keep[chart.name] = figure
        if only_changed:
            run_cache.update_record("figures", chart.name, run_cache.entry(
                wanted, files or [Path(file) for file in previous["files"]], drawing=drawing))
        written += files
    return written
