"""Bad files raise InputError naming the file, the record and the field, never anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.lists import attach_first_seen, detect_format, read_sanctions_list
from analysis.lists.targets import target_frame

SDN_ROW = '{ent},"TEST PERSON ONE","individual","BELARUS",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
BOMB = """<?xml version="1.0"?>
<!DOCTYPE Sanctions [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<Sanctions><DistinctParties>&d;</DistinctParties></Sanctions>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE export [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<export><sanctionEntity logicalId="1">&secret;</sanctionEntity></export>
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def error_of(path: Path, fmt: str | None = None) -> str:
    with pytest.raises(InputError) as caught:
        read_sanctions_list(path, format=fmt)
    return str(caught.value)


def sdn_folder(tmp_path: Path, *rows: str) -> Path:
    write(tmp_path, "sdn.csv", "\r\n".join(rows) + "\r\n\x1a")
    return tmp_path


def replaced(source: Path, target: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    return write(target.parent, target.name, text.replace(old, new, 1))


@pytest.mark.parametrize(("name", "fmt"), [("sdn_advanced.xml", "ofac_xml"),
                                           ("eu_fsf.xml", "eu_fsf_xml")])
def test_truncated_xml(list_fixtures: Path, tmp_path: Path, name: str, fmt: str) -> None:
    text = (list_fixtures / name).read_text(encoding="utf-8")
    cut = write(tmp_path, name, text[: len(text) // 2])
    message = error_of(cut, fmt)
    assert name in message
    assert "line " in message and "well-formed, complete XML" in message


@pytest.mark.parametrize(("text", "fmt"), [(BOMB, "ofac_xml"), (EXTERNAL, "eu_fsf_xml")])
def test_xml_entities_are_refused(tmp_path: Path, text: str, fmt: str) -> None:
    path = write(tmp_path, "list.xml", text)
    message = error_of(path, fmt)
    assert "list.xml" in message
    assert "document type declaration" in message and "without a DTD" in message


def test_ofac_csv_wrong_number_of_columns(tmp_path: Path) -> None:
    folder = sdn_folder(tmp_path, SDN_ROW.format(ent=1), '2,"TEST ENTITY TWO",-0- ,"BELARUS"')
    message = error_of(folder)
    assert "sdn.csv, line 2" in message and "12 comma-separated fields" in message
    assert "found '4 fields'" in message


def test_ofac_companion_file_is_checked(tmp_path: Path) -> None:
    folder = sdn_folder(tmp_path, SDN_ROW.format(ent=1))
    write(folder, "alt.csv", '1,10,"aka","TEST ONE",-0- \r\n1,11,"aka"\r\n')
    message = error_of(folder)
    assert "alt.csv, line 2" in message and "5 comma-separated fields" in message


def test_ofac_csv_unknown_type_and_duplicate_id(tmp_path: Path) -> None:
    row = SDN_ROW.format(ent=1)
    message = error_of(sdn_folder(tmp_path, row.replace('"individual"', '"robot"')))
    assert "line 1, column 'SDN_Type'" in message and "'robot'" in message
    message = error_of(sdn_folder(tmp_path, row, row))
    assert "line 2, column 'ent_num'" in message and "also on line 1" in message


def test_ofsi_missing_column_and_wrong_width(list_fixtures: Path, tmp_path: Path) -> None:
    source = list_fixtures / "ofsi_conlist.csv"
    message = error_of(replaced(source, tmp_path / "ConList.csv", ",Regime,", ",Programme,"))
    assert "ConList.csv, line 2, column 'Regime'" in message
    message = error_of(replaced(source, tmp_path / "ConList.csv", ",90002", ",90002,extra"))
    assert "ConList.csv, line 5" in message and "36 fields" in message


def test_eu_fsf_csv_short_row(list_fixtures: Path, tmp_path: Path) -> None:
    lines = (list_fixtures / "eu_fsf.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[3] = ";".join(lines[3].split(";")[:20])
    message = error_of(write(tmp_path, "fsf.csv", "\n".join(lines)), "eu_fsf_csv")
    assert "fsf.csv, line 4" in message and "118 ';'-separated fields" in message


def test_missing_required_xml_field(list_fixtures: Path, tmp_path: Path) -> None:
    source = list_fixtures / "sdn_advanced.xml"
    no_date = replaced(source, tmp_path / "sdn_advanced.xml",
                       "<Year>2019</Year>", "")
    message = error_of(no_date)
    assert "SanctionsEntry 91003" in message and "column 'EntryEvent/Date'" in message
    no_entry = replaced(source, tmp_path / "sdn_advanced.xml",
                        'ProfileID="91004"', 'ProfileID="99999"')
    message = error_of(no_entry)
    assert "Profile 91004" in message and "SanctionsEntry" in message


@pytest.mark.parametrize(("fixture", "old", "new", "where"), [
    ("ofsi_conlist.csv", ",09/08/2021,", ",31/02/2021,", "line 5, column 'Listed On'"),
    ("sdn_advanced.xml", "<Month>8</Month>", "<Month>13</Month>",
     "SanctionsEntry 91001, column 'EntryEvent/Date'"),
    ("eu_fsf.xml", 'designationDate="2022-03-02"', 'designationDate="02.03.22"',
     "sanctionEntity logicalId=900002, column 'designationDate'"),
    ("eu_fsf.csv", ";2022-02-23;2022-02-23;", ";23 Feb;2022-02-23;",
     "line 9, column 'Entity_Regulation_PublicationDate'"),
])
def test_bad_dates(list_fixtures: Path, tmp_path: Path, fixture: str, old: str, new: str,
                   where: str) -> None:
    path = replaced(list_fixtures / fixture, tmp_path / fixture, old, new)
    message = error_of(path)
    assert f"{fixture}, {where}" in message
    assert "expected a" in message and "date" in message


def test_eu_annex_bad_date_and_schema(tmp_path: Path) -> None:
    header = "celex,recordId,programKey,annex,measure,startDate,schema,name\n"
    good = '32006R0765,1,EU-BLR,I.A,Asset freeze,2.10.2020,Person,"TEST PERSON ONE"\n'
    path = write(tmp_path, "annex.csv", header + good + good.replace("2.10.2020", "2020-10-02"))
    message = error_of(path, "eu_annex_csv")
    assert "annex.csv, line 3, column 'startDate'" in message and "D.M.YYYY" in message
    path = write(tmp_path, "annex.csv", header + good.replace("Person", "Spaceship"))
    assert "line 2, column 'schema'" in error_of(path, "eu_annex_csv")


def test_first_seen_bad_time(tmp_path: Path) -> None:
    path = write(tmp_path, "first_seen.csv",
                 "ent_num,sdn_name,program_latest,first_seen_commit_utc\n"
                 '1,"ONE, Test",BELARUS,2021-08-18T09:39:01+00:00\n'
                 '2,"TWO, Test",BELARUS,yesterday\n')
    frame = target_frame([])
    with pytest.raises(InputError) as caught:
        attach_first_seen(frame, path)
    assert "first_seen.csv, line 3, column 'first_seen_commit_utc'" in str(caught.value)


def test_unknown_format(tmp_path: Path) -> None:
    notes = write(tmp_path, "notes.csv", "just,some,words\n")
    with pytest.raises(InputError, match=r"notes.csv: expected a known list format"):
        detect_format(notes)
    message = error_of(notes, "un_xml")
    assert "notes.csv, column 'format'" in message and "ofac_csv" in message
    odd_xml = write(tmp_path, "odd.xml", "<?xml version='1.0'?><catalog/>")
    with pytest.raises(InputError, match="odd.xml"):
        detect_format(odd_xml)
    assert "missing" in error_of(tmp_path / "missing.csv", "ofsi_csv")


def test_xlsx_that_is_not_a_workbook(tmp_path: Path) -> None:
    fake = write(tmp_path, "ConList.xlsx", "Last Updated,10/04/2025\n")
    message = error_of(fake)
    assert "ConList.xlsx" in message and "an xlsx workbook" in message
