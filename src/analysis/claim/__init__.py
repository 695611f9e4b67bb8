"""Tests of the claim that "sanctions work", as specified in docs/hypotheses.md (second edition).

``test_claim()`` is the verdict table; ``claim_data`` turns the panel and the stock-flow model's
draws into the tests' inputs; ``power_table`` and ``power_summary`` give each test's verdict
rates on simulated panels of the real shape; ``robustness`` reruns the tests under the choices
the amendment fixed.
"""

from analysis.claim.data import ClaimData, claim_data
from analysis.claim.estimators import ESTIMATORS, family
from analysis.claim.report import test_claim
from analysis.claim.robust import robustness
from analysis.claim.simulate import power_summary, power_table, simulated_data
from analysis.claim.spec import HYPOTHESES, NULL_EFFECTS, VERDICTS, hypotheses, validate_panel

__all__ = [
    "ESTIMATORS", "HYPOTHESES", "NULL_EFFECTS", "VERDICTS", "ClaimData", "claim_data", "family",
    "hypotheses", "power_summary", "power_table", "robustness", "simulated_data", "test_claim",
    "validate_panel",
]
