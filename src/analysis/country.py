"""What a country's ``country.yml`` says, read in one place.

A country is configuration and data: ``data/raw/<country>/`` holds ``country.yml`` and the
curated tables. Everything country-specific that code needs comes from here, so no country
name appears in the code (Belarus is only the default, ``paths.DEFAULT_COUNTRY``).

Sanctions data are optional: a country has sanctions measures and official-list designations
when its folder holds ``sanctions_measures.csv`` (only Belarus does). The presence of the file
decides rather than a flag in ``country.yml``, so the data cannot claim a table that is not
there; the official list copies are read only for such a country, and the columns built from
them are missing (not zero) elsewhere.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths
from analysis.errors import InputError
from analysis.io import read_yaml

SANCTIONS_TABLE = "sanctions_measures"
SENTENCES_TABLE = "sentences"


def config(country: str = paths.DEFAULT_COUNTRY) -> dict[str, Any]:
    """The parsed ``country.yml`` (re-read when the file changes)."""
    path = paths.country_dir(country) / paths.COUNTRY_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        known = ", ".join(paths.countries()) or "none"
        raise InputError(paths.display_path(path), f"a configured country ({known}); a country "
                         f"is a folder of data/raw with a {paths.COUNTRY_FILE}") from None
    return _read(path, stamp)


@cache
def _read(path: Path, stamp: int) -> dict[str, Any]:
    parsed = read_yaml(path, "the country's configuration") or {}
    if not isinstance(parsed, dict):
        raise InputError(paths.display_path(path), "keys such as name: and "
                         "counting_organisation:, one per line")
    for key in ("name", "counting_organisation", "headline_metric"):
        if key not in parsed:
            raise InputError(paths.display_path(path), f"the key {key!r}")
    return parsed


def counting_organisations() -> dict[str, str]:
    """Each configured country's counting organisation: its ``publisher`` value (its own
    publication) and the ``counts_scope`` of figures under its definition, default country
    first. A new organisation is a new ``country.yml``, not a code change.

    Read on each call from the current data folder (each file's parse is cached until it
    changes), so it follows ANALYSIS_DATA_DIR and nothing is read at import."""
    organisations: dict[str, str] = {}
    for each in paths.countries():
        organisation = config(each)["counting_organisation"] or {}
        shown = paths.display_path(paths.country_dir(each) / paths.COUNTRY_FILE)
        publisher, scope = organisation.get("publisher"), organisation.get("counts_scope")
        if not publisher or not scope:
            raise InputError(shown, "a publisher and a counts_scope", row="counting_organisation")
        if organisations.setdefault(publisher, scope) != scope:
            raise InputError(shown, f"the counts_scope another country gives {publisher!r} "
                             f"({organisations[publisher]!r})", row="counting_organisation",
                             value=scope)
    return organisations


def other_series() -> list[str]:
    """``counts_scope`` values of the organisations' other series (``other_series`` in
    ``country.yml``): a count kept under an earlier definition, never joined to the headline
    series; the model leaves it out, and an episode names it as its ``outcome_series``."""
    return [series["counts_scope"] for each in paths.countries()
            for series in (config(each)["counting_organisation"] or {}).get("other_series") or []]


def has_sanctions(country: str = paths.DEFAULT_COUNTRY) -> bool:
    return (paths.country_dir(country) / f"{SANCTIONS_TABLE}.csv").is_file()


def has_sentences(country: str = paths.DEFAULT_COUNTRY) -> bool:
    """Whether the country has sourced sentence facts (``sentences.csv``), from which the
    no-deal counterfactual's exit-time prior is derived; as for sanctions, the file decides."""
    return (paths.country_dir(country) / f"{SENTENCES_TABLE}.csv").is_file()


def has_claim(country: str = paths.DEFAULT_COUNTRY) -> bool:
    """Whether the country has pre-registered tests of the claim (claim dates in its file)."""
    return bool((config(country).get("claim_test") or {}).get("deal_era_start"))


def publisher(country: str = paths.DEFAULT_COUNTRY) -> str:
    return config(country)["counting_organisation"]["publisher"]


def headline_scope(country: str = paths.DEFAULT_COUNTRY) -> str:
    return config(country)["counting_organisation"]["counts_scope"]


def _month(value: Any) -> Any:
    return None if value in (None, "") else pd.Timestamp(str(value)).to_period("M").to_timestamp()


def model_start(country: str = paths.DEFAULT_COUNTRY):
    """First month of the stock-flow model (``model.start`` in ``country.yml``), or None for
    the month of the first usable figure."""
    return _month((config(country).get("model") or {}).get("start"))


def panel_start(country: str = paths.DEFAULT_COUNTRY):
    """First month of ``panel_monthly`` (``model.panel_start``), or None for the model's
    first month."""
    return _month((config(country).get("model") or {}).get("panel_start"))


def episodes(country: str = paths.DEFAULT_COUNTRY) -> list[dict[str, Any]]:
    return list(config(country).get("episodes") or [])


def countries_table():
    """One row per configured country: who counts, how, coverage and the deal-era dates."""
    rows = []
    for country in paths.countries():
        parsed = config(country)
        organisation = parsed["counting_organisation"]
        coverage = parsed.get("coverage") or {}
        claim = parsed.get("claim_test") or {}
        rows.append({
            "country": country,
            "name": parsed["name"],
            "counting_organisation": organisation.get("name"),
            "publisher": organisation.get("publisher"),
            "counts_scope": organisation.get("counts_scope"),
            "definition": organisation.get("definition"),
            "coverage_first": str(coverage.get("current_count_first") or ""),
            "coverage_last": str(coverage.get("current_count_last") or ""),
            "deal_era_start": claim.get("deal_era_start"),
            "us_relief_start": claim.get("us_relief_start"),
            "deal_dates": ", ".join(str(episode["deal_date"])
                                    for episode in parsed.get("episodes") or []),
            "has_sanctions_data": has_sanctions(country),
        })
    return pd.DataFrame(rows)
