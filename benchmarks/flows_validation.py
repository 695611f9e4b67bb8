"""Validation of the stock–flow model (``analysis.derive.flows``) on the shipped inputs.

What the issue asks of the model, measured:

- coverage: synthetic series with known flows, observed through the same figures as the real
  data (the real design: same metrics, dates, qualifiers, observation errors and release
  batches), refitted; the share of months whose 95% interval holds the truth, per quantity;
- recovery: mean absolute error of the posterior mean against the known flows;
- leave-one-out: each interior day-dated exact count of the headline stock dropped in turn,
  predicted by the refitted model and by a straight line between the neighbouring exact
  counts that remain;
- convergence: split-R-hat over the two chains on the real inputs;
- fit time on the real inputs (best and median of five fits in this process).

``python benchmarks/flows_validation.py`` prints the figures and rewrites the section between
the markers in ``RESULTS.md`` (``run.py`` rewrites the file and then calls ``write_section``).
The same functions are what ``tests/test_flows.py`` asserts on, with fewer replications.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "RESULTS.md"
START_MARKER = "<!-- flows-validation -->"
END_MARKER = "<!-- /flows-validation -->"
QUANTITIES = ("stock", "recognized", "released_other", "released_deals")
VALIDATION_SETTINGS = {"sweeps": 400, "burn_in": 100}
"""Fewer sweeps than the shipped 700 for the many refits; a refit still keeps 600 draws."""


def real_inputs(country: str = "belarus") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped ``prisoner_counts`` and ``release_events`` of a country, cleaned as the
    build cleans them (the same frames ``analysis.load`` returns), without touching
    data/processed."""
    from analysis.sources.curated import clean_prisoner_counts, clean_release_events

    raw = REPO / "data" / "raw" / country
    return (clean_prisoner_counts(raw / "prisoner_counts.csv").rows,
            clean_release_events(raw / "release_events.csv").rows)


def country_design(country: str = "belarus"):
    """The model's design on a country's shipped inputs, as its build makes it (counting
    organisation, headline scope and first month from its ``country.yml``)."""
    from analysis import country as config
    from analysis.derive.flows import build_design
    from analysis.derive.resolve import resolution_rule

    return build_design(*real_inputs(country), resolution_rule(country),
                        config.headline_scope(country), start=config.model_start(country))


def settings(**changes):
    from analysis.derive.flows import SamplerSettings

    return replace(SamplerSettings(), **{**VALIDATION_SETTINGS, **changes})


def fit(design, sampler_settings):
    from threadpoolctl import threadpool_limits

    from analysis.derive.flows import sample

    with threadpool_limits(limits=1):
        return sample(design, sampler_settings)


def quantity_draws(flow_fit) -> dict[str, np.ndarray]:
    """Draws × months of the month-end stock and of each flow."""
    from analysis.derive.flows import FLOWS

    return {"stock": flow_fit.stock_draws(),
            **{flow: flow_fit.flow_draws(flow) for flow in FLOWS}}


# --- synthetic series with known flows -------------------------------------------------------

@dataclass
class Truth:
    """Known unknowns laid out as in the design, and the monthly series they imply."""

    vector: np.ndarray
    series: dict[str, np.ndarray]


def _smooth(values: np.ndarray, width: int = 3) -> np.ndarray:
    return pd.Series(values).rolling(width, center=True, min_periods=1).mean().to_numpy()


def make_truth(design, template, rng: np.random.Generator, wobble: float = 4.0) -> Truth:
    """A plausible history: recognitions and other exits are the real posterior means,
    smoothed, plus a random walk of ``wobble`` persons a month (a different one per
    replication), kept non-negative; each release batch's political count is drawn uniformly
    within its stated range; the start stock and counter starts are the real posterior
    means."""
    from analysis.derive.flows import FlowFit

    vector = template.draws.mean(axis=0).copy()
    for flow in ("recognized", "released_other"):
        part = design.slice_of(flow)
        walk = np.cumsum(rng.normal(0.0, wobble, design.n_months))
        vector[part] = np.maximum(_smooth(vector[part]) + walk - walk.mean(), 0.0)
    low = design.batches["political_low"].to_numpy()
    high = design.batches["political_high"].to_numpy()
    vector[design.batch_slice] = rng.uniform(low, high)
    known = FlowFit(design, vector[None, :], np.zeros((1, 2)), np.ones(len(design.observations)))
    return Truth(vector, {name: draws[0] for name, draws in quantity_draws(known).items()})


def bound_slack(design, template) -> np.ndarray:
    """How far each used bound of the real data sits from the real posterior mean (zero for
    point figures and for a bound the mean does not clear): a stated "at least 31 in January"
    against some 47 fitted is a partial count, not a near-exact one."""
    observations = design.observations
    used = (observations["use"] != "unused").to_numpy()
    fitted = design.matrix[used] @ template.draws.mean(axis=0)
    value = observations.loc[used, "value"].to_numpy()
    kind = observations.loc[used, "use"].to_numpy()
    return np.select([kind == "lower", kind == "upper"],
                     [np.maximum(fitted - value, 0.0), np.maximum(value - fitted, 0.0)], 0.0)


def observe(design, truth: Truth, rng: np.random.Generator, slack: np.ndarray | None = None):
    """The design with every used figure replaced by one generated from the truth under the
    observation model: a point figure is the truth plus normal error of its stated sd,
    rounded to whole persons; a lower (upper) bound is the truth less (plus) ``slack`` (the
    real bound's distance from the real fit; none by default, the hardest case) and the size
    of such an error, rounded down (up), so the bound holds as its qualifier says."""
    observations = design.observations.copy()
    used = (observations["use"] != "unused").to_numpy()
    exact = design.matrix[used] @ truth.vector
    error = rng.normal(0.0, observations.loc[used, "sd"].to_numpy())
    shift = np.abs(error) + (0.0 if slack is None else slack)
    kind = observations.loc[used, "use"].to_numpy()
    value = np.select([kind == "lower", kind == "upper"],
                      [np.floor(exact - shift), np.ceil(exact + shift)],
                      np.round(exact + error))
    observations.loc[used, "value"] = value
    return replace(design, observations=observations)


def informative_months(design) -> np.ndarray:
    """Months whose batch flow is uncertain a priori (some batch with a range, not a stated
    count): elsewhere ``released_deals`` is known exactly and its coverage is trivial."""
    from analysis.derive.flows import _batch_month_shares

    boxed = (design.batches["political_high"] > design.batches["political_low"]).to_numpy()
    return (_batch_month_shares(design)[:, boxed] > 0).any(axis=1)


def coverage_study(design, template, replications: int = 20, seed: int = 1,
                   sampler_settings=None, real_slack: bool = True) -> dict:
    """Coverage of the 95% intervals and error of the posterior means over months and
    replications, per quantity (``released_deals`` over months with an uncertain batch).
    ``real_slack``: bounds as far from the truth as the real ones are from the real fit;
    otherwise every bound within one error of the truth."""
    rng = np.random.default_rng(seed)
    slack = bound_slack(design, template) if real_slack else None
    sampler_settings = sampler_settings or settings()
    covered = {name: [] for name in QUANTITIES}
    errors = {name: [] for name in QUANTITIES}
    widths = {name: [] for name in QUANTITIES}
    deals_months = informative_months(design)
    for replication in range(replications):
        truth = make_truth(design, template, rng)
        result = fit(observe(design, truth, rng, slack),
                     replace(sampler_settings, seed=sampler_settings.seed + replication))
        for name, draws in quantity_draws(result).items():
            low, high = np.percentile(draws, [2.5, 97.5], axis=0)
            keep = deals_months if name == "released_deals" else slice(None)
            true = truth.series[name]
            covered[name].append(((low <= true + 1e-9) & (true <= high + 1e-9))[keep])
            errors[name].append(np.abs(draws.mean(axis=0) - truth.series[name])[keep])
            widths[name].append((high - low)[keep])
    return {
        "replications": replications,
        "months": design.n_months,
        "coverage": {name: float(np.mean(covered[name])) for name in QUANTITIES},
        "coverage_by_month": {name: np.mean(covered[name], axis=0) for name in QUANTITIES},
        "mae": {name: float(np.mean(errors[name])) for name in QUANTITIES},
        "mean_width": {name: float(np.mean(widths[name])) for name in QUANTITIES},
        "deals_months": int(deals_months.sum()),
    }


# --- leave-one-out against straight lines ----------------------------------------------------

def held_out_candidates(design) -> pd.DataFrame:
    """Interior day-dated exact point counts of the headline stock, in date order."""
    observations = design.observations
    points = observations[(observations["metric"] == "current_count")
                          & (observations["use"] == "point")
                          & (observations["qualifier"] == "exact")]
    points = points.sort_values("date_end", kind="stable")
    day_dated = points["date_start"] == points["date_end"]
    interior = (points["date_end"] > points["date_end"].min()) & (
        points["date_end"] < points["date_end"].max())
    return points[day_dated & interior]


def leave_one_out(design, sampler_settings=None) -> pd.DataFrame:
    """One row per held-out count: the model's prediction (posterior mean of the daily stock
    on its date, after a refit without it), its 95% interval, the straight line between the
    neighbouring exact point counts that remain, and the count."""
    from analysis.derive.flows import daily_draws

    sampler_settings = sampler_settings or settings()
    observations = design.observations
    anchors = observations[(observations["metric"] == "current_count")
                           & (observations["use"] == "point")
                           & (observations["qualifier"] == "exact")]
    rows = []
    for index, figure in held_out_candidates(design).iterrows():
        dropped = observations.copy()
        dropped.loc[index, "use"] = "unused"
        result = fit(replace(design, observations=dropped), sampler_settings)
        stock, _ = daily_draws(result)
        day = design.days.get_loc(figure["date_end"])
        others = anchors.drop(index)
        line = np.interp(figure["date_end"].value, others["date_end"].astype("int64"),
                         others["value"])
        noise = np.random.default_rng(0).normal(0.0, figure["sd"], len(stock))
        low, high = np.percentile(stock[:, day], [2.5, 97.5])
        predictive_low, predictive_high = np.percentile(stock[:, day] + noise, [2.5, 97.5])
        rows.append({"record_id": figure["record_id"], "date": figure["date_end"],
                     "count": figure["value"], "model": stock[:, day].mean(),
                     "model_low": low, "model_high": high,
                     "predictive_low": predictive_low, "predictive_high": predictive_high,
                     "straight_line": line})
    return pd.DataFrame(rows)


def summarise_loo(table: pd.DataFrame) -> dict:
    count = table["count"]
    return {
        "held_out": len(table),
        "mae_model": float((table["model"] - count).abs().mean()),
        "mae_straight_line": float((table["straight_line"] - count).abs().mean()),
        "median_model": float((table["model"] - count).abs().median()),
        "median_straight_line": float((table["straight_line"] - count).abs().median()),
        "model_better_share": float(((table["model"] - count).abs()
                                     < (table["straight_line"] - count).abs()).mean()),
        "inside_interval": float(((table["model_low"] <= count)
                                  & (count <= table["model_high"])).mean()),
        "inside_predictive": float(((table["predictive_low"] <= count)
                                    & (count <= table["predictive_high"])).mean()),
    }


# --- convergence -----------------------------------------------------------------------------

def split_rhat(draws: np.ndarray, chains: int) -> np.ndarray:
    """Split-R-hat (Gelman et al., BDA3 §11.4) per column of draws laid out chain after chain;
    NaN for a column that does not vary (a batch flow known exactly)."""
    per_chain = draws.reshape(chains, -1, draws.shape[1])
    half = per_chain.shape[1] // 2
    halves = np.concatenate([per_chain[:, :half], per_chain[:, half:2 * half]], axis=0)
    n = halves.shape[1]
    within = halves.var(axis=1, ddof=1).mean(axis=0)
    between = n * halves.mean(axis=1).var(axis=0, ddof=1)
    pooled = (n - 1) / n * within + between / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(within > 1e-12, np.sqrt(pooled / within), np.nan)


def convergence(flow_fit, chains: int) -> dict[str, float]:
    """The largest split-R-hat over months, per quantity."""
    return {name: float(np.nanmax(split_rhat(draws, chains)))
            for name, draws in quantity_draws(flow_fit).items()}


# --- fit time --------------------------------------------------------------------------------

def fit_times(counts: pd.DataFrame, releases: pd.DataFrame, runs: int = 5,
              first_month: pd.Timestamp | None = None) -> list[tuple[float, float]]:
    """Wall-clock and CPU seconds for ``fit_flows`` (design and sampler, shipped settings) on
    the real inputs. The fit runs on one thread, so CPU time is what it costs on an idle
    core; wall time exceeds it only by what other processes took from the shared cores."""
    from analysis.derive.flows import fit_flows

    times = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fit_flows(counts, releases, start=first_month)
        times.append((time.perf_counter() - start, time.process_time() - start_cpu))
    return times


# --- the report ------------------------------------------------------------------------------

COVERAGE_RANGE = {"stock": (0.88, 0.995), "recognized": (0.88, 0.995),
                  "released_other": (0.88, 0.995), "released_deals": (0.85, 1.0)}
"""What counts as about 95%: a few points either way is Monte Carlo noise over correlated
months; above 0.995 the intervals would be far wider than they need be."""
FULL_REPLICATIONS = 40
FIT_RUNS = 5
FIT_TARGET_SECONDS = 2.0


def measure() -> dict:
    """Every figure of the section, at full size: the shipped sampler settings for coverage,
    and 400 sweeps a chain for each of the 55 leave-one-out refits."""
    from analysis import country as config
    from analysis.derive.flows import SamplerSettings

    counts, releases = real_inputs()
    times = fit_times(counts, releases, FIT_RUNS, config.model_start())
    design = country_design()
    shipped = SamplerSettings()
    template = fit(design, shipped)
    return {
        "times": times,
        "rhat": convergence(template, shipped.chains),
        "rhat_long": convergence(fit(design, replace(shipped, sweeps=5 * shipped.sweeps)),
                                 shipped.chains),
        "coverage": coverage_study(design, template, FULL_REPLICATIONS, sampler_settings=shipped),
        "coverage_tight": coverage_study(design, template, FULL_REPLICATIONS // 2,
                                         sampler_settings=shipped, real_slack=False),
        "loo": leave_one_out(design, settings()),
        "months": design.months,
        "deals_months": informative_months(design),
        "shipped": shipped,
    }


def _worst_months(result: dict, months: pd.DatetimeIndex, name: str, deals_months) -> str:
    by_month = result["coverage_by_month"][name]
    labels = months[deals_months] if name == "released_deals" else months
    worst = np.argsort(by_month, kind="stable")[:3]
    return ", ".join(f"{labels[i]:%Y-%m} {by_month[i]:.2f}" for i in sorted(worst))


def section(figures: dict) -> list[str]:
    """The Markdown section, between its markers."""
    shipped = figures["shipped"]
    times = [wall for wall, _ in figures["times"]]
    cpu = [seconds for _, seconds in figures["times"]]
    loo = summarise_loo(figures["loo"])
    months, deals_months = figures["months"], figures["deals_months"]
    best = min(times)
    lines = [
        START_MARKER,
        "",
        "## Stock–flow model (`analysis.derive.flows`)",
        "",
        f"Written by `benchmarks/flows_validation.py` ({datetime.now(UTC):%Y-%m-%d %H:%M UTC}); "
        "what each figure means: `benchmarks/README.md`.",
        "",
        "| Measure | Value | Target | Result | Detail |",
        "|---|---|---|---|---|",
        f"| Fit on the shipped inputs (`fit_flows`: design and sampler) | {best:.2f} s | < 2 s | "
        f"{'PASS' if best < FIT_TARGET_SECONDS else 'FAIL'} | best of {len(times)} in one "
        f"process; median {statistics.median(times):.2f} s, worst {max(times):.2f} s; CPU "
        f"time best {min(cpu):.2f} s, median {statistics.median(cpu):.2f} s (one thread); "
        f"{shipped.chains} chains × {shipped.sweeps} sweeps |",
    ]
    for label, key in (("bounds as far from the truth as the real ones", "coverage"),
                       ("every bound within one error of the truth", "coverage_tight")):
        result = figures[key]
        for name in QUANTITIES:
            value = result["coverage"][name]
            low, high = COVERAGE_RANGE[name]
            scope = (f"{result['deals_months']} months with a batch of unstated political count"
                     if name == "released_deals" else f"{result['months']} months")
            lines.append(
                f"| Coverage of 95% intervals, synthetic, {label}: {name} | {value:.3f} | "
                f"{low:.2f}–{high:.3g} | {'PASS' if low <= value <= high else 'FAIL'} | "
                f"{result['replications']} replications × {scope}; mean absolute error "
                f"{result['mae'][name]:.1f}, mean interval width "
                f"{result['mean_width'][name]:.1f} persons; lowest months: "
                f"{_worst_months(result, months, name, deals_months)} |")
    lines += [
        f"| Leave-one-out, headline count: mean absolute error, model / straight lines | "
        f"{loo['mae_model']:.1f} / {loo['mae_straight_line']:.1f} | model lower | "
        f"{'PASS' if loo['mae_model'] < loo['mae_straight_line'] else 'FAIL'} | "
        f"{loo['held_out']} interior day-dated exact counts, each refitted without it "
        f"({VALIDATION_SETTINGS['sweeps']} sweeps); model closer for "
        f"{loo['model_better_share']:.0%}; count inside the model's 95% interval "
        f"{loo['inside_interval']:.0%}, inside it widened by the count's own error "
        f"{loo['inside_predictive']:.0%} |",
    ]
    for label, key, sweeps in (("shipped settings", "rhat", shipped.sweeps),
                               ("five times the sweeps", "rhat_long", 5 * shipped.sweeps)):
        rhat = figures[key]
        worst = max(rhat.values())
        lines.append(
            f"| Split-R-hat, worst month, {label} | {worst:.2f} | < 1.1 | "
            f"{'PASS' if worst < 1.1 else 'FAIL'} | {shipped.chains} chains × {sweeps} sweeps; "
            + ", ".join(f"{name} {value:.2f}" for name, value in rhat.items()) + " |")
    return [*lines, "", END_MARKER]


def write_section(figures: dict, path: Path = RESULTS) -> None:
    """Replace the section between the markers in ``RESULTS.md`` (append it if absent)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    block = "\n".join(section(figures))
    if START_MARKER in text and END_MARKER in text:
        before, rest = text.split(START_MARKER, 1)
        after = rest.split(END_MARKER, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def main() -> None:
    figures = measure()
    write_section(figures)
    print("\n".join(section(figures)))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
