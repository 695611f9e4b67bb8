"""fetch_lists against a local HTTP server on 127.0.0.1: all or nothing, never the internet."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from analysis.errors import OfflineError
from analysis.lists import read_sanctions_list
from analysis.lists.fetch import MANIFEST_NAME, OFFICIAL_URLS, DownloadError, fetch_lists

LOCAL = {"127.0.0.1"}
FCDO_PATHS = {"/docs/UK-Sanctions-List.csv": "/uk_sanctions_list.csv",
              "/docs/UK-Sanctions-List.xml": "/uk_sanctions_list.xml"}
SLOW_SECONDS = 2.0


class FixtureHandler(SimpleHTTPRequestHandler):
    """Serves the list fixtures; ``/slow/...`` waits before answering, ``/moved/...`` redirects
    to plain HTTP on another host; ``/docs/UK-Sanctions-List.*`` (the FCDO's paths) serve the
    UK Sanctions List fixtures."""

    def do_GET(self) -> None:
        self.path = FCDO_PATHS.get(self.path, self.path)
        if self.path.startswith("/slow/"):
            time.sleep(SLOW_SECONDS)
            self.path = self.path.removeprefix("/slow")
        if self.path.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", "http://example.invalid/sdn.csv")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(list_fixtures: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for variable in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                     "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                partial(FixtureHandler, directory=str(list_fixtures)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    """A lists folder that already holds an earlier download, which failures must not touch."""
    folder = tmp_path / "lists"
    earlier = folder / "2020-01-01"
    earlier.mkdir(parents=True)
    (earlier / "ConList.csv").write_text("earlier download\n", encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() if path.is_file() else b"<dir>"
            for path in sorted(folder.rglob("*"))}


def fixture_urls(base: str) -> dict[str, str]:
    return {
        "sdn_advanced.xml": f"{base}/sdn_advanced.xml",
        "ConList.csv": f"{base}/ofsi_conlist.csv",
        "eu_fsf.csv": f"{base}/eu_fsf.csv",
    }


def fetch(dest: Path, urls: dict[str, str], **options: object) -> list[Path]:
    return fetch_lists(dest, urls=urls, allow_http_hosts=LOCAL, **options)


def test_downloads_every_file_with_a_manifest(server: str, dest: Path,
                                              list_fixtures: Path) -> None:
    files = fetch(dest, fixture_urls(server))
    folder = files[0].parent
    assert folder.parent == dest
    assert sorted(path.name for path in folder.iterdir()) == [
        "ConList.csv", "eu_fsf.csv", MANIFEST_NAME, "sdn_advanced.xml"]
    assert not list(dest.glob(".*")), "no staging folder left behind"
    manifest = yaml.safe_load((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["retrieved_on"] == folder.name
    entries = {entry["file"]: entry for entry in manifest["files"]}
    payload = (list_fixtures / "ofsi_conlist.csv").read_bytes()
    assert entries["ConList.csv"]["sha256"] == hashlib.sha256(payload).hexdigest()
    assert entries["ConList.csv"]["bytes"] == len(payload)
    assert entries["ConList.csv"]["url"] == f"{server}/ofsi_conlist.csv"
    assert entries["ConList.csv"]["retrieved_at"].endswith("Z")
    assert len(read_sanctions_list(folder / "ConList.csv")) == 4
    assert (dest / "2020-01-01" / "ConList.csv").exists()


def test_same_day_fetch_replaces_that_days_folder(server: str, dest: Path) -> None:
    first = fetch(dest, fixture_urls(server))
    second = fetch(dest, {"eu_fsf.csv": f"{server}/eu_fsf.csv"})
    assert second[0].parent == first[0].parent
    assert sorted(path.name for path in second[0].parent.iterdir()) == [
        "eu_fsf.csv", MANIFEST_NAME]


def test_http_is_refused_before_anything_is_written(dest: Path) -> None:
    before = snapshot(dest)
    with pytest.raises(DownloadError, match="HTTPS only"):
        fetch_lists(dest, urls={"sdn.csv": "http://127.0.0.1:9/sdn.csv"})
    assert snapshot(dest) == before


def test_redirect_to_plain_http_is_refused(server: str, dest: Path) -> None:
    before = snapshot(dest)
    with pytest.raises(DownloadError, match="example.invalid"):
        fetch(dest, {"sdn.csv": f"{server}/moved/sdn.csv"})
    assert snapshot(dest) == before


def test_size_limit(server: str, dest: Path) -> None:
    before = snapshot(dest)
    with pytest.raises(DownloadError, match="larger than the limit of 1,000 bytes"):
        fetch(dest, fixture_urls(server), max_bytes=1_000)
    assert snapshot(dest) == before


def test_not_found_after_a_good_file_changes_nothing(server: str, dest: Path) -> None:
    before = snapshot(dest)
    urls = {"eu_fsf.csv": f"{server}/eu_fsf.csv", "sdn.csv": f"{server}/no-such-file.csv"}
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(dest, urls)
    assert snapshot(dest) == before


def test_timeout_is_offline(server: str, dest: Path) -> None:
    before = snapshot(dest)
    with pytest.raises(OfflineError) as caught:
        fetch(dest, {"eu_fsf.csv": f"{server}/slow/eu_fsf.csv"}, timeout=0.3)
    message = str(caught.value)
    assert message.startswith("could not reach 127.0.0.1: no answer within 0.3 s")
    assert "nothing was changed" in message and "\n" not in message
    assert snapshot(dest) == before


def test_connection_refused_is_offline(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    dest = tmp_path / "new-lists"
    with pytest.raises(OfflineError) as caught:
        fetch(dest, {"sdn.csv": f"http://127.0.0.1:{closed_port}/sdn.csv"}, timeout=2)
    message = str(caught.value)
    assert message.startswith("could not reach 127.0.0.1: connection refused; nothing was "
                              "changed. Copy the files into ")
    assert message.endswith("by hand or retry when online.")
    assert not dest.exists(), "a folder created for the download is removed again"


def test_the_uk_list_is_the_fcdo_uk_sanctions_list_not_the_retired_conlist() -> None:
    uk = {name: url for name, url in OFFICIAL_URLS.items() if "fcdo" in url}
    assert uk == {
        "UK-Sanctions-List.csv": "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv",
        "UK-Sanctions-List.xml": "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
    }
    assert not [url for url in OFFICIAL_URLS.values() if "ofsistorage" in url or "ConList" in url]


def test_fetches_the_fcdo_files_from_their_official_paths(server: str, dest: Path) -> None:
    """The official UK addresses, with the host swapped for the local server."""
    urls = {name: url.replace("https://sanctionslist.fcdo.gov.uk", server)
            for name, url in OFFICIAL_URLS.items() if "fcdo" in url}
    files = fetch(dest, urls)
    assert [path.name for path in files] == ["UK-Sanctions-List.csv", "UK-Sanctions-List.xml"]
    manifest = yaml.safe_load((files[0].parent / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [entry["url"] for entry in manifest["files"]] == [
        f"{server}/docs/UK-Sanctions-List.csv", f"{server}/docs/UK-Sanctions-List.xml"]
    from_csv, from_xml = (read_sanctions_list(path) for path in files)
    assert len(from_csv) == len(from_xml) == 7
    assert from_csv["source"].iloc[0] == "uk_sl_csv:UK-Sanctions-List.csv"
    assert from_xml["source"].iloc[0] == "uk_sl_xml:UK-Sanctions-List.xml"
