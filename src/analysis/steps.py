"""Builders named in the catalog: load inputs → process → return what to save.

Each takes the upstream datasets (already built and read; None for one the country does not
have), the raw input paths and the country, and returns a ``Built``; ``analysis.store``
validates, writes and records provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import country as countries
from analysis import paths
from analysis.derive.designations import read_belarus_designations
from analysis.derive.panel import build_panel_monthly as build_panel
from analysis.derive.resolve import conflicts_report, resolution_rule
from analysis.derive.timeline import build_sanctions_timeline as build_timeline
from analysis.episodes import episode_counts_table, episodes_table
from analysis.schemas import PROCESSED
from analysis.sources.curated import (
    clean_prisoner_counts,
    clean_release_events,
    clean_relief_events,
    clean_sanctions_measures,
    clean_sentences,
    read_series_coverage,
)
from analysis.validate import empty_quarantine

Upstream = dict[str, pd.DataFrame | None]
ByCountry = dict[str, dict[str, pd.DataFrame]]
"""What a builder of ``catalog.CROSS_COUNTRY`` gets: each country's upstream datasets."""


@dataclass(frozen=True)
class Built:
    frame: pd.DataFrame
    quarantine: pd.DataFrame
    rows_in: int


def _derived(frame: pd.DataFrame, rows_in: int) -> Built:
    return Built(frame, empty_quarantine(), rows_in)


def _cleaned(checked) -> Built:
    return Built(checked.rows, checked.quarantine, checked.rows_in)


def build_prisoner_counts(upstream: Upstream, files: list[Path], country: str) -> Built:
    return _cleaned(clean_prisoner_counts(files[0]))


def build_release_events(upstream: Upstream, files: list[Path], country: str) -> Built:
    return _cleaned(clean_release_events(files[0]))


def build_sentences(upstream: Upstream, files: list[Path], country: str) -> Built:
    return _cleaned(clean_sentences(files[0]))


def build_relief_events(upstream: Upstream, files: list[Path], country: str) -> Built:
    return _cleaned(clean_relief_events(files[0]))


def build_sanctions_measures(upstream: Upstream, files: list[Path], country: str) -> Built:
    return _cleaned(clean_sanctions_measures(files[0]))


def build_sanctions_timeline(upstream: Upstream, files: list[Path], country: str) -> Built:
    measures, relief = upstream["sanctions_measures"], upstream["relief_events"]
    timeline = build_timeline(measures, relief)
    return _derived(timeline, len(relief) + (0 if measures is None else len(measures)))


def build_sanctions_designations(upstream: Upstream, files: list[Path], country: str) -> Built:
    designations = read_belarus_designations()
    return _derived(designations, len(designations))


def build_count_conflicts(upstream: Upstream, files: list[Path], country: str) -> Built:
    counts = upstream["prisoner_counts"]
    return _derived(conflicts_report(counts, resolution_rule(country)), len(counts))


def country_fit(upstream: Upstream, country: str):
    """The stock-flow model of the country's counts, with its counting organisation's rule,
    headline scope and model start; None when no count of the number held can be placed."""
    from analysis.derive.flows import fitted_flows  # scipy: only builds that fit the model

    return fitted_flows(upstream["prisoner_counts"], upstream["release_events"],
                        resolution_rule(country), countries.headline_scope(country),
                        countries.model_start(country))


def _from_model(name: str, make, upstream: Upstream, country: str) -> Built:
    """A dataset of the stock-flow model, or an empty one with its columns when the model has
    no count of the number held to fit."""
    fit = country_fit(upstream, country)
    frame = make(fit) if fit is not None else pd.DataFrame(
        columns=list(PROCESSED[name].columns))
    return _derived(frame, len(upstream["prisoner_counts"]))


def build_flows_monthly(upstream: Upstream, files: list[Path], country: str) -> Built:
    from analysis.derive.flows import flows_monthly  # scipy: only builds that fit the model

    return _from_model("flows_monthly", flows_monthly, upstream, country)


def build_flows_draws(upstream: Upstream, files: list[Path], country: str) -> Built:
    from analysis.derive.flows import flows_draws  # scipy: only builds that fit the model

    return _from_model("flows_draws", flows_draws, upstream, country)


def build_prisoners_daily(upstream: Upstream, files: list[Path], country: str) -> Built:
    from analysis.derive.flows import prisoners_daily  # scipy: only builds that fit the model

    return _from_model("prisoners_daily", prisoners_daily, upstream, country)


def build_model_figures(upstream: Upstream, files: list[Path], country: str) -> Built:
    from analysis.derive.flows import model_figures  # scipy: only builds that fit the model

    return _from_model("model_figures", model_figures, upstream, country)


def build_counterfactual_monthly(upstream: Upstream, files: list[Path], country: str) -> Built:
    from analysis.derive.exits import (  # scipy: model builds only
        counterfactual_monthly,
        prior_from_sentences,
    )

    draws = upstream["flows_draws"]
    _, prior, reason = prior_from_sentences(upstream["sentences"])
    table = counterfactual_monthly(draws, upstream["release_events"], prior, country, reason)
    return _derived(table, draws["month"].nunique())


def build_deal_additionality(upstream: Upstream, files: list[Path], country: str) -> Built:
    from analysis.derive.exits import (  # scipy: model builds only
        deal_additionality,
        prior_from_sentences,
    )

    _, prior, _ = prior_from_sentences(upstream["sentences"])
    era = (countries.config(country).get("claim_test") or {}).get("deal_era_start")
    extra = {"since": pd.Timestamp(str(era))} if era else {}
    table = deal_additionality(upstream["flows_draws"], upstream["release_events"], prior,
                               country, **extra)
    return _derived(table, len(table))


def build_panel_monthly(upstream: Upstream, files: list[Path], country: str) -> Built:
    daily = upstream["prisoners_daily"]
    panel = build_panel(daily, upstream["prisoner_counts"], upstream["release_events"],
                        upstream["sanctions_timeline"], upstream["sanctions_designations"],
                        upstream["flows_monthly"], resolution_rule(country),
                        coverage=read_series_coverage(paths.country_dir(country)),
                        start=countries.panel_start(country),
                        sanctions=countries.has_sanctions(country))
    return _derived(panel, len(daily))


def _claim_inputs(upstream: Upstream):
    """The tests' inputs: the panel, the model's draws and the no-deal counterfactual."""
    from analysis.claim.data import (  # scipy.stats: claim builds only
        additionality_totals,
        claim_data,
        counterfactual_draws,
    )

    draws = upstream["flows_draws"]
    return claim_data(upstream["panel_monthly"], draws,
                      counterfactual_draws(draws, upstream["release_events"],
                                           upstream["sentences"]),
                      additionality_totals(upstream["deal_additionality"]))


def build_claim_power(upstream: Upstream, files: list[Path], country: str) -> Built:
    from analysis.claim import power_table  # scipy.stats: claim builds only

    return _derived(power_table(_claim_inputs(upstream)), len(upstream["panel_monthly"]))


def build_claim_verdicts(upstream: Upstream, files: list[Path], country: str) -> Built:
    from analysis.claim.report import answer  # scipy.stats: claim builds only

    verdicts = answer(_claim_inputs(upstream), power=upstream["claim_power"])
    return _derived(verdicts, len(upstream["panel_monthly"]))


def build_episodes(upstream: ByCountry, files: list[Path], country: None) -> Built:
    table = episodes_table(upstream)
    return _derived(table, len(table))


def build_episode_counts(upstream: ByCountry, files: list[Path], country: None) -> Built:
    table = episode_counts_table(upstream)
    return _derived(table, len(table))
