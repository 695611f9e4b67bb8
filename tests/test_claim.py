"""Tests of the claim-testing library: contract, edge cases, and proof on synthetic panels that
the pre-registered procedure finds planted effects, keeps its false-positive rate, and covers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.claim import (
    HYPOTHESES,
    count_models,
    event_studies,
    power_table,
    revolving_door,
    robustness,
    segmented_regression,
    simulate_panel,
)
from analysis.claim import test_claim as run_claim_tests
from analysis.claim.inference import holm, verdict, wald_result
from analysis.claim.simulate import RELIEF_MONTHS
from analysis.claim.spec import PANEL_COLUMNS, VERDICTS

ALPHA = 0.05
FAST = {"n_permutations": 999, "n_bootstrap": 499}
REQUIRED = ["hypothesis", "question", "method", "estimate", "ci_low", "ci_high", "p_value",
            "p_adjusted", "verdict", "reading"]
N_SIMS = 200
LARGE_EFFECTS = {"H1_pressure": 5.0, "H2_leverage": 6.0, "H3_stock": -50.0,
                 "H4_revolving_door": 0.4, "H5_recognition_slowdown": 0.3}
OPPOSITE_EFFECTS = {"H1_pressure": 0.2, "H2_leverage": 0.15, "H3_stock": 50.0,
                    "H4_revolving_door": 2.5, "H5_recognition_slowdown": 3.0}


def monte_carlo_ceiling(rate: float, n: int) -> float:
    return rate + 3 * math.sqrt(rate * (1 - rate) / n)


def by_hypothesis(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("hypothesis")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate_panel(seed=3)


@pytest.fixture(scope="module")
def result(panel) -> pd.DataFrame:
    return run_claim_tests(panel, **FAST)


# --- contract -----------------------------------------------------------------------------

def test_one_row_per_hypothesis_with_the_documented_columns(result):
    assert list(result.columns[: len(REQUIRED)]) == REQUIRED
    assert list(result["hypothesis"]) == list(HYPOTHESES)
    assert set(result["verdict"]) <= set(VERDICTS)
    assert result["reading"].str.len().gt(40).all()


def test_estimates_lie_inside_their_intervals_and_adjustment_only_raises_p(result):
    testable = result.dropna(subset=["estimate", "ci_low", "ci_high"])
    assert (testable["ci_low"] <= testable["estimate"]).all()
    assert (testable["estimate"] <= testable["ci_high"]).all()
    assert (result["p_adjusted"] >= result["p_value"] - 1e-12).all()


def test_readings_carry_the_interval_and_the_adjusted_p(result):
    for reading in result["reading"]:
        assert "95%" in reading and "Holm-adjusted p" in reading


def test_same_seed_same_table_and_pytest_does_not_collect_the_entry_point(panel, result):
    pd.testing.assert_frame_equal(run_claim_tests(panel, **FAST), result)
    assert run_claim_tests.__test__ is False


def test_missing_columns_are_named():
    broken = simulate_panel(seed=1).drop(columns=["relief_steps", "designations_uk"])
    with pytest.raises(ValueError, match="relief_steps, designations_uk"):
        run_claim_tests(broken, **FAST)


def test_gaps_in_months_are_rejected():
    with pytest.raises(ValueError, match="consecutive"):
        run_claim_tests(simulate_panel(seed=1).drop(index=10), **FAST)


def test_alpha_outside_zero_one_is_rejected(panel):
    with pytest.raises(ValueError, match="alpha"):
        run_claim_tests(panel, alpha=1.5, **FAST)


def test_panel_row_order_does_not_matter(panel, result):
    shuffled = panel.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(run_claim_tests(shuffled, **FAST), result)


# --- panels without events of some type ----------------------------------------------------

def without(panel: pd.DataFrame, **replacements) -> pd.DataFrame:
    changed = panel.copy()
    for column, value in replacements.items():
        changed[column] = pd.array([value] * len(changed), dtype=changed[column].dtype)
    return changed


@pytest.mark.parametrize(("replacements", "untestable"), [
    ({"relief_steps": 0}, "H2_leverage"),
    ({"sanctions_packages": 0}, "H1_pressure"),
    ({"released": 0, "released_min": 0, "released_all": 0}, "H4_revolving_door"),
    ({"recognized": pd.NA}, "H5_recognition_slowdown"),
    ({"prisoners_held": np.nan}, "H3_stock"),
])
def test_missing_event_types_give_inconclusive_with_a_reason(panel, replacements, untestable):
    table = by_hypothesis(run_claim_tests(without(panel, **replacements), **FAST))
    assert table.at[untestable, "verdict"] == "inconclusive"
    assert table.at[untestable, "reading"].startswith("Not testable")
    assert table.at[untestable, "note"]


def test_a_panel_that_ends_before_the_deals_is_all_inconclusive():
    table = run_claim_tests(simulate_panel(n_months=30, seed=2), **FAST)
    assert (table["verdict"] == "inconclusive").all()
    assert table["p_adjusted"].isna().all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000),
       n_months=st.integers(1, 70),
       blanked=st.lists(st.sampled_from([c for c in PANEL_COLUMNS if c not in (
           "month", "prisoners_held_observed", "recognized_qualifier")]), max_size=4),
       missing_share=st.floats(0, 0.9))
def test_never_crashes_on_damaged_panels(seed, n_months, blanked, missing_share):
    damaged = simulate_panel(n_months=n_months, seed=seed)
    rng = np.random.default_rng(seed)
    for column in blanked:
        holes = rng.random(len(damaged)) < missing_share
        damaged.loc[holes, column] = np.nan if column == "prisoners_held" else pd.NA
    table = run_claim_tests(damaged, n_permutations=99, n_bootstrap=99)
    assert len(table) == len(HYPOTHESES)
    assert set(table["verdict"]) <= set(VERDICTS)
    assert (table["n_months"] >= 0).all()


# --- building blocks -----------------------------------------------------------------------

def test_holm_matches_the_textbook_example_and_skips_missing():
    adjusted = holm(np.array([0.01, 0.04, np.nan, 0.03, 0.005]))
    np.testing.assert_allclose(adjusted, [0.03, 0.06, np.nan, 0.06, 0.02], equal_nan=True)


@pytest.mark.parametrize(("estimate", "p_adjusted", "p_equivalence", "expected"), [
    (2.0, 0.01, 0.9, "supports the claim"),
    (0.5, 0.01, 0.9, "against the claim"),
    (1.05, 0.6, 0.01, "against the claim"),
    (1.2, 0.01, 0.01, "inconclusive"),
    (1.8, 0.2, 0.6, "inconclusive"),
    (np.nan, np.nan, np.nan, "inconclusive"),
])
def test_verdict_rule(estimate, p_adjusted, p_equivalence, expected):
    outcome, _ = verdict(HYPOTHESES["H1_pressure"], estimate, p_adjusted, p_equivalence, ALPHA)
    assert outcome == expected


def test_claim_direction_is_reversed_where_the_claim_predicts_a_fall():
    stock = HYPOTHESES["H3_stock"]
    assert verdict(stock, -30.0, 0.001, 0.9, ALPHA)[0] == "supports the claim"
    assert verdict(stock, 30.0, 0.001, 0.9, ALPHA)[0] == "against the claim"


def test_wald_equivalence_needs_a_tight_interval_around_the_null():
    tight = wald_result("H1_pressure", 0.0, 0.05, 40, 45)
    loose = wald_result("H1_pressure", 0.0, 0.5, 40, 45)
    assert tight.p_equivalence < 0.001
    assert loose.p_equivalence > ALPHA
    assert tight.ci_low < 1 < tight.ci_high


def test_randomisation_p_values_are_exact_style(panel):
    p_value = by_hypothesis(run_claim_tests(panel, n_permutations=99, n_bootstrap=99)).at[
        "H2_leverage", "p_value"]
    one_sided_hits = p_value * 100 / 2
    assert p_value >= 2 / 100
    assert p_value == 1.0 or one_sided_hits == pytest.approx(round(one_sided_hits))


def test_stock_model_recovers_a_clean_slope_change():
    panel = simulate_panel(effect={"H3_stock": -30.0}, seed=5)
    table = segmented_regression(panel)
    change = table.set_index("term").filter(like="from Jul 2024", axis=0)
    assert change["ci_low"].iloc[0] < -30 < change["ci_high"].iloc[0]
    assert {"ar1_phi", "ljung_box_p"} <= set(table.columns)
    levels = segmented_regression(panel, specification="levels", errors="hac")
    assert len(levels) == 6 and levels["ljung_box_p"].notna().all()


def test_revolving_door_accounting_states_its_assumptions_and_brackets_the_ratio(panel):
    table = revolving_door(panel, n_draws=2_000).set_index("quantity")
    ratio = table.loc["recognised per released"]
    assert ratio["measurement_low"] <= ratio["estimate"] <= ratio["measurement_high"]
    assert ratio["ci_low"] <= ratio["measurement_low"]
    assert "released_min and released_all" in table.attrs["assumptions"]
    shares = table.loc["share of releases offset by new recognitions"]
    assert shares[["estimate", "ci_high"]].le(1.0).all()


def test_revolving_door_ratio_by_hand():
    panel = simulate_panel(seed=8)
    deal = panel["month"] >= "2024-07-01"
    panel["recognized_qualifier"] = pd.array(["exact"] * len(panel), dtype="string")
    panel.loc[deal, "recognized"] = 30
    panel.loc[deal, ["released", "released_min", "released_all"]] = 60
    table = revolving_door(panel, n_draws=500).set_index("quantity")
    ratio = table.loc["recognised per released"]
    assert ratio["estimate"] == pytest.approx(0.5)
    assert ratio["measurement_low"] == pytest.approx(0.5)
    assert ratio["measurement_high"] == pytest.approx(0.5)


def test_count_models_report_both_families_and_the_dispersion_check(panel):
    table = count_models(panel)
    assert set(table["family"]) == {"poisson", "negative_binomial"}
    assert table[["pearson_dispersion", "ct_alpha"]].notna().any().all()
    fitted = table.dropna(subset=["rate_ratio"])
    assert (fitted["ci_low"] <= fitted["rate_ratio"]).all()


def test_event_studies_put_relief_and_packages_side_by_side(panel):
    table = event_studies(panel, n_permutations=499)
    assert len(table) == 3 and table["study"].str.contains("packages").any()
    primary = by_hypothesis(run_claim_tests(panel, n_permutations=499, n_bootstrap=99))
    relief = table.iloc[0]
    assert relief["study"].startswith("releases around relief steps")
    assert relief[["estimate", "ci_low", "ci_high", "p_value"]].tolist() == pytest.approx(
        primary.loc["H2_leverage", ["estimate", "ci_low", "ci_high", "p_value"]].tolist())


def test_robustness_covers_the_planned_variants(panel):
    alternative = simulate_panel(seed=4)
    table = robustness(panel, {"other rule": alternative}, n_permutations=199, n_bootstrap=199)
    variants = set(table["variant"])
    assert {"primary", "pressure lag 1 only", "Poisson instead of negative binomial",
            "EU designations alone as pressure", "US designations alone as pressure",
            "UK designations alone as pressure", "panel: other rule"} <= variants
    assert any(v.startswith("without ") for v in variants)
    assert (table.groupby("hypothesis")["variant"].first() == "primary").all()
    assert table["hypothesis"].isin(HYPOTHESES).all()


def test_simulated_panels_follow_the_contract():
    panel = simulate_panel(seed=0)
    assert list(panel.columns) == list(PANEL_COLUMNS)
    assert len(panel) == 67 and panel["month"].iloc[0] == pd.Timestamp("2020-09-01")
    assert str(panel["recognized"].dtype) == "Int64"
    assert (panel["released_min"] <= panel["released"]).all()
    assert (panel["released"] <= panel["released_all"]).all()
    assert set(panel.loc[panel["relief_steps"] > 0, "month"]) <= set(RELIEF_MONTHS)
    pd.testing.assert_frame_equal(panel, simulate_panel(seed=0))
    with pytest.raises(ValueError, match="unknown hypotheses"):
        simulate_panel(effect={"H9": 2.0})


# --- proof on synthetic panels -------------------------------------------------------------

def simulate_verdicts(effect: dict[str, float], n_sims: int, stream: int) -> pd.DataFrame:
    tables = []
    for index in range(n_sims):
        table = run_claim_tests(simulate_panel(effect=effect, seed=[stream, index]),
                                seed=index, **FAST)
        tables.append(table.assign(simulation=index))
    return pd.concat(tables, ignore_index=True)


@pytest.fixture(scope="module")
def null_runs() -> pd.DataFrame:
    return simulate_verdicts({}, N_SIMS, stream=1)


@pytest.mark.slow
def test_false_positive_rate_stays_within_monte_carlo_error_of_alpha(null_runs):
    ceiling = monte_carlo_ceiling(ALPHA, N_SIMS)
    rejection = null_runs.groupby("hypothesis")["p_value"].apply(lambda p: (p < ALPHA).mean())
    familywise = null_runs.groupby("simulation")["verdict"].apply(
        lambda v: (v == "supports the claim").any()).mean()
    print(f"\nnull rejection at alpha {ALPHA}: {rejection.round(3).to_dict()}; "
          f"familywise 'supports': {familywise:.3f}; ceiling {ceiling:.3f}")
    assert (rejection <= ceiling).all(), rejection
    assert familywise <= ceiling


@pytest.mark.slow
def test_intervals_cover_the_null_at_about_the_nominal_rate(null_runs):
    truth = null_runs["hypothesis"].map({h.id: h.null for h in HYPOTHESES.values()})
    covers = (null_runs["ci_low"] <= truth) & (truth <= null_runs["ci_high"])
    coverage = covers.groupby(null_runs["hypothesis"]).mean()
    floor = 0.95 - 3 * math.sqrt(0.95 * 0.05 / N_SIMS)
    print(f"\ncoverage on null panels: {coverage.round(3).to_dict()} (floor {floor:.3f})")
    assert (coverage >= floor).all(), coverage


@pytest.mark.slow
@pytest.mark.parametrize("hypothesis", list(LARGE_EFFECTS))
def test_large_planted_effects_are_found_and_covered(hypothesis):
    planted = LARGE_EFFECTS[hypothesis]
    runs = by_hypothesis(simulate_verdicts({hypothesis: planted}, N_SIMS, stream=2)).loc[
        hypothesis]
    power = (runs["verdict"] == "supports the claim").mean()
    coverage = ((runs["ci_low"] <= planted) & (planted <= runs["ci_high"])).mean()
    print(f"\n{hypothesis} planted {planted}: power {power:.3f}, coverage {coverage:.3f}")
    assert power >= 0.8
    assert coverage >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / N_SIMS)


@pytest.mark.slow
@pytest.mark.parametrize("hypothesis", list(OPPOSITE_EFFECTS))
def test_opposite_effects_come_out_against_the_claim(hypothesis):
    runs = by_hypothesis(simulate_verdicts({hypothesis: OPPOSITE_EFFECTS[hypothesis]}, 100,
                                           stream=3)).loc[hypothesis]
    against = (runs["verdict"] == "against the claim").mean()
    supports = (runs["verdict"] == "supports the claim").mean()
    print(f"\n{hypothesis} planted {OPPOSITE_EFFECTS[hypothesis]}: against {against:.2f}")
    assert against >= 0.7
    assert supports == 0.0


@pytest.mark.slow
def test_power_table_finds_the_smallest_detected_effect_on_a_tiny_grid():
    table = power_table({"H4_revolving_door": (0.9, 0.8, 0.3), "H1_pressure": (1.0,)},
                        n_sims=20, n_permutations=199, n_bootstrap=199)
    rows = table.set_index("hypothesis")
    assert rows.at["H4_revolving_door", "smallest_effect_detected"] == 0.3
    assert rows.at["H4_revolving_door", "power_at_sesoi"] < 0.8
    assert math.isnan(rows.at["H1_pressure", "smallest_effect_detected"])
    assert {"scale", "effects_tried", "n_sims"} <= set(table.columns)
