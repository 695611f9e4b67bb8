"""OFAC's legacy SDN CSV set (sdn.csv with add.csv, alt.csv, sdn_comments.csv).

The files have no header, CRLF line ends, ``-0- `` for an empty field and a lone Ctrl-Z (0x1A)
as the last line. They carry no designation date, so ``listed_on`` is NaT with basis ``unknown``;
``attach_first_seen`` adds dates from the archive-derived first-seen file.

Strictness: a record with the wrong number of fields, a non-numeric ``ent_num``, an unknown
``SDN_Type`` or an empty name or programme raises InputError naming file, line and column. The
companion files are checked the same way although their content is not returned, because a
truncated companion is the usual sign of an interrupted download of the whole set.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.lists.targets import csv_records, join_programmes, read_text, target_frame
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
    return [part.strip(" []") for part in value.split("] [") if part.strip(" []")]


def is_belarus_programme(programme: str) -> bool:
    """BELARUS and BELARUS-EO14038 today; the prefix also catches a future Belarus order."""
    return programme.upper().startswith(BELARUS_PREFIX)


def read_ofac_csv(path: Path) -> pd.DataFrame:
    folder, sdn_file = sdn_folder_and_file(path)
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
            "source": f"{FORMAT}:{folder.name}/{sdn_file.name}",
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
    _check_companions(folder)
    return target_frame(records)


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
