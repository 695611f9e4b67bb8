"""What ``python -m analysis run`` made last time, and from what, so a rerun redoes only what
changed.

Each output (an executed notebook, a chart's files, ``briefing.pdf``) is recorded under a key:
the sha256 of everything it was made from (the fingerprints of the datasets it read, which
``store`` already keeps in each Parquet footer, the package's code, a notebook's own source),
with the sha256 of each file written. An output is redone when its key differs or any of its
files is missing or was changed since. The record lives in the data folder's ``processed/``
(never tracked), so a fresh clone, or a copy of the data, starts with nothing recorded and does
everything.
"""

from __future__ import annotations

import hashlib
import json
import threading
from functools import cache
from pathlib import Path
from typing import Any

from analysis import paths
from analysis.io import read_provenance, sha256_file, write_text_atomic
from analysis.store import dataset_path

RECORD_NAME = "run-record.json"


def record_path() -> Path:
    return paths.processed_root() / RECORD_NAME


@cache
def package_fingerprint() -> str:
    """Every module of the package: a chart, a notebook or the briefing may call any of them."""
    digest = hashlib.sha256()
    for file in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        digest.update(str(file.relative_to(paths.PACKAGE_DIR)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def key(**parts: Any) -> str:
    """One sha256 of ``parts`` (JSON-serialisable), with the package's code and the matplotlib
    that draws always among them."""
    from matplotlib import __version__ as matplotlib_version

    payload = {**parts, "code": package_fingerprint(), "matplotlib": matplotlib_version}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def file_fingerprint(path: Path) -> str:
    """A built dataset's fingerprint (what it was built from) or, for any other file, its
    sha256; "missing" when there is no such file."""
    path = Path(path)
    if not path.is_file():
        return "missing"
    stored = (read_provenance(path) or {}).get("fingerprint") if path.suffix == ".parquet" \
        else None
    return stored or sha256_file(path)


def dataset_fingerprints(names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The stored fingerprint of each (default country's or cross-country) dataset."""
    return {name: file_fingerprint(dataset_path(name)) for name in names}


def read_record() -> dict[str, dict[str, Any]]:
    try:
        return json.loads(record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


_WRITING = threading.Lock()
"""``run`` records notebooks from one thread while it exports figures in another."""


def update_record(section: str, name: str, value: dict[str, Any]) -> None:
    """Record ``value`` as ``name`` of ``section`` ("notebooks", "figures", "phases")."""
    with _WRITING:
        record = read_record()
        record.setdefault(section, {})[name] = value
        record_path().parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(json.dumps(record, indent=1, sort_keys=True), record_path())


def is_current(entry: dict[str, Any] | None, wanted: str) -> bool:
    """True when ``entry`` was made under key ``wanted`` and every file it wrote is still there,
    unchanged."""
    return bool(entry) and entry.get("key") == wanted and all(
        Path(file).is_file() and sha256_file(Path(file)) == digest
        for file, digest in entry.get("files", {}).items())


def entry(wanted: str, files: list[Path], **extra: Any) -> dict[str, Any]:
    """What to record for output files just written under key ``wanted``."""
    return {"key": wanted, "files": {str(file): sha256_file(Path(file)) for file in files},
            **extra}
