"""Download the current official list files into ``data/raw/lists/<retrieval date>/``.

All or nothing: files are streamed into a hidden staging folder beside the destination, each
written to a ``.part`` file and renamed when complete, and the staging folder becomes the dated
folder only when every download succeeded and ``retrieved.yml`` (url, UTC time, sha256, bytes
per file) is written. Any failure removes the staging folder, so the lists already on disk are
never mixed with a partial download. Only HTTPS is used (also across redirects); tests may allow
plain HTTP for named local hosts.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import socket
import ssl
import tempfile
import urllib.error
import urllib.request
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from analysis import paths
from analysis.errors import AnalysisError, OfflineError

OFAC_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"
FCDO_DOCS = "https://sanctionslist.fcdo.gov.uk/docs"
UK_SANCTIONS_LIST_CSV = "UK-Sanctions-List.csv"
UK_SANCTIONS_LIST_XML = "UK-Sanctions-List.xml"
OFFICIAL_URLS: dict[str, str] = {
    # OFAC: not checked against OFAC's documentation (no access to it here on 2026-11-29);
    # stored third-party pages seen on 2026-11-29 name this Sanctions List Service host.
    "sdn.csv": f"{OFAC_EXPORTS}/SDN.CSV",
    "add.csv": f"{OFAC_EXPORTS}/ADD.CSV",
    "alt.csv": f"{OFAC_EXPORTS}/ALT.CSV",
    "sdn_comments.csv": f"{OFAC_EXPORTS}/SDN_COMMENTS.CSV",
    "sdn_advanced.xml": f"{OFAC_EXPORTS}/SDN_ADVANCED.XML",
    # UK: the FCDO's UK Sanctions List, the single official UK list since OFSI's Consolidated
    # List (ConList) was retired on 28 January 2026. Checked 2026-11-29 against
    # ../shared/official_lists/README.md ("The UK list after 28 January 2026"), not against the
    # live site (no internet here). Archived ConList copies are still read, not fetched.
    UK_SANCTIONS_LIST_CSV: f"{FCDO_DOCS}/{UK_SANCTIONS_LIST_CSV}",
    UK_SANCTIONS_LIST_XML: f"{FCDO_DOCS}/{UK_SANCTIONS_LIST_XML}",
    # EU: not checked against the Commission's documentation (no access to it here on
    # 2026-11-29). The token is the EU's public download link parameter, the same for everyone.
    "eu_fsf.csv": "https://webgate.ec.europa.eu/fsd/fsf/public/files/csvFullSanctionsList_1_1/"
                  "content?token=dG9rZW4tMjAxNw",
}
MANIFEST_NAME = "retrieved.yml"
CHUNK_BYTES = 1 << 20
USER_AGENT = "analysis-fetch-lists/1.0 (research; python urllib)"


class DownloadError(AnalysisError):
    """The server was reached but its answer cannot be used (HTTP error, too large, empty,
    not HTTPS)."""


def fetch_lists(
    dest: str | Path | None = None,
    *,
    urls: Mapping[str, str] | None = None,
    timeout: float = 30,
    max_bytes: int = 200_000_000,
    allow_http_hosts: Collection[str] = frozenset(),
) -> list[Path]:
    """Download ``urls`` (file name -> URL; default ``OFFICIAL_URLS``) into
    ``dest/<UTC date>/`` and return the downloaded files' paths.

    Raises ``OfflineError`` when a host cannot be reached, ``DownloadError`` for an unusable
    answer; either way nothing under ``dest`` has changed. A second fetch on the same day
    replaces that day's folder.
    """
    dest = Path(dest) if dest is not None else paths.lists_dir()
    urls = dict(urls if urls is not None else OFFICIAL_URLS)
    for name, url in urls.items():
        _check_name(name)
        _check_url(url, allow_http_hosts)
    started = datetime.now(UTC)
    target = dest / started.date().isoformat()
    created_dest = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=dest))
    try:
        opener = urllib.request.build_opener(_HttpsOnlyRedirects(allow_http_hosts))
        manifest = [_download(opener, url, staging / name, dest, timeout=timeout,
                              max_bytes=max_bytes) | {"file": name}
                    for name, url in urls.items()]
        _write_manifest(staging, started, manifest)
        _move_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created_dest:
            with contextlib.suppress(OSError):
                dest.rmdir()
        raise
    return [target / name for name in urls]


def _check_name(name: str) -> None:
    if not name or Path(name).name != name or name.startswith(".") or name == MANIFEST_NAME:
        raise DownloadError(f"{name!r} is not a plain file name to save a list under")


def _check_url(url: str, allow_http_hosts: Collection[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in allow_http_hosts:
        return
    raise DownloadError(f"refusing {url}: official lists are fetched over HTTPS only; "
                        "nothing was changed.")


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to addresses ``_check_url`` accepts."""

    def __init__(self, allow_http_hosts: Collection[str]) -> None:
        super().__init__()
        self.allow_http_hosts = allow_http_hosts

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_url(newurl, self.allow_http_hosts)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(opener: urllib.request.OpenerDirector, url: str, path: Path, dest: Path, *,
              timeout: float, max_bytes: int) -> dict:
    host = urlsplit(url).hostname or url
    part = path.with_name(path.name + ".part")
    digest = hashlib.sha256()
    size = 0
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response, open(part, "wb") as out:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(url, max_bytes)
            while chunk := response.read(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(url, max_bytes)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except urllib.error.HTTPError as error:
        raise DownloadError(f"{url} answered HTTP {error.code} {error.reason}; "
                            "nothing was changed.") from None
    except urllib.error.URLError as error:
        raise _unreachable(host, error.reason, timeout, dest) from None
    except (TimeoutError, ConnectionError) as error:
        raise _unreachable(host, error, timeout, dest) from None
    except http.client.HTTPException as error:
        raise DownloadError(f"{url} sent an incomplete answer ({type(error).__name__}); "
                            "nothing was changed.") from None
    if size == 0:
        raise DownloadError(f"{url} sent an empty file; nothing was changed.")
    os.replace(part, path)
    return {
        "url": url,
        "retrieved_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": digest.hexdigest(),
        "bytes": size,
    }


def _too_large(url: str, max_bytes: int) -> DownloadError:
    return DownloadError(f"{url} is larger than the limit of {max_bytes:,} bytes; "
                         "nothing was changed.")


def _unreachable(host: str, reason: object, timeout: float, dest: Path) -> AnalysisError:
    if isinstance(reason, ssl.SSLError):
        return DownloadError(f"could not verify {host} over HTTPS ({reason}); "
                             "nothing was changed.")
    if isinstance(reason, socket.gaierror):
        why = "its name could not be looked up (no network or DNS)"
    elif isinstance(reason, ConnectionRefusedError):
        why = "connection refused"
    elif isinstance(reason, TimeoutError):
        why = f"no answer within {timeout:g} s"
    else:
        why = str(reason)
    return OfflineError(f"could not reach {host}: {why}; nothing was changed. Copy the files "
                        f"into {paths.display_path(dest)}/ by hand or retry when online.")


def _write_manifest(folder: Path, started: datetime, files: list[dict]) -> None:
    manifest = {
        "retrieved_on": started.date().isoformat(),
        "files": [{key: entry[key] for key in ("file", "url", "retrieved_at", "sha256", "bytes")}
                  for entry in files],
    }
    part = folder / f"{MANIFEST_NAME}.part"
    part.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    os.replace(part, folder / MANIFEST_NAME)


def _move_into_place(staging: Path, target: Path) -> None:
    """Rename the finished staging folder to the dated folder, replacing a same-day one."""
    if not target.exists():
        os.replace(staging, target)
        return
    replaced = Path(tempfile.mkdtemp(prefix=".replaced-", dir=target.parent))
    os.replace(target, replaced / target.name)
    os.replace(staging, target)
    shutil.rmtree(replaced, ignore_errors=True)
