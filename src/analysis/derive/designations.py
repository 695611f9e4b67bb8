"""Belarus designations per month and jurisdiction, from copies of the official lists.

Which copy speaks for which jurisdiction, and for which months, is set in ``LIST_COPIES``:

- EU: the annexes of Regulation 765/2006 (OpenSanctions transcription), whose "date of
  listing" is the official listing date; the copy holds listings up to May 2026, so it covers
  every panel month. Only the asset-freeze annexes (I.A persons, I.B entities) count as
  designations; the other annexes list entities under sectoral restrictions and stay in the
  dataset with ``counts_as_designation`` false.
- UK: the OFSI Consolidated List of 10 April 2025, ``Listed On`` = original listing date;
  months up to March 2025 are covered, later months are unknown.
- US: the legacy SDN files carry no dates, so US months come from the first-seen file (when an
  entry first appeared in a six-hourly archive of the list). Entries already in the first
  archived copy (18 Aug 2021) could have been listed any time before, so months before
  September 2021 are unknown; the file was built from a May 2024 copy, so months from May 2024
  are unknown too. First-seen dates are upper bounds, at most six hours late.

Months outside a copy's coverage are missing (NA) in the panel, never zero. Every copy is a
*current* list: targets delisted before the copy was made are absent, so early months are
undercounted (survivor bias). A copy that is not on this machine leaves its jurisdiction's
column missing and is reported by the build; it never stops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import paths


@dataclass(frozen=True)
class ListCopy:
    title: str
    jurisdiction: str
    relative_path: str
    format: str
    covers_from: str
    covers_to: str | None
    """Last month covered (month start); None: through the last panel month."""
    designation_prefixes: tuple[str, ...] = ()
    """``record_id`` prefixes that are designations proper; empty: every record."""


LIST_COPIES = (
    ListCopy("EU Regulation 765/2006 annexes (OpenSanctions transcription, CC BY-NC 4.0)",
             "EU", "eu_reg_765_2006_annex/32006R0765.csv", "eu_annex_csv", "2020-09-01", None,
             designation_prefixes=("I.A/", "I.B/")),
    ListCopy("OFSI Consolidated List of 10 Apr 2025 (OGL)", "UK",
             "uk_ofsi_conlist_2025-04-10/ConList.xlsx", "ofsi_xlsx", "2020-09-01", "2025-03-01"),
    ListCopy("OFAC SDN list, first seen in six-hourly archives to May 2024", "US",
             "ofac_belarus_first_seen/belarus_first_seen.csv", "ofac_first_seen",
             "2021-09-01", "2024-04-01"),
)

DESIGNATION_COLUMNS = {"EU": "designations_eu", "US": "designations_us", "UK": "designations_uk"}


def list_copy_paths() -> list[Path]:
    return [paths.official_lists_dir() / copy.relative_path for copy in LIST_COPIES]


def list_copy_titles() -> dict[Path, str]:
    """Each list copy's path and the title a chart's source line gives it."""
    return {paths.official_lists_dir() / copy.relative_path: copy.title for copy in LIST_COPIES}


def read_belarus_designations(copies: tuple[ListCopy, ...] = LIST_COPIES) -> pd.DataFrame:
    """Belarus targets of every available copy, one row per target, with ``list_file``."""
    from analysis.lists import LIST_COLUMNS, first_seen_targets, read_sanctions_list

    frames = []
    for copy in copies:
        path = paths.official_lists_dir() / copy.relative_path
        if not path.exists():
            continue
        targets = (first_seen_targets(path) if copy.format == "ofac_first_seen"
                   else read_sanctions_list(path, format=copy.format))
        targets = targets[targets["belarus"]]
        counts = (targets["record_id"].str.startswith(copy.designation_prefixes)
                  if copy.designation_prefixes else True)
        frames.append(targets.assign(list_file=paths.display_path(path),
                                     counts_as_designation=counts))
    columns = [*LIST_COLUMNS, "list_file", "counts_as_designation"]
    if not frames:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in columns})
    return pd.concat(frames, ignore_index=True)[columns]


def designations_monthly(designations: pd.DataFrame, months: pd.DatetimeIndex,
                         copies: tuple[ListCopy, ...] = LIST_COPIES) -> pd.DataFrame:
    """``month`` and one ``designations_*`` column per jurisdiction: NA outside coverage or
    where the copy is missing, zero in covered months without a listing."""
    from analysis.lists import designations_by_month

    monthly, _ = designations_by_month(
        designations[designations["counts_as_designation"].astype(bool)])
    table = pd.DataFrame({"month": months})
    available = set(designations["jurisdiction"].dropna())
    for copy in copies:
        column = DESIGNATION_COLUMNS[copy.jurisdiction]
        counts = monthly[monthly["jurisdiction"] == copy.jurisdiction].set_index("month")
        values = counts["designations"].reindex(months, fill_value=0).astype("Int64")
        covered = months >= pd.Timestamp(copy.covers_from)
        if copy.covers_to is not None:
            covered &= months <= pd.Timestamp(copy.covers_to)
        if copy.jurisdiction not in available:
            covered &= False
        table[column] = values.where(covered).array
    return table


def coverage_table(copies: tuple[ListCopy, ...] = LIST_COPIES) -> pd.DataFrame:
    """Which list copy speaks for each jurisdiction, the months it covers, and if it is here."""
    return pd.DataFrame([{
        "jurisdiction": copy.jurisdiction,
        "list_copy": copy.title,
        "covers_from": pd.Timestamp(copy.covers_from),
        "covers_to": pd.Timestamp(copy.covers_to) if copy.covers_to else pd.NaT,
        "available_here": (paths.official_lists_dir() / copy.relative_path).exists(),
    } for copy in copies])
