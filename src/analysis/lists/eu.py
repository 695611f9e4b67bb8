"""EU lists: the Financial Sanctions Files (FSF, CSV and XML) and the annex transcription of
Council Regulation (EC) No 765/2006, the EU's Belarus regime.

The FSF gives no original listing date. Its ``Entity_Regulation_PublicationDate`` (XML:
``regulation/@publicationDate``) is the date of the act the file cites, often the latest
amendment, so it is kept with basis ``latest_amendment_date`` (the earliest such date when a
target cites several acts); a ``designationDate``, present on a few targets, is preferred with
basis ``official_listing_date``. Designation dates for the EU come from the annex CSV instead,
whose ``startDate`` is the Official Journal's "date of listing".

Strictness: an unreadable date, an unknown subject type or schema, a row with the wrong number
of fields or a missing required column raises InputError naming file, line (or entity) and
column; an empty date leaves the target undated (basis ``unknown``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import Element

import pandas as pd

from analysis.errors import InputError
from analysis.lists.safe_xml import child, children, iter_closed_elements
from analysis.lists.targets import (
    csv_records,
    join_programmes,
    parse_day,
    read_text,
    target_frame,
)
from analysis.paths import display_path

FORMAT_FSF_CSV = "eu_fsf_csv"
FORMAT_FSF_XML = "eu_fsf_xml"
FORMAT_ANNEX_CSV = "eu_annex_csv"
FSF_BELARUS_PROGRAMME = "BLR"
FSF_SUBJECT_KINDS = {"person": "person", "enterprise": "entity", "p": "person", "e": "entity"}
FSF_CLASSIFICATION_COLUMN = "Entity_SubjectType_ClassificationCode"
FSF_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
FSF_DATE_EXPECTED = "a date as YYYY-MM-DD"
FSF_CSV_COLUMNS = ["Entity_LogicalId", "Entity_DesignationDate", "Entity_SubjectType",
                   "Entity_Regulation_PublicationDate", "Entity_Regulation_Programme",
                   "NameAlias_WholeName"]
ANNEX_COLUMNS = ["recordId", "programKey", "annex", "startDate", "schema", "name"]
ANNEX_BELARUS_PROGRAMME = "EU-BLR"
ANNEX_SCHEMA_KINDS = {
    "Person": "person",
    "LegalEntity": "entity",
    "Organization": "entity",
    "Company": "entity",
    "PublicBody": "entity",
    "Asset": "entity",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
ANNEX_DATE_FORMATS = ("%d.%m.%Y", "dmy_text")
ANNEX_DATE_EXPECTED = "a date as D.M.YYYY (or '20 March 2022')"


def read_fsf_csv(path: Path) -> pd.DataFrame:
    path = Path(path)
    shown = display_path(path)
    rows = csv_records(path, read_text(path), delimiter=";")
    header_line, header = next(rows, (1, []))
    header = [name.strip() for name in header]
    _require_columns(shown, header, FSF_CSV_COLUMNS, header_line)
    position = {name: header.index(name) for name in FSF_CSV_COLUMNS}
    classification = (header.index(FSF_CLASSIFICATION_COLUMN)
                      if FSF_CLASSIFICATION_COLUMN in header else None)
    entities: dict[str, dict] = {}
    for line, values in rows:
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            raise InputError(shown, f"{len(header)} ';'-separated fields as in the header",
                             row=line, value=f"{len(values)} fields")
        row = {name: values[index].strip() for name, index in position.items()}
        logical_id = row["Entity_LogicalId"]
        if not logical_id:
            raise InputError(shown, "an entity ID", row=line, column="Entity_LogicalId")
        entity = entities.setdefault(logical_id, _fsf_entity())
        if row["Entity_SubjectType"] or classification is None:
            _set_fsf_kind(path, entity, line, row["Entity_SubjectType"], "Entity_SubjectType")
        else:
            _set_fsf_kind(path, entity, line, values[classification].strip(),
                          FSF_CLASSIFICATION_COLUMN)
        _add_fsf_programme(entity, row["Entity_Regulation_Programme"])
        _add_fsf_name(entity, row["NameAlias_WholeName"])
        _add_fsf_date(path, entity, line, row["Entity_DesignationDate"],
                      "Entity_DesignationDate", "designated")
        _add_fsf_date(path, entity, line, row["Entity_Regulation_PublicationDate"],
                      "Entity_Regulation_PublicationDate", "published")
    return _fsf_frame(shown, f"{FORMAT_FSF_CSV}:{path.name}", entities)


def read_fsf_xml(path: Path) -> pd.DataFrame:
    path = Path(path)
    shown = display_path(path)
    entities: dict[str, dict] = {}
    root_seen = False
    for name, element in iter_closed_elements(path):
        if name == "sanctionEntity":
            _read_fsf_element(path, entities, element)
            element.clear()
        elif name == "export":
            root_seen = True
    if not root_seen:
        raise InputError(shown, "an EU FSF XML file (root element export)", row="root element")
    return _fsf_frame(shown, f"{FORMAT_FSF_XML}:{path.name}", entities)


def _read_fsf_element(path: Path, entities: dict[str, dict], element: Element) -> None:
    logical_id = element.get("logicalId", "").strip()
    where = f"sanctionEntity logicalId={logical_id or '?'}"
    if not logical_id:
        raise InputError(display_path(path), "a logicalId", row=where, column="logicalId")
    entity = entities.setdefault(logical_id, _fsf_entity())
    subject = child(element, "subjectType")
    _set_fsf_kind(path, entity, where, subject.get("code", "") if subject is not None else "",
                  "subjectType/@code")
    _add_fsf_date(path, entity, where, element.get("designationDate", ""), "designationDate",
                  "designated")
    for regulation in children(element, "regulation"):
        _add_fsf_programme(entity, regulation.get("programme", ""))
        _add_fsf_date(path, entity, where, regulation.get("publicationDate", ""),
                      "regulation/@publicationDate", "published")
    for alias in children(element, "nameAlias"):
        _add_fsf_name(entity, alias.get("wholeName", ""))


def _fsf_entity() -> dict:
    return {"kind": None, "name": "", "programmes": [], "designated": [], "published": []}


def _set_fsf_kind(path: Path, entity: dict, where: int | str, subject: str,
                  column: str) -> None:
    subject = subject.strip()
    if subject:
        if subject.lower() not in FSF_SUBJECT_KINDS:
            raise InputError(display_path(path), "a subject type of person or enterprise",
                             row=where, column=column, value=subject)
        entity["kind"] = FSF_SUBJECT_KINDS[subject.lower()]


def _add_fsf_programme(entity: dict, programme: str) -> None:
    if programme.strip():
        entity["programmes"].append(programme.strip())


def _add_fsf_name(entity: dict, name: str) -> None:
    """The first whole name the file gives is the one it lists the target under."""
    if name.strip() and not entity["name"]:
        entity["name"] = name.strip()


def _add_fsf_date(path: Path, entity: dict, where: int | str, value: str, column: str,
                  bucket: str) -> None:
    day = parse_day(value, file=path, row=where, column=column, formats=FSF_DATE_FORMATS,
                    expected=FSF_DATE_EXPECTED)
    if day is not None:
        entity[bucket].append(day)


def _fsf_frame(shown: str, source: str, entities: dict[str, dict]) -> pd.DataFrame:
    if not entities:
        raise InputError(shown, "at least one sanctioned entity", value="no entities")
    records = []
    for logical_id, entity in entities.items():
        where = f"entity {logical_id}"
        if entity["kind"] is None:
            raise InputError(shown, "a subject type (person or enterprise)", row=where,
                             column="subject type")
        if not entity["name"]:
            raise InputError(shown, "a whole name", row=where, column="name alias")
        listed_on, basis = _fsf_listing(entity["designated"], entity["published"])
        records.append({
            "source": source,
            "jurisdiction": "EU",
            "record_id": logical_id,
            "name": entity["name"],
            "kind": entity["kind"],
            "programmes": join_programmes(entity["programmes"]),
            "belarus": FSF_BELARUS_PROGRAMME in entity["programmes"],
            "listed_on": listed_on,
            "listed_on_basis": basis,
        })
    return target_frame(records)


def _fsf_listing(designated: list[datetime], published: list[datetime]
                 ) -> tuple[datetime | None, str]:
    if designated:
        return min(designated), "official_listing_date"
    if published:
        return min(published), "latest_amendment_date"
    return None, "unknown"


def read_annex_csv(path: Path) -> pd.DataFrame:
    path = Path(path)
    shown = display_path(path)
    rows = csv_records(path, read_text(path))
    header_line, header = next(rows, (1, []))
    header = [name.strip() for name in header]
    _require_columns(shown, header, ANNEX_COLUMNS, header_line)
    position = {name: header.index(name) for name in ANNEX_COLUMNS}
    records = []
    seen: dict[str, int] = {}
    for line, row in _annex_rows(shown, rows, len(header), position):
        record_id = f"{row['annex']}/{row['recordId'] or _position_in_annex(seen, row['annex'])}"
        kind = ANNEX_SCHEMA_KINDS.get(row["schema"])
        if kind is None:
            raise InputError(shown, f"a schema among {', '.join(ANNEX_SCHEMA_KINDS)}",
                             row=line, column="schema", value=row["schema"])
        if not row["name"]:
            raise InputError(shown, "a name", row=line, column="name")
        listed_on = parse_day(row["startDate"], file=path, row=line, column="startDate",
                              formats=ANNEX_DATE_FORMATS, expected=ANNEX_DATE_EXPECTED)
        records.append({
            "source": f"{FORMAT_ANNEX_CSV}:{path.name}",
            "jurisdiction": "EU",
            "record_id": record_id,
            "name": row["name"],
            "kind": kind,
            "programmes": row["programKey"],
            "belarus": row["programKey"] == ANNEX_BELARUS_PROGRAMME,
            "listed_on": listed_on,
            "listed_on_basis": "official_listing_date" if listed_on else "unknown",
        })
    if not records:
        raise InputError(shown, "at least one annex record", row=header_line + 1,
                         value="no records")
    return target_frame(records)


def _annex_rows(shown: str, rows: Iterator[tuple[int, list[str]]], width: int,
                position: dict[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    for line, values in rows:
        if not any(value.strip() for value in values):
            continue
        if len(values) != width:
            raise InputError(shown, f"{width} comma-separated fields as in the header",
                             row=line, value=f"{len(values)} fields")
        yield line, {name: values[index].strip() for name, index in position.items()}


def _position_in_annex(seen: dict[str, int], annex: str) -> str:
    """A stable ID for annex rows the transcription leaves unnumbered (annexes V, IX, XV...)."""
    seen[annex] = seen.get(annex, 0) + 1
    return f"#{seen[annex]}"


def _require_columns(shown: str, header: list[str], required: list[str], line: int) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(shown, f"a header row with {', '.join(required)}", row=line,
                         column=missing[0], value="missing")
