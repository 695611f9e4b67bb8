"""Headline numbers and yearly totals: what a briefing quotes, computed in one place.

Notebooks show these tables, and the what-changed report compares them between builds.
"""

from __future__ import annotations

import pandas as pd


def flows_by_year(panel: pd.DataFrame) -> pd.DataFrame:
    """Recognitions and batch releases per calendar year, with how many months are covered.

    The stock held at year end is reconstructed between observations: shown in whole persons,
    as a fraction of a person would claim a precision the data do not have.

    ``recognized`` sums only months with a reported total; ``months_with_recognition_figure``
    says how many, so a low total from missing months is not mistaken for a low rate.
    """
    by_year = panel.assign(year=panel["month"].dt.year).groupby("year")
    table = pd.DataFrame({
        "months": by_year.size(),
        "months_with_recognition_figure": by_year["recognized"].count(),
        "recognized": by_year["recognized"].sum(min_count=1),
        "released_in_batches": by_year["released"].sum(),
        "release_batches": by_year["release_batches"].sum(),
        "largest_batch": by_year["largest_batch"].max(),
        "held_at_year_end": by_year["prisoners_held"].last().round().astype("Int64"),
    })
    return table.reset_index()


def headline_numbers(daily: pd.DataFrame, panel: pd.DataFrame, releases: pd.DataFrame
                     ) -> pd.DataFrame:
    """The few numbers a briefing leads with, each with the date it refers to."""
    observed = daily[daily["basis"] == "observed"]
    latest = observed.iloc[-1] if len(observed) else None
    peak = observed.loc[observed["prisoners_held"].idxmax()] if len(observed) else None
    batches = releases[releases["counts_as_release"]]
    largest = batches.loc[batches["batch_size"].idxmax()] if len(batches) else None
    since = panel[panel["month"] >= "2024-07-01"]
    rows = [
        ("latest observed count", latest["prisoners_held"] if latest is not None else None,
         latest["date"] if latest is not None else None, "persons held"),
        ("highest observed count", peak["prisoners_held"] if peak is not None else None,
         peak["date"] if peak is not None else None, "persons held"),
        ("largest release batch", largest["batch_size"] if largest is not None else None,
         largest["date_start"] if largest is not None else None, "persons freed"),
        ("freed in batches since Jul 2024", since["released"].sum(),
         since["month"].max(), "persons"),
        ("recognised since Jul 2024 (months with a figure)", since["recognized"].sum(),
         since["month"].max(), "persons"),
        ("release batches since Jul 2024", since["release_batches"].sum(),
         since["month"].max(), "batches"),
    ]
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
    numbers = headline_numbers(daily, panel, releases)
    observed = daily[daily["basis"] == "observed"]
    batches = releases[releases["counts_as_release"]]
    records = {
        "latest observed count": observed.iloc[-1]["anchor_record_id"] if len(observed) else None,
        "highest observed count": observed.loc[observed["prisoners_held"].idxmax(),
                                               "anchor_record_id"] if len(observed) else None,
        "largest release batch": batches.loc[batches["batch_size"].idxmax(), "event_id"]
        if len(batches) else None,
    }
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
            when = period_label(row.as_of, precision=precision)
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
                      "people_freed": batches["batch_size"]}),
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
            "freed": batch.released_total,
            "political_prisoners": batch.released_political_prisoners,
            "destination": batch.destination,
            "counterpart": batch.counterpart,
            "concession_stated": batch.concession or "none stated",
            "relief_steps_within_a_week": len(near),
            "people_named": batch.people_named,
        })
    table = pd.DataFrame(rows)
    if len(table):
        table["political_prisoners"] = table["political_prisoners"].astype("Int64")
    return table


def release_pace(panel: pd.DataFrame, event_months: list[pd.Timestamp],
                 window: int = 6) -> pd.DataFrame:
    """Mean monthly batch releases in the ``window`` months before and after each event month
    (the event month itself excluded), with how many months each side actually had; means of a
    few whole-person months, to one decimal."""
    series = panel.set_index("month")["released"].astype("float64")
    rows = []
    for month in event_months:
        month = pd.Timestamp(month)
        before = series[(series.index < month)
                        & (series.index >= month - pd.DateOffset(months=window))]
        after = series[(series.index > month)
                       & (series.index <= month + pd.DateOffset(months=window))]
        rows.append({"event_month": month, "released_in_month": series.get(month),
                     "mean_before": round(before.mean(), 1), "months_before": len(before),
                     "mean_after": round(after.mean(), 1), "months_after": len(after)})
    return pd.DataFrame(rows)


def hypotheses_table() -> pd.DataFrame:
    """The pre-registered hypotheses: question, method, scale and smallest effect of interest."""
    from analysis.claim import HYPOTHESES

    return pd.DataFrame([{
        "hypothesis": spec.id, "question": spec.question, "method": spec.method,
        "scale": spec.scale, "claim_predicts": "above" if spec.claim_sign > 0 else "below",
        "no_effect": spec.null, "smallest_effect_of_interest": spec.smallest_effect,
    } for spec in HYPOTHESES.values()])


def robustness_summary(robustness: pd.DataFrame) -> pd.DataFrame:
    """Per hypothesis: how many variants keep the primary estimate's side, and the range of
    their estimates; the fragile results are the ones with few variants on the same side."""
    grouped = robustness.groupby("hypothesis", sort=False)
    return pd.DataFrame({
        "variants": grouped.size(),
        "same_side_as_primary": grouped["same_side_as_primary"].sum(),
        "lowest_estimate": grouped["estimate"].min(),
        "highest_estimate": grouped["estimate"].max(),
        "variants_with_p_below_0_05": grouped["p_value"].apply(lambda p: int((p < 0.05).sum())),
    }).reset_index()


def verdict_readings(verdicts: pd.DataFrame) -> str:
    """The verdict table as Markdown bullets an analyst can paste into a briefing."""
    return "\n".join(f"- **{row.hypothesis}: {row.verdict}.** {row.reading}"
                     for row in verdicts.itertuples())
