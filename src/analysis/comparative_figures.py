"""Briefing charts of the comparative cases: the counts around every relief-for-release deal
on one time axis, and the base rate the episodes give.

Each country's count is its own counting organisation's, under its own definition of a
political prisoner, so the charts only ever set a count against the same organisation's count
before the deal (a share), never against another country's count; subtitles say so.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.transforms import blended_transform_factory

from analysis import country as countries
from analysis import paths, style
from analysis.episodes import base_rate
from analysis.style import COLOURS

EPISODE_COLOURS = (COLOURS["held"], COLOURS["observed"], COLOURS["released"],
                   COLOURS["relief"], COLOURS["recognized"])
COUNTED_BY = "each country's count is its own organisation's, under its own definition"
FIGURE_SIZE_TALL = (10, 9)
"""Figure 14 with more than three countries: two columns of panels."""


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


BAND_MARGIN = 1.25
"""Room above and below the mean lines of a panel (a factor on the log scale; below, once more
per legend line): a 95% band that a month with few counts leaves wide runs off the panel
instead of stretching its scale."""


def episode_counts_chart(counts: pd.DataFrame) -> plt.Figure:
    """Small multiples by country: the modelled count as a share of its pre-deal level, by
    months from the deal, one line and 95% band per episode."""
    shown = [country for country in paths.countries() if country in set(counts["country"])]
    columns = min(max(len(shown), 1), 2 if len(shown) > 3 else 3)
    rows = -(-max(len(shown), 1) // columns)
    figure, axes = style.new_figure(rows, columns)
    if rows > 1:
        figure.set_size_inches(FIGURE_SIZE_TALL)
        figure.subplots_adjust(hspace=0.6)
    axes = np.atleast_1d(axes).ravel()
    for spare in axes[max(len(shown), 1):]:
        spare.set_visible(False)
    for axis, country in zip(axes, shown, strict=False):
        rows_of = counts[counts["country"] == country]
        for colour, (episode, line) in zip(EPISODE_COLOURS,
                                           rows_of.groupby("episode", sort=True),
                                           strict=False):
            axis.fill_between(line["months_from_deal"], line["share_low"], line["share_high"],
                              color=colour, alpha=0.18, linewidth=0)
            axis.plot(line["months_from_deal"], line["share_of_before"], color=colour,
                      linewidth=1.8, label=episode)
        axis.axhline(1.0, color=COLOURS["muted"], linewidth=0.8, linestyle="--")
        axis.axvline(0, color=COLOURS["text"], linewidth=0.8)
        config = countries.config(country)
        organisation = config["counting_organisation"]
        axis.set_title(f"{config['name']} "
                       f"({organisation.get('short_name') or organisation['name']})",
                       fontsize=10.5)
        axis.set_yscale("log", base=2)
        means = rows_of["share_of_before"].astype("float64")
        axis.set_ylim(min(means.min(), 1.0) / BAND_MARGIN ** (1 + rows_of["episode"].nunique()),
                      max(means.max(), 1.0) * BAND_MARGIN)
        axis.yaxis.set_major_locator(mticker.FixedLocator(multiple_ticks(*axis.get_ylim())))
        axis.yaxis.set_major_formatter(plt.FuncFormatter(multiple_label))
        axis.yaxis.set_minor_locator(mticker.NullLocator())
        axis.set_xlabel("Months from the deal")
        axis.legend(loc="best", fontsize=8.5)
    if shown:
        for axis in axes[:len(shown):columns]:
            axis.set_ylabel("× pre-deal count")
    else:
        axes[0].set_axis_off()
        axes[0].text(0.5, 0.5, "No episode has a modelled count before its deal.",
                     ha="center", va="center", transform=axes[0].transAxes, fontsize=13,
                     color=COLOURS["muted"])
    missing = sorted(set(episode["id"] for country in paths.countries()
                         for episode in countries.episodes(country)) - set(counts["episode"]))
    left_out = (f" Not shown (no modelled count before the deal; outcomes from the "
                f"organisations' own counts where they exist, figure 15): {', '.join(missing)}."
                if missing else "")
    style.annotate(
        figure, "Political prisoners held around relief-for-release deals",
        "Month-end count of political prisoners as a multiple of the count at the end of the "
        "month before the deal's month (1× = the pre-deal level; log scale), stock-flow model "
        f"mean and 95% interval (cut at the panel's edge: the scale follows the means, not a "
        f"band the model leaves wide); {COUNTED_BY}, so the levels are not comparable across "
        f"panels.{left_out}",
        _source(),
    )
    return figure


SHORT_LABELS = {"returned_within_12m": "back within 12 months",
                "returned_within_24m": "back within 24 months",
                "recognized_12m_at_least_freed": "recognised in 12 months ≥ freed"}
GROUP_LABELS = {"comparable deals": "Deals", "comparable deals, unconfounded": "Unconfounded deals",
                "releases without relief": "No relief"}
BASE_RATE_SIZE = (10, 9)
"""Figure 15 is taller than the others: it lists every episode beside the rates."""


def episode_status(row) -> str:
    """One episode in figure 15: whether its count was back within 24 months (✓, ✗ or ?),
    where the outcome comes from, and why it is left out or flagged."""
    returned = row.returned_within_24m
    mark = "?" if pd.isna(returned) else ("✓" if returned else "✗")
    if not row.comparable:
        return f"{mark} {row.episode}: left out, kept on its list after {row.release_form}"
    if row.outcome_basis == "none":
        why = ["no count near the deal"]
    elif pd.notna(returned):
        why = [row.outcome_basis]
    elif pd.isna(row.stock_before):
        why = [f"{row.outcome_basis}, no count before the deal"]
    else:
        why = [f"{row.outcome_basis}, open"]
    if not row.relief_granted:
        why.append("no relief")
    if row.confounded:
        shocks = [" ".join(shock.split(":")[0].split()[:2])
                  for shock in row.confounders.split(" | ")]
        why.append(f"confounded: {shocks[0]}" + (f" +{len(shocks) - 1}" if len(shocks) > 1
                                                 else ""))
    return f"{mark} {row.episode}: {'; '.join(why)}"


def base_rate_chart(episodes: pd.DataFrame) -> plt.Figure:
    """Top: per group of the base rate (deals, unconfounded deals, releases without relief)
    and outcome, the share of episodes with its exact 95% interval and how many are known.
    Below: every episode, whether its count was back within 24 months, and why it is left out
    or flagged."""
    rate = base_rate(episodes)
    figure, (axis, listing) = style.new_figure(2, 1, height_ratios=[1.25, 1])
    figure.set_size_inches(*BASE_RATE_SIZE)
    for position, row in enumerate(rate.itertuples()):
        if row.episodes_known:
            axis.plot([row.share_low, row.share_high], [position, position],
                      color=COLOURS["held"], linewidth=3, solid_capstyle="butt")
            axis.plot(row.share, position, "o", color=COLOURS["observed"], markersize=7,
                      zorder=3)
        # wrapped: three episode names run past the figure's edge on one line
        axis.text(1.02, position, textwrap.fill(f"{row.yes} of {row.episodes_known}: "
                                                f"{row.episodes}", 40)
                  if row.episodes_known else "none known", va="center", fontsize=7.5,
                  linespacing=1.0, color=COLOURS["muted"])
    axis.set_yticks(range(len(rate)), [f"{GROUP_LABELS.get(row.group, row.group)}: "
                                       f"{SHORT_LABELS.get(row.outcome, row.outcome)}"
                                       for row in rate.itertuples()], fontsize=8)
    per_group = rate["outcome"].nunique()
    for boundary in range(per_group, len(rate), per_group):
        axis.axhline(boundary - 0.5, color=COLOURS["grid"], linewidth=1)
    axis.set_xlim(0, 1.75)
    axis.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    axis.spines["bottom"].set_bounds(0, 1)
    axis.set_ylim(-0.6, len(rate) - 0.4)
    axis.invert_yaxis()
    axis.xaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{value:.0%}"))
    axis.set_xlabel("Share of episodes (dot), exact 95% interval (bar)", loc="left")
    axis.grid(axis="y", visible=False)
    listing.set_axis_off()
    across = blended_transform_factory(figure.transFigure, listing.transAxes)
    heading = listing.text(style.TEXT_LEFT, 1.0, "Every episode: ✓ count back to its pre-deal "
                           "level within 24 months, ✗ not, ? unknown", fontsize=8.5,
                           fontweight="bold", va="top", color=COLOURS["text"], transform=across)
    heading.set_in_layout(False)
    lines = [episode_status(row) for row in episodes.itertuples()]
    rows = (len(lines) + 1) // 2
    middle = (style.TEXT_LEFT + style.TEXT_RIGHT) / 2
    for position, line in enumerate(lines):
        text = listing.text(style.TEXT_LEFT if position < rows else middle,
                            0.85 - (position % rows) * 0.85 / max(rows, 8), line, fontsize=7.8,
                            va="top", color=COLOURS["text"], transform=across)
        text.set_in_layout(False)
    deals = rate.loc[(rate["group"] == "comparable deals")
                     & (rate["outcome"] == "returned_within_24m")].iloc[0]
    style.annotate(
        figure, "Relief-for-release deals: "
        + (f"in {deals.yes} of {deals.episodes_known} comparable deals with a known outcome the "
           "count was back within 24 months" if deals.episodes_known
           else "no comparable outcome known yet"),
        "Deals and releases without relief are never pooled. An episode is left out where its "
        "counter keeps released people on its list; confounded: a crackdown, election or coup "
        "inside the 24-month window. Outcomes from the stock-flow model or, where it does not "
        f"reach, the organisation's own counts (docs/comparative.md); {COUNTED_BY}.",
        _source(),
    )
    return figure
