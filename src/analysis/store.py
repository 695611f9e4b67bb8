"""Build datasets when their inputs changed, and load them.

A dataset is fresh when the fingerprint stored in its Parquet footer equals the fingerprint of
what it would be built from now: the sha256 of each raw input file, the fingerprints of its
upstream datasets, and the code that shapes the data. ``load`` compares the two and rebuilds
only what is stale, so an analyst who edits a raw CSV and reruns a notebook cell gets the new
numbers; when nothing changed it only reads Parquet. Builds hold a file lock, so two processes
never write the same outputs at once.

A build is all or nothing: every dataset it will write is built and validated in memory first,
then written to temporary files, and only when all are written do they replace the old ones. A
step that fails, a table that loses more than ``MAX_QUARANTINE_SHARE`` of its rows to quarantine,
or a dataset others depend on that comes out empty ends the build with one line and leaves every
dataset as it was. ``load`` and ``build`` say in one line per raw file how many rows were
quarantined, and ``load`` says in one line what it rebuilt.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import os
import sys
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd

from analysis import catalog, paths
from analysis.errors import AnalysisError, BuildError, BuildLockedError
from analysis.io import atomic_target, read_parquet, read_provenance, sha256_file, write_parquet

LOCK_TIMEOUT_SECONDS = 600
QUARANTINE_SUFFIX = ".quarantine"
MAX_QUARANTINE_SHARE = 0.2
"""Share of a table's rows that may be quarantined before a build stops instead: a few bad
rows are set aside and reported, but losing a fifth of a table means the file as a whole was
saved or edited wrongly. ``ANALYSIS_MAX_QUARANTINE_SHARE`` (0 to 1) overrides it."""


class QuarantineWarning(UserWarning):
    """Rows of a raw file were set aside and are not in the datasets built from it."""


warnings.simplefilter("always", QuarantineWarning)
"""Shown on every load, also when a notebook cell runs again; ``warnings.filterwarnings
("ignore", category=QuarantineWarning)`` silences it."""


@dataclass(frozen=True)
class StepResult:
    name: str
    rebuilt: bool
    rows_in: int | None = None
    rows_out: int | None = None
    rows_quarantined: int | None = None


@cache
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for entry in catalog.CODE_FILES:
        target = paths.PACKAGE_DIR / entry
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for file in files:
            digest.update(str(file.relative_to(paths.PACKAGE_DIR)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def input_hashes(name: str) -> dict[str, str]:
    return {
        paths.display_path(file): sha256_file(file) if file.is_file() else "missing"
        for file in catalog.dataset(name).inputs()
    }


def fingerprints(names: list[str], hashes: dict[str, dict[str, str]] | None = None
                 ) -> dict[str, str]:
    """Fingerprint of each dataset in ``names`` and of everything upstream of them.

    ``hashes`` (``input_hashes`` by dataset, as a build has them already) saves reading the
    raw files again: on a large input, hashing is a noticeable part of a build.
    """
    prints: dict[str, str] = {}
    for name in catalog.build_order(names):
        spec = catalog.dataset(name)
        payload = {
            "inputs": hashes[name] if hashes is not None else input_hashes(name),
            "upstream": {parent: prints[parent] for parent in spec.upstream},
            "code": code_fingerprint(),
        }
        prints[name] = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return prints


def stale(names: list[str] | None = None) -> list[str]:
    """Datasets (in build order) whose stored fingerprint differs from the current one; by default
    those a plain ``build()`` makes (datasets built on request are left out)."""
    prints = fingerprints(names or catalog.build_order())
    return [name for name, fingerprint in prints.items() if _outdated(name, fingerprint)]


def stored_fingerprint(name: str) -> str | None:
    return (read_provenance(paths.processed_path(name)) or {}).get("fingerprint")


def _outdated(name: str, fingerprint: str) -> bool:
    """Built from other inputs, or holding back rows dated after its build day that today's
    build would keep (``recheck_on``, set when such rows were quarantined)."""
    from analysis.rules import build_date

    provenance = read_provenance(paths.processed_path(name)) or {}
    recheck = provenance.get("recheck_on")
    return provenance.get("fingerprint") != fingerprint or (
        recheck is not None and build_date() >= pd.Timestamp(recheck))


def quarantine_path(name: str) -> Path:
    return paths.processed_dir() / f"{name}{QUARANTINE_SUFFIX}.parquet"


def build(names: list[str] | None = None, *, force: bool = False,
          on_step: Callable[[str, str], None] | None = None,
          report_quarantine: bool = True) -> list[StepResult]:
    """Rebuild what is stale among ``names`` (default: all), or everything with ``force``.

    All or nothing: on any failure (``BuildError``, ``InputError``) no dataset changes. With
    ``report_quarantine``, warns once per raw file with quarantined rows behind ``names``.
    """
    try:
        results = _build(names, force, on_step)
    except OSError as error:
        raise BuildError(f"cannot write {paths.display_path(paths.processed_dir())} "
                         f"({error.strerror or error}); every dataset is as it was before the "
                         "build") from None
    if report_quarantine:
        _warn_quarantined(names)
    return results


def _build(names: list[str] | None, force: bool,
           on_step: Callable[[str, str], None] | None) -> list[StepResult]:
    from filelock import FileLock, Timeout

    paths.processed_dir().mkdir(parents=True, exist_ok=True)
    lock = FileLock(paths.processed_dir() / ".build.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_step:
            on_step("", "waiting for another build to finish")
        try:
            lock.acquire(timeout=LOCK_TIMEOUT_SECONDS)
        except Timeout:
            raise BuildLockedError(
                f"another build has held {paths.display_path(Path(lock.lock_file))} for "
                f"{LOCK_TIMEOUT_SECONDS} s; wait for it to finish, or delete the lock file if "
                "no build is running"
            ) from None
    try:
        _remove_orphaned_temporaries()
        results = _build_locked(names, force, on_step)
        if any(result.rebuilt for result in results):
            from analysis.changelog import record_snapshot

            record_snapshot()
        return results
    finally:
        lock.release()


def _remove_orphaned_temporaries() -> None:
    """Delete the half-written files of a build that was killed; only builds write datasets,
    and the caller holds the build lock, so none of them is being written now."""
    for name in catalog.DATASETS:
        for orphan in paths.processed_dir().glob(f".{name}.*.tmp"):
            orphan.unlink(missing_ok=True)


def _build_locked(names: list[str] | None, force: bool,
                  on_step: Callable[[str, str], None] | None) -> list[StepResult]:
    order = catalog.build_order(names)
    hashes = {name: input_hashes(name) for name in order}
    prints = fingerprints(order, hashes)
    todo = {name for name in order if force or _outdated(name, prints[name])}
    results = []
    frames: dict[str, pd.DataFrame] = {}
    staged: list[tuple[Path, pd.DataFrame, dict]] = []
    for name in order:
        if name not in todo:
            results.append(StepResult(name, rebuilt=False))
            continue
        if on_step:
            on_step(name, "building")
        spec = catalog.dataset(name)
        built, frame = _run_step(name, {
            parent: frames.get(parent) if parent in frames
            else read_parquet(paths.processed_path(parent)) for parent in spec.upstream})
        quarantined = int(built.quarantine["line"].nunique()) if len(built.quarantine) else 0
        _check_losses(name, built.rows_in, len(frame), quarantined, built.quarantine)
        provenance = {
            "dataset": name,
            "description": spec.description,
            "fingerprint": prints[name],
            "inputs": hashes[name],
            "upstream": {parent: prints[parent] for parent in spec.upstream},
            "rows_in": built.rows_in,
            "rows_out": len(frame),
            "rows_quarantined": quarantined,
            "package_version": _package_version(),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "recheck_on": _recheck_on(built.quarantine),
        }
        staged.append((quarantine_path(name), built.quarantine.astype({"line": "Int64"}),
                       {"dataset": name, "fingerprint": prints[name]}))
        staged.append((paths.processed_path(name), frame, provenance))
        frames[name] = frame
        results.append(StepResult(name, True, built.rows_in, len(frame), quarantined))
        if on_step:
            on_step(name, "done")
    _write_together(staged)
    return results


def _run_step(name: str, upstream: dict[str, pd.DataFrame]):
    """The step's output and its validated frame; any failure becomes one line naming it."""
    spec = catalog.dataset(name)
    try:
        module, function = spec.builder.split(":")
        built = getattr(importlib.import_module(module), function)(upstream, spec.inputs())
        return built, _validated(name, built.frame)
    except (AnalysisError, OSError):
        raise
    except Exception as error:
        detail = str(error).splitlines()[0] if str(error).strip() else type(error).__name__
        raise BuildError(f"building {name} failed ({type(error).__name__}: {detail[:300]}); "
                         "every dataset is as it was before the build") from error


def _recheck_on(quarantine: pd.DataFrame) -> str | None:
    """The day after this build when rows were quarantined for a date after it: from then on
    the dataset is stale, so such a row is used once its day has come."""
    from analysis.rules import build_date

    if not len(quarantine) or not quarantine["reason"].str.contains(
            "rule not_after_build_date", regex=False).any():
        return None
    return f"{build_date() + pd.Timedelta(days=1):%Y-%m-%d}"


def max_quarantine_share() -> float:
    return float(os.environ.get("ANALYSIS_MAX_QUARANTINE_SHARE", MAX_QUARANTINE_SHARE))


def _check_losses(name: str, rows_in: int, rows_out: int, quarantined: int,
                  quarantine: pd.DataFrame) -> None:
    """Stop when a table loses too many rows to quarantine, or comes out empty while other
    datasets are built from it: numbers built on what is left would look fine and be wrong."""
    share = max_quarantine_share()
    where = ", ".join(sorted(quarantine["file"].dropna().unique())) if len(quarantine) else name
    if rows_in and quarantined > share * rows_in:
        reason = _common_reasons(quarantine)
        raise BuildError(
            f"{where}: {quarantined} of {rows_in} rows would be quarantined (more than "
            f"{share:.0%}; first reasons: {reason}); nothing was changed. Fix the file, or see "
            "`python -m analysis quarantine`; ANALYSIS_MAX_QUARANTINE_SHARE sets the limit")
    spec = catalog.dataset(name)
    needed_by = [other.name for other in catalog.DATASETS.values() if name in other.upstream]
    if not rows_out and needed_by and not spec.may_be_empty:
        raise BuildError(f"{name} came out empty and {', '.join(needed_by)} "
                         f"{'is' if len(needed_by) == 1 else 'are'} built from it; nothing was "
                         "changed")


def _common_reasons(quarantine: pd.DataFrame, limit: int = 2) -> str:
    counts = (quarantine.assign(column=quarantine["column"].fillna("(row)"))
              .groupby(["column", "reason"], sort=False).size()
              .sort_values(ascending=False, kind="stable").head(limit))
    return "; ".join(f"{column}: {reason} ({count})"
                     for (column, reason), count in counts.items())


def _write_together(staged: list[tuple[Path, pd.DataFrame, dict]]) -> None:
    """Write every file to a temporary beside it, then replace the old files: if any write
    fails, all temporaries go and no old file is touched."""
    with ExitStack() as stack:
        for path, frame, provenance in staged:
            write_parquet(frame, stack.enter_context(atomic_target(path)), provenance)


def _validated(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    from analysis.schemas import PROCESSED

    schema = PROCESSED.get(name)
    if schema is None:
        return frame
    if frame.empty:
        # A table derived from no rows (say every conflict's figures were quarantined) has
        # untyped columns; with no value to convert, giving it the schema's types is safe.
        schema = copy.deepcopy(schema)
        schema.coerce = True
    return schema.validate(frame)


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("analysis")
    except PackageNotFoundError:
        return "unknown"


def load(name: str) -> pd.DataFrame:
    """The dataset ``name`` as a DataFrame, rebuilt first if any of its inputs changed.

    Says in one line what it rebuilt, and warns once per raw file behind ``name`` that has
    quarantined rows. ``load("quarantine")`` returns every row the cleaners set aside, with
    file, line, column, value and reason.
    """
    if name == "quarantine":
        return load_quarantine()
    catalog.dataset(name)
    if stale([name]):
        new = {parent for parent in catalog.build_order([name])
               if not paths.processed_path(parent).is_file()}
        results = build([name], report_quarantine=False)
        print(rebuild_notice(results, new))
    _warn_quarantined([name])
    return read_parquet(paths.processed_path(name))


def rebuild_notice(results: list[StepResult], new: set[str] | frozenset = frozenset()) -> str:
    """One line: the datasets built for the first time (``new``) and rebuilt, how many raw rows
    changed, and where to see the detail."""
    from analysis.changelog import changes

    built = [result.name for result in results if result.rebuilt and result.name in new]
    rebuilt = [result.name for result in results if result.rebuilt and result.name not in new]
    parts = [f"Built {', '.join(built)} (first build)"] if built else []
    if rebuilt:
        report = changes()
        raw = report[report["kind"].str.startswith("row_") & report["file"].notna()]
        edited = len(raw.drop_duplicates(["dataset", "key"]))
        files = ", ".join(sorted(raw["file"].unique()))
        rows = (f"{edited} raw row{'s' if edited != 1 else ''} changed in {files}" if edited
                else "no raw row changed: the code or an official list copy did")
        parts.append(f"{'rebuilt' if parts else 'Rebuilt'} {', '.join(rebuilt)} ({rows})")
    return "; ".join(parts) + "; analysis.changes() has the detail."


def quarantine_notices(names: list[str] | None = None) -> list[str]:
    """One line per raw file behind ``names`` with quarantined rows: how many, the first
    reasons, and how to list them."""
    notices = []
    for name in catalog.build_order(names):
        provenance = read_provenance(paths.processed_path(name)) or {}
        if not provenance.get("rows_quarantined") or not quarantine_path(name).is_file():
            continue
        quarantine = read_parquet(quarantine_path(name))
        for file, rows in quarantine.groupby("file", sort=True):
            count = rows["line"].nunique()
            lines = ", ".join(str(line) for line in sorted(rows["line"].dropna().unique())[:5])
            notices.append(
                f"{file}: {count} of {provenance['rows_in']} rows quarantined and left out "
                f"(line {lines}{', ...' if count > 5 else ''}; {_common_reasons(rows)}); "
                "analysis.load('quarantine') or `python -m analysis quarantine` lists them")
    return notices


def _warn_quarantined(names: list[str] | None) -> None:
    for notice in quarantine_notices(names):
        warnings.warn(notice, QuarantineWarning, stacklevel=_outside_package())


def _outside_package() -> int:
    """The stack level of the first caller outside this package (a notebook cell, a script),
    so the warning points at the line the user wrote."""
    frame, level = sys._getframe(1), 1
    package = str(paths.PACKAGE_DIR)
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def load_quarantine() -> pd.DataFrame:
    cleaned = [name for name, spec in catalog.DATASETS.items() if not spec.upstream]
    if stale(cleaned):
        build(cleaned, report_quarantine=False)
    frames = [read_parquet(quarantine_path(name)) for name in cleaned]
    return pd.concat(frames, ignore_index=True)
