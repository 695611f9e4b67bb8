"""Reading raw files and writing processed Parquet: the only module that touches data files.

Raw CSVs are read as text, every value a string, with the line each record starts on, so that
schemas decide what a value means and every message can point at the exact line. Parquet is
written atomically (temporary file in the same folder, fsync, rename) with provenance in its
metadata, so an interrupted build leaves the last good file in place.
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import InputError
from analysis.paths import display_path

LINE = "_line"
PROVENANCE_KEY = b"analysis.provenance"
MAX_FIELD_CHARS = 100_000


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
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
            field = _field_at_fault(data[line_start : error.start].decode("utf-8"))
            column = names[min(field, len(names) - 1)].strip()
        raise InputError(
            display_path(path),
            "UTF-8 text (save the file as UTF-8)",
            row=line,
            column=column,
            value=data[error.start : error.start + 8],
        ) from None


def read_csv_text(path: Path, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a headed CSV into strings plus a ``_line`` column, and the records it could not split.

    Returns ``(records, malformed)``: ``malformed`` has one row per record whose number of fields
    differs from the header or that holds NUL bytes (line, column, value, reason), for the caller
    to quarantine. A file that cannot be read at all (missing, empty, header only, not UTF-8,
    wrong header, broken quoting) raises ``InputError``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(display_path(path), "an existing file")
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
            column = header[min(_field_at_fault("".join(failed)), len(header) - 1)]
            raise InputError(shown, f"well-formed CSV ({error})", row=reader.line_num,
                             column=column) from None
        if not record or (len(record) == 1 and not record[0].strip()):
            start = reader.line_num + 1
            continue
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


def _field_at_fault(record: str) -> int:
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
        elif char == ",":
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


def _check_header(shown: str, header: list[str], columns: list[str]) -> None:
    missing = [name for name in columns if name not in header]
    extra = [name for name in header if name not in columns]
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
    """Write ``frame`` to ``path`` so that readers see either the old file or the new one whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[PROVENANCE_KEY] = json.dumps(provenance, sort_keys=True, default=str).encode()
    table = table.replace_schema_metadata(metadata)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as sink:
            pq.write_table(table, sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_text_atomic(text: str, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as sink:
            sink.write(text)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas()


def read_provenance(path: Path) -> dict[str, Any] | None:
    """The provenance stored in a Parquet file's footer, or None if missing or unreadable."""
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):
        return None
    raw = metadata.get(PROVENANCE_KEY)
    return json.loads(raw) if raw else None
