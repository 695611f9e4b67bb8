"""Reading raw files and writing processed Parquet: the only module that touches data files.

Raw CSVs are read as text, every value a string, with the line each record starts on, so that
schemas decide what a value means and every message can point at the exact line. Parquet is
written atomically (temporary file in the same folder, fsync, rename) with provenance in its
metadata, so an interrupted build leaves the last good file in place.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io as _io
import json
import os
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.errors import InputError
from analysis.paths import display_path

LINE = "_line"
PROVENANCE_KEY = b"analysis.provenance"
FILE_MODE = 0o644
"""Outputs are readable by everyone, like any file the user writes (mkstemp makes them 0600)."""
MAX_FIELD_CHARS = 100_000


_DIGESTS: dict[tuple, str] = {}
SETTLED_NS = 2_000_000_000
"""A file unchanged this long has a change time that a new write would move."""


def sha256_file(path: Path) -> str:
    """The file's sha256, remembered while its inode, size and times stay the same.

    A build hashes its inputs to decide what is stale and again to record what it built. Any
    write moves a file's change time, but the clock behind it ticks every few milliseconds, so
    as git does with its index, the digest of a file written in the last two seconds is not
    remembered: two writes in one tick would otherwise look like one.
    """
    status = os.stat(path)
    key = (os.path.realpath(path), status.st_ino, status.st_size, status.st_mtime_ns,
           status.st_ctime_ns)
    if key in _DIGESTS:
        return _DIGESTS[key]
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if time.time_ns() - status.st_ctime_ns > SETTLED_NS:
        _DIGESTS[key] = digest.hexdigest()
    return digest.hexdigest()


def _decode(path: Path, payload: bytes) -> str:
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        data = error.object
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data[: error.start].count(b"\n") + 1
        column = None
        if line > 1:
            header = data[: data.find(b"\n")].decode("utf-8", "replace").rstrip("\r")
            names = next(csv.reader([header]))
            field = field_at_fault(data[line_start : error.start].decode("utf-8"))
            column = names[min(field, len(names) - 1)].strip()
        raise InputError(
            display_path(path),
            "UTF-8 text (save the file as UTF-8)",
            row=line,
            column=column,
            value=data[error.start : error.start + 8],
        ) from None


YAML_FIXES = {
    "cannot start any token": "indent with spaces, not a TAB",
    "mapping values are not allowed": "put a space after each colon, and quote a value "
                                      "that holds ': '",
    "could not find expected ':'": "write each entry as `key: value`",
    "did not find expected key": "line the entry up with the keys around it",
    "found duplicate anchor": "give each anchor (&name) once",
}
"""Fixes for the YAML mistakes a hand edit makes, keyed by a phrase of PyYAML's problem."""


_PARSED_YAML: dict[bytes, Any] = {}
"""Each YAML text read, parsed, by its bytes: the coverage line of every chart reads the same
``.meta.yml`` files again, and PyYAML's parser takes milliseconds a file. Keyed by content, so
an edited file is parsed anew; callers get a copy of their own."""


def read_yaml(path: Path, role: str) -> Any:
    """The parsed YAML file; a file that is not UTF-8 or not valid YAML raises ``InputError``
    naming the file, what it is for (``role``), line, column and the fix."""
    import yaml

    shown = display_path(path)
    payload = path.read_bytes()
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = payload[: error.start].count(b"\n") + 1
        column = error.start - payload.rfind(b"\n", 0, error.start)
        raise InputError(shown, f"UTF-8 text in {role} (save the file as UTF-8)",
                         row=f"line {line}, column {column}",
                         value=payload[error.start: error.start + 8]) from None
    if payload in _PARSED_YAML:
        return copy.deepcopy(_PARSED_YAML[payload])
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        fix = next((fix for phrase, fix in YAML_FIXES.items() if phrase in problem),
                   "see the lines around it")
        where = None if mark is None else f"line {mark.line + 1}, column {mark.column + 1}"
        raise InputError(shown, f"valid YAML in {role}: {problem}; {fix}", row=where) from None
    _PARSED_YAML[payload] = parsed
    return copy.deepcopy(parsed)



def read_csv_text(path: Path, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a headed CSV into strings plus a ``_line`` column, and the records it could not split.

    Returns ``(records, malformed)``: ``malformed`` has one row per record whose number of fields
    differs from the header or that holds NUL bytes (line, column, value, reason), for the caller
    to quarantine. A file that cannot be read at all (missing, empty, header only, not UTF-8,
    wrong header, broken quoting) raises ``InputError``.

    A plain file (one record per line, quotes only around whole fields) is split by pyarrow, where
    record ``i`` is on line ``i + 2``; anything else, and every error, goes through Python's csv
    module, which knows the exact line each record starts on. Both give the same records.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(display_path(path), "an existing file")
    records = _read_plain(path, columns)
    if records is not None:
        return records, pd.DataFrame(columns=[LINE, "column", "value", "reason"])
    return _read_exact(path, columns)


def _read_exact(path: Path, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    shown = display_path(path)
    payload = path.read_bytes()
    text = _decode(path, payload)
    del payload
    if not text.strip():
        raise InputError(shown, f"a header row with columns {', '.join(columns)}", row=1,
                         value="empty file")
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(_io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        raise InputError(shown, f"a CSV header ({error})", row=1) from None
    header = [name.strip() for name in header]
    _check_delimiter(shown, header, columns)
    named = len(header)
    while named and not header[named - 1]:
        named -= 1
    header = header[:named]
    _check_header(shown, header, columns)
    has_nul = "\0" in text
    rows: list[list[str]] = []
    lines: list[int] = []
    malformed: list[dict[str, Any]] = []
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            failed = _io.StringIO(text, newline="").readlines()[start - 1 : reader.line_num]
            column = header[min(field_at_fault("".join(failed)), len(header) - 1)]
            raise InputError(shown, f"well-formed CSV ({error})", row=reader.line_num,
                             column=column) from None
        if not record or (len(record) == 1 and not record[0].strip()):
            start = reader.line_num + 1
            continue
        if len(record) > len(header) and not "".join(record[len(header):]).strip():
            record = record[:len(header)]
        if len(record) != len(header):
            malformed.append({
                LINE: start, "column": None, "value": ",".join(record)[:200],
                "reason": f"expected {len(header)} fields as in the header, found {len(record)}",
            })
        elif has_nul and any("\0" in field for field in record):
            column = next(name for name, field in zip(header, record, strict=True)
                          if "\0" in field)
            malformed.append({
                LINE: start, "column": column, "value": ",".join(record)[:200],
                "reason": "expected text without NUL bytes (the file looks damaged)",
            })
        else:
            rows.append(record)
            lines.append(start)
        start = reader.line_num + 1
    if not rows and not malformed:
        raise InputError(shown, "at least one record below the header", row=2,
                         value="header only")
    records = pd.DataFrame(rows, columns=header, dtype="str")
    records.insert(0, LINE, pd.array(lines, dtype="int64"))
    return records[[LINE, *columns]], pd.DataFrame(malformed, columns=[LINE, "column", "value",
                                                                      "reason"])


def field_at_fault(record: str, delimiter: str = ",") -> int:
    """The 0-based field where Python's strict csv parser stops reading ``record``.

    Follows the parser's states (field start, unquoted, quoted, just after a quote) so that an
    error message can name the column, which ``csv.Error`` does not.
    """
    field, state, length = 0, "start", 0
    for char in record:
        if state == "quoted":
            if char == '"':
                state = "after_quote"
            else:
                length += 1
        elif state == "after_quote" and char == '"':
            state, length = "quoted", length + 1
        elif char == delimiter:
            field, state, length = field + 1, "start", 0
        elif char in "\r\n":
            return field
        elif state == "after_quote":
            return field
        elif state == "start" and char == '"':
            state = "quoted"
        else:
            state, length = "unquoted", length + 1
        if length > MAX_FIELD_CHARS:
            return field
    return field


def _read_plain(path: Path, columns: list[str]) -> pd.DataFrame | None:
    """Records of a plain file read by pyarrow, or None when the file needs the exact reader.

    Whether the file is plain is checked in a second thread while pyarrow parses it in one:
    both release the GIL, so the check costs little more than the parse alone, and memory the
    parse frees is reused by the steps after it (buffers freed from another thread are not; a
    threaded parse used 10% more memory and was no faster on two cores).
    """
    import pyarrow.csv as pacsv  # only a build reads CSV: not on a no-op load()

    header = _plain_header(path)
    if header is None or len(header) < 2 or sorted(header) != sorted(columns):
        return None
    with ThreadPoolExecutor(1) as pool:
        counting = pool.submit(_plain_line_count, path)
        try:
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(skip_rows=1, column_names=header,
                                               use_threads=False),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.large_string()),
                    strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
        except (pa.ArrowException, OSError):
            table = None
        lines = counting.result()
    if table is None or lines is None or lines < 2 or table.num_rows != lines - 1:
        return None
    for column in table.columns:
        if table.num_rows and pc.max(pc.binary_length(column)).as_py() > MAX_FIELD_CHARS:
            return None
    records = {LINE: pd.array(np.arange(2, table.num_rows + 2), dtype="int64")}
    for name in columns:
        records[name] = pd.array(table.column(name), dtype="str")
    return pd.DataFrame(records)


def _plain_header(path: Path) -> list[str] | None:
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    end = head.find(b"\n")
    if end < 0 or b'"' in head[:end]:
        return None
    try:
        line = head[:end].decode("utf-8-sig").removesuffix("\r")
    except UnicodeDecodeError:
        return None
    if "\r" in line or "\0" in line:
        return None
    names = [name.strip() for name in line.split(",")]
    return names if len(set(names)) == len(names) else None


PLAIN_BLOCK_BYTES = 1 << 22


def _plain_line_count(path: Path) -> int | None:
    """Lines in ``path`` if every line is plain (see ``_plain_lines``), else None.

    Reads whole lines a block at a time: a block's unfinished last line is read again at the
    start of the next block, so no block is copied to cut it.
    """
    breaks = 0
    ends_with_break = True
    with open(path, "rb") as handle:
        while block := handle.read(PLAIN_BLOCK_BYTES):
            whole = len(block) < PLAIN_BLOCK_BYTES or block.endswith(b"\n")
            cut = len(block) if whole else block.rfind(b"\n") + 1
            if not cut:
                return None
            found = _plain_lines(block, cut)
            if found is None:
                return None
            breaks += found
            ends_with_break = block[cut - 1] == ord("\n")
            handle.seek(cut - len(block), os.SEEK_CUR)
    return breaks + (not ends_with_break)


def _plain_lines(block: bytes, end: int) -> int | None:
    """The line feeds in ``block[:end]`` (whole lines), or None if pyarrow and Python's strict
    csv module might split those lines differently.

    Plain means no NUL bytes, no carriage return except before a line feed, and every quote
    either opens a field, closes one, or is half of a doubled quote inside one. Anything else
    (stray quotes, text after a closing quote, quotes inside an unquoted field) is left to the
    exact reader, which reports it or reads it the way Python does. The byte checks run on the
    whole block, as the unfinished line after ``end`` holds no line feed and is checked again
    with the next block.
    """
    if b"\0" in block or (b"\r" in block and block.count(b"\r") - block.endswith(b"\r")
                            != block.count(b"\r\n")):
        return None
    if b'"' not in block:
        return block.count(b"\n")
    raw = np.frombuffer(block, dtype=np.uint8, count=end)
    quotes = np.flatnonzero(raw == ord('"'))
    newlines = np.flatnonzero(raw == ord("\n"))
    line = np.searchsorted(newlines, quotes)
    order = np.arange(len(quotes))
    first_in_line = np.r_[True, line[1:] != line[:-1]]
    ordinal = order - np.maximum.accumulate(np.where(first_in_line, order, 0))
    if (np.bincount(line) % 2).any():
        return None
    before = raw[np.maximum(quotes - 1, 0)]
    after = raw[np.minimum(quotes + 1, len(raw) - 1)]
    follows_quote = np.r_[False, quotes[1:] == quotes[:-1] + 1]
    precedes_quote = np.r_[quotes[:-1] + 1 == quotes[1:], False]
    opening = ordinal % 2 == 0
    opens_field = (quotes == 0) | (before == ord(",")) | (before == ord("\n"))
    closes_field = ((quotes == len(raw) - 1) | (after == ord(",")) | (after == ord("\n"))
                    | (after == ord("\r")))
    good = np.where(opening, opens_field | follows_quote, closes_field | precedes_quote)
    return len(newlines) if good.all() else None


DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _check_delimiter(shown: str, header: list[str], columns: list[str]) -> None:
    """A header read as one field that splits into the expected columns on another delimiter
    (as LibreOffice and Excel write CSV in many locales) gets an error that says so."""
    if len(header) != 1:
        return
    for delimiter, name in DELIMITERS.items():
        names = [part.strip() for part in header[0].split(delimiter)]
        if len(names) > 1 and set(names) & set(columns):
            raise InputError(shown, f"values separated by commas (this file is separated by "
                             f"{name}: save it as CSV with comma as the field delimiter)", row=1)


def _check_header(shown: str, header: list[str], columns: list[str]) -> None:
    missing = [name for name in columns if name not in header]
    extra = [name or f"(unnamed column {position + 1})"
             for position, name in enumerate(header) if name not in columns]
    if missing:
        raise InputError(shown, f"columns {', '.join(columns)}", row=1, column=missing[0],
                         value=f"header without {', '.join(missing)}")
    if extra:
        raise InputError(shown, f"only the columns {', '.join(columns)}", row=1, column=extra[0],
                         value=f"unexpected column(s) {', '.join(extra)}")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise InputError(shown, "each column once", row=1, column=duplicated[0])


def write_parquet_atomic(frame: pd.DataFrame, path: Path, provenance: dict[str, Any]) -> None:
    """Write ``frame`` to ``path`` so that readers see either the old file or the new one whole.

    Text columns get no min/max statistics: datasets are read whole, and on a large table the
    statistics of long text (notes, URLs) cost a quarter of the write.
    """
    with atomic_target(path) as temporary:
        write_parquet(frame, temporary, provenance)


def write_parquet(frame: pd.DataFrame, path: Path, provenance: dict[str, Any]) -> None:
    """Write ``frame`` with ``provenance`` in the footer, in place: for a temporary file from
    ``atomic_target``, when several files must replace their old versions together."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[PROVENANCE_KEY] = json.dumps(provenance, sort_keys=True, default=str).encode()
    table = table.replace_schema_metadata(metadata)
    counted = [field.name for field in table.schema
               if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type))]
    pq.write_table(table, path, write_statistics=counted)


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; it replaces ``path`` (synced, 0644) only if
    the block completes, so readers see the old file or the new one whole, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_text_atomic(text: str, path: Path) -> None:
    with atomic_target(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


READ_LOG_VARIABLE = "ANALYSIS_READ_LOG"
"""When set, the file to which ``read_parquet`` appends each path it reads: how ``run`` learns
which datasets a notebook read, so it executes the notebook again only when one of them
changed."""


def read_parquet(path: Path) -> pd.DataFrame:
    log = os.environ.get(READ_LOG_VARIABLE)
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{Path(path).resolve()}\n")
    return pq.read_table(path).to_pandas()


def read_columns(path: Path) -> list[str]:
    return pq.read_schema(path).names


def read_provenance(path: Path) -> dict[str, Any] | None:
    """The provenance stored in a Parquet file's footer, or None if missing or unreadable."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):
        return None
    raw = metadata.get(PROVENANCE_KEY)
    return json.loads(raw) if raw else None
