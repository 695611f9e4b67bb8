"""The one frame shape every list parser returns, and the helpers they share to build it.

Every parser reduces its list to one row per designated target so that lists from different
jurisdictions can be counted side by side; what a parser cannot know (an OFAC listing date) is
stated in ``listed_on_basis`` rather than guessed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import InputError
from analysis.io import field_at_fault
from analysis.paths import display_path

LIST_COLUMNS = [
    "source",
    "jurisdiction",
    "record_id",
    "name",
    "kind",
    "programmes",
    "belarus",
    "listed_on",
    "listed_on_basis",
]
KINDS = ("person", "entity", "vessel", "aircraft")
BASES = ("official_listing_date", "uk_designation_date", "latest_amendment_date",
         "first_seen_in_archive", "unknown")
STRING_COLUMNS = ["source", "jurisdiction", "record_id", "name", "kind", "programmes",
                  "listed_on_basis"]
PROGRAMME_SEPARATOR = "; "
MAX_FIELD_CHARS = 1_000_000
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200

_MONTHS = {name: number for number, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_DAY_MONTH_NAME_YEAR = re.compile(r"(\d{1,2}) ([A-Za-z]+) (\d{4})")


def target_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Records (dicts keyed by ``LIST_COLUMNS``) as a frame with the shared dtypes."""
    frame = pd.DataFrame.from_records(list(records), columns=LIST_COLUMNS)
    for column in STRING_COLUMNS:
        frame[column] = frame[column].astype("string")
    frame["belarus"] = frame["belarus"].astype(bool)
    frame["listed_on"] = pd.to_datetime(frame["listed_on"]).astype("datetime64[ns]")
    return frame


def join_programmes(programmes: Iterable[str]) -> str:
    """Programme names, each once, in the order the list gives them."""
    return PROGRAMME_SEPARATOR.join(dict.fromkeys(p for p in programmes if p))


def read_text(path: Path) -> str:
    """A whole text file, refused with the offending line when it is not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise decoding_error(path, error, "UTF-8 text") from None


def decoding_error(path: Path, error: UnicodeDecodeError, expected: str) -> InputError:
    """The line and bytes of a decoding fault, counted in what the codec saw (after any BOM)."""
    decoded = error.object
    return InputError(display_path(path), expected,
                      row=decoded[: error.start].count(b"\n") + 1,
                      value=decoded[error.start : error.start + 8])


def csv_records(path: Path, text: str, delimiter: str = ",",
                columns: list[str] | None = None) -> Iterator[tuple[int, list[str]]]:
    """Rows of a CSV text with the line each row starts on; a broken quote becomes InputError
    naming the line and the column (``columns`` names them, else ``field N``)."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            field = field_at_fault("\n".join(text.splitlines()[line - 1:]), delimiter)
            column = (columns[field] if columns and field < len(columns)
                      else f"field {field + 1}")
            raise InputError(display_path(path), f"well-formed CSV ({error})", row=line,
                             column=column) from None
        yield line, row


def parse_day(
    value: object,
    *,
    file: Path,
    row: int | str,
    column: str,
    formats: tuple[str, ...],
    expected: str,
) -> datetime | None:
    """A listing date in one of ``formats`` (``"dmy_text"`` = "20 March 2022"), or a date cell
    from a workbook; empty is None.

    Strict on purpose: a date the parser cannot read would silently move a designation to
    another month, so it stops the read and names the record instead. ``expected`` names the
    accepted formats; years outside 1900-2200 are refused too, as no list predates them and they
    would not fit a nanosecond timestamp.
    """
    if value is None:
        return None
    if isinstance(value, date):
        parsed: datetime | None = datetime(value.year, value.month, value.day)
        text = value.isoformat()
    else:
        text = str(value).strip()
        if not text:
            return None
        parsed = next((day for fmt in formats if (day := _parse_with(text, fmt)) is not None),
                      None)
    if parsed is None or not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise InputError(display_path(file), expected, row=row, column=column, value=text)
    return parsed


def _parse_with(text: str, fmt: str) -> datetime | None:
    if fmt == "dmy_text":
        match = _DAY_MONTH_NAME_YEAR.fullmatch(text)
        month = _MONTHS.get(match.group(2).lower()) if match else None
        if match is None or month is None:
            return None
        try:
            return datetime(int(match.group(3)), month, int(match.group(1)))
        except ValueError:
            return None
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None
