"""The verdict table: every hypothesis, Holm's correction over the family, the verdict rule of
the second edition, a sentence saying what each interval rules out, and each test's power on
panels of the real shape."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.claim.data import ClaimData, claim_data
from analysis.claim.estimators import ESTIMATORS
from analysis.claim.inference import holm, verdict
from analysis.claim.simulate import power_summary, power_table
from analysis.claim.spec import ALPHA, DEFAULT_SEED, HYPOTHESES, Hypothesis, Result
from analysis.store import load

VERDICT_COLUMNS = ["hypothesis", "question", "method", "estimate", "ci_low", "ci_high",
                   "p_value", "p_adjusted", "verdict", "reading", "rules_out", "power",
                   "false_positive_rate", "scale", "smallest_effect", "p_equivalence",
                   "p_equivalence_adjusted", "in_family", "n_months", "note"]

QUANTITIES = {
    "H1_pressure": ("political prisoners freed in deals in months 1-3 after a sanctions "
                    "package, compared with other deal-era months"),
    "H2_leverage": ("political prisoners freed in deals in months around a relief step, "
                    "compared with other deal-era months"),
    "H3_net_effect": ("the monthly change in the number held in the deal era, compared with "
                      "Jul 2023 - Jun 2024"),
    "H4_revolving_door": "political prisoners recognised per political prisoner freed in deals",
    "H5_recognition_slowdown": ("monthly recognitions in the deal era, compared with Jul 2023 "
                                "- Jun 2024"),
    "H6_additionality": ("monthly exits other than deals (end of sentence, death, transfer) in "
                         "the deal era, compared with Jul 2023 - Jun 2024"),
    "H7_refill": ("monthly recognitions in the three months after a relief step, compared with "
                  "other deal-era months"),
}


def _number(value: float, spec: Hypothesis) -> str:
    if not np.isfinite(value):
        return "n/a"
    if spec.multiplicative:
        return f"{value:.2f}"
    return f"{value:+.0f}"


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


def rules_out(spec: Hypothesis, result: Result) -> str:
    """One plain sentence: which values the 95% interval excludes, and so whether it excludes
    no effect and effects as large as the smallest of interest on each side."""
    if result.reason is not None:
        return f"Rules out nothing: not testable with these data ({result.reason})."
    low, high = result.ci_low, result.ci_high
    unit = "" if spec.multiplicative else " a month"
    lower, upper = spec.equivalence_bounds
    claim_edge, other_edge = (upper, lower) if spec.claim_sign > 0 else (lower, upper)

    def does(excluded: bool) -> str:
        return "rules out" if excluded else "does not rule out"

    def beyond(edge: float) -> str:
        return f"{_number(edge, spec)}{unit} or {'more' if edge > spec.null else 'less'}"

    return (f"The 95% interval rules out values below {_number(low, spec)} and above "
            f"{_number(high, spec)}{unit}: it {does(not low <= spec.null <= high)} no effect, "
            f"{does(_beyond_excluded(claim_edge, low, high, spec.null))} an effect of "
            f"{beyond(claim_edge)} on the claim's side, and "
            f"{does(_beyond_excluded(other_edge, low, high, spec.null))} one of "
            f"{beyond(other_edge)} on the other side.")


def _beyond_excluded(edge: float, low: float, high: float, null: float) -> bool:
    """Whether the interval excludes every value at or beyond ``edge`` (seen from the null)."""
    return high < edge if edge > null else low > edge


READING_BY_BRANCH = {
    "claim_side_significant": "The data support the claim on this count.",
    "opposite_side_significant": "The data go against the claim on this count.",
    "equivalent": "Effects as large as the smallest of interest are ruled out.",
    "smaller_than_sesoi": ("The effect is on the claim's side but smaller than the smallest "
                           "effect of interest, so it does not count as support."),
    "not_significant": "The data cannot tell this apart from no effect.",
    "not_testable": "No verdict either way.",
}


def reading(spec: Hypothesis, result: Result, p_adjusted: float, branch: str) -> str:
    """The interval first, then the point estimate, then what follows: a briefing never states a
    bare estimate whose interval is wide."""
    if result.reason is not None:
        return f"Not testable with these data: {result.reason}. No verdict either way."
    unit = "" if spec.multiplicative else " a month"
    what = QUANTITIES[spec.id]
    estimate = (f"95% interval {_number(result.ci_low, spec)} to "
                f"{_number(result.ci_high, spec)}{unit} (estimate "
                f"{_number(result.estimate, spec)}; Holm-adjusted {p_text(p_adjusted)}; "
                f"{result.n_months} months)")
    return f"For {what}: {estimate}. {READING_BY_BRANCH[branch]}"


def verdict_table(results: list[Result], *, alpha: float = ALPHA,
                  power: pd.DataFrame | None = None) -> pd.DataFrame:
    """Holm's correction over the identified family members and the verdict rule."""
    in_family = np.array([HYPOTHESES[r.hypothesis].in_family and r.reason is None
                          for r in results])
    p = np.array([r.p_value if member else np.nan for r, member in zip(results, in_family,
                                                                     strict=True)])
    p_eq = np.array([r.p_equivalence if member else np.nan
                     for r, member in zip(results, in_family, strict=True)])
    p_adjusted, p_eq_adjusted = holm(p), holm(p_eq)
    power = (power.set_index("hypothesis") if power is not None
             else pd.DataFrame(columns=["power", "false_positive_rate"]))
    rows = []
    for result, member, p_adj, p_eq_adj in zip(results, in_family, p_adjusted, p_eq_adjusted,
                                               strict=True):
        spec = HYPOTHESES[result.hypothesis]
        outcome, branch = (verdict(spec, result.estimate, p_adj, p_eq_adj, alpha) if member
                           else ("not testable with these data", "not_testable"))
        rows.append({
            "hypothesis": spec.id, "question": spec.question, "method": spec.method,
            "estimate": result.estimate, "ci_low": result.ci_low, "ci_high": result.ci_high,
            "p_value": result.p_value, "p_adjusted": p_adj, "verdict": outcome,
            "reading": reading(spec, result, p_adj, branch),
            "rules_out": rules_out(spec, result),
            "power": power["power"].get(spec.id, np.nan),
            "false_positive_rate": power["false_positive_rate"].get(spec.id, np.nan),
            "scale": spec.scale, "smallest_effect": spec.smallest_effect,
            "p_equivalence": result.p_equivalence, "p_equivalence_adjusted": p_eq_adj,
            "in_family": bool(member), "n_months": result.n_months,
            "note": result.reason if result.reason is not None else result.note,
        })
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def primary_results(data: ClaimData) -> list[Result]:
    return [estimator(data) for estimator in ESTIMATORS.values()]


def test_claim(panel: pd.DataFrame | None = None, *, draws: pd.DataFrame | None = None,
               alpha: float = ALPHA, power_runs: int = 200, seed: int = DEFAULT_SEED,
               power: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per hypothesis of docs/hypotheses.md (second edition): estimate and 95% interval,
    raw and Holm-adjusted p, verdict, a reading that leads with the interval, what the interval
    rules out, and the test's power and false-positive rate on simulated panels of the real
    shape (``power_runs`` panels per planted effect; 0 skips them; a ``power_summary`` given as
    ``power`` is used as it is).

    With no arguments it reads the shipped ``panel_monthly`` and the stock-flow model's
    ``flows_draws``. A panel given without ``draws`` is tested on its model columns as a single
    series (no model uncertainty). A panel without stock figures gets *not testable with these
    data* for every hypothesis.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if panel is None:
        panel = load("panel_monthly")
        draws = load("flows_draws") if draws is None else draws
    data = claim_data(panel, draws)
    if not data.has_stock:
        reason = "the panel has no figures of the number held"
        return verdict_table([Result(h, reason=reason) for h in HYPOTHESES], alpha=alpha)
    results = primary_results(data)
    if power is None and power_runs and data.n_draws >= 20:
        power = power_summary(power_table(data, runs=power_runs, seed=seed))
    return verdict_table(results, alpha=alpha, power=power)


test_claim.__test__ = False
