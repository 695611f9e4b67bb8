"""The tests of the claim (docs/hypotheses.md, second edition): every verdict reachable on
panels of the real shape, power and false-positive rates as the table says, the inference
details that the first edition got wrong, and the verdict table's contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import analysis
from analysis.claim import (
    HYPOTHESES,
    VERDICTS,
    ClaimData,
    claim_data,
    family,
    power_summary,
    power_table,
    simulated_data,
)
from analysis.claim import (
    test_claim as run_claim_tests,
)
from analysis.claim.estimators import ESTIMATORS, contrast
from analysis.claim.inference import holm, ols_newey_west, rubin, verdict
from analysis.claim.report import rules_out
from analysis.claim.simulate import judged, scenarios
from analysis.claim.spec import DEAL_ERA_START, Result

TESTED = [h for h, spec in HYPOTHESES.items() if spec.in_family and h != "H1_pressure"]


@pytest.fixture(scope="module")
def real(tmp_path_factory, shipped_data_copy) -> ClaimData:
    """The shipped data's panel and model draws, built in a temporary copy."""
    with shipped_data_copy(tmp_path_factory.mktemp("claim")):
        analysis.build(["panel_monthly", "flows_draws"])
        return claim_data(analysis.load("panel_monthly"), analysis.load("flows_draws"))


def with_packages_in_deal_era(data: ClaimData) -> ClaimData:
    """The real inputs with a sanctions package every third deal-era month, so that H1 is
    identified (the real panel has none after March 2025)."""
    packages = np.nan_to_num(data.packages).copy()
    era = np.flatnonzero(np.asarray(data.months >= DEAL_ERA_START))
    packages[era] = 0.0
    packages[era[::4]] = 1.0
    return ClaimData(data.months, data.relief, packages, data.outcomes)


def verdict_shares(data: ClaimData, hypothesis: str, effect: float, runs: int = 40,
                   seed: int = 1) -> pd.Series:
    rng = np.random.default_rng(seed)
    size = len(family(data)) or 1
    return pd.Series([judged(hypothesis, simulated_data(data, hypothesis, effect, rng), size)
                      for _ in range(runs)]).value_counts(normalize=True)


def large(hypothesis: str, side: str) -> float:
    """An effect far beyond the SESOI on one side (persons a month, or a ratio)."""
    effect = scenarios(hypothesis)[side]
    return effect ** 3 if HYPOTHESES[hypothesis].multiplicative else 6 * effect


@pytest.mark.slow
@pytest.mark.parametrize("hypothesis", TESTED)
def test_each_hypothesis_reaches_support_and_against_on_panels_of_the_real_shape(
        real, hypothesis):
    supports = verdict_shares(real, hypothesis, large(hypothesis, "claim side"))
    against = verdict_shares(real, hypothesis, large(hypothesis, "opposite"))
    assert supports.get("supports the claim", 0) > 0.5, supports
    assert against.get("against the claim", 0) > 0.5, against


@pytest.mark.slow
@pytest.mark.parametrize("hypothesis", TESTED)
def test_each_hypothesis_can_also_come_out_inconclusive(real, hypothesis):
    middle = scenarios(hypothesis)["claim side"]
    if HYPOTHESES[hypothesis].multiplicative:
        middle = middle ** 0.5
    shares = verdict_shares(real, hypothesis, 0.0 if not HYPOTHESES[hypothesis].multiplicative
                            else middle)
    assert shares.get("inconclusive", 0) > 0, shares


@pytest.mark.slow
def test_h1_is_not_testable_on_the_real_panel_but_reaches_every_verdict_when_identified(real):
    assert ESTIMATORS["H1_pressure"](real).reason is not None
    identified = with_packages_in_deal_era(real)
    assert ESTIMATORS["H1_pressure"](identified).reason is None
    supports = verdict_shares(identified, "H1_pressure", 120.0)
    against = verdict_shares(identified, "H1_pressure", -120.0)
    assert supports.get("supports the claim", 0) > 0.5, supports
    assert against.get("against the claim", 0) > 0.5, against


@pytest.mark.slow
def test_power_and_false_positives_hold_on_fresh_panels(real):
    """The table's power is what fresh panels (another seed) detect, and noise is called
    support no more often than the table says, within Monte Carlo error."""
    table = power_summary(power_table(real, runs=200, seed=7)).set_index("hypothesis")
    for hypothesis in TESTED:
        spec = HYPOTHESES[hypothesis]
        scenario = "none" if spec.equivalence_supports else "claim side"
        fresh = verdict_shares(real, hypothesis, scenarios(hypothesis)[scenario], runs=200,
                               seed=99).get("supports the claim", 0.0)
        tolerance = 3 * np.sqrt(0.25 / 200) + 0.02
        assert abs(fresh - table.loc[hypothesis, "power"]) < tolerance, hypothesis
        assert table.loc[hypothesis, "false_positive_rate"] <= 0.05 + tolerance, hypothesis


@pytest.mark.slow
def test_the_verdict_table_on_the_real_inputs_states_intervals_rules_out_and_power(real):
    panel = pd.DataFrame({"month": real.months, "prisoners_held": 1.0,
                          "relief_steps": real.relief, "sanctions_packages": real.packages})
    draws = long_draws(real)
    table = run_claim_tests(panel, draws=draws, power_runs=30)
    assert list(table["hypothesis"]) == list(HYPOTHESES)
    assert set(table["verdict"]) <= set(VERDICTS)
    tested = table[table["in_family"]]
    assert (tested["ci_low"] <= tested["estimate"]).all()
    assert (tested["estimate"] <= tested["ci_high"]).all()
    assert (tested["p_adjusted"] >= tested["p_value"] - 1e-12).all()
    assert tested["power"].between(0, 1).all()
    assert table["rules_out"].str.len().gt(20).all()
    assert table.loc[table["hypothesis"] == "H1_pressure", "verdict"].item() == (
        "not testable with these data")
    assert all(row.reading.startswith("For ") for row in tested.itertuples())


def long_draws(data: ClaimData) -> pd.DataFrame:
    stock = np.nancumsum(np.nan_to_num(data.outcomes["stock_change"]), axis=0) + 1000.0
    frames = []
    for draw in range(data.n_draws):
        frames.append(pd.DataFrame({
            "draw": draw, "month": data.months, "stock": stock[:, draw],
            **{name: data.outcomes[name][:, draw]
               for name in ("recognized", "released_deals", "released_other")}}))
    return pd.concat(frames, ignore_index=True)


def test_a_panel_without_stock_figures_is_not_testable():
    months = pd.date_range("2023-01-01", periods=30, freq="MS")
    panel = pd.DataFrame({"month": months, "prisoners_held": np.nan, "relief_steps": 0,
                          "sanctions_packages": 0, "recognized_model": 10.0,
                          "released_deals": 5.0, "released_other": 5.0})
    table = run_claim_tests(panel, power_runs=0)
    assert (table["verdict"] == "not testable with these data").all()
    assert table["note"].str.contains("no figures of the number held").all()


def test_newey_west_without_lags_is_statsmodels_hc1():
    rng = np.random.default_rng(3)
    design = np.column_stack([np.ones(30), rng.normal(size=30)])
    outcome = design @ [1.0, 2.0] + rng.normal(size=30)
    coefficients, variances = ols_newey_west(outcome[:, None], design, lags=0)
    fitted = sm.OLS(outcome, design).fit(cov_type="HC1")
    np.testing.assert_allclose(coefficients[:, 0], fitted.params)
    np.testing.assert_allclose(np.sqrt(variances[:, 0]), fitted.bse)


def test_newey_west_matches_statsmodels_hac_with_the_small_sample_factor():
    rng = np.random.default_rng(4)
    design = np.column_stack([np.ones(40), rng.normal(size=40)])
    outcome = design @ [1.0, 0.5] + rng.normal(size=40)
    _, variances = ols_newey_west(outcome[:, None], design, lags=3)
    fitted = sm.OLS(outcome, design).fit(cov_type="HAC",
                                         cov_kwds={"maxlags": 3, "use_correction": True})
    np.testing.assert_allclose(np.sqrt(variances[:, 0]), fitted.bse, rtol=1e-6)


def test_missing_months_are_never_bridged():
    """The first edition ran Newey-West on rows after dropna, as if the months around a gap
    were neighbours; now a lag pairs only rows that many calendar months apart."""
    rng = np.random.default_rng(5)
    positions = np.array([0, 1, 2, 5, 6, 7])
    design = np.column_stack([np.ones(6), rng.normal(size=6)])
    outcome = rng.normal(size=(6, 1))
    _, with_gap = ols_newey_west(outcome, design, lags=1, positions=positions)
    _, bridged = ols_newey_west(outcome, design, lags=1)
    bread = np.linalg.inv(design.T @ design)
    residuals = outcome[:, 0] - design @ (bread @ design.T @ outcome[:, 0])
    scores = design * residuals[:, None]
    meat = scores.T @ scores
    for later in (1, 2, 4, 5):
        cross = np.outer(scores[later], scores[later - 1])
        meat += 0.5 * (cross + cross.T)
    expected = np.diag(bread @ meat @ bread) * 6 / 4
    np.testing.assert_allclose(with_gap[:, 0], expected)
    assert not np.allclose(with_gap, bridged)
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    series = np.arange(12, dtype=float)[:, None]
    series[5] = np.nan
    data = ClaimData(months, np.zeros(12), np.zeros(12), {"recognized": series})
    result = contrast(data, "H5_recognition_slowdown", "recognized",
                      (np.arange(12) % 2).astype(float), np.ones(12, dtype=bool))
    assert result.n_months == 11


def test_rubin_adds_the_between_draw_variance_and_one_draw_changes_nothing():
    single = rubin(np.array([2.0]), np.array([0.25]), complete_df=20, n_months=22)
    assert single.std_error == pytest.approx(0.5)
    assert single.df == pytest.approx(21 / 23 * 20)
    spread = rubin(np.array([1.0, 3.0, 2.0, 2.0]), np.full(4, 0.25), complete_df=20,
                   n_months=22)
    assert spread.std_error > 0.5 and spread.df < single.df


def test_a_zero_release_draw_makes_h4_not_testable_instead_of_being_dropped():
    """The first edition dropped infinite bootstrap draws, which narrowed the interval."""
    months = pd.date_range("2024-01-01", periods=30, freq="MS")
    freed = np.full((30, 25), 5.0)
    freed[:, 3] = 0.0
    data = ClaimData(months, np.zeros(30), np.zeros(30),
                     {"recognized": np.full((30, 25), 6.0), "released_deals": freed,
                      "released_other": np.ones((30, 25)),
                      "stock_change": np.zeros((30, 25))})
    assert ESTIMATORS["H4_revolving_door"](data).reason is not None


@pytest.mark.parametrize(("hypothesis", "estimate", "p", "p_eq", "expected"), [
    ("H3_net_effect", -30.0, 0.01, 0.9, "supports the claim"),
    ("H3_net_effect", 30.0, 0.01, 0.9, "against the claim"),
    ("H3_net_effect", 1.0, 0.6, 0.01, "against the claim"),
    ("H3_net_effect", -3.0, 0.01, 0.01, "inconclusive"),
    ("H3_net_effect", -3.0, 0.4, 0.4, "inconclusive"),
    ("H6_additionality", 1.0, 0.6, 0.01, "supports the claim"),
    ("H6_additionality", -25.0, 0.001, 0.9, "against the claim"),
    ("H7_refill", 20.0, 0.001, 0.9, "against the claim"),
    ("H4_revolving_door", 1.0, 0.9, 0.01, "against the claim"),
    ("H4_revolving_door", 0.5, 0.001, 0.9, "supports the claim"),
    ("H2_leverage", np.nan, np.nan, np.nan, "not testable with these data"),
])
def test_verdict_rule(hypothesis, estimate, p, p_eq, expected):
    assert verdict(HYPOTHESES[hypothesis], estimate, p, p_eq, 0.05)[0] == expected


def test_holm_matches_the_textbook_example_and_skips_missing():
    adjusted = holm(np.array([0.01, 0.04, np.nan, 0.03, 0.005]))
    np.testing.assert_allclose(adjusted[[0, 1, 3, 4]], [0.03, 0.06, 0.06, 0.02])
    assert np.isnan(adjusted[2])


def test_rules_out_says_what_the_interval_excludes():
    spec = HYPOTHESES["H3_net_effect"]
    sentence = rules_out(spec, Result("H3_net_effect", estimate=-20.0, ci_low=-36.0,
                                      ci_high=-4.0, p_value=0.01))
    assert "below -36 and above -4 a month" in sentence
    assert "it rules out no effect" in sentence
    assert "does not rule out an effect of -10 a month or less on the claim's side" in sentence
    assert "rules out one of +10 a month or more on the other side" in sentence
    assert rules_out(spec, Result("H3_net_effect", reason="no data")).startswith(
        "Rules out nothing")
