"""Briefing charts of the comparative cases: the counts around every relief-for-release deal
on one time axis, and the base rate the episodes give.

Each country's count is its own counting organisation's, under its own definition of a
political prisoner, so the charts only ever set a count against the same organisation's count
before the deal (a share), never against another country's count; subtitles say so.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from analysis import country as countries
from analysis import paths, style
from analysis.episodes import base_rate
from analysis.style import COLOURS

EPISODE_COLOURS = (COLOURS["held"], COLOURS["observed"], COLOURS["released"],
                   COLOURS["relief"], COLOURS["recognized"])
COUNTED_BY = "each country's count is its own organisation's, under its own definition"


def multiple_ticks(low: float, high: float) -> list[float]:
    """Tick values for a log axis of multiples between ``low`` and ``high``: steps of 0.05 to
    0.5 when the range is narrow (at least three ticks), else powers of two, every other one
    when there would be more than seven."""
    if high / low < 4:
        for step in (0.05, 0.1, 0.25, 0.5):
            ticks = [value for value in np.arange(step, high + step, step).round(2)
                     if low <= value <= high]
            if len(ticks) <= 6:
                return ticks
    powers = np.arange(np.ceil(np.log2(low)), np.floor(np.log2(high)) + 1)
    stride = 1 if len(powers) <= 7 else 2
    return [float(2.0**power) for power in powers if power % stride == 0]


def multiple_label(value: float, _position: object = None) -> str:
    """``1/4×`` for a power of two below one, ``0.7×`` or ``1.5×`` otherwise."""
    inverse = 1 / value
    if value < 1 and abs(inverse - round(inverse)) < 1e-9 and round(inverse) > 2:
        return f"1/{round(inverse)}×"
    return f"{value:g}×"


def _source() -> str:
    return style.source_line(["prisoner_counts", "release_events"], countries=paths.countries())


def episode_counts_chart(counts: pd.DataFrame) -> plt.Figure:
    """Small multiples by country: the modelled count as a share of its pre-deal level, by
    months from the deal, one line and 95% band per episode."""
    shown = [country for country in paths.countries() if country in set(counts["country"])]
    figure, axes = style.new_figure(1, max(len(shown), 1))
    axes = np.atleast_1d(axes)
    for axis, country in zip(axes, shown, strict=False):
        rows = counts[counts["country"] == country]
        for colour, (episode, line) in zip(EPISODE_COLOURS, rows.groupby("episode", sort=True),
                                           strict=False):
            axis.fill_between(line["months_from_deal"], line["share_low"], line["share_high"],
                              color=colour, alpha=0.18, linewidth=0)
            axis.plot(line["months_from_deal"], line["share_of_before"], color=colour,
                      linewidth=1.8, label=episode)
        axis.axhline(1.0, color=COLOURS["muted"], linewidth=0.8, linestyle="--")
        axis.axvline(0, color=COLOURS["text"], linewidth=0.8)
        config = countries.config(country)
        axis.set_title(f"{config['name']} ({config['counting_organisation']['name']})",
                       fontsize=10.5)
        axis.set_yscale("log", base=2)
        axis.yaxis.set_major_locator(mticker.FixedLocator(multiple_ticks(*axis.get_ylim())))
        axis.yaxis.set_major_formatter(plt.FuncFormatter(multiple_label))
        axis.yaxis.set_minor_locator(mticker.NullLocator())
        axis.set_xlabel("Months from the deal")
        axis.legend(loc="best", fontsize=8.5)
    if shown:
        axes[0].set_ylabel("Multiple of the pre-deal count")
    else:
        axes[0].set_axis_off()
        axes[0].text(0.5, 0.5, "No episode has a modelled count before its deal.",
                     ha="center", va="center", transform=axes[0].transAxes, fontsize=13,
                     color=COLOURS["muted"])
    missing = sorted(set(episode["id"] for country in paths.countries()
                         for episode in countries.episodes(country)) - set(counts["episode"]))
    left_out = (f" Not shown (no modelled count before the deal): {', '.join(missing)}."
                if missing else "")
    style.annotate(
        figure, "Political prisoners held around relief-for-release deals",
        "Month-end count of political prisoners as a multiple of the count at the end of the "
        "month before the deal's month (1× = the pre-deal level; log scale), stock-flow model "
        f"mean and 95% interval; {COUNTED_BY}, so the levels are not comparable across "
        f"panels.{left_out}",
        _source(),
    )
    return figure


SHORT_LABELS = {"returned_within_12m": "Back to the pre-deal\ncount within 12 months",
                "returned_within_24m": "Back to the pre-deal\ncount within 24 months",
                "recognized_12m_at_least_freed":
                    "Recognised in 12 months\n≥ political prisoners freed"}


def base_rate_chart(episodes: pd.DataFrame) -> plt.Figure:
    """Each outcome's share of episodes with its exact 95% interval and the number of episodes
    whose outcome is known."""
    rate = base_rate(episodes)
    figure, axis = style.new_figure()
    for position, row in enumerate(rate.itertuples()):
        if row.episodes_known:
            axis.plot([row.share_low, row.share_high], [position, position],
                      color=COLOURS["held"], linewidth=3, solid_capstyle="butt")
            axis.plot(row.share, position, "o", color=COLOURS["observed"], markersize=9,
                      clip_on=False, zorder=3)
        axis.annotate(f"{row.yes} of {row.episodes_known} episodes known"
                      if row.episodes_known else "no episode known yet",
                      (1.0, position), xytext=(12, 0), textcoords="offset points",
                      va="center", fontsize=9.5, color=COLOURS["muted"],
                      annotation_clip=False)
    axis.set_yticks(range(len(rate)), [SHORT_LABELS.get(outcome, outcome)
                                       for outcome in rate["outcome"]])
    axis.set_xlim(0, 1)
    axis.set_ylim(-0.6, len(rate) - 0.4)
    axis.invert_yaxis()
    axis.xaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{value:.0%}"))
    axis.set_xlabel("Share of episodes (dot) and exact 95% interval (bar)")
    axis.grid(axis="y", visible=False)
    known = int(rate["episodes_known"].max()) if len(rate) else 0
    style.annotate(
        figure, "Base rate of relief-for-release episodes: "
        + (f"at most {known} with a known outcome" if known else "no outcome known yet"),
        "Share of episodes with each outcome (Clopper-Pearson 95% interval); an outcome is "
        "known where the stock-flow model decides it in at least 95% of draws; "
        f"{COUNTED_BY}, and each episode is compared only with its own pre-deal count.",
        _source(),
    )
    return figure
