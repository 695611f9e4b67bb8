"""Write the malformed-input corpus and its manifest from the good fixtures.

Run ``python tests/bad_inputs/make_corpus.py`` after a schema or fixture change: every file is
a good fixture with one kind of damage, so regenerating keeps the damage and follows the
change. Each case states what it expects (see manifest.yml's header); the test suite checks it.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import yaml

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
CASES: list[dict] = []
MANIFEST_HEADER = """\
# Malformed inputs for tests/test_bad_inputs.py; written by make_corpus.py, do not edit by hand.
#
# file:     path under tests/bad_inputs/ (for ofac_csv a folder holding sdn.csv)
# reader:   a curated table (read by its cleaner) or an official-list format
# outcome:  error      -> InputError naming the file, `row` (line or element) and `column`
#                         (null where the fault is the whole file or record), message holds
#                         every `expect` substring
#           quarantine -> the file is read; `records` records in it, the ones on `lines` are
#                         quarantined, and `expect` lists (line, column, reason) to find among
#                         the quarantined rows
#           accepted   -> a valid file whose text looks like a spreadsheet formula: it is read
#                         whole and neutralised on export
#           clean      -> a file as a spreadsheet saves it (TRUE/FALSE, trailing empty columns,
#                         CRLF, byte order mark) whose meaning is unambiguous: all `records`
#                         records are kept, none quarantined
# export:   the kept rows hold formula-like text that write_csv_export must neutralise
# known_issue: a shortcoming reported to the reader's owner; the case is a strict xfail
#              until it is fixed
"""


def case(file: str, reader: str, outcome: str, **expected: object) -> None:
    CASES.append({"file": file, "reader": reader, "outcome": outcome, **expected})


def fixture_rows(table: str) -> list[list[str]]:
    with open(FIXTURES / "curated" / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def as_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write(relative: str, content: str | bytes) -> Path:
    path = HERE / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def edited(table: str, changes: dict[tuple[int, str], str]) -> str:
    """The fixture with cells replaced: ``{(line, column): value}``, line 2 = first record."""
    rows = fixture_rows(table)
    for (line, column), value in changes.items():
        rows[line - 1][rows[0].index(column)] = value
    return as_csv(rows)


def curated_cases() -> None:
    pc = "prisoner_counts"
    good = (FIXTURES / "curated" / f"{pc}.csv").read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    header = fixture_rows(pc)[0]

    write(f"curated/{pc}/semicolon_delimiter.csv", good.replace(",", ";"))
    case(f"curated/{pc}/semicolon_delimiter.csv", pc, "error", row=1, column=None,
         expect=["separated by semicolons", "comma"])
    write(f"curated/{pc}/tab_delimiter.csv", good.replace(",", "\t"))
    case(f"curated/{pc}/tab_delimiter.csv", pc, "error", row=1, column=None,
         expect=["separated by tabs"])
    rows = [[cell for name, cell in zip(header, row, strict=True) if name != "qualifier"]
            for row in fixture_rows(pc)]
    write(f"curated/{pc}/missing_column.csv", as_csv(rows))
    case(f"curated/{pc}/missing_column.csv", pc, "error", row=1, column="qualifier",
         expect=["header without qualifier"])
    rows = [[*row, "reviewer" if not index else "ok"] for index, row in
            enumerate(fixture_rows(pc))]
    write(f"curated/{pc}/extra_column.csv", as_csv(rows))
    case(f"curated/{pc}/extra_column.csv", pc, "error", row=1, column="reviewer",
         expect=["unexpected column(s) reviewer"])
    rows = [[*row, row[-1]] for row in fixture_rows(pc)]
    write(f"curated/{pc}/repeated_column.csv", as_csv(rows))
    case(f"curated/{pc}/repeated_column.csv", pc, "error", row=1, column="notes",
         expect=["each column once"])
    write(f"curated/{pc}/renamed_column.csv", good.replace("record_id", "Record ID", 1))
    case(f"curated/{pc}/renamed_column.csv", pc, "error", row=1, column="record_id",
         expect=["header without record_id"])
    write(f"curated/{pc}/first_line_is_data.csv", "".join(lines[1:]))
    case(f"curated/{pc}/first_line_is_data.csv", pc, "error", row=1, column="record_id",
         expect=["columns record_id"])

    rows = fixture_rows(pc)
    rows[2] = rows[2][:-1]
    rows[4] = [*rows[4], "extra"]
    write(f"curated/{pc}/wrong_field_count.csv", as_csv(rows))
    case(f"curated/{pc}/wrong_field_count.csv", pc, "quarantine", records=7, lines=[3, 5],
         expect=[{"line": 3, "column": None, "reason": "expected 12 fields as in the header"},
                 {"line": 5, "column": None, "reason": "found 13"}])
    write(f"curated/{pc}/wrong_types.csv", edited(pc, {
        (2, "value"): "many", (4, "year_inferred"): "yes", (6, "qualifier"): "roughly",
        (7, "publisher"): "Viasna"}))
    case(f"curated/{pc}/wrong_types.csv", pc, "quarantine", records=7, lines=[2, 4, 6, 7],
         expect=[{"line": 2, "column": "value", "reason": "a whole number"},
                 {"line": 4, "column": "year_inferred", "reason": "true or false"},
                 {"line": 6, "column": "qualifier", "reason": "one of exact"},
                 {"line": 7, "column": "publisher", "reason": "one of viasna"}])
    write(f"curated/{pc}/impossible_dates.csv", edited(pc, {
        (2, "ref_date"): "2024-02-30", (4, "ref_date"): "2023-13-29",
        (5, "ref_date"): "2023-02-29", (8, "ref_date"): "2024-00"}))
    case(f"curated/{pc}/impossible_dates.csv", pc, "quarantine", records=7, lines=[2, 4, 5, 8],
         expect=[{"line": 2, "column": "ref_date", "reason": "a date that exists in the calendar"},
                 {"line": 4, "column": "ref_date", "reason": "a date as YYYY-MM-DD"},
                 {"line": 5, "column": "ref_date", "reason": "a date that exists"},
                 {"line": 8, "column": "ref_date", "reason": "a date as YYYY-MM-DD"}])
    write(f"curated/{pc}/ambiguous_dates.csv", edited(pc, {
        (2, "ref_date"): "31/01/2024", (4, "ref_date"): "29 February 2024",
        (5, "ref_date"): "2024-2-29", (6, "ref_date"): "24-03-31", (7, "ref_date"): "2024/03/31"}))
    case(f"curated/{pc}/ambiguous_dates.csv", pc, "quarantine", records=7,
         lines=[2, 4, 5, 6, 7],
         expect=[{"line": line, "column": "ref_date", "reason": "a date as YYYY-MM-DD, YYYY-MM"}
                 for line in (2, 4, 5, 6, 7)])
    write(f"curated/{pc}/bad_counts.csv", edited(pc, {
        (2, "value"): "-5", (3, "value"): "29.5", (4, "value"): "1e3", (5, "value"): "1,200",
        (6, "value"): " 110", (7, "value"): ""}))
    case(f"curated/{pc}/bad_counts.csv", pc, "quarantine", records=7, lines=[2, 3, 4, 5, 6, 7],
         expect=[{"line": 2, "column": None, "reason": "a value of 0 or more"},
                 {"line": 3, "column": "value", "reason": "a whole number"},
                 {"line": 4, "column": "value", "reason": "a whole number"},
                 {"line": 5, "column": "value", "reason": "a whole number"},
                 {"line": 6, "column": "value", "reason": "a whole number"},
                 {"line": 7, "column": "value", "reason": "a whole number"}])
    write(f"curated/{pc}/duplicate_keys.csv", edited(pc, {
        (5, "record_id"): "pc003", (8, "record_id"): "pc001"}))
    case(f"curated/{pc}/duplicate_keys.csv", pc, "quarantine", records=7, lines=[2, 4, 5, 8],
         expect=[{"line": line, "column": "record_id", "reason": "every copy"}
                 for line in (2, 4, 5, 8)])
    write(f"curated/{pc}/precision_mismatch.csv", edited(pc, {
        (2, "date_precision"): "month", (3, "date_precision"): "day"}))
    case(f"curated/{pc}/precision_mismatch.csv", pc, "quarantine", records=7, lines=[2, 3],
         expect=[{"line": 2, "column": None, "reason": "date_precision that matches"},
                 {"line": 3, "column": None, "reason": "date_precision that matches"}])
    write(f"curated/{pc}/empty.csv", b"")
    case(f"curated/{pc}/empty.csv", pc, "error", row=1, column=None, expect=["empty file"])
    write(f"curated/{pc}/blank_lines_only.csv", "\n\n   \n")
    case(f"curated/{pc}/blank_lines_only.csv", pc, "error", row=1, column=None,
         expect=["empty file"])
    write(f"curated/{pc}/header_only.csv", lines[0])
    case(f"curated/{pc}/header_only.csv", pc, "error", row=2, column=None,
         expect=["at least one record below the header"])
    write(f"curated/{pc}/latin1.csv", edited(pc, {(4, "notes"): "republié"}).encode("latin-1"))
    case(f"curated/{pc}/latin1.csv", pc, "error", row=4, column="notes",
         expect=["UTF-8 text"])
    write(f"curated/{pc}/utf16.csv", good.encode("utf-16"))
    case(f"curated/{pc}/utf16.csv", pc, "error", row=1, column=None, expect=["UTF-8 text"])
    write(f"curated/{pc}/bom_then_bad_row.csv",
          "\ufeff" + edited(pc, {(7, "value"): "n/a"}))
    case(f"curated/{pc}/bom_then_bad_row.csv", pc, "quarantine", records=7, lines=[7],
         expect=[{"line": 7, "column": "value", "reason": "a whole number"}])
    write(f"curated/{pc}/stray_quote.csv",
          "".join(lines[:3]) + lines[3].replace(",synthetic", ',"approx" figure') +
          "".join(lines[4:]))
    case(f"curated/{pc}/stray_quote.csv", pc, "error", row=4, column="notes",
         expect=["well-formed CSV", "',' expected after '\"'"])
    write(f"curated/{pc}/truncated_in_quotes.csv",
          "".join(lines[:-1]) + lines[-1].replace(",synthetic", ',"synthetic, cut off'))
    case(f"curated/{pc}/truncated_in_quotes.csv", pc, "error", row=8, column="notes",
         expect=["unexpected end of data"])
    write(f"curated/{pc}/huge_line.csv", edited(pc, {(3, "notes"): "x" * 200_000}))
    case(f"curated/{pc}/huge_line.csv", pc, "error", row=3, column="notes",
         expect=["field larger than field limit"])
    write(f"curated/{pc}/nul_bytes.csv", edited(pc, {(5, "notes"): "conflicts\x00\x00\x00"}))
    case(f"curated/{pc}/nul_bytes.csv", pc, "quarantine", records=7, lines=[5],
         expect=[{"line": 5, "column": "notes", "reason": "without NUL bytes"}])
    rows = fixture_rows(pc)
    rows[1][-1] = "first line of a note\nsecond line"
    rows[5][rows[0].index("value")] = "hundred"
    text = as_csv(rows[:2]) + "\n" + as_csv(rows[2:])
    write(f"curated/{pc}/multiline_note_then_bad_row.csv", text)
    case(f"curated/{pc}/multiline_note_then_bad_row.csv", pc, "quarantine", records=7,
         lines=[8], expect=[{"line": 8, "column": "value", "reason": "a whole number"}])
    spreadsheet_cases(pc, {(2, "year_inferred"): "FALSE", (5, "year_inferred"): "TRUE"})
    write(f"curated/{pc}/period_after_its_end.csv", edited(pc, {
        (3, "period_start"): "2024-03-05"}))
    case(f"curated/{pc}/period_after_its_end.csv", pc, "quarantine", records=7, lines=[3],
         expect=[{"line": 3, "column": "period_start", "reason": "rule period_in_order"}])
    write(f"curated/{pc}/after_the_build_date.csv", edited(pc, {
        (2, "ref_date"): "2099-01-31", (4, "period_start"): "2099-01-01",
        (7, "ref_date"): "2099"}).replace("pc006,2099,day", "pc006,2099,year"))
    case(f"curated/{pc}/after_the_build_date.csv", pc, "quarantine", records=7,
         lines=[2, 4, 7],
         expect=[{"line": 2, "column": "ref_date", "reason": "rule not_after_build_date"},
                 {"line": 4, "column": "period_start", "reason": "rule not_after_build_date"},
                 {"line": 4, "column": "period_start", "reason": "rule period_in_order"},
                 {"line": 7, "column": "ref_date", "reason": "rule not_after_build_date"}])
    write(f"curated/{pc}/implausible_counts.csv", edited(pc, {
        (2, "value"): "999999999", (3, "value"): "88888"}))
    case(f"curated/{pc}/implausible_counts.csv", pc, "quarantine", records=7, lines=[2, 3],
         expect=[{"line": line, "column": "value", "reason": "rule plausible_count"}
                 for line in (2, 3)])
    write(f"curated/{pc}/formula_injection.csv", edited(pc, {
        (2, "notes"): "=cmd|' /C calc'!A0", (3, "notes"): "@SUM(1+1)*cmd|' /C calc'!A0",
        (4, "notes"): "+1 on the previous count", (5, "notes"): "-1 against pc003",
        (6, "notes"): "\t=1+1", (7, "notes"): "-2+3+cmd|' /C calc'!A0",
        (8, "source_url"): '=HYPERLINK("http://evil.example","open")'}))
    case(f"curated/{pc}/formula_injection.csv", pc, "quarantine", records=7, lines=[8],
         export=True,
         expect=[{"line": 8, "column": "source_url", "reason": "a source URL"}])

    re = "release_events"
    write(f"curated/{re}/every_row_bad.csv", edited(re, {
        (2, "released_total"): "fifty", (3, "event_date"): "2024-03-32",
        (4, "event_type"): "swap"}))
    case(f"curated/{re}/every_row_bad.csv", re, "quarantine", records=3, lines=[2, 3, 4],
         expect=[{"line": 2, "column": "released_total", "reason": "a whole number of 0"},
                 {"line": 3, "column": "event_date", "reason": "a date"},
                 {"line": 4, "column": "event_type", "reason": "one of pardon"}])
    write(f"curated/{re}/negative_and_fractional.csv", edited(re, {
        (2, "released_total"): "-3", (4, "released_political_prisoners"): "2.5"}))
    case(f"curated/{re}/negative_and_fractional.csv", re, "quarantine", records=3,
         lines=[2, 3, 4],
         expect=[{"line": 2, "column": "released_total", "reason": "0 or more"},
                 {"line": 3, "column": "alt_of", "reason": "rule reference_exists"},
                 {"line": 4, "column": "released_political_prisoners",
                  "reason": "a whole number of 0 or more such as 12, or empty"}])
    write(f"curated/{re}/alt_count_without_primary.csv", edited(re, {
        (2, "alt_of"): "re003", (3, "alt_of"): ""}))
    case(f"curated/{re}/alt_count_without_primary.csv", re, "quarantine", records=3,
         lines=[2, 3],
         expect=[{"line": 2, "column": None, "reason": "alt_of filled exactly when"},
                 {"line": 3, "column": None, "reason": "alt_of filled exactly when"}])
    write(f"curated/{re}/bad_flags.csv", edited(re, {
        (2, "year_inferred"): "0", (4, "has_stated_concession"): "yes"}))
    case(f"curated/{re}/bad_flags.csv", re, "quarantine", records=3, lines=[2, 3, 4],
         expect=[{"line": 2, "column": "year_inferred", "reason": "true or false"},
                 {"line": 3, "column": "alt_of", "reason": "rule reference_exists"},
                 {"line": 4, "column": "has_stated_concession", "reason": "true or false"}])
    spreadsheet_cases(re, {(2, "has_stated_concession"): "FALSE",
                           (4, "has_stated_concession"): "TRUE", (3, "year_inferred"): "False"})
    write(f"curated/{re}/political_above_total.csv", edited(re, {
        (2, "released_political_prisoners"): "60"}))
    case(f"curated/{re}/political_above_total.csv", re, "quarantine", records=3, lines=[2, 3],
         expect=[{"line": 2, "column": "released_political_prisoners",
                  "reason": "rule part_within_whole"},
                 {"line": 3, "column": "alt_of", "reason": "rule reference_exists"}])
    write(f"curated/{re}/alt_of_missing_row.csv", edited(re, {(3, "alt_of"): "re009"}))
    case(f"curated/{re}/alt_of_missing_row.csv", re, "quarantine", records=3, lines=[3],
         expect=[{"line": 3, "column": "alt_of", "reason": "rule reference_exists"}])
    write(f"curated/{re}/duplicate_keys.csv", edited(re, {(4, "event_id"): "re001"}))
    case(f"curated/{re}/duplicate_keys.csv", re, "quarantine", records=3, lines=[2, 3, 4],
         expect=[{"line": 2, "column": "event_id", "reason": "every copy"},
                 {"line": 4, "column": "event_id", "reason": "every copy"},
                 {"line": 3, "column": "alt_of", "reason": "rule reference_exists"}])
    write(f"curated/{re}/after_the_build_date.csv", edited(re, {
        (4, "event_date"): "2099-02-10"}))
    case(f"curated/{re}/after_the_build_date.csv", re, "quarantine", records=3, lines=[4],
         expect=[{"line": 4, "column": "event_date", "reason": "rule not_after_build_date"}])
    write(f"curated/{re}/implausible_counts.csv", edited(re, {
        (2, "released_total"): "15000", (2, "released_political_prisoners"): "12000",
        (4, "released_total"): "999999999", (4, "released_political_prisoners"): "3"}))
    case(f"curated/{re}/implausible_counts.csv", re, "quarantine", records=3, lines=[2, 3, 4],
         expect=[{"line": 2, "column": "released_political_prisoners",
                  "reason": "rule plausible_count"},
                 {"line": 3, "column": "alt_of", "reason": "rule reference_exists"},
                 {"line": 4, "column": "released_total", "reason": "rule plausible_count"}])
    rows = fixture_rows(re)
    text = as_csv(rows[:1]) + "".join("|".join(row) + "\n" for row in rows[1:])
    write(f"curated/{re}/pipe_delimited_rows.csv", text)
    case(f"curated/{re}/pipe_delimited_rows.csv", re, "quarantine", records=3, lines=[2, 3, 4],
         expect=[{"line": line, "column": None, "reason": "expected 19 fields"}
                 for line in (2, 3, 4)])
    write(f"curated/{re}/formula_injection.csv", edited(re, {
        (2, "destination"): "=1+2", (2, "counterpart"): "@evil", (3, "mechanism"): "+pardon",
        (3, "people_named"): "-Ales Bialiatski", (4, "event_type"): "=pardon"}))
    case(f"curated/{re}/formula_injection.csv", re, "quarantine", records=3, lines=[4],
         export=True,
         expect=[{"line": 4, "column": "event_type", "reason": "one of pardon"}])

    rl = "relief_events"
    write(f"curated/{rl}/bad_references.csv", edited(rl, {
        (2, "linked_release_event"): "re1", (3, "same_step_as"): "sm004"}))
    case(f"curated/{rl}/bad_references.csv", rl, "quarantine", records=2, lines=[2, 3],
         expect=[{"line": 2, "column": "linked_release_event", "reason": "an id such as re001"},
                 {"line": 3, "column": "same_step_as", "reason": "an id such as rl001"}])
    folder = f"curated/{rl}/linked_release_missing"
    write(f"{folder}/release_events.csv", as_csv(fixture_rows("release_events")))
    case(f"{folder}/release_events.csv", "release_events", "clean",
         records=len(fixture_rows("release_events")) - 1)
    write(f"{folder}/relief_events.csv", edited(rl, {(2, "linked_release_event"): "re009"}))
    case(f"{folder}/relief_events.csv", rl, "quarantine", records=2, lines=[2],
         expect=[{"line": 2, "column": "linked_release_event",
                  "reason": "rule reference_in_table"}])
    write(f"curated/{rl}/same_step_as_missing_row.csv", edited(rl, {
        (3, "same_step_as"): "rl009"}))
    case(f"curated/{rl}/same_step_as_missing_row.csv", rl, "quarantine", records=2,
         lines=[3],
         expect=[{"line": 3, "column": "same_step_as", "reason": "rule reference_exists"}])
    write(f"curated/{rl}/after_the_build_date.csv", edited(rl, {
        (3, "event_date"): "2099-03"}))
    case(f"curated/{rl}/after_the_build_date.csv", rl, "quarantine", records=2, lines=[3],
         expect=[{"line": 3, "column": "event_date", "reason": "rule not_after_build_date"}])
    spreadsheet_cases(rl, {(2, "year_inferred"): "FALSE", (3, "year_inferred"): "TRUE"})
    write(f"curated/{rl}/empty_required_text.csv", edited(rl, {
        (2, "actor"): "", (3, "action"): ""}))
    case(f"curated/{rl}/empty_required_text.csv", rl, "quarantine", records=2, lines=[2, 3],
         expect=[{"line": 2, "column": "actor", "reason": "a value"},
                 {"line": 3, "column": "action", "reason": "a value"}])
    write(f"curated/{rl}/bad_urls.csv", edited(rl, {
        (2, "source_url"): "www.example.org/l1", (3, "source_url"): "ftp://example.org/l2"}))
    case(f"curated/{rl}/bad_urls.csv", rl, "quarantine", records=2, lines=[2, 3],
         expect=[{"line": 2, "column": "source_url", "reason": "http(s)://"},
                 {"line": 3, "column": "source_url", "reason": "http(s)://"}])
    write(f"curated/{rl}/gzip_named_csv.csv",
          gzip.compress((FIXTURES / "curated" / f"{rl}.csv").read_bytes(), mtime=0))
    case(f"curated/{rl}/gzip_named_csv.csv", rl, "error", row=1, column=None,
         expect=["UTF-8 text"])

    sm = "sanctions_measures"
    write(f"curated/{sm}/bad_flags_and_types.csv", edited(sm, {
        (2, "counts_are_stock"): "Y", (3, "verified"): "1", (4, "measure_type"): "embargo"}))
    case(f"curated/{sm}/bad_flags_and_types.csv", sm, "quarantine", records=6, lines=[2, 3, 4],
         expect=[{"line": 2, "column": "counts_are_stock", "reason": "true or false"},
                 {"line": 3, "column": "verified", "reason": "true or false"},
                 {"line": 4, "column": "measure_type", "reason": "one of designation"}])
    write(f"curated/{sm}/non_integer_counts.csv", edited(sm, {
        (2, "individuals_listed"): "40.0", (3, "entities_listed"): "~40",
        (6, "individuals_listed"): "-300"}))
    case(f"curated/{sm}/non_integer_counts.csv", sm, "quarantine", records=6, lines=[2, 3, 6],
         expect=[{"line": 2, "column": "individuals_listed", "reason": "a whole number"},
                 {"line": 3, "column": "entities_listed", "reason": "a whole number"},
                 {"line": 6, "column": "individuals_listed", "reason": "0 or more"}])
    write(f"curated/{sm}/duplicate_keys.csv", edited(sm, {(4, "measure_id"): "sm002"}))
    case(f"curated/{sm}/duplicate_keys.csv", sm, "quarantine", records=6, lines=[3, 4],
         expect=[{"line": line, "column": "measure_id", "reason": "field_uniqueness"}
                 for line in (3, 4)])
    write(f"curated/{sm}/references_to_missing_rows.csv", edited(sm, {
        (3, "alt_of"): "sm009", (5, "same_step_as"): "sm099"}))
    case(f"curated/{sm}/references_to_missing_rows.csv", sm, "quarantine", records=6,
         lines=[3, 5, 7],
         expect=[{"line": 3, "column": "alt_of", "reason": "rule reference_exists"},
                 {"line": 5, "column": "same_step_as", "reason": "rule reference_exists"},
                 {"line": 7, "column": "same_step_as", "reason": "row kept from this file"}])
    write(f"curated/{sm}/implausible_and_future.csv", edited(sm, {
        (2, "individuals_listed"): "999999", (3, "entities_listed"): "999999",
        (4, "measure_date"): "2099-06"}))
    case(f"curated/{sm}/implausible_and_future.csv", sm, "quarantine", records=6,
         lines=[2, 3, 4],
         expect=[{"line": 2, "column": "individuals_listed", "reason": "rule plausible_count"},
                 {"line": 3, "column": "entities_listed", "reason": "rule plausible_count"},
                 {"line": 4, "column": "measure_date", "reason": "rule not_after_build_date"}])
    spreadsheet_cases(sm, {(2, "verified"): "TRUE", (3, "counts_are_stock"): "FALSE"})
    write(f"curated/{sm}/impossible_dates.csv", edited(sm, {
        (2, "measure_date"): "2021-02-29", (5, "measure_date"): "2024-06-31"}))
    case(f"curated/{sm}/impossible_dates.csv", sm, "quarantine", records=6,
         lines=[2, 3, 5, 7],
         expect=[{"line": 2, "column": "measure_date", "reason": "exists in the calendar"},
                 {"line": 3, "column": "alt_of", "reason": "rule reference_exists"},
                 {"line": 7, "column": "same_step_as", "reason": "rule reference_exists"},
                 {"line": 5, "column": "measure_date", "reason": "exists in the calendar"}])
    sf = "sentences"
    write(f"curated/{sf}/bad_values_and_rules.csv", edited(sf, {
        (2, "value"): "seventy", (3, "period_start"): "2022-01-01", (4, "ref_date"): "2099",
        (5, "period_start"): "2099-01-01", (8, "value"): "1500", (10, "value"): "68"}))
    case(f"curated/{sf}/bad_values_and_rules.csv", sf, "quarantine", records=29,
         lines=[2, 3, 4, 5, 8, 10],
         expect=[{"line": 2, "column": "value", "reason": "a number of 0 or more"},
                 {"line": 3, "column": "period_start", "reason": "rule period_in_order"},
                 {"line": 4, "column": "ref_date", "reason": "rule not_after_build_date"},
                 {"line": 5, "column": "period_start", "reason": "rule not_after_build_date"},
                 {"line": 5, "column": "period_start", "reason": "rule period_in_order"},
                 {"line": 8, "column": "value", "reason": "rule part_within_whole"},
                 {"line": 10, "column": None, "reason": "a share between 0 and 1"}])


def spreadsheet_cases(table: str, flags: dict[tuple[int, str], str]) -> None:
    """The table as Excel ("CSV UTF-8") saves it: TRUE/FALSE, CRLF, a byte order mark; and with
    the trailing empty columns a spreadsheet keeps after a column was cleared."""
    records = len(fixture_rows(table)) - 1
    text = edited(table, flags)
    write(f"curated/{table}/excel_booleans.csv",
          "\ufeff" + text.replace("\n", "\r\n"))
    case(f"curated/{table}/excel_booleans.csv", table, "clean", records=records)
    write(f"curated/{table}/trailing_empty_columns.csv",
          "".join(line + ",,\n" for line in text.splitlines()))
    case(f"curated/{table}/trailing_empty_columns.csv", table, "clean", records=records)


SDN_ROW = '{ent},"{name}","individual","BELARUS",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '


def sdn(*rows: str) -> str:
    return "\r\n".join(rows) + "\r\n\x1a"


def ofac_csv_cases() -> None:
    one, two = SDN_ROW.format(ent=1, name="ONE, Test"), SDN_ROW.format(ent=2, name="TWO, Test")
    write("ofac_csv/wrong_field_count/sdn.csv", sdn(one, '2,"TWO, Test",-0- ,"BELARUS"'))
    case("ofac_csv/wrong_field_count", "ofac_csv", "error", row=2, column=None,
         expect=["12 comma-separated fields", "4 fields"])
    write("ofac_csv/non_numeric_ent_num/sdn.csv", sdn(one, two.replace("2,", "E-2,", 1)))
    case("ofac_csv/non_numeric_ent_num", "ofac_csv", "error", row=2, column="ent_num",
         expect=["a whole number"])
    write("ofac_csv/duplicate_ent_num/sdn.csv", sdn(one, one))
    case("ofac_csv/duplicate_ent_num", "ofac_csv", "error", row=2, column="ent_num",
         expect=["a unique ent_num (also on line 1)"])
    write("ofac_csv/unknown_sdn_type/sdn.csv", sdn(one, two.replace("individual", "robot")))
    case("ofac_csv/unknown_sdn_type", "ofac_csv", "error", row=2, column="SDN_Type",
         expect=["individual, vessel, aircraft"])
    write("ofac_csv/truncated_companion/sdn.csv", sdn(one, two))
    write("ofac_csv/truncated_companion/alt.csv", '1,10,"aka","ADIN, Test",-0- \r\n2,11,"ak')
    case("ofac_csv/truncated_companion", "ofac_csv", "error", row=2, column="alt_type",
         expect=["alt.csv", "unexpected end of data"])
    write("ofac_csv/stray_quote/sdn.csv", sdn(one, two.replace('"TWO, Test"', '"TWO" Test')))
    case("ofac_csv/stray_quote", "ofac_csv", "error", row=2, column="SDN_Name",
         expect=["well-formed CSV"])
    write("ofac_csv/latin1/sdn.csv", sdn(one, two.replace("TWO, Test", "DEUX, Tést"))
          .encode("latin-1"))
    case("ofac_csv/latin1", "ofac_csv", "error", row=2, column=None, expect=["UTF-8 text"])
    write("ofac_csv/only_end_marker/sdn.csv", "\x1a")
    case("ofac_csv/only_end_marker", "ofac_csv", "error", row=1, column=None,
         expect=["at least one SDN record"])
    write("ofac_csv/formula_in_name/sdn.csv",
          sdn(one, two.replace('"TWO, Test"', '"=HYPERLINK(""http://evil.example"")"')))
    case("ofac_csv/formula_in_name", "ofac_csv", "accepted", records=2, export=True)


def ofac_xml_cases() -> None:
    good = (FIXTURES / "lists" / "sdn_advanced.xml").read_text(encoding="utf-8")
    write("ofac_xml/truncated.xml", good[: len(good) // 2])
    case("ofac_xml/truncated.xml", "ofac_xml", "error",
         row=good[: len(good) // 2].count("\n") + 1, column=None,
         expect=["well-formed, complete XML"])
    write("ofac_xml/mismatched_tag.xml", good.replace("</DistinctParties>", "</Parties>", 1))
    row = good[: good.index("</DistinctParties>")].count("\n") + 1
    case("ofac_xml/mismatched_tag.xml", "ofac_xml", "error", row=row, column=None,
         expect=["well-formed, complete XML", "mismatched tag"])
    write("ofac_xml/billion_laughs.xml", BILLION_LAUGHS)
    case("ofac_xml/billion_laughs.xml", "ofac_xml", "error", row="document type declaration",
         column=None, expect=["without a DTD, entity declarations or external references"])
    write("ofac_xml/external_entity.xml", good.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE Sanctions [<!ENTITY leak SYSTEM "file:///etc/passwd">]>', 1).replace(
        "<Comment />", "<Comment>&leak;</Comment>", 1))
    case("ofac_xml/external_entity.xml", "ofac_xml", "error", row="document type declaration",
         column=None, expect=["without a DTD"])
    write("ofac_xml/impossible_month.xml", good.replace("<Month>8</Month>", "<Month>13</Month>",
                                                        1))
    case("ofac_xml/impossible_month.xml", "ofac_xml", "error", row="SanctionsEntry 91001",
         column="EntryEvent/Date", expect=["a complete date (Year, Month, Day)"])
    write("ofac_xml/unknown_party_type.xml", good.replace(
        '<Profile ID="91001" PartySubTypeID="4">', '<Profile ID="91001" PartySubTypeID="99">'))
    case("ofac_xml/unknown_party_type.xml", "ofac_xml", "error", row="Profile 91001",
         column="PartySubTypeID", expect=["ReferenceValueSets/PartySubTypeValues"])
    write("ofac_xml/wrong_root.xml", '<?xml version="1.0"?>\n<Sanction><x/></Sanction>\n')
    case("ofac_xml/wrong_root.xml", "ofac_xml", "error", row="root element", column=None,
         expect=["root element Sanctions"])


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Sanctions [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<Sanctions><DistinctParties>&e;</DistinctParties></Sanctions>
"""


def ofsi_csv_cases() -> None:
    good = (FIXTURES / "lists" / "ofsi_conlist.csv").read_text(encoding="utf-8")
    write("ofsi_csv/missing_regime_column.csv", good.replace(",Regime,", ",Programme,", 1))
    case("ofsi_csv/missing_regime_column.csv", "ofsi_csv", "error", row=2, column="Regime",
         expect=["a header row with"])
    write("ofsi_csv/impossible_listed_on.csv", good.replace(",09/08/2021,", ",31/02/2021,", 1))
    case("ofsi_csv/impossible_listed_on.csv", "ofsi_csv", "error", row=5, column="Listed On",
         expect=["a date as DD/MM/YYYY", "31/02/2021"])
    write("ofsi_csv/iso_listed_on.csv", good.replace(",09/08/2021,", ",2021-08-09,", 1))
    case("ofsi_csv/iso_listed_on.csv", "ofsi_csv", "error", row=5, column="Listed On",
         expect=["a date as DD/MM/YYYY"])
    write("ofsi_csv/unknown_group_type.csv", good.replace(",Ship,", ",Vessel,", 1))
    row = good[: good.index(",Ship,")].count("\n") + 1
    case("ofsi_csv/unknown_group_type.csv", "ofsi_csv", "error", row=row, column="Group Type",
         expect=["a Group Type among Individual, Entity, Ship"])
    write("ofsi_csv/extra_field.csv", good.replace(",90002", ",90002,extra", 1))
    case("ofsi_csv/extra_field.csv", "ofsi_csv", "error", row=5, column=None,
         expect=["36 fields as in the header"])


def ofsi_xlsx_cases() -> None:
    rows = list(csv.reader(io.StringIO(
        (FIXTURES / "lists" / "ofsi_conlist.csv").read_text(encoding="utf-8"))))

    def workbook(relative: str, table: list[list[str]], text_cells: tuple = ()) -> bytes:
        book = openpyxl.Workbook()
        for row in table:
            book.active.append(row)
        for coordinate in text_cells:
            book.active[coordinate].data_type = "s"
        path = write(relative, b"")
        book.save(path)
        _fix_zip_times(path)
        return path.read_bytes()

    write("ofsi_xlsx/not_a_workbook.xlsx", (FIXTURES / "lists" / "ofsi_conlist.csv").read_bytes())
    case("ofsi_xlsx/not_a_workbook.xlsx", "ofsi_xlsx", "error", row=None, column=None,
         expect=["an xlsx workbook"])
    whole = workbook("ofsi_xlsx/truncated.xlsx", rows)
    write("ofsi_xlsx/truncated.xlsx", whole[: len(whole) // 2])
    case("ofsi_xlsx/truncated.xlsx", "ofsi_xlsx", "error", row=None, column=None,
         expect=["an xlsx workbook"])
    write("ofsi_xlsx/corrupt_sheet_data.xlsx", damaged_member(whole, "xl/worksheets/sheet1.xml"))
    case("ofsi_xlsx/corrupt_sheet_data.xlsx", "ofsi_xlsx", "error", row=None, column=None,
         expect=["an xlsx workbook"])
    bad_date = [list(row) for row in rows]
    bad_date[4][bad_date[1].index("Listed On")] = "09/13/2021"
    workbook("ofsi_xlsx/impossible_listed_on.xlsx", bad_date)
    case("ofsi_xlsx/impossible_listed_on.xlsx", "ofsi_xlsx", "error", row=5,
         column="Listed On", expect=["a date as DD/MM/YYYY"])
    missing = [[cell for index, cell in enumerate(row) if index != rows[1].index("Group ID")]
               for row in rows]
    workbook("ofsi_xlsx/missing_group_id.xlsx", missing)
    case("ofsi_xlsx/missing_group_id.xlsx", "ofsi_xlsx", "error", row=2, column="Group ID",
         expect=["a header row with"])
    formula = [list(row) for row in rows]
    formula[2][0] = '=HYPERLINK("http://evil.example","ONE")'
    workbook("ofsi_xlsx/formula_in_name.xlsx", formula, text_cells=("A3",))
    case("ofsi_xlsx/formula_in_name.xlsx", "ofsi_xlsx", "accepted", records=4, export=True)


def eu_cases() -> None:
    fsf = (FIXTURES / "lists" / "eu_fsf.csv").read_text(encoding="utf-8-sig")
    write("eu_fsf_csv/comma_delimited.csv", fsf.replace(";", ","))
    case("eu_fsf_csv/comma_delimited.csv", "eu_fsf_csv", "error", row=1,
         column="Entity_LogicalId", expect=["a header row with"])
    lines = fsf.splitlines(keepends=True)
    lines[3] = ";".join(lines[3].split(";")[:20]) + "\n"
    write("eu_fsf_csv/short_row.csv", "".join(lines))
    case("eu_fsf_csv/short_row.csv", "eu_fsf_csv", "error", row=4, column=None,
         expect=["';'-separated fields as in the header", "20 fields"])
    write("eu_fsf_csv/bad_publication_date.csv",
          fsf.replace(";2022-02-23;2022-02-23;", ";23 Feb;2022-02-23;", 1))
    row = fsf[: fsf.index(";2022-02-23;2022-02-23;")].count("\n") + 1
    case("eu_fsf_csv/bad_publication_date.csv", "eu_fsf_csv", "error", row=row,
         column="Entity_Regulation_PublicationDate", expect=["a date as YYYY-MM-DD"])
    write("eu_fsf_csv/unknown_subject_type.csv", fsf.replace(";person;P;", ";robot;R;", 1))
    row = fsf[: fsf.index(";person;P;")].count("\n") + 1
    case("eu_fsf_csv/unknown_subject_type.csv", "eu_fsf_csv", "error", row=row,
         column="Entity_SubjectType", expect=["a subject type of person or enterprise"])

    xml = (FIXTURES / "lists" / "eu_fsf.xml").read_text(encoding="utf-8")
    write("eu_fsf_xml/truncated.xml", xml[: len(xml) * 2 // 3])
    case("eu_fsf_xml/truncated.xml", "eu_fsf_xml", "error",
         row=xml[: len(xml) * 2 // 3].count("\n") + 1, column=None,
         expect=["well-formed, complete XML"])
    write("eu_fsf_xml/external_entity.xml",
          '<?xml version="1.0"?>\n<!DOCTYPE export [<!ENTITY leak SYSTEM '
          '"http://attacker.example/x">]>\n<export><sanctionEntity logicalId="1">&leak;'
          '</sanctionEntity></export>\n')
    case("eu_fsf_xml/external_entity.xml", "eu_fsf_xml", "error",
         row="document type declaration", column=None, expect=["without a DTD"])
    write("eu_fsf_xml/bad_designation_date.xml",
          xml.replace('designationDate="2022-03-02"', 'designationDate="02.03.22"', 1))
    case("eu_fsf_xml/bad_designation_date.xml", "eu_fsf_xml", "error",
         row="sanctionEntity logicalId=900002", column="designationDate",
         expect=["a date as YYYY-MM-DD", "02.03.22"])
    write("eu_fsf_xml/missing_logical_id.xml",
          xml.replace('euReferenceNumber="EU.9001.01" logicalId="900001"',
                      'euReferenceNumber="EU.9001.01"', 1))
    case("eu_fsf_xml/missing_logical_id.xml", "eu_fsf_xml", "error",
         row="sanctionEntity logicalId=?", column="logicalId", expect=["a logicalId"])

    header = "celex,recordId,programKey,annex,measure,startDate,schema,name\n"
    good = '32006R0765,1,EU-BLR,I.A,Asset freeze,2.10.2020,Person,"ONE, Test"\n'
    second = good.replace(",1,", ",2,").replace("ONE", "TWO")
    write("eu_annex_csv/iso_start_date.csv", header + good + second.replace("2.10.2020",
                                                                            "2020-10-02"))
    case("eu_annex_csv/iso_start_date.csv", "eu_annex_csv", "error", row=3, column="startDate",
         expect=["a date as D.M.YYYY"])
    write("eu_annex_csv/unknown_schema.csv", header + good.replace("Person", "Spaceship"))
    case("eu_annex_csv/unknown_schema.csv", "eu_annex_csv", "error", row=2, column="schema",
         expect=["a schema among Person"])
    write("eu_annex_csv/missing_name.csv", header + good + second.replace('"TWO, Test"', ""))
    case("eu_annex_csv/missing_name.csv", "eu_annex_csv", "error", row=3, column="name",
         expect=["a name"])
    write("eu_annex_csv/header_only.csv", header)
    case("eu_annex_csv/header_only.csv", "eu_annex_csv", "error", row=2, column=None,
         expect=["at least one annex record"])


BELARUS_REGIME = "The Republic of Belarus (Sanctions) (EU Exit) Regulations 2019"


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def uk_sl_csv_cases() -> None:
    """The UK Sanctions List CSV fixture (hand-written, not a real file) with one fault each."""
    good = (FIXTURES / "lists" / "uk_sanctions_list.csv").read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    entity = line_of(good, ",BEL9002,")
    write("uk_sl_csv/missing_unique_id.csv", good.replace(",BEL9002,", ",,", 1))
    case("uk_sl_csv/missing_unique_id.csv", "uk_sl_csv", "error", row=entity,
         column="Unique ID", expect=["a Unique ID"])
    write("uk_sl_csv/header_moved_down.csv",
          lines[0] + "Data as at 24-Jun-2026\r\n" + "".join(lines[1:]))
    case("uk_sl_csv/header_moved_down.csv", "uk_sl_csv", "error", row=2, column=None,
         expect=["right below the 'Report Date' title line", "header on line 3"])
    write("uk_sl_csv/unknown_regime.csv", good.replace(BELARUS_REGIME, "Belarus", 1))
    case("uk_sl_csv/unknown_regime.csv", "uk_sl_csv", "error", row=3, column="Regime Name",
         expect=["a regime among the UK sanctions regulations", "'Belarus'"])
    write("uk_sl_csv/impossible_date_designated.csv",
          good.replace(",09/08/2021,", ",31/02/2021,", 1))
    case("uk_sl_csv/impossible_date_designated.csv", "uk_sl_csv", "error", row=entity,
         column="Date Designated", expect=["a date as DD/MM/YYYY", "31/02/2021"])
    write("uk_sl_csv/missing_regime_column.csv", good.replace(",Regime Name,", ",Regime,", 1))
    case("uk_sl_csv/missing_regime_column.csv", "uk_sl_csv", "error", row=2,
         column="Regime Name", expect=["a header row with"])
    write("uk_sl_csv/extra_field.csv", good.replace(",BEL9002,", ",BEL9002,extra,", 1))
    case("uk_sl_csv/extra_field.csv", "uk_sl_csv", "error", row=entity, column=None,
         expect=["58 fields as in the header", "59 fields"])
    cut = good.index("presidential election")
    write("uk_sl_csv/truncated_in_statement.csv", good[:cut])
    case("uk_sl_csv/truncated_in_statement.csv", "uk_sl_csv", "error",
         row=line_of(good, ",GHR9004,"), column="UK Statement of Reasons",
         expect=["unexpected end of data"])


def uk_sl_xml_cases() -> None:
    """The UK Sanctions List XML fixture (hand-written, not a real file) with one fault each."""
    xml = (FIXTURES / "lists" / "uk_sanctions_list.xml").read_text(encoding="utf-8")
    cut = xml[: len(xml) * 2 // 3]
    write("uk_sl_xml/truncated.xml", cut)
    case("uk_sl_xml/truncated.xml", "uk_sl_xml", "error", row=cut.count("\n") + 1,
         column=None, expect=["well-formed, complete XML"])
    write("uk_sl_xml/missing_unique_id.xml",
          xml.replace("<UniqueID>BEL9002</UniqueID>", "<UniqueID />", 1))
    case("uk_sl_xml/missing_unique_id.xml", "uk_sl_xml", "error", row="Designation ?",
         column="UniqueID", expect=["a UniqueID"])
    write("uk_sl_xml/unknown_regime.xml", xml.replace(
        "<RegimeName>The Russia (Sanctions) (EU Exit) Regulations 2019</RegimeName>",
        "<RegimeName>Russia</RegimeName>", 1))
    case("uk_sl_xml/unknown_regime.xml", "uk_sl_xml", "error", row="Designation RUS9003",
         column="Regime Name", expect=["a regime among the UK sanctions regulations"])
    write("uk_sl_xml/iso_date_designated.xml", xml.replace(
        "<DateDesignated>09/08/2021</DateDesignated>", "<DateDesignated>2021-08-09"
        "</DateDesignated>", 1))
    case("uk_sl_xml/iso_date_designated.xml", "uk_sl_xml", "error", row="Designation BEL9002",
         column="Date Designated", expect=["a date as DD/MM/YYYY", "2021-08-09"])
    write("uk_sl_xml/external_entity.xml",
          '<?xml version="1.0"?>\n<!DOCTYPE Designations [<!ENTITY leak SYSTEM '
          '"file:///etc/passwd">]>\n<Designations><Designation><UniqueID>&leak;</UniqueID>'
          '</Designation></Designations>\n')
    case("uk_sl_xml/external_entity.xml", "uk_sl_xml", "error",
         row="document type declaration", column=None, expect=["without a DTD"])


def main() -> None:
    for folder in HERE.iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)
    curated_cases()
    ofac_csv_cases()
    ofac_xml_cases()
    ofsi_csv_cases()
    ofsi_xlsx_cases()
    uk_sl_csv_cases()
    uk_sl_xml_cases()
    eu_cases()
    (HERE / "manifest.yml").write_text(
        MANIFEST_HEADER + yaml.safe_dump(CASES, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8")


def damaged_member(workbook: bytes, member: str) -> bytes:
    """The workbook with 16 bytes in the middle of one member's compressed data overwritten."""
    info = zipfile.ZipFile(io.BytesIO(workbook)).getinfo(member)
    header = info.header_offset
    name_length, extra_length = struct.unpack("<HH", workbook[header + 26 : header + 30])
    start = header + 30 + name_length + extra_length + info.compress_size // 2
    return workbook[:start] + b"\xff" * 16 + workbook[start + 16 :]


def _fix_zip_times(path: Path) -> None:
    """Rewrite a workbook with fixed timestamps so regenerating it gives the same bytes."""
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                                          b"2025-01-01T00:00:00Z", source.read(info)))
                   for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)


if __name__ == "__main__":
    main()
