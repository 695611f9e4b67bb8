"""Official sanctions lists (OFAC, UK, EU) read into one row per designated target.

``read_sanctions_list`` returns ``LIST_COLUMNS``:

- ``source``: format and file, e.g. ``ofsi_xlsx:ConList.xlsx``
- ``jurisdiction``: ``US``, ``UK`` or ``EU``
- ``record_id``: the list's own ID (OFAC ent_num or profile ID, OFSI Group ID, UK Sanctions
  List Unique ID, EU logical ID, annex ``<annex>/<recordId>``)
- ``name``: the primary name, ``SURNAME, Given`` for people where the list splits names
- ``kind``: ``person``, ``entity``, ``vessel`` or ``aircraft``
- ``programmes``: the list's programme or regime codes, ``; ``-joined
- ``belarus``: listed under a Belarus programme or regime
- ``listed_on``: designation date (datetime64, NaT when the list has none)
- ``listed_on_basis``: how good that date is: ``official_listing_date``,
  ``uk_designation_date`` (UK Sanctions List: the date under UK law, 31/12/2020 for listings
  carried over from EU law), ``latest_amendment_date`` (EU FSF), ``first_seen_in_archive``
  (OFAC, an upper bound) or ``unknown``

Every fault in a file raises ``analysis.errors.InputError`` naming the file, the record and the
field; XML is parsed only through defusedxml.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.lists import eu, ofac, ofac_xml, ofsi, uksl
from analysis.lists.designations import designations_by_month
from analysis.lists.fetch import fetch_lists
from analysis.lists.first_seen import attach_first_seen, first_seen_targets
from analysis.lists.targets import LIST_COLUMNS
from analysis.paths import display_path

READERS = {
    "ofac_csv": ofac.read_ofac_csv,
    "ofac_xml": ofac_xml.read_ofac_xml,
    "ofsi_xlsx": ofsi.read_ofsi_xlsx,
    "ofsi_csv": ofsi.read_ofsi_csv,
    "uk_sl_csv": uksl.read_uksl_csv,
    "uk_sl_xml": uksl.read_uksl_xml,
    "eu_fsf_csv": eu.read_fsf_csv,
    "eu_fsf_xml": eu.read_fsf_xml,
    "eu_annex_csv": eu.read_annex_csv,
}
FORMATS = tuple(READERS)
SNIFF_BYTES = 64 * 1024
XML_ROOTS = {"Sanctions": "ofac_xml", "export": "eu_fsf_xml", uksl.XML_ROOT: "uk_sl_xml"}
_XML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_XML_FIRST_ELEMENT = re.compile(r"<(?![?!])(?:[\w.-]+:)?([\w.-]+)")
_OFAC_RECORD = re.compile(r"[0-9]+,")

__all__ = [
    "FORMATS",
    "LIST_COLUMNS",
    "attach_first_seen",
    "designations_by_month",
    "detect_format",
    "fetch_lists",
    "first_seen_targets",
    "read_sanctions_list",
]


def read_sanctions_list(path: str | Path, format: str | None = None) -> pd.DataFrame:
    """One row per designated target of the list at ``path`` (OFAC CSV: the folder or sdn.csv).

    ``format`` skips detection; it must be one of ``FORMATS``.
    """
    path = Path(path)
    chosen = format or detect_format(path)
    if chosen not in READERS:
        raise InputError(display_path(path), f"a format among {', '.join(FORMATS)}",
                         column="format", value=chosen)
    if not path.exists():
        raise InputError(display_path(path), "an existing file or folder")
    return READERS[chosen](path)


def detect_format(path: str | Path) -> str:
    """The list format of a file or folder, from its name and first bytes, never its size."""
    path = Path(path)
    shown = display_path(path)
    if path.is_dir():
        if any(item.name.lower() == ofac.SDN_FILE_NAME for item in path.iterdir()):
            return "ofac_csv"
        raise InputError(shown, "a list file, or a folder holding OFAC's sdn.csv")
    if not path.is_file():
        raise InputError(shown, "an existing file or folder")
    if path.name.lower() == ofac.SDN_FILE_NAME:
        return "ofac_csv"
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return "ofsi_xlsx"
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff")
    detected = _sniff_xml(head) if suffix == ".xml" else _sniff_csv(head)
    if detected is None:
        raise InputError(shown, f"a known list format ({', '.join(FORMATS)}); pass format= to "
                         "choose one", value=head[:40])
    return detected


def _sniff_xml(head: str) -> str | None:
    match = _XML_FIRST_ELEMENT.search(_XML_COMMENT.sub("", head))
    return XML_ROOTS.get(match.group(1)) if match else None


def _sniff_csv(head: str) -> str | None:
    first_line = head.splitlines()[0] if head else ""
    cells = [cell.strip().strip('"') for cell in first_line.split(",")]
    if cells[0].startswith(uksl.TITLE_PREFIX) or tuple(cells[:2]) == uksl.HEADER_START:
        return "uk_sl_csv"
    if cells[0] == ofsi.FIRST_CELL:
        return "ofsi_csv"
    if "Entity_LogicalId" in {cell.strip().strip('"') for cell in first_line.split(";")}:
        return "eu_fsf_csv"
    if {"programKey", "startDate", "recordId"} <= set(cells):
        return "eu_annex_csv"
    if _OFAC_RECORD.match(first_line):
        return "ofac_csv"
    return None
