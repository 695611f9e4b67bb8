"""The countries' raw data: Belarus (with its history before September 2020), Venezuela, Cuba,
Myanmar and Nicaragua.

Each table passes the existing cleaners with nothing quarantined, every row is sourced and has
an id of its own, every ``country.yml`` names rows that exist, and no quote from the research
compilations was copied into the project (the notes are the curators' own words).
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from analysis import paths
from analysis.country import counting_organisations
from analysis.sources import curated

RAW = paths.REPO_DIR / "data" / "raw"
COUNTRIES = ("belarus", "venezuela", "cuba", "myanmar", "nicaragua")
TABLE_DIRS = tuple(RAW / country for country in COUNTRIES)
CLEANERS = {
    "prisoner_counts": (curated.clean_prisoner_counts, "record_id"),
    "release_events": (curated.clean_release_events, "event_id"),
    "relief_events": (curated.clean_relief_events, "event_id"),
}
RESEARCH = ("venezuela", "cuba", "belarus_history", "myanmar", "nicaragua")
RELAYED_ONLY = {"nicaragua": "every Mecanismo figure the research found came through a news outlet"}
"""Countries whose organisation's figures all reached the research as republications."""
QUOTE_WINDOW = 6
"""Consecutive words of a research quote that may not appear in a project file."""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _tables(country: str, table: str) -> list[Path]:
    """A country's table of one kind: a country is a folder."""
    return [RAW / country / f"{table}.csv"]


def _ids(country: str, table: str) -> set[str]:
    key = CLEANERS[table][1]
    return {row[key] for path in _tables(country, table) for row in _rows(path)}


def _country(country: str) -> dict:
    return yaml.safe_load((RAW / country / "country.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("table", sorted(CLEANERS))
@pytest.mark.parametrize("folder", TABLE_DIRS, ids=lambda p: str(p.relative_to(RAW)))
def test_tables_clean_without_quarantine(folder: Path, table: str) -> None:
    clean, key = CLEANERS[table]
    checked = clean(folder / f"{table}.csv")
    assert checked.rows_in == len(checked.rows) + len(checked.quarantine)
    assert checked.quarantine.empty, checked.quarantine.to_string()
    assert checked.rows[key].is_unique
    assert checked.rows["source_url"].str.match(r"^(https?://\S+|cite: .+)$").all(), \
        "a URL, or a citation where the source has no stored URL"
    assert (checked.rows["notes"].str.len() > 0).all(), "every row carries the curators' note"


@pytest.mark.parametrize("table", sorted(CLEANERS))
@pytest.mark.parametrize("folder", TABLE_DIRS, ids=lambda p: str(p.relative_to(RAW)))
def test_meta_describes_its_table(folder: Path, table: str) -> None:
    rows = _rows(folder / f"{table}.csv")
    meta = yaml.safe_load((folder / f"{table}.meta.yml").read_text(encoding="utf-8"))
    assert meta["rows"] == len(rows)
    assert list(meta["columns"]) == list(rows[0])
    assert meta["sources"]["domains"] and meta["known_gaps"] and meta["conflicts"]


@pytest.mark.parametrize("table", sorted(CLEANERS))
def test_ids_are_unique_across_countries(table: str) -> None:
    """Id ranges keep rows apart when the countries' tables are read together."""
    key = CLEANERS[table][1]
    seen: dict[str, Path] = {}
    for path in [folder / f"{table}.csv" for folder in TABLE_DIRS]:
        for row in _rows(path):
            assert row[key] not in seen, f"{row[key]} in {path} and {seen[row[key]]}"
            seen[row[key]] = path


@pytest.mark.parametrize("folder", TABLE_DIRS, ids=lambda p: str(p.relative_to(RAW)))
def test_references_name_existing_rows(folder: Path) -> None:
    releases = {row["event_id"] for row in _rows(folder / "release_events.csv")}
    reliefs = _rows(folder / "relief_events.csv")
    relief_ids = {row["event_id"] for row in reliefs}
    for row in _rows(folder / "release_events.csv"):
        assert row["alt_of"] in releases | {""}, row["event_id"]
    for row in reliefs:
        assert row["linked_release_event"] in releases | {""}, row["event_id"]
        assert row["same_step_as"] in relief_ids | {""}, row["event_id"]


@pytest.mark.parametrize("country", COUNTRIES)
def test_country_file_names_its_counting_organisation(country: str) -> None:
    config = _country(country)
    organisation = config["counting_organisation"]
    assert counting_organisations()[organisation["publisher"]] == organisation[
        "counts_scope"]
    assert organisation["definition"] and config["currency"] and config["iso_code"]
    counts = [row for path in _tables(country, "prisoner_counts") for row in _rows(path)]
    if country in RELAYED_ONLY:
        assert all(row["publisher"] != organisation["publisher"] for row in counts)
        assert any(row["publisher"] == "republication" for row in counts)
    else:
        assert any(row["publisher"] == organisation["publisher"] for row in counts)
    assert any(row["counts_scope"] == organisation["counts_scope"]
               and row["metric"] == config["headline_metric"] for row in counts)


@pytest.mark.parametrize("country", COUNTRIES)
def test_episodes_name_existing_rows(country: str) -> None:
    episodes = _country(country)["episodes"]
    releases = _ids(country, "release_events")
    reliefs = _ids(country, "relief_events")
    counts = _ids(country, "prisoner_counts")
    for episode in episodes:
        named = episode["release_events"] + episode.get("political_release_counts", [])
        assert set(named) <= releases, episode["id"]
        assert set(episode["relief_steps"] + episode["reversal_steps"]) <= reliefs, episode["id"]
        assert set(episode.get("release_counts", [])) <= counts, episode["id"]
        assert set(episode.get("rearrests", [])) <= counts | reliefs, episode["id"]
        assert episode["release_events"] or episode.get("release_counts"), episode["id"]
        assert episode["relief"] and episode["sources"], episode["id"]
        date.fromisoformat(episode["deal_date"])
        if episode["relief_reversed_on"] is not None:
            assert date.fromisoformat(episode["relief_reversed_on"]) >= date.fromisoformat(
                episode["relief_date"]), episode["id"]


def test_episodes_cover_the_five_countries() -> None:
    episodes = [(country, e["id"]) for country in COUNTRIES for e in _country(country)["episodes"]]
    assert len({e for _, e in episodes}) == len(episodes)
    assert len(episodes) >= 12
    assert {country for country, _ in episodes} == set(COUNTRIES)


@pytest.mark.parametrize("country", COUNTRIES)
def test_episodes_say_whether_relief_was_granted(country: str) -> None:
    """Every episode says whether relief came with it and in what form people were released,
    and its outcome series is one of its organisation's series; confounders are dated and
    sourced."""
    config = _country(country)
    organisation = config["counting_organisation"]
    series = {organisation["counts_scope"]} | {
        each["counts_scope"] for each in organisation.get("other_series") or []}
    assert isinstance(organisation["released_stay_on_list"], list)
    for episode in config["episodes"]:
        assert isinstance(episode["relief_granted"], bool), episode["id"]
        assert episode["release_form"], episode["id"]
        assert episode.get("outcome_series", organisation["counts_scope"]) in series
    for confounder in config["confounders"]:
        date.fromisoformat(confounder["date"])
        assert confounder["kind"] in ("crackdown", "election", "coup", "intervention")
        assert confounder["event"] and confounder["source"].startswith("http")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", re.sub(r"https?://\S+", " ", text).lower())


def _windows(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + QUOTE_WINDOW]) for i in range(len(words) - QUOTE_WINDOW + 1)}


def _organisation_names() -> list[str]:
    return [_country(country)["counting_organisation"]["name"] for country in COUNTRIES]


def _project_text(path: Path) -> str:
    """A file's text as the curators wrote it: names of people and of the counting
    organisations, and source addresses, which a quote may share, are left out."""
    if path.suffix != ".csv":
        text = path.read_text(encoding="utf-8")
        for name in _organisation_names():
            text = re.sub(r"\s+".join(map(re.escape, name.split())), " ", text)
        return text
    return "\n".join(" ".join(value for column, value in row.items()
                              if column not in ("people_named", "source_url"))
                     for row in _rows(path))


def test_no_research_quote_is_copied(shared_dir: Path) -> None:
    quotes: set[tuple[str, ...]] = set()
    for folder in RESEARCH:
        for path in sorted((shared_dir / "research" / folder).glob("*.csv")):
            for row in _rows(path):
                quotes |= _windows(_words(row["quote"]))
    assert quotes, "no research quotes found"
    files = [path for country in COUNTRIES for path in sorted((RAW / country).rglob("*"))
             if path.suffix in (".csv", ".yml")]
    copied = [(path.relative_to(RAW), " ".join(window)) for path in files
              for window in _windows(_words(_project_text(path))) & quotes]
    assert not copied, copied
