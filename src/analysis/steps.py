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


def build_flows_monthly(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.derive.flows import fitted_flows, flows_monthly

    counts = upstream["prisoner_counts"]
    return _derived(flows_monthly(fitted_flows(counts, upstream["release_events"])),
                    len(counts))


def build_flows_draws(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.derive.flows import fitted_flows, flows_draws

    counts = upstream["prisoner_counts"]
    return _derived(flows_draws(fitted_flows(counts, upstream["release_events"])), len(counts))


def build_prisoners_daily(upstream: dict[str, pd.DataFrame], files: list[Path]) -> Built:
    from analysis.derive.flows import fitted_flows, prisoners_daily

    counts = upstream["prisoner_counts"]
    return _derived(prisoners_daily(fitted_flows(counts, upstream["release_events"])),
                    len(counts))


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
