"""Property-based tests: whatever a raw file holds, the suite reads it or says exactly why not.

Cleaners get arbitrary rows and must return them cleaned or quarantined with a reason, every
record accounted for; list parsers get damaged copies of their fixtures and must return targets
or raise InputError. No other exception type may escape. The fast CSV path and the vectorised
checks are compared with the exact reader and with pandera on arbitrary input, and the source
is searched for ways of loading data that can run code.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import io as analysis_io
from analysis import paths, schemas, validate
from analysis.errors import InputError
from analysis.export_safety import FORMULA_STARTS, neutralise_formulas
from analysis.lists import LIST_COLUMNS, read_sanctions_list
from analysis.sources import curated

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TABLES = {
    "prisoner_counts": (curated.clean_prisoner_counts, schemas.prisoner_counts_raw()),
    "release_events": (curated.clean_release_events, schemas.RELEASE_EVENTS_RAW),
    "relief_events": (curated.clean_relief_events, schemas.RELIEF_EVENTS_RAW),
    "sanctions_measures": (curated.clean_sanctions_measures, schemas.SANCTIONS_MEASURES_RAW),
}
NEAR_MISSES = ["", " ", "-1", "0", "12", "1.5", "1e3", "2024-02-30", "2024-13", "2024",
               "2024-02", "2023-02-29", "31/01/2024", "true", "TRUE", "false", "day", "month",
               "=1+1", "@x", "pc001", "re001", "rl001", "sm001", "https://example.org/x",
               "http://", "\x00", "é", "a,b", 'say "hi"', "line\nbreak"]


def fixture_values(table: str) -> dict[str, list[str]]:
    with open(FIXTURES / "curated" / f"{table}.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {column: sorted({row[column] for row in rows}) for column in rows[0]}


def cell(values: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(values), st.sampled_from(NEAR_MISSES), st.text(max_size=12))


def table_rows(table: str) -> st.SearchStrategy[list[list[str]]]:
    """Rows mostly shaped like the table's, some with a field too few or too many."""
    columns = list(TABLES[table][1].columns)
    values = fixture_values(table)
    row = st.tuples(*[cell(values.get(column, [""])) for column in columns]).map(list)
    misshapen = st.tuples(row, st.integers(-2, 2)).map(
        lambda pair: pair[0][: len(columns) + pair[1]] if pair[1] < 0
        else pair[0] + ["extra"] * pair[1])
    return st.lists(st.one_of(row, row, row, misshapen), max_size=8)


def is_blank(row: list[str]) -> bool:
    return not row or (len(row) == 1 and not row[0].strip())


def write_table(folder: str, table: str, rows: list[list[str]], quoted: bool) -> Path:
    header = list(TABLES[table][1].columns)
    if quoted:
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, *rows])
        text = buffer.getvalue()
    else:
        text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    path = Path(folder) / f"{table}.csv"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    return path


@pytest.mark.parametrize("table", TABLES)
@FUZZ
@given(data=st.data(), quoted=st.booleans())
def test_arbitrary_rows_are_cleaned_or_quarantined_with_a_reason(table, data, quoted):
    rows = data.draw(table_rows(table))
    with tempfile.TemporaryDirectory() as folder:
        path = write_table(folder, table, rows, quoted)
        try:
            checked = TABLES[table][0](path)
        except InputError as error:
            assert path.name in str(error) and error.expected
            return
    quarantine = checked.quarantine
    if quoted:
        assert checked.rows_in == sum(not is_blank(row) for row in rows)
    assert len(checked.rows) + quarantine["line"].nunique() == checked.rows_in
    assert quarantine["reason"].str.startswith("expected ").all()
    assert quarantine["line"].notna().all()
    assert set(checked.rows["source_line"]).isdisjoint(set(quarantine["line"]))


@pytest.mark.parametrize("table", TABLES)
@FUZZ
@given(data=st.data())
def test_vectorised_checks_find_what_pandera_finds(table, data):
    """validate._validate runs the schema's checks its own way; pandera is the reference."""
    schema = TABLES[table][1]
    columns = list(schema.columns)
    values = fixture_values(table)
    rows = data.draw(st.lists(st.tuples(*[cell(values.get(c, [""])) for c in columns]),
                              max_size=8))
    records = pd.DataFrame([list(row) for row in rows], columns=columns, dtype="str")
    records.insert(0, analysis_io.LINE, np.arange(2, len(records) + 2, dtype="int64"))
    failures = validate._validate(records, schema, "fuzz.csv")
    ours = {(line, None if pd.isna(column) else column,
             reason.replace(validate.UNIQUE_REASON, "field_uniqueness"))
            for line, column, reason in failures[[analysis_io.LINE, "column", "reason"]]
            .itertuples(index=False)}
    try:
        schema.validate(records.drop(columns=analysis_io.LINE), lazy=True)
        theirs = set()
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        theirs = {(int(index) + 2, None if context == "DataFrameSchema" else column,
                   f"expected {check}")
                  for index, column, context, check in
                  cases[["index", "column", "schema_context", "check"]].itertuples(index=False)}
    assert ours == theirs


PIECES = ["a", "b", ",", '"', '""', " ", "é", "\n", "\r\n", "\r", "\x00", "\ufeff"]
FIELD = st.tuples(st.lists(st.sampled_from(PIECES), max_size=4).map("".join),
                  st.sampled_from(["quoted", "plain", "raw"]))


def render(field: tuple[str, str]) -> str:
    value, style = field
    if style == "quoted":
        return '"' + value.replace('"', '""') + '"'
    if style == "plain":
        return re.sub('[,"\r\n]', "", value)
    return value


CSV_TEXT = st.builds(
    lambda bom, header, rows, breaks, last: bom + header + breaks[0] + breaks[1].join(
        ",".join(render(field) for field in row) for row in rows) + last,
    st.sampled_from(["", "\ufeff"]),
    st.sampled_from(["a,b", " a , b", "b,a"]),
    st.lists(st.lists(FIELD, min_size=1, max_size=3), max_size=6),
    st.tuples(st.sampled_from(["\n", "\r\n"]), st.sampled_from(["\n", "\r\n", "\n\n"])),
    st.sampled_from(["", "\n", "\r\n"]),
)


@settings(max_examples=400, deadline=None)
@given(text=CSV_TEXT, block=st.sampled_from([4, 7, 16, 1 << 24]))
def test_the_fast_csv_path_reads_exactly_what_the_exact_reader_reads(text, block):
    """Whenever pyarrow is trusted with a file, Python's csv module reads it the same way."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(text.encode("utf-8"))
        with mock.patch.object(analysis_io, "PLAIN_BLOCK_BYTES", block):
            fast = analysis_io._read_plain(path, ["a", "b"])
        if fast is None:
            return
        records, malformed = analysis_io._read_exact(path, ["a", "b"])
    assert malformed.empty
    pd.testing.assert_frame_equal(fast, records)


@FUZZ
@given(payload=st.binary(max_size=300))
def test_any_bytes_read_as_csv_give_records_or_input_error(payload):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(b"a,b\n" + payload)
        try:
            records, malformed = analysis_io.read_csv_text(path, ["a", "b"])
        except InputError as error:
            assert "t.csv" in str(error)
            return
    assert list(records.columns) == [analysis_io.LINE, "a", "b"]
    assert records[analysis_io.LINE].is_monotonic_increasing


def _workbook_bytes() -> bytes:
    rows = list(csv.reader(io.StringIO(
        (FIXTURES / "lists" / "ofsi_conlist.csv").read_text(encoding="utf-8"))))
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SDN = ('1,"ONE, Test","individual","BELARUS",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
       '2,"TWO","-0- ","BELARUS] [IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a')
LIST_FILES = {
    "ofac_csv": ("sdn.csv", SDN.encode()),
    "ofac_xml": ("sdn_advanced.xml", (FIXTURES / "lists" / "sdn_advanced.xml").read_bytes()),
    "ofsi_csv": ("ConList.csv", (FIXTURES / "lists" / "ofsi_conlist.csv").read_bytes()),
    "ofsi_xlsx": ("ConList.xlsx", _workbook_bytes()),
    "uk_sl_csv": ("UK-Sanctions-List.csv",
                  (FIXTURES / "lists" / "uk_sanctions_list.csv").read_bytes()),
    "uk_sl_xml": ("UK-Sanctions-List.xml",
                  (FIXTURES / "lists" / "uk_sanctions_list.xml").read_bytes()),
    "eu_fsf_csv": ("fsf.csv", (FIXTURES / "lists" / "eu_fsf.csv").read_bytes()),
    "eu_fsf_xml": ("fsf.xml", (FIXTURES / "lists" / "eu_fsf.xml").read_bytes()),
    "eu_annex_csv": ("annex.csv", b"celex,recordId,programKey,annex,measure,startDate,schema,"
                     b'name\n32006R0765,1,EU-BLR,I.A,Asset freeze,2.10.2020,Person,"ONE, Test"\n'
                     b"32006R0765,,EU-BLR,V,Asset freeze,20 March 2022,Company,Two JSC\n"),
}
INSERTS = [b"", b"<", b">", b"</x>", b'"', b",", b";", b"\n", b"\x00", b"&amp;", b"&x;",
           b"<!DOCTYPE x>", b"13", b"-0- ", b"31/02/2021", b"\xff\xfe", b"\xc3"]


@st.composite
def damaged(draw, original: bytes) -> bytes:
    """The file with a slice cut out and something put in its place, once or a few times."""
    data = original
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 40)))
        data = data[:start] + draw(st.one_of(st.sampled_from(INSERTS), st.binary(max_size=6))
                                   ) + data[end:]
    return data


@pytest.mark.parametrize("fmt", list(LIST_FILES))
@FUZZ
@given(data=st.data())
def test_a_damaged_list_file_gives_targets_or_input_error(fmt, data):
    name, original = LIST_FILES[fmt]
    payload = data.draw(damaged(original))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(payload)
        try:
            frame = read_sanctions_list(path, format=fmt)
        except InputError as error:
            assert name in str(error) and error.expected
            return
    assert list(frame.columns) == LIST_COLUMNS
    assert frame["record_id"].is_unique
    assert set(frame["kind"]) <= {"person", "entity", "vessel", "aircraft"}


@FUZZ
@given(cells=st.lists(st.one_of(st.text(max_size=8), st.integers(), st.floats(),
                                st.sampled_from(["=1", "+1", "-1", "@1", "\t1", "\r1"])),
                      min_size=1, max_size=20))
def test_no_text_cell_can_start_a_formula_after_neutralising(cells):
    frame = pd.DataFrame({"mixed": pd.Series(cells, dtype=object),
                          "text": pd.Series([str(c) for c in cells], dtype="str")})
    safe = neutralise_formulas(frame)
    for column in safe:
        for before, after in zip(frame[column], safe[column], strict=True):
            if isinstance(before, str) and before.startswith(FORMULA_STARTS):
                assert after == "'" + before
            elif isinstance(before, float) and np.isnan(before):
                assert isinstance(after, float) and np.isnan(after)
            else:
                assert after == before


UNSAFE_LOADING = re.compile(
    r"\bpickle\b|read_pickle|to_pickle|allow_pickle\s*=\s*True|\bmarshal\b|\bshelve\b"
    r"|\bjoblib\b|(?<![\w.])eval\(|(?<![\w.])exec\(|yaml\.(?:unsafe_)?load\(|\bdill\b")
RAW_XML = re.compile(r"\b(?:xml\.(?:etree|dom|sax)|lxml)\b")
XML_TYPES_ONLY = re.compile(r"from xml\.etree\.ElementTree import (?:Element|ParseError)"
                            r"(?:, (?:Element|ParseError))*$")


def test_nothing_loads_data_in_a_way_that_can_run_code():
    """No pickle, eval or exec, no unsafe YAML, and XML only through defusedxml."""
    found = []
    for path in sorted((paths.PACKAGE_DIR).rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if UNSAFE_LOADING.search(code) or (RAW_XML.search(code)
                                               and not XML_TYPES_ONLY.match(code.strip())):
                found.append(f"{path.relative_to(paths.PACKAGE_DIR)}:{number}: {line.strip()}")
    assert found == []
    assert openpyxl.xml.DEFUSEDXML, "openpyxl parses workbooks through defusedxml"
