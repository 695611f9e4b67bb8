"""The stock–flow model in NumPyro with flows that cannot be negative (issue 19), measured on
five countries. Not wired into the build: the Gibbs sampler of ``analysis.derive.flows`` still
makes the shipped series.

    pip install numpyro jax arviz        # not in the project's dependencies yet
    python benchmarks/flows_numpyro.py [--seeds N] [--skip M] [country ...]
    FLOWS_STEPS=laplace ...     # Laplace steps instead of Student-t (a variant)
    FLOWS_DENSE_MASS=1 ...      # a dense mass matrix (did not finish a Venezuela fit in 12 min)

Why this model. The Gibbs model's flows are Gaussian random walks without sign, which fails
twice: a wave (Venezuela's ~1,500 arrests after the 28 Jul 2024 election) costs a Gaussian
walk hundreds of nats, so one posterior mode drops the pre-election counts instead; and with
heavier-tailed steps, recognitions and other exits can jump together and cancel, exits can
exceed the number held, and the stock goes below zero. Here

- recognitions are ``exp`` of a random walk with Student-t (2 degrees of freedom) steps: never
  negative, and a wave can start in one month;
- other exits are a monthly hazard (``sigmoid`` of a random walk with the same steps) times
  those who could leave that month (held at its start, plus recognised, less freed in
  batches), so they never exceed those held and the stock never goes below zero through them;
- the release batches and the observation model are the shipped ones: each figure is one row
  of ``flows.build_design``'s matrix over ``[start stock, counter starts, recognised by month,
  other exits by month, batches]``, point figures Student-t (4 df), bounds by the t
  probability of their side, counters with unknown starts, each batch's political count
  uniform within its stated range. The flows and the stock are built inside the model
  (``lax.scan``) and multiplied by the matrix's columns.

A batch larger than those held that month would still push the stock below zero; the model
does not forbid it, and the run prints the lowest month-end stock drawn, so it would show.

Four chains from dispersed starts (``init_to_uniform`` on the unconstrained scale, the walks'
spreads starting at ``INIT_SPREAD``), ArviZ's rank-normalised R-hat and bulk and tail ESS per
quantity (month-end stock and the three flows), divergences, per seed. Arrays are padded to
one size for every country, so one compiled program serves all fits in a process
(``jit_model_args``).

Measured on 2026-12-03 (500 warm-up + 500 draws a chain, five seeds for Belarus and Cuba,
three for the others; ``docs/model.md``, "Towards a probabilistic-programming model", has the
table): Venezuela's two modes are gone (every chain puts about 207 held on 31 July 2024) and
no draw of the stock is below zero, but the model is not yet sound enough to replace the Gibbs
sampler. Where only the stock is counted, recognitions and other exits share a level that
nothing but the priors fixes, and NUTS crawls along it: worst R-hat 1.012–1.042 for Belarus
and Cuba, 1.04–1.16 for Venezuela, 1.24–2.24 for Myanmar and Nicaragua, with 56–187 s of CPU
a fit. ``exp`` of a Student-t step has no mean, so the stock in a month after the last figure
has none either (Cuba's and Myanmar's last month).
"""

from __future__ import annotations

import os
import time

# One XLA thread, set before JAX is imported: the arrays are small, a second thread only
# fights other processes for the two cores, and a fixed thread count keeps draws reproducible.
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                      "intra_op_parallelism_threads=1")

from dataclasses import dataclass  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import numpyro  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
import pandas as pd  # noqa: E402
from numpyro.infer import MCMC, NUTS, init_to_value  # noqa: E402

numpyro.enable_x64()

KIND = {"point": 0, "lower": 1, "upper": 2, "unused": 3}
TAIL_DEGREES = 4.0
"""Degrees of freedom of the figures' Student-t errors (``flows.TAIL_DEGREES``): four, whose
CDF has a closed form (``student_t4_cdf``)."""
STEP_DEGREES = 2.0
"""Degrees of freedom of the walks' Student-t steps: heavy enough that a wave of arrests (a
tenfold rise in one month) costs a few nats, not hundreds."""
LAPLACE_STEPS = os.environ.get("FLOWS_STEPS") == "laplace"
STEP_SPREAD_PRIOR = 0.5
"""Half-normal scale of each walk's step spread, on the log (logit) scale: a month-to-month
change of about 40% is a typical step."""
LEVEL_SD = 2.5
"""Prior sd of the first month's log-recognitions (around a hundredth of the largest figure)
and logit-hazard (around 3% a month): weak, about a factor of 12 either way."""
START_HAZARD = 0.03
INIT_SPREAD = 0.5
"""Where the walks' spreads start in every chain; each month's log-recognitions and
logit-hazard (around their centres), the start stock, counter starts and batch shares start
uniformly in (−2, 2) on the unconstrained scale, so chains start apart."""
STOCK_WALL = 5.0
"""A stock below zero (only a batch larger than those held can make one) costs a half-normal
penalty with this scale in persons."""


@dataclass(frozen=True)
class PaddedSizes:
    """Fixed array sizes, one for all countries, so that the compiled program is reused."""

    months: int
    counters: int
    batches: int
    figures: int

    @property
    def free(self) -> int:
        return 1 + self.counters + 2 * self.months


def _round_up(n: int, step: int) -> int:
    return max(step, -(-n // step) * step)


def padded_sizes(designs) -> PaddedSizes:
    used = [int((design.observations["use"] != "unused").sum()) for design in designs]
    return PaddedSizes(_round_up(max(d.n_months for d in designs), 24),
                       max(4, *(d.n_counters for d in designs)),
                       _round_up(max(len(d.batches) for d in designs), 16),
                       _round_up(max(used), 64))


def student_t4_cdf(z):
    """CDF of Student's t with four degrees of freedom, in closed form: JAX's general t CDF
    (an incomplete beta function) costs a hundred times more per gradient."""
    ratio = z / jnp.sqrt(1.0 + z**2 / 4.0)
    return 0.5 + 0.375 * ratio * (1.0 - ratio**2 / 12.0)


def _step_law(spread):
    """Student-t steps, or Laplace steps (``FLOWS_STEPS=laplace``), whose exponential has a
    mean: measured as a variant on 2026-12-03."""
    if LAPLACE_STEPS:
        return dist.Laplace(0.0, spread)
    return dist.StudentT(STEP_DEGREES, 0.0, spread)


def _walk(name: str, centre: float, step_mask):
    """A random walk with Student-t steps around ``centre``, written centred (each month's
    value is a parameter: the figures pin the months down, so NUTS moves freely in them);
    the padding months get a standard normal so that their density is proper."""
    spread = numpyro.sample(f"{name}_spread", dist.HalfNormal(STEP_SPREAD_PRIOR))
    walk = numpyro.sample(name, dist.ImproperUniform(
        dist.constraints.real, (), (step_mask.shape[0] + 1,)))
    steps = jnp.diff(walk)
    padding = 1.0 - jnp.concatenate([jnp.ones(1), step_mask])
    numpyro.factor(f"{name}_walk", dist.Normal(0.0, LEVEL_SD).log_prob(walk[0])
                   + jnp.sum(step_mask * _step_law(spread).log_prob(steps))
                   + jnp.sum(padding * dist.Normal(0.0, 1.0).log_prob(walk)))
    return centre + walk


def stock_flow_model(data: dict):
    """The joint density of the unknowns and the figures. ``data`` holds the padded design:
    ``matrix`` (figures × [start, counters, recognised, other exits]), ``batch_matrix``
    (figures × batches), ``month_shares`` (months × batches), the figures' ``value``, ``sd``
    and ``kind``, the batches' ``low`` and ``width``, ``counter_mask`` and ``scale``."""
    scale = data["scale"]
    start = numpyro.sample("start_unit", dist.HalfNormal(1.0)) * scale
    counters = numpyro.sample("counter_unit", dist.Normal(0.0, 1.0).expand(
        [data["counter_mask"].shape[0]]).to_event(1)) * scale * data["counter_mask"]
    share = numpyro.sample("batch_share", dist.Uniform(0.0, 1.0)
                           .expand([data["low"].shape[0]]).to_event(1))
    batches = data["low"] + data["width"] * share
    recognized = jnp.exp(_walk("log_recognized", jnp.log(scale / 200.0),
                                   data["step_mask"]))
    hazard = jax.nn.sigmoid(_walk("logit_hazard", float(np.log(START_HAZARD
                                                                / (1 - START_HAZARD))),
                                   data["step_mask"]))
    deals = data["month_shares"] @ batches

    def month(held, flows):
        entering, leaving_in_batches, rate = flows
        could_leave = held + entering - leaving_in_batches
        other = rate * jnp.maximum(could_leave, 0.0)
        return could_leave - other, (could_leave - other, other)

    _, (stock, other) = jax.lax.scan(month, start, (recognized, deals, hazard))
    numpyro.deterministic("stock", stock)
    numpyro.deterministic("recognized", recognized)
    numpyro.deterministic("released_other", other)
    numpyro.deterministic("released_deals", deals)
    numpyro.factor("stock_wall", -0.5 * jnp.sum(
        data["month_mask"] * jnp.minimum(stock, 0.0) ** 2) / STOCK_WALL**2)

    unknowns = jnp.concatenate([start[None], counters, recognized, other])
    standardised = (data["value"] - data["matrix"] @ unknowns
                    - data["batch_matrix"] @ batches) / data["sd"]
    kind = data["kind"]
    point = dist.StudentT(TAIL_DEGREES).log_prob(standardised) - jnp.log(data["sd"])
    lower = jnp.log(jnp.clip(student_t4_cdf(-standardised), 1e-300))
    upper = jnp.log(jnp.clip(student_t4_cdf(standardised), 1e-300))
    numpyro.factor("figures", jnp.sum(jnp.where(kind == 0, point, 0.0)
                                      + jnp.where(kind == 1, lower, 0.0)
                                      + jnp.where(kind == 2, upper, 0.0)))


def prepare(design, sizes: PaddedSizes) -> dict:
    """The padded data of ``stock_flow_model`` from a ``flows.Design``."""
    from analysis.derive.flows import _batch_month_shares

    used = (design.observations["use"] != "unused").to_numpy()
    figures = design.observations[used]
    n_months, n_counters, n_batches = design.n_months, design.n_counters, len(design.batches)
    n_free = 1 + n_counters + 2 * n_months
    free, batch_part = design.matrix[used][:, :n_free], design.matrix[used][:, n_free:]
    layout = np.concatenate([[0], 1 + np.arange(n_counters),
                             1 + sizes.counters + np.arange(n_months),
                             1 + sizes.counters + sizes.months + np.arange(n_months)])
    matrix = np.zeros((sizes.figures, sizes.free))
    matrix[:len(figures), layout] = free
    batch_matrix = np.zeros((sizes.figures, sizes.batches))
    batch_matrix[:len(figures), :n_batches] = batch_part
    month_shares = np.zeros((sizes.months, sizes.batches))
    if n_batches:
        month_shares[:n_months, :n_batches] = _batch_month_shares(design)
    low, width = np.zeros(sizes.batches), np.zeros(sizes.batches)
    low[:n_batches] = design.batches["political_low"].to_numpy()
    width[:n_batches] = (design.batches["political_high"]
                         - design.batches["political_low"]).to_numpy()

    def padded(values, fill: float) -> np.ndarray:
        out = np.full(sizes.figures, fill, dtype=float)
        out[:len(values)] = values
        return out

    data = {
        "matrix": matrix, "batch_matrix": batch_matrix, "month_shares": month_shares,
        "value": padded(figures["value"], 0.0), "sd": padded(figures["sd"], 1.0),
        "kind": padded(figures["use"].map(KIND), KIND["unused"]).astype(np.int32),
        "low": low, "width": width,
        "counter_mask": (np.arange(sizes.counters) < n_counters).astype(float),
        "month_mask": (np.arange(sizes.months) < n_months).astype(float),
        "step_mask": (np.arange(1, sizes.months) < n_months).astype(float),
        "scale": max(10.0, 2.0 * float(figures["value"].abs().max())),
    }
    return {key: jnp.asarray(item) for key, item in data.items()}


CHAINS, WARMUP, SAMPLES = 4, 500, 500
SEEDS = (20240703, 1, 2, 3, 4)
DENSE_MASS = os.environ.get("FLOWS_DENSE_MASS") == "1"
SERIES = ("stock", "recognized", "released_other", "released_deals")

_SAMPLERS: dict[tuple, MCMC] = {}
"""One MCMC object per padded size and settings: its compiled program is reused by every later
fit of the same sizes in this process (``jit_model_args``)."""


def fit(data: dict, sizes: PaddedSizes, seed: int, chain_method: str = "vectorized") -> dict:
    """Draws grouped by chain (chains × draws × months) of the series, and the divergences."""
    key = (sizes, chain_method)
    if key not in _SAMPLERS:
        spreads = {"log_recognized_spread": INIT_SPREAD, "logit_hazard_spread": INIT_SPREAD}
        kernel = NUTS(stock_flow_model, init_strategy=init_to_value(values=spreads),
                      target_accept_prob=0.9, dense_mass=DENSE_MASS)
        _SAMPLERS[key] = MCMC(kernel, num_warmup=WARMUP, num_samples=SAMPLES,
                              num_chains=CHAINS, chain_method=chain_method,
                              progress_bar=False, jit_model_args=True)
    mcmc = _SAMPLERS[key]
    mcmc.run(jax.random.PRNGKey(seed), data, extra_fields=("num_steps", "diverging"))
    draws = mcmc.get_samples(group_by_chain=True)
    extra = mcmc.get_extra_fields(group_by_chain=True)
    out = {name: np.asarray(draws[name]) for name in SERIES}
    out["diverging"] = np.asarray(extra["diverging"])
    out["num_steps"] = np.asarray(extra["num_steps"])
    return out


def diagnostics(series: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """ArviZ's rank-normalised R-hat and bulk and tail ESS per quantity and month (a quantity
    known exactly in a month, such as a stated batch, has none: NaN)."""
    import arviz as az

    dataset = az.convert_to_dataset(series)
    rhat, bulk, tail = (az.rhat(dataset), az.ess(dataset, method="bulk"),
                        az.ess(dataset, method="tail"))
    return {name: {"rhat": rhat[name].values, "bulk": bulk[name].values,
                   "tail": tail[name].values} for name in series}


CHECKPOINTS = {"belarus": ("2026-03-31",), "venezuela": ("2024-07-31", "2026-01-31")}
"""Month ends whose stock is printed with its 95% interval (the last month's always is)."""


def report(country: str, design, out: dict, wall: float, cpu: float, seed: int,
           compiles: bool) -> dict:
    """One line per fit, with where it fails to converge; returns the numbers of the table."""
    n = design.n_months
    series = {name: out[name][..., :n] for name in SERIES}
    found = diagnostics(series)
    rhat = max(np.nanmax(found[name]["rhat"]) for name in SERIES)
    bulk = min(np.nanmin(found[name]["bulk"]) for name in SERIES)
    tail = min(np.nanmin(found[name]["tail"]) for name in SERIES)
    days = [str(day.date()) for day in design.months + pd.offsets.MonthEnd(0)]
    stock = series["stock"].reshape(-1, n)
    points = []
    for day in dict.fromkeys((*CHECKPOINTS.get(country, ()), days[-1])):
        draws = stock[:, days.index(day)]
        low, high = np.percentile(draws, [2.5, 97.5])
        points.append(f"{day} {draws.mean():,.0f} ({low:,.0f}–{high:,.0f})")
    steps = out["num_steps"]
    label = f"{country} seed {seed}{' (compiles)' if compiles else ''}"
    print(f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU; "
          f"{int(out['diverging'].sum())} divergences; steps per draw median "
          f"{np.median(steps):.0f}; worst R-hat {rhat:.3f}, smallest bulk ESS {bulk:.0f}, "
          f"tail ESS {tail:.0f}; lowest stock drawn {stock.min():,.0f}; stock "
          + "; ".join(points), flush=True)
    for name in SERIES:
        bad = np.flatnonzero((found[name]["rhat"] > 1.01) | (found[name]["bulk"] < 400))
        if len(bad):
            worst = bad[np.argsort(-found[name]["rhat"][bad])][:4]
            print(f"    {name}: {len(bad)} months short (R-hat > 1.01 or bulk ESS < 400), "
                  "worst " + ", ".join(
                      f"{days[i][:7]} R-hat {found[name]['rhat'][i]:.3f} "
                      f"ESS {found[name]['bulk'][i]:.0f}" for i in worst), flush=True)
    return {"compiles": compiles, "rhat": rhat, "bulk": bulk, "tail": tail,
            "divergences": int(out["diverging"].sum()), "wall": wall, "cpu": cpu}


def main(countries: list[str], seeds: tuple[int, ...], chain_method: str) -> None:
    import flows_validation as validation

    designs = {country: validation.country_design(country) for country in countries}
    sizes = padded_sizes(designs.values())
    print(f"{sizes}; {CHAINS} chains ({chain_method}) × {WARMUP} warm-up + {SAMPLES} draws",
          flush=True)
    for country, design in designs.items():
        data = prepare(design, sizes)
        rows = []
        for seed in seeds:
            compiles = not _SAMPLERS
            wall, cpu = time.perf_counter(), time.process_time()
            out = fit(data, sizes, seed, chain_method)
            rows.append(report(country, design, out, time.perf_counter() - wall,
                               time.process_time() - cpu, seed, compiles))
        compiled = [r for r in rows if not r["compiles"]]
        print(f"== {country}: worst R-hat {max(r['rhat'] for r in rows):.3f}, smallest bulk "
              f"ESS {min(r['bulk'] for r in rows):.0f}, tail {min(r['tail'] for r in rows):.0f}, "
              f"divergences {sum(r['divergences'] for r in rows)}, per compiled fit (median) "
              f"{np.median([r['cpu'] for r in compiled] or [np.nan]):.1f} s CPU, "
              f"{np.median([r['wall'] for r in compiled] or [np.nan]):.1f} s wall", flush=True)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("countries", nargs="*",
                        default=["belarus", "venezuela", "cuba", "myanmar", "nicaragua"])
    parser.add_argument("--seeds", type=int, default=len(SEEDS),
                        help="fit with the first N of SEEDS")
    parser.add_argument("--skip", type=int, default=0,
                        help="leave out the first M of those (already measured)")
    parser.add_argument("--chain-method", default="vectorized",
                        choices=["vectorized", "sequential"])
    arguments = parser.parse_args()
    main(arguments.countries, SEEDS[arguments.skip:arguments.seeds], arguments.chain_method)
