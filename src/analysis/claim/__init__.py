"""Tests of the claim that "sanctions work", as pre-registered in docs/hypotheses.md.

`test_claim(panel)` is the verdict table; `robustness`, `count_models`, `event_studies`,
`segmented_regression` and `revolving_door` give the detail behind it; `simulate_panel`,
`power_curve` and `power_table` describe the procedure on synthetic panels with planted effects.
"""

from analysis.claim.counts import count_models
from analysis.claim.events import event_studies
from analysis.claim.report import test_claim
from analysis.claim.revolving import revolving_door
from analysis.claim.robust import robustness
from analysis.claim.simulate import power_curve, power_table, simulate_panel
from analysis.claim.spec import HYPOTHESES, NULL_EFFECTS, validate_panel
from analysis.claim.stock import segmented_regression

__all__ = [
    "HYPOTHESES", "NULL_EFFECTS", "count_models", "event_studies", "power_curve", "power_table",
    "revolving_door", "robustness", "segmented_regression", "simulate_panel", "test_claim",
    "validate_panel",
]
