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
quarantined and why (once per quarantine, not on every load), and ``load`` says what it
rebuilt and what moved.

Every function takes the country (default ``paths.DEFAULT_COUNTRY``): each country's datasets
live in their own folder with their own lock. A dataset of ``catalog.CROSS_COUNTRY`` is built
once, by the same steps, from every country's datasets.

The engine knows datasets only by the names and ``module:function`` builders of the catalog; it
imports no module that builds or reads one. What the layers above want to hear from a build
(``analysis.changelog`` records a snapshot of each) they register in ``HOOKS``.
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout

from analysis import catalog, paths
from analysis import country as countries
from analysis.errors import AnalysisError, BuildError, BuildLockedError, UnknownDatasetError
from analysis.io import (
    atomic_target,
    read_parquet,
    read_provenance,
    sha256_file,
    write_parquet,
    write_parquet_atomic,
)
from analysis.rules import build_date

LOCK_TIMEOUT_SECONDS = 600
QUARANTINE_SUFFIX = ".quarantine"
MAX_QUARANTINE_SHARE = 0.2
"""Share of a table's rows that may be quarantined before a build stops instead: a few bad
rows are set aside and reported, but losing a fifth of a table means the file as a whole was
saved or edited wrongly. ``ANALYSIS_MAX_QUARANTINE_SHARE`` (0 to 1) overrides it."""


class QuarantineWarning(UserWarning):
    """Rows of a raw file were set aside and are not in the datasets built from it."""


warnings.simplefilter("always", QuarantineWarning)
"""Python's own filter would show it once per line of code; the library decides instead (once
per quarantine state, see ``_warn_quarantined``). ``warnings.filterwarnings("ignore",
category=QuarantineWarning)`` silences it."""


@dataclass
class Hooks:
    """What the layers above the engine ask of a build, registered by them."""

    after_build: list[Callable[[str], object]] = field(default_factory=list)
    """Called with the country, under its build lock, after a build that rebuilt something."""
    notice: Callable[[list[str], set[str], str], str] | None = None
    """The whole notice after a rebuild (rebuilt names, names built for the first time,
    country), when a layer above gives one (``analysis.notices``)."""
    describe_changes: Callable[[str], str] | None = None
    """What changed in the raw files since the previous build (country → a few words), for the
    line ``load`` prints after a rebuild."""


HOOKS = Hooks()


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


def input_hashes(name: str, country: str = paths.DEFAULT_COUNTRY) -> dict[str, str]:
    return {
        paths.display_path(file): sha256_file(file) if file.is_file() else "missing"
        for file in catalog.dataset(name).inputs(country)
    }


def fingerprints(names: list[str], hashes: dict[str, dict[str, str]] | None = None,
                 country: str = paths.DEFAULT_COUNTRY) -> dict[str, str]:
    """Fingerprint of each dataset in ``names`` and of everything upstream of them.

    ``hashes`` (``input_hashes`` by dataset, as a build has them already) saves reading the
    raw files again: on a large input, hashing is a noticeable part of a build.
    """
    prints: dict[str, str] = {}
    for name in catalog.build_order(names, country):
        spec = catalog.dataset(name)
        payload = {
            "inputs": hashes[name] if hashes is not None else input_hashes(name, country),
            "upstream": {parent: prints[parent] for parent in spec.upstream if parent in prints},
            "code": code_fingerprint(),
        }
        prints[name] = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return prints


def stale(names: list[str] | None = None, country: str = paths.DEFAULT_COUNTRY) -> list[str]:
    """Datasets (in build order) whose stored fingerprint differs from the current one; by default
    those a plain ``build()`` makes (datasets built on request are left out)."""
    prints = fingerprints(names or catalog.build_order(None, country), country=country)
    return [name for name, fingerprint in prints.items()
            if _outdated(name, fingerprint, country)]


def stored_fingerprint(name: str, country: str = paths.DEFAULT_COUNTRY) -> str | None:
    return (read_provenance(paths.processed_path(name, country)) or {}).get("fingerprint")


def _outdated(name: str, fingerprint: str, country: str = paths.DEFAULT_COUNTRY) -> bool:
    """Built from other inputs, or holding back rows dated after its build day that today's
    build would keep (``recheck_on``, set when such rows were quarantined)."""
    provenance = read_provenance(paths.processed_path(name, country)) or {}
    recheck = provenance.get("recheck_on")
    return provenance.get("fingerprint") != fingerprint or (
        recheck is not None and build_date() >= pd.Timestamp(recheck))


def quarantine_path(name: str, country: str = paths.DEFAULT_COUNTRY) -> Path:
    return paths.processed_dir(country) / f"{name}{QUARANTINE_SUFFIX}.parquet"


def build(names: list[str] | None = None, *, force: bool = False,
          on_step: Callable[[str, str], None] | None = None,
          report_quarantine: bool = True, country: str = paths.DEFAULT_COUNTRY
          ) -> list[StepResult]:
    """Rebuild what is stale among ``names`` (default: all), or everything with ``force``.

    All or nothing: on any failure (``BuildError``, ``InputError``) no dataset changes. With
    ``report_quarantine``, gives one notice for the quarantined rows behind ``names`` not
    reported yet.
    """
    countries.config(country)
    across = [name for name in names or [] if name in catalog.CROSS_COUNTRY]
    if across:
        raise UnknownDatasetError(f"{', '.join(across)}: built across countries by "
                                  "analysis.load, not by a country's build")
    try:
        results = _build(names, force, on_step, country)
    except OSError as error:
        raise BuildError(f"cannot write {paths.display_path(paths.processed_dir(country))} "
                         f"({error.strerror or error}); every dataset is as it was before the "
                         "build") from None
    if report_quarantine:
        _warn_quarantined(names, country)
    return results


def _build(names: list[str] | None, force: bool,
           on_step: Callable[[str, str], None] | None, country: str) -> list[StepResult]:
    paths.processed_dir(country).mkdir(parents=True, exist_ok=True)
    lock = FileLock(paths.processed_dir(country) / ".build.lock")
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
        _remove_orphaned_temporaries(country)
        results = _build_locked(names, force, on_step, country)
        if any(result.rebuilt for result in results):
            for hook in HOOKS.after_build:
                hook(country)
        return results
    finally:
        lock.release()


def _remove_orphaned_temporaries(country: str) -> None:
    """Delete the half-written files of a build that was killed; only builds write datasets,
    and the caller holds the build lock, so none of them is being written now."""
    for name in catalog.DATASETS:
        for orphan in paths.processed_dir(country).glob(f".{name}.*.tmp"):
            orphan.unlink(missing_ok=True)


def _build_locked(names: list[str] | None, force: bool,
                  on_step: Callable[[str, str], None] | None, country: str
                  ) -> list[StepResult]:
    order = catalog.build_order(names, country)
    hashes = {name: input_hashes(name, country) for name in order}
    prints = fingerprints(order, hashes, country)
    todo = {name for name in order if force or _outdated(name, prints[name], country)}
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
            parent: frames[parent] if parent in frames
            else read_parquet(paths.processed_path(parent, country))
            if catalog.applies(parent, country) else None
            for parent in spec.upstream}, country)
        quarantined = int(built.quarantine["line"].nunique()) if len(built.quarantine) else 0
        _check_losses(name, built.rows_in, len(frame), quarantined, built.quarantine, country)
        provenance = {
            "dataset": name,
            "description": spec.description,
            "fingerprint": prints[name],
            "inputs": hashes[name],
            "upstream": {parent: prints[parent] for parent in spec.upstream if parent in prints},
            "country": country,
            "rows_in": built.rows_in,
            "rows_out": len(frame),
            "rows_quarantined": quarantined,
            "package_version": _package_version(),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "recheck_on": _recheck_on(built.quarantine),
        }
        staged.append((quarantine_path(name, country),
                       built.quarantine.astype({"line": "Int64"}),
                       {"dataset": name, "fingerprint": prints[name]}))
        staged.append((paths.processed_path(name, country), frame, provenance))
        frames[name] = frame
        results.append(StepResult(name, True, built.rows_in, len(frame), quarantined))
        if on_step:
            on_step(name, "done")
    _write_together(staged)
    return results


def _run_step(name: str, upstream: dict, country: str | None):
    """The step's output and its validated frame; any failure becomes one line naming it.
    ``country`` is None for a dataset built across countries."""
    spec = catalog.dataset(name)
    try:
        module, function = spec.builder.split(":")
        built = getattr(importlib.import_module(module), function)(upstream, spec.inputs(country),
                                                                   country)
        return built, _validated(name, built.frame)
    except (AnalysisError, OSError):
        raise
    except Exception as error:
        detail = str(error).splitlines()[0] if str(error).strip() else type(error).__name__
        where = "" if country in (None, paths.DEFAULT_COUNTRY) else f" for {country}"
        raise BuildError(f"building {name}{where} failed ({type(error).__name__}: "
                         f"{detail[:300]}); "
                         "every dataset is as it was before the build") from error


def _recheck_on(quarantine: pd.DataFrame) -> str | None:
    """The day after this build when rows were quarantined for a date after it: from then on
    the dataset is stale, so such a row is used once its day has come."""
    if not len(quarantine) or not quarantine["reason"].str.contains(
            "rule not_after_build_date", regex=False).any():
        return None
    return f"{build_date() + pd.Timedelta(days=1):%Y-%m-%d}"


def max_quarantine_share() -> float:
    return float(os.environ.get("ANALYSIS_MAX_QUARANTINE_SHARE", MAX_QUARANTINE_SHARE))


def _check_losses(name: str, rows_in: int, rows_out: int, quarantined: int,
                  quarantine: pd.DataFrame, country: str = paths.DEFAULT_COUNTRY) -> None:
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
    needed_by = [other.name for other in catalog.DATASETS.values()
                 if name in other.upstream and catalog.applies(other.name, country)]
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
    from analysis.schemas import PROCESSED  # pandera: only a build validates, not a no-op load

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
    try:
        return version("analysis")
    except PackageNotFoundError:
        return "unknown"


def load(name: str, country: str = paths.DEFAULT_COUNTRY) -> pd.DataFrame:
    """The dataset ``name`` as a DataFrame, rebuilt first if any of its inputs changed.

    Says what it rebuilt (``rebuild_notice``), and gives one notice for the quarantined rows
    behind ``name`` not reported yet in this process. ``load("quarantine")`` returns every row
    the cleaners set aside, with file, line, column, value and reason.
    """
    if name == "quarantine":
        return load_quarantine(country)
    if name in catalog.CROSS_COUNTRY:
        return _load_across_countries(name)
    catalog.dataset(name)
    if stale([name], country):
        new = _not_built_yet([name], country)
        results = build([name], report_quarantine=False, country=country)
        print(rebuild_notice(results, new, country))
    _warn_quarantined([name], country)
    return read_parquet(paths.processed_path(name, country))


def dataset_path(name: str, country: str = paths.DEFAULT_COUNTRY) -> Path:
    """Where the dataset's Parquet lives: the country's folder, or the processed root for a
    dataset built from every country's."""
    if name in catalog.CROSS_COUNTRY:
        return paths.processed_root() / f"{name}.parquet"
    return paths.processed_path(name, country)


def _not_built_yet(names: list[str], country: str) -> set[str]:
    """The datasets a build of ``names`` needs that have no file yet: the rebuild notice calls
    them built for the first time."""
    return {parent for parent in catalog.build_order(names, country)
            if not paths.processed_path(parent, country).is_file()}


def _load_across_countries(name: str) -> pd.DataFrame:
    """A dataset built from every country's: each country's upstream datasets are brought up
    to date first (under that country's lock, saying what was rebuilt and quarantined, as a
    country's ``load`` does), then the dataset is rebuilt under its own lock if any of them, or one
    of its inputs, changed. Its builder gets them as ``{country: {name: frame}}``."""
    spec = catalog.dataset(name)
    every = paths.countries()
    # flows_monthly with the upstream: the model fit is shared, and it is what the rebuild
    # notice reads the moved month-end counts from.
    upstream = sorted({*spec.upstream, "flows_monthly"})
    for country in every:
        if stale(upstream, country):
            new = _not_built_yet(upstream, country)
            print(rebuild_notice(build(upstream, country=country), new, country))
    path = dataset_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(paths.processed_root() / f".{name}.lock", timeout=LOCK_TIMEOUT_SECONDS):
        fingerprint = _across_countries_fingerprint(name, every)
        if (read_provenance(path) or {}).get("fingerprint") != fingerprint:
            frames = {country: {parent: read_parquet(paths.processed_path(parent, country))
                                for parent in spec.upstream} for country in every}
            _, frame = _run_step(name, frames, None)
            write_parquet_atomic(frame, path, {
                "dataset": name, "description": spec.description, "fingerprint": fingerprint,
                "countries": every, "rows_out": len(frame)})
            print(f"Built {name} from {', '.join(every)}.")
        return read_parquet(path)


def _across_countries_fingerprint(name: str, every: list[str]) -> str:
    spec = catalog.dataset(name)
    payload = {
        "inputs": input_hashes(name),
        "upstream": {f"{country}/{parent}": stored_fingerprint(parent, country)
                     for country in every for parent in spec.upstream},
        "code": code_fingerprint(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def rebuild_notice(results: list[StepResult], new: set[str] | frozenset = frozenset(),
                   country: str = paths.DEFAULT_COUNTRY) -> str:
    """What ``load`` says after rebuilding (``analysis.notices``): the country, the datasets
    built for the first time (``new``) and rebuilt, the raw rows that changed, the numbers that
    moved, and any edited figure the conflict rule or the model set aside."""
    rebuilt = [result.name for result in results if result.rebuilt]
    if HOOKS.notice is not None:
        return HOOKS.notice(rebuilt, set(new), country)
    where = "" if country == paths.DEFAULT_COUNTRY else f" for {country}"
    first = [name for name in rebuilt if name in new]
    again = [name for name in rebuilt if name not in new]
    parts = [f"Built {', '.join(first)}{where} (first build)"] if first else []
    if again:
        detail = f" ({HOOKS.describe_changes(country)})" if HOOKS.describe_changes else ""
        parts.append(f"{'rebuilt' if parts else 'Rebuilt'} {', '.join(again)}{where}{detail}")
    return "; ".join(parts) + "; analysis.changes() has the detail."


THOUSANDS = r"^[+-]?\d{1,3}([,.' ]\d{3})+$"
"""A count written with a thousands separator ("1,150", "1.150", "1 150"): the cleaners read
counts as whole numbers only, so the notice names the separator rather than the rule."""


def quarantine_notices(names: list[str] | None = None, country: str = paths.DEFAULT_COUNTRY
                       ) -> list[str]:
    """One line per raw file behind ``names`` with quarantined rows: how many, grouped by
    reason (a thousands separator named as such), with their lines and how to list them."""
    return [notice for _, notices in _notices_by_dataset(names, country) for notice in notices]


def _notices_by_dataset(names: list[str] | None, country: str
                        ) -> list[tuple[tuple[str, str], list[str]]]:
    """Each dataset's quarantine notices, keyed by (dataset, fingerprint of its quarantine)."""
    found = []
    for name in catalog.build_order(names, country):
        provenance = read_provenance(paths.processed_path(name, country)) or {}
        if (not provenance.get("rows_quarantined")
                or not quarantine_path(name, country).is_file()):
            continue
        quarantine = read_parquet(quarantine_path(name, country))
        rows_in = provenance["rows_in"]
        notices = []
        for file, rows in quarantine.groupby("file", sort=True):
            count = rows["line"].nunique()
            notices.append(
                f"{file}: {count} of {rows_in} row{'s' if rows_in != 1 else ''} quarantined "
                f"and left out ({reason_groups(rows)}); `python -m analysis quarantine"
                f"{'' if country == paths.DEFAULT_COUNTRY else f' --country {country}'}` "
                f"or {load_call('quarantine', country)} lists them")
        found.append(((name, str(provenance.get("fingerprint"))), notices))
    return found


def load_call(name: str, country: str) -> str:
    """How a notebook loads ``name`` of ``country``, for a message to quote."""
    return (f"analysis.load({name!r})" if country == paths.DEFAULT_COUNTRY
            else f"analysis.load({name!r}, {country!r})")


def reason_class(column: object, value: object, reason: str) -> str:
    """What is wrong with a quarantined cell, as an analyst would say it."""
    import re

    where = "the row" if pd.isna(column) else f"`{column}`"
    if isinstance(value, str) and re.match(THOUSANDS, value.strip()):
        return f"a thousands separator in {where} (write numbers without it)"
    extra = re.match(r"expected (\d+) fields as in the header, found (\d+)", reason)
    if (extra and int(extra[2]) == int(extra[1]) + 1 and isinstance(value, str)
            and re.search(r"(^|,)\d{1,3},\d{3}(,|$)", value)):
        return ("one field too many, as from a thousands separator in a number "
                "(write numbers without it)")
    return f"{where}: {reason}"


def reason_groups(rows: pd.DataFrame, limit: int = 3) -> str:
    """Quarantined rows of one file grouped by reason, largest group first: "2 rows: a
    thousands separator in `value` (write numbers without it), lines 4, 9"."""
    rows = rows.assign(_class=[reason_class(column, value, reason) for column, value, reason
                               in zip(rows["column"], rows["value"], rows["reason"],
                                      strict=True)])
    groups = rows.groupby("_class", sort=False)["line"].agg(lambda lines: sorted(
        int(line) for line in lines.dropna().unique()))
    groups = groups[groups.map(len).sort_values(ascending=False, kind="stable").index]
    parts = []
    for reason, lines in list(groups.items())[:limit]:
        shown = ", ".join(str(line) for line in lines[:5]) + (", ..." if len(lines) > 5 else "")
        parts.append(f"{len(lines)} row{'s' if len(lines) != 1 else ''}: {reason}, "
                     f"line{'s' if len(lines) != 1 else ''} {shown}")
    if len(groups) > limit:
        parts.append(f"{len(groups) - limit} more reason{'s' if len(groups) - limit > 1 else ''}")
    return "; ".join(parts)


_NOTICES_SHOWN: set[tuple[str, str, str]] = set()
"""Quarantines already reported in this process (data folder, dataset, fingerprint): a
notebook that loads five datasets built from one table hears about its quarantined rows once,
and again after a rebuild."""


def _warn_quarantined(names: list[str] | None, country: str = paths.DEFAULT_COUNTRY) -> None:
    """One warning for the quarantined rows behind ``names`` not reported yet."""
    folder = str(paths.processed_dir(country))
    fresh = [(key, notices) for key, notices in _notices_by_dataset(names, country)
             if (folder, *key) not in _NOTICES_SHOWN]
    if not fresh:
        return
    _NOTICES_SHOWN.update((folder, *key) for key, _ in fresh)
    warnings.warn("\n".join(notice for _, notices in fresh for notice in notices),
                  QuarantineWarning, stacklevel=_outside_package())


def _outside_package() -> int:
    """The stack level of the first caller outside this package (a notebook cell, a script),
    so the warning points at the line the user wrote."""
    frame, level = sys._getframe(1), 1
    package = str(paths.PACKAGE_DIR)
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def load_quarantine(country: str = paths.DEFAULT_COUNTRY) -> pd.DataFrame:
    cleaned = [name for name, spec in catalog.DATASETS.items()
               if not spec.upstream and catalog.applies(name, country)]
    if stale(cleaned, country):
        build(cleaned, report_quarantine=False, country=country)
    frames = [read_parquet(quarantine_path(name, country)) for name in cleaned]
    return pd.concat(frames, ignore_index=True)
