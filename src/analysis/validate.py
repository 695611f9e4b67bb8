"""Split raw records into rows that pass their schema and rows quarantined with a reason.

The accounting rule of the whole suite lives here: every record read is either returned or
quarantined, never dropped, and ``check_accounting`` proves it for each build step.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera.engines import pandas_engine

from analysis.errors import InputError
from analysis.io import LINE, read_csv_text
from analysis.paths import display_path
from analysis.rules import rule_failures, with_sibling_ids
from analysis.schemas import FLAG, RAW_RULES

QUARANTINE_COLUMNS = ["dataset", "file", "line", "column", "value", "reason"]
UNIQUE_REASON = ("a value no other row has (field_uniqueness; every copy of a repeated value is "
                 "set aside)")
"""What pandera calls ``field_uniqueness``, said so that the user knows why both copies went."""


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
    records = _spreadsheet_flags(records, schema)
    table_rules = [_bound(rule, path) for rule in RAW_RULES.get(dataset, [])]
    failures = _validate(records, schema, shown, table_rules)
    passed = _take_passing(records, failures)
    quarantine = pd.concat(
        [frame for frame in (malformed_rows, _as_quarantine(failures, dataset, shown))
         if len(frame)] or [empty_quarantine()],
        ignore_index=True,
    )
    return Checked(passed, quarantine, rows_in)


def _bound(rule, path: Path):
    """A cross-table reference rule with the ids of its sibling table (same folder). Without a
    readable sibling there is nothing to check against (the sibling's own build then says
    why), so the rule passes every row."""
    if rule.sibling is None:
        return rule
    table, key = rule.sibling
    try:
        ids = set(pd.read_csv(path.parent / f"{table}.csv", usecols=[key], dtype=str,
                              keep_default_na=False, encoding="utf-8-sig")[key])
    except (OSError, ValueError, pd.errors.ParserError):
        return rule
    return with_sibling_ids(rule, ids)


def _spreadsheet_flags(records: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Flag columns with TRUE/FALSE (as Excel and LibreOffice write them) in lower case: the
    meaning is unambiguous, so the edit is used rather than quarantined."""
    for name, column in schema.columns.items():
        if (column.metadata or {}).get(FLAG):
            values = records[name]
            lowered = values.str.lower()
            spelled = lowered.isin(["true", "false"]) & (values != lowered)
            if spelled.any():
                records[name] = values.mask(spelled, lowered)
    return records


def _validate(records: pd.DataFrame, schema: pa.DataFrameSchema, shown: str,
              rules: list | None = None) -> pd.DataFrame:
    """One failure (line, column, value, reason) per row and failed check of ``schema``, then
    per row and broken rule among the rows that passed every check."""
    found = schema_failures(records, schema, shown)
    if rules:
        failed = np.zeros(len(records), dtype=bool)
        for at, _, _ in found:
            failed[at] = True
        passing = np.flatnonzero(~failed)
        found += [(passing[at], rule.column, rule.reason)
                  for at, rule in rule_failures(records.iloc[passing], rules)]
    positions = [at for at, _, _ in found]
    failures = pd.DataFrame({
        LINE: np.concatenate([records[LINE].to_numpy()[at] for at in positions] or [[]]),
        "column": [column for at, column, _ in found for _ in at],
        "value": [_cell(records, i, column) for at, column, _ in found for i in at],
        "reason": ["expected " + reason for at, _, reason in found for _ in at],
    })
    return failures.sort_values(LINE, kind="stable").reset_index(drop=True)


def schema_failures(frame: pd.DataFrame, schema: pa.DataFrameSchema, shown: str
                    ) -> list[tuple[np.ndarray, str | None, str]]:
    """The row positions failing each check of ``schema``, with the column and the check's text.

    Runs the schema's own checks, as pandera would, but without pandera's per-check bookkeeping:
    string checks go straight to pyarrow compute, element-wise checks run once per distinct
    value, and columns are checked side by side in threads (pyarrow releases the GIL). On a
    million rows that is a fraction of a second against several. A frame-level check names no
    single column.
    """
    columns = frame[list(schema.columns)]
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        per_column = [pool.submit(_column_failures, frame[name], column, shown)
                      for name, column in schema.columns.items()]
        per_row = [pool.submit(_passes, check, columns, shown) for check in schema.checks]
        found = [failure for future in per_column for failure in future.result()]
        found += [(np.flatnonzero(~future.result()), None, check.error or check.name)
                  for check, future in zip(schema.checks, per_row, strict=True)]
    return [entry for entry in found if len(entry[0])]


def _column_failures(series: pd.Series, column: pa.Column, shown: str
                     ) -> list[tuple[np.ndarray, str | None, str]]:
    name = column.name
    if not column.dtype.check(pandas_engine.Engine.dtype(series.dtype)):
        raise InputError(shown, f"a table matching its schema ({column.dtype})", column=name)
    found = []
    if not column.nullable:
        found.append((np.flatnonzero(series.isna().to_numpy()), name, "not_nullable"))
    if column.unique:
        keep = {"exclude_first": "first", "exclude_last": "last"}.get(column.report_duplicates,
                                                                      False)
        found.append((np.flatnonzero(_duplicated(series, keep)), name,
                      UNIQUE_REASON if keep is False else "field_uniqueness"))
    for check in column.checks:
        found.append((np.flatnonzero(~_passes(check, series, shown)), name,
                      check.error or check.name))
    return found


def conform(frame: pd.DataFrame, schema: pa.DataFrameSchema, dataset: str) -> pd.DataFrame:
    """``frame`` if it meets its processed schema; a failure is a bug in the suite, not the data.

    The same checks as ``schema.validate``, run the way ``schema_failures`` runs them, because
    pandera's own validation costs more than the whole cleaning of a large table.
    """
    if schema.strict and set(frame.columns) != set(schema.columns):
        raise AssertionError(f"{dataset}: columns {sorted(map(str, frame.columns))} differ from "
                             f"its schema's {sorted(schema.columns)}")
    failures = schema_failures(frame, schema, dataset)
    if failures:
        at, column, reason = failures[0]
        raise AssertionError(f"{dataset}: {len(at)} row(s) fail {reason!r} in column {column} "
                             f"(first at row {at[0]}); the cleaning code produced a bad table")
    return frame


def _take_passing(records: pd.DataFrame, failures: pd.DataFrame) -> pd.DataFrame:
    """The records on no failure's line, with a fresh index. Empties ``records`` column by
    column, and string columns chunk by chunk, as it goes: each piece is let go as soon as its
    rows are copied, so a large table is never held twice."""
    if failures.empty:
        return records
    keep = ~records[LINE].isin(failures[LINE]).to_numpy()
    passed = {}
    for name in list(records.columns):
        column = records.pop(name)
        strings = _arrow_strings(column)
        if strings is None:
            passed[name] = column.to_numpy()[keep]
            continue
        dtype, chunks = column.dtype, strings.chunks
        del column, strings
        passed[name] = pd.array(_keep_rows(chunks, keep), dtype=dtype)
    return pd.DataFrame(passed)


def _keep_rows(chunks: list[pyarrow.Array], keep: np.ndarray) -> pyarrow.ChunkedArray:
    """The rows of ``chunks`` marked in ``keep``; empties ``chunks``, the only holder of each."""
    kept, start = [], 0
    chunks.reverse()
    while chunks:
        chunk = chunks.pop()
        kept.append(chunk.filter(pyarrow.array(keep[start:start + len(chunk)])))
        start += len(chunk)
    return pyarrow.chunked_array(kept, kept[0].type if kept else pyarrow.large_string())


def _passes(check: pa.Check, data: pd.Series | pd.DataFrame, shown: str) -> np.ndarray:
    """Whether each row passes ``check``, missing values passing as pandera's checks let them.

    A frame-level check calls its function directly: pandera's bookkeeping around it (failure
    cases row by row) costs ten times the check itself on a large table.
    """
    if isinstance(data, pd.Series):
        strings = _arrow_strings(data)
        if strings is not None and check.name in ARROW_CHECKS:
            return ARROW_CHECKS[check.name](strings, **check.statistics).fill_null(
                True).to_numpy()
        if check.element_wise:
            distinct = data.dropna().unique()
            failing = [value for value in distinct if not check._check_fn(value)]
            return ~data.isin(failing).to_numpy()
    if isinstance(data, pd.DataFrame) and not check.element_wise and check.groupby is None:
        output = check._check_fn(data)
    else:
        output = check(data).check_output
    if isinstance(output, pd.DataFrame):
        output = output.all(axis=1)
    if not isinstance(output, pd.Series):
        if bool(output):
            return np.ones(len(data), dtype=bool)
        raise InputError(shown, f"a table matching its schema ({check.error or check.name})")
    passed = output.reindex(data.index, fill_value=True).to_numpy(dtype=bool, na_value=True,
                                                                  copy=True)
    if isinstance(data, pd.DataFrame) and check.ignore_na:
        failing = np.flatnonzero(~passed)
        passed[failing] = np.logical_and.reduce(
            [column.isna().to_numpy()[failing] for _, column in data.items()])
    return passed


def _arrow_strings(series: pd.Series) -> pyarrow.ChunkedArray | None:
    """The pyarrow array behind a string column, or None for any other column."""
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        return series.array.__arrow_array__()
    return None


def _str_matches(strings: pyarrow.ChunkedArray, pattern: str) -> pyarrow.ChunkedArray:
    """As pandas' ``str.match``: the pattern must match at the start of the value."""
    return pc.match_substring_regex(strings, pattern if pattern.startswith("^") else f"^{pattern}")


def _isin(strings: pyarrow.ChunkedArray, allowed_values: list[str]) -> pyarrow.ChunkedArray:
    return pc.is_in(strings, value_set=pyarrow.array(allowed_values, strings.type))


def _str_length(strings: pyarrow.ChunkedArray, min_value: int | None = None,
                max_value: int | None = None, exact_value: int | None = None
                ) -> pyarrow.ChunkedArray:
    length = pc.utf8_length(strings)
    if exact_value is not None:
        return pc.equal(length, exact_value)
    passed = pc.greater_equal(length, min_value if min_value is not None else 0)
    return passed if max_value is None else pc.and_(passed, pc.less_equal(length, max_value))


ARROW_CHECKS = {"str_matches": _str_matches, "isin": _isin, "str_length": _str_length}
"""pandera's built-in string checks, run by pyarrow on the column's own buffers."""


def _duplicated(series: pd.Series, keep: str | bool) -> np.ndarray:
    """``series.duplicated(keep)``; string columns by a stable sort in pyarrow, which keeps equal
    values in row order, so the first (or last) of each run is the one kept."""
    strings = _arrow_strings(series)
    if strings is None or strings.null_count or len(series) < 2:
        return series.duplicated(keep=keep).to_numpy()
    if is_increasing(series):
        return np.zeros(len(series), dtype=bool)
    order = pc.sort_indices(strings).to_numpy()
    ranked = strings.take(order)
    repeats = pc.equal(ranked[1:], ranked[:-1]).fill_null(False).to_numpy()
    duplicated = np.zeros(len(series), dtype=bool)
    if keep != "last":
        duplicated[order[1:][repeats]] = True
    if keep != "first":
        duplicated[order[:-1][repeats]] = True
    return duplicated


def is_increasing(series: pd.Series) -> bool:
    """Whether each value is greater than the one before: ids in a file usually are, and then
    they are unique and sorted without sorting them."""
    strings = _arrow_strings(series)
    values = strings if strings is not None else pyarrow.array(series)
    return len(values) < 2 or pc.all(pc.greater(values[1:], values[:-1])).as_py() is True


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
