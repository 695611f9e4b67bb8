"""A stock–flow model of political prisoners that explains every sourced figure at once.

    stock(t) = stock(t−1) + recognised(t) − freed in release batches(t) − other exits(t)

Months are the time step; within a month the background flow (recognised minus other exits)
runs evenly over the days and release batches leave on their own day, so a figure dated to
any day is a linear function of the unknowns. Every chosen figure of ``prisoner_counts`` (the
resolution rule of ``derive.resolve`` picks one per metric and period) becomes one
observation of a linear combination of

- the stock at the start of the first month and the monthly flows ``recognised`` and
  ``other exits`` (end of sentence, death, transfer to restricted freedom), each a random walk
  whose month-to-month spread is estimated from the data;
- an unknown starting value for each cumulative counter (recognised, released, pardoned since
  2020), so that a counter's steps inform the flows whatever it counted before the model starts;
- the number of political prisoners in each release batch: the stated count where a source
  gives it, otherwise an unknown between its stated lower bound (or zero) and the batch total,
  since a batch may include people who are not political prisoners.

What each metric measures is declared in ``METRIC_TERMS`` (data, not code paths); qualifiers
set the observation error (``ObservationErrors``): exact figures are near-exact, approximate
and round figures ±10%, a month-only or inferred date widens the error, bounds are one-sided.
Figures of another counting scope (other methodologies, batch totals that include people who
are not political prisoners) are kept out and listed with the reason in ``observations``.

Why this machinery. The model is linear and Gaussian apart from one-sided bounds and the box
on unknown batch counts. A Kalman smoother (statsmodels' state-space models) gives the same
posterior for the Gaussian part, but a period total spanning several months, a difference of
a counter between two dates, or a bound, would each need the state widened by every start date
or a non-Gaussian observation. Written in its batch (information) form the same smoother is a
sparse linear system of about 200 unknowns, solved exactly with a Cholesky factorisation; bounds
and the batch boxes are handled by Gibbs sampling with data augmentation (Albert and Chib
1993), and the random-walk variances get conjugate inverse-gamma updates, so their uncertainty
is carried into every interval. A probabilistic-programming model (PyMC) would give the same
answer but needs several seconds to compile, over the 2 s this step may take.

Outputs are posterior means with 95% intervals (2.5th and 97.5th percentiles of the draws).
Flows are not constrained to be positive: a month with little information gets a wide interval
that may dip below zero, and stock = start + Σ(flows) holds exactly for the means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg, special
from threadpoolctl import threadpool_limits

from analysis.country import counting_organisations
from analysis.derive.resolve import DEFAULT_RULE, ResolutionRule, choose_counts

FLOWS = ("recognized", "released_other", "released_deals")
"""The flows of the stock equation; ``released_deals`` are political prisoners freed in
release batches."""

METRIC_TERMS: dict[str, dict] = {
    "current_count": {"kind": "stock"},
    "net_change_in_period": {"kind": "stock_change"},
    "newly_recognized_in_period": {"kind": "period", "flows": ("recognized",)},
    "released_in_period": {"kind": "period", "flows": ("released_other", "released_deals")},
    "released_by_pardon_in_period": {"kind": "period", "flows": ("released_deals",),
                                     "extra_error": 0.05},
    "released_end_of_sentence_in_period": {"kind": "period", "flows": ("released_other",),
                                           "extra_error": 0.10},
    "recognized_total_since_2020": {"kind": "counter", "flows": ("recognized",)},
    "released_total_since_2020": {"kind": "counter",
                                  "flows": ("released_other", "released_deals")},
    "released_total_pardon_since_2020": {"kind": "counter", "flows": ("released_deals",),
                                         "extra_error": 0.05},
    "released_end_of_sentence_total_since_2020": {"kind": "counter",
                                                  "flows": ("released_other",),
                                                  "extra_error": 0.10},
    "released_total_pardon_since_2024-07": {"kind": "since", "since": "2024-07-01",
                                            "flows": ("released_deals",), "extra_error": 0.05},
}
"""What each metric of ``prisoner_counts`` measures in the model. ``stock``: the number held at
the end of the day; ``stock_change``: its change over the period; ``period``: the sum of the
named flows over the period; ``counter``: a running total of the flows with an unknown value
at the model's start; ``since``: a running total from a stated day. ``extra_error`` is a
relative error added for a definition that matches the flow only roughly: a pardon tally also
counts pardons outside release batches; end-of-sentence releases are most, not all, other
exits (deaths and transfers to restricted freedom are the rest)."""

SHORT_PERIOD_DAYS = 28
"""A period total for fewer days than this (one announcement, one week) says at least that many
moved in the months it falls in: recognitions and releases come in batches on announcement
days, not evenly over a month, so such a figure is a lower bound on its months' flow."""

TAIL_DEGREES = 4.0
"""Observation errors are Student-t with this many degrees of freedom (a scale mixture of
normals), so that a figure at odds with all the others is down-weighted instead of bending
the whole series; ``observation_fit`` shows how much each figure counted."""


class NoStockFigures(ValueError):
    """Flows without a single count of the number held cannot place the stock."""


@dataclass(frozen=True)
class ObservationErrors:
    """Standard deviation of a figure around the true value, as a share of the figure (plus
    ``floor`` persons for exact figures, so a small count is not taken as error-free)."""

    exact: float = 0.01
    """An exact count is exact, but its day is often the day of writing and recognitions come
    in lumps within a month that the model spreads evenly."""
    floor: float = 1.0
    approx: float = 0.10 / np.sqrt(3.0)
    month_dated: float = 0.01
    inferred_date: float = 0.03
    bound: float = 0.02
    bound_floor: float = 10.0
    """A bound is soft by ``bound`` of its value (at least ``bound_floor`` persons): sources say
    "at least" loosely, and a bound held to one person lets the sampler move its total by only
    about a person a sweep, so the chains would not mix."""


@dataclass(frozen=True)
class SamplerSettings:
    """Gibbs sampler settings: enough draws for stable 2.5% and 97.5% percentiles on the
    shipped data within the 2 s budget."""

    chains: int = 2
    sweeps: int = 700
    burn_in: int = 150
    seed: int = 20240703
    prior_spread: float = 5.0
    """Scale (persons a month) of the weak inverse-gamma prior on each random walk's spread."""


@dataclass
class Design:
    months: pd.DatetimeIndex
    days: pd.DatetimeIndex
    observations: pd.DataFrame
    batches: pd.DataFrame
    matrix: np.ndarray
    counter_names: list[str] = field(default_factory=list)

    @property
    def n_months(self) -> int:
        return len(self.months)

    @property
    def n_counters(self) -> int:
        return len(self.counter_names)

    @property
    def n_unknowns(self) -> int:
        return 1 + self.n_counters + 2 * self.n_months + len(self.batches)

    def slice_of(self, flow: str) -> slice:
        start = 1 + self.n_counters + FLOWS[:2].index(flow) * self.n_months
        return slice(start, start + self.n_months)

    @property
    def batch_slice(self) -> slice:
        start = 1 + self.n_counters + 2 * self.n_months
        return slice(start, start + len(self.batches))


@dataclass
class FlowFit:
    """Posterior draws of the model: ``draws`` has one row per draw over the unknowns laid out
    as in ``design``; ``spreads`` the random-walk spreads per draw; ``observation_weight`` the
    mean Student-t weight of each figure (1: counted fully; well below 1: at odds with the
    rest)."""

    design: Design
    draws: np.ndarray
    spreads: np.ndarray
    observation_weight: np.ndarray

    def flow_draws(self, flow: str) -> np.ndarray:
        """Draws × months of a flow."""
        if flow == "released_deals":
            return self.draws[:, self.design.batch_slice] @ _batch_month_shares(self.design).T
        return self.draws[:, self.design.slice_of(flow)]

    def stock_draws(self) -> np.ndarray:
        """Draws × months of the stock at each month's end."""
        net = (self.flow_draws("recognized") - self.flow_draws("released_other")
               - self.flow_draws("released_deals"))
        return self.draws[:, [0]] + np.cumsum(net, axis=1)


def release_batches(releases: pd.DataFrame) -> pd.DataFrame:
    """Batches that count as releases, with the range of political prisoners among those freed:
    the stated count where there is one, else zero to the batch total."""
    batches = releases[releases["counts_as_release"]]
    political = batches["released_political_prisoners"]
    total = batches["released_total"].astype("float64")
    stated = political.notna()
    low = political.astype("float64").where(stated, 0.0)
    high = political.astype("float64").where(stated, total)
    return pd.DataFrame({
        "event_id": batches["event_id"].to_numpy(),
        "date_start": batches["date_start"].to_numpy(),
        "date_end": batches["date_end"].to_numpy(),
        "political_low": low.to_numpy(),
        "political_high": high.to_numpy(),
        "people_freed": total.to_numpy(),
    }).reset_index(drop=True)


def _observation_rows(counts: pd.DataFrame, rule: ResolutionRule, headline_scope: str,
                      errors: ObservationErrors, first_month: pd.Timestamp | None = None
                      ) -> pd.DataFrame:
    """The chosen figures with what the model makes of them: ``use`` is point, lower, upper or
    a reason for leaving the figure out."""
    chosen = choose_counts(counts, rule)
    rows = []
    for figure in chosen.itertuples():
        terms = METRIC_TERMS.get(figure.metric)
        value = float(figure.value)
        reason = None
        if terms is None:
            reason = "metric not in the stock-flow equation"
        elif figure.counts_scope != headline_scope:
            reason = f"counted under another definition ({figure.counts_scope})"
        elif terms["kind"] in ("stock", "counter", "since") and figure.date_precision == "year":
            reason = "a running figure dated only to a year cannot be placed"
        elif first_month is not None and figure.date_start < first_month:
            reason = "before the model's first month"
        relative = {"exact": errors.exact, "approx": errors.approx,
                    "milestone_round": errors.approx}.get(figure.qualifier, errors.exact)
        relative = np.hypot(relative, terms.get("extra_error", 0.0) if terms else 0.0)
        if terms and terms["kind"] in ("stock", "counter", "since"):
            if figure.date_precision == "month":
                relative = np.hypot(relative, errors.month_dated)
        if figure.year_inferred:
            relative = np.hypot(relative, errors.inferred_date)
        sd = float(np.hypot(errors.floor, relative * abs(value)))
        use = {"lower_bound": "lower", "upper_bound": "upper"}.get(figure.qualifier, "point")
        start, end = figure.date_start, figure.date_end
        if (terms and terms["kind"] == "period"
                and (end - start).days + 1 < SHORT_PERIOD_DAYS and use != "upper"):
            use = "lower"
            start = start.to_period("M").to_timestamp()
            end = end.to_period("M").to_timestamp(how="end").normalize()
        if use != "point":
            sd = float(np.hypot(sd, max(errors.bound_floor, errors.bound * abs(value))))
        rows.append({
            "record_id": figure.record_id, "metric": figure.metric,
            "date_start": start, "date_end": end,
            "value": value, "qualifier": figure.qualifier, "sd": sd,
            "use": use if reason is None else "unused", "reason": reason or "",
        })
    columns = ["record_id", "metric", "date_start", "date_end", "value", "qualifier", "sd",
               "use", "reason"]
    return pd.DataFrame(rows, columns=columns)


def _cumulative_weights(day: pd.Timestamp, months: pd.DatetimeIndex) -> np.ndarray:
    """Share of each month's flow that has happened by the end of ``day``."""
    month_ends = months + pd.offsets.MonthEnd(0)
    days_in = month_ends.day.to_numpy()
    weights = np.zeros(len(months))
    weights[month_ends <= day] = 1.0
    current = (months <= day) & (month_ends > day)
    weights[current] = day.day / days_in[current]
    return weights


def _batch_weights(day: pd.Timestamp, batches: pd.DataFrame) -> np.ndarray:
    """Share of each batch freed by the end of ``day`` (a month-dated batch spread evenly)."""
    start = batches["date_start"].to_numpy()
    end = batches["date_end"].to_numpy()
    length = (end - start) / np.timedelta64(1, "D") + 1
    done = (np.datetime64(day) - start) / np.timedelta64(1, "D") + 1
    return np.clip(done / length, 0.0, 1.0)


def _batch_month_shares(design: Design) -> np.ndarray:
    """Months × batches: the share of each batch freed in each month."""
    ends = design.months + pd.offsets.MonthEnd(0)
    cumulative = np.array([_batch_weights(day, design.batches) for day in ends])
    return np.diff(np.vstack([np.zeros(len(design.batches)), cumulative]), axis=0)


def main_scope(counts: pd.DataFrame) -> str:
    """The counting organisation's scope that most of the table's current counts use: the
    headline when the caller does not name one (``country.yml`` names it in a build)."""
    scopes = counts.loc[counts["counts_scope"].isin(list(counting_organisations().values()))
                        & (counts["metric"] == "current_count"), "counts_scope"]
    if scopes.empty:
        raise ValueError("no current count of a counting organisation to model")
    return str(scopes.value_counts().index[0])


def build_design(counts: pd.DataFrame, releases: pd.DataFrame,
                 rule: ResolutionRule = DEFAULT_RULE,
                 headline_scope: str | None = None,
                 errors: ObservationErrors | None = None,
                 start: pd.Timestamp | None = None) -> Design:
    """The observation matrix: one row per used figure over the unknowns
    ``[stock at start, counter starts, recognised by month, other exits by month, batches]``.
    ``start`` (a month) leaves out figures before it (see ``fitted_flows``), and so are figures
    that end before the first count of the number held."""
    errors = errors or ObservationErrors()
    headline_scope = headline_scope or main_scope(counts)
    observations = _observation_rows(counts, rule, headline_scope, errors, start)
    batches = release_batches(releases)
    used = observations["use"] != "unused"
    stock_figures = used & (observations["metric"] == "current_count")
    if not stock_figures.any():
        raise NoStockFigures("no count of the number held can be placed in time, so the "
                             "stock is not identified")
    # Figures that end before the first count of the number held tell only flows, and the
    # stock there is the first count minus flows no figure bounds (Venezuela's 2017 went to
    # -881): the model starts with the earliest figure that reaches the first count.
    first_count = observations.loc[stock_figures, "date_end"].min()
    reaching = used & (observations["date_end"] >= first_count)
    first_month = observations.loc[reaching, "date_start"].min().to_period("M").to_timestamp()
    if (observations.loc[used, "date_start"] < first_month).any():
        observations = _observation_rows(counts, rule, headline_scope, errors,
                                         max(first_month, start or first_month))
        used = observations["use"] != "unused"
    first = observations.loc[used, "date_start"].min()
    last = max(observations.loc[used, "date_end"].max(),
               batches["date_end"].max() if len(batches) else first)
    months = pd.date_range(first.to_period("M").to_timestamp(),
                           last.to_period("M").to_timestamp(), freq="MS")
    batches = batches[(batches["date_end"] >= months[0])
                      & (batches["date_start"] <= last)].reset_index(drop=True)
    counter_names = sorted(observations.loc[
        used & observations["metric"].map(lambda m: METRIC_TERMS.get(m, {}).get("kind"))
        .eq("counter"), "metric"].unique())
    design = Design(months, pd.date_range(months[0], last, freq="D"), observations, batches,
                    np.zeros((0, 0)), counter_names)
    matrix = np.zeros((len(observations), design.n_unknowns))
    day_before = pd.Timedelta(days=1)
    for row, figure in enumerate(observations.itertuples()):
        if figure.use == "unused":
            continue
        terms = METRIC_TERMS[figure.metric]
        if terms["kind"] in ("stock", "counter"):
            matrix[row] = _running_row(design, figure.date_end, terms, figure.metric)
        elif terms["kind"] == "since":
            matrix[row] = (_running_row(design, figure.date_end, terms, None)
                           - _running_row(design, pd.Timestamp(terms["since"]) - day_before,
                                          terms, None))
        else:
            matrix[row] = (_running_row(design, figure.date_end, terms, None)
                           - _running_row(design, figure.date_start - day_before, terms, None))
    design.matrix = matrix
    return design


def _running_row(design: Design, day: pd.Timestamp, terms: dict, counter: str | None
                 ) -> np.ndarray:
    """Coefficients of a running quantity at the end of ``day``: the stock, or the running
    total of ``terms['flows']`` (plus the counter's start value when ``counter`` is named)."""
    row = np.zeros(design.n_unknowns)
    months = _cumulative_weights(day, design.months)
    batches = _batch_weights(day, design.batches) if len(design.batches) else np.zeros(0)
    if terms["kind"] in ("stock", "stock_change"):
        row[0] = 1.0 if terms["kind"] == "stock" else 0.0
        signs = {"recognized": 1.0, "released_other": -1.0, "released_deals": -1.0}
    else:
        signs = {flow: 1.0 for flow in terms["flows"]}
        if counter is not None:
            row[1 + design.counter_names.index(counter)] = 1.0
    for flow, sign in signs.items():
        if flow == "released_deals":
            row[design.batch_slice] += sign * batches
        else:
            row[design.slice_of(flow)] += sign * months
    return row


STATED_PRECISION = 1e4
"""A stated batch count is held to within a hundredth of a person."""


def _random_walk_precision(n: int) -> np.ndarray:
    """Precision of increments of a random walk with unit spread (its first value is free)."""
    difference = np.diff(np.eye(n), axis=0)
    return difference.T @ difference


def _truncated_normal(mean: np.ndarray, sd: np.ndarray, low: np.ndarray, high: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """Draws from normals truncated to [low, high], by the inverse CDF on the side of the
    distribution where it is accurate."""
    a = (low - mean) / sd
    b = (high - mean) / sd
    flip = a > 0
    a, b = np.where(flip, -b, a), np.where(flip, -a, b)
    lower, upper = special.ndtr(a), special.ndtr(b)
    uniform = rng.uniform(size=np.shape(mean))
    standard = special.ndtri(np.clip(lower + uniform * (upper - lower), 1e-300, 1 - 1e-16))
    standard = np.clip(standard, a, b)
    return mean + sd * np.where(flip, -standard, standard)


def _truncated_normal_one(mean: float, sd: float, low: float, high: float, uniform: float
                          ) -> float:
    """One draw, as ``_truncated_normal`` but for plain floats (the inner loop's hot path)."""
    a, b = (low - mean) / sd, (high - mean) / sd
    flip = a > 0
    if flip:
        a, b = -b, -a
    lower, upper = special.ndtr(a), special.ndtr(b)
    standard = min(max(special.ndtri(min(max(lower + uniform * (upper - lower), 1e-300),
                                         1 - 1e-16)), a), b)
    return mean + sd * (-standard if flip else standard)


def fit_flows(counts: pd.DataFrame, releases: pd.DataFrame,
              rule: ResolutionRule = DEFAULT_RULE,
              headline_scope: str | None = None,
              settings: SamplerSettings | None = None,
              errors: ObservationErrors | None = None,
              start: pd.Timestamp | None = None) -> FlowFit:
    """Posterior draws of the stock-flow model given every usable figure."""
    settings = settings or SamplerSettings()
    design = build_design(counts, releases, rule, headline_scope, errors, start)
    with threadpool_limits(limits=1):
        return sample(design, settings)


_LAST_FIT: dict[str, FlowFit] = {}


def fitted_flows(counts: pd.DataFrame, releases: pd.DataFrame,
                 rule: ResolutionRule = DEFAULT_RULE, headline_scope: str | None = None,
                 start: pd.Timestamp | None = None) -> FlowFit | None:
    """``fit_flows`` with the last fit kept, keyed by the inputs' contents: one build makes
    both ``flows_monthly`` and ``prisoners_daily`` from the same fit, paying for it once. None
    when no count of the number held can be placed (the datasets then come out empty, which
    stops the build).

    ``start`` is a country's ``model.start`` (``country.yml``). A country whose count has long
    stretches with no figure (Belarus before September 2020: none for 2009-2010, 2016-2017 or
    2019) fits the later, dense era only: months without figures add unknowns that cost time
    and inform nothing, and the claim tests need only the later era. Its earlier episodes keep
    their rows in ``episodes`` with the model's outcomes missing.
    """
    key = "|".join(str(pd.util.hash_pandas_object(frame, index=False).sum())
                   for frame in (counts, releases)) + repr((rule, headline_scope, start))
    if key not in _LAST_FIT:
        _LAST_FIT.clear()
        try:
            _LAST_FIT[key] = fit_flows(counts, releases, rule, headline_scope, start=start)
        except NoStockFigures:
            _LAST_FIT[key] = None
    return _LAST_FIT[key]


def sample(design: Design, settings: SamplerSettings) -> FlowFit:
    """Gibbs sampler: (stock, counters, flows, batches) jointly Gaussian given the augmented
    bounds, the Student-t weights and the spreads, with the batch boxes drawn from their
    conditional given everything but the flows (the flows integrated out), so that a batch's
    political count and the month's flows do not hold each other back. The matrices are small:
    one BLAS thread is faster than several, and does not fight other processes for the cores."""
    used = (design.observations["use"] != "unused").to_numpy()
    matrix = design.matrix[used]
    observed = design.observations.loc[used, "value"].to_numpy()
    sd = design.observations.loc[used, "sd"].to_numpy()
    kind = design.observations.loc[used, "use"].to_numpy()
    bound = kind != "point"
    base_weight = 1.0 / sd**2
    mixing = np.ones(len(sd))
    n_months = design.n_months
    n_unknowns = matrix.shape[1]
    walk = _random_walk_precision(n_months)
    diffuse = np.full(n_unknowns, 1e-8)
    batch = design.batch_slice
    low = design.batches["political_low"].to_numpy()
    high = design.batches["political_high"].to_numpy()
    boxed = high > low
    rng = np.random.default_rng(settings.seed)
    kept, spreads_kept, weights_kept = [], [], []
    for _chain in range(settings.chains):
        spreads = np.array([10.0, 10.0])
        augmented = observed.copy()
        batches_now = np.where(boxed, (low + high) / 2, low)
        for sweep in range(settings.sweeps):
            weight = base_weight * mixing
            precision = matrix.T @ (weight[:, None] * matrix) + np.diag(diffuse)
            for index, flow in enumerate(FLOWS[:2]):
                part = design.slice_of(flow)
                precision[part, part] += walk / spreads[index] ** 2
            stated = batch.start + np.flatnonzero(~boxed)
            precision[stated, stated] += STATED_PRECISION
            shift = np.zeros(n_unknowns)
            shift[stated] = STATED_PRECISION * low[~boxed]
            factor = linalg.cho_factor(precision, lower=True, check_finite=False)
            mean = linalg.cho_solve(factor, matrix.T @ (weight * augmented) + shift,
                                    check_finite=False)
            draw = mean + linalg.solve_triangular(factor[0], rng.standard_normal(n_unknowns),
                                                  lower=True, trans="T", check_finite=False)
            draw[stated] = low[~boxed]
            if boxed.any():
                columns = batch.start + np.flatnonzero(boxed)
                unit = np.zeros((n_unknowns, len(columns)))
                unit[columns, np.arange(len(columns))] = 1.0
                covariance = linalg.cho_solve(factor, unit, check_finite=False)
                inner = np.linalg.inv(covariance[columns])
                target = batches_now[boxed].copy()
                centre = mean[columns]
                box_low, box_high = low[boxed], high[boxed]
                spread = 1 / np.sqrt(np.diag(inner))
                for _ in range(2):
                    for j in range(len(columns)):
                        deviation = target - centre
                        conditional = (centre[j] - (inner[j] @ deviation
                                                    - inner[j, j] * deviation[j]) / inner[j, j])
                        target[j] = _truncated_normal_one(conditional, spread[j], box_low[j],
                                                          box_high[j], rng.random())
                draw = draw + covariance @ (inner @ (target - draw[columns]))
                batches_now[boxed] = target
            if bound.any():
                fitted = matrix[bound] @ draw
                lows = np.where(kind[bound] == "lower", observed[bound], -np.inf)
                highs = np.where(kind[bound] == "upper", observed[bound], np.inf)
                augmented[bound] = _truncated_normal(fitted, sd[bound], lows, highs, rng)
            standardised = (augmented - matrix @ draw) / sd
            mixing = rng.gamma((TAIL_DEGREES + 1) / 2,
                               2 / (TAIL_DEGREES + standardised**2))
            for index, flow in enumerate(FLOWS[:2]):
                steps = np.diff(draw[design.slice_of(flow)])
                shape = 0.5 + 0.5 * len(steps)
                scale = 0.5 * settings.prior_spread**2 + 0.5 * steps @ steps
                spreads[index] = np.sqrt(scale / rng.gamma(shape))
            if sweep >= settings.burn_in:
                kept.append(draw)
                spreads_kept.append(spreads.copy())
                weights_kept.append(mixing.copy())
    observation_weight = np.full(len(design.observations), np.nan)
    observation_weight[used] = np.mean(weights_kept, axis=0)
    return FlowFit(design, np.array(kept), np.array(spreads_kept), observation_weight)


def observation_fit(fit: FlowFit) -> pd.DataFrame:
    """Each figure the conflict rule chose, with what the model made of it: ``use`` (point,
    lower or upper bound, or unused with the ``reason``) and ``weight``, the mean Student-t
    weight (1: counted fully; well below 1: at odds with the figures around it)."""
    observations = fit.design.observations
    return observations[["record_id", "metric", "date_start", "date_end", "value", "qualifier",
                         "use", "reason"]].assign(weight=fit.observation_weight)


def mean_and_interval(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% interval (2.5 and 97.5 percentiles) over draws, per column."""
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    return draws.mean(axis=0), low, high


def flows_monthly(fit: FlowFit) -> pd.DataFrame:
    """One row per month: the month-end stock and the month's flows, each with its 95%
    interval."""
    columns: dict[str, object] = {"month": fit.design.months.astype("datetime64[ns]")}
    series = {"stock": fit.stock_draws(),
              "recognized": fit.flow_draws("recognized"),
              "released_deals": fit.flow_draws("released_deals"),
              "released_other": fit.flow_draws("released_other")}
    for name, draws in series.items():
        mean, low, high = mean_and_interval(draws)
        columns[name], columns[f"{name}_low"], columns[f"{name}_high"] = mean, low, high
    return pd.DataFrame(columns)


DRAWS_KEPT = 200
"""Posterior draws kept in ``flows_draws`` for the tests of the claim: enough for Rubin's rules
and stable percentiles, small enough to load in milliseconds."""


def flows_draws(fit: FlowFit, n_draws: int = DRAWS_KEPT) -> pd.DataFrame:
    """Long table of evenly spaced posterior draws: ``draw``, ``month``, the month-end stock and
    the month's flows, so that later steps can carry the model's uncertainty."""
    chosen = np.linspace(0, len(fit.draws) - 1, min(n_draws, len(fit.draws))).astype(int)
    series = {"stock": fit.stock_draws()[chosen],
              **{flow: fit.flow_draws(flow)[chosen] for flow in FLOWS}}
    n_months = fit.design.n_months
    return pd.DataFrame({
        "draw": np.repeat(np.arange(len(chosen)), n_months).astype("int64"),
        "month": np.tile(fit.design.months.to_numpy(), len(chosen)).astype("datetime64[ns]"),
        **{name: values.reshape(-1) for name, values in series.items()},
    })


DOWN_WEIGHTED = 0.5
"""A figure whose mean Student-t weight is below this counted less than half as much as its
error says: the rest of the data disagree with it."""


def model_figures(fit: FlowFit) -> pd.DataFrame:
    """Every chosen figure with what the model makes of it: how it is used (or why not), the
    posterior mean and 95% interval of what it measures, the gap (figure minus fit, persons
    and in the figure's standard deviations; for a bound, only by how much it is broken) and
    its mean Student-t weight. ``down_weighted`` marks the figures the model lets go: the
    disagreements it absorbs, shown instead of hidden."""
    observations = fit.design.observations
    used = (observations["use"] != "unused").to_numpy()
    measured = fit.draws @ fit.design.matrix[used].T
    fitted = np.full(len(observations), np.nan)
    low, high = fitted.copy(), fitted.copy()
    fitted[used] = measured.mean(axis=0)
    low[used], high[used] = np.percentile(measured, [2.5, 97.5], axis=0)
    gap = observations["value"].to_numpy() - fitted
    kind = observations["use"].to_numpy()
    gap = np.select([kind == "lower", kind == "upper"],
                    [np.maximum(gap, 0.0), np.minimum(gap, 0.0)], gap)
    weight = fit.observation_weight
    return pd.DataFrame({
        "record_id": observations["record_id"].astype(str).to_numpy(),
        "metric": observations["metric"].astype(str).to_numpy(),
        "date_start": observations["date_start"].astype("datetime64[ns]").to_numpy(),
        "date_end": observations["date_end"].astype("datetime64[ns]").to_numpy(),
        "value": observations["value"].to_numpy(dtype=float),
        "qualifier": observations["qualifier"].astype(str).to_numpy(),
        "use": kind.astype(str),
        "reason": observations["reason"].astype(str).to_numpy(),
        "sd": observations["sd"].to_numpy(dtype=float),
        "fitted": fitted, "fitted_low": low, "fitted_high": high,
        "gap": gap, "gap_in_sd": gap / observations["sd"].to_numpy(dtype=float),
        "weight": weight,
        "down_weighted": np.nan_to_num(weight, nan=1.0) < DOWN_WEIGHTED,
    })


def counter_starts(fit: FlowFit) -> pd.DataFrame:
    """Each running counter's value at the model's first month (mean and 95% interval): a term
    that absorbs whatever the counter counted before, and with it any disagreement between the
    counter and the flows (a negative start means the counter rose less than the flows the
    rest of the data imply)."""
    draws = fit.draws[:, 1:1 + fit.design.n_counters]
    mean, low, high = mean_and_interval(draws) if len(draws.T) else (np.zeros(0),) * 3
    return pd.DataFrame({"metric": fit.design.counter_names, "start": mean,
                         "start_low": low, "start_high": high})


def daily_draws(fit: FlowFit) -> tuple[np.ndarray, np.ndarray]:
    """Draws × days of the stock at each day's end, and days × batches outflow shares."""
    design = fit.design
    days = design.days
    month_of_day = days.to_period("M").to_timestamp()
    position = design.months.get_indexer(month_of_day)
    days_in_month = days.days_in_month.to_numpy()
    background = (fit.flow_draws("recognized") - fit.flow_draws("released_other"))
    daily_background = background[:, position] / days_in_month
    batch_share = np.diff(np.vstack([np.zeros(len(design.batches)),
                                     np.array([_batch_weights(day, design.batches)
                                               for day in days])]), axis=0)
    daily_batches = fit.draws[:, design.batch_slice] @ batch_share.T
    stock = fit.draws[:, [0]] + np.cumsum(daily_background - daily_batches, axis=1)
    return stock, daily_batches


def prisoners_daily(fit: FlowFit) -> pd.DataFrame:
    """The number held on every day from the model's first to its last dated item, with its
    95% interval; ``basis`` says whether a point count of the headline figure was used that
    day."""
    stock, batches = daily_draws(fit)
    mean, low, high = mean_and_interval(stock)
    background = (fit.flow_draws("recognized") - fit.flow_draws("released_other")).mean(axis=0)
    days = fit.design.days
    position = fit.design.months.get_indexer(days.to_period("M").to_timestamp())
    observations = fit.design.observations
    anchors = observations[(observations["metric"] == "current_count")
                           & (observations["use"] == "point")]
    anchor_ids = pd.Series(pd.NA, index=days, dtype="object")
    anchor_ids.loc[anchors["date_end"].to_numpy()] = anchors["record_id"].to_numpy()
    observed = anchor_ids.notna().to_numpy()
    return pd.DataFrame({
        "date": days.astype("datetime64[ns]"),
        "prisoners_held": mean,
        "prisoners_held_low": low,
        "prisoners_held_high": high,
        "basis": np.where(observed, "observed", "reconstructed"),
        "released_in_batches": batches.mean(axis=0),
        "background_flow": background[position] / days.days_in_month.to_numpy(),
        "anchor_record_id": anchor_ids.astype("string").to_numpy(),
    })
