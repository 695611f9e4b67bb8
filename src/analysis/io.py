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
        line = payload[: error.start].count(b"\n") + 1
        raise InputError(
            display_path(path),
            "UTF-8 text (save the file as UTF-8)",
            row=line,
            value=payload[error.start : error.start + 8],
        ) from None


def read_csv_text(path: Path, columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a headed CSV into strings plus a ``_line`` column, and the records it could not split.

    Returns ``(records, malformed)``: ``malformed`` has one row per record whose number of fields
    differs from the header (line, column, value, reason), for the caller to quarantine. A file
    that cannot be read at all (missing, empty, not UTF-8, wrong header) raises ``InputError``.
    """
    path = Path(path)
    shown = display_path(path)
    if not path.is_file():
        raise InputError(shown, "an existing file")
    payload = path.read_bytes()
    text = _decode(path, payload)
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
            raise InputError(shown, f"well-formed CSV ({error})", row=reader.line_num) from None
        if not record or (len(record) == 1 and not record[0].strip()):
            start = reader.line_num + 1
            continue
        if len(record) != len(header):
            malformed.append({
                LINE: start, "column": None, "value": ",".join(record)[:200],
                "reason": f"expected {len(header)} fields as in the header, found {len(record)}",
            })
        else:
            rows.append(record)
            lines.append(start)
        start = reader.line_num + 1
    records = pd.DataFrame(rows, columns=header, dtype="string")
    records = records.astype(object).where(records.notna(), "")
    records.insert(0, LINE, pd.array(lines, dtype="int64"))
    return records[[LINE, *columns]], pd.DataFrame(malformed, columns=[LINE, "column", "value",
                                                                      "reason"])


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
