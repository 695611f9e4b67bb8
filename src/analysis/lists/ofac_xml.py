"""OFAC's ``sdn_advanced.xml``: the SDN list with designation dates.

Layout (OFAC's advanced sanctions data standard): ``ReferenceValueSets`` maps numeric IDs to
labels (party types, alias types, name-part types, sanctions types); each ``DistinctParty``
holds one ``Profile`` (kind via ``PartySubTypeID``, names under ``Identity/Alias``); each
``SanctionsEntry`` points at a profile with ``ProfileID`` and carries ``EntryEvent/Date`` and
``SanctionsMeasure`` elements, whose ``Comment`` names the programme when the measure's type is
``Program``. IDs are resolved through the reference sets, never hard-coded, and namespaces are
ignored, because OFAC has renumbered and re-namespaced the file before.

``listed_on`` is the earliest ``EntryEvent`` date of the profile's entries (basis
``official_listing_date``). Strictness: a profile without an entry, an entry without a complete
date, an unknown reference ID or a missing primary name raises InputError naming the element and
its ID rather than dropping or undating the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import Element

import pandas as pd

from analysis.errors import InputError
from analysis.lists.ofac import is_belarus_programme
from analysis.lists.safe_xml import child, children, iter_closed_elements, local_name, text_of
from analysis.lists.targets import EARLIEST_YEAR, LATEST_YEAR, join_programmes, target_frame
from analysis.paths import display_path

FORMAT = "ofac_xml"
KINDS = {"Individual": "person", "Entity": "entity", "Vessel": "vessel", "Aircraft": "aircraft"}
SURNAME_PARTS = {"Last Name", "Maiden Name"}
REFERENCE_SETS = {
    "PartySubType": "PartySubTypeValues",
    "PartyType": "PartyTypeValues",
    "NamePartType": "NamePartTypeValues",
    "SanctionsType": "SanctionsTypeValues",
}


@dataclass
class Party:
    profile_id: str
    sub_type_id: str
    name_parts: list[tuple[str, str]]


@dataclass
class Entry:
    entry_id: str
    dates: list[datetime] = field(default_factory=list)
    measures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class References:
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    party_type_of_sub_type: dict[str, str] = field(default_factory=dict)

    def label(self, file: str, kind: str, value_id: str, where: str) -> str:
        try:
            return self.labels[kind][value_id]
        except KeyError:
            raise InputError(file, f"an ID listed in ReferenceValueSets/{REFERENCE_SETS[kind]}",
                             row=where, column=f"{kind}ID", value=value_id) from None


def read_ofac_xml(path: Path) -> pd.DataFrame:
    path = Path(path)
    shown = display_path(path)
    references = References()
    parties: list[Party] = []
    entries: dict[str, list[Entry]] = {}
    root_seen = False
    for name, element in iter_closed_elements(path):
        if name == "ReferenceValueSets":
            references = _read_references(element)
            element.clear()
        elif name == "DistinctParty":
            parties.extend(_read_party(shown, element))
            element.clear()
        elif name == "SanctionsEntry":
            profile_id, entry = _read_entry(shown, element)
            entries.setdefault(profile_id, []).append(entry)
            element.clear()
        elif name == "Sanctions":
            root_seen = True
    if not root_seen:
        raise InputError(shown, "an OFAC advanced XML file (root element Sanctions)",
                         row="root element")
    if not parties:
        raise InputError(shown, "at least one DistinctParty", row="DistinctParties")
    return target_frame(_target(shown, path.name, references, party, entries)
                        for party in parties)


def _read_references(element: Element) -> References:
    references = References()
    for kind, set_name in REFERENCE_SETS.items():
        values = child(element, set_name)
        items = children(values, kind) if values is not None else []
        references.labels[kind] = {item.get("ID", ""): text_of(item) for item in items}
        if kind == "PartySubType":
            references.party_type_of_sub_type = {
                item.get("ID", ""): item.get("PartyTypeID", "") for item in items}
    return references


def _read_party(file: str, party: Element) -> list[Party]:
    found = []
    for profile in children(party, "Profile"):
        profile_id = profile.get("ID")
        where = f"DistinctParty {party.get('FixedRef', '?')} Profile {profile_id}"
        if not profile_id:
            raise InputError(file, "a Profile ID", row=where, column="ID")
        identities = children(profile, "Identity")
        identity = next((i for i in identities if i.get("Primary") == "true"),
                        identities[0] if identities else None)
        if identity is None:
            raise InputError(file, "an Identity holding the names", row=where,
                             column="Identity")
        found.append(Party(profile_id, profile.get("PartySubTypeID", ""),
                           _primary_name_parts(file, identity, where)))
    if not found:
        raise InputError(file, "a Profile", row=f"DistinctParty {party.get('FixedRef', '?')}",
                         column="Profile")
    return found


def _primary_name_parts(file: str, identity: Element, where: str) -> list[tuple[str, str]]:
    """(NamePartTypeID, text) of the primary alias, in document order."""
    part_type_of_group = {
        group.get("ID", ""): group.get("NamePartTypeID", "")
        for group in identity.iter() if local_name(group.tag) == "NamePartGroup"
    }
    aliases = children(identity, "Alias")
    alias = next((a for a in aliases if a.get("Primary") == "true"), None)
    documented = child(alias, "DocumentedName") if alias is not None else None
    if documented is None:
        raise InputError(file, "an Alias with Primary=\"true\" and a DocumentedName", row=where,
                         column="Alias")
    parts = []
    for value in documented.iter():
        if local_name(value.tag) == "NamePartValue" and text_of(value):
            group_id = value.get("NamePartGroupID", "")
            if group_id not in part_type_of_group:
                raise InputError(file, "a NamePartGroupID declared in the Identity's "
                                 "NamePartGroups", row=where, column="NamePartGroupID",
                                 value=group_id)
            parts.append((part_type_of_group[group_id], text_of(value)))
    if not parts:
        raise InputError(file, "a non-empty primary name", row=where, column="NamePartValue")
    return parts


def _read_entry(file: str, element: Element) -> tuple[str, Entry]:
    entry = Entry(element.get("ID", "?"))
    where = f"SanctionsEntry {entry.entry_id}"
    profile_id = element.get("ProfileID")
    if not profile_id:
        raise InputError(file, "the designated profile's ID", row=where, column="ProfileID")
    for event in children(element, "EntryEvent"):
        entry.dates.append(_event_date(file, event, where))
    if not entry.dates:
        raise InputError(file, "an EntryEvent with a Date", row=where, column="EntryEvent")
    for measure in children(element, "SanctionsMeasure"):
        entry.measures.append((measure.get("SanctionsTypeID", ""),
                               text_of(child(measure, "Comment"))))
    return profile_id, entry


def _event_date(file: str, event: Element, where: str) -> datetime:
    date = child(event, "Date")
    parts = [text_of(child(date, unit)) if date is not None else ""
             for unit in ("Year", "Month", "Day")]
    shown_value = "-".join(parts)
    try:
        year, month, day = (int(part) for part in parts)
        parsed = datetime(year, month, day)
    except ValueError:
        parsed = None
    if parsed is None or not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise InputError(file, "a complete date (Year, Month, Day)", row=where,
                         column="EntryEvent/Date", value=shown_value)
    return parsed


def _target(file: str, file_name: str, references: References, party: Party,
            entries: dict[str, list[Entry]]) -> dict:
    where = f"Profile {party.profile_id}"
    own_entries = entries.get(party.profile_id)
    if not own_entries:
        raise InputError(file, "a SanctionsEntry with this ProfileID", row=where,
                         column="SanctionsEntry")
    kind_label = references.label(file, "PartySubType", party.sub_type_id, where)
    if kind_label == "Unknown":
        party_type_id = references.party_type_of_sub_type.get(party.sub_type_id, "")
        kind_label = references.label(file, "PartyType", party_type_id, where)
    if kind_label not in KINDS:
        raise InputError(file, f"a party type among {', '.join(KINDS)}", row=where,
                         column="PartySubTypeID", value=kind_label)
    programmes = []
    for entry in own_entries:
        for type_id, comment in entry.measures:
            label = references.label(file, "SanctionsType", type_id,
                                     f"SanctionsEntry {entry.entry_id}")
            if label == "Program" and comment:
                programmes.append(comment)
    return {
        "source": f"{FORMAT}:{file_name}",
        "jurisdiction": "US",
        "record_id": party.profile_id,
        "name": _display_name(file, references, party, where),
        "kind": KINDS[kind_label],
        "programmes": join_programmes(programmes),
        "belarus": any(is_belarus_programme(p) for p in programmes),
        "listed_on": min(date for entry in own_entries for date in entry.dates),
        "listed_on_basis": "official_listing_date",
    }


def _display_name(file: str, references: References, party: Party, where: str) -> str:
    """``"SURNAME, Given Names"`` for people as in the legacy CSV, parts in order otherwise."""
    surname, other = [], []
    for type_id, text in party.name_parts:
        label = references.label(file, "NamePartType", type_id, where)
        (surname if label in SURNAME_PARTS else other).append(text)
    if surname and other:
        return f"{' '.join(surname)}, {' '.join(other)}"
    return " ".join(surname or other)
