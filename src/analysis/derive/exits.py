"""How long a political prisoner freed in a release batch would still have been held, and the
number held had there been no batches.

The exit-time prior. A person freed in a batch on day t would otherwise have left at
t + R, the rest of the term. R = g · T · (1 − F), with, for each prior draw:

- T, the term of a person in the stock: lognormal. Its cohort mean m (years imposed ÷ people
  sentenced, one quotient per year of ``sentences.csv``: imprisonment alone, and imprisonment
  with open-type terms where a year gives both) is drawn between the smallest and largest
  quotient. A stock holds long terms longer than short ones, so the
  stock's terms are the cohorts' weighted by length (length-biased: lognormal(ln m + σ²/2, σ)),
  and σ is solved from the share of the end-2022 stock with terms of ten years or more, drawn
  between that count over everyone held and over those already sentenced.
- F, the share of the term served at release: Beta with concentration 2 and a mean drawn between
  one half (a person picked at random from a steady stock: F uniform) and the mean share the
  people pardoned in August-September 2024 had served.
- g, a multiplier on the term of people freed in batches, drawn log-uniformly between
  ``SELECTION`` bounds: the people freed in the 2025-26 US-brokered deals may be selected
  (longer sentences, high profile), the 2024 pardonees for having little left.

The survival curve S(τ) = P(R > τ) is integrated over F on fixed quantiles, so the same seed
gives the same numbers on every machine. Nothing here is fitted to the end-of-sentence counters
(``prior_predictive_check`` only compares with them); docs/model.md says so.

The counterfactual pairs draw i of the stock-flow model's ``flows_draws`` with draw i of the
prior: the people freed in a batch (the model's ``released_deals``, political prisoners freed
in release batches) would have stayed until t + R, with the same entries and the same other
exits, so the number held without batches is the modelled stock plus those still serving.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from analysis.derive.flows import mean_and_interval, release_batches

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
LONG_TERM_YEARS = 10.0
"""The end-2022 stock's tail is stated for terms of ten years or more."""
SERVED_CONCENTRATION = 2.0
"""Beta(2·f, 2·(1 − f)) for the share served: uniform at f = 1/2, wide at every f."""
SELECTION = (0.7, 2.0)
"""Bounds of the multiplier on the term of people freed in batches. Below 1: the 2024 pardonees
had less left than a random member of the stock (Zerkalo: 456 days); above 1: the deals of
2025-26 freed high-profile prisoners with terms of up to 14 years and more (Belsat)."""
QUADRATURE = 64
"""Fixed quantiles of the share served over which the survival curve is averaged."""
PRIOR_SEED = 20261203
HORIZONS = (3, 6, 12)
"""Months after a batch over which ``deal_additionality`` counts who would have left anyway."""
DEAL_ERA_START = pd.Timestamp("2024-07-01")
"""First day of the deal era when the country's ``country.yml`` names none
(``claim_test.deal_era_start``, which the build passes)."""
NO_FACTS = ("no sourced sentence facts (no sentences.csv in the country's raw folder): no "
            "exit-time prior, so no counterfactual")


class MissingFact(ValueError):
    """A fact the prior needs is not among the sentence facts kept (absent or quarantined):
    the counterfactual is then missing with this as its reason, never filled in."""


@dataclass(frozen=True)
class SentenceFacts:
    """The figures of ``sentences.csv`` the prior rests on, with the rows they come from."""

    cohort_mean_years: tuple[float, ...]
    """Years imposed ÷ people sentenced: imprisonment per year, then imprisonment and open-type
    together for the years that give both."""
    long_term_share: tuple[float, float]
    """Share of the stock with terms of ten years or more: over everyone held, and over those
    held who were already sentenced."""
    sentenced_share: float
    """Share of the end-2022 stock already sentenced (the rest in pre-trial detention)."""
    pardoned_share_served: float
    pardoned_remaining_days: float
    few_left: tuple[int, int]
    """People of a group freed in a batch with at most seven months left, and the group."""
    record_ids: tuple[str, ...]
    source_urls: tuple[str, ...]


def sentence_facts(sentences: pd.DataFrame) -> SentenceFacts:
    """The prior's inputs from the cleaned ``sentences`` table: one mean term per year that has
    both people sentenced to imprisonment and the years imposed (period totals of a year), and
    one per year that also has the open-type terms, imprisonment and open-type together: the
    list holds people in open-type facilities too, and their terms are shorter."""
    rows = sentences.set_index("record_id", drop=False)

    def metric(name: str) -> pd.DataFrame:
        return rows[rows["metric"] == name]

    def last(name: str) -> pd.Series:
        found = metric(name)
        if found.empty:
            raise MissingFact(f"sentences.csv keeps no {name} row, which the exit-time prior "
                              "needs: no counterfactual")
        return found.iloc[-1]

    def per_year(name: str) -> pd.DataFrame:
        found = metric(name)
        return found[found["date_precision"] == "year"].set_index("ref_date")

    people = per_year("sentenced_to_imprisonment_in_period")
    years = per_year("prison_years_imposed_in_period")
    open_people = per_year("sentenced_to_open_type_in_period")
    open_years = per_year("open_type_years_imposed_in_period")
    cohorts = sorted(set(people.index) & set(years.index))
    if not cohorts:
        raise MissingFact("sentences.csv keeps no year with both people sentenced to "
                          "imprisonment and the years imposed: no counterfactual")
    with_open = sorted(set(cohorts) & set(open_people.index) & set(open_years.index))
    long_term = last("held_sentenced_10y_plus")
    pretrial = last("held_in_pretrial_detention")
    if pretrial["date_end"] != long_term["date_end"] or pd.isna(long_term["out_of"]):
        raise MissingFact("sentences.csv has no count of the people held, and of those in "
                          "pre-trial detention, on the day of its long-term count: no "
                          "counterfactual")
    held = float(long_term["out_of"])
    served = last("pardoned_share_of_sentence_served_mean")
    remaining = last("pardoned_remaining_days_mean")
    few = last("freed_remaining_at_most_7_months")
    used = [*people.loc[cohorts, "record_id"], *years.loc[cohorts, "record_id"],
            *open_people.loc[with_open, "record_id"], *open_years.loc[with_open, "record_id"],
            long_term["record_id"], pretrial["record_id"], served["record_id"],
            remaining["record_id"], few["record_id"]]
    return SentenceFacts(
        cohort_mean_years=(
            *(float(years.at[year, "value"] / people.at[year, "value"]) for year in cohorts),
            *(float((years.at[year, "value"] + open_years.at[year, "value"])
                    / (people.at[year, "value"] + open_people.at[year, "value"]))
              for year in with_open)),
        long_term_share=(long_term["value"] / held,
                         long_term["value"] / (held - pretrial["value"])),
        sentenced_share=1.0 - pretrial["value"] / held,
        pardoned_share_served=float(served["value"]),
        pardoned_remaining_days=float(remaining["value"]),
        few_left=(int(few["value"]), int(few["out_of"])),
        record_ids=tuple(sorted(used)),
        source_urls=tuple(sorted(set(rows.loc[used, "source_url"]))),
    )


@dataclass(frozen=True)
class ExitPrior:
    """Draws of the prior's parameters (one entry per draw): cohort mean term ``mean_term``
    (years), log-sd ``sigma`` of terms, mean share served at release ``served``, and the
    selection multiplier ``selection`` on the terms of people freed in batches."""

    mean_term: np.ndarray
    sigma: np.ndarray
    served: np.ndarray
    selection: np.ndarray

    def __len__(self) -> int:
        return len(self.mean_term)

    def survival(self, days: np.ndarray) -> np.ndarray:
        """Draws × days: the share of people freed in a batch who would still be held
        ``days`` after it (1 at day 0)."""
        days = np.asarray(days, dtype="float64")
        levels = (np.arange(QUADRATURE) + 0.5) / QUADRATURE
        result = np.empty((len(self), len(days)))
        positive = days > 0
        log_years = np.log(np.where(positive, days, 1.0) / DAYS_PER_YEAR)
        for k in range(len(self)):
            a = SERVED_CONCENTRATION * self.served[k]
            left = 1.0 - stats.beta.ppf(levels, a, SERVED_CONCENTRATION - a)
            centre = (np.log(self.mean_term[k] * self.selection[k]) + self.sigma[k] ** 2 / 2
                      + np.log(np.clip(left, 1e-12, None)))
            z = (centre[None, :] - log_years[:, None]) / self.sigma[k]
            result[k] = np.where(positive, special.ndtr(z).mean(axis=1), 1.0)
        return result


def sigma_for_tail(mean_term: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Log-sd of a lognormal cohort term with mean ``mean_term`` whose length-biased stock has
    ``share`` of terms at least ``LONG_TERM_YEARS``: the root of σ²/2 + zσ − ln(10/m) = 0 with
    z the normal quantile of 1 − share."""
    z = special.ndtri(1.0 - np.asarray(share))
    return -z + np.sqrt(z**2 + 2.0 * np.log(LONG_TERM_YEARS / np.asarray(mean_term)))


def exit_prior(facts: SentenceFacts, n_draws: int = 200, seed: int = PRIOR_SEED,
               selection: tuple[float, float] = SELECTION) -> ExitPrior:
    """``n_draws`` draws of the prior's parameters from the sourced facts (module docstring)."""
    rng = np.random.default_rng(seed)
    mean_term = rng.uniform(min(facts.cohort_mean_years), max(facts.cohort_mean_years), n_draws)
    share = rng.uniform(min(facts.long_term_share), max(facts.long_term_share), n_draws)
    served = rng.uniform(0.5, max(0.5, facts.pardoned_share_served), n_draws)
    multiplier = np.exp(rng.uniform(np.log(selection[0]), np.log(selection[1]), n_draws))
    return ExitPrior(mean_term, sigma_for_tail(mean_term, share), served, multiplier)


def prior_from_sentences(sentences: pd.DataFrame | None
                         ) -> tuple[SentenceFacts | None, ExitPrior | None, str]:
    """(facts, prior, "") from a country's cleaned ``sentences`` table, or (None, None, why
    not): no table, or a fact the prior needs absent or quarantined. The one rule by which the
    counterfactual datasets and the claim tests go without a prior."""
    if sentences is None:
        return None, None, NO_FACTS
    try:
        facts = sentence_facts(sentences)
    except MissingFact as missing:
        return None, None, str(missing)
    return facts, exit_prior(facts), ""


def stock_prior(prior: ExitPrior) -> ExitPrior:
    """The same terms for a person picked at random from a steady stock: no selection, share
    served uniform; what the monthly end-of-sentence releases of the whole stock follow."""
    return ExitPrior(prior.mean_term, prior.sigma, np.full(len(prior), 0.5),
                     np.ones(len(prior)))


def batch_pieces(releases: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Each release batch's part in each model month: ``event_id``, ``batch_date`` (its first
    day), ``month``, ``day`` (middle of the part) and ``weight``, the part's share of the
    batch's expected political prisoners (middle of their stated range), which splits the
    model's monthly ``released_deals`` among the month's batches as the model spreads them."""
    batches = release_batches(releases)
    rows = []
    for batch in batches.itertuples():
        start, end = pd.Timestamp(batch.date_start), pd.Timestamp(batch.date_end)
        length = (end - start).days + 1
        expected = (batch.political_low + batch.political_high) / 2
        for month in months:
            first = max(start, month)
            last = min(end, month + pd.offsets.MonthEnd(0))
            if first > last:
                continue
            days = (last - first).days + 1
            rows.append({"event_id": batch.event_id, "batch_date": start, "month": month,
                         "day": first + pd.Timedelta(days=(days - 1) // 2),
                         "weight": expected * days / length})
    return pd.DataFrame(rows, columns=["event_id", "batch_date", "month", "day", "weight"])


def _freed_by_piece(draws: pd.DataFrame, pieces: pd.DataFrame) -> np.ndarray:
    """Draws × pieces: the model's political prisoners freed in batches, each month's draw
    split among its pieces by weight."""
    deals = draws.pivot(index="draw", columns="month", values="released_deals")
    month_total = pieces.groupby("month")["weight"].transform("sum").to_numpy()
    share = np.divide(pieces["weight"].to_numpy(), month_total,
                      out=np.zeros(len(pieces)), where=month_total > 0)
    return deals[pieces["month"]].to_numpy() * share


def _paired(draws: pd.DataFrame, prior: ExitPrior) -> int:
    n_draws = draws["draw"].nunique()
    if len(prior) < n_draws:
        raise ValueError(f"the prior has {len(prior)} draws for {n_draws} model draws; each "
                         "model draw needs its own")
    return n_draws


def deals_effect_draws(draws: pd.DataFrame, releases: pd.DataFrame, prior: ExitPrior
                       ) -> pd.DataFrame:
    """Per model draw and month: ``deals_effect``, the release batches' effect on the number
    held at the month's end (persons, 0 or less): minus the people freed in batches up to then
    who would still have been serving their terms. Draw i of ``draws`` (``flows_draws``) is
    paired with draw i of ``prior``; ``stock_no_deals`` = ``stock`` − ``deals_effect``."""
    n_draws = _paired(draws, prior)
    months = pd.DatetimeIndex(sorted(draws["month"].unique()))
    pieces = batch_pieces(releases, months)
    freed = _freed_by_piece(draws, pieces)
    month_end = (months + pd.offsets.MonthEnd(0)).to_numpy()
    elapsed = ((month_end[:, None] - pieces["day"].to_numpy()[None, :])
               / np.timedelta64(1, "D"))
    held = np.zeros((n_draws, len(months)))
    if len(pieces):
        grid = np.arange(int(max(elapsed.max(), 0)) + 1)
        survival = prior.survival(grid)[:n_draws]
        index = np.clip(elapsed, 0, None).astype(int)
        still = np.where(elapsed[None] >= 0, survival[:, index], 0.0)
        held = np.einsum("dmp,dp->dm", still, freed)
    stock = draws.pivot(index="draw", columns="month", values="stock")[months].to_numpy()
    return pd.DataFrame({
        "draw": np.repeat(np.arange(n_draws), len(months)).astype("int64"),
        "month": np.tile(months.to_numpy(), n_draws).astype("datetime64[ns]"),
        "stock": stock.reshape(-1),
        "deals_effect": -held.reshape(-1),
    })


def _summary(values: np.ndarray, name: str) -> dict[str, np.ndarray]:
    mean, low, high = mean_and_interval(values)
    return {f"{name}_mean": mean, f"{name}_low": low, f"{name}_high": high}


COUNTERFACTUAL_COLUMNS = ["country", "month",
                          *(f"{name}_{end}" for name in ("stock", "stock_no_deals",
                                                         "deals_effect")
                            for end in ("mean", "low", "high")), "reason"]


def counterfactual_monthly(draws: pd.DataFrame, releases: pd.DataFrame,
                           prior: ExitPrior | None, country: str,
                           reason: str = NO_FACTS) -> pd.DataFrame:
    """One row per model month: the modelled stock, the stock had there been no release
    batches, and the batches' effect on the number held, each as mean and 95% interval over
    the paired draws. Without a prior the counterfactual columns are missing and ``reason``
    says why (by default: no sourced sentence facts)."""
    months = pd.DatetimeIndex(sorted(draws["month"].unique()))
    stock = draws.pivot(index="draw", columns="month", values="stock")[months].to_numpy()
    columns = {"country": country, "month": months.astype("datetime64[ns]"),
               **_summary(stock, "stock")}
    if prior is None:
        for name in ("stock_no_deals", "deals_effect"):
            for end in ("mean", "low", "high"):
                columns[f"{name}_{end}"] = np.full(len(months), np.nan)
        columns["reason"] = reason
    else:
        effect = deals_effect_draws(draws, releases, prior)["deals_effect"].to_numpy()
        effect = effect.reshape(len(stock), len(months))
        columns.update(_summary(stock - effect, "stock_no_deals"))
        columns.update(_summary(effect, "deals_effect"))
        columns["reason"] = ""
    return pd.DataFrame(columns)[COUNTERFACTUAL_COLUMNS]


ADDITIONALITY_COLUMNS = ["country", "event_id", "batch_date", "horizon_months",
                         *(f"{name}_{end}" for name in ("freed", "would_have_left",
                                                        "prison_months_remitted")
                           for end in ("mean", "low", "high"))]


def deal_additionality(draws: pd.DataFrame, releases: pd.DataFrame, prior: ExitPrior | None,
                       country: str, since: pd.Timestamp = DEAL_ERA_START,
                       horizons: tuple[int, ...] = HORIZONS) -> pd.DataFrame:
    """Per release batch from ``since`` (and a total row, ``event_id`` "total", its
    ``batch_date`` missing) and horizon: political prisoners freed in the batch (the model's
    ``released_deals``), how many of them would have left at the end of their terms within the
    horizon anyway, and the prison-months the batch remitted within the horizon (freed ×
    ∫ survival), each as mean and 95% interval over the paired draws. No rows without a
    prior."""
    if prior is None:
        return pd.DataFrame(columns=ADDITIONALITY_COLUMNS)
    n_draws = _paired(draws, prior)
    months = pd.DatetimeIndex(sorted(draws["month"].unique()))
    pieces = batch_pieces(releases, months)
    pieces = pieces[pieces["batch_date"] >= since].reset_index(drop=True)
    freed_pieces = _freed_by_piece(draws, pieces)
    events = list(dict.fromkeys(pieces["event_id"]))
    freed = np.stack([freed_pieces[:, (pieces["event_id"] == event).to_numpy()].sum(axis=1)
                      for event in events], axis=1) if events else np.zeros((n_draws, 0))
    grid = np.arange(int(round(max(horizons) * DAYS_PER_MONTH)) + 1)
    survival = prior.survival(grid)[:n_draws]
    cumulative = np.concatenate([np.zeros((n_draws, 1)),
                                 np.cumsum((survival[:, 1:] + survival[:, :-1]) / 2, axis=1)],
                                axis=1) / DAYS_PER_MONTH
    dates = pieces.groupby("event_id", sort=False)["batch_date"].first()
    rows = []
    for horizon in horizons:
        day = int(round(horizon * DAYS_PER_MONTH))
        left = freed * (1.0 - survival[:, [day]])
        remitted = freed * cumulative[:, [day]]
        per_batch = {"freed": freed, "would_have_left": left, "prison_months_remitted": remitted}
        for j, event in enumerate([*events, "total"]):
            row = {"country": country, "event_id": event,
                   "batch_date": dates.get(event, pd.NaT), "horizon_months": horizon}
            for name, values in per_batch.items():
                column = values.sum(axis=1) if event == "total" else values[:, j]
                low, high = np.percentile(column, [2.5, 97.5])
                row.update({f"{name}_mean": column.mean(), f"{name}_low": low,
                            f"{name}_high": high})
            rows.append(row)
    table = pd.DataFrame(rows, columns=ADDITIONALITY_COLUMNS)
    return table.astype({"batch_date": "datetime64[ns]", "horizon_months": "int64"})


def prior_predictive_check(draws: pd.DataFrame, sentences: pd.DataFrame, prior: ExitPrior,
                           facts: SentenceFacts) -> pd.DataFrame:
    """Per month with a sourced count of end-of-sentence releases (Viasna's digests, most of them
    lower bounds): the releases the prior implies for the modelled stock, mean and 95% interval
    over the paired draws. A steady stock's sentenced members leave at the rate P(R ≤ one
    month) of a random member (``stock_prior``); the sentenced share of the stock is drawn
    between the end-2022 share (the rest in pre-trial detention) and all of it. ``consistent``:
    the interval reaches the digest (a lower bound can only be too low)."""
    n_draws = _paired(draws, prior)
    digests = sentences[sentences["metric"] == "released_end_of_sentence_in_period"]
    stock = draws.pivot(index="draw", columns="month", values="stock")
    monthly = 1.0 - stock_prior(prior).survival(np.array([DAYS_PER_MONTH]))[:n_draws, 0]
    rng = np.random.default_rng(PRIOR_SEED + 1)
    sentenced_share = rng.uniform(facts.sentenced_share, 1.0, n_draws)
    rows = []
    for digest in digests.itertuples():
        month = pd.Timestamp(digest.date_start).to_period("M").to_timestamp()
        if month not in stock.columns:
            continue
        implied = stock[month].to_numpy() * sentenced_share * monthly
        low, high = np.percentile(implied, [2.5, 97.5])
        rows.append({"month": month, "record_id": digest.record_id, "digest": digest.value,
                     "qualifier": digest.qualifier, "implied_mean": implied.mean(),
                     "implied_low": low, "implied_high": high,
                     "consistent": bool(high >= digest.value)})
    return pd.DataFrame(rows)


def pardonee_check(prior: ExitPrior, facts: SentenceFacts) -> dict[str, float]:
    """The prior against the two sourced facts on people freed early: the mean days left
    (Zerkalo, 2024 pardonees) and the share with at most seven months left (Belsat, 11 people
    freed on 11 Sep 2025; exact 95% interval). The prior's draws give the range of each."""
    days = np.arange(0, int(60 * DAYS_PER_YEAR) + 1, 7)
    survival = prior.survival(days)
    mean_left = np.trapezoid(survival, days, axis=1)
    at_most_7 = 1.0 - prior.survival(np.array([7 * DAYS_PER_MONTH]))[:, 0]
    few, group = facts.few_left
    return {
        "mean_days_left_low": float(np.percentile(mean_left, 2.5)),
        "mean_days_left_high": float(np.percentile(mean_left, 97.5)),
        "zerkalo_mean_days_left": facts.pardoned_remaining_days,
        "share_at_most_7_months_low": float(np.percentile(at_most_7, 2.5)),
        "share_at_most_7_months_high": float(np.percentile(at_most_7, 97.5)),
        "belsat_share": few / group,
        "belsat_share_low": float(stats.beta.ppf(0.025, few, group - few + 1)),
        "belsat_share_high": float(stats.beta.ppf(0.975, few + 1, group - few)),
    }
