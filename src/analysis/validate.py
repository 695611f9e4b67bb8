"""Split raw records into rows that pass their schema and rows quarantined with a reason.

The accounting rule of the whole suite lives here: every record read is either returned or
quarantined, never dropped, and ``check_accounting`` proves it for each build step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.engines import pandas_engine

from analysis.errors import InputError
from analysis.io import LINE, read_csv_text
from analysis.paths import display_path

QUARANTINE_COLUMNS = ["dataset", "file", "line", "column", "value", "reason"]


@dataclass(frozen=True)
class Checked:
    """Rows that passed, rows quarantined, and how many records were read."""

    rows: pd.DataFrame
    quarantine: pd.DataFrame
    rows_in: int

    def __post_init__(self) -> None:
        check_accounting(self.rows_in, len(self.rows), self.quarantine)


def check_accounting(rows_in: int, rows_out: int, quarantine: pd.DataFrame) -> None:
    quarantined = quarantine["line"].nunique() if len(quarantine) else 0
    if rows_in != rows_out + quarantined:
        raise AssertionError(
            f"rows in ({rows_in}) != rows out ({rows_out}) + rows quarantined ({quarantined})"
        )


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="Int64" if name == "line" else object)
                         for name in QUARANTINE_COLUMNS})


def read_and_check(path: Path, schema: pa.DataFrameSchema, dataset: str) -> Checked:
    """Read a curated CSV and validate it against its raw schema, quarantining failing rows."""
    columns = list(schema.columns)
    records, malformed = read_csv_text(path, columns)
    shown = display_path(path)
    malformed_rows = _as_quarantine(malformed, dataset, shown)
    rows_in = len(records) + len(malformed)
    failures = _validate(records, schema, shown)
    passed = _take_passing(records, failures)
    quarantine = pd.concat(
        [frame for frame in (malformed_rows, _as_quarantine(failures, dataset, shown))
         if len(frame)] or [empty_quarantine()],
        ignore_index=True,
    )
    return Checked(passed, quarantine, rows_in)


def _validate(records: pd.DataFrame, schema: pa.DataFrameSchema, shown: str) -> pd.DataFrame:
    """One failure (line, column, value, reason) per row and failed check of ``schema``.

    Runs the schema's own checks, as pandera would, but column by column without pandera's
    per-check bookkeeping, and element-wise checks once per distinct value instead of once per
    row: on a million rows that is seconds against minutes. Failures read as pandera reports
    them (the check's error text); a frame-level check names no single column.
    """
    found: list[tuple[np.ndarray, str | None, str]] = []
    for name, column in schema.columns.items():
        series = records[name]
        if not column.dtype.check(pandas_engine.Engine.dtype(series.dtype)):
            raise InputError(shown, f"a table matching its schema ({column.dtype})", column=name)
        if not column.nullable:
            found.append((series.isna().to_numpy(), name, "not_nullable"))
        if column.unique:
            keep = {"exclude_first": "first", "exclude_last": "last"}.get(
                column.report_duplicates, False)
            found.append((series.duplicated(keep=keep).to_numpy(), name, "field_uniqueness"))
        for check in column.checks:
            found.append((~_passes(check, series, shown), name, check.error or check.name))
    frame = records[list(schema.columns)]
    for check in schema.checks:
        found.append((~_passes(check, frame, shown), None, check.error or check.name))
    positions = [np.flatnonzero(failed) for failed, _, _ in found]
    failures = pd.DataFrame({
        LINE: np.concatenate([records[LINE].to_numpy()[at] for at in positions] or [[]]),
        "column": [column for (_, column, _), at in zip(found, positions, strict=True)
                   for _ in at],
        "value": [_cell(records, i, column) for (_, column, _), at in zip(found, positions,
                                                                         strict=True)
                  for i in at],
        "reason": ["expected " + reason for (_, _, reason), at in zip(found, positions,
                                                                     strict=True) for _ in at],
    })
    return failures.sort_values(LINE, kind="stable").reset_index(drop=True)


def _take_passing(records: pd.DataFrame, failures: pd.DataFrame) -> pd.DataFrame:
    """The records on no failure's line, with a fresh index. Empties ``records`` column by
    column as it goes, so a large table is never held twice; pyarrow-backed columns are
    filtered by pyarrow, several times faster than pandas' take on chunked columns."""
    import pyarrow

    if failures.empty:
        return records
    keep = ~records[LINE].isin(failures[LINE]).to_numpy()
    mask = pyarrow.array(keep)
    passed = {}
    for name in list(records.columns):
        column = records.pop(name)
        passed[name] = (pd.array(pyarrow.array(column.array).filter(mask), dtype=column.dtype)
                        if isinstance(column.array, pd.arrays.ArrowStringArray)
                        else column.to_numpy()[keep])
        del column
    return pd.DataFrame(passed)


def _passes(check: pa.Check, data: pd.Series | pd.DataFrame, shown: str) -> np.ndarray:
    """Whether each row passes ``check``; element-wise checks run once per distinct value."""
    if check.element_wise and isinstance(data, pd.Series):
        distinct = data.dropna().unique()
        failing = [value for value in distinct if not check._check_fn(value)]
        return ~data.isin(failing).to_numpy()
    output = check(data).check_output
    if isinstance(output, pd.DataFrame):
        output = output.all(axis=1)
    if not isinstance(output, pd.Series):
        if bool(output):
            return np.ones(len(data), dtype=bool)
        raise InputError(shown, f"a table matching its schema ({check.error or check.name})")
    return output.reindex(data.index, fill_value=True).astype(bool).to_numpy()


def _cell(records: pd.DataFrame, index: int, column: object) -> str | None:
    if pd.isna(column) or column not in records.columns:
        return None
    return str(records[column].iat[index])[:200]


def _as_quarantine(failures: pd.DataFrame, dataset: str, shown: str) -> pd.DataFrame:
    if not len(failures):
        return empty_quarantine()
    return pd.DataFrame({
        "dataset": dataset,
        "file": shown,
        "line": failures[LINE].astype("Int64").to_numpy(),
        "column": failures["column"].to_numpy(),
        "value": failures["value"].to_numpy(),
        "reason": failures["reason"].to_numpy(),
    })
