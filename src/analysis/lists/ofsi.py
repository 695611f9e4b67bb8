"""HM Treasury OFSI Consolidated List (ConList.xlsx and ConList.csv, same layout).

Row 1 holds ``Last Updated`` and its date, row 2 the header (36 columns), then one row per name
variant; ``Group ID`` identifies the designated person, entity or ship. Rows are folded into one
target per ``Group ID``: the name comes from the ``Primary name`` row, programmes are the
distinct ``Regime`` values, and ``listed_on`` is ``Listed On`` (DD/MM/YYYY, basis
``official_listing_date``). A target listed under several regimes carries the Belarus regime's
date when it has one, since that is the designation this project counts, else the earliest.

Strictness: a row whose ``Listed On`` cannot be read, whose ``Group Type`` is unknown or whose
field count differs from the header raises InputError naming file, line and column; an empty
``Listed On`` leaves the target undated (basis ``unknown``).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from analysis.errors import InputError
from analysis.lists.targets import (
    csv_records,
    decoding_error,
    join_programmes,
    parse_day,
    target_frame,
)
from analysis.paths import display_path

FORMAT_XLSX = "ofsi_xlsx"
FORMAT_CSV = "ofsi_csv"
FIRST_CELL = "Last Updated"
GIVEN_NAME_COLUMNS = ["Name 1", "Name 2", "Name 3", "Name 4", "Name 5"]
REQUIRED_COLUMNS = ["Name 6", *GIVEN_NAME_COLUMNS, "Group Type", "Alias Type", "Regime",
                    "Listed On", "Group ID"]
KINDS = {"Individual": "person", "Entity": "entity", "Ship": "vessel"}
PRIMARY_NAME = "Primary name"
BELARUS_REGIME = "Belarus"
DATE_FORMAT = "%d/%m/%Y"


def read_ofsi_xlsx(path: Path) -> pd.DataFrame:
    path = Path(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, KeyError,
            OSError) as error:
        raise InputError(display_path(path), "an xlsx workbook",
                         value=type(error).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        return _targets(path, FORMAT_XLSX, rows, padded=True)
    except (zlib.error, zipfile.BadZipFile, KeyError, EOFError) as error:
        raise InputError(display_path(path), "an xlsx workbook whose sheet data can be read",
                         value=type(error).__name__) from None
    finally:
        workbook.close()


def read_ofsi_csv(path: Path) -> pd.DataFrame:
    path = Path(path)
    return _targets(path, FORMAT_CSV, csv_records(path, _read_csv_text(path)), padded=False)


def _read_csv_text(path: Path) -> str:
    """UTF-8, or Windows-1252 as some OFSI exports were saved; anything else is refused."""
    payload = path.read_bytes()
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return payload.decode("cp1252")
    except UnicodeDecodeError as error:
        raise decoding_error(path, error, "UTF-8 or Windows-1252 text") from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _targets(path: Path, fmt: str, rows: Iterator[tuple[int, Sequence[object]]],
             *, padded: bool) -> pd.DataFrame:
    shown = display_path(path)
    first = next(rows, None)
    if first is None or _cell(first[1][0] if first[1] else None) != FIRST_CELL:
        raise InputError(shown, f"{FIRST_CELL!r} and its date in the first row", row=1,
                         value=first[1][:2] if first else "empty file")
    header_row = next(rows, None)
    header = [_cell(value) for value in header_row[1]] if header_row else []
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise InputError(shown, f"a header row with {', '.join(REQUIRED_COLUMNS)}", row=2,
                         column=missing[0], value="missing")
    position = {column: header.index(column) for column in REQUIRED_COLUMNS}
    groups: dict[str, list[tuple[int, dict[str, object]]]] = {}
    for line, values in rows:
        if not any(_cell(value) for value in values):
            continue
        if len(values) != len(header) and not (padded and len(values) < len(header)):
            raise InputError(shown, f"{len(header)} fields as in the header", row=line,
                             value=f"{len(values)} fields")
        row = {column: values[index] if index < len(values) else None
               for column, index in position.items()}
        group_id = _cell(row["Group ID"])
        if not group_id:
            raise InputError(shown, "a Group ID", row=line, column="Group ID")
        groups.setdefault(group_id, []).append((line, row))
    if not groups:
        raise InputError(shown, "at least one designation row", row=3, value="no rows")
    source = f"{fmt}:{path.name}"
    return target_frame(_target(path, source, group_id, members)
                        for group_id, members in groups.items())


def _target(path: Path, source: str, group_id: str,
            members: list[tuple[int, dict[str, object]]]) -> dict:
    shown = display_path(path)
    kinds = set()
    dated: list[tuple[str, datetime]] = []
    for line, row in members:
        group_type = _cell(row["Group Type"])
        if group_type not in KINDS:
            raise InputError(shown, f"a Group Type among {', '.join(KINDS)}", row=line,
                             column="Group Type", value=group_type)
        kinds.add(KINDS[group_type])
        listed = parse_day(row["Listed On"], file=path, row=line, column="Listed On",
                           formats=(DATE_FORMAT,), expected="a date as DD/MM/YYYY")
        if listed is not None:
            dated.append((_cell(row["Regime"]), listed))
    if len(kinds) > 1:
        raise InputError(shown, "one Group Type per Group ID", row=members[0][0],
                         column="Group Type", value=f"Group ID {group_id}: {sorted(kinds)}")
    regimes = [_cell(row["Regime"]) for _, row in members]
    belarus = BELARUS_REGIME in regimes
    belarus_dates = [day for regime, day in dated if regime == BELARUS_REGIME]
    listed_on = min(belarus_dates or [day for _, day in dated], default=None)
    primary = next((row for _, row in members if _cell(row["Alias Type"]) == PRIMARY_NAME),
                   members[0][1])
    name = _display_name(primary)
    if not name:
        raise InputError(shown, "a name in Name 6 or Name 1-5", row=members[0][0],
                         column="Name 6")
    return {
        "source": source,
        "jurisdiction": "UK",
        "record_id": group_id,
        "name": name,
        "kind": kinds.pop(),
        "programmes": join_programmes(regimes),
        "belarus": belarus,
        "listed_on": listed_on,
        "listed_on_basis": "official_listing_date" if listed_on is not None else "unknown",
    }


def _display_name(row: dict[str, object]) -> str:
    """``"SURNAME, Given Names"``, the order OFAC uses, so names from both lists line up."""
    surname = _cell(row["Name 6"])
    given = " ".join(filter(None, (_cell(row[column]) for column in GIVEN_NAME_COLUMNS)))
    if surname and given:
        return f"{surname}, {given}"
    return surname or given
