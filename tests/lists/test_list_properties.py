"""Whatever an sdn.csv-like file holds, the OFAC parser returns targets or raises InputError."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.lists import LIST_COLUMNS, read_sanctions_list

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
