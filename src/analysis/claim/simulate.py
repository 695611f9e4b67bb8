"""Synthetic panels with planted effects, for power analysis and calibration of the claim tests.

`simulate_panel` mimics the real panel's columns, timeline and event pattern (frequent sanctions
packages in 2020-22, sparse later; releases from July 2024; relief steps in the months the public
record has them, so that power is for the design at hand; recognitions falling from ~120 a
month; a stock rising to ~1,400 by mid-2022 then drifting down slowly). Series are
simulated independently apart from the planted effects, so it is a tool for asking "would the
tests find an effect of this size?", not a model of the regime. Noise levels are stated
assumptions (constants below); power depends on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.claim.inference import claim_side
from analysis.claim.report import test_claim
from analysis.claim.spec import (
    DEAL_ERA_START,
    HYPOTHESES,
    NULL_EFFECTS,
    PRESSURE_LAGS,
    RELIEF_WINDOW,
    any_in_window,
)

SIMULATION_START = pd.Timestamp("2020-09-01")
RELEASE_DISPERSION = 0.3
RECOGNITION_DISPERSION = 0.15
STOCK_NOISE_SD = 20.0
STOCK_NOISE_AR = 0.3
SHARE_OBSERVED = 0.7
RELIEF_MONTHS = pd.DatetimeIndex(["2024-12-01", "2025-09-01", "2025-11-01", "2025-12-01",
                                  "2026-03-01"])
DEFAULT_POWER_GRID: dict[str, tuple[float, ...]] = {
    "H1_pressure": (1.5, 2.0, 3.0, 4.0, 6.0),
    "H2_leverage": (1.5, 2.0, 3.0, 4.0, 6.0),
    "H3_stock": (-10.0, -20.0, -30.0, -40.0, -50.0),
    "H4_revolving_door": (0.8, 0.6, 0.4, 0.2),
    "H5_recognition_slowdown": (0.8, 0.6, 0.4, 0.2),
}


def negative_binomial(mean: np.ndarray, dispersion: float, rng: np.random.Generator
                      ) -> np.ndarray:
    """NB2 counts (variance mean + dispersion * mean^2) as a gamma-Poisson mixture."""
    shape = 1.0 / dispersion
    rate = rng.gamma(shape, np.where(mean > 0, mean / shape, 0.0))
    return rng.poisson(rate)


def planted(effect: Mapping[str, float] | None) -> dict[str, float]:
    effects = dict(NULL_EFFECTS)
    unknown = set(effect or {}) - set(effects)
    if unknown:
        raise ValueError(f"unknown hypotheses in effect: {sorted(unknown)}")
    effects.update(effect or {})
    for hypothesis, value in effects.items():
        if HYPOTHESES[hypothesis].multiplicative and not value > 0:
            raise ValueError(f"{hypothesis} effect is a ratio and must be positive")
    return effects


def simulate_panel(n_months: int = 67, effect: Mapping[str, float] | None = None, *,
                   seed: int | Sequence[int] = 0) -> pd.DataFrame:
    """A panel of `n_months` from September 2020 with effects planted on each hypothesis's own
    scale (see `HYPOTHESES[...].scale`): H1 and H2 multiply deal-era releases in months after a
    package / around relief; H3 adds persons per month to the stock's change from July 2024;
    H4 sets expected deal-era recognitions per release; H5 multiplies deal-era recognitions.
    Hypotheses not named get their null value. Meant for power analysis and calibration
    (`power_curve`, `power_table`, the tests), never as data."""
    if n_months < 1:
        raise ValueError("n_months must be positive")
    effects = planted(effect)
    rng = np.random.default_rng(seed)
    months = pd.Series(pd.date_range(SIMULATION_START, periods=n_months, freq="MS"))
    years = ((months - SIMULATION_START).dt.days / 365.25).to_numpy()
    deal = (months >= DEAL_ERA_START).to_numpy()
    early = (months < pd.Timestamp("2023-01-01")).to_numpy()

    packages = rng.binomial(1, np.where(early, 0.5, 0.2)) * (1 + rng.binomial(1, 0.3, n_months))
    designations = {
        column: np.where(packages > 0, rng.binomial(1, 0.6, n_months) * rng.poisson(20, n_months),
                         rng.binomial(1, 0.05, n_months) * rng.poisson(5, n_months))
        for column in ("designations_eu", "designations_us", "designations_uk")
    }
    relief = months.isin(RELIEF_MONTHS).to_numpy().astype(int)
    engagement = np.where((months >= pd.Timestamp("2024-06-01")).to_numpy(),
                          rng.binomial(1, 0.3, n_months), 0)

    recognition_mean = 120 * np.exp(-0.3 * years) * np.where(
        deal, effects["H5_recognition_slowdown"], 1.0)
    recognized = negative_binomial(recognition_mean, RECOGNITION_DISPERSION, rng).astype(float)
    gap = ((months >= pd.Timestamp("2022-05-01")) & (months <= pd.Timestamp("2022-07-01")))
    recognized[gap.to_numpy() | (rng.random(n_months) < 0.1)] = np.nan
    qualifier = rng.choice(["exact", "approx", "lower_bound"], size=n_months, p=[0.75, 0.15, 0.1])

    after_package = np.nan_to_num(any_in_window(packages.astype(float),
                                                [-lag for lag in PRESSURE_LAGS]))
    around_relief = np.nan_to_num(any_in_window(relief.astype(float), RELIEF_WINDOW))
    multiplier = (effects["H1_pressure"] ** after_package
                  * effects["H2_leverage"] ** around_relief)
    baseline = (recognition_mean[deal].sum()
                / (effects["H4_revolving_door"] * multiplier[deal].sum())) if deal.any() else 0.0
    released = np.where(deal, negative_binomial(baseline * multiplier, RELEASE_DISPERSION, rng),
                        rng.binomial(1, 0.05, n_months) * rng.integers(3, 10, n_months))

    drift = np.select([(months < pd.Timestamp("2021-07-01")).to_numpy(),
                       (months < pd.Timestamp("2022-07-01")).to_numpy()], [100.0, 30.0], -2.0)
    drift = drift + np.where(deal, effects["H3_stock"], 0.0)
    shocks = rng.normal(0, STOCK_NOISE_SD, n_months)
    noise = np.zeros(n_months)
    for t in range(1, n_months):
        noise[t] = STOCK_NOISE_AR * noise[t - 1] + shocks[t]
    stock = np.maximum(74 + np.concatenate([[0.0], np.cumsum(drift[1:] + noise[1:])]), 0)
    observed = rng.random(n_months) < SHARE_OBSERVED
    observed[[0, -1]] = True
    positions = np.arange(n_months)
    held = np.interp(positions, positions[observed], stock[observed])

    batches = np.where(released > 0, 1 + (released > 60), 0)
    panel = pd.DataFrame({
        "month": months,
        "prisoners_held": np.round(held),
        "prisoners_held_observed": observed,
        "recognized": pd.array(recognized, dtype="Float64").round().astype("Int64"),
        "recognized_qualifier": pd.array(np.where(np.isnan(recognized), None, qualifier),
                                         dtype="string"),
        "released": released,
        "released_min": rng.binomial(released, 0.92),
        "released_all": released + rng.poisson(0.08 * released),
        "release_batches": batches,
        "largest_batch": np.where(batches == 2, np.ceil(0.6 * released), released),
        "deals_with_concession": ((released > 0) & (relief > 0)).astype(int),
        "relief_steps": relief,
        "engagement_steps": engagement,
        **designations,
        "sanctions_packages": packages,
    })
    count_columns = [c for c in panel.columns if c not in (
        "month", "prisoners_held", "prisoners_held_observed", "recognized",
        "recognized_qualifier")]
    panel[count_columns] = panel[count_columns].astype("Int64")
    panel.loc[panel.index[:4], "designations_uk"] = pd.NA
    return panel


def expected_verdict(hypothesis: str, value: float) -> str:
    """The verdict a planted effect should produce; at the null value, 'supports the claim' so
    that the rate reported there is the false-positive rate."""
    side = claim_side(HYPOTHESES[hypothesis], value)
    return "against the claim" if side < 0 else "supports the claim"


def power_curve(effects: Mapping[str, Sequence[float]] | None = None, *, n_sims: int = 200,
                n_months: int = 67, alpha: float = 0.05, n_permutations: int = 199,
                n_bootstrap: int = 499, seed: int = 0) -> pd.DataFrame:
    """Share of simulated panels, with one effect planted at a time, in which the full
    pre-registered procedure (all five tests, Holm) gives the verdict the planted effect implies.
    `power_se` is the Monte-Carlo standard error."""
    grid = DEFAULT_POWER_GRID if effects is None else effects
    rows = []
    for index, (hypothesis, grid_values) in enumerate(grid.items()):
        for value_index, value in enumerate(grid_values):
            wanted = expected_verdict(hypothesis, value)
            hits = 0
            for simulation in range(n_sims):
                panel = simulate_panel(n_months, {hypothesis: value},
                                       seed=[seed, index, value_index, simulation])
                table = test_claim(panel, alpha=alpha, n_permutations=n_permutations,
                                   n_bootstrap=n_bootstrap, seed=simulation)
                outcome = table.set_index("hypothesis").at[hypothesis, "verdict"]
                hits += outcome == wanted
            power = hits / n_sims
            rows.append({"hypothesis": hypothesis, "effect": value,
                         "expected_verdict": wanted, "power": power,
                         "power_se": float(np.sqrt(power * (1 - power) / n_sims)),
                         "n_sims": n_sims})
    return pd.DataFrame(rows)


def power_table(effects: Mapping[str, Sequence[float]] | None = None, *, n_sims: int = 200,
                target: float = 0.8, **options) -> pd.DataFrame:
    """Smallest planted effect (closest to the null, among those tried) that the procedure
    detects at least `target` of the time, per hypothesis, with power at the pre-registered
    smallest effect of interest where it was on the grid. Slow at the defaults (minutes):
    meant for the notebook; pass a small grid and `n_sims` to explore."""
    curve = power_curve(effects, n_sims=n_sims, **options)
    rows = []
    for hypothesis, group in curve.groupby("hypothesis", sort=False):
        spec = HYPOTHESES[hypothesis]
        distance = (np.abs(np.log(group["effect"])) if spec.multiplicative
                    else np.abs(group["effect"] - spec.null))
        ordered = group.assign(distance=distance.to_numpy()).sort_values("distance")
        reached = ordered[ordered["power"] >= target]
        at_sesoi = ordered[np.isclose(ordered["distance"], abs(np.log(spec.smallest_effect))
                                      if spec.multiplicative else spec.smallest_effect)]
        rows.append({
            "hypothesis": hypothesis, "scale": spec.scale,
            "smallest_effect_detected": reached["effect"].iloc[0] if len(reached) else np.nan,
            "power_there": reached["power"].iloc[0] if len(reached) else np.nan,
            "power_at_sesoi": at_sesoi["power"].iloc[0] if len(at_sesoi) else np.nan,
            "effects_tried": ", ".join(f"{v:g}" for v in group["effect"]),
            "n_sims": n_sims, "target": target,
        })
    return pd.DataFrame(rows)
