"""Builders named in the catalog: load inputs → process → return what to save.

Each takes the upstream datasets (already built and read) and the raw input paths, and
returns a ``Built``; ``analysis.store`` validates, writes and records provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.validate import empty_quarantine


@dataclass(frozen=True)
class Built:
    frame: pd.DataFrame
    quarantine: pd.DataFrame
    rows_in: int


def _derived(frame: pd.DataFrame, rows_in: int) -> Built:
    return Built(frame, empty_quarantine(), rows_in)


def _cleaned(checked) -> Built:
    return Built(checked.rows, checked.quarantine, checked.rows_in)


def build_prisoner_counts(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.sources.curated import clean_prisoner_counts

    return _cleaned(clean_prisoner_counts(files[0]))


def build_release_events(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.sources.curated import clean_release_events

    return _cleaned(clean_release_events(files[0]))


def build_relief_events(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.sources.curated import clean_relief_events

    return _cleaned(clean_relief_events(files[0]))


def build_sanctions_measures(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.sources.curated import clean_sanctions_measures

    return _cleaned(clean_sanctions_measures(files[0]))


def build_sanctions_timeline(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.derive.timeline import build_sanctions_timeline as build

    measures, relief = upstream["sanctions_measures"], upstream["relief_events"]
    return _derived(build(measures, relief), len(measures) + len(relief))


def build_sanctions_designations(upstream: dict[str, pd.DataFrame], files: list[Path]
                                 ) -> Built:
    from analysis.derive.designations import read_belarus_designations

    designations = read_belarus_designations()
    return _derived(designations, len(designations))


def build_count_conflicts(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.derive.resolve import conflicts_report

    counts = upstream["prisoner_counts"]
    return _derived(conflicts_report(counts), len(counts))


def _from_model(name: str, make, upstream: dict[str, pd.DataFrame]) -> Built:
    """A dataset of the stock-flow model, or an empty one with its columns when the model has
    no count of the number held to fit."""
    from analysis.derive.flows import fitted_flows
    from analysis.schemas import PROCESSED

    counts = upstream["prisoner_counts"]
    fit = fitted_flows(counts, upstream["release_events"])
    frame = make(fit) if fit is not None else pd.DataFrame(
        columns=list(PROCESSED[name].columns))
    return _derived(frame, len(counts))


def build_flows_monthly(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.derive.flows import flows_monthly

    return _from_model("flows_monthly", flows_monthly, upstream)


def build_flows_draws(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.derive.flows import flows_draws

    return _from_model("flows_draws", flows_draws, upstream)


def build_prisoners_daily(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.derive.flows import prisoners_daily

    return _from_model("prisoners_daily", prisoners_daily, upstream)


def build_panel_monthly(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.derive.panel import build_panel_monthly as build
    from analysis.sources.curated import read_series_coverage

    daily = upstream["prisoners_daily"]
    panel = build(daily, upstream["prisoner_counts"], upstream["release_events"],
                  upstream["sanctions_timeline"], upstream["sanctions_designations"],
                  upstream["flows_monthly"], coverage=read_series_coverage())
    return _derived(panel, len(daily))


def build_claim_power(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.claim import claim_data, power_table

    data = claim_data(upstream["panel_monthly"], upstream["flows_draws"])
    return _derived(power_table(data), len(upstream["panel_monthly"]))


def build_claim_verdicts(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.claim import power_summary, test_claim

    verdicts = test_claim(upstream["panel_monthly"], draws=upstream["flows_draws"],
                          power=power_summary(upstream["claim_power"]))
    return _derived(verdicts, len(upstream["panel_monthly"]))
