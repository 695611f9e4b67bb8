"""The answer in three parts (docs/hypotheses.md, third edition): accounting rows with no verdict
words, the effects against the no-deal counterfactual and repression's response, each contrast
with verdict words only if simulated panels of the real shape showed it can reach them; Holm's
correction over those; a sentence saying what each interval rules out; and each verdict's power
at the SESOI."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.claim.accounting import Described, accounting, additionality
from analysis.claim.data import (
    ClaimData,
    additionality_totals,
    claim_data,
    counterfactual_draws,
)
from analysis.claim.estimators import ESTIMATORS
from analysis.claim.inference import holm, verdict
from analysis.claim.simulate import answerability, power_table
from analysis.claim.spec import (
    ALPHA,
    DEFAULT_SEED,
    DESCRIPTION,
    DESCRIPTIONS,
    HYPOTHESES,
    NEEDED_MULTIPLES,
    NOT_ANSWERABLE,
    ORDER,
    POWER_RUNS,
    Hypothesis,
    Result,
)
from analysis.store import load

VERDICT_COLUMNS = ["part", "hypothesis", "verdict", "estimate", "ci_low", "ci_high",
                   "rules_out", "power", "answerable", "question", "method", "reading",
                   "p_value", "p_adjusted", "power_supports", "power_against",
                   "false_positive_rate", "needed_multiple", "on_figures", "scale",
                   "smallest_effect", "p_equivalence", "p_equivalence_adjusted", "in_family",
                   "n_months", "note"]

QUANTITIES = {
    "H1_pressure": ("political prisoners freed in deals in months 1-3 after a sanctions "
                    "package, compared with other deal-era months"),
    "H3_net_effect": ("the deals' effect on the number held at the model's last month, against "
                      "the no-deal counterfactual"),
    "H5_recognition_slowdown": ("monthly recognitions from Sep 2025 (US relief), compared with "
                                "Jul 2023 - Aug 2025"),
    "H6_additionality": ("monthly exits other than batches beyond the expected sentence "
                         "completions in the deal era, compared with Jul 2023 - Jun 2024"),
    "H7_refill": ("monthly recognitions in the three months after a relief step, compared with "
                  "other deal-era months, where a recognition figure exists"),
}


def _number(value: float, spec: Hypothesis) -> str:
    if not np.isfinite(value):
        return "n/a"
    if spec.multiplicative:
        return f"{value:.2f}"
    return f"{value:+,.0f}"


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


def rules_out(spec: Hypothesis, result: Result) -> str:
    """One plain sentence: which values the 95% interval excludes, and so whether it excludes
    no effect and effects as large as the smallest of interest on each side."""
    if result.reason is not None:
        return f"Rules out nothing: {NOT_ANSWERABLE} ({result.reason})."
    low, high = result.ci_low, result.ci_high
    unit = spec.unit
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


def needed_text(spec: Hypothesis, decision: pd.Series | None) -> str:
    """Why a contrast is not answerable, and the effect size it would have needed."""
    if decision is None:
        return "no simulated panels were run for it"
    shares = (f"at twice its smallest effect of interest ({2 * spec.smallest_effect:,.0f}"
              f"{spec.unit}) simulated panels of the real shape do not reach each verdict at "
              "least half the time")
    multiple = decision["needed_multiple"]
    if np.isfinite(multiple):
        return (f"{shares}; it would have needed an effect of about {multiple:g} times it "
                f"({multiple * spec.smallest_effect:,.0f}{spec.unit})")
    return (f"{shares}; it would have needed an effect of more than {max(NEEDED_MULTIPLES):g} "
            f"times it (over {max(NEEDED_MULTIPLES) * spec.smallest_effect:,.0f}{spec.unit})")


READING_BY_BRANCH = {
    "claim_side_significant": "The data support the claim on this count.",
    "opposite_side_significant": "The data go against the claim on this count.",
    "equivalent": "Effects as large as the smallest of interest are ruled out.",
    "smaller_than_sesoi": ("The effect is on the claim's side but smaller than the smallest "
                           "effect of interest, so it does not count as support."),
    "not_significant": "The data cannot tell this apart from no effect.",
}


def reading(spec: Hypothesis, result: Result, p_adjusted: float, branch: str | None) -> str:
    """The interval first, then the point estimate, then what follows: a briefing never states a
    bare estimate whose interval is wide."""
    if result.reason is not None:
        return f"Not answerable with these data: {result.reason}."
    unit = spec.unit
    p = f"Holm-adjusted {p_text(p_adjusted)}" if np.isfinite(p_adjusted) else p_text(
        result.p_value) + ", no Holm slot"
    estimate = (f"95% interval {_number(result.ci_low, spec)} to "
                f"{_number(result.ci_high, spec)}{unit} (estimate "
                f"{_number(result.estimate, spec)}; {p}; {result.n_months} months)")
    ending = READING_BY_BRANCH[branch] if branch else (
        "Not answerable with these data, so no verdict.")
    return f"For {QUANTITIES[spec.id]}: {estimate}. {ending}"


def described_row(item: Described) -> dict:
    """An accounting row or a description: a quantity and its interval, no verdict words."""
    spec = DESCRIPTIONS[item.hypothesis]
    ratio = spec.scale.startswith("recognised per")
    number = (lambda v: f"{v:.2f}") if ratio else (lambda v: f"{v:+,.0f}" if spec.scale in (
        "persons held", "persons per month") else f"{v:,.0f}")
    unit = "" if ratio else " a month" if spec.scale == "persons per month" else " persons"
    if np.isfinite(item.ci_low):
        figures = (f"; {100 * item.on_figures:.0f}% of it rests on figures, the rest on the "
                   "model" if np.isfinite(item.on_figures) else "")
        text = (f"95% interval {number(item.ci_low)} to {number(item.ci_high)}{unit} (estimate "
                f"{number(item.estimate)}){figures}.")
    else:
        text = f"No estimate: {item.note}."
    return {
        "part": spec.part, "hypothesis": spec.id, "verdict": DESCRIPTION,
        "estimate": item.estimate, "ci_low": item.ci_low, "ci_high": item.ci_high,
        "rules_out": f"A description, with no verdict: {text}", "power": "",
        "answerable": pd.NA, "question": spec.question, "method": spec.method,
        "reading": f"{spec.question} {text}", "p_value": np.nan, "p_adjusted": np.nan,
        "power_supports": np.nan, "power_against": np.nan, "false_positive_rate": np.nan,
        "needed_multiple": np.nan, "on_figures": item.on_figures, "scale": spec.scale,
        "smallest_effect": np.nan, "p_equivalence": np.nan, "p_equivalence_adjusted": np.nan,
        "in_family": False, "n_months": item.n_months, "note": item.note,
    }


def power_words(spec: Hypothesis, decision: pd.Series | None) -> str:
    """'supports 7%, against 6%': each verdict's chance of firing at the SESOI."""
    if decision is None or not np.isfinite(decision["power_supports"]):
        return ""
    supports, against = decision["power_supports"], decision["power_against"]
    return (f"supports {100 * supports:.0f}%" + (" (at no effect)" if spec.equivalence_supports
                                                 else "")
            + f", against {100 * against:.0f}%")


def verdict_table(results: list[Result], described: list[Described], *, alpha: float = ALPHA,
                  decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Holm's correction over the answerable, identified contrasts and the verdict rule; every
    other contrast is not answerable, every description carries no verdict."""
    decisions = (decisions.set_index("hypothesis") if decisions is not None and len(decisions)
                 else pd.DataFrame(columns=["answerable"]))
    answerable = np.array([r.reason is None and r.hypothesis in decisions.index
                           and bool(decisions.loc[r.hypothesis, "answerable"])
                           for r in results])
    p = np.array([r.p_value if ok else np.nan for r, ok in zip(results, answerable,
                                                               strict=True)])
    p_eq = np.array([r.p_equivalence if ok else np.nan
                     for r, ok in zip(results, answerable, strict=True)])
    p_adjusted, p_eq_adjusted = holm(p), holm(p_eq)
    rows = {item.hypothesis: described_row(item) for item in described}
    for result, ok, p_adj, p_eq_adj in zip(results, answerable, p_adjusted, p_eq_adjusted,
                                           strict=True):
        spec = HYPOTHESES[result.hypothesis]
        decision = decisions.loc[spec.id] if spec.id in decisions.index else None
        if ok:
            outcome, branch = verdict(spec, result.estimate, p_adj, p_eq_adj, alpha)
            said = rules_out(spec, result)
        else:
            outcome, branch = NOT_ANSWERABLE, None
            said = (rules_out(spec, result) if result.reason is not None else
                    f"Not answerable with these data: {needed_text(spec, decision)}. "
                    + rules_out(spec, result))
        rows[spec.id] = {
            "part": spec.part, "hypothesis": spec.id, "verdict": outcome,
            "estimate": result.estimate, "ci_low": result.ci_low, "ci_high": result.ci_high,
            "rules_out": said, "power": power_words(spec, decision),
            "answerable": bool(ok), "question": spec.question, "method": spec.method,
            "reading": reading(spec, result, p_adj, branch), "p_value": result.p_value,
            "p_adjusted": p_adj,
            **{column: (decision[column] if decision is not None else np.nan)
               for column in ("power_supports", "power_against", "false_positive_rate",
                              "needed_multiple")},
            "on_figures": np.nan, "scale": spec.scale, "smallest_effect": spec.smallest_effect,
            "p_equivalence": result.p_equivalence, "p_equivalence_adjusted": p_eq_adj,
            "in_family": bool(ok), "n_months": result.n_months,
            "note": result.reason if result.reason is not None else result.note,
        }
    table = pd.DataFrame([rows[name] for name in ORDER if name in rows],
                         columns=VERDICT_COLUMNS)
    return table.astype({"answerable": "boolean"})


def primary_results(data: ClaimData) -> list[Result]:
    return [estimator(data) for estimator in ESTIMATORS.values()]


def test_claim(panel: pd.DataFrame | None = None, *, draws: pd.DataFrame | None = None,
               effects: pd.DataFrame | None = None,
               additionality_table: pd.DataFrame | None = None, alpha: float = ALPHA,
               power_runs: int = POWER_RUNS, seed: int = DEFAULT_SEED,
               power: pd.DataFrame | None = None) -> pd.DataFrame:
    """The answer of docs/hypotheses.md (third edition), one row per quantity in the order
    accounting, effects, repression: ``part``, ``hypothesis``, ``verdict`` (a verdict word only
    on an answerable contrast; "description" on accounting rows and descriptions), the estimate
    and its 95% interval, what the interval rules out, ``power`` (each verdict's chance at the
    SESOI) and ``answerable``, with details.

    ``power`` is a ``power_table`` already computed on these inputs (the build's
    ``claim_power``); without it, ``power_runs`` panels per planted effect are simulated here
    (0: none, so every contrast is not answerable). With no arguments it is the build's
    ``claim_verdicts``: this function on ``panel_monthly``, the model's ``flows_draws`` and the
    no-deal counterfactual (``effects``: ``claim.data.counterfactual_draws``;
    ``additionality_table``: ``claim.data.additionality_totals`` of ``deal_additionality``),
    with the build's ``claim_power``.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if panel is None:
        return load("claim_verdicts")
    return answer(claim_data(panel, draws, effects, additionality_table), alpha=alpha,
                  power_runs=power_runs, seed=seed, power=power)


def shipped_inputs() -> ClaimData:
    """The build's inputs to the answer, loaded: panel, model draws, counterfactual."""
    draws = load("flows_draws")
    return claim_data(load("panel_monthly"), draws,
                      counterfactual_draws(draws, load("release_events"), load("sentences")),
                      additionality_totals(load("deal_additionality")))


def answer(data: ClaimData, *, alpha: float = ALPHA, power_runs: int = POWER_RUNS,
           seed: int = DEFAULT_SEED, power: pd.DataFrame | None = None) -> pd.DataFrame:
    """``test_claim`` on inputs already gathered (``claim_data``), as the build calls it."""
    if not data.has_stock:
        reason = "the panel has no figures of the number held"
        return verdict_table([Result(h, reason=reason) for h in HYPOTHESES],
                             [Described(d, note=reason) for d in DESCRIPTIONS], alpha=alpha)
    results = primary_results(data)
    if power is None and power_runs and data.n_draws >= 20:
        power = power_table(data, runs=power_runs, seed=seed)
    decisions = answerability(power) if power is not None and len(power) else None
    described = accounting(data) + additionality(data)
    return verdict_table(results, described, alpha=alpha, decisions=decisions)


test_claim.__test__ = False
