"""Errors a user can cause, worded so the message alone says what to fix."""

from __future__ import annotations

import traceback as _traceback
from pathlib import Path


class AnalysisError(Exception):
    """Base for errors the command line reports as one line, without a traceback.

    In a notebook the error shows as that one line too (IPython calls ``_render_traceback_``):
    the frames inside the library say nothing the message does not. ``%tb Verbose`` (or
    ``%xmode Verbose``) shows the full traceback, as does ``error.traceback``.
    """

    def _render_traceback_(self) -> list[str]:
        shell = _ipython()
        if shell is not None and shell.InteractiveTB.mode == "Verbose":
            return shell.InteractiveTB.structured_traceback(type(self), self,
                                                            self.__traceback__)
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self} "
                "\x1b[2m(%tb Verbose: full traceback)\x1b[0m"]

    @property
    def traceback(self) -> str:
        return "".join(_traceback.format_exception(type(self), self, self.__traceback__))


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


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class UnknownDatasetError(AnalysisError, KeyError):
    """A dataset name that is not in the catalog."""

    def __str__(self) -> str:
        return str(self.args[0])
