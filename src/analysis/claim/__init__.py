"""Tests of the claim that "sanctions work", as specified in docs/hypotheses.md (third edition).

``test_claim()`` is the answer in three parts (accounting, effects, repression); ``claim_data``
turns the panel, the stock-flow model's draws and its no-deal counterfactual into the inputs;
``power_table`` gives each contrast's verdict rates on simulated panels of the real shape and
``answerability`` decides from them which contrasts may carry verdict words; ``robustness``
reruns the contrasts under the choices the editions fixed.
"""

from analysis.claim.accounting import exits_against_completions
from analysis.claim.data import ClaimData, claim_data, counterfactual_draws
from analysis.claim.estimators import ESTIMATORS, family
from analysis.claim.report import shipped_inputs, test_claim
from analysis.claim.robust import robustness
from analysis.claim.simulate import answerability, power_summary, power_table, simulated_data
from analysis.claim.spec import (
    DESCRIPTION,
    DESCRIPTIONS,
    HYPOTHESES,
    NOT_ANSWERABLE,
    NULL_EFFECTS,
    PARTS,
    VERDICT_WORDS,
    VERDICTS,
    hypotheses,
    validate_panel,
)

__all__ = [
    "DESCRIPTION", "DESCRIPTIONS", "ESTIMATORS", "HYPOTHESES", "NOT_ANSWERABLE", "NULL_EFFECTS",
    "PARTS", "VERDICTS", "VERDICT_WORDS", "ClaimData", "answerability", "claim_data",
    "counterfactual_draws", "exits_against_completions", "family", "hypotheses", "power_summary",
    "power_table", "robustness", "shipped_inputs", "simulated_data", "test_claim",
    "validate_panel",
]
