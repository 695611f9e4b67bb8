"""Political prisoners held, day by day, reconstructed from what is known.

Observations: the count of political prisoners held (``current_count``) as chosen by the
resolution rule, restricted to the qualifiers the rule lets anchor the series (by default exact
figures only; approximate figures, round milestones and bounds are never anchors) and to dates
known to the day or month (a month-dated count is taken as the month-end count). A figure whose
date was inferred from context anchors only if the rule trusts its publisher for that.

Between two consecutive anchors ``(t0, v0)`` and ``(t1, v1)`` the change ``v1 - v0`` is split
into what is known and a remainder:

- release batches (``release_events`` rows that count as releases) are steps on their day:
  the series drops by the batch size (political-prisoner count where a source gives it, else
  the batch total) on that day; a batch dated only to a month is spread evenly over the month;
- the remainder ``v1 - v0 + batches`` is the background flow (new recognitions minus releases
  at the end of sentences, which no table itemises). It is spread over the days in proportion to
  the monthly recognition totals where they are known (a month's total spread evenly over its
  days), and evenly where they are not.

So the series passes through every anchor exactly, steps land on their day, and over any
stretch between anchors ``end - start = background - batches`` holds to rounding. Nothing is
extrapolated before the first or after the last anchor. ``basis`` is ``observed`` on anchor
days and ``reconstructed`` elsewhere; reconstructed values are estimates, kept as floats.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derive.resolve import DEFAULT_RULE, ResolutionRule, choose_counts

DAILY_COLUMNS = ["date", "prisoners_held", "basis", "released_in_batches", "background_flow",
                 "anchor_record_id"]


def select_anchors(counts: pd.DataFrame, rule: ResolutionRule = DEFAULT_RULE) -> pd.DataFrame:
    """The chosen current-count figures that may anchor the series: ``date``, ``value``, id."""
    chosen = choose_counts(counts, rule)
    usable = (
        (chosen["metric"] == "current_count")
        & chosen["qualifier"].isin(rule.anchor_qualifiers)
        & chosen["date_precision"].isin(["day", "month"])
        & (~chosen["year_inferred"]
           | chosen["publisher"].isin(rule.anchor_inferred_date_publishers))
    )
    anchors = chosen.loc[usable, ["date_end", "value", "record_id"]]
    anchors = anchors.rename(columns={"date_end": "date"}).sort_values("date")
    return anchors.drop_duplicates("date", keep="first").reset_index(drop=True)


def batch_outflow(releases: pd.DataFrame, days: pd.DatetimeIndex) -> pd.Series:
    """People freed in known batches on each day of ``days``."""
    outflow = pd.Series(0.0, index=days)
    for batch in releases[releases["counts_as_release"]].itertuples():
        span = pd.date_range(batch.date_start, batch.date_end, freq="D")
        inside = span[(span >= days[0]) & (span <= days[-1])]
        if len(inside):
            outflow.loc[inside] += batch.batch_size / len(span)
    return outflow


def recognition_weights(counts: pd.DataFrame, days: pd.DatetimeIndex,
                        rule: ResolutionRule = DEFAULT_RULE) -> pd.Series:
    """Recognitions per day where a monthly total is known, NaN where it is not."""
    chosen = choose_counts(counts, rule)
    monthly = chosen[(chosen["metric"] == "newly_recognized_in_period")
                     & (chosen["date_precision"] == "month")]
    weights = pd.Series(np.nan, index=days)
    for month in monthly.itertuples():
        span = pd.date_range(month.date_start, month.date_end, freq="D")
        inside = span[(span >= days[0]) & (span <= days[-1])]
        weights.loc[inside] = month.value / len(span)
    return weights


def reconstruct_daily(anchors: pd.DataFrame, outflow: pd.Series, weights: pd.Series
                      ) -> pd.DataFrame:
    """The daily series through ``anchors`` given batch ``outflow`` and background ``weights``."""
    if anchors.empty:
        return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in zip(
            DAILY_COLUMNS, ["datetime64[ns]", "float64", "str", "float64", "float64", "str"],
            strict=True)})
    days = pd.date_range(anchors["date"].iloc[0], anchors["date"].iloc[-1], freq="D")
    outflow = outflow.reindex(days, fill_value=0.0)
    weights = weights.reindex(days)
    held = np.full(len(days), np.nan)
    background = np.zeros(len(days))
    positions = days.get_indexer(anchors["date"])
    held[positions[0]] = anchors["value"].iloc[0]
    for left, right, v0, v1 in zip(positions[:-1], positions[1:], anchors["value"].iloc[:-1],
                                   anchors["value"].iloc[1:], strict=True):
        stretch = slice(left + 1, right + 1)
        batches = outflow.to_numpy()[stretch]
        share = _background_shares(weights.to_numpy()[stretch])
        flow = (v1 - v0 + batches.sum()) * share
        background[stretch] = flow
        held[stretch] = v0 + np.cumsum(flow - batches)
        held[right] = v1
    observed = np.zeros(len(days), dtype=bool)
    observed[positions] = True
    anchor_ids = pd.Series(pd.NA, index=days, dtype="str")
    anchor_ids.iloc[positions] = anchors["record_id"].to_numpy()
    return pd.DataFrame({
        "date": days.astype("datetime64[ns]"),
        "prisoners_held": held,
        "basis": np.where(observed, "observed", "reconstructed"),
        "released_in_batches": outflow.to_numpy(),
        "background_flow": background,
        "anchor_record_id": anchor_ids.to_numpy(),
    })


def _background_shares(weights: np.ndarray) -> np.ndarray:
    """Each day's share of a stretch's background flow: by known recognitions, else even."""
    known = ~np.isnan(weights)
    if known.any():
        filled = np.where(known, weights, weights[known].mean())
        if filled.sum() > 0:
            return filled / filled.sum()
    return np.full(len(weights), 1.0 / len(weights))


def build_prisoners_daily(counts: pd.DataFrame, releases: pd.DataFrame,
                          rule: ResolutionRule = DEFAULT_RULE) -> pd.DataFrame:
    anchors = select_anchors(counts, rule)
    if anchors.empty:
        return reconstruct_daily(anchors, pd.Series(dtype=float), pd.Series(dtype=float))
    days = pd.date_range(anchors["date"].iloc[0], anchors["date"].iloc[-1], freq="D")
    return reconstruct_daily(anchors, batch_outflow(releases, days),
                             recognition_weights(counts, days, rule))
