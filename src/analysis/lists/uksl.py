"""The FCDO's UK Sanctions List (CSV and XML), the single official UK list since OFSI's
Consolidated List (``ofsi.py``) was retired on 28 January 2026.

One target per ``Unique ID`` (``BEL0060``-style, one per designation under one regime). The CSV
has a title line (``Report Date: 24-Jun-2026``) above the header and one row per name record
(primary name, its variations and aliases), folded here by ``Unique ID``; the XML has one
``Designation`` element each. The name is the ``Primary Name`` record's, ``SURNAME, Given`` as
the other readers give it (its non-Latin script only when it has no Latin one).

Belarus rule: ``belarus`` is true for a designation under ``BELARUS_REGIME``, and for one under
any other regime whose UK Statement of Reasons names Belarus (``Belarus`` or ``Belarusian`` as a
word), as some Belarus-related people are listed under the Global Human Rights or Russia
regimes. The rule is broad on purpose: a mention in passing counts too, so check such rows by
name before reading them as Belarus policy. In the XML the statement is ``UKStatementofReasons``
and non-Latin names are ``NonLatinNames/NonLatinName/NameNonLatinScript``: element names
assumed from the CSV columns, as the layout notes at hand do not name them.

``listed_on`` is ``Date Designated`` with basis ``uk_designation_date``: the date under UK law,
31/12/2020 for the many listings carried over from EU law at the end of the transition period.
The retired ConList's ``Listed On`` often gives the original date; ``best_uk_dates`` links the
two by ``OFSI Group ID``.

Strictness: a regime not in ``UK_REGIMES`` (a renamed Belarus regime must not silently stop
counting), an unreadable date, an unknown designation type, a missing ``Unique ID``, a header
not right below the title line, a row with the wrong number of fields, or broken XML raises
InputError naming file, line (or designation) and column.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import Element

import pandas as pd

from analysis.errors import InputError
from analysis.lists.safe_xml import child, children, iter_closed_elements, text_of
from analysis.lists.targets import (
    LIST_COLUMNS,
    csv_records,
    join_programmes,
    parse_day,
    read_text,
    target_frame,
)
from analysis.paths import display_path

FORMAT_CSV = "uk_sl_csv"
FORMAT_XML = "uk_sl_xml"
XML_ROOT = "Designations"
TITLE_PREFIX = "Report Date"
HEADER_START = ("Last Updated", "Unique ID")
BASIS = "uk_designation_date"
GROUP_ID = "ofsi_group_id"
"""Extra column of ``read_uk_sanctions_list``: the designation's old ConList ``Group ID``."""
DATE_FORMAT = "%d/%m/%Y"
DATE_EXPECTED = "a date as DD/MM/YYYY"
REPORT_DATE_FORMAT = "%d-%b-%Y"
GIVEN_NAME_COLUMNS = ["Name 1", "Name 2", "Name 3", "Name 4", "Name 5"]
REQUIRED_COLUMNS = ["Unique ID", "OFSI Group ID", "Name 6", *GIVEN_NAME_COLUMNS, "Name type",
                    "Name non-latin script", "Regime Name", "Designation Type",
                    "UK Statement of Reasons", "Date Designated"]
KINDS = {"Individual": "person", "Entity": "entity", "Ship": "vessel"}
PRIMARY_NAME = "Primary Name"
BELARUS_REGIME = "The Republic of Belarus (Sanctions) (EU Exit) Regulations 2019"
BELARUS_STATEMENT = re.compile(r"\bBelarus(?:ian)?\b", re.IGNORECASE)
UK_REGIMES = frozenset({
    "The Afghanistan (Sanctions) (EU Exit) Regulations 2020",
    "The Bosnia and Herzegovina (Sanctions) (EU Exit) Regulations 2020",
    "The Burundi (Sanctions) (EU Exit) Regulations 2019",
    "The Central African Republic (Sanctions) (EU Exit) Regulations 2020",
    "The Chemical Weapons (Sanctions) (EU Exit) Regulations 2019",
    "The Counter-Terrorism (International Sanctions) (EU Exit) Regulations 2019",
    "The Counter-Terrorism (Sanctions) (EU Exit) Regulations 2019",
    "The Cyber (Sanctions) (EU Exit) Regulations 2020",
    "The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019",
    "The Democratic Republic of the Congo (Sanctions) (EU Exit) Regulations 2019",
    "The Global Anti-Corruption Sanctions Regulations 2021",
    "The Global Human Rights Sanctions Regulations 2020",
    "The Global Irregular Migration and Trafficking in Persons Sanctions Regulations 2025",
    "The Guinea (Sanctions) (EU Exit) Regulations 2019",
    "The Guinea-Bissau (Sanctions) (EU Exit) Regulations 2019",
    "The Haiti (Sanctions) Regulations 2022",
    "The Iran (Sanctions) (Nuclear) (EU Exit) Regulations 2019",
    "The Iran (Sanctions) Regulations 2023",
    "The Iraq (Sanctions) (EU Exit) Regulations 2020",
    "The ISIL (Da'esh) and Al-Qaida (United Nations Sanctions) (EU Exit) Regulations 2019",
    "The Lebanon (Sanctions) (EU Exit) Regulations 2020",
    "The Libya (Sanctions) (EU Exit) Regulations 2020",
    "The Mali (Sanctions) (EU Exit) Regulations 2020",
    "The Myanmar (Sanctions) Regulations 2021",
    "The Nicaragua (Sanctions) (EU Exit) Regulations 2020",
    BELARUS_REGIME,
    "The Russia (Sanctions) (EU Exit) Regulations 2019",
    "The Somalia (Sanctions) (EU Exit) Regulations 2020",
    "The South Sudan (Sanctions) (EU Exit) Regulations 2019",
    "The Sudan (Sanctions) (EU Exit) Regulations 2020",
    "The Syria (Sanctions) (EU Exit) Regulations 2019",
    "The Venezuela (Sanctions) (EU Exit) Regulations 2019",
    "The Yemen (Sanctions) (EU Exit) Regulations 2020",
    "The Zimbabwe (Sanctions) (EU Exit) Regulations 2019",
})
"""UK sanctions regulations by title, as this project knew them on 2026-11-29; not checked
against legislation.gov.uk or a real UK Sanctions List file (neither is reachable here), except
the Belarus title, from ../shared/official_lists/README.md. A regime the FCDO adds or renames
stops the read with its name: add it here after checking it is not Belarus's."""


def read_uksl_csv(path: Path) -> pd.DataFrame:
    return read_uk_sanctions_list(path, FORMAT_CSV)[LIST_COLUMNS]


def read_uksl_xml(path: Path) -> pd.DataFrame:
    return read_uk_sanctions_list(path, FORMAT_XML)[LIST_COLUMNS]


def read_uk_sanctions_list(path: str | Path, format: str) -> pd.DataFrame:
    """``LIST_COLUMNS`` plus ``ofsi_group_id`` (NA where none is given), one row per
    ``Unique ID``, for linking with an archived ConList."""
    path = Path(path)
    records = _csv_designations(path) if format == FORMAT_CSV else _xml_designations(path)
    records = list(records)
    if not records:
        raise InputError(display_path(path), "at least one designation", value="none")
    frame = target_frame(records)
    frame[GROUP_ID] = pd.array([record[GROUP_ID] or None for record in records],
                               dtype="string")
    return frame


def read_report_date(path: str | Path) -> datetime | None:
    """The day the file was generated: the CSV title line's ``Report Date`` or the XML's
    ``DateGenerated``; None when the file has neither (the reader accepts a CSV without its
    title line). The list speaks for designations up to that day."""
    path = Path(path)
    if path.suffix.lower() == ".xml":
        for name, element in iter_closed_elements(path):
            if name == "DateGenerated":
                return parse_day(text_of(element), file=path, row="DateGenerated",
                                 column="DateGenerated", formats=(DATE_FORMAT,),
                                 expected=DATE_EXPECTED)
        return None
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        title = handle.readline().strip().strip('"').rstrip(",")
    label, _, value = title.partition(":")
    if label.strip() != TITLE_PREFIX:
        return None
    return parse_day(value.strip().strip('"'), file=path, row=1, column=TITLE_PREFIX,
                     formats=(REPORT_DATE_FORMAT,), expected="a date as DD-Mon-YYYY")


def _csv_designations(path: Path) -> Iterator[dict]:
    shown = display_path(path)
    names: list[str] = []  # filled with the header once read: a broken quote names its column
    rows = csv_records(path, read_text(path), columns=names)
    header_line, header = _header(path, rows)
    names.extend(header)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise InputError(shown, f"a header row with {', '.join(REQUIRED_COLUMNS)}",
                         row=header_line, column=missing[0], value="missing")
    position = {column: header.index(column) for column in REQUIRED_COLUMNS}
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, values in rows:
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            raise InputError(shown, f"{len(header)} fields as in the header", row=line,
                             value=f"{len(values)} fields")
        row = {column: values[index].strip() for column, index in position.items()}
        if not row["Unique ID"]:
            raise InputError(shown, "a Unique ID", row=line, column="Unique ID")
        groups.setdefault(row["Unique ID"], []).append((line, row))
    for unique_id, members in groups.items():
        yield _designation(path, FORMAT_CSV, unique_id, members)


def _header(path: Path, rows: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The header row: right below the title line, or first when there is no title line."""
    line, cells = next(rows, (1, []))
    if cells and cells[0].strip().startswith(TITLE_PREFIX):
        line, cells = next(rows, (line + 1, []))
    cells = [cell.strip() for cell in cells]
    if tuple(cells[:2]) == HEADER_START:
        return line, cells
    found = next((later for later, values in itertools.islice(rows, 10)
                  if tuple(value.strip() for value in values[:2]) == HEADER_START), None)
    raise InputError(display_path(path), f"the header row ({', '.join(HEADER_START)}, ...) "
                     f"right below the '{TITLE_PREFIX}' title line", row=line,
                     value=f"header on line {found}" if found else (cells[:2] or "no header"))


def _xml_designations(path: Path) -> Iterator[dict]:
    root_seen = False
    found = []
    for name, element in iter_closed_elements(path):
        if name == "Designation":
            found.append(_xml_designation(path, element))
            element.clear()
        elif name == XML_ROOT:
            root_seen = True
    if not root_seen:
        raise InputError(display_path(path), f"a UK Sanctions List XML file (root element "
                         f"{XML_ROOT})", row="root element")
    return iter(found)


def _xml_designation(path: Path, element: Element) -> dict:
    unique_id = text_of(child(element, "UniqueID"))
    where = f"Designation {unique_id or '?'}"
    if not unique_id:
        raise InputError(display_path(path), "a UniqueID", row=where, column="UniqueID")
    common = {
        "OFSI Group ID": text_of(child(element, "OFSIGroupID")),
        "Regime Name": text_of(child(element, "RegimeName")),
        "Designation Type": text_of(child(element, "IndividualEntityShip")),
        "Date Designated": text_of(child(element, "DateDesignated")),
        "UK Statement of Reasons": text_of(child(element, "UKStatementofReasons")),
        "Name non-latin script": "",
    }
    names = child(element, "Names")
    members = [(where, common | {
        **{f"Name {number}": text_of(child(name, f"Name{number}")) for number in range(1, 7)},
        "Name type": text_of(child(name, "NameType")),
    }) for name in (children(names, "Name") if names is not None else [])]
    non_latin = child(element, "NonLatinNames")
    for name in children(non_latin, "NonLatinName") if non_latin is not None else []:
        members.append((where, common | {f"Name {number}": "" for number in range(1, 7)}
                        | {"Name type": "", "Name non-latin script":
                           text_of(child(name, "NameNonLatinScript"))}))
    return _designation(path, FORMAT_XML, unique_id, members or [(where, common)])


def _designation(path: Path, fmt: str, unique_id: str,
                 members: list[tuple[int | str, dict[str, str]]]) -> dict:
    shown = display_path(path)
    kinds, days = set(), []
    for where, row in members:
        if row["Designation Type"] not in KINDS:
            raise InputError(shown, f"a Designation Type among {', '.join(KINDS)}", row=where,
                             column="Designation Type", value=row["Designation Type"])
        kinds.add(KINDS[row["Designation Type"]])
        if row["Regime Name"] not in UK_REGIMES:
            raise InputError(shown, "a regime among the UK sanctions regulations (add a new one "
                             "to UK_REGIMES in analysis/lists/uksl.py)", row=where,
                             column="Regime Name", value=row["Regime Name"])
        day = parse_day(row["Date Designated"], file=path, row=where, column="Date Designated",
                        formats=(DATE_FORMAT,), expected=DATE_EXPECTED)
        if day is not None:
            days.append(day)
    first = members[0][0]
    if len(kinds) > 1:
        raise InputError(shown, "one Designation Type per Unique ID", row=first,
                         column="Designation Type", value=f"{unique_id}: {sorted(kinds)}")
    regimes = [row["Regime Name"] for _, row in members]
    name = _primary_name(row for _, row in members)
    if not name:
        raise InputError(shown, "a name in Name 6, Name 1-5 or the non-Latin script",
                         row=first, column="Name 6")
    listed_on = min(days, default=None)
    return {
        "source": f"{fmt}:{path.name}",
        "jurisdiction": "UK",
        "record_id": unique_id,
        "name": name,
        "kind": kinds.pop(),
        "programmes": join_programmes(regimes),
        "belarus": _is_belarus(regimes, (row["UK Statement of Reasons"] for _, row in members)),
        "listed_on": listed_on,
        "listed_on_basis": BASIS if listed_on is not None else "unknown",
        GROUP_ID: next((row["OFSI Group ID"] for _, row in members if row["OFSI Group ID"]),
                       ""),
    }


def _is_belarus(regimes: list[str], statements: Iterable[str]) -> bool:
    return BELARUS_REGIME in regimes or any(BELARUS_STATEMENT.search(text)
                                           for text in statements)


def _primary_name(rows: Iterable[dict[str, str]]) -> str:
    """The Primary Name record's Latin name, else any Latin name, else a non-Latin one."""
    rows = list(rows)
    ordered = sorted(rows, key=lambda row: row["Name type"] != PRIMARY_NAME)
    for row in ordered:
        surname = row["Name 6"]
        given = " ".join(filter(None, (row[column] for column in GIVEN_NAME_COLUMNS)))
        if surname or given:
            return f"{surname}, {given}" if surname and given else surname or given
    return next((row["Name non-latin script"] for row in ordered
                 if row["Name non-latin script"]), "")


def best_uk_dates(conlist: pd.DataFrame, uk_list: pd.DataFrame) -> pd.DataFrame:
    """UK targets with the best date each: ``uk_list`` (``read_uk_sanctions_list``) rows whose
    ConList group (``OFSI Group ID`` = ConList ``Group ID``) has an earlier stated ``Listed On``
    take that date and its basis; the rest keep their own. ConList groups that no UK list
    designation links to (delisted since, or not in this copy) are kept as they are, with
    ``ofsi_group_id`` their Group ID. A missing date never wins over a stated one.
    """
    stated = conlist[conlist["listed_on"].notna()].set_index("record_id")
    groups = uk_list[GROUP_ID].astype(object)
    linked = pd.to_datetime(groups.map(stated["listed_on"])).astype("datetime64[ns]")
    linked_basis = groups.map(stated["listed_on_basis"])
    earlier = linked.notna() & (uk_list["listed_on"].isna() | (linked < uk_list["listed_on"]))
    best = uk_list.copy()
    best.loc[earlier, "listed_on"] = linked[earlier]
    best.loc[earlier, "listed_on_basis"] = linked_basis[earlier]
    unlinked = conlist[~conlist["record_id"].isin(uk_list[GROUP_ID].dropna())]
    unlinked = unlinked.assign(**{GROUP_ID: unlinked["record_id"].astype("string")})
    return pd.concat([best, unlinked[best.columns]], ignore_index=True)
