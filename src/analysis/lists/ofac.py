"""OFAC's legacy SDN CSV set (sdn.csv with add.csv, alt.csv, sdn_comments.csv).

The files have no header, CRLF line ends, ``-0- `` for an empty field and a lone Ctrl-Z (0x1A)
as the last line. They carry no designation date, so ``listed_on`` is NaT with basis ``unknown``;
``attach_first_seen`` adds dates from the archive-derived first-seen file.

Strictness: a record with the wrong number of fields, a non-numeric ``ent_num``, an unknown
``SDN_Type`` or an empty name or programme raises InputError naming file, line and column. The
companion files are checked the same way although their content is not returned, because a
truncated companion is the usual sign of an interrupted download of the whole set.

Speed: sdn.csv is first read with pyarrow and checked column by column, several times faster
and leaner than a Python row loop. That path only accepts what the exact row-by-row reader
would return unchanged; on anything else it steps aside and the exact reader reads the file
again, so every fault is still reported with its line and column.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from analysis.errors import InputError
from analysis.lists.targets import (
    LIST_COLUMNS,
    MAX_FIELD_CHARS,
    PROGRAMME_SEPARATOR,
    csv_records,
    join_programmes,
    read_text,
    target_frame,
)
from analysis.paths import display_path

FORMAT = "ofac_csv"
SDN_FILE_NAME = "sdn.csv"
SDN_COLUMNS = ["ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign", "Vess_type",
               "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks"]
COMPANION_COLUMNS = {
    "add.csv": ["ent_num", "Add_num", "Address", "City/State/Province/Postal Code", "Country",
                "Add_remarks"],
    "alt.csv": ["ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"],
    "sdn_comments.csv": ["ent_num", "Remarks_Extended"],
}
EMPTY_MARKER = "-0-"
END_OF_FILE = "\x1a"
KINDS = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "entity"}
BELARUS_PREFIX = "BELARUS"
WHOLE_NUMBER = re.compile(r"[0-9]+")
PROGRAMME_BREAK = "] ["
PROGRAMME_EDGES = " []"
# What str.strip() removes, so that pyarrow strips the same; no code point above U+3000 is space.
WHITESPACE = "".join(char for char in map(chr, range(0x3001)) if char.isspace())
QUOTE = ord('"')
QUOTE_NEIGHBOURS = np.isin(np.arange(256), list(b',\r\n"'))  # by byte value
SCAN_BYTES = 1 << 20
# One thread: pyarrow's own threads made the parse no faster here, only bigger.
ARROW_OPTIONS = {
    "read_options": pa_csv.ReadOptions(column_names=SDN_COLUMNS, use_threads=False),
    "parse_options": pa_csv.ParseOptions(newlines_in_values=True),
    "convert_options": pa_csv.ConvertOptions(
        column_types=dict.fromkeys(SDN_COLUMNS, pa.large_string())),
}
TRAILER = b"\r\n" + END_OF_FILE.encode()  # what the exact reader strips from the end
KIND_KEYS = pa.array(list(KINDS), pa.large_string())
KIND_NAMES = pa.array(list(KINDS.values()), pa.large_string())
MAX_PROGRAMMES = 64  # the search for a programme named twice is quadratic in their number


def sdn_folder_and_file(path: Path) -> tuple[Path, Path]:
    """Accept the folder holding sdn.csv (any letter case) or the SDN file itself."""
    path = Path(path)
    if path.is_file():
        return path.parent, path
    for candidate in sorted(path.iterdir()) if path.is_dir() else []:
        if candidate.name.lower() == SDN_FILE_NAME:
            return path, candidate
    raise InputError(display_path(path), "a folder holding OFAC's sdn.csv, or sdn.csv itself")


def split_programmes(value: str) -> list[str]:
    """``"BELARUS] [BELARUS-EO14038"`` -> ``["BELARUS", "BELARUS-EO14038"]``."""
    return [part.strip(PROGRAMME_EDGES) for part in value.split(PROGRAMME_BREAK)
            if part.strip(PROGRAMME_EDGES)]


def is_belarus_programme(programme: str) -> bool:
    """BELARUS and BELARUS-EO14038 today; the prefix also catches a future Belarus order."""
    return programme.upper().startswith(BELARUS_PREFIX)


def read_ofac_csv(path: Path) -> pd.DataFrame:
    folder, sdn_file = sdn_folder_and_file(path)
    source = f"{FORMAT}:{folder.name}/{sdn_file.name}"
    frame = sdn_frame_fast(sdn_file, source)
    if frame is None:
        frame = sdn_frame_exact(sdn_file, source)
    _check_companions(folder)
    return frame


def sdn_frame_exact(sdn_file: Path, source: str) -> pd.DataFrame:
    """The targets of sdn.csv read row by row, raising InputError at the first fault."""
    records = []
    seen: dict[str, int] = {}
    shown = display_path(sdn_file)
    for line, fields in _ofac_rows(sdn_file, SDN_COLUMNS):
        record_id = fields["ent_num"]
        if record_id in seen:
            raise InputError(shown, f"a unique ent_num (also on line {seen[record_id]})",
                             row=line, column="ent_num", value=record_id)
        seen[record_id] = line
        name = fields["SDN_Name"]
        if not name:
            raise InputError(shown, "a name", row=line, column="SDN_Name")
        sdn_type = fields["SDN_Type"].lower()
        if sdn_type not in KINDS:
            raise InputError(shown, "individual, vessel, aircraft or -0- (entity)", row=line,
                             column="SDN_Type", value=fields["SDN_Type"])
        programmes = split_programmes(fields["Program"])
        if not programmes:
            raise InputError(shown, "at least one programme", row=line, column="Program")
        records.append({
            "source": source,
            "jurisdiction": "US",
            "record_id": record_id,
            "name": name,
            "kind": KINDS[sdn_type],
            "programmes": join_programmes(programmes),
            "belarus": any(is_belarus_programme(p) for p in programmes),
            "listed_on": pd.NaT,
            "listed_on_basis": "unknown",
        })
    if not records:
        raise InputError(shown, "at least one SDN record", row=1, value="no records")
    return target_frame(records)


def sdn_frame_fast(sdn_file: Path, source: str) -> pd.DataFrame | None:
    """The same frame as ``sdn_frame_exact`` read with pyarrow, or None when the file holds
    anything that reader might refuse or read differently (it then decides, and names the fault).
    """
    targets = _sdn_targets(sdn_file)
    if targets is None:
        return None
    rows = targets.num_rows
    columns = {
        "source": _repeated(source, rows),
        "jurisdiction": _repeated("US", rows),
        **dict(zip(targets.column_names, targets.columns, strict=True)),
        "listed_on": pa.nulls(rows, pa.timestamp("ns")),
        "listed_on_basis": _repeated("unknown", rows),
    }
    return pa.table([columns[name] for name in LIST_COLUMNS], names=LIST_COLUMNS).to_pandas(
        types_mapper={pa.large_string(): pd.StringDtype()}.get)


def _sdn_targets(sdn_file: Path) -> pa.Table | None:
    """Record id, name, kind, programmes and Belarus flag of every record, or None at the first
    thing out of the ordinary.

    The file is held once, as bytes. pyarrow parses it in place, block by block, and each block
    is reduced to the columns kept before the next is parsed; the quote scan runs meanwhile, on
    a second core.
    """
    data = sdn_file.read_bytes()
    end = len(data)
    while end and data[end - 1] in TRAILER:
        end -= 1
    body = memoryview(data)[:end]  # a leading BOM stays: pyarrow skips one, as utf-8-sig does
    blocks = []
    with ThreadPoolExecutor(1) as worker:
        plain = worker.submit(_quotes_are_plain, body)
        try:  # ArrowInvalid: wrong number of fields, text that is not UTF-8, an id beyond int64
            # A block of nothing but blank lines comes out empty.
            for block in filter(len, pa_csv.open_csv(pa.BufferReader(body), **ARROW_OPTIONS)):
                reduced = _block_targets(block)
                if reduced is None:
                    return None
                blocks.append(reduced)
            if not blocks:
                return None
            targets = pa.Table.from_batches(blocks)
            # Whole numbers are unique if their values are; "07" and "7" only cost the fast path.
            ids = np.sort(pc.cast(targets["record_id"], pa.int64()).to_numpy())
        except pa.ArrowInvalid:
            return None
    return targets if plain.result() and (np.diff(ids) > 0).all() else None


def _block_targets(block: pa.RecordBatch) -> pa.RecordBatch | None:
    """Record id, name, kind, programmes and Belarus flag of one block, or None when a value
    would make the exact reader raise (or, for programmes beyond ASCII, might read otherwise)."""
    if not _fields_fit(block):
        return None
    record_id, name, sdn_type, programme_field = (
        _stripped(block.column(column)) for column in SDN_COLUMNS[:4])
    kind = pc.index_in(pc.ascii_lower(sdn_type), value_set=KIND_KEYS)
    if not (pc.all(pc.ascii_is_decimal(record_id)).as_py()
            and pc.all(pc.not_equal(name, "")).as_py()
            and kind.null_count == 0
            and pc.all(pc.string_is_ascii(programme_field)).as_py()):
        return None
    programmes = _programmes(programme_field)
    if programmes is None:
        return None
    return pa.record_batch({"record_id": record_id, "name": name,
                            "kind": pc.take(KIND_NAMES, kind), "programmes": programmes[0],
                            "belarus": programmes[1]})


def _stripped(values: pa.Array) -> pa.Array:
    """Values stripped as str.strip() does, ``-0-`` turned into ``""``."""
    stripped = pc.utf8_trim(values, WHITESPACE)
    return pc.if_else(pc.equal(stripped, EMPTY_MARKER), "", stripped)


def _fields_fit(block: pa.RecordBatch) -> bool:
    """Whether every field is within the csv module's limit: certain when the whole block's text
    is, which saves measuring each field."""
    return (sum(column.buffers()[2].size for column in block.columns) <= MAX_FIELD_CHARS
            or all(pc.max(pc.binary_length(column)).as_py() <= MAX_FIELD_CHARS
                   for column in block.columns))


def _programmes(values: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    """``join_programmes(split_programmes(value))`` and the Belarus flag of each value, or None
    when one has no programme or very many. A programme named twice in one record is rare, so
    only such records are joined in Python."""
    split = pc.split_pattern(values, PROGRAMME_BREAK)
    parts = pc.utf8_trim(pc.list_flatten(split), PROGRAMME_EDGES)
    record = pc.list_parent_indices(split)
    named = pc.not_equal(parts, "")
    parts, record = parts.filter(named), record.filter(named).to_numpy()
    counts = np.bincount(record, minlength=len(values))
    if counts.min(initial=1) == 0 or counts.max(initial=0) > MAX_PROGRAMMES:
        return None
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int64())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(offsets, parts),
                            pa.scalar(PROGRAMME_SEPARATOR, pa.large_string()))
    belarus = pc.starts_with(pc.ascii_upper(parts), BELARUS_PREFIX).to_numpy(
        zero_copy_only=False)
    repeated = np.zeros(len(values), dtype=bool)
    for gap in range(1, counts.max(initial=0)):
        same = pc.equal(parts[gap:], parts[:-gap]).to_numpy(zero_copy_only=False)
        repeated[record[gap:][same & (record[gap:] == record[:-gap])]] = True
    if repeated.any():
        joined = pc.replace_with_mask(joined, repeated, pa.array(
            [join_programmes(split_programmes(value))
             for value in values.filter(repeated).to_pylist()], pa.large_string()))
    return joined, pa.array(np.bincount(record, belarus, minlength=len(values)) > 0)


def _repeated(value: str, rows: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.large_string()), rows)


def _quotes_are_plain(body: memoryview) -> bool:
    """Whether pyarrow surely splits ``body`` into the same fields as Python's strict csv.

    They differ where a closing quote is followed by anything but a comma, a line end or a
    second quote (Python refuses it, pyarrow reads on) and where the last quote is never closed.
    Accepted are files whose quotes alternate opening and closing (a doubled quote closes and
    reopens) with a comma, line end or quote before each opening and after each closing one;
    that also turns away quotes inside unquoted fields, which both read alike but are rare
    enough to leave to the exact reader. Scanned in slices to keep the mask of quotes small.
    """
    data = np.frombuffer(body, dtype=np.uint8)
    last = len(data) - 1
    seen = 0
    for start in range(0, len(data), SCAN_BYTES):
        quotes = np.flatnonzero(data[start : start + SCAN_BYTES] == QUOTE) + start
        opening, closing = quotes[seen % 2 :: 2], quotes[1 - seen % 2 :: 2]
        # Clipped at the ends of the file, a quote is its own neighbour, which passes.
        before, after = data[np.maximum(opening - 1, 0)], data[np.minimum(closing + 1, last)]
        if not (QUOTE_NEIGHBOURS[before].all() and QUOTE_NEIGHBOURS[after].all()):
            return False
        seen += len(quotes)
    return seen % 2 == 0


def _check_companions(folder: Path) -> None:
    """Read add/alt/sdn_comments through to the end so that a damaged one raises InputError."""
    for candidate in sorted(folder.iterdir()):
        columns = COMPANION_COLUMNS.get(candidate.name.lower())
        if columns is not None:
            collections.deque(_ofac_rows(candidate, columns), maxlen=0)


def _ofac_rows(path: Path, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Records as dicts of stripped values, ``-0-`` turned into ``""``, with their line."""
    shown = display_path(path)
    text = read_text(path).rstrip("\r\n" + END_OF_FILE)
    for line, row in csv_records(path, text, columns=columns):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            raise InputError(shown, f"{len(columns)} comma-separated fields "
                             f"({', '.join(columns)})", row=line, value=f"{len(row)} fields")
        values = ["" if cell.strip() == EMPTY_MARKER else cell.strip() for cell in row]
        if not WHOLE_NUMBER.fullmatch(values[0]):
            raise InputError(shown, "a whole number", row=line, column="ent_num", value=row[0])
        yield line, dict(zip(columns, values, strict=True))
