"""Errors a user can cause, worded so the message alone says what to fix."""

from __future__ import annotations

from pathlib import Path


class AnalysisError(Exception):
    """Base for errors the command line reports as one line, without a traceback."""


class InputError(AnalysisError):
    """A raw or official file that cannot be used as it is.

    Carries the file, the row (a 1-based line number in the file, or a record/element name),
    the column (or field) and what was expected, so the message points at the exact cell.
    """

    def __init__(
        self,
        file: str | Path,
        expected: str,
        *,
        row: int | str | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        where = [self.file]
        if row is not None:
            where.append(f"line {row}" if isinstance(row, int) else str(row))
        if column is not None:
            where.append(f"column {column!r}")
        found = "" if value is None else f" (found {_short(value)})"
        super().__init__(f"{', '.join(where)}: expected {expected}{found}")


class BuildError(AnalysisError):
    """A build step failed or would lose too much; no dataset was changed."""


class BuildLockedError(AnalysisError):
    """Another process is building the datasets."""


class OfflineError(AnalysisError):
    """A download was asked for but the network or the server cannot be reached."""


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class UnknownDatasetError(AnalysisError, KeyError):
    """A dataset name that is not in the catalog."""

    def __str__(self) -> str:
        return str(self.args[0])
