"""Approximate OFAC designation dates from the archive-derived first-seen file.

``belarus_first_seen.csv`` gives, for each Belarus-programme SDN entry of a May 2024 ``sdn.csv``,
``first_seen_commit_utc``: the time of the first archived copy of the list (archived every six
hours from 2021-08-18) that holds it. That time is an upper bound: publication happened at or
before it, and after ``previous_snapshot_utc`` when that is given. Entries already in the first
copy were listed on or before 2021-08-18 (many years earlier for the 2006-2011 designations);
they keep 2021-08-18, so monthly counts show them as a spike in August 2021 that is not a wave
of new designations. Dates are the UTC calendar day of ``first_seen_commit_utc``, with basis
``first_seen_in_archive``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.lists.ofac import split_programmes
from analysis.lists.targets import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    csv_records,
    join_programmes,
    read_text,
    target_frame,
)
from analysis.paths import display_path

FORMAT = "ofac_first_seen"
REQUIRED_COLUMNS = ["ent_num", "sdn_name", "program_latest", "first_seen_commit_utc"]
BASIS = "first_seen_in_archive"


def first_seen_targets(first_seen_csv: str | Path) -> pd.DataFrame:
    """The first-seen entries as ``LIST_COLUMNS`` rows (US, Belarus), to count designations
    that a current list would hold. ``kind`` is NA: the file does not say."""
    path = Path(first_seen_csv)
    return target_frame({
        "source": f"{FORMAT}:{path.name}",
        "jurisdiction": "US",
        "record_id": row["ent_num"],
        "name": row["sdn_name"],
        "kind": None,
        "programmes": join_programmes(split_programmes(row["program_latest"])),
        "belarus": True,
        "listed_on": row["first_seen"],
        "listed_on_basis": BASIS,
    } for row in _first_seen_rows(path))


def attach_first_seen(frame: pd.DataFrame, first_seen_csv: str | Path) -> pd.DataFrame:
    """A copy of ``frame`` whose undated US rows found in the first-seen file get that date.

    Rows that already carry a date (from ``sdn_advanced.xml``) keep it: an official date beats
    an archive bound.
    """
    rows = _first_seen_rows(Path(first_seen_csv))
    first_seen = {row["ent_num"]: row["first_seen"] for row in rows}
    result = frame.copy()
    dates = pd.to_datetime(result["record_id"].map(first_seen).astype(object)).astype(
        "datetime64[ns]")
    fill = result["jurisdiction"].eq("US") & result["listed_on"].isna() & dates.notna()
    result.loc[fill, "listed_on"] = dates[fill]
    result.loc[fill, "listed_on_basis"] = BASIS
    return result


def _first_seen_rows(path: Path) -> list[dict]:
    shown = display_path(path)
    rows = csv_records(path, read_text(path))
    header_line, header = next(rows, (1, []))
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise InputError(shown, f"a header row with {', '.join(REQUIRED_COLUMNS)}",
                         row=header_line, column=missing[0], value="missing")
    found = []
    for line, values in rows:
        if len(values) != len(header):
            raise InputError(shown, f"{len(header)} fields as in the header", row=line,
                             value=f"{len(values)} fields")
        row = dict(zip(header, (value.strip() for value in values), strict=True))
        if not row["ent_num"].isascii() or not row["ent_num"].isdigit():
            raise InputError(shown, "a whole number", row=line, column="ent_num",
                             value=row["ent_num"])
        row["first_seen"] = _utc_day(shown, line, row["first_seen_commit_utc"])
        found.append(row)
    return found


def _utc_day(shown: str, line: int, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if (moment is None or moment.tzinfo is None
            or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR):
        raise InputError(shown, "an ISO 8601 time with its UTC offset", row=line,
                         column="first_seen_commit_utc", value=value)
    day = moment.astimezone(UTC)
    return datetime(day.year, day.month, day.day)
