"""Event studies of releases with randomisation inference (H2, and pressure as robustness).

With a handful of events, asymptotic tests are not trustworthy; instead the same number of
events is placed at random among the eligible months and the statistic recomputed. Drawing
from all eligible months (not only the months without events) makes the observed placement one
of the possible draws, so p = (1 + #draws at least as extreme) / (1 + draws) is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.claim.counts import event_indicator
from analysis.claim.spec import (
    DEAL_ERA_START,
    DEFAULT_SEED,
    HYPOTHESES,
    MIN_MONTHS,
    RELIEF_WINDOW,
    Result,
    month_mask,
    not_testable,
    validate_panel,
    values,
)

INFERENCES = ("random", "circular")
BISECTION_STEPS = 40


def windows(events: np.ndarray, offsets: Iterable[int]) -> np.ndarray:
    """Months within the window of an event: month t is in it if an event fell at t-offset.
    Works on one series or a stack of placebo series (last axis is time)."""
    n = events.shape[-1]
    inside = np.zeros_like(events, dtype=bool)
    for offset in offsets:
        if offset >= 0:
            inside[..., offset:] |= events[..., : n - offset]
        else:
            inside[..., : n + offset] |= events[..., -offset:]
    return inside


class WindowContrast:
    """Mean outcome inside windows minus outside, for the observed and placebo windows, under a
    hypothesised multiplicative effect r (window months divided by r): inverting the test over
    r gives the confidence interval for the ratio. Only usable months enter either mean."""

    def __init__(self, y: np.ndarray, observed: np.ndarray, placebo: np.ndarray,
                 usable: np.ndarray):
        self.y = np.where(usable, y, 0.0)
        self.observed = observed & usable
        self.control = ~observed & usable
        inside = placebo & usable
        outside = ~placebo & usable
        valid = inside.any(axis=1) & outside.any(axis=1)
        self.inside = inside[valid].astype(float)
        self.outside = outside[valid].astype(float)
        self.n_draws = int(valid.sum())
        self.scale = max(float(np.abs(self.y).max()), 1.0) * 1e-9

    def statistics(self, ratio: float) -> tuple[float, np.ndarray]:
        adjusted = np.where(self.observed, self.y / ratio, self.y)
        observed = adjusted[self.observed].mean() - adjusted[self.control].mean()
        placebo = (self.inside @ adjusted / self.inside.sum(axis=1)
                   - self.outside @ adjusted / self.outside.sum(axis=1))
        return observed, placebo

    def p_greater(self, ratio: float) -> float:
        """One-sided p against 'the ratio is at most `ratio`'."""
        observed, placebo = self.statistics(ratio)
        return (1 + np.sum(placebo >= observed - self.scale)) / (1 + self.n_draws)

    def p_less(self, ratio: float) -> float:
        observed, placebo = self.statistics(ratio)
        return (1 + np.sum(placebo <= observed + self.scale)) / (1 + self.n_draws)

    def bound(self, estimate: float, tail: str, level: float) -> float:
        """Confidence bound by bisection on log r between an accepted r (the estimate) and a
        rejected one found by doubling; 0 or inf when nothing is rejected."""
        p_of = self.p_greater if tail == "low" else self.p_less
        step = 0.5 if tail == "low" else 2.0
        accepted = candidate = estimate
        if p_of(accepted) <= level:
            return accepted
        for _ in range(60):
            candidate *= step
            if p_of(candidate) <= level:
                rejected = candidate
                break
            accepted = candidate
        else:
            return 0.0 if tail == "low" else np.inf
        for _ in range(BISECTION_STEPS):
            middle = np.sqrt(accepted * rejected)
            if p_of(middle) <= level:
                rejected = middle
            else:
                accepted = middle
        return float(np.sqrt(accepted * rejected))


def window_test(hypothesis: str, y: np.ndarray, events: np.ndarray, usable: np.ndarray,
                offsets: Sequence[int], *, n_permutations: int, rng: np.random.Generator,
                inference: str = "random", note: str = "") -> Result:
    """Ratio of mean outcome in event windows to other usable months, with randomisation
    p-value, CI by test inversion, and TOST against the hypothesis's smallest effect of interest.
    Arrays run over consecutive calendar months, so windows never bridge a dropped month;
    placebo events go to usable months only."""
    if inference not in INFERENCES:
        raise ValueError(f"inference must be one of {INFERENCES}")
    n = int(usable.sum())
    events = events & usable
    n_events = int(events.sum())
    observed = windows(events, offsets)
    if n < MIN_MONTHS:
        return not_testable(hypothesis, f"only {n} eligible months (need {MIN_MONTHS})", n)
    if n_events == 0:
        return not_testable(hypothesis, "no events among the eligible months", n)
    if not (usable & ~observed).any():
        return not_testable(hypothesis, "event windows cover every eligible month", n)
    if inference == "circular":
        placebo = np.stack([np.roll(events, shift) & usable for shift in range(1, len(y))])
    else:
        positions = np.flatnonzero(usable)
        order = rng.random((n_permutations, n)).argsort(axis=1)[:, :n_events]
        placebo = np.zeros((n_permutations, len(y)), dtype=bool)
        np.put_along_axis(placebo, positions[order], True, axis=1)
    contrast = WindowContrast(y, observed, windows(placebo, offsets), usable)
    if contrast.n_draws == 0:
        return not_testable(hypothesis, "no usable placebo placements", n)
    p_value = min(1.0, 2 * min(contrast.p_greater(1.0), contrast.p_less(1.0)))
    inside, outside = y[contrast.observed].mean(), y[contrast.control].mean()
    detail = (f"{n_events} event months, {int(contrast.observed.sum())} of {n} months in "
              f"windows, {inference} placements ({contrast.n_draws} draws)")
    note = f"{note}; {detail}" if note else detail
    if inside == 0 or outside == 0:
        estimate = 0.0 if inside == 0 else np.inf
        return Result(hypothesis, estimate, np.nan, np.nan, p_value, np.nan, n,
                      note + "; ratio at its limit, no interval")
    estimate = inside / outside
    low_bound, high_bound = HYPOTHESES[hypothesis].equivalence_bounds
    return Result(
        hypothesis=hypothesis, estimate=float(estimate),
        ci_low=contrast.bound(estimate, "low", 0.025),
        ci_high=contrast.bound(estimate, "high", 0.025),
        p_value=float(p_value),
        p_equivalence=float(max(contrast.p_greater(low_bound), contrast.p_less(high_bound))),
        n_months=n, note=note,
    )


def h2_leverage(panel: pd.DataFrame, *, events: Sequence[str] = ("relief_steps",),
                offsets: Sequence[int] = RELIEF_WINDOW,
                start: pd.Timestamp = DEAL_ERA_START, n_permutations: int = 10_000,
                seed: int | Sequence[int] = 0, inference: str = "random",
                hypothesis: str = "H2_leverage",
                exclude: Iterable[pd.Timestamp] = ()) -> Result:
    """Releases around event months against other eligible months (deal era by default: before
    it nobody was released, and including those months would credit any late event). Leaving
    out an event month drops its whole window, so its neighbours do not pass as quiet months."""
    in_range = (panel["month"] >= start).to_numpy()
    months = panel["month"][in_range].reset_index(drop=True)
    released = values(panel, "released")[in_range]
    happened = event_indicator(panel, events)[in_range]
    excluded = ~month_mask(months, exclude)
    excluded |= windows(excluded & (np.nan_to_num(happened) > 0), offsets)
    usable = ~excluded & ~np.isnan(released) & ~np.isnan(happened)
    offsets_text = ", ".join(f"{o:+d}" for o in offsets)
    note = f"{' or '.join(events)}, window offsets {offsets_text} months"
    return window_test(hypothesis, np.nan_to_num(released), np.nan_to_num(happened) > 0, usable,
                       offsets, n_permutations=n_permutations, rng=np.random.default_rng(seed),
                       inference=inference, note=note)


EVENT_STUDIES = {
    "releases around relief steps (t-1..t+1)":
        ("H2_leverage", ("relief_steps",), RELIEF_WINDOW),
    "releases after sanctions packages (t+1..t+3)":
        ("H1_pressure", ("sanctions_packages",), (1, 2, 3)),
    "releases around relief or engagement steps (t-1..t+1)":
        ("H2_leverage", ("relief_steps", "engagement_steps"), RELIEF_WINDOW),
}


def event_studies(panel: pd.DataFrame, *, n_permutations: int = 10_000,
                  seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The deal-era event studies side by side, for the notebook: ratio of mean releases in
    event windows to other months, randomisation p-value (raw, not Holm-adjusted: only the
    relief row is a primary test, H2, and matches `test_claim` with the same seed and draws)
    and CI by test inversion."""
    panel = validate_panel(panel)
    rows = []
    for study, (hypothesis, events, offsets) in EVENT_STUDIES.items():
        result = h2_leverage(panel, events=events, offsets=offsets, hypothesis=hypothesis,
                             n_permutations=n_permutations, seed=[seed, 2])
        rows.append({"study": study, "estimate": result.estimate, "ci_low": result.ci_low,
                     "ci_high": result.ci_high, "p_value": result.p_value,
                     "n_months": result.n_months,
                     "note": result.note if result.reason is None
                     else f"not testable: {result.reason}"})
    return pd.DataFrame(rows)
