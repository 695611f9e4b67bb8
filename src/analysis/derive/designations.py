"""Belarus designations per month and jurisdiction, from copies of the official lists.

Which copy speaks for which jurisdiction, and for which months, is set in ``LIST_COPIES``:

- EU: the annexes of Regulation 765/2006 (OpenSanctions transcription), whose "date of
  listing" is the official listing date; the copy holds listings up to May 2026, so it covers
  every panel month. Only the asset-freeze annexes (I.A persons, I.B entities) count as
  designations; the other annexes list entities under sectoral restrictions and stay in the
  dataset with ``counts_as_designation`` false.
- UK: the OFSI Consolidated List of 10 April 2025, ``Listed On`` = original listing date;
  months up to March 2025 are covered. OFSI retired that list on 28 January 2026; the FCDO's
  UK Sanctions List replaced it. When ``fetch-lists`` has downloaded one (the latest under
  ``data/raw/lists/<date>/``), UK rows are its Belarus designations, each with the earlier
  stated date of its own ``Date Designated`` (the date under UK law, 31/12/2020 for listings
  carried over from EU law) and its ConList group's ``Listed On`` (linked by OFSI Group ID);
  ConList groups it no longer holds are kept. A person designated under two regimes (a
  Belarus and a Global Human Rights designation sharing an OFSI Group ID) counts once, in the
  month of the earlier date. Months then run to the one before the list's report date.
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

import numpy as np
import pandas as pd

from analysis import paths

REPORT_DATE = "report_date"


@dataclass(frozen=True)
class ListCopy:
    title: str
    jurisdiction: str
    relative_path: str
    format: str
    covers_from: str
    covers_to: str | None
    """Last month covered (month start); None: through the last panel month; ``REPORT_DATE``:
    the month before the file's own report date (the fetch date when the file gives none)."""
    designation_prefixes: tuple[str, ...] = ()
    """``record_id`` prefixes that are designations proper; empty: every record."""
    fetched: bool = False
    """False: ``relative_path`` is under the shared official lists folder; True: it is a file
    name in the latest ``fetch-lists`` folder that holds it."""

    def path(self) -> Path:
        if not self.fetched:
            return paths.official_lists_dir() / self.relative_path
        folders = sorted(paths.lists_dir().glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"))
        held = [folder / self.relative_path for folder in folders
                if (folder / self.relative_path).is_file()]
        return held[-1] if held else paths.lists_dir() / self.relative_path

    def coverage_end(self) -> pd.Timestamp | None:
        if self.covers_to != REPORT_DATE:
            return pd.Timestamp(self.covers_to) if self.covers_to else None
        # analysis.lists imports openpyxl: not on a no-op load()
        from analysis.lists.uksl import read_report_date

        path = self.path()
        day = read_report_date(path) or pd.Timestamp(path.parent.name)
        return (pd.Timestamp(day).to_period("M") - 1).to_timestamp()


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

FETCHED_COPIES = (
    ListCopy("FCDO UK Sanctions List, latest fetched copy (OGL)", "UK", "UK-Sanctions-List.csv",
             "uk_sl_csv", "2020-09-01", REPORT_DATE, fetched=True),
)
"""Copies ``fetch-lists`` downloads; a fetched copy joins the shared ones of its jurisdiction."""

DESIGNATION_COLUMNS = {"EU": "designations_eu", "US": "designations_us", "UK": "designations_uk"}


def all_copies() -> tuple[ListCopy, ...]:
    return LIST_COPIES + FETCHED_COPIES


def _named_copies() -> list[ListCopy]:
    """The shared copies, here or not (a missing one is reported), and fetched ones only once
    fetched, so a chart never credits a list it was not drawn from."""
    return [copy for copy in all_copies() if not copy.fetched or copy.path().exists()]


def list_copy_paths() -> list[Path]:
    return [copy.path() for copy in _named_copies()]


def list_copy_titles() -> dict[Path, str]:
    """Each list copy's path and the title a chart's source line gives it."""
    return {copy.path(): copy.title for copy in _named_copies()}


def read_belarus_designations(copies: tuple[ListCopy, ...] | None = None) -> pd.DataFrame:
    """Belarus targets of every available copy, one row per target, with ``list_file``."""
    # analysis.lists imports openpyxl: list_copy_paths() is on every load(), these are not
    from analysis.lists import LIST_COLUMNS, first_seen_targets, read_sanctions_list
    from analysis.lists.uksl import read_uk_sanctions_list

    frames, uk, uk_position = [], {}, None
    for copy in all_copies() if copies is None else copies:
        path = copy.path()
        if not path.exists():
            continue
        if copy.jurisdiction == "UK":
            uk_position = len(frames) if uk_position is None else uk_position
            uk[path] = (read_uk_sanctions_list(path, copy.format)
                        if copy.format.startswith("uk_sl_")
                        else read_sanctions_list(path, format=copy.format))
            continue
        targets = (first_seen_targets(path) if copy.format == "ofac_first_seen"
                   else read_sanctions_list(path, format=copy.format))
        targets = targets[targets["belarus"]]
        counts = (targets["record_id"].str.startswith(copy.designation_prefixes)
                  if copy.designation_prefixes else True)
        frames.append(targets.assign(list_file=paths.display_path(path),
                                     counts_as_designation=counts))
    if uk:
        frames.insert(uk_position, _uk_designations(uk))
    columns = [*LIST_COLUMNS, "list_file", "counts_as_designation"]
    if not frames:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in columns})
    return pd.concat(frames, ignore_index=True)[columns]


def _uk_designations(copies: dict[Path, pd.DataFrame]) -> pd.DataFrame:
    """Belarus rows of the UK copies: ConList alone as read, or with a UK Sanctions List the
    best date per designation (``best_uk_dates``), one counted row per OFSI Group ID."""
    # analysis.lists imports openpyxl: not on a no-op load()
    from analysis.lists.uksl import GROUP_ID, best_uk_dates

    files = {frame["source"].iloc[0]: paths.display_path(path)
             for path, frame in copies.items() if len(frame)}
    uk_lists = [frame for frame in copies.values() if GROUP_ID in frame.columns]
    conlists = [frame for frame in copies.values() if GROUP_ID not in frame.columns]
    if not uk_lists:
        belarus = conlists[0][conlists[0]["belarus"]]
        return belarus.assign(list_file=belarus["source"].map(files), counts_as_designation=True)
    best = best_uk_dates(conlists[0], uk_lists[0]) if conlists else uk_lists[0]
    best = best[best["belarus"]].reset_index(drop=True)
    order = best.assign(undated=best["listed_on"].isna()).sort_values(
        ["undated", "listed_on"], kind="stable")
    repeated = order[GROUP_ID].notna() & order.duplicated(GROUP_ID)
    return best.assign(list_file=best["source"].map(files),
                       counts_as_designation=~repeated.reindex(best.index))


def designations_monthly(designations: pd.DataFrame, months: pd.DatetimeIndex,
                         copies: tuple[ListCopy, ...] | None = None) -> pd.DataFrame:
    """``month`` and one ``designations_*`` column per jurisdiction: NA outside coverage or
    where the copy is missing, zero in covered months without a listing. Months covered by
    any copy of a jurisdiction that is here count."""
    # analysis.lists imports openpyxl: not on a no-op load()
    from analysis.lists import designations_by_month

    monthly, _ = designations_by_month(
        designations[designations["counts_as_designation"].astype(bool)])
    table = pd.DataFrame({"month": months})
    available = set(designations["jurisdiction"].dropna())
    covered: dict[str, np.ndarray] = {}
    for copy in all_copies() if copies is None else copies:
        here = copy.jurisdiction in available and (not copy.fetched or copy.path().exists())
        end = copy.coverage_end() if here else None
        mask = (months >= pd.Timestamp(copy.covers_from)) & here
        if end is not None:
            mask &= months <= end
        covered[copy.jurisdiction] = covered.get(copy.jurisdiction, False) | np.asarray(mask)
    for jurisdiction, mask in covered.items():
        counts = monthly[monthly["jurisdiction"] == jurisdiction].set_index("month")
        values = counts["designations"].reindex(months, fill_value=0).astype("Int64")
        table[DESIGNATION_COLUMNS[jurisdiction]] = values.where(mask).array
    return table


def coverage_table(copies: tuple[ListCopy, ...] | None = None) -> pd.DataFrame:
    """Which list copy speaks for each jurisdiction, the months it covers, and if it is here."""
    rows = []
    for copy in all_copies() if copies is None else copies:
        here = copy.path().exists()
        end = copy.coverage_end() if here or copy.covers_to != REPORT_DATE else None
        rows.append({
            "jurisdiction": copy.jurisdiction,
            "list_copy": copy.title,
            "covers_from": pd.Timestamp(copy.covers_from),
            "covers_to": end if end is not None else pd.NaT,
            "available_here": here,
        })
    return pd.DataFrame(rows)


def date_basis_table(designations: pd.DataFrame) -> pd.DataFrame:
    """Belarus designations per jurisdiction, list file and what their date means
    (``listed_on_basis``), counted ones and all rows: where each panel count's dates come from."""
    return (designations.groupby(["jurisdiction", "list_file", "listed_on_basis"])
            .agg(rows=("record_id", "size"),
                 counted=("counts_as_designation", lambda counts: int(counts.astype(bool).sum())))
            .reset_index())
