"""The daily reconstruction on synthetic series: steps, anchors, stock-flow arithmetic."""

import numpy as np
import pandas as pd
import pytest

from analysis.derive.daily import batch_outflow, reconstruct_daily


def anchors(*pairs):
    return pd.DataFrame({"date": pd.to_datetime([d for d, _ in pairs]),
                         "value": [v for _, v in pairs],
                         "record_id": [f"pc{i}" for i in range(len(pairs))]})


def batches(*rows):
    """Rows: (start, end, size)."""
    return pd.DataFrame({"date_start": pd.to_datetime([r[0] for r in rows]),
                         "date_end": pd.to_datetime([r[1] for r in rows]),
                         "batch_size": [r[2] for r in rows],
                         "counts_as_release": True})


def test_a_batch_is_a_step_on_its_day_and_the_series_meets_every_anchor():
    points = anchors(("2026-03-05", 1140), ("2026-03-31", 897))
    days = pd.date_range("2026-03-05", "2026-03-31")
    outflow = batch_outflow(batches(("2026-03-19", "2026-03-19", 250)), days)
    daily = reconstruct_daily(points, outflow, pd.Series(np.nan, index=days))
    held = daily.set_index("date")["prisoners_held"]
    assert held["2026-03-05"] == 1140 and held["2026-03-31"] == 897
    steps = held.diff()
    assert steps.idxmin() == pd.Timestamp("2026-03-19")
    background = (897 - 1140 + 250) / 26
    assert steps["2026-03-19"] == pytest.approx(background - 250)
    assert steps.drop(pd.Timestamp("2026-03-19")).dropna().to_numpy() == pytest.approx(background)
    assert daily["basis"].tolist().count("observed") == 2


def test_recognitions_reported_for_a_month_set_the_shape_of_the_background_flow():
    points = anchors(("2024-01-31", 100), ("2024-03-31", 190))
    days = pd.date_range("2024-01-31", "2024-03-31")
    weights = pd.Series(np.nan, index=days)
    weights["2024-02-01":"2024-02-29"] = 29 / 29
    weights["2024-03-01":"2024-03-31"] = 62 / 31
    daily = reconstruct_daily(points, pd.Series(0.0, index=days), weights)
    held = daily.set_index("date")["prisoners_held"]
    february_gain = held["2024-02-29"] - held["2024-01-31"]
    march_gain = held["2024-03-31"] - held["2024-02-29"]
    assert february_gain / march_gain == pytest.approx(29 / 62)


def test_stock_flow_arithmetic_holds_between_anchors():
    rng = np.random.default_rng(7)
    points = anchors(("2024-01-01", 1000), ("2024-04-10", 950), ("2024-07-01", 1010))
    days = pd.date_range("2024-01-01", "2024-07-01")
    releases = batches(*[(d, d, int(s)) for d, s in zip(
        rng.choice(days[1:], 5, replace=False), rng.integers(5, 40, 5), strict=True)])
    outflow = batch_outflow(releases, days)
    daily = reconstruct_daily(points, outflow, pd.Series(np.nan, index=days)).set_index("date")
    change = daily["prisoners_held"].diff().dropna()
    flows = (daily["background_flow"] - daily["released_in_batches"]).iloc[1:]
    assert change.to_numpy() == pytest.approx(flows.to_numpy())
    assert daily.loc[points["date"], "prisoners_held"].tolist() == [1000, 950, 1010]
    assert daily["released_in_batches"].sum() == pytest.approx(releases["batch_size"].sum())


def test_a_month_dated_batch_is_spread_over_its_month():
    days = pd.date_range("2024-03-01", "2024-03-31")
    outflow = batch_outflow(batches(("2024-03-01", "2024-03-31", 31)), days)
    assert outflow.to_numpy() == pytest.approx(np.ones(31))


def test_nothing_is_extrapolated_beyond_the_anchors():
    points = anchors(("2024-02-01", 10), ("2024-02-05", 14))
    days = pd.date_range("2024-01-01", "2024-03-01")
    daily = reconstruct_daily(points, pd.Series(0.0, index=days), pd.Series(np.nan, index=days))
    assert daily["date"].min() == pd.Timestamp("2024-02-01")
    assert daily["date"].max() == pd.Timestamp("2024-02-05")
