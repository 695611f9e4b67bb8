"""The verdict table: all primary tests, Holm's correction, the pre-registered verdict rule, and
a sentence per hypothesis that an analyst can repeat with its uncertainty."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.claim.counts import h1_pressure, h5_recognition_slowdown
from analysis.claim.events import h2_leverage
from analysis.claim.inference import holm, verdict
from analysis.claim.revolving import h4_revolving_door
from analysis.claim.spec import DEFAULT_SEED, HYPOTHESES, Hypothesis, Result, validate_panel
from analysis.claim.stock import h3_stock

VERDICT_COLUMNS = ["hypothesis", "question", "method", "estimate", "ci_low", "ci_high",
                   "p_value", "p_adjusted", "verdict", "reading", "scale", "smallest_effect",
                   "p_equivalence", "p_equivalence_adjusted", "n_months", "note"]


def primary_results(panel: pd.DataFrame, *, n_permutations: int, n_bootstrap: int, seed: int,
                    exclude: Iterable[pd.Timestamp] = ()) -> list[Result]:
    """The five pre-registered primary specifications on a validated panel. Each randomised
    test gets its own stream derived from `seed`, so results do not depend on run order."""
    exclude = tuple(exclude)
    return [
        h1_pressure(panel, exclude=exclude),
        h2_leverage(panel, n_permutations=n_permutations, seed=[seed, 2], exclude=exclude),
        h3_stock(panel, exclude=exclude),
        h4_revolving_door(panel, n_bootstrap=n_bootstrap, seed=[seed, 4], exclude=exclude),
        h5_recognition_slowdown(panel, exclude=exclude),
    ]


def number(value: float, spec: Hypothesis) -> str:
    if not np.isfinite(value):
        return "unbounded" if value > 0 else "n/a"
    if spec.id == "H4_revolving_door":
        return f"{100 * value:.0f}"
    if spec.multiplicative:
        return f"{value:.2f}"
    return f"{value:+.0f}"


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


EFFECT_SENTENCES = {
    "H1_pressure": "In deal-era months 1-3 after a sanctions package, releases ran at {est} "
                   "times the rate of other months",
    "H2_leverage": "Months around relief steps saw {est} times the mean releases of other "
                   "deal-era months",
    "H3_stock": "From July 2024 the number held {direction} than in the two years before",
    "H4_revolving_door": "In the deal era {est} new political prisoners were recognised for "
                         "every 100 freed in release batches",
    "H5_recognition_slowdown": "Once the deals began, new recognitions ran at {est} times "
                               "their earlier trend",
}
SUPPORT_SENTENCES = {
    "H1_pressure": "This fits the pressure mechanism, though it shows timing, not cause.",
    "H2_leverage": "Releases came with relief: sanctions were traded, which shows their use "
                   "as a bargaining chip rather than that pressure changed behaviour.",
    "H3_stock": "The stock fell faster once the deals began; the data do not say why.",
    "H4_revolving_door": "Releases outpaced new recognitions, so the deals reduced the number "
                         "held.",
    "H5_recognition_slowdown": "New recognitions slowed beyond their trend, though this may "
                               "also reflect slower recognition rather than fewer arrests.",
}
OPPOSITE_SENTENCES = {
    "H1_pressure": "Releases were fewer, not more, after new sanctions.",
    "H2_leverage": "Releases were smaller, not larger, around relief steps.",
    "H3_stock": "The stock fell more slowly (or grew faster) once the deals began.",
    "H4_revolving_door": "More people were newly recognised than were freed in batches: a "
                         "revolving door.",
    "H5_recognition_slowdown": "New recognitions rose beyond their trend once the deals began.",
}
EQUIVALENCE_SENTENCES = {
    "H1_pressure": "Effects as large as a 1.5-fold rise or fall are ruled out.",
    "H2_leverage": "Differences as large as 1.5-fold either way are ruled out.",
    "H3_stock": "Changes as large as 10 persons a month either way are ruled out.",
    "H4_revolving_door": "Recognitions matched releases within 0.8 to 1.25 to one: new "
                         "political prisoners replaced those freed, a revolving door.",
    "H5_recognition_slowdown": "Recognitions went on at their earlier pace: changes as large "
                               "as 20-25% are ruled out.",
}


def reading(spec: Hypothesis, result: Result, p_adjusted: float, branch: str,
            alpha: float) -> str:
    """One or two sentences for a briefing. A raw p below α with a Holm-adjusted p above it
    gets its own sentence, so a reader who sees an interval excluding no effect is told why it
    still is not support."""
    if result.reason is not None:
        return f"Not testable on this panel: {result.reason}. No verdict either way."
    interval = ("no interval (ratio at its limit)" if not np.isfinite(result.ci_low)
                and not np.isfinite(result.ci_high) else
                f"95% {'interval' if spec.id == 'H4_revolving_door' else 'CI'} "
                f"{number(result.ci_low, spec)} to {number(result.ci_high, spec)}")
    size = f"{abs(result.estimate):.0f} persons a month"
    direction = (f"fell {size} faster" if result.estimate < 0
                 else f"fell {size} more slowly (or rose faster)")
    effect = (EFFECT_SENTENCES[spec.id].format(est=number(result.estimate, spec),
                                               direction=direction)
              + f" ({interval}; Holm-adjusted {p_text(p_adjusted)}; {result.n_months} months).")
    follow = {
        "claim_side_significant": SUPPORT_SENTENCES[spec.id],
        "opposite_side_significant": OPPOSITE_SENTENCES[spec.id],
        "equivalent": EQUIVALENCE_SENTENCES[spec.id],
        "smaller_than_sesoi": "The effect is on the claim's side but smaller than the smallest "
                              "effect of interest, so it does not count as support.",
        "not_significant": "The data cannot tell this apart from no effect.",
    }[branch]
    if branch == "not_significant" and result.p_value < alpha:
        follow = ("On its own this interval excludes no effect, but not once the five tests are "
                  "corrected for multiple testing (Holm), so it does not count as support.")
    return f"{effect} {follow}"


def verdict_table(results: list[Result], alpha: float) -> pd.DataFrame:
    """Apply Holm's correction and the verdict rule to a list of primary results."""
    p_adjusted = holm(np.array([r.p_value for r in results]))
    p_equivalence_adjusted = holm(np.array([r.p_equivalence for r in results]))
    rows = []
    for result, p_adj, p_eq_adj in zip(results, p_adjusted, p_equivalence_adjusted,
                                       strict=True):
        spec = HYPOTHESES[result.hypothesis]
        outcome, branch = verdict(spec, result.estimate, p_adj, p_eq_adj, alpha)
        rows.append({
            "hypothesis": spec.id, "question": spec.question, "method": spec.method,
            "estimate": result.estimate, "ci_low": result.ci_low, "ci_high": result.ci_high,
            "p_value": result.p_value, "p_adjusted": p_adj, "verdict": outcome,
            "reading": reading(spec, result, p_adj, branch, alpha), "scale": spec.scale,
            "smallest_effect": spec.smallest_effect, "p_equivalence": result.p_equivalence,
            "p_equivalence_adjusted": p_eq_adj, "n_months": result.n_months,
            "note": result.reason if result.reason is not None else result.note,
        })
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def test_claim(panel: pd.DataFrame, *, alpha: float = 0.05, n_permutations: int = 10_000,
               n_bootstrap: int = 10_000, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """One row per pre-registered hypothesis (docs/hypotheses.md) with estimate, 95% CI, raw and
    Holm-adjusted p, verdict and a plain-language reading. Tests that cannot run on the panel
    (no events of a type, too few months) come out `inconclusive` with the reason in `note`.

    Raises ValueError naming any missing panel columns or non-consecutive months.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if n_permutations < 1 or n_bootstrap < 1:
        raise ValueError("n_permutations and n_bootstrap must be positive")
    panel = validate_panel(panel)
    results = primary_results(panel, n_permutations=n_permutations, n_bootstrap=n_bootstrap,
                              seed=seed)
    return verdict_table(results, alpha)


test_claim.__test__ = False
