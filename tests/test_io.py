from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.io import read_csv_text, read_provenance, write_parquet_atomic

COLUMNS = ["a", "b"]


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def test_records_carry_the_line_they_start_on(tmp_path):
    path = write(tmp_path / "t.csv", 'a,b\n1,2\n\n"multi\nline",3\n4,5\n')
    records, malformed = read_csv_text(path, COLUMNS)
    assert records["_line"].tolist() == [2, 4, 6]
    assert records["a"].tolist() == ["1", "multi\nline", "4"]
    assert malformed.empty


def test_records_with_wrong_field_count_are_returned_for_quarantine(tmp_path):
    path = write(tmp_path / "t.csv", "a,b\n1,2\n3\n4,5,6\n")
    records, malformed = read_csv_text(path, COLUMNS)
    assert records["_line"].tolist() == [2]
    assert malformed["_line"].tolist() == [3, 4]
    assert "expected 2 fields" in malformed["reason"].iloc[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "empty file"),
        ("a,c\n1,2\n", "column 'b'"),
        ("a,b,c\n1,2,3\n", "unexpected column(s) c"),
        (b"a,b\n1,\xff\n", "line 2"),
    ],
)
def test_unreadable_files_name_file_and_problem(tmp_path, content, expected):
    path = write(tmp_path / "bad.csv", content)
    with pytest.raises(InputError) as error:
        read_csv_text(path, COLUMNS)
    assert "bad.csv" in str(error.value)
    assert expected in str(error.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match="nope.csv.*an existing file"):
        read_csv_text(tmp_path / "nope.csv", COLUMNS)


def test_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path / "t.csv", "\ufeffa,b\n1,2\n")
    records, _ = read_csv_text(path, COLUMNS)
    assert records["a"].tolist() == ["1"]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "x.parquet"
    write_parquet_atomic(pd.DataFrame({"v": [1]}), target, {"version": 1})

    def broken_write(*args, **kwargs):
        raise OSError("disk full")

    import pyarrow.parquet as pq

    monkeypatch.setattr(pq, "write_table", broken_write)
    with pytest.raises(OSError):
        write_parquet_atomic(pd.DataFrame({"v": [2]}), target, {"version": 2})
    assert pd.read_parquet(target)["v"].tolist() == [1]
    assert read_provenance(target) == {"version": 1}
    assert list(tmp_path.iterdir()) == [target]


def test_a_digest_is_remembered_only_once_the_file_has_settled(tmp_path, monkeypatch):
    import hashlib
    import time

    from analysis import io as analysis_io

    path = write(tmp_path / "a.csv", "a,b\n1,2\n")
    first = analysis_io.sha256_file(path)
    write(path, "a,b\n1,3\n")
    assert analysis_io.sha256_file(path) == hashlib.sha256(b"a,b\n1,3\n").hexdigest() != first
    later = time.time_ns() + 10 * analysis_io.SETTLED_NS
    monkeypatch.setattr(analysis_io.time, "time_ns", lambda: later)
    settled = analysis_io.sha256_file(path)
    monkeypatch.setattr(analysis_io.hashlib, "sha256", lambda: pytest.fail("hashed again"))
    assert analysis_io.sha256_file(path) == settled
