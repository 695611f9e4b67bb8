"""Build datasets when their inputs changed, and load them.

A dataset is fresh when the fingerprint stored in its Parquet footer equals the fingerprint of
what it would be built from now: the sha256 of each raw input file, the fingerprints of its
upstream datasets, and the code that shapes the data. ``load`` compares the two and rebuilds
only what is stale, so an analyst who edits a raw CSV and reruns a notebook cell gets the new
numbers; when nothing changed it only reads Parquet. Builds hold a file lock, so two processes
never write the same outputs at once.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd

from analysis import catalog, paths
from analysis.errors import BuildLockedError
from analysis.io import read_parquet, read_provenance, sha256_file, write_parquet_atomic

LOCK_TIMEOUT_SECONDS = 600
QUARANTINE_SUFFIX = ".quarantine"


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
    """Datasets (in build order) whose stored fingerprint differs from the current one."""
    prints = fingerprints(names or list(catalog.DATASETS))
    return [name for name, fingerprint in prints.items() if stored_fingerprint(name) != fingerprint]


def stored_fingerprint(name: str) -> str | None:
    return (read_provenance(paths.processed_path(name)) or {}).get("fingerprint")


def quarantine_path(name: str) -> Path:
    return paths.processed_dir() / f"{name}{QUARANTINE_SUFFIX}.parquet"


def build(names: list[str] | None = None, *, force: bool = False,
          on_step: Callable[[str, str], None] | None = None) -> list[StepResult]:
    """Rebuild what is stale among ``names`` (default: all), or everything with ``force``."""
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
    todo = {name for name in order if force or stored_fingerprint(name) != prints[name]}
    results = []
    frames: dict[str, pd.DataFrame] = {}
    for name in order:
        if name not in todo:
            results.append(StepResult(name, rebuilt=False))
            continue
        if on_step:
            on_step(name, "building")
        spec = catalog.dataset(name)
        upstream = {parent: frames.get(parent) if parent in frames
                    else read_parquet(paths.processed_path(parent)) for parent in spec.upstream}
        module, function = spec.builder.split(":")
        built = getattr(importlib.import_module(module), function)(upstream, spec.inputs())
        frame = _validated(name, built.frame)
        quarantined = int(built.quarantine["line"].nunique()) if len(built.quarantine) else 0
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
        }
        write_parquet_atomic(built.quarantine.astype({"line": "Int64"}), quarantine_path(name),
                             {"dataset": name, "fingerprint": prints[name]})
        write_parquet_atomic(frame, paths.processed_path(name), provenance)
        frames[name] = frame
        results.append(StepResult(name, True, built.rows_in, len(frame), quarantined))
        if on_step:
            on_step(name, "done")
    return results


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

    ``load("quarantine")`` returns every row the cleaners set aside, with file, line, column,
    value and reason.
    """
    if name == "quarantine":
        return load_quarantine()
    catalog.dataset(name)
    if stale([name]):
        build([name])
    return read_parquet(paths.processed_path(name))


def load_quarantine() -> pd.DataFrame:
    cleaned = [name for name, spec in catalog.DATASETS.items() if not spec.upstream]
    if stale(cleaned):
        build(cleaned)
    frames = [read_parquet(quarantine_path(name)) for name in cleaned]
    return pd.concat(frames, ignore_index=True)
