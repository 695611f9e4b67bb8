"""Split raw records into rows that pass their schema and rows quarantined with a reason.

The accounting rule of the whole suite lives here: every record read is either returned or
quarantined, never dropped, and ``check_accounting`` proves it for each build step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

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
    passed, failures = _validate(records, schema, shown)
    quarantine = pd.concat(
        [frame for frame in (malformed_rows, _as_quarantine(failures, dataset, shown))
         if len(frame)] or [empty_quarantine()],
        ignore_index=True,
    )
    return Checked(passed, quarantine, len(records) + len(malformed))


def _validate(records: pd.DataFrame, schema: pa.DataFrameSchema, shown: str
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    body = records.drop(columns=LINE)
    try:
        schema.validate(body, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        table_level = cases[cases["index"].isna()]
        if len(table_level):
            first = table_level.iloc[0]
            raise InputError(shown, f"a table matching its schema ({first['check']})",
                             column=first["failure_case"]) from None
        cases = cases.assign(index=cases["index"].astype("int64"))
        failures = pd.DataFrame({
            LINE: records[LINE].to_numpy()[cases["index"].to_numpy()],
            "column": [None if pd.isna(c) else c for c in cases["column"]],
            "value": [_cell(records, i, c) for i, c in zip(cases["index"], cases["column"],
                                                           strict=True)],
            "reason": "expected " + cases["check"].astype(str),
        })
        failures = failures.sort_values(LINE, kind="stable").drop_duplicates()
        return records[~records[LINE].isin(failures[LINE])].reset_index(drop=True), failures
    return records, pd.DataFrame(columns=[LINE, "column", "value", "reason"])


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
