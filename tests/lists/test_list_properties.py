"""Whatever an sdn.csv-like file holds, the OFAC parser returns targets or raises InputError,
and its pyarrow fast path gives exactly what the row-by-row reader gives, or steps aside."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.lists import LIST_COLUMNS, ofac, read_sanctions_list

PLAUSIBLE_CELLS = st.sampled_from(
    ["-0- ", "-0-", "", "individual", "vessel", "aircraft", "BELARUS", "BELARUS] [IRAN",
     "] [", "36", "0", "\x1a", '"', "TEST PERSON ONE"])
CELLS = st.one_of(st.text(max_size=30), PLAUSIBLE_CELLS)
ANY_ROW = st.lists(CELLS, min_size=0, max_size=14)
SDN_LIKE_ROW = st.builds(
    lambda ent_num, name, kind, programme, rest: [ent_num, name, kind, programme, *rest],
    st.one_of(st.integers(0, 60_000).map(str), CELLS),
    CELLS,
    st.sampled_from(["individual", "vessel", "aircraft", "-0- ", "Individual", "ship"]),
    st.one_of(PLAUSIBLE_CELLS, st.text(max_size=20)),
    st.lists(CELLS, min_size=8, max_size=8),
)
ROWS = st.one_of(st.lists(SDN_LIKE_ROW, max_size=6),
                 st.lists(st.one_of(ANY_ROW, SDN_LIKE_ROW), max_size=6))
# Rows the exact reader mostly accepts, with what the fast path must read as it does.
AWKWARD_TEXT = st.text(st.sampled_from(list('Az09 ,."-[];\r\n\t\xa0\u2003éЖ')), max_size=12)
READABLE_ROW = st.builds(
    lambda ent_num, name, kind, programmes, rest: [ent_num, name, kind, "] [".join(programmes),
                                                   *rest],
    st.integers(0, 10**6).map(str),
    AWKWARD_TEXT.filter(lambda name: name.strip() not in ("", "-0-")),
    st.sampled_from(["individual", "Individual", "VESSEL", " aircraft", "-0- ", "-0-", ""]),
    st.lists(st.sampled_from(["BELARUS", "belarus-EO14038", "IRAN", " SDGT ", "[CUBA"]),
             min_size=1, max_size=4),
    st.lists(st.one_of(AWKWARD_TEXT, st.just("-0- ")), min_size=8, max_size=8),
)
BAD_OFAC_CSV = sorted((Path(__file__).resolve().parents[1] / "bad_inputs" / "ofac_csv").iterdir())
# Quoted commas and line breaks, doubled quotes, -0- quoted and bare, a programme named twice,
# letter case and spaces to strip: all for the fast path to read, not to step aside from.
TRICKY_SDN = "\r\n".join([
    '36,"AEROCARIBBEAN AIRLINES, S.A.","-0- ","CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Havana, Cuba."',
    '173,"BANCO ""NACIONAL"" DE CUBA",-0-,"CUBA] [CUBA] [IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '-0- ,"a.k.a. ""BNC"";\r\nline two"',
    '306,"  LUKASHENKO, Alexander  ","Individual","belarus] [ BELARUS-EO14038 ]","President",'
    '-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    '4001," ""QUOTED"" SHIP","VESSEL","IRAN] [SDGT] [IRAN] [SDGT",-0- ,"9HA1",-0- ,"1,000",-0- ,'
    '"Malta",-0- ,-0- ',
    '4002,"PLANE ONE","aircraft","BELARUS-EO14038",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
]) + "\r\n\x1a"


def quoted(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def raw(rows: list[list[str]]) -> str:
    return "\r\n".join(",".join(row) for row in rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, quote=st.booleans(), end_marker=st.booleans())
def test_sdn_rows_parse_or_raise_input_error(rows: list[list[str]], quote: bool,
                                             end_marker: bool) -> None:
    text = (quoted if quote else raw)(rows) + ("\x1a" if end_marker else "")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sdn.csv"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        try:
            frame = read_sanctions_list(Path(folder))
        except InputError as error:
            assert "sdn.csv" in str(error)
            return
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == LIST_COLUMNS
    assert frame["record_id"].is_unique
    assert set(frame["kind"]) <= {"person", "entity", "vessel", "aircraft"}


def outcome(folder: Path) -> pd.DataFrame | str:
    try:
        return read_sanctions_list(folder, format="ofac_csv")
    except InputError as error:
        return str(error)


def assert_same_outcome_without_fast_path(folder: Path) -> None:
    """The same frame or the same InputError message as with the exact reader alone."""
    fast = outcome(folder)
    with mock.patch.object(ofac, "sdn_frame_fast", return_value=None):
        exact = outcome(folder)
    if isinstance(exact, str):
        assert fast == exact
    else:
        pd.testing.assert_frame_equal(fast, exact)


def assert_fast_path_reads_as_exact(sdn: Path) -> pd.DataFrame:
    fast = ofac.sdn_frame_fast(sdn, "ofac_csv:test")
    assert fast is not None, "the fast path stepped aside"
    pd.testing.assert_frame_equal(fast, ofac.sdn_frame_exact(sdn, "ofac_csv:test"))
    return fast


@pytest.mark.parametrize("name", ["ofac_sdn_2021-07-07", "ofac_sdn_2025_excerpt"])
def test_fast_path_reads_real_sdn_files_as_the_exact_reader(official_lists: Path,
                                                            name: str) -> None:
    assert_fast_path_reads_as_exact(official_lists / name / "sdn.csv")


@pytest.mark.parametrize(("bom", "blank_lines"), [("", 1), ("\ufeff", 1), ("", 600_000)])
def test_fast_path_reads_a_tricky_sdn_file_as_the_exact_reader(tmp_path: Path, bom: str,
                                                               blank_lines: int) -> None:
    """Also with a stretch of blank lines longer than one of pyarrow's blocks."""
    sdn = tmp_path / "sdn.csv"
    text = TRICKY_SDN.replace("\r\n306,", "\r\n" * blank_lines + "306,")
    sdn.write_bytes((bom + text).encode())
    frame = assert_fast_path_reads_as_exact(sdn).set_index("record_id")
    assert frame.loc["173", "name"] == 'BANCO "NACIONAL" DE CUBA'
    assert frame.loc["173", "programmes"] == "CUBA; IRAN"
    assert frame.loc["306", ["name", "kind", "belarus"]].tolist() == [
        "LUKASHENKO, Alexander", "person", True]
    assert frame.loc["4001", "programmes"] == "IRAN; SDGT"
    assert frame["kind"].tolist() == ["entity", "entity", "person", "vessel", "aircraft"]


@pytest.mark.parametrize("folder", BAD_OFAC_CSV, ids=lambda folder: folder.name)
def test_bad_sdn_files_fail_as_without_the_fast_path(folder: Path) -> None:
    assert_same_outcome_without_fast_path(folder)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(READABLE_ROW, min_size=1, max_size=8, unique_by=lambda row: row[0]),
       quote_all=st.booleans(), end_marker=st.booleans())
def test_fast_path_reads_awkward_files_as_the_exact_reader(rows: list[list[str]],
                                                           quote_all: bool,
                                                           end_marker: bool) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n",
               quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        sdn = Path(folder) / "sdn.csv"
        sdn.write_text(buffer.getvalue() + ("\x1a" if end_marker else ""), encoding="utf-8",
                       newline="")
        assert_fast_path_reads_as_exact(sdn)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, quote=st.booleans(), end_marker=st.booleans(), bom=st.booleans())
def test_fast_path_agrees_with_the_exact_reader(rows: list[list[str]], quote: bool,
                                                end_marker: bool, bom: bool) -> None:
    text = ("\ufeff" if bom else "") + (quoted if quote else raw)(rows) + (
        "\x1a" if end_marker else "")
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "sdn.csv").write_bytes(text.encode("utf-8", errors="surrogatepass"))
        assert_same_outcome_without_fast_path(Path(folder))
