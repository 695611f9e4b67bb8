"""The stock–flow model (``analysis.derive.flows``): its arithmetic, its fit to the figures it
uses, the coverage of its intervals on synthetic series with known flows, leave-one-out
against straight lines, and convergence. The measuring code lives in
``benchmarks/flows_validation.py``, which also writes the full-size figures to
``benchmarks/RESULTS.md``; here the same measures run smaller and are asserted on."""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis import paths
from analysis.derive import flows
from analysis.sources.curated import clean_prisoner_counts, clean_release_events

FIXTURES = paths.REPO_DIR / "tests" / "fixtures" / "curated"

sys.path.insert(0, str(paths.REPO_DIR / "benchmarks"))
import flows_validation as validation  # noqa: E402

SOURCE = {"publisher": "viasna", "counts_scope": "viasna_political_prisoners",
          "source_url": "https://example.org/s", "notes": "synthetic"}
BATCH = {"row_role": "primary", "event_type": "pardon", "destination": "Belarus",
         "mechanism": "pardon", "has_stated_concession": "false",
         "source_url": "https://example.org/r", "notes": "synthetic"}


def _write_table(path, table: str, rows: list[dict]) -> None:
    """A raw table with the columns of the test fixtures' copy (so a column added to the
    schema reaches this file too), unnamed columns left empty."""
    header = (FIXTURES / table).read_text(encoding="utf-8").splitlines()[0].split(",")
    pd.DataFrame(rows, dtype=str).reindex(columns=header).to_csv(path, index=False)


def _inline_inputs(tmp_path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Six months of a made-up count: exact stock counts in January, March, April and June,
    a month's recognitions, a lower bound, one batch with a stated political count and one
    with only its total (so its political count is an unknown between 0 and 12).

    ====== ========== =============================== =====
    record date       metric                          value
    ====== ========== =============================== =====
    pc001  2024-01-31 current_count                   100
    pc002  2024-02    newly_recognized_in_period      20
    pc003  2024-03-31 current_count                   112
    pc004  2024-04-30 current_count                   104
    pc005  2024-05-31 current_count (lower_bound)     100
    pc006  2024-06-30 current_count                   95
    re001  2024-04-10 batch of 10, all political
    re002  2024-06-05 batch of 12, political not stated
    ====== ========== =============================== =====
    """
    counts = tmp_path / "prisoner_counts.csv"
    figures = [("pc001", "2024-01-31", "day", "current_count", 100, "exact"),
               ("pc002", "2024-02", "month", "newly_recognized_in_period", 20, "exact"),
               ("pc003", "2024-03-31", "day", "current_count", 112, "exact"),
               ("pc004", "2024-04-30", "day", "current_count", 104, "exact"),
               ("pc005", "2024-05-31", "day", "current_count", 100, "lower_bound"),
               ("pc006", "2024-06-30", "day", "current_count", 95, "exact")]
    _write_table(counts, "prisoner_counts.csv", [
        {"record_id": record, "ref_date": date, "date_precision": precision,
         "year_inferred": "false", "metric": metric, "value": value, "qualifier": qualifier,
         **SOURCE} for record, date, precision, metric, value, qualifier in figures])
    releases = tmp_path / "release_events.csv"
    _write_table(releases, "release_events.csv", [
        {"event_id": "re001", "event_date": "2024-04-10", "date_precision": "day",
         "year_inferred": "false", "released_total": "10", "released_political_prisoners": "10",
         **BATCH},
        {"event_id": "re002", "event_date": "2024-06-05", "date_precision": "day",
         "year_inferred": "false", "released_total": "12", **BATCH},
    ])
    return clean_prisoner_counts(counts).rows, clean_release_events(releases).rows


@pytest.fixture
def small_fit(tmp_path) -> flows.FlowFit:
    counts, releases = _inline_inputs(tmp_path)
    return flows.fit_flows(counts, releases, settings=flows.SamplerSettings(sweeps=300,
                                                                             burn_in=100))


def _month_end_positions(design: flows.Design) -> np.ndarray:
    """Position of each month's last day in the daily series (the fixture ends on a month's
    last day, as the shipped series does)."""
    positions = design.days.get_indexer(design.months + pd.offsets.MonthEnd(0))
    assert (positions >= 0).all()
    return positions


def test_stock_is_start_plus_flows_in_every_draw_and_on_the_means(small_fit):
    """month-end stock = stock at start + Σ(recognised − freed in batches − other exits), for
    each draw, along the daily path (computed day by day, a separate route), and on the means
    that ``flows_monthly`` and ``prisoners_daily`` publish."""
    fit = small_fit
    net = (fit.flow_draws("recognized") - fit.flow_draws("released_deals")
           - fit.flow_draws("released_other"))
    np.testing.assert_allclose(fit.stock_draws(), fit.draws[:, [0]] + np.cumsum(net, axis=1),
                               atol=1e-8)
    daily, _ = flows.daily_draws(fit)
    np.testing.assert_allclose(daily[:, _month_end_positions(fit.design)], fit.stock_draws(),
                               atol=1e-8)
    monthly = flows.flows_monthly(fit)
    start = fit.draws[:, 0].mean()
    mean_net = monthly["recognized"] - monthly["released_deals"] - monthly["released_other"]
    np.testing.assert_allclose(monthly["stock"], start + mean_net.cumsum(), atol=1e-8)
    daily_table = flows.prisoners_daily(fit)
    np.testing.assert_allclose(
        daily_table["prisoners_held"].to_numpy()[_month_end_positions(fit.design)],
        monthly["stock"], atol=1e-8)


def test_batches_leave_on_their_day_within_their_stated_range(small_fit):
    fit = small_fit
    batches = fit.draws[:, fit.design.batch_slice]
    assert np.allclose(batches[:, 0], 10.0)
    assert batches[:, 1].min() >= 0.0 and batches[:, 1].max() <= 12.0
    daily = flows.prisoners_daily(fit).set_index("date")
    assert daily.loc["2024-04-10", "released_in_batches"] == pytest.approx(10.0)
    assert daily.loc["2024-04-09", "released_in_batches"] == 0.0


def test_intervals_are_ordered(small_fit):
    monthly = flows.flows_monthly(small_fit)
    for name in ("stock", *flows.FLOWS):
        assert (monthly[f"{name}_low"] <= monthly[name] + 1e-9).all()
        assert (monthly[name] <= monthly[f"{name}_high"] + 1e-9).all()
    daily = flows.prisoners_daily(small_fit)
    assert (daily["prisoners_held_low"] <= daily["prisoners_held"] + 1e-9).all()
    assert (daily["prisoners_held"] <= daily["prisoners_held_high"] + 1e-9).all()


def test_every_figure_used_is_met_within_its_error(small_fit):
    """An exact count sits within two of its standard deviations of the posterior mean of
    the stock on its day; the lower bound holds."""
    fit = small_fit
    daily = flows.prisoners_daily(fit).set_index("date")
    observations = fit.design.observations
    stock = observations[observations["metric"] == "current_count"]
    for figure in stock.itertuples():
        held = daily.loc[figure.date_end, "prisoners_held"]
        if figure.use == "point":
            assert abs(held - figure.value) <= 2 * figure.sd, figure.record_id
        else:
            assert held >= figure.value - 2 * figure.sd, figure.record_id
    recognized = flows.flows_monthly(fit).set_index("month").loc["2024-02-01", "recognized"]
    assert recognized == pytest.approx(20.0, abs=2.0)


def test_model_figures_show_each_figure_s_fit_gap_and_weight(small_fit):
    """``model_figures``: one row per chosen figure, valid against its schema; a used figure
    has the posterior mean of what it measures inside its 95% interval, a gap of figure minus
    fit, and a weight; a bound that holds has no gap. On the fixture nothing is down-weighted."""
    from analysis.schemas import PROCESSED

    table = flows.model_figures(small_fit)
    PROCESSED["model_figures"].validate(table)
    assert table["record_id"].tolist() == small_fit.design.observations["record_id"].tolist()
    used = table[table["use"] != "unused"]
    assert ((used["fitted_low"] <= used["fitted"]) & (used["fitted"] <= used["fitted_high"])).all()
    np.testing.assert_allclose(used.loc[used["use"] == "point", "gap"],
                               (used["value"] - used["fitted"])[used["use"] == "point"])
    bound = table.set_index("record_id").loc["pc005"]
    assert bound["use"] == "lower" and bound["fitted"] >= 100 and bound["gap"] == 0.0
    assert not table["down_weighted"].any()


def test_a_figure_at_odds_with_the_rest_is_listed_as_down_weighted(tmp_path):
    """A count of 300 on 29 February between counts of about 100 and 112: the model lets it
    go (weight below one half) instead of bending the series, and ``model_figures`` shows it
    with a gap of about 190 persons; the other figures keep their weight."""
    counts, releases = _inline_inputs(tmp_path)
    outlier = counts[counts["record_id"] == "pc003"].assign(
        record_id="pc007", value=300, date_start=pd.Timestamp("2024-02-29"),
        date_end=pd.Timestamp("2024-02-29"))
    fit = flows.fit_flows(pd.concat([counts, outlier], ignore_index=True), releases,
                          settings=flows.SamplerSettings(sweeps=300, burn_in=100))
    table = flows.model_figures(fit).set_index("record_id")
    assert table.loc["pc007", "down_weighted"]
    assert 170 <= table.loc["pc007", "gap"] <= 210
    assert not table.drop(index="pc007")["down_weighted"].any()
    assert flows.counter_starts(fit).empty, "no running counter in the fixture"


def test_sampler_is_reproducible_with_a_fixed_seed(tmp_path):
    counts, releases = _inline_inputs(tmp_path)
    settings = flows.SamplerSettings(sweeps=120, burn_in=20)
    first = flows.fit_flows(counts, releases, settings=settings)
    again = flows.fit_flows(counts, releases, settings=settings)
    other = flows.fit_flows(counts, releases, settings=replace(settings, seed=7))
    np.testing.assert_array_equal(first.draws, again.draws)
    assert not np.array_equal(first.draws, other.draws)


def test_split_rhat_flags_chains_that_disagree():
    rng = np.random.default_rng(0)
    mixed = rng.normal(size=(2000, 3))
    assert np.all(validation.split_rhat(mixed, chains=2) < 1.01)
    stuck = mixed.copy()
    stuck[1000:] += 3.0
    assert np.all(validation.split_rhat(stuck, chains=2) > 1.5)
    constant = np.ones((2000, 1))
    assert np.isnan(validation.split_rhat(constant, chains=2)).all()


# --- the shipped inputs -------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_design() -> flows.Design:
    return validation.country_design()


@pytest.fixture(scope="module")
def real_fit(real_design) -> flows.FlowFit:
    return validation.fit(real_design, flows.SamplerSettings())


@pytest.mark.slow
def test_shipped_datasets_keep_the_stock_flow_arithmetic(shipped_data_dir):
    """The built ``flows_monthly``, ``flows_draws`` and ``prisoners_daily``: the stock moves
    by the month's net flow, in every kept draw and on the means; the daily series at each
    month's end is the monthly stock; intervals are ordered."""
    monthly = analysis.load("flows_monthly")
    draws = analysis.load("flows_draws")
    daily = analysis.load("prisoners_daily").set_index("date")
    net = monthly["recognized"] - monthly["released_deals"] - monthly["released_other"]
    np.testing.assert_allclose(monthly["stock"].diff().iloc[1:], net.iloc[1:], atol=1e-6)
    by_draw = draws.sort_values(["draw", "month"])
    step = by_draw.groupby("draw")["stock"].diff()
    draw_net = by_draw["recognized"] - by_draw["released_deals"] - by_draw["released_other"]
    np.testing.assert_allclose(step.dropna(), draw_net[step.notna()], atol=1e-6)
    month_ends = monthly["month"] + pd.offsets.MonthEnd(0)
    np.testing.assert_allclose(daily.loc[month_ends, "prisoners_held"].to_numpy(),
                               monthly["stock"].to_numpy(), atol=0.5)
    for name in ("stock", *flows.FLOWS):
        assert (monthly[f"{name}_low"] <= monthly[name] + 1e-9).all(), name
        assert (monthly[name] <= monthly[f"{name}_high"] + 1e-9).all(), name
    assert (daily["prisoners_held_low"] <= daily["prisoners_held"] + 1e-9).all()
    assert (daily["prisoners_held"] <= daily["prisoners_held_high"] + 1e-9).all()


DOWN_WEIGHTED_SHARE = 0.10


@pytest.mark.slow
def test_every_headline_count_used_is_within_the_interval_or_down_weighted(real_fit):
    """Each point figure of the headline count lies within the 95% daily interval widened by
    two of its standard deviations, unless the model down-weights it (mean Student-t weight
    under 0.5: at odds with its neighbours); such figures are listed and must be few."""
    design = real_fit.design
    daily = flows.prisoners_daily(real_fit).set_index("date")
    observations = design.observations.assign(weight=real_fit.observation_weight)
    used = observations[observations["use"] != "unused"]
    down_weighted = used[used["weight"] < 0.5]
    print("\nfigures down-weighted by the model:\n"
          + down_weighted[["record_id", "metric", "date_end", "value", "qualifier", "weight"]]
          .to_string(index=False))
    assert len(down_weighted) <= DOWN_WEIGHTED_SHARE * len(used), down_weighted["record_id"]
    points = used[(used["metric"] == "current_count") & (used["use"] == "point")
                  & (used["weight"] >= 0.5)]
    low = daily.loc[points["date_end"], "prisoners_held_low"].to_numpy() - 2 * points["sd"]
    high = daily.loc[points["date_end"], "prisoners_held_high"].to_numpy() + 2 * points["sd"]
    outside = points[(points["value"] < low) | (points["value"] > high)]
    assert outside.empty, outside[["record_id", "date_end", "value", "sd"]].to_string()


@pytest.mark.slow
def test_every_figure_used_is_within_the_interval_or_down_weighted(real_fit):
    """The same for every used figure of every metric (period totals, counters, pardon
    tallies): the posterior 95% interval of what the figure measures, widened by two of its
    standard deviations, holds a point figure and does not lie wholly beyond a bound, unless
    the figure is down-weighted."""
    design = real_fit.design
    used = (design.observations["use"] != "unused").to_numpy()
    measured = real_fit.draws @ design.matrix[used].T
    low, high = np.percentile(measured, [2.5, 97.5], axis=0)
    figures = design.observations[used].assign(low=low, high=high,
                                               weight=real_fit.observation_weight[used])
    slack = 2 * figures["sd"]
    missed = (((figures["use"] == "point")
               & ((figures["value"] < figures["low"] - slack)
                  | (figures["value"] > figures["high"] + slack)))
              | ((figures["use"] == "lower") & (figures["value"] > figures["high"] + slack))
              | ((figures["use"] == "upper") & (figures["value"] < figures["low"] - slack)))
    missed_kept = figures[missed & (figures["weight"] >= 0.5)]
    assert missed_kept.empty, missed_kept[["record_id", "metric", "value", "low", "high"]]


@pytest.mark.slow
def test_sampler_is_reproducible_on_the_shipped_inputs(real_design, real_fit):
    again = validation.fit(real_design, flows.SamplerSettings())
    np.testing.assert_array_equal(real_fit.draws, again.draws)


RHAT_LIMIT = 1.1
CLAIM_MONTHS_FROM = pd.Timestamp("2022-07-01")
"""Every month any test of the claim reads (the earliest comparison window starts here)."""


@pytest.mark.slow
@pytest.mark.parametrize("quantity", ["stock", "recognized", "released_other",
                                      "released_deals"])
def test_chains_agree_on_every_month_the_claim_tests_read(real_fit, quantity):
    """Split-R-hat over the two chains, worst month from Jul 2022, below 1.1."""
    months = np.asarray(real_fit.design.months >= CLAIM_MONTHS_FROM)
    draws = real_fit.stock_draws() if quantity == "stock" else real_fit.flow_draws(quantity)
    rhat = float(np.nanmax(validation.split_rhat(draws[:, months],
                                                 flows.SamplerSettings().chains)))
    assert rhat < RHAT_LIMIT, f"split-R-hat of {quantity}: {rhat:.3f}"


@pytest.mark.slow
@pytest.mark.xfail(strict=False, reason="recognitions and other exits of 2020-21 mix slowly: the "
                   "counts fix only their difference there, and the chains drift together "
                   "along it (2026-11-30: split-R-hat 1.099 on the shipped data, at the 1.1 "
                   "limit, so an edit of the data can tip it either way)")
def test_chains_agree_on_the_whole_series(real_fit):
    rhat = validation.convergence(real_fit, flows.SamplerSettings().chains)
    assert max(rhat.values()) < RHAT_LIMIT, rhat


COVERAGE_REPLICATIONS = 20
COVERAGE_SWEEPS = {"sweeps": 400, "burn_in": 100}
RECOVERY_LIMIT = {"stock": 8.0, "recognized": 8.0, "released_other": 8.0,
                  "released_deals": 10.0}
"""Mean absolute error of the posterior mean, persons a month (measured: about 4 for the
stock and both background flows, 6 for deal-era batch flows)."""


@pytest.mark.slow
def test_intervals_cover_known_flows_on_the_real_pattern_of_figures(real_design, real_fit):
    """Synthetic histories observed through the real design: every used figure of the
    shipped data (metric, dates, qualifier, error, bound) regenerated from a known truth, the
    real release batches with political counts drawn within their stated ranges, and each
    bound as far from the truth as the real one is from the real fit. 20 replications × 67
    months, at 400 sweeps a chain (the shipped fit uses 700; fewer sweeps lower the coverage
    of the early months, see the benchmark).

    Measured (seed 1, 2026-11-29 data): coverage of the 95% intervals 0.97 for the month-end
    stock, 0.98 recognised, 0.99 other exits, 0.96 batch releases (over the 17 months with a
    batch of unstated political count); mean absolute errors 4.0, 3.4, 3.2 and 5.0 persons.
    ``benchmarks/RESULTS.md`` has the full-size figures (40 replications, 700 sweeps)."""
    result = validation.coverage_study(real_design, real_fit, COVERAGE_REPLICATIONS,
                                       sampler_settings=validation.settings(**COVERAGE_SWEEPS))
    print("\ncoverage", result["coverage"], "\nmean absolute error", result["mae"])
    for name, (low, high) in validation.COVERAGE_RANGE.items():
        coverage = result["coverage"][name]
        assert low <= coverage <= high, f"coverage of {name}: {coverage:.3f}"
        assert result["mae"][name] < RECOVERY_LIMIT[name], (
            f"mean absolute error of {name}: {result['mae'][name]:.1f}")
