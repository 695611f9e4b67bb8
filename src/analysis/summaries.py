"""Headline numbers and yearly totals: what a briefing quotes, computed in one place.

Notebooks show these tables, and the what-changed report compares them between builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

from analysis.derive.resolve import choose_counts

DEALS_ERA = pd.Timestamp("2024-07-01")
"""When the batch pardons began."""
SINCE_2020 = pd.Timestamp("2020-01-01")
"""Start of Viasna's running totals (``*_since_2020``): batches are compared with them from it."""

_FORMATS = {"day": "%-d %b %Y", "month": "%b %Y", "year": "%Y"}


class Dated(NamedTuple):
    """A date as precise as its source: a month-dated item is not the month's last day."""

    date: pd.Timestamp
    precision: str

    def __str__(self) -> str:
        return format(self.date, _FORMATS.get(self.precision, _FORMATS["day"]))


def newest_item(tables: Iterable[pd.DataFrame]) -> Dated | None:
    """The newest dated item of the curated tables: the latest first day an item can refer to,
    shown at its own precision (the finest among items starting that day). Items dated only to
    a year are left out: they cannot be placed in a month."""
    rows = [table[["date_start", "date_precision"]] for table in tables
            if {"date_start", "date_precision"} <= set(table.columns)]
    dated = pd.concat(rows) if rows else pd.DataFrame(columns=["date_start", "date_precision"])
    dated = dated[dated["date_precision"] != "year"].dropna()
    if dated.empty:
        return None
    newest = dated[dated["date_start"] == dated["date_start"].max()]
    finest = min(newest["date_precision"], key=list(_FORMATS).index)
    return Dated(pd.Timestamp(newest["date_start"].iloc[0]), finest)


def coarser_items_after(tables: Iterable[pd.DataFrame], newest: Dated) -> list[Dated]:
    """Items dated only to a month that may lie after ``newest`` (a count known only as
    'March 2026'): the reader must know the newest day is not the end of the data."""
    spans = [table[["date_start", "date_end", "date_precision"]] for table in tables
             if {"date_start", "date_end", "date_precision"} <= set(table.columns)]
    if not spans:
        return []
    items = pd.concat(spans)
    later = items[(items["date_precision"] == "month") & (items["date_end"] > newest.date)]
    return [Dated(pd.Timestamp(start), "month")
            for start in sorted(later["date_start"].unique())]


def describe_span(first: pd.Timestamp, last: pd.Timestamp) -> str:
    return f"{first:%b %Y}–{last:%b %Y}"


def flows_by_year(panel: pd.DataFrame) -> pd.DataFrame:
    """Recognitions and batch releases per calendar year, with how many months are covered.

    The stock held at year end is reconstructed between observations: shown in whole persons,
    as a fraction of a person would claim a precision the data do not have.

    ``recognized`` sums only months with a reported total; ``months_with_recognition_figure``
    says how many, so a low total from missing months is not mistaken for a low rate. Political
    prisoners freed are a low-high bracket; all people freed is a separate column.
    """
    by_year = panel.assign(year=panel["month"].dt.year).groupby("year")
    table = pd.DataFrame({
        "months": by_year.size(),
        "months_with_recognition_figure": by_year["recognized"].count(),
        "recognized": by_year["recognized"].sum(min_count=1),
        "political_prisoners_freed_low": by_year["released_political_low"].sum(min_count=1),
        "political_prisoners_freed_high": by_year["released_political_high"].sum(min_count=1),
        "people_freed": by_year["released_people"].sum(min_count=1),
        "release_batches": by_year["release_batches"].sum(),
        "largest_batch": by_year["largest_batch"].max(),
        "held_at_year_end": by_year["prisoners_held"].last().round().astype("Int64"),
    })
    return table.reset_index()


def observed_counts(daily: pd.DataFrame, counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The days of ``daily`` with a reported count; with ``counts``, ``prisoners_held`` is the
    figure as reported, not the model's value on its day. The headline table and the sentences
    beside it both read it, so they cannot disagree."""
    observed = daily[daily["basis"] == "observed"]
    if counts is not None and len(observed):
        reported = counts.set_index("record_id")["value"].astype("float64")
        observed = observed.assign(
            prisoners_held=reported.reindex(observed["anchor_record_id"]).to_numpy())
    return observed


def headline_numbers(daily: pd.DataFrame, panel: pd.DataFrame, releases: pd.DataFrame,
                     counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The few numbers a briefing leads with, each with the date it refers to. Political
    prisoners freed are given as a low and a high figure, all people freed separately. With
    ``counts``, observed counts are the reported figures, not the model's value on their day."""
    observed = observed_counts(daily, counts)
    latest = observed.iloc[-1] if len(observed) else None
    peak = observed.loc[observed["prisoners_held"].idxmax()] if len(observed) else None
    batches = releases[releases["counts_as_release"]]
    largest = batches.loc[batches["released_people"].idxmax()] if len(batches) else None
    since = panel[panel["month"] >= DEALS_ERA]
    until = since["month"].max()
    rows = [
        ("latest observed count", latest["prisoners_held"] if latest is not None else None,
         latest["date"] if latest is not None else None, "persons held"),
        ("highest observed count", peak["prisoners_held"] if peak is not None else None,
         peak["date"] if peak is not None else None, "persons held"),
        ("largest release batch (all people)",
         largest["released_people"] if largest is not None else None,
         largest["date_start"] if largest is not None else None, "persons freed"),
        ("political prisoners freed in release batches since Jul 2024, at least",
         since["released_political_low"].sum(), until, "persons"),
        ("political prisoners freed in release batches since Jul 2024, at most",
         since["released_political_high"].sum(), until, "persons"),
        ("all people freed in release batches since Jul 2024", since["released_people"].sum(),
         until, "persons"),
        ("recognised since Jul 2024 (months with a figure)", since["recognized"].sum(),
         until, "persons"),
        ("release batches since Jul 2024", since["release_batches"].sum(), until, "batches"),
    ]
    if counts is not None:
        for metric, label in CUMULATIVE_HEADLINES.items():
            figure = latest_figure(counts, metric)
            if figure is not None:
                rows.append((label, figure["value"], figure["date_start"], "persons"))
    table = pd.DataFrame(rows, columns=["measure", "value", "as_of", "unit"])
    table["value"] = pd.to_numeric(table["value"]).astype("float64")
    table["as_of"] = pd.to_datetime(table["as_of"]).astype("datetime64[ns]")
    return table


def period_label(start: pd.Timestamp, end: pd.Timestamp | None = None,
                 precision: str = "month") -> str:
    """A date or period as a reader says it: "13 Dec 2025", "Mar 2026", "Jul 2024 – Mar 2026"."""
    if start is None or pd.isna(start):
        return ""
    formats = {"day": "%d %b %Y", "month": "%b %Y", "year": "%Y"}
    first = pd.Timestamp(start).strftime(formats.get(precision, "%b %Y")).lstrip("0")
    if end is None or pd.isna(end):
        return first
    last = pd.Timestamp(end).strftime(formats.get(precision, "%b %Y")).lstrip("0")
    return first if first == last else f"{first} – {last}"


def headline_table(daily: pd.DataFrame, panel: pd.DataFrame, releases: pd.DataFrame,
                   counts: pd.DataFrame, since: str = "2024-07-01") -> pd.DataFrame:
    """``headline_numbers`` for reading: counts as whole numbers, the date or period as a label,
    and for a single figure the raw record behind it and how well its date is known, so a
    reader knows which row to edit and never takes an estimated date for an exact one."""
    numbers = headline_numbers(daily, panel, releases, counts)
    observed = daily[daily["basis"] == "observed"]
    batches = releases[releases["counts_as_release"]]
    records = {
        "latest observed count": observed.iloc[-1]["anchor_record_id"] if len(observed) else None,
        "highest observed count": observed.loc[observed["prisoners_held"].idxmax(),
                                               "anchor_record_id"] if len(observed) else None,
        "largest release batch (all people)": batches.loc[batches["released_people"].idxmax(),
                                                          "event_id"]
        if len(batches) else None,
    }
    periods = {}
    for metric, label in CUMULATIVE_HEADLINES.items():
        figure = latest_figure(counts, metric)
        if figure is not None:
            records[label] = figure["record_id"]
            if metric.endswith("_in_period"):
                periods[label] = (figure["date_start"], figure["date_end"])
    dates = pd.concat([
        counts.set_index("record_id")[["date_precision", "year_inferred"]],
        releases.set_index("event_id")[["date_precision", "year_inferred"]],
    ])
    first_month = pd.Timestamp(since)
    rows = []
    for row in numbers.itertuples():
        record = records.get(row.measure)
        if record is not None and record in dates.index:
            precision, inferred = dates.loc[record, ["date_precision", "year_inferred"]]
            when = (period_label(*periods[row.measure]) if row.measure in periods
                    else period_label(row.as_of, precision=precision))
            known = f"{precision}{', inferred' if inferred else ''}"
        else:
            when = period_label(first_month, row.as_of)
            known = "month"
        rows.append({"measure": row.measure,
                     "value": None if pd.isna(row.value) else round(row.value),
                     "unit": row.unit, "when": when, "date_known_to": known,
                     "record": record or "sum over the panel"})
    table = pd.DataFrame(rows)
    table["value"] = table["value"].astype("Int64")
    return table
CUMULATIVE_HEADLINES = {
    "recognized_total_since_2020": "recognised as political prisoners since 2020 (latest total)",
    "released_end_of_sentence_total_since_2020": "freed at the end of their sentence since 2020",
    "released_end_of_sentence_in_period": "freed at the end of their sentence in the latest "
    "period reported",
    "expelled_in_period": "forced abroad on release in the latest period reported",
}
"""Totals Viasna reports that the batch panel cannot show: the people ever recognised, and
the ways out of prison other than a batch (end of sentence) or with a price (expulsion)."""

QUALIFIER_WORDS = {"exact": "", "approx": "about ", "lower_bound": "at least ",
                   "upper_bound": "fewer than ", "milestone_round": "about "}


def latest_figure(counts: pd.DataFrame, metric: str) -> pd.Series | None:
    """The newest figure for ``metric`` as the resolution rule chooses it, or None."""
    chosen = choose_counts(counts[counts["metric"] == metric])
    if chosen.empty:
        return None
    return chosen.sort_values(["date_end", "date_start"]).iloc[-1]


def say_figure(figure: pd.Series) -> str:
    """'at least 4,499' for a lower-bound figure: the qualifier always goes with the number."""
    return f"{QUALIFIER_WORDS.get(figure['qualifier'], '')}{int(figure['value']):,}"


def steps_by_jurisdiction(timeline: pd.DataFrame) -> pd.DataFrame:
    """Counted steps per jurisdiction and kind, with the first and last date of each kind."""
    counted = timeline[timeline["counts_in_panel"]]
    table = counted.pivot_table(index="jurisdiction", columns="step_kind", values="step_id",
                                aggfunc="count", fill_value=0)
    dates = counted.groupby("jurisdiction")["date_start"].agg(first_step="min", last_step="max")
    table = table.join(dates)
    return table.sort_values("first_step").reset_index()


def relief_beside_releases(timeline: pd.DataFrame, releases: pd.DataFrame,
                           since: str = "2025-01-01") -> pd.DataFrame:
    """Relief steps and release batches since ``since`` in date order, one row per item."""
    relief = timeline[(timeline["step_kind"] == "relief") & timeline["counts_in_panel"]
                      & (timeline["date_start"] >= since)]
    batches = releases[releases["counts_as_release"] & (releases["date_start"] >= since)]
    rows = pd.concat([
        pd.DataFrame({"date": relief["date_start"], "item": "relief step",
                      "who": relief["jurisdiction"], "what": relief["description"],
                      "people_freed": pd.NA}),
        pd.DataFrame({"date": batches["date_start"], "item": "release batch",
                      "who": batches["counterpart"], "what": batches["concession"],
                      "people_freed": batches["released_people"]}),
    ], ignore_index=True)
    rows["people_freed"] = rows["people_freed"].astype("Int64")
    return rows.sort_values(["date", "item"], kind="stable").reset_index(drop=True)


def deals_side_by_side(releases: pd.DataFrame, timeline: pd.DataFrame,
                       since: str = "2025-01-01") -> pd.DataFrame:
    """Each US-brokered or concession-bearing batch since ``since``: who, where, what was given,
    and the relief steps dated within a week of it; the date as a label with how well it is
    known, and the raw record behind the row."""
    batches = releases[releases["counts_as_release"] & (releases["date_start"] >= since)
                       & (releases["has_stated_concession"]
                          | releases["counterpart"].str.contains("US", regex=False))]
    relief = timeline[(timeline["step_kind"] == "relief") & timeline["counts_in_panel"]
                      & (timeline["date_precision"] == "day")]
    rows = []
    for batch in batches.itertuples():
        near = relief[(relief["date_start"] - batch.date_start).abs() <= pd.Timedelta(days=7)]
        rows.append({
            "date": period_label(batch.date_start, precision=batch.date_precision),
            "date_known_to": f"{batch.date_precision}"
                             f"{', inferred' if batch.year_inferred else ''}",
            "record": batch.event_id,
            "people_freed": batch.released_people,
            "political_prisoners_low": batch.released_political_low,
            "political_prisoners_high": batch.released_political_high,
            "destination": batch.destination,
            "counterpart": batch.counterpart,
            "concession_stated": batch.concession or "none stated",
            "relief_steps_within_a_week": len(near),
            "people_named": batch.people_named,
        })
    return pd.DataFrame(rows)


def release_pace(panel: pd.DataFrame, event_months: list[pd.Timestamp],
                 window: int = 6, column: str = "released_people") -> pd.DataFrame:
    """Mean monthly batch releases (``column``: all people freed by default) in the ``window``
    months before and after each event month, with how many months each side actually had.
    Every event month is left out of every window, so a deal's 'before' is not raised by an
    earlier deal; months not covered are left out, not taken as zero; means of a few
    whole-person months, to one decimal."""
    series = panel.set_index("month")[column].astype("float64").dropna()
    freed = series
    series = series[~series.index.isin(pd.to_datetime(list(event_months)))]
    rows = []
    for month in event_months:
        month = pd.Timestamp(month)
        before = series[(series.index < month)
                        & (series.index >= month - pd.DateOffset(months=window))]
        after = series[(series.index > month)
                       & (series.index <= month + pd.DateOffset(months=window))]
        rows.append({"event_month": month, "freed_in_month": freed.get(month),
                     "mean_before": round(before.mean(), 1), "months_before": len(before),
                     "mean_after": round(after.mean(), 1), "months_after": len(after)})
    return pd.DataFrame(rows)


def hypotheses_table(hypotheses: pd.DataFrame) -> pd.DataFrame:
    """The rows of the answer (third edition, ``claim.hypotheses()``) as a reader wants them:
    part, question, method, scale, whether the row can carry verdict words, the claim's side
    and the smallest effect of interest."""
    side = {1: "above", -1: "below", 0: ""}
    return pd.DataFrame({
        "part": hypotheses["part"], "hypothesis": hypotheses["hypothesis"],
        "question": hypotheses["question"], "method": hypotheses["method"],
        "scale": hypotheses["scale"],
        "verdict_words": hypotheses["verdict_words"].map(
            {True: "if answerable", False: "none (a description)"}),
        "claim_predicts": hypotheses["claim_sign"].map(side),
        "smallest_effect_of_interest": hypotheses["smallest_effect"],
        "ruling_out_the_sesoi": ["supports the claim" if supports
                                 else "goes against the claim" if words else ""
                                 for supports, words in zip(
                                     hypotheses["equivalence_supports"],
                                     hypotheses["verdict_words"], strict=True)],
    })


PART_TITLES = {"accounting": "Accounting (what happened; no verdict)",
               "effects": "Effects against the no-deal counterfactual",
               "repression": "Repression's response to relief"}


def _amount(row) -> str:
    """'+4 to +46 a month (estimate +25)': an interval first, in the row's unit."""
    ratio = str(row.scale).startswith("recognised per")
    signed = row.scale in ("persons held", "persons per month")

    def number(value: float) -> str:
        return (f"{value:.2f}" if ratio else f"{value:+,.0f}" if signed
                else f"{value:,.0f}")

    unit = ("" if ratio else " a month" if row.scale == "persons per month"
            else " persons")
    return (f"{number(row.ci_low)} to {number(row.ci_high)}{unit} (estimate "
            f"{number(row.estimate)})")


def decidable(verdicts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The contrasts the data can decide (answerable) and those they cannot."""
    contrasts = verdicts[verdicts["verdict"] != "description"]
    answerable = contrasts["answerable"].fillna(False).astype(bool)
    return contrasts[answerable], contrasts[~answerable]


def _cannot(row) -> str:
    reason = str(row.rules_out)
    if "would have needed" in reason:
        needed = reason[reason.index("it would have needed"):].split(".")[0]
        needed = needed.removeprefix("it ").replace(" times it (", " times its smallest effect "
                                                    "of interest, ").removesuffix(")")
        return f"{row.hypothesis} ({needed})"
    return f"{row.hypothesis} ({row.note})"


def answer_text(verdicts: pd.DataFrame) -> str:
    """The answer in three parts, led by what the data can and cannot decide (third edition);
    every number from the verdict table, every estimate with its interval."""
    can, cannot = decidable(verdicts)
    lead = ("What these data can decide: "
            + ("; ".join(f"{row.hypothesis} {row.verdict} (95% interval {_amount(row)})"
                         for row in can.itertuples()) if len(can) else "nothing")
            + ". What they cannot decide, not answerable with these data: "
            + ("; ".join(_cannot(row) for row in cannot.itertuples()) if len(cannot)
               else "none") + ".")
    parts = []
    for part, title in PART_TITLES.items():
        shown = verdicts[(verdicts["part"] == part) & verdicts["ci_low"].notna()]
        if shown.empty:
            continue
        items = "; ".join(
            f"{row.hypothesis} {_amount(row)}"
            + (f", {100 * row.on_figures:.0f}% on figures" if pd.notna(row.on_figures) else "")
            + (f", {row.verdict}" if row.verdict != "description" else "")
            for row in shown.itertuples())
        parts.append(f"{title}: {items}.")
    context = (" The accounting rows say what happened, not whether sanctions worked.")
    if "H3_net_effect" in can["hypothesis"].to_numpy():
        context += (" H3 counts how many fewer people were held than had those freed in "
                    "batches served their terms, with the same arrests; it cannot show that "
                    "the deals brought no new arrests, which is the repression part.")
    return (f"The answer in three parts (docs/hypotheses.md, third edition). {lead} "
            + " ".join(parts) + context)


def power_report(power: pd.DataFrame) -> pd.DataFrame:
    """The power table as a reader wants it: per hypothesis and planted effect, the share of
    simulated panels of the real shape given each verdict, in per cent."""
    shown = power.assign(**{column: (100 * power[column]).round(0).astype("Int64")
                            for column in ("supports", "against", "inconclusive",
                                           "not_testable")})
    return shown.rename(columns={"supports": "supports (%)", "against": "against (%)",
                                 "inconclusive": "inconclusive (%)",
                                 "not_testable": "not testable (%)"})


def robustness_summary(robustness: pd.DataFrame) -> pd.DataFrame:
    """Per hypothesis: how many variants keep the primary estimate's side, and the range of
    their estimates; the fragile results are the ones with few variants on the same side."""
    grouped = robustness.groupby("hypothesis", sort=False)
    return pd.DataFrame({
        "variants": grouped.size(),
        "same_side_as_primary": grouped["same_side_as_primary"].apply(
            lambda same: int(same.eq(True).sum())),
        "lowest_estimate": grouped["estimate"].min(),
        "highest_estimate": grouped["estimate"].max(),
        "variants_with_p_below_0_05": grouped["p_value"].apply(lambda p: int((p < 0.05).sum())),
    }).reset_index()


def can_and_cannot(verdicts: pd.DataFrame) -> str:
    """Markdown: what the data can decide, with verdict and interval, and what they cannot,
    with the effect each contrast would have needed or the reason it cannot run."""
    can, cannot = decidable(verdicts)
    return "\n".join([
        "**What the data can decide:** "
        + ("; ".join(f"{row.hypothesis}, {row.verdict} (95% interval {_amount(row)})"
                     for row in can.itertuples()) or "nothing") + ".",
        "",
        "**What they cannot decide (not answerable with these data):** "
        + ("; ".join(_cannot(row) for row in cannot.itertuples()) or "none") + ".",
        "",
        "**What carries no verdict:** the accounting rows ("
        + ", ".join(verdicts.loc[verdicts["part"] == "accounting", "hypothesis"])
        + ") and the additionality counts, which say what happened, not whether sanctions "
        "worked."])


def verdict_readings(verdicts: pd.DataFrame) -> str:
    """The answer as Markdown an analyst can paste into a briefing: first what the data can
    and cannot decide, then each part's rows (reading interval first, what the interval rules
    out, each verdict's power)."""
    lines = [can_and_cannot(verdicts), ""]
    for part, title in PART_TITLES.items():
        shown = verdicts[verdicts["part"] == part]
        if shown.empty:
            continue
        lines.append(f"**{title}**")
        for row in shown.itertuples():
            power = (f" Power at the smallest effect of interest on panels of the real shape: "
                     f"{row.power}." if row.power else "")
            lines.append(f"- **{row.hypothesis}: {row.verdict}.** {row.reading} "
                         f"{row.rules_out if row.verdict != 'description' else ''}{power}"
                         .rstrip())
        lines.append("")
    return "\n".join(lines).rstrip()


RESULTS_START = "<!-- results:start (written by `python -m analysis run`; do not edit) -->"
RESULTS_END = "<!-- results:end -->"


def deal_era_totals(draws: pd.DataFrame, since: pd.Timestamp = DEALS_ERA) -> pd.DataFrame:
    """Recognised, freed in release batches and left by other routes, summed from ``since`` to
    the last month of the stock-flow model, with 95% intervals from its draws (sums of monthly
    intervals would overstate the uncertainty)."""
    era = draws[draws["month"] >= since]
    sums = era.groupby("draw")[["recognized", "released_deals", "released_other"]].sum()
    return pd.DataFrame({"mean": sums.mean(), "low": sums.quantile(0.025),
                         "high": sums.quantile(0.975)})


def results_paragraph(daily: pd.DataFrame, panel: pd.DataFrame, releases: pd.DataFrame,
                      counts: pd.DataFrame, verdicts: pd.DataFrame | None,
                      draws: pd.DataFrame | None = None, coverage: str | None = None) -> str:
    """The README's results paragraph: a bold heading, then ``results_text``'s body."""
    heading, body = results_text(daily, panel, releases, counts, verdicts, draws, coverage)
    return f"**{heading}** {body}"


def results_text(daily: pd.DataFrame, panel: pd.DataFrame, releases: pd.DataFrame,
                 counts: pd.DataFrame, verdicts: pd.DataFrame | None,
                 draws: pd.DataFrame | None = None, coverage: str | None = None
                 ) -> tuple[str, str]:
    """Heading and body of the results summary (README and briefing), every number computed
    from the data, the stock-flow model's draws and the verdict table; political prisoners and
    all people freed are never one figure, and every estimate comes with its interval.
    ``coverage``: the country's coverage line (``analysis.coverage.coverage_line``) for the
    heading; without it, the newest dated item of ``counts`` and ``releases``."""
    newest = newest_item([counts, releases])
    observed = daily[daily["basis"] == "observed"]
    since = panel[panel["month"] >= DEALS_ERA]
    recognised = latest_figure(counts, "recognized_total_since_2020")
    heading = (f"Results on the shipped data. {coverage}" if coverage
               else f"Results on the shipped data (newest dated item: {newest})." if newest
               else "Results on the shipped data.")
    sentences = []
    if len(observed):
        last = observed.iloc[-1]
        record = counts.set_index("record_id").reindex([last["anchor_record_id"]]).iloc[0]
        when = (Dated(record["date_start"], record["date_precision"])
                if not pd.isna(record["date_start"]) else Dated(last["date"], "day"))
        reported = say_figure(record) if not pd.isna(record["value"]) else (
            f"{last['prisoners_held']:,.0f}")
        sentences.append(f"The newest reported count is {reported} political prisoners held "
                         f"({when}).")
    if recognised is not None:
        sentences.append(f"Viasna has recognised {say_figure(recognised)} people as political "
                         f"prisoners since 2020 (as of {recognised['date_start']:%b %Y}).")
    if len(since) and draws is not None and len(draws):
        totals = deal_era_totals(draws).round(0).astype(int)

        def span(name: str) -> str:
            return f"{totals.loc[name, 'low']:,} to {totals.loc[name, 'high']:,}"

        sentences.append(
            f"From {DEALS_ERA:%b %Y} to {since['month'].max():%b %Y}, the stock-flow model "
            f"puts the political prisoners freed in release batches at {span('released_deals')}"
            f" (95% interval; the batches freed {int(since['released_people'].sum()):,} people "
            f"in all, political prisoners or not), those newly recognised at "
            f"{span('recognized')}, and those who left by other routes (end of sentence and "
            f"others) at {span('released_other')}.")
    if verdicts is not None and len(verdicts) and "part" in verdicts:
        sentences.insert(0, answer_text(verdicts) + " Notebook `03_test_the_claim` says what "
                         "each interval rules out, how much power each verdict had and what "
                         "effect a contrast that cannot decide would have needed.")
    else:
        sentences.insert(0, "The answer to the claim has not been computed on this build "
                         "(`python -m analysis run` computes it).")
    return heading, " ".join(sentences)


def with_results(readme: str, paragraph: str) -> str:
    """``readme`` with the text between the results markers replaced by ``paragraph``."""
    start, end = readme.find(RESULTS_START), readme.find(RESULTS_END)
    if start < 0 or end < start:
        raise ValueError(f"README has no '{RESULTS_START}' ... '{RESULTS_END}' block")
    return f"{readme[:start + len(RESULTS_START)]}\n{paragraph}\n{readme[end:]}"


def us_brokered_deals(releases: pd.DataFrame) -> pd.DataFrame:
    """The US-brokered deals: batches since ``DEALS_ERA`` with a stated concession and the US
    among the counterparts. Their people are 'freed in the US-brokered deals' (``fields.py``),
    not every batch with a concession (2008-15 had some)."""
    return releases[releases["counts_as_release"] & releases["has_stated_concession"]
                    & (releases["date_start"] >= DEALS_ERA)
                    & releases["counterpart"].fillna("").str.contains(r"\bUSA?\b")]


def deal_destinations(releases: pd.DataFrame) -> pd.DataFrame:
    """Where the people freed in each US-brokered deal went: all people freed, how many were
    taken abroad and how many stayed in Belarus, read from the curated ``destination``
    ('Lithuania', 'stayed in Belarus', or 'Belarus 235; Lithuania 15'). A destination without a
    number holds everyone freed; one that cannot be read leaves both counts missing."""
    deals = us_brokered_deals(releases)
    rows = []
    for batch in deals.itertuples():
        parts = [part.strip() for part in batch.destination.split(";") if part.strip()]
        counted = [re.match(r"^(.*?)\s+(\d+)$", part) for part in parts]
        if len(parts) == 1 and not counted[0]:
            places = {parts[0]: batch.released_people}
        elif parts and all(counted):
            places = {match.group(1): int(match.group(2)) for match in counted}
        else:
            places = {}
        stayed = sum(n for place, n in places.items() if "belarus" in place.lower())
        abroad = sum(places.values()) - stayed if places else None
        rows.append({"date": batch.date_start, "people_freed": batch.released_people,
                     "taken_abroad": abroad, "stayed_in_belarus": stayed if places else None,
                     "destination": batch.destination})
    table = pd.DataFrame(rows, columns=["date", "people_freed", "taken_abroad",
                                        "stayed_in_belarus", "destination"])
    for column in ("people_freed", "taken_abroad", "stayed_in_belarus"):
        table[column] = table[column].astype("Int64")
    return table


def deal_destinations_text(table: pd.DataFrame) -> str:
    """One sentence on how many of the people freed in the US-brokered deals were taken
    abroad."""
    if table.empty:
        return "No US-brokered deal is in the data."
    abroad, freed = int(table["taken_abroad"].sum()), int(table["people_freed"].sum())
    share = "fewer than half" if abroad < freed / 2 else "more than half"
    stayed = table.loc[table["stayed_in_belarus"].fillna(0).idxmax()]
    return (f"Of the {freed:,} people freed in the {len(table)} US-brokered deals (all people, "
            f"political prisoners or not), {abroad:,} were taken abroad: {share}. "
            f"{int(table['stayed_in_belarus'].sum()):,} stayed in Belarus, "
            f"{int(stayed['stayed_in_belarus']):,} of them from the batch of "
            f"{stayed['date']:%-d %b %Y}.")


def stock_text(daily: pd.DataFrame, counts: pd.DataFrame) -> str:
    """The peak and the newest reported count (as reported, ``observed_counts``), each with its
    date at its own precision."""
    observed = observed_counts(daily, counts)
    if observed.empty:
        return "No exact count in the data."
    by_record = counts.set_index("record_id")

    def dated(day: pd.Series) -> str:
        record = by_record.reindex([day["anchor_record_id"]]).iloc[0]
        if pd.isna(record["date_start"]):
            return str(Dated(day["date"], "day"))
        return str(Dated(record["date_start"], record["date_precision"]))

    peak = observed.loc[observed["prisoners_held"].idxmax()]
    last = observed.iloc[-1]
    change = last["prisoners_held"] - peak["prisoners_held"]
    return (f"The reported counts peaked at {peak['prisoners_held']:,.0f} ({dated(peak)}); the "
            f"newest is {last['prisoners_held']:,.0f} ({dated(last)}), {abs(change):,.0f} "
            f"{'fewer' if change < 0 else 'more'} than at the peak.")


def routes_out_text(counts: pd.DataFrame, releases: pd.DataFrame,
                    before: pd.Timestamp = DEALS_ERA) -> str:
    """How people left prison before the batch pardons: Viasna's running total of political
    prisoners freed against the people freed in the batches itemised up to the same date (all
    people, so an upper bound on the political prisoners among them)."""
    totals = counts[(counts["metric"] == "released_total_since_2020")
                    & (counts["date_end"] < before)]
    if totals.empty:
        return "No running total of people freed before the batch pardons is in the data."
    last = choose_counts(totals).sort_values("date_end").iloc[-1]
    batches = releases[releases["counts_as_release"] & (releases["date_start"] >= SINCE_2020)
                       & (releases["date_end"] <= last["date_end"])]
    return (f"By {Dated(last['date_start'], last['date_precision'])}, Viasna counted "
            f"{say_figure(last)} political prisoners freed since 2020; the release batches "
            f"itemised from 2020 up to then freed {int(batches['released_people'].sum()):,} "
            "people in all. "
            "The rest left at the end of a sentence or in pardons and amnesties not found as "
            "dated events; no table itemises them.")


def stock_fall_text(verdicts: pd.DataFrame, draws: pd.DataFrame) -> str:
    """The sceptic's first question, from the accounting rows: if the door revolves, why did
    the number held fall? Every number from the verdict table and the model's draws."""
    rows = verdicts.set_index("hypothesis")
    change, recognized = rows.loc["A1_stock_change"], rows.loc["A2_recognized"]
    batches, other = rows.loc["A3_freed_in_batches"], rows.loc["A4_other_exits"]
    per_freed, per_exit = rows.loc["A5_recognized_per_freed"], rows.loc["A6_recognized_per_exit"]
    before = draws[draws["month"] == DEALS_ERA - pd.DateOffset(months=1)]["stock"]
    share = (f", {abs(change['estimate']) / before.mean():.0%} of the {before.mean():,.0f} "
             f"held at the end of {DEALS_ERA - pd.DateOffset(months=1):%b %Y}"
             if len(before) else "")
    return (
        f"Over the deal era the number held changed by {_amount(change)}{share}. In the same "
        f"months the model puts new recognitions at {_amount(recognized)}, political prisoners "
        f"freed in release batches at {_amount(batches)} and other exits (end of sentence, "
        f"death, transfer) at {_amount(other)}. Per political prisoner freed in a batch, "
        f"{_amount(per_freed)} were recognised, so the door revolves for the batches alone; per "
        f"person leaving by any route, {_amount(per_exit)}, so the number held fell: the batches "
        f"and the other exits together outran recognitions. How much of each flow rests on "
        f"figures rather than on the model: recognitions {recognized['on_figures']:.0%}, batch "
        f"releases {batches['on_figures']:.0%}, other exits "
        f"{other['on_figures']:.0%} (no monthly figure; running counters constrain their sums).")


def completions_text(table: pd.DataFrame, verdicts: pd.DataFrame) -> str:
    """The sceptic's second question: is the fall in other exits sentences expiring? From
    ``claim.exits_against_completions`` and the H6 row."""
    if table.empty:
        return "The exit model is not built for this country, so the question stays open."
    before, era = table.iloc[0], table.iloc[1]

    def span(row, name: str) -> str:
        return (f"{row[f'{name}_low']:,.0f} to {row[f'{name}_high']:,.0f} a month (estimate "
                f"{row[name]:,.0f})")

    h6 = verdicts.set_index("hypothesis").loc["H6_additionality"]
    return (
        f"Other exits averaged {span(before, 'other_exits')} in {before['window']} and "
        f"{span(era, 'other_exits')} in the deal era. The exit model expects "
        f"{span(before, 'expected_completions')} and {span(era, 'expected_completions')} to "
        f"reach the end of their terms: a steady-stock rate, so its expectation falls only as "
        f"far as the number held falls; it does not follow the 2020-21 arrest wave's terms "
        f"ending. Beyond that expectation, the change between the windows is {_amount(h6)} "
        f"(H6): {h6['verdict']}. {h6['rules_out']}")


def deal_batches(releases: pd.DataFrame, additionality: pd.DataFrame,
                 months: tuple[str, ...] = ("2025-12", "2026-03")) -> pd.DataFrame:
    """The US-brokered deals of ``months`` (the December 2025 and March 2026 batches): people
    freed, the political prisoners the sources state (a range when they state none), the
    model's estimate of the political prisoners among them, and the source, for the sceptic's
    third question."""
    deals = us_brokered_deals(releases)
    deals = deals[deals["date_start"].dt.strftime("%Y-%m").isin(months)]
    model = (additionality[additionality["horizon_months"] == additionality["horizon_months"]
                           .min()].set_index("event_id") if len(additionality)
             else pd.DataFrame(columns=["freed_mean", "freed_low", "freed_high"]))
    return pd.DataFrame({
        "event_id": deals["event_id"], "date": deals["date_start"],
        "freed_people": deals["released_people"],
        "political_prisoners_stated": deals["released_political_prisoners"],
        "political_low": deals["released_political_low"],
        "political_high": deals["released_political_high"],
        "model_political_prisoners": deals["event_id"].map(model["freed_mean"]),
        "model_low": deals["event_id"].map(model["freed_low"]),
        "model_high": deals["event_id"].map(model["freed_high"]),
        "source_url": deals["source_url"], "notes": deals["notes"],
    }).reset_index(drop=True)


def deal_batches_text(table: pd.DataFrame) -> str:
    """How many of those freed in each batch were political prisoners, as far as the sources
    allow, and what is unknown."""
    sentences = []
    for row in table.itertuples():
        stated = (f"the sources state {row.political_prisoners_stated:,.0f} political prisoners"
                  if pd.notna(row.political_prisoners_stated) else
                  "no source states how many were political prisoners, so the release table "
                  f"gives the range {row.political_low:,.0f} to {row.political_high:,.0f}")
        model = (f"; the stock-flow model, fitted to every count, puts them at "
                 f"{row.model_low:,.0f} to {row.model_high:,.0f} (95% interval)"
                 if pd.notna(row.model_low) else "")
        sentences.append(f"On {row.date:%d %b %Y} ({row.event_id}, {row.source_url}) "
                         f"{row.freed_people:,.0f} people were freed: {stated}{model}.")
    return (" ".join(sentences) + " Unknown: which of those freed Viasna recognises as "
            "political prisoners, person by person; the table's notes give what the sources "
            "add (citizenships, destinations, the authorities' own description of the "
            "convictions, which is another definition).")
