"""A prototype of the stock–flow model in NumPyro (issue 19, step 1), measured against the
shipped Gibbs sampler of ``analysis.derive.flows``. Not wired into the build.

    pip install numpyro jax arviz        # not in the project's dependencies yet
    python benchmarks/flows_numpyro.py [country ...]

For each country it builds the shipped design (``flows.build_design``: the same figures,
``METRIC_TERMS``, errors and batches), fits the NumPyro model twice in one process (the first
fit pays for compilation, the second reuses it), and prints wall and CPU seconds, divergences,
NUTS steps per draw, ArviZ's worst R-hat and smallest bulk and tail ESS over the month-end
stock and the three flows, and how far its posterior means and 95% intervals lie from the
Gibbs sampler's. ``docs/model.md`` ("Towards a probabilistic-programming model") has the
figures of 2026-12-03 and why the model was not switched.

The model reads like its equations (``stock_flow_model``): weak normal priors on the levels
(start stock, counter starts, first month's flows), each background flow a random walk with a
half-normal spread, the number of political prisoners in each release batch uniform within its
stated range; then one likelihood statement for point figures (Student-t, four degrees of
freedom, as ``flows.TAIL_DEGREES``) and one for bounds (the probability that the figure's side
holds under the same t). Every figure is one row of the design matrix.

NUTS works in whitened coordinates: the model's Gaussian approximation (Student-t weights and
the walks' spreads by expectation-maximisation, binding bounds as points) gives a mean and a
Cholesky factor, and the unknowns are ``mean + K (batches − mid) + C · white``. That is a fixed
linear change of variables with a constant Jacobian, so the posterior is the model's own; it
only shortens NUTS's trajectories. Arrays are padded to fixed sizes (``PaddedSizes``) so that
one compiled program serves every country and every refit of the same sizes in a process
(``jit_model_args``).
"""

from __future__ import annotations

import os
import time

# One XLA thread, set before JAX is imported: the matrices are small, a second thread only
# fights other processes for the two cores, and a fixed thread count keeps draws reproducible.
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                      "intra_op_parallelism_threads=1")

from dataclasses import dataclass  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import numpyro  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from numpyro.distributions import constraints  # noqa: E402
from numpyro.infer import MCMC, NUTS, init_to_uniform  # noqa: E402
from scipy import linalg  # noqa: E402

numpyro.enable_x64()

KIND = {"point": 0, "lower": 1, "upper": 2, "unused": 3}
SPREAD_PRIOR = 50.0
"""Scale (persons a month) of the half-normal prior on each random walk's month-to-month
spread: weak against flows of tens to hundreds a month."""


@dataclass(frozen=True)
class PaddedSizes:
    """Fixed array sizes, rounded up, so that the compiled program is reused."""

    months: int
    counters: int
    batches: int
    figures: int

    @property
    def free(self) -> int:
        return 1 + self.counters + 2 * self.months


def _round_up(n: int, step: int) -> int:
    return max(step, -(-n // step) * step)


def padded_sizes(n_months: int, n_counters: int, n_batches: int, n_figures: int
                 ) -> PaddedSizes:
    return PaddedSizes(_round_up(n_months, 24), max(4, n_counters), _round_up(n_batches, 16),
                       _round_up(n_figures, 64))


TAIL_DEGREES = 4.0
"""Degrees of freedom of the figures' Student-t errors (``flows.TAIL_DEGREES``): four, whose
CDF has a closed form (``student_t4_cdf``)."""


def student_t4_cdf(z):
    """CDF of Student's t with four degrees of freedom, in closed form: JAX's general t CDF
    (an incomplete beta function) costs a hundred times more per gradient."""
    ratio = z / jnp.sqrt(1.0 + z**2 / 4.0)
    return 0.5 + 0.375 * ratio * (1.0 - ratio**2 / 12.0)


def stock_flow_model(data: dict):
    """The joint density of the unknowns and the figures. ``data`` holds the padded design:
    ``matrix`` (figures × free unknowns), ``batch_matrix`` (figures × batches), the figures'
    ``value``, ``sd`` and ``kind``, the batches' ``low`` and ``width``, the masks of real
    months, counters and padding, and the whitening (``mean``, ``gain``, ``factor``)."""
    white = numpyro.sample("white", dist.ImproperUniform(constraints.real, (),
                                                         (data["mean"].shape[0],)))
    share = numpyro.sample("batch_share", dist.Uniform(0.0, 1.0)
                           .expand([data["low"].shape[0]]).to_event(1))
    spread = numpyro.sample("spread", dist.HalfNormal(SPREAD_PRIOR).expand([2]).to_event(1))
    batches = data["low"] + data["width"] * share
    unknowns = (data["mean"] + data["gain"] @ (batches - data["mid"])
                + data["factor"] @ white)
    numpyro.deterministic("unknowns", unknowns)
    numpyro.deterministic("batches", batches)

    # priors: weak normals on the levels (start stock, counter starts, first month's
    # flows), a random walk for each flow, standard normals on padding
    numpyro.factor("levels", jnp.sum(data["is_level"] * dist.Normal(
        0.0, data["level_scale"]).log_prob(unknowns)))
    months = data["month_mask"].shape[0]
    first = 1 + data["counter_mask"].shape[0]
    for index, name in enumerate(("recognized", "released_other")):
        flow = unknowns[first + index * months:first + (index + 1) * months]
        steps = jnp.diff(flow)
        numpyro.factor(f"walk_{name}", jnp.sum(
            data["step_mask"] * dist.Normal(0.0, spread[index]).log_prob(steps)))
    numpyro.factor("padding", -0.5 * jnp.sum(data["is_padding"] * unknowns**2))

    # the figures: points Student-t around what they measure, bounds by the probability
    # that the figure's side holds
    standardised = (data["value"] - data["matrix"] @ unknowns
                    - data["batch_matrix"] @ batches) / data["sd"]
    kind = data["kind"]
    point = dist.StudentT(TAIL_DEGREES).log_prob(standardised) - jnp.log(data["sd"])
    lower = jnp.log(jnp.clip(student_t4_cdf(-standardised), 1e-300))
    upper = jnp.log(jnp.clip(student_t4_cdf(standardised), 1e-300))
    numpyro.factor("figures", jnp.sum(jnp.where(kind == 0, point, 0.0)
                                      + jnp.where(kind == 1, lower, 0.0)
                                      + jnp.where(kind == 2, upper, 0.0)))


def _walk_precision(n: int) -> np.ndarray:
    difference = np.diff(np.eye(n), axis=0)
    return difference.T @ difference


def prepare(matrix: np.ndarray, value: np.ndarray, sd: np.ndarray, kind: np.ndarray,
            n_months: int, n_counters: int, batch_low: np.ndarray, batch_high: np.ndarray
            ) -> tuple[dict, PaddedSizes]:
    """The padded data of ``stock_flow_model`` and its whitening, from a design matrix whose
    columns are ``[start, counters, recognised by month, other exits by month, batches]``
    and whose rows are the used figures (``kind``: point, lower, upper)."""
    n_free = 1 + n_counters + 2 * n_months
    n_batches = len(batch_low)
    sizes = padded_sizes(n_months, n_counters, n_batches, len(value))
    free, batch_part = matrix[:, :n_free], matrix[:, n_free:]
    level_scale = max(10.0, 2.0 * float(np.max(np.abs(value), initial=0.0)))
    levels = np.zeros(n_free)
    levels[[0, *range(1, 1 + n_counters), 1 + n_counters, 1 + n_counters + n_months]] = 1.0
    mid = (batch_low + batch_high) / 2
    prior = np.diag(levels / level_scale**2)
    walk = _walk_precision(n_months)
    parts = [slice(1 + n_counters + index * n_months, 1 + n_counters + (index + 1) * n_months)
             for index in range(2)]
    spreads = np.array([10.0, 10.0])
    weight = np.where(kind == KIND["point"], 1.0 / sd**2, 0.0)
    shifted = value - batch_part @ mid
    for _ in range(EM_ITERATIONS):
        precision = free.T @ (weight[:, None] * free) + prior
        for index, part in enumerate(parts):
            precision[part, part] += walk / spreads[index] ** 2
        factor = linalg.cho_factor(precision, lower=True)
        mean = linalg.cho_solve(factor, free.T @ (weight * shifted))
        covariance = linalg.cho_solve(factor, np.eye(n_free))
        for index, part in enumerate(parts):
            if n_months > 1:
                # E[Σ steps²] = Σ (mean steps)² + trace(D Σ Dᵀ): the spread's EM update
                steps = np.diff(mean[part])
                expected = steps @ steps + np.trace(walk @ covariance[part, part])
                spreads[index] = max(1.0, float(np.sqrt(expected / (n_months - 1))))
        # Student-t weights (EM for a scale mixture); a bound counts only where it binds
        residual = (shifted - free @ mean) / sd
        spread_of_fit = ((free @ covariance) * free).sum(axis=1) / sd**2
        binding = ((kind == KIND["point"]) | ((kind == KIND["lower"]) & (residual > 0))
                   | ((kind == KIND["upper"]) & (residual < 0)))
        weight = np.where(binding, (TAIL_DEGREES + 1) / (TAIL_DEGREES + residual**2
                                                         + spread_of_fit) / sd**2, 0.0)
    cross = free.T @ (weight[:, None] * batch_part)
    gain = -linalg.cho_solve(factor, cross)
    whitening = linalg.solve_triangular(factor[0], np.eye(n_free), lower=True, trans="T")

    # into the padded layout: [start, counters…, recognised (padded months), other exits …]
    layout = np.concatenate([[0], 1 + np.arange(n_counters),
                             1 + sizes.counters + np.arange(n_months),
                             1 + sizes.counters + sizes.months + np.arange(n_months)])
    n_pad = sizes.free
    padded_free = np.zeros((sizes.figures, n_pad))
    padded_free[:len(value), layout] = free
    padded_batches = np.zeros((sizes.figures, sizes.batches))
    padded_batches[:len(value), :n_batches] = batch_part
    factor_pad = np.eye(n_pad)
    factor_pad[np.ix_(layout, layout)] = whitening
    mean_pad = np.zeros(n_pad)
    mean_pad[layout] = mean
    gain_pad = np.zeros((n_pad, sizes.batches))
    gain_pad[layout, :n_batches] = gain
    is_padding = np.ones(n_pad)
    is_padding[layout] = 0.0
    is_level = np.zeros(n_pad)
    is_level[layout] = levels
    month_mask = np.zeros(sizes.months)
    month_mask[:n_months] = 1.0
    counter_mask = np.zeros(sizes.counters)
    counter_mask[:n_counters] = 1.0
    low = np.zeros(sizes.batches)
    low[:n_batches] = batch_low
    width = np.zeros(sizes.batches)
    width[:n_batches] = batch_high - batch_low
    mid_pad = np.zeros(sizes.batches)
    mid_pad[:n_batches] = mid

    def padded(values: np.ndarray, fill: float) -> np.ndarray:
        out = np.full(sizes.figures, fill, dtype=float)
        out[:len(values)] = values
        return out

    data = {
        "matrix": padded_free, "batch_matrix": padded_batches,
        "value": padded(value, 0.0), "sd": padded(sd, 1.0),
        "kind": padded(kind, KIND["unused"]).astype(np.int32),
        "low": low, "width": width, "mid": mid_pad,
        "mean": mean_pad, "gain": gain_pad, "factor": factor_pad,
        "is_level": is_level, "is_padding": is_padding, "level_scale": level_scale,
        "month_mask": month_mask, "counter_mask": counter_mask,
        "step_mask": month_mask[1:] * month_mask[:-1],
    }
    return {key: jnp.asarray(item) for key, item in data.items()}, sizes


EM_ITERATIONS = 20
"""Expectation-maximisation steps for the walks' spreads of the Gaussian approximation."""


_SAMPLERS: dict[tuple, MCMC] = {}
"""One MCMC object per padded size and settings: its compiled program is reused by every later
fit of the same sizes in this process (``jit_model_args``)."""


def run_nuts(data: dict, sizes: PaddedSizes, chains: int, warmup: int, samples: int,
             seed: int) -> dict[str, np.ndarray]:
    """Draws grouped by chain (chains × draws × ...) of the unknowns, the batches and the
    spreads, and the divergent transitions."""
    key = (sizes, chains, warmup, samples)
    if key not in _SAMPLERS:
        kernel = NUTS(stock_flow_model,
                      init_strategy=init_to_uniform(radius=2.0), target_accept_prob=0.85)
        _SAMPLERS[key] = MCMC(kernel, num_warmup=warmup, num_samples=samples,
                              num_chains=chains, chain_method="vectorized",
                              progress_bar=False, jit_model_args=True)
    mcmc = _SAMPLERS[key]
    mcmc.run(jax.random.PRNGKey(seed), data, extra_fields=("num_steps",))
    draws = mcmc.get_samples(group_by_chain=True)
    extra = mcmc.get_extra_fields(group_by_chain=True)
    return {"unknowns": np.asarray(draws["unknowns"]), "batches": np.asarray(draws["batches"]),
            "spread": np.asarray(draws["spread"]), "diverging": np.asarray(extra["diverging"]),
            "num_steps": np.asarray(extra["num_steps"])}


# --- measuring it against the Gibbs sampler ---------------------------------------------------

CHAINS, WARMUP, SAMPLES, SEED = 4, 400, 400, 20240703


def numpyro_draws(design, seed: int = SEED) -> tuple[dict[str, np.ndarray], dict]:
    """Chains × draws × months of the month-end stock and each flow, and the fit's record."""
    from analysis.derive.flows import _batch_month_shares

    used = (design.observations["use"] != "unused").to_numpy()
    figures = design.observations[used]
    start = time.perf_counter()
    data, sizes = prepare(design.matrix[used], figures["value"].to_numpy(),
                          figures["sd"].to_numpy(), figures["use"].map(KIND).to_numpy(),
                          design.n_months, design.n_counters,
                          design.batches["political_low"].to_numpy(),
                          design.batches["political_high"].to_numpy())
    prepared = time.perf_counter() - start
    out = run_nuts(data, sizes, CHAINS, WARMUP, SAMPLES, seed)
    unknowns, months = out["unknowns"], design.n_months
    first = 1 + sizes.counters
    recognized = unknowns[..., first:first + months]
    other = unknowns[..., first + sizes.months:first + sizes.months + months]
    deals = out["batches"][..., :len(design.batches)] @ _batch_month_shares(design).T
    stock = unknowns[..., [0]] + np.cumsum(recognized - other - deals, axis=-1)
    series = {"stock": stock, "recognized": recognized, "released_other": other,
              "released_deals": deals}
    return series, {"prepare_s": prepared, "divergences": int(out["diverging"].sum()),
                    "steps": out["num_steps"], "sizes": sizes}


def diagnostics(series: dict[str, np.ndarray]) -> dict[str, float]:
    """ArviZ's worst R-hat and smallest bulk and tail ESS over months and quantities (a
    quantity known exactly in a month, such as a stated batch, has none)."""
    import arviz as az

    dataset = az.convert_to_dataset(series)
    rhat, bulk, tail = (az.rhat(dataset), az.ess(dataset, method="bulk"),
                        az.ess(dataset, method="tail"))
    return {"rhat_max": max(float(np.nanmax(rhat[name].values)) for name in series),
            "ess_bulk_min": min(float(np.nanmin(bulk[name].values)) for name in series),
            "ess_tail_min": min(float(np.nanmin(tail[name].values)) for name in series)}


def against_gibbs(series: dict[str, np.ndarray], design) -> dict[str, str]:
    """Largest difference of the posterior means, and the median ratio of interval widths,
    NumPyro against the shipped Gibbs sampler, per quantity."""
    from flows_validation import fit, quantity_draws

    from analysis.derive.flows import SamplerSettings

    gibbs = quantity_draws(fit(design, SamplerSettings()))
    out = {}
    for name, draws in series.items():
        flat = draws.reshape(-1, draws.shape[-1])
        width = np.subtract(*np.percentile(flat, [97.5, 2.5], axis=0))
        old = np.subtract(*np.percentile(gibbs[name], [97.5, 2.5], axis=0))
        keep = old > 1e-6
        gap = np.max(np.abs(flat.mean(axis=0) - gibbs[name].mean(axis=0)))
        out[name] = (f"means differ by at most {gap:.1f}, interval widths × "
                     f"{np.median(width[keep] / old[keep]):.2f} (median over months)"
                     if keep.any() else "known exactly")
    return out


def main(countries: list[str]) -> None:
    import flows_validation as validation

    for country in countries:
        design = validation.country_design(country)
        for attempt in ("first fit (compiles)", "second fit (compiled)"):
            wall, cpu = time.perf_counter(), time.process_time()
            series, record = numpyro_draws(design)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            steps = record["steps"]
            print(f"{country}, {attempt}: {wall:.1f} s wall, {cpu:.1f} s CPU (prepare "
                  f"{record['prepare_s']:.1f} s); {record['sizes']}; {record['divergences']} "
                  f"divergences; NUTS steps per draw median {np.median(steps):.0f}, "
                  f"90% {np.percentile(steps, 90):.0f}; {diagnostics(series)}")
        for name, line in against_gibbs(series, design).items():
            print(f"  {name}: {line}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:] or ["belarus", "venezuela", "cuba"])
