"""What changed since the previous build: rows, headline numbers and test-of-the-claim results.

Every build that rebuilt something records a snapshot of the processed datasets (a key and a
content hash per row, plus the row itself and the raw file line it came from, so a change can be
traced to the cell an analyst edited), of the headline numbers, and of the latest saved
test-of-the-claim results. A large dataset is kept instead as its Parquet file, hard-linked into
the snapshots folder (free while the file is unchanged, one more copy once it is replaced); its
rows are hashed only when a report asks for them, so a build never pays for the report.
``changes()`` compares the two latest snapshots. The claim tests are slow, so builds never run
them: ``python -m analysis run`` saves their results with ``record_claim_results`` and later
snapshots carry those results forward.

The build engine does not know this module: importing it registers ``record_snapshot`` and
``raw_changes`` in ``store.HOOKS`` (``import analysis`` does).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import catalog, paths
from analysis.io import (
    atomic_target,
    read_columns,
    read_parquet,
    read_provenance,
    write_parquet_atomic,
)
from analysis.store import HOOKS, stale
from analysis.summaries import flows_by_year, headline_numbers

KEEP = 10
"""Snapshots kept: the latest is compared with the one before; older ones help by hand."""

LARGE_DATASET_ROWS = 50_000
"""Above this, a snapshot keeps the dataset's Parquet file rather than its rows."""

ROW_KEYS: dict[str, tuple[str, ...]] = {
    "sanctions_designations": ("jurisdiction", "record_id"),
    "count_conflicts": ("metric", "period_start"),
    "prisoners_daily": ("date",),
    "panel_monthly": ("month",),
    "flows_monthly": ("month",),
    "flows_draws": ("draw", "month"),
}
"""Row keys where the first ``*_id`` column is missing or not unique on its own."""

LINE_COLUMN = "source_line"
DESIGNATIONS = "sanctions_designations"
CLAIM_COLUMNS = ("part", "hypothesis", "question", "estimate", "scale", "ci_low", "ci_high",
                 "p_value", "p_adjusted", "verdict", "rules_out", "power", "answerable",
                 "on_figures", "note")
"""Columns of the claim results kept with a snapshot: what the report compares and what the
README's results, the CLI's table and the briefing's results pages show (the answer's three
parts, what can be decided and why not)."""
COLUMNS = ["kind", "dataset", "key", "file", "line", "column", "old", "new", "detail"]
KINDS = ["row_added", "row_removed", "row_changed", "headline", "claim"]
EMPTY = "(empty)"


@dataclass(frozen=True)
class Snapshot:
    rows: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def snapshots_dir(country: str = paths.DEFAULT_COUNTRY) -> Path:
    """Each country's builds are recorded beside its datasets."""
    return paths.processed_dir(country) / "snapshots"


def kept_files_dir(country: str = paths.DEFAULT_COUNTRY) -> Path:
    return snapshots_dir(country) / "datasets"


def snapshot_paths(country: str = paths.DEFAULT_COUNTRY) -> list[Path]:
    """Recorded snapshots, oldest first."""
    folder = snapshots_dir(country)
    return sorted(folder.glob("[0-9]*.parquet")) if folder.is_dir() else []


def read_snapshot(path: Path) -> Snapshot:
    return Snapshot(read_parquet(path), read_provenance(path) or {})


HEADLINE_INPUTS = ("prisoners_daily", "panel_monthly", "release_events")


def take_snapshot(previous: Snapshot | None = None, country: str = paths.DEFAULT_COUNTRY
                  ) -> Snapshot:
    """The processed datasets as they are on disk now, with their headline numbers.

    A dataset whose fingerprint is the one ``previous`` recorded is the same file, so its rows
    are carried over instead of read and hashed again: a rebuild pays only for what changed.
    """
    outdated = set(stale(country=country))
    before = previous.meta.get("datasets", {}) if previous is not None else {}
    frames: dict[str, pd.DataFrame] = {}
    datasets: dict[str, dict[str, Any]] = {}
    parts = []
    for name in catalog.DATASETS:
        path = paths.processed_path(name, country)
        if not path.is_file():
            continue
        if name in HEADLINE_INPUTS and name not in outdated:
            frames[name] = read_parquet(path)
        provenance = read_provenance(path) or {}
        fingerprint = provenance.get("fingerprint")
        recorded = before.get(name)
        if recorded and fingerprint and recorded.get("fingerprint") == fingerprint:
            datasets[name] = recorded
            parts.append(previous.rows[previous.rows["dataset"] == name])
            continue
        inputs = list(provenance.get("inputs") or {})
        single_input = inputs[0] if len(inputs) == 1 else None
        if provenance.get("rows_out", 0) > LARGE_DATASET_ROWS:
            datasets[name] = {
                "fingerprint": fingerprint, "rows": provenance["rows_out"], "content": False,
                "file": single_input if LINE_COLUMN in read_columns(path) else None,
                "kept_file": _keep_file(name, path, fingerprint, country)}
            continue
        frame = frames[name] if name in frames else read_parquet(path)
        datasets[name] = {"fingerprint": fingerprint, "rows": len(frame), "content": True,
                          "file": single_input if LINE_COLUMN in frame.columns else None}
        parts.append(dataset_rows(name, frame))
    rows = pd.concat(parts, ignore_index=True) if parts else _empty_rows()
    return Snapshot(rows, {"taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
                           "complete": not outdated, "datasets": datasets,
                           "headline": headline_values(frames)})


def _keep_file(name: str, path: Path, fingerprint: str | None, country: str) -> str:
    """Link the dataset's Parquet file into the snapshots folder; returns the kept file's name."""
    kept = kept_files_dir(country) / f"{name}.{(fingerprint or 'unknown')[:16]}.parquet"
    if not kept.is_file():
        kept.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, kept)
        except OSError:
            with atomic_target(kept) as temporary:
                shutil.copyfile(path, temporary)
    return kept.name


def dataset_rows(name: str, frame: pd.DataFrame, keep_content: bool = True) -> pd.DataFrame:
    """One row per dataset row: key, content hash, raw file line and (optionally) content.

    Snapshots hash rows as the text the report shows, so float noise is no change; a report on
    a large dataset's kept files hashes typed values, several times faster, and renders only
    the rows that differ (rows hashed differently are never compared with each other).
    """
    line = (frame[LINE_COLUMN].astype("Int64") if LINE_COLUMN in frame.columns
            else pd.Series(pd.NA, index=frame.index, dtype="Int64"))
    values = frame.drop(columns=[LINE_COLUMN], errors="ignore")
    key_columns = [c for c in _key_columns(name, frame) if c in values.columns]
    text = _as_text(values if keep_content else values[key_columns])
    hashes = (pd.util.hash_pandas_object(text.fillna("\x00"), index=False) if keep_content
              else pd.util.hash_pandas_object(values, index=False))
    if key_columns:
        key = text[key_columns[0]].fillna(EMPTY)
        for column in key_columns[1:]:
            key = key + " / " + text[column].fillna(EMPTY)
    else:
        key = hashes.map("{:016x}".format)
    repeat = key.groupby(key).cumcount()
    key = key.where(repeat == 0, key + "#" + (repeat + 1).astype(str))
    content = (pd.Series([json.dumps(row, ensure_ascii=False) for row in
                          text.astype(object).where(text.notna(), None).to_dict("records")],
                         index=frame.index, dtype="string")
               if keep_content else pd.Series(pd.NA, index=frame.index, dtype="string"))
    return pd.DataFrame({
        "dataset": pd.Series(name, index=frame.index, dtype="string"),
        "key": key.astype("string"),
        "hash": hashes.astype("uint64"),
        "line": line,
        "content": content,
    }).reset_index(drop=True)


def _key_columns(name: str, frame: pd.DataFrame) -> list[str]:
    if name in ROW_KEYS:
        return list(ROW_KEYS[name])
    return [column for column in frame.columns if str(column).endswith("_id")][:1]


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Each value as the text the report shows; floats rounded so arithmetic noise is no change."""
    columns = {}
    for name, column in frame.items():
        if pd.api.types.is_float_dtype(column):
            column = column.round(6)
        columns[str(name)] = column.astype(str).where(column.notna(), None).astype("string")
    return pd.DataFrame(columns, index=frame.index)


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame({"dataset": pd.Series(dtype="string"), "key": pd.Series(dtype="string"),
                         "hash": pd.Series(dtype="uint64"), "line": pd.Series(dtype="Int64"),
                         "content": pd.Series(dtype="string")})


def headline_values(frames: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Headline numbers and yearly totals as (table, key, column, value) records.

    ``frames`` holds only fresh datasets: numbers mixing fresh and stale inputs would report
    changes that are half made, so they are left out until every input is rebuilt.
    """
    if any(name not in frames for name in HEADLINE_INPUTS):
        return []
    daily, panel, releases = (frames[name] for name in HEADLINE_INPUTS)
    values = []
    for row in headline_numbers(daily, panel, releases).itertuples():
        values.append({"table": "headline_numbers", "key": row.measure, "column": "value",
                       "value": _number(row.value)})
        values.append({"table": "headline_numbers", "key": row.measure, "column": "as_of",
                       "value": None if pd.isna(row.as_of) else f"{row.as_of:%Y-%m-%d}"})
    flows = flows_by_year(panel)
    for row in flows.to_dict("records"):
        for column, value in row.items():
            if column != "year":
                values.append({"table": "flows_by_year", "key": str(row["year"]),
                               "column": column, "value": _number(value)})
    return values


def _number(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.6g}"


def record_snapshot(country: str = paths.DEFAULT_COUNTRY) -> Path:
    """Save a snapshot of the current build, carrying forward the latest claim results."""
    history = snapshot_paths(country)
    previous = read_snapshot(history[-1]) if history else None
    snapshot = take_snapshot(previous, country)
    snapshot.meta["claims"] = previous.meta.get("claims") if previous else None
    return _save(snapshot, int(history[-1].stem) + 1 if history else 1, country)


def record_claim_results(table: pd.DataFrame) -> None:
    """Attach test-of-the-claim results to the latest snapshot (recording one if none exists).

    ``python -m analysis run`` calls this after the build, so the latest snapshot holds
    results computed on the data it describes and the report can show verdicts that moved.
    Results equal to those already attached keep their time: the briefing shows when results
    last changed, so a rerun on unchanged data writes a byte-identical briefing.
    """
    history = snapshot_paths()
    snapshot = read_snapshot(history[-1]) if history else take_snapshot()
    rows = _claim_records(table)
    previous = snapshot.meta.get("claims") or {}
    if _as_json(previous.get("rows")) == _as_json(rows):
        return
    snapshot.meta["claims"] = {
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": rows,
    }
    _save(snapshot, int(history[-1].stem) if history else 1)


def _as_json(rows: list[dict[str, Any]] | None) -> str:
    """Rows as saved: compared as text, so missing values (NaN) compare equal."""
    return json.dumps(rows, sort_keys=True, default=str)


def latest_claim_results() -> pd.DataFrame | None:
    """The claim results saved by the latest ``run``, or None if there are none."""
    history = snapshot_paths()
    claims = (read_provenance(history[-1]) or {}).get("claims") if history else None
    if not claims:
        return None
    table = pd.DataFrame(claims["rows"])
    table = table[[column for column in CLAIM_COLUMNS if column in table.columns]]
    table.attrs["recorded_at"] = claims["recorded_at"]
    return table


def _claim_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    columns = [column for column in CLAIM_COLUMNS if column in table.columns]
    records = table[columns].astype(object).where(table[columns].notna(), None)
    return [{key: value.item() if hasattr(value, "item") else value
             for key, value in row.items()} for row in records.to_dict("records")]


def _save(snapshot: Snapshot, number: int, country: str = paths.DEFAULT_COUNTRY) -> Path:
    target = snapshots_dir(country) / f"{number:06d}.parquet"
    write_parquet_atomic(snapshot.rows, target, snapshot.meta)
    for old in snapshot_paths(country)[:-KEEP]:
        old.unlink(missing_ok=True)
    kept = {entry.get("kept_file") for path in snapshot_paths(country)
            for entry in ((read_provenance(path) or {}).get("datasets") or {}).values()}
    kept_dir = kept_files_dir(country)
    for file in kept_dir.glob("*.parquet") if kept_dir.is_dir() else []:
        if file.name not in kept:
            file.unlink(missing_ok=True)
    return target


def changes(country: str = paths.DEFAULT_COUNTRY) -> pd.DataFrame:
    """What the latest build changed compared with the previous build, one row per change.

    ``kind`` is row_added, row_removed, row_changed, headline or claim; ``file`` and ``line``
    point at the raw CSV line behind a changed row of a cleaned table; ``detail`` says it in
    words. Empty when there is no previous build (``attrs["previous"]`` is then None).
    """
    history = snapshot_paths(country)
    if len(history) < 2:
        report = _empty_report()
        report.attrs.update(previous=None, current=(read_provenance(history[-1]) or {})
                            .get("taken_at") if history else None)
        return report
    return compare(read_snapshot(baseline(history)), read_snapshot(history[-1]), country)


def raw_changes(country: str = paths.DEFAULT_COUNTRY) -> str:
    """How many raw rows the latest build changed, and in which files (for ``load``'s line)."""
    report = changes(country)
    raw = report[report["kind"].str.startswith("row_") & report["file"].notna()]
    edited = len(raw.drop_duplicates(["dataset", "key"]))
    files = ", ".join(sorted(raw["file"].unique()))
    return (f"{edited} raw row{'s' if edited != 1 else ''} changed in {files}" if edited
            else "no raw row changed: the code or an official list copy did")


def baseline(history: list[Path]) -> Path:
    """The snapshot to compare the latest with: the latest earlier one that was complete.

    ``load`` rebuilds only what it needs, so one edit can reach the datasets over several
    loads; comparing with the last build that left everything fresh shows the edit whole.
    """
    for path in reversed(history[:-1]):
        if (read_provenance(path) or {}).get("complete"):
            return path
    return history[-2]


def compare(previous: Snapshot, current: Snapshot, country: str = paths.DEFAULT_COUNTRY
            ) -> pd.DataFrame:
    """Every difference between two snapshots, rows first, then headline numbers and claims."""
    records: list[dict[str, Any]] = []
    old_sets = previous.meta.get("datasets", {})
    new_sets = current.meta.get("datasets", {})
    names = {*old_sets, *new_sets}
    lineage = [name for name in catalog.DATASETS if name in names]
    for name in [*lineage, *sorted(names - set(lineage))]:
        records += _dataset_changes(name, old_sets.get(name), new_sets.get(name),
                                    previous.rows, current.rows, country)
    records += _headline_changes(previous.meta.get("headline") or [],
                                 current.meta.get("headline") or [])
    records += _claim_changes((previous.meta.get("claims") or {}).get("rows"),
                              (current.meta.get("claims") or {}).get("rows"))
    report = pd.DataFrame(records, columns=COLUMNS) if records else _empty_report()
    report["line"] = report["line"].astype("Int64")
    report.attrs.update(previous=previous.meta.get("taken_at"),
                        current=current.meta.get("taken_at"))
    return report


def _empty_report() -> pd.DataFrame:
    report = pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS})
    report["line"] = report["line"].astype("Int64")
    return report


def _dataset_changes(name: str, old: dict | None, new: dict | None, old_rows: pd.DataFrame,
                     new_rows: pd.DataFrame, country: str = paths.DEFAULT_COUNTRY
                     ) -> list[dict[str, Any]]:
    if old is None:
        return [_change("row_added", name, detail=f"{name}: new dataset, {new['rows']} rows")]
    if new is None:
        return [_change("row_removed", name, detail=f"{name}: dataset no longer built")]
    if old.get("fingerprint") and old["fingerprint"] == new.get("fingerprint"):
        return []
    if "kept_file" in old or "kept_file" in new:
        return _large_dataset_changes(name, old, new, country)
    merged = old_rows[old_rows["dataset"] == name].merge(
        new_rows[new_rows["dataset"] == name], on="key", how="outer", suffixes=("_old", "_new"),
        indicator=True, sort=False)
    return _row_records(name, merged, old.get("file"), new.get("file"))


def _large_dataset_changes(name: str, old: dict, new: dict, country: str
                           ) -> list[dict[str, Any]]:
    """Rows of a large dataset compared by value from the kept files, cells rendered only for
    the rows that differ."""
    frames = {}
    for side, entry in (("old", old), ("new", new)):
        kept = kept_files_dir(country) / entry.get("kept_file", "")
        if "kept_file" not in entry or not kept.is_file():
            return [_change("row_changed", name, detail=f"{name}: rebuilt, {old['rows']} → "
                            f"{new['rows']} rows; rows not compared, as the {side} build kept "
                            "no copy of them")]
        frames[side] = read_parquet(kept)
    hashed = {side: dataset_rows(name, frame, keep_content=False).assign(
        position=np.arange(len(frame))) for side, frame in frames.items()}
    merged = hashed["old"].merge(hashed["new"], on="key", how="outer", suffixes=("_old", "_new"),
                                 indicator=True, sort=False)
    changed = merged["_merge"].eq("both") & merged["hash_old"].ne(merged["hash_new"])
    for side in ("old", "new"):
        rows = merged.loc[changed, f"position_{side}"].astype("int64")
        text = _as_text(frames[side].iloc[rows].drop(columns=[LINE_COLUMN], errors="ignore"))
        merged[f"content_{side}"] = pd.Series(
            [json.dumps(row, ensure_ascii=False) for row in
             text.astype(object).where(text.notna(), None).to_dict("records")],
            index=rows.index, dtype="string")
    return _row_records(name, merged, old.get("file"), new.get("file"))


def _row_records(name: str, merged: pd.DataFrame, old_file: str | None, new_file: str | None
                 ) -> list[dict[str, Any]]:
    records = []
    differs = merged["_merge"].ne("both") | merged["hash_old"].ne(merged["hash_new"])
    for row in merged[differs].to_dict("records"):
        if row["_merge"] == "right_only":
            where = _where(name, new_file, row["line_new"], row["key"])
            detail = _designation_detail("added", row["content_new"], f"{where}: new row",
                                         name)
            records.append(_change("row_added", name, row["key"], new_file, row["line_new"],
                                   detail=detail))
        elif row["_merge"] == "left_only":
            where = _where(name, old_file, row["line_old"], row["key"])
            detail = _designation_detail("removed", row["content_old"],
                                         f"{where} (previous build): row removed", name)
            records.append(_change("row_removed", name, row["key"], old_file, row["line_old"],
                                   detail=detail))
        else:
            records += _row_changes(name, row, new_file)
    return sorted(records, key=lambda record: KINDS.index(record["kind"]))


def _row_changes(name: str, row: dict[str, Any], file: str | None) -> list[dict[str, Any]]:
    key, line = row["key"], row["line_new"]
    where = _where(name, file, line, key)
    if pd.isna(row["content_old"]) or pd.isna(row["content_new"]):
        return [_change("row_changed", name, key, file, line, detail=f"{where}: content changed")]
    old, new = json.loads(row["content_old"]), json.loads(row["content_new"])
    return [
        _change("row_changed", name, key, file, line, column, old.get(column), new.get(column),
                f"{where}: {column} {_shown(old.get(column))} → {_shown(new.get(column))}")
        for column in [*new, *(column for column in old if column not in new)]
        if old.get(column) != new.get(column)
    ]


def _designation_detail(change: str, content: Any, fallback: str, dataset: str) -> str:
    """A Belarus designation that came or went, as an analyst reads it after a fetch."""
    if dataset != DESIGNATIONS or not isinstance(content, str):
        return fallback
    return designation_line(change, json.loads(content))


def designation_line(change: str, row: dict[str, Any]) -> str:
    listed = row.get("listed_on")
    when = (f"listed {str(listed)[:10]} ({row.get('listed_on_basis')})" if listed
            and not pd.isna(listed) else "undated")
    origin = f", {row['list_file']}" if row.get("list_file") else ""
    return (f"Belarus designation {change}: {row.get('name', '?')} ({row.get('jurisdiction')} "
            f"{row.get('record_id')}), {when}{origin}")


def belarus_designation_changes(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Belarus designations in ``current`` and not in ``previous`` (added) or the reverse
    (removed), keyed by jurisdiction and record ID, from two readings of a list
    (``read_sanctions_list`` frames): names, IDs and dates, one row each, then a ``detail``
    line. A target whose Belarus flag changed counts as added or removed."""
    keys = ["jurisdiction", "record_id"]
    shown = ["name", "listed_on", "listed_on_basis"]
    old = previous.loc[previous["belarus"].astype(bool), keys + shown]
    new = current.loc[current["belarus"].astype(bool), keys + shown]
    merged = old.merge(new, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True,
                       validate="1:1")
    parts = []
    for change, side in (("added", "right_only"), ("removed", "left_only")):
        suffix = "_new" if change == "added" else "_old"
        part = merged[merged["_merge"] == side]
        part = part[keys].assign(change=change, **{c: part[c + suffix] for c in shown})
        parts.append(part.sort_values(["listed_on", "record_id"], na_position="last"))
    report = pd.concat(parts, ignore_index=True)[["change", *keys, *shown]]
    report["detail"] = [designation_line(row["change"], row)
                        for row in report.to_dict("records")]
    return report


FETCHED_LIST_FILES = (("sdn_advanced.xml", "sdn.csv"),
                      ("UK-Sanctions-List.csv", "UK-Sanctions-List.xml"),
                      ("eu_fsf.csv",))
"""Files ``fetch-lists`` saves, one group per list: the first form both fetches hold is
compared, so a list fetched in two forms is reported once."""


def fetched_list_changes(lists_dir: Path | None = None) -> pd.DataFrame:
    """``belarus_designation_changes`` between the two latest ``fetch-lists`` folders, for
    each list both hold; ``attrs`` names the two folders (``previous`` None when there is only
    one) and the lists with no earlier copy (``not_compared``)."""
    from analysis.lists import read_sanctions_list  # openpyxl and XML readers: not on load()

    folders = sorted(path for path in (lists_dir or paths.lists_dir()).glob(
        "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]") if path.is_dir())
    reports, not_compared = [], []
    previous, current = (folders[-2:] if len(folders) > 1 else (None, *folders[-1:]))
    for group in FETCHED_LIST_FILES if current is not None else ():
        held = [name for name in group if (current / name).is_file()]
        both = [name for name in held if previous is not None and (previous / name).is_file()]
        if both:
            reports.append(belarus_designation_changes(read_sanctions_list(previous / both[0]),
                                                       read_sanctions_list(current / both[0])))
        elif held:
            not_compared.append(held[0])
    report = (pd.concat(reports, ignore_index=True) if reports else pd.DataFrame(
        columns=["change", "jurisdiction", "record_id", "name", "listed_on", "listed_on_basis",
                 "detail"]))
    report.attrs.update(previous=previous.name if previous else None,
                        current=current.name if current else None, not_compared=not_compared)
    return report


def _where(name: str, file: str | None, line: Any, key: str) -> str:
    if file and not pd.isna(line):
        return f"{file} line {int(line)} ({key})"
    return f"{name} {key}"


def _shown(value: Any) -> str:
    return EMPTY if value is None or value == "" else str(value)


def _change(kind: str, dataset: str, key: str | None = None, file: str | None = None,
            line: Any = None, column: str | None = None, old: Any = None, new: Any = None,
            detail: str = "") -> dict[str, Any]:
    return {"kind": kind, "dataset": dataset, "key": key, "file": file,
            "line": None if line is None or pd.isna(line) else int(line), "column": column,
            "old": old, "new": new, "detail": detail}


def _headline_changes(old: list[dict], new: list[dict]) -> list[dict[str, Any]]:
    if not old or not new:
        return []
    before = {(v["table"], v["key"], v["column"]): v["value"] for v in old}
    records = []
    for value in new:
        address = (value["table"], value["key"], value["column"])
        was = before.get(address)
        if was != value["value"]:
            label = (value["key"] if value["table"] == "headline_numbers"
                     else f"{value['column']} in {value['key']}")
            suffix = " (as of)" if value["column"] == "as_of" else ""
            records.append(_change("headline", value["table"], value["key"], column=value["column"],
                                   old=was, new=value["value"],
                                   detail=f"{label}{suffix}: {_shown(was)} → "
                                          f"{_shown(value['value'])}"))
    return records


def _claim_changes(old: list[dict] | None, new: list[dict] | None) -> list[dict[str, Any]]:
    if not old or not new:
        return []
    before = {row["hypothesis"]: row for row in old}
    records = []
    for row in new:
        hypothesis = row["hypothesis"]
        was = before.pop(hypothesis, None)
        if was is None:
            records.append(_change("claim", "claim", hypothesis, column="verdict",
                                   new=row.get("verdict"),
                                   detail=f"{hypothesis}: new hypothesis, {row.get('verdict')}"))
            continue
        if was.get("verdict") != row.get("verdict"):
            records.append(_change("claim", "claim", hypothesis, column="verdict",
                                   old=was.get("verdict"), new=row.get("verdict"),
                                   detail=f"{hypothesis}: verdict {was.get('verdict')} → "
                                          f"{row.get('verdict')}"))
        old_ci, new_ci = _interval(was), _interval(row)
        if old_ci != new_ci:
            records.append(_change("claim", "claim", hypothesis, column="ci", old=old_ci,
                                   new=new_ci,
                                   detail=f"{hypothesis}: confidence interval {old_ci} → "
                                          f"{new_ci}"))
    for hypothesis, was in before.items():
        records.append(_change("claim", "claim", hypothesis, column="verdict",
                               old=was.get("verdict"),
                               detail=f"{hypothesis}: no longer tested"))
    return records


def _interval(row: dict) -> str:
    """The interval as shown, to 3 significant digits, so rounding noise is not a move."""
    low, high = row.get("ci_low"), row.get("ci_high")
    return "[" + ", ".join(EMPTY if v is None else f"{v:.3g}" for v in (low, high)) + "]"


def print_report(console: Any, report: pd.DataFrame | None = None, limit: int = 8,
                 country: str = paths.DEFAULT_COUNTRY) -> None:
    """Render the report for a terminal: a header, each dataset's rows, then the numbers."""
    from rich.table import Table

    report = changes(country) if report is None else report
    if report.attrs.get("previous") is None:
        console.print("No previous build to compare with.")
        return
    console.print(f"[bold]What the latest build changed[/bold] (build of "
                  f"{_when(report.attrs['current'])}, compared with the build of "
                  f"{_when(report.attrs['previous'])})")
    if report.empty:
        console.print("No changes since the previous build.")
        return
    for line in row_lines(report, limit):
        console.print(line, highlight=False, soft_wrap=True)
    for kind, title, first in (("headline", "Headline numbers", "measure"),
                               ("claim", "Test of the claim", "hypothesis")):
        part = report[report["kind"] == kind]
        if part.empty:
            continue
        table = Table(first, "old", "new", title=title, title_justify="left")
        for row in part.itertuples():
            table.add_row(_label(row), _shown(row.old), _shown(row.new))
        console.print(table)


def row_lines(report: pd.DataFrame, limit: int = 8) -> list[str]:
    """Row changes as text, per dataset; a derived dataset with many changes in one line.

    An edit to one raw cell can move hundreds of reconstructed days: listing them would bury
    the edit itself, which the cleaned table above already names with file and line.
    """
    lines = []
    rows = report[report["kind"].str.startswith("row_")]
    for dataset, group in rows.groupby("dataset", sort=False):
        counts = group.drop_duplicates(["kind", "key"])["kind"].value_counts()
        summary = ", ".join(f"{counts[kind]} {kind.removeprefix('row_')}"
                            for kind in KINDS if kind in counts)
        lines.append(f"\n[bold]{dataset}[/bold]: {summary}")
        if len(group) > limit and group["file"].isna().all():
            lines += _derived_summary(group)
            continue
        lines += [f"  {detail}" for detail in group["detail"].head(limit)]
        if len(group) > limit:
            lines.append(f"  … and {len(group) - limit} more (see analysis.changes())")
    return lines


def _derived_summary(group: pd.DataFrame) -> list[str]:
    lines = []
    for kind in ("row_added", "row_removed"):
        keys = group.loc[group["kind"] == kind, "key"]
        if len(keys):
            lines.append(f"  {kind.removeprefix('row_')}: {_span(keys)}")
    changed = group[group["kind"] == "row_changed"]
    if len(changed):
        lines.append(f"  changed {_span(changed['key'])}:")
        for column, rows in changed.groupby("column", sort=False):
            lines.append(f"    {column} ({_rows(rows['key'].nunique())}){_largest_move(rows)}")
    return lines


def _largest_move(rows: pd.DataFrame) -> str:
    """The row whose number moved most, as "; most at KEY: OLD → NEW" (empty for text)."""
    old, new = pd.to_numeric(rows["old"], errors="coerce"), pd.to_numeric(rows["new"],
                                                                          errors="coerce")
    moved = (new - old).abs()
    if moved.isna().all():
        return ""
    row = rows.loc[moved.idxmax()]
    return (f"; most at {str(row['key']).removesuffix(' 00:00:00')}: "
            f"{_number_shown(old[row.name])} → {_number_shown(new[row.name])}")


def _number_shown(value: float) -> str:
    return EMPTY if pd.isna(value) else f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _span(keys: pd.Series) -> str:
    keys = keys.drop_duplicates()
    return keys.iloc[0] if len(keys) == 1 else f"{_rows(len(keys))}, {keys.min()} … {keys.max()}"


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _label(row: Any) -> str:
    if row.kind == "claim":
        return f"{row.key} ({'CI' if row.column == 'ci' else row.column})"
    label = row.key if row.dataset == "headline_numbers" else f"{row.column} in {row.key}"
    return f"{label} (as of)" if row.column == "as_of" else label


def _when(stamp: str | None) -> str:
    return "?" if not stamp else f"{datetime.fromisoformat(stamp):%Y-%m-%d %H:%M} UTC"


HOOKS.after_build.append(record_snapshot)
HOOKS.describe_changes = raw_changes
