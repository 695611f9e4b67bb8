"""Every dataset the suite builds: its description, inputs, upstream datasets and builder.

This is the lineage, readable without running anything: raw files → cleaned tables →
resolved counts and conflicts → daily series → monthly panel. Builders (and raw inputs that a
module decides) are named as ``module:function``, so that reading the catalog (as ``load`` does
on every call) imports nothing heavy, and the catalog and the build engine import no module
that builds or reads a dataset.

Every dataset is built per country (``data/processed/<country>/``) from that country's raw
folder, except those that only some countries have: ``needs="sanctions"`` (a country with
``sanctions_measures.csv``, see ``analysis.country``), ``needs="sentences"`` (a country with
``sentences.csv``) and ``needs="claim"`` (a country with
pre-registered claim dates). A builder receives None for an upstream dataset its country does
not have. ``CROSS_COUNTRY`` datasets are built once from every country's; their builder gets
the upstream datasets as ``{country: {name: frame}}``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis import country as countries
from analysis import paths
from analysis.errors import UnknownDatasetError


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    builder: str
    inputs: Callable[[str], list[Path]] = lambda country: []
    """Raw files the dataset is built from, given the country (a function, so paths follow
    ANALYSIS_DATA_DIR)."""
    upstream: tuple[str, ...] = ()
    on_request: bool = False
    """Built only when asked for by name (or by ``load``), not by a plain ``build()``: the tests
    of the claim take seconds of simulation that a data build does not need."""
    may_be_empty: bool = False
    """True where no rows is a valid outcome (no official list copy on this machine); any other
    dataset that others depend on stops the build when it comes out empty."""
    needs: str | None = None
    """``sanctions``, ``sentences`` or ``claim``: built only for the countries that have
    them."""


def _curated(table: str) -> Callable[[str], list[Path]]:
    return lambda country: [paths.country_dir(country) / f"{table}.csv"]


def _country_file(country: str) -> list[Path]:
    """``country.yml``: the counting organisation and model settings the dataset follows."""
    return [paths.country_dir(country) / paths.COUNTRY_FILE]


def _country_file_and_coverage(country: str) -> list[Path]:
    """``country.yml`` and the curated tables' ``.meta.yml`` files, whose ``months_searched``
    decide which months of the panel's event counts are zero and which are missing."""
    return [*_country_file(country), *sorted(paths.country_dir(country).glob("*.meta.yml"))]


def _listed_by(target: str) -> Callable[[str], list[Path]]:
    """Raw files that the function ``module:function`` lists (imported when asked for, as a
    builder is)."""
    def inputs(country: str) -> list[Path]:
        module, function = target.split(":")
        return getattr(importlib.import_module(module), function)()

    return inputs


def _every_country_file(country: str) -> list[Path]:
    return [paths.country_dir(each) / paths.COUNTRY_FILE for each in paths.countries()]


CLAIM_UPSTREAM = ("panel_monthly", "flows_draws", "release_events", "sentences",
                  "deal_additionality")
"""What the tests of the claim read: the panel, the model's draws, and what the no-deal
counterfactual is computed from (its draws are recomputed, not stored)."""

DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in [
        Dataset(
            "prisoner_counts",
            "Every sourced figure on political prisoners (stock, recognitions, releases, "
            "totals), conflicting figures kept as separate rows.",
            "analysis.steps:build_prisoner_counts",
            _curated("prisoner_counts"),
        ),
        Dataset(
            "release_events",
            "Announced release batches with destination, mechanism, counterpart and any stated "
            "concession; alternative counts and house-arrest transfers flagged.",
            "analysis.steps:build_release_events",
            _curated("release_events"),
        ),
        Dataset(
            "sentences",
            "Sourced facts on the terms of Belarus's political prisoners and their releases at "
            "the end of a term (people sentenced and years imposed per year, the end-2022 "
            "stock's long terms, what the 2024 pardonees had left, Viasna's end-of-sentence "
            "digests): what the exit-time prior of the no-deal counterfactual rests on.",
            "analysis.steps:build_sentences",
            _curated("sentences"),
            needs="sentences",
        ),
        Dataset(
            "relief_events",
            "Sanctions-relief and engagement steps towards Belarus, typed and dated.",
            "analysis.steps:build_relief_events",
            _curated("relief_events"),
        ),
        Dataset(
            "sanctions_measures",
            "Sanctions measures against Belarus by jurisdiction: designation packages, "
            "sectoral and aviation measures, relief, renewals; alternative counts flagged.",
            "analysis.steps:build_sanctions_measures",
            _curated("sanctions_measures"),
            needs="sanctions",
        ),
        Dataset(
            "sanctions_timeline",
            "Every escalation, relief and engagement step, dated and typed, from the sanctions "
            "measures and the relief events; a step reported in both is marked once.",
            "analysis.steps:build_sanctions_timeline",
            upstream=("sanctions_measures", "relief_events"),
        ),
        Dataset(
            "sanctions_designations",
            "Belarus targets of the official list copies (EU annex; UK: archived OFSI ConList "
            "and a fetched UK Sanctions List; US first-seen), "
            "one row per target, with listing date and what the date means.",
            "analysis.steps:build_sanctions_designations",
            _listed_by("analysis.derive.designations:list_copy_paths"),
            may_be_empty=True,
            needs="sanctions",
        ),
        Dataset(
            "count_conflicts",
            "Every metric and date with disagreeing figures, the figure chosen and the "
            "criterion of the resolution rule that decided.",
            "analysis.steps:build_count_conflicts",
            _country_file,
            upstream=("prisoner_counts",),
        ),
        Dataset(
            "flows_monthly",
            "Stock-flow model of political prisoners, one row per month: the month-end stock, "
            "recognitions, political prisoners freed in release batches and other exits, each "
            "with its 95% interval, fitted to every sourced figure at once.",
            "analysis.steps:build_flows_monthly",
            _country_file,
            upstream=("prisoner_counts", "release_events"),
        ),
        Dataset(
            "flows_draws",
            "Posterior draws of the stock-flow model's monthly stock and flows (draw, month), "
            "which the tests of the claim use to carry the model's uncertainty.",
            "analysis.steps:build_flows_draws",
            _country_file,
            upstream=("prisoner_counts", "release_events"),
        ),
        Dataset(
            "prisoners_daily",
            "Political prisoners held per day with a 95% interval, from the stock-flow model: "
            "batches leave on their day, the month's other flows spread evenly.",
            "analysis.steps:build_prisoners_daily",
            _country_file,
            upstream=("prisoner_counts", "release_events"),
        ),
        Dataset(
            "model_figures",
            "Every figure the stock-flow model reads, with how it is used (or why not), what "
            "the model fits for it with a 95% interval, the gap, and its Student-t weight: the "
            "figures the model down-weights, listed with their size instead of absorbed in "
            "silence.",
            "analysis.steps:build_model_figures",
            _country_file,
            upstream=("prisoner_counts", "release_events"),
        ),
        Dataset(
            "counterfactual_monthly",
            "The number held had there been no release batches, one row per model month: the "
            "modelled stock, the stock without batches (same entries and other exits; each "
            "person freed in a batch held until the end of the term, from the exit-time prior "
            "of the sourced sentence facts) and the batches' effect on the number held, each "
            "with its 95% interval over the model's draws paired with the prior's; missing "
            "with a reason where no sentence facts are sourced.",
            "analysis.steps:build_counterfactual_monthly",
            upstream=("flows_draws", "release_events", "sentences"),
        ),
        Dataset(
            "deal_additionality",
            "Per release batch from July 2024 (and their total) and horizon of 3, 6 and 12 "
            "months: political prisoners freed in the batch (the model's), how many would have "
            "left at the end of their terms within the horizon anyway, and the prison-months "
            "remitted, each with its 95% interval; empty where no sentence facts are sourced.",
            "analysis.steps:build_deal_additionality",
            upstream=("flows_draws", "release_events", "sentences"),
            may_be_empty=True,
        ),
        Dataset(
            "panel_monthly",
            "One row per month from September 2020: prisoners held, recognitions, releases, "
            "batches, relief and engagement steps, sanctions packages, designations per "
            "jurisdiction.",
            "analysis.steps:build_panel_monthly",
            _country_file_and_coverage,
            upstream=("prisoners_daily", "flows_monthly", "prisoner_counts", "release_events",
                      "sanctions_timeline", "sanctions_designations"),
        ),
        Dataset(
            "claim_power",
            "Verdict shares of each contrast of the claim on simulated panels of the real "
            "shape, with an effect planted at once and twice its smallest effect of interest "
            "on either side or none, and the grid that finds the effect a contrast that is not "
            "answerable would have needed (docs/hypotheses.md, third edition).",
            "analysis.steps:build_claim_power",
            upstream=CLAIM_UPSTREAM,
            on_request=True,
            needs="claim",
        ),
        Dataset(
            "claim_verdicts",
            "The answer to the claim in three parts (docs/hypotheses.md, third edition): "
            "accounting, effects against the no-deal counterfactual, repression's response; "
            "estimate, 95% interval, verdict words only where answerable, what the interval "
            "rules out, each verdict's power.",
            "analysis.steps:build_claim_verdicts",
            upstream=(*CLAIM_UPSTREAM, "claim_power"),
            on_request=True,
            needs="claim",
        ),
    ]
}

CODE_FILES = ("io.py", "validate.py", "schemas.py", "rules.py", "counting.py", "catalog.py",
              "steps.py", "country.py", "episodes.py",
              "sources", "lists", "derive", "claim")
"""Modules whose code shapes the datasets: a change to them makes every dataset stale."""


CROSS_COUNTRY: dict[str, Dataset] = {
    "episodes": Dataset(
        "episodes",
        "One row per relief-for-release episode of every country (from the episodes of each "
        "country.yml): the deal, the relief and its reversal, political prisoners freed, and "
        "the stock-flow model's count before, 12 and 24 months after, with 95% intervals.",
        "analysis.steps:build_episodes",
        _every_country_file,
        upstream=("prisoner_counts", "release_events", "flows_monthly", "flows_draws"),
    ),
    "episode_counts": Dataset(
        "episode_counts",
        "The modelled count around each episode's deal on one time axis: months from the "
        "deal and the count as a share of the same organisation's count just before it, "
        "with its 95% interval.",
        "analysis.steps:build_episode_counts",
        _every_country_file,
        upstream=("flows_draws",),
    ),
}
"""Datasets built from every configured country's; ``upstream`` names the datasets of each
country they read. Stored in ``data/processed/`` itself."""


def dataset(name: str) -> Dataset:
    try:
        return DATASETS[name] if name in DATASETS else CROSS_COUNTRY[name]
    except KeyError:
        known = ", ".join([*DATASETS, *CROSS_COUNTRY])
        raise UnknownDatasetError(f"unknown dataset {name!r}; known datasets: {known}") from None


def applies(name: str, country: str) -> bool:
    """Whether ``country`` has the dataset ``name`` (see ``Dataset.needs``)."""
    needs = dataset(name).needs
    if needs == "sanctions":
        return countries.has_sanctions(country)
    if needs == "sentences":
        return countries.has_sentences(country)
    if needs == "claim":
        return countries.has_claim(country)
    return True


def build_order(names: list[str] | None = None, country: str = paths.DEFAULT_COUNTRY
                ) -> list[str]:
    """``names`` and everything they depend on that ``country`` has, upstream first."""
    ordered: list[str] = []
    for name in names or []:
        if name in DATASETS and not applies(name, country):
            raise UnknownDatasetError(f"{name} is not built for {country}: it needs "
                                      f"{dataset(name).needs} data that country does not have")

    def visit(name: str) -> None:
        for parent in dataset(name).upstream:
            if applies(parent, country):
                visit(parent)
        if name not in ordered:
            ordered.append(name)

    for name in names or [name for name, spec in DATASETS.items()
                          if not spec.on_request and applies(name, country)]:
        visit(name)
    return ordered
