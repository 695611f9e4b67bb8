"""The exit-time prior and the no-deal counterfactual (``analysis.derive.exits``): known
truths on synthetic inputs, the sentence facts' cleaning, missing stays missing, the doc names
every source, and the same seed gives the same numbers."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis
from analysis import catalog, paths
from analysis.derive import exits
from analysis.sources.curated import clean_sentences

SHIPPED = paths.REPO_DIR / "data" / "raw" / "belarus" / "sentences.csv"


class Fixed:
    """A prior whose every draw has the survival exp(−days / scale): hand-computable."""

    def __init__(self, scale: float, n_draws: int = 2):
        self.scale, self.n_draws = scale, n_draws

    def __len__(self) -> int:
        return self.n_draws

    def survival(self, days):
        curve = np.exp(-np.asarray(days, dtype=float) / self.scale)
        return np.tile(curve, (self.n_draws, 1))


def _releases(batches: list[tuple[str, str, int]]) -> pd.DataFrame:
    """Release batches as ``release_events`` holds them: id, day, political prisoners (stated)."""
    days = pd.to_datetime([day for _, day, _ in batches])
    return pd.DataFrame({
        "event_id": [event for event, _, _ in batches],
        "date_start": days, "date_end": days,
        "counts_as_release": True,
        "released_political_prisoners": pd.array([n for _, _, n in batches], dtype="Int64"),
        "released_total": [n for _, _, n in batches],
    })


def _draws(months: list[str], deals: list[list[float]], stock: float = 500.0) -> pd.DataFrame:
    """``flows_draws`` with one row per draw and month: ``deals[draw][month]`` freed."""
    rows = [{"draw": d, "month": pd.Timestamp(month), "stock": stock - sum(per_month[:m + 1]),
             "recognized": 0.0, "released_other": 0.0, "released_deals": per_month[m]}
            for d, per_month in enumerate(deals) for m, month in enumerate(months)]
    return pd.DataFrame(rows)


def test_one_batch_with_a_fixed_survival_curve_is_the_hand_computation():
    months = ["2024-01-01", "2024-02-01", "2024-03-01"]
    draws = _draws(months, [[10, 0, 0], [20, 0, 0]])
    effect = exits.deals_effect_draws(draws, _releases([("re001", "2024-01-16", 10)]),
                                      Fixed(100.0))
    elapsed = np.array([15, 44, 75])  # 16 Jan to 31 Jan, 29 Feb, 31 Mar
    for draw, freed in ((0, 10), (1, 20)):
        got = effect[effect["draw"] == draw]["deals_effect"].to_numpy()
        np.testing.assert_allclose(got, -freed * np.exp(-elapsed / 100.0))
    table = exits.counterfactual_monthly(draws, _releases([("re001", "2024-01-16", 10)]),
                                         Fixed(100.0), "testland")
    np.testing.assert_allclose(table["stock_no_deals_mean"] - table["stock_mean"],
                               15 * np.exp(-elapsed / 100.0))
    assert (table["reason"] == "").all()


def test_a_month_of_two_batches_is_split_by_their_stated_counts():
    draws = _draws(["2024-01-01"], [[40]])
    releases = _releases([("re001", "2024-01-01", 10), ("re002", "2024-01-31", 30)])
    effect = exits.deals_effect_draws(draws, releases, Fixed(10.0, 1))["deals_effect"].iloc[0]
    assert effect == pytest.approx(-(10 * np.exp(-3.0) + 30 * 1.0))


def test_additionality_of_one_batch_is_the_hand_computation():
    draws = _draws(["2024-07-01", "2024-08-01"], [[12, 0], [12, 0]])
    releases = _releases([("re001", "2024-07-10", 12)])
    table = exits.deal_additionality(draws, releases, Fixed(200.0), "testland")
    assert list(table["event_id"].unique()) == ["re001", "total"]
    for horizon in exits.HORIZONS:
        row = table[(table["event_id"] == "re001") & (table["horizon_months"] == horizon)]
        days = round(horizon * exits.DAYS_PER_MONTH)
        assert row["freed_mean"].item() == pytest.approx(12)
        assert row["would_have_left_mean"].item() == pytest.approx(
            12 * (1 - np.exp(-days / 200.0)))
        remitted = 12 * 200.0 * (1 - np.exp(-days / 200.0)) / exits.DAYS_PER_MONTH
        assert row["prison_months_remitted_mean"].item() == pytest.approx(remitted, rel=1e-4)
    total = table[table["event_id"] == "total"]
    assert total["batch_date"].isna().all()
    assert (total["freed_mean"].to_numpy() == 12).all()


def test_batches_before_the_deal_era_are_left_out_of_additionality():
    draws = _draws(["2024-06-01", "2024-07-01"], [[5, 7]])
    releases = _releases([("re001", "2024-06-10", 5), ("re002", "2024-07-03", 7)])
    table = exits.deal_additionality(draws, releases, Fixed(50.0, 1), "testland")
    assert set(table["event_id"]) == {"re002", "total"}


def test_the_tail_share_solves_for_sigma():
    mean, share = np.array([3.9, 4.2]), np.array([0.05, 0.07])
    sigma = exits.sigma_for_tail(mean, share)
    biased = stats.lognorm(s=sigma, scale=np.exp(np.log(mean) + sigma**2 / 2))
    np.testing.assert_allclose(biased.sf(exits.LONG_TERM_YEARS), share)
    cohort = stats.lognorm(s=sigma, scale=np.exp(np.log(mean) - sigma**2 / 2))
    np.testing.assert_allclose(cohort.mean(), mean)


def test_the_survival_curve_matches_a_simulation_of_its_parts():
    prior = exits.ExitPrior(np.array([4.0]), np.array([0.5]), np.array([0.6]), np.array([1.5]))
    rng = np.random.default_rng(1)
    n = 400_000
    term = rng.lognormal(np.log(4.0) + 0.5**2 / 2, 0.5, n)  # length-biased
    served = rng.beta(2 * 0.6, 2 * 0.4, n)
    left = 1.5 * term * (1 - served) * exits.DAYS_PER_YEAR
    days = np.array([0, 30, 180, 365, 730, 1825])
    expected = [(left > day).mean() for day in days]
    np.testing.assert_allclose(prior.survival(days)[0], expected, atol=0.01)
    assert prior.survival(days)[0, 0] == 1.0
    assert (np.diff(prior.survival(np.arange(0, 4000, 10))[0]) <= 0).all()


def test_the_shipped_facts_give_the_prior_its_ranges():
    facts = exits.sentence_facts(clean_sentences(SHIPPED).rows)
    assert facts.cohort_mean_years[:3] == pytest.approx((1992 / 537, 2501.25 / 636, 1935 / 458))
    assert facts.cohort_mean_years[3] == pytest.approx((1992 + 673) / (537 + 305))
    assert facts.long_term_share == pytest.approx((70 / 1446, 70 / (1446 - 460)))
    assert (facts.pardoned_share_served, facts.pardoned_remaining_days) == (0.68, 456)
    assert facts.few_left == (4, 11)
    prior = exits.exit_prior(facts)
    assert len(prior) == 200
    assert prior.mean_term.min() >= min(facts.cohort_mean_years)
    assert prior.mean_term.max() <= max(facts.cohort_mean_years)


def test_the_same_seed_gives_the_same_numbers():
    facts = exits.sentence_facts(clean_sentences(SHIPPED).rows)
    first, second = exits.exit_prior(facts), exits.exit_prior(facts)
    days = np.arange(0, 2000, 50)
    assert np.array_equal(first.survival(days), second.survival(days))
    draws = _draws(["2024-07-01", "2024-08-01"], [[12, 3]] * 200)
    releases = _releases([("re001", "2024-07-10", 12), ("re002", "2024-08-02", 3)])
    pd.testing.assert_frame_equal(
        exits.counterfactual_monthly(draws, releases, first, "x"),
        exits.counterfactual_monthly(draws, releases, second, "x"))
    assert not np.array_equal(exits.exit_prior(facts, seed=1).mean_term, first.mean_term)


def test_without_sentence_facts_the_counterfactual_is_missing_with_a_reason():
    draws = _draws(["2024-07-01", "2024-08-01"], [[12, 0]])
    releases = _releases([("re001", "2024-07-10", 12)])
    table = exits.counterfactual_monthly(draws, releases, None, "testland")
    assert len(table) == 2 and table["stock_mean"].notna().all()
    missing = [c for c in table if c.startswith(("stock_no_deals", "deals_effect"))]
    assert table[missing].isna().all().all()
    assert (table["reason"] == exits.NO_FACTS).all()
    assert exits.deal_additionality(draws, releases, None, "testland").empty
    assert not catalog.applies("sentences", "venezuela")
    assert catalog.applies("counterfactual_monthly", "venezuela")


def test_the_prior_needs_a_draw_for_every_model_draw():
    draws = _draws(["2024-07-01"], [[1]] * 3)
    with pytest.raises(ValueError, match="each model draw needs its own"):
        exits.deals_effect_draws(draws, _releases([("re001", "2024-07-02", 1)]), Fixed(9.0, 2))


@pytest.mark.parametrize(("value", "column", "reason"), [
    ("seventy", "value", "a number of 0 or more"),
    ("1500", "value", "value no larger than out_of"),
])
def test_a_bad_sentence_row_is_quarantined_with_line_column_and_reason(tmp_path, value, column,
                                                                       reason):
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("sf007,"))
    lines[at] = lines[at].replace(",70,1446,", f",{value},1446,")
    bad = tmp_path / "sentences.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = clean_sentences(bad)
    assert checked.rows_in == len(checked.rows) + checked.quarantine["line"].nunique()
    assert checked.quarantine["line"].tolist() == [at + 1]
    row = checked.quarantine.iloc[0]
    assert row["column"] == column and reason in row["reason"]
    assert row["file"].endswith("sentences.csv")


def test_a_share_above_one_is_quarantined(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8").replace(",0.68,,approx,", ",68,,approx,")
    bad = tmp_path / "sentences.csv"
    bad.write_text(text, encoding="utf-8")
    checked = clean_sentences(bad)
    assert len(checked.quarantine) == 1
    assert "share between 0 and 1" in checked.quarantine["reason"].iloc[0]


def test_the_model_doc_names_every_source_the_prior_and_its_check_use():
    rows = clean_sentences(SHIPPED).rows
    facts = exits.sentence_facts(rows)
    used = set(facts.source_urls) | set(
        rows.loc[rows["metric"].str.startswith("released_end_of_sentence"), "source_url"])
    doc = (paths.REPO_DIR / "docs" / "model.md").read_text(encoding="utf-8")
    missing = [url for url in sorted(used) if url not in doc]
    assert not missing, missing
    assert re.search(r"not (yet )?updated", doc), "the doc says the counters do not update it"


def test_the_datasets_follow_the_model_and_carry_the_interface_columns(data_dir):
    draws = analysis.load("flows_draws")
    table = analysis.load("counterfactual_monthly")
    assert len(table) == draws["month"].nunique()
    assert set(exits.COUNTERFACTUAL_COLUMNS) == set(table.columns)
    means = draws.groupby("month")["stock"].mean().to_numpy()
    np.testing.assert_allclose(table["stock_mean"], means)
    assert (table["stock_no_deals_mean"] >= table["stock_mean"] - 1e-9).all()
    additionality = analysis.load("deal_additionality")
    assert set(exits.ADDITIONALITY_COLUMNS) == set(additionality.columns)
    assert set(additionality["horizon_months"]) <= set(exits.HORIZONS)


def test_a_fact_the_prior_needs_missing_leaves_the_counterfactual_missing_with_why(data_dir):
    path = data_dir / "raw" / "belarus" / "sentences.csv"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines()
            if not line.startswith("sf007,")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(exits.MissingFact, match="held_sentenced_10y_plus"):
        exits.sentence_facts(clean_sentences(path).rows)
    table = analysis.load("counterfactual_monthly")
    assert table["deals_effect_mean"].isna().all()
    assert table["reason"].str.contains("held_sentenced_10y_plus").all()
    assert analysis.load("deal_additionality").empty


def test_the_prior_predictive_check_is_the_stock_times_the_monthly_exit_chance():
    rows = clean_sentences(SHIPPED).rows
    facts = exits.sentence_facts(rows)
    prior = exits.exit_prior(facts, n_draws=50)
    months = pd.date_range("2022-01-01", "2025-12-01", freq="MS")
    draws = pd.DataFrame([{"draw": d, "month": m, "stock": 1000.0, "released_deals": 0.0}
                          for d in range(50) for m in months])
    check = exits.prior_predictive_check(draws, rows, prior, facts)
    digests = rows[rows["metric"] == "released_end_of_sentence_in_period"]
    assert check["record_id"].tolist() == digests["record_id"].tolist()
    monthly = 1 - exits.stock_prior(prior).survival(np.array([exits.DAYS_PER_MONTH]))[:, 0]
    share = np.random.default_rng(exits.PRIOR_SEED + 1).uniform(facts.sentenced_share, 1, 50)
    assert check["implied_mean"].iloc[0] == pytest.approx((1000 * share * monthly).mean())
    assert (check["consistent"] == (check["implied_high"] >= check["digest"])).all()


def test_the_pardonee_check_gives_belsat_its_exact_interval():
    facts = exits.sentence_facts(clean_sentences(SHIPPED).rows)
    check = exits.pardonee_check(exits.exit_prior(facts, n_draws=20), facts)
    exact = stats.binomtest(4, 11).proportion_ci(method="exact")
    assert (check["belsat_share_low"], check["belsat_share_high"]) == pytest.approx(
        (exact.low, exact.high))
    assert check["mean_days_left_low"] < check["mean_days_left_high"]
