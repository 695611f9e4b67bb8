"""Tables written for spreadsheets, safe against formula injection (OWASP "CSV Injection").

Official lists and curated notes are text from outside: a name such as ``=HYPERLINK(...)`` or
``=cmd|' /C calc'!A0`` is run as a formula when Excel, LibreOffice or Google Sheets opens the
CSV. Following OWASP, text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading single quote, which spreadsheets show as text. Numbers stay numbers (a negative
count is data, not a formula), and the reading side of the suite never sees the prefix.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.io import atomic_target, write_text_atomic
from analysis.store import load

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"


def neutralise_text(value: object) -> object:
    """``value`` with a leading quote when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return PREFIX + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a formula."""
    safe = frame.copy()
    safe.columns = [neutralise_text(name) for name in frame.columns]
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if isinstance(column.dtype, pd.StringDtype):
            starts = column.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            safe.isetitem(position, column.mask(starts, PREFIX + column))
        elif column.dtype == object or isinstance(column.dtype, pd.CategoricalDtype):
            safe.isetitem(position, pd.Series(
                [neutralise_text(value) for value in column], index=column.index, dtype=object))
    return safe


def export(name: str, path: str | Path) -> Path:
    """Write the dataset ``name`` (see ``analysis.datasets()``) to ``path`` for a spreadsheet:
    ``.csv`` (UTF-8 with a byte order mark) or ``.xlsx``, with formula-like text neutralised."""
    path = Path(path)
    writers = {".csv": write_csv_export, ".xlsx": write_xlsx_export}
    if path.suffix.lower() not in writers:
        raise AnalysisError(f"{path}: expected a file name ending in .csv or .xlsx")
    return writers[path.suffix.lower()](load(name), path)


def write_xlsx_export(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as one worksheet, neutralised, every text cell stored as text (never a
    formula), atomically."""
    from openpyxl import Workbook  # only an .xlsx export needs it

    safe = neutralise_formulas(frame)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([str(name) for name in safe.columns])
    for row in safe.itertuples(index=False):
        sheet.append([_cell(value) for value in row])
    for cells in sheet.iter_rows(min_row=1):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    with atomic_target(Path(path)) as temporary:
        workbook.save(temporary)
    return Path(path)


def _cell(value: object) -> object:
    """A value openpyxl can store: missing values empty, timestamps without time zone."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


def write_csv_export(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as a UTF-8 CSV (with a byte order mark, so Excel reads it as UTF-8),
    neutralised, atomically."""
    text = neutralise_formulas(frame).to_csv(index=False, lineterminator="\n")
    write_text_atomic("\ufeff" + text, Path(path))
    return Path(path)
