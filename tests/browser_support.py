"""Helpers for the end-to-end browser test: Debian's Chromium, a throwaway JupyterLab, and
a Playwright driver that runs a notebook through the JupyterLab UI and reads back what it shows.

Nothing here touches the user's Jupyter settings or the stored notebooks: JupyterLab runs on a
copy of the notebooks with its config, data, runtime, settings and workspace folders all
inside a temporary folder, and the test never saves a notebook.

Run as a script to refresh the README screenshot (docs/img/jupyterlab.png)::

    .venv/bin/python tests/browser_support.py
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

REPO_DIR = Path(__file__).resolve().parent.parent
SCREENSHOT_DIR = REPO_DIR / "test-output" / "screenshots"

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
# Chromium must not reach out to Google: with the network closed, background requests get
# refused and can stall the browser. QUIC is off for the same reason.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}

SERVER_START_TIMEOUT = 90  # seconds until JupyterLab answers /api/status
KERNEL_READY_TIMEOUT = 120  # seconds until a freshly opened notebook's kernel is idle
RUN_ALL_TIMEOUT = 420  # seconds for one notebook's Run All (the first one builds the data)

# JupyterLab user settings that keep the UI quiet and offline, the notebooks unsaved, and
# every cell in the DOM (no virtual scrolling) so the checks below see all of them.
LAB_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


# --- Chromium -------------------------------------------------------------------------------


def find_chromium() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return next((path for path in CHROMIUM_CANDIDATES if os.access(path, os.X_OK)), None)


def install_chromium() -> tuple[str | None, str]:
    """Install Debian's ``chromium`` with apt-get (as ``make chromium`` does).

    Returns the browser's path, or None and the reason it could not be installed.
    """
    if shutil.which("apt-get") is None:
        return None, "chromium is missing and apt-get is not available to install it"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return None, "chromium is missing; install it with `sudo make chromium`"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "chromium", "fonts-dejavu-core"]):
        try:
            result = subprocess.run(command, env=env, capture_output=True, text=True,
                                    timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            return None, f"`{' '.join(command)}` failed: {error}"
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            return None, f"`{' '.join(command)}` failed: {' / '.join(tail)}"
    path = find_chromium()
    return (path, "") if path else (None, "apt-get installed chromium but it is not on PATH")


# --- JupyterLab -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class JupyterLab:
    """A JupyterLab server on 127.0.0.1 with a random port and token, isolated in ``home``."""

    root_dir: Path
    home: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.home / "jupyterlab.log"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def _environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("JUPYTER", "JPY_")) and key not in {
                   "MPLBACKEND", "PYTHONSTARTUP", "IPYTHONDIR"}}
        folders = {
            "JUPYTER_CONFIG_DIR": self.home / "config",
            "JUPYTER_DATA_DIR": self.home / "data",
            "JUPYTER_RUNTIME_DIR": self.home / "runtime",
            "JUPYTERLAB_SETTINGS_DIR": self.home / "config" / "lab" / "user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": self.home / "config" / "lab" / "workspaces",
            "IPYTHONDIR": self.home / "ipython",
        }
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        env.update({key: str(folder) for key, folder in folders.items()})
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env.update(self.extra_env)
        return env

    def _write_settings(self, settings_dir: Path) -> None:
        for plugin, values in LAB_USER_SETTINGS.items():
            path = settings_dir / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "jupyter", "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            # Offline and quiet: no news feed, no update check, no PyPI extension manager.
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            # window.jupyterapp lets the test read cell outputs' types (error or stream).
            "--LabApp.expose_app_in_browser=True",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ]

    def start(self, attempts: int = 3) -> None:
        env = self._environment()
        self._write_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
        for _attempt in range(attempts):
            self.port = free_port()
            log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    self.command(), cwd=self.root_dir, env=env, stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_ready():
                return
            self.stop()
            with self.log_path.open("rb") as log:
                log.seek(log_start)
                if b"already in use" not in log.read():
                    break  # not a port taken meanwhile: another port will not help
        raise RuntimeError(f"JupyterLab did not start; log tail:\n{self.log_tail()}")

    def api(self, path: str, method: str = "GET", timeout: float = 10) -> object:
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method,
            headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
        return json.loads(body) if body else None

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                self.api("/api/status", timeout=2)
                return True
            except (OSError, urllib.error.URLError, ValueError):
                time.sleep(0.3)
        return False

    def shutdown_kernels(self) -> None:
        """End every session, so one notebook's kernel does not slow down the next."""
        try:
            for session in self.api("/api/sessions"):
                self.api(f"/api/sessions/{session['id']}", method="DELETE", timeout=30)
        except (OSError, urllib.error.URLError, ValueError):
            pass

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        # A polite shutdown stops the kernels too (they run in their own process groups).
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)

    def notebook_url(self, name: str) -> str:
        """The notebook opened in a workspace of its own, reset on load, so that no other
        notebook remembered in a workspace gets reopened alongside it."""
        workspace = "test-" + re.sub(r"[^A-Za-z0-9_-]", "-", Path(name).stem)
        return (f"{self.base_url}/lab/workspaces/{workspace}/tree/{quote(name)}"
                f"?reset&token={self.token}")


# --- Driving a notebook through the UI ------------------------------------------------------

# Reads what the open notebook shows. The DOM gives what a reader sees (prompts, rendered
# outputs, images); JupyterLab's own model (window.jupyterapp, exposed by the server flag)
# tells an error output from a warning printed to stderr, which render identically.
NOTEBOOK_STATE_JS = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel');
  const dialogs = [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText.trim());
  if (!panel) return {ready: false, dialogs};
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const app = window.jupyterapp;
  const widget = app ? [...app.shell.widgets('main')].find(w => w.node === panel) : undefined;
  const models = widget && widget.content.model ? [...widget.content.model.cells] : null;
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')]
    .map((node, index) => {
      const code = node.classList.contains('jp-CodeCell');
      const model = models ? models[index] : undefined;
      const outputs = [...node.querySelectorAll('.jp-OutputArea-output')];
      return {
        index,
        code,
        prompt: code ? (node.querySelector('.jp-InputArea-prompt')?.textContent ?? '').trim() : '',
        empty: code && (model ? model.sharedModel.getSource()
                              : node.querySelector('.cm-content')?.innerText ?? '').trim() === '',
        mimeTypes: outputs.map(o => o.dataset.mimeType || ''),
        stderr: outputs.filter(o => o.dataset.mimeType === 'application/vnd.jupyter.stderr')
          .map(o => o.innerText),
        images: [...node.querySelectorAll('.jp-OutputArea-output img')]
          .map(img => ({loaded: img.complete && img.naturalWidth > 0,
                        width: img.naturalWidth, height: img.naturalHeight})),
        errors: code && model ? model.outputs.toJSON()
          .filter(o => o.output_type === 'error').map(o => `${o.ename}: ${o.evalue}`) : [],
        warnings: code && model ? model.outputs.toJSON()
          .filter(o => o.output_type === 'stream' && o.name === 'stderr')
          .map(o => [].concat(o.text).join('')) : [],
        overflow: outputs.filter(o => o.scrollWidth > o.clientWidth + 1)
          .map(o => `${o.scrollWidth} px in ${o.clientWidth} px`),
      };
    });
  const kernel = widget ? widget.sessionContext.session?.kernel : null;
  return {
    ready: true,
    loaded: Boolean(widget && widget.context.isReady && !panel.querySelector('.jp-Spinner')),
    connection: kernel ? kernel.connectionStatus : null,
    kernel: indicator ? indicator.dataset.status : null,
    appExposed: Boolean(widget),
    modelCells: models ? models.length : null,
    cells,
    dialogs,
  };
}
"""

# How an error (not a warning) looks on screen: an IPython traceback, or the "Cell In[n],
# line m" header IPython prints above a SyntaxError.
TRACEBACK_TEXT = re.compile(r"Traceback \(most recent call last\)|^\s*Cell In\[\d+\], line \d+",
                            re.MULTILINE)
EXECUTED_PROMPT = re.compile(r"^\[\d+\]:$")


@dataclass
class CellView:
    index: int
    prompt: str
    empty: bool
    mime_types: list[str]
    stderr: list[str]
    images: list[dict]
    errors: list[str]
    warnings: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)

    @property
    def executed(self) -> bool:
        return bool(EXECUTED_PROMPT.match(self.prompt))

    @property
    def tracebacks(self) -> list[str]:
        return [text for text in self.stderr if TRACEBACK_TEXT.search(text)]


@dataclass
class NotebookView:
    """What the notebook showed once Run All finished."""

    name: str
    kernel: str | None
    code_cells: list[CellView]
    model_cells: int | None
    dom_cells: int
    app_exposed: bool
    dialogs: list[str]
    page_errors: list[str]
    seconds: float
    screenshot: Path | None = None

    @classmethod
    def from_state(cls, name: str, state: dict, **extra) -> NotebookView:
        cells = [CellView(index=c["index"], prompt=c["prompt"], empty=c["empty"],
                          mime_types=c["mimeTypes"], stderr=c["stderr"], images=c["images"],
                          errors=c["errors"], warnings=c.get("warnings", []),
                          overflow=c.get("overflow", []))
                 for c in state.get("cells", []) if c["code"]]
        return cls(name=name, kernel=state.get("kernel"), code_cells=cells,
                   model_cells=state.get("modelCells"), dom_cells=len(state.get("cells", [])),
                   app_exposed=bool(state.get("appExposed")),
                   dialogs=extra.pop("dialogs", state.get("dialogs", [])), **extra)

    def unfinished(self) -> list[CellView]:
        return [cell for cell in self.code_cells if not cell.empty and not cell.executed]

    def errors(self) -> list[str]:
        found = []
        for cell in self.code_cells:
            shown = cell.errors or [text.strip().splitlines()[-1] for text in cell.tracebacks]
            found += [f"cell {cell.index} {cell.prompt.rstrip(':')}: {error}" for error in shown]
        return found

    def figures(self) -> list[dict]:
        return [image for cell in self.code_cells for image in cell.images]

    def problems(self) -> list[str]:
        """Everything that keeps this run from counting as a clean run, in reading order."""
        found = []
        if not self.app_exposed:
            found.append("cannot read the notebook model in the page (window.jupyterapp)")
        if not self.code_cells:
            found.append("no code cells shown")
        if self.dom_cells != self.model_cells:
            found.append(f"{self.dom_cells} of {self.model_cells} cells rendered")
        found += [f"error shown: {error}" for error in self.errors()]
        unfinished = [f"cell {cell.index} {cell.prompt.rstrip(':')}" for cell in self.unfinished()]
        if unfinished:
            found.append(f"cells did not finish: {', '.join(unfinished)}")
        for cell in self.code_cells:
            where = f"cell {cell.index} {cell.prompt.rstrip(':')}"
            found += [f"{where} printed a warning: {text.strip().splitlines()[0]}"
                      for text in cell.warnings]
            found += [f"{where} is wider than the pane ({width})" for width in cell.overflow]
        figures = self.figures()
        if not figures:
            found.append("no figure shown")
        elif not all(image["loaded"] for image in figures):
            found.append("a figure did not render")
        found += [f"JupyterLab showed a dialog: {text!r}" for text in self.dialogs]
        return found

    def summary(self) -> str:
        prompts = " ".join(cell.prompt or "?" for cell in self.code_cells)
        lines = [f"{self.name}: kernel {self.kernel}, {self.seconds:.0f}s, prompts {prompts}"]
        lines += [f"dialog: {text!r}" for text in self.dialogs]
        lines += [f"page error: {text}" for text in self.page_errors[:5]]
        if self.screenshot:
            lines.append(f"screenshot: {self.screenshot}")
        return "\n".join(lines)


class NotebookDriver:
    """Opens one notebook in a fresh page, runs all cells from the Run menu, waits, reads."""

    def __init__(self, page, lab: JupyterLab, name: str):
        self.page = page
        self.lab = lab
        self.name = name
        self.page_errors: list[str] = []
        self.dialogs_seen: list[str] = []
        self.notes: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def state(self) -> dict:
        from playwright.sync_api import Error as PlaywrightError

        try:
            return self.page.evaluate(NOTEBOOK_STATE_JS)
        except PlaywrightError as error:
            if "context was destroyed" in str(error) or "navigat" in str(error):
                return {}  # JupyterLab is (re)loading the page: ask again on the next poll
            raise

    def _handle_dialogs(self, state: dict) -> None:
        """Answer JupyterLab's modal dialogs: the kernel choice gets the default (Python 3);
        any other dialog is closed and remembered, and fails the test."""
        texts = state.get("dialogs", [])
        dialog = self.page.locator(".jp-Dialog").first
        if not texts or not dialog.is_visible():
            return
        text = texts[0]
        if text.startswith("Select Kernel"):
            dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
            if text not in self.notes:
                self.notes.append(text)
            return
        if text not in self.dialogs_seen:
            self.dialogs_seen.append(text)
        self.page.keyboard.press("Escape")

    def _wait(self, done, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        state: dict = {}
        while time.monotonic() < deadline:
            state = self.state()
            self._handle_dialogs(state)
            if done(state):
                return state
            if self.lab.process is None or self.lab.process.poll() is not None:
                raise AssertionError(f"{self.name}: JupyterLab exited while {what}:\n"
                                     f"{self.lab.log_tail()}")
            self.page.wait_for_timeout(500)
        view = NotebookView.from_state(self.name, state, page_errors=self.page_errors,
                                       dialogs=self.dialogs_seen, seconds=timeout)
        raise AssertionError(f"{self.name}: timed out after {timeout:.0f}s {what}\n"
                             f"{view.summary()}\nserver log:\n{self.lab.log_tail(20)}")

    def open(self) -> None:
        self.page.goto(self.lab.notebook_url(self.name), wait_until="domcontentloaded")

        def kernel_ready(state: dict) -> bool:
            # The document is loaded (all cells rendered) and its kernel connected and idle.
            return (state.get("loaded") and state.get("connection") == "connected"
                    and state.get("kernel") == "idle" and bool(state.get("cells"))
                    and len(state["cells"]) == state.get("modelCells"))

        self._wait(kernel_ready, KERNEL_READY_TIMEOUT, "waiting for the kernel to be idle")

    def _click_run_all(self) -> None:
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    def run_all(self, attempts: int = 3) -> NotebookView:
        started = time.monotonic()

        def running(state: dict) -> bool:
            return state.get("kernel") != "idle" or any(
                c["code"] and c["prompt"] != "[ ]:" for c in state.get("cells", []))

        # Run > Run All Cells; should a click land before JupyterLab is listening, try again.
        for attempt in range(attempts):
            self._click_run_all()
            try:
                self._wait(running, 15, "waiting for Run All to start")
                break
            except AssertionError:
                if attempt == attempts - 1:
                    raise
        settled: list[bool] = []

        def finished(state: dict) -> bool:
            cells = [c for c in state.get("cells", []) if c["code"] and not c["empty"]]
            # Done when nothing is queued or running, the kernel is idle, and at least one
            # cell ran (a cell that raises stops Run All: the cells after it stay "[ ]").
            quiet = (state.get("kernel") == "idle"
                     and not any(c["prompt"] == "[*]:" for c in cells)
                     and any(EXECUTED_PROMPT.match(c["prompt"]) for c in cells))
            settled.append(quiet)
            return len(settled) >= 3 and all(settled[-3:])

        state = self._wait(finished, RUN_ALL_TIMEOUT, "waiting for Run All to finish")
        self._wait_for_images()
        state = self.state()
        return NotebookView.from_state(self.name, state, page_errors=self.page_errors,
                                       dialogs=self.dialogs_seen,
                                       seconds=time.monotonic() - started)

    def _wait_for_images(self, timeout: float = 15) -> None:
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-OutputArea-output img')]"
            ".every(img => img.complete)", timeout=timeout * 1000)

    def outputs(self) -> list[dict]:
        """Every output shown, in order: its MIME type and the text a reader sees."""
        return self.page.evaluate(OUTPUT_TEXTS_JS)

    def screenshot_of(self, text: str, path: Path) -> Path:
        """The page with the first output showing ``text`` at the top of the view."""
        self.page.locator(".jp-OutputArea-output", has_text=text).first.evaluate(
            "node => node.scrollIntoView({block: 'start'})")
        self.page.mouse.move(0, VIEWPORT["height"] - 1)
        self.page.wait_for_timeout(300)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=path)
        return path

    def screenshot_of_widest_table(self, path: Path) -> Path | None:
        """The page with the widest table (``analysis.show``) at the top, or None if none."""
        found = self.page.evaluate("""() => {
          const tables = [...document.querySelectorAll('.jp-NotebookPanel table')];
          if (!tables.length) return false;
          tables.sort((a, b) => b.offsetWidth - a.offsetWidth);
          tables[0].closest('.jp-Cell').scrollIntoView({block: 'start'});
          return true;
        }""")
        if not found:
            return None
        self.page.mouse.move(0, VIEWPORT["height"] - 1)
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=path)
        return path

    def screenshot(self, path: Path) -> Path:
        """The page with the first figure in view, under its section heading when it fits."""
        self.page.evaluate(SCROLL_TO_FIRST_FIGURE_JS)
        self.page.mouse.move(0, VIEWPORT["height"] - 1)
        self.page.wait_for_timeout(300)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=path)
        return path


OPEN_IN_EDITOR_JS = """
async (path) => {
  await window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Editor'});
}
"""

# Selects ``old`` in the open file editor (JupyterLab's CodeMirror), so typing replaces it.
SELECT_IN_EDITOR_JS = """
([path, old]) => {
  const widget = [...window.jupyterapp.shell.widgets('main')]
    .find(w => w.context && w.context.path === path && w.content && w.content.editor);
  const editor = widget && widget.content.editor;
  if (!editor) return 'no file editor is open';
  const at = editor.model.sharedModel.getSource().indexOf(old);
  if (at < 0) return `not in the file: ${old}`;
  editor.setSelection({start: editor.getPositionAt(at),
                       end: editor.getPositionAt(at + old.length)});
  editor.revealSelection(editor.getSelection());
  editor.focus();
  return '';
}
"""


class FileEditorDriver:
    """Edits a text file as an analyst does: opened in JupyterLab's editor from the file
    browser's "Open With > Editor", a value selected, the new one typed, saved with Ctrl+S."""

    def __init__(self, page, lab: JupyterLab, path: str):
        self.page, self.lab, self.path = page, lab, path

    def open(self) -> None:
        self.page.goto(f"{self.lab.base_url}/lab/workspaces/edit?reset&token={self.lab.token}",
                       wait_until="domcontentloaded")
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started",
                                    timeout=KERNEL_READY_TIMEOUT * 1000)
        self.page.evaluate("() => window.jupyterapp.started")
        self.page.evaluate(OPEN_IN_EDITOR_JS, self.path)
        self.content = self.page.locator(".jp-FileEditor .cm-content").first
        self.content.wait_for(timeout=30_000)

    def replace(self, old: str, new: str) -> None:
        self.content.click()
        problem = self.page.evaluate(SELECT_IN_EDITOR_JS, [self.path, old])
        if problem:
            raise AssertionError(f"{self.path}: {problem}")
        self.page.keyboard.insert_text(new)

    def save(self, on_disk: Path, expected: str, timeout: float = 15) -> None:
        """Ctrl+S, then wait until the file on disk holds ``expected``."""
        self.page.keyboard.press("Control+s")
        deadline = time.monotonic() + timeout
        while expected not in on_disk.read_text(encoding="utf-8", errors="replace"):
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.path}: the edit was not saved")
            self.page.wait_for_timeout(200)


OUTPUT_TEXTS_JS = """
() => [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output')]
  .map(o => ({mime: o.dataset.mimeType || '', text: o.innerText}))
"""


SCROLL_TO_FIRST_FIGURE_JS = """
() => {
  const img = document.querySelector('.jp-NotebookPanel .jp-OutputArea-output img');
  if (!img) return;
  const before = img.closest('.jp-Cell')?.previousElementSibling;
  if (before) before.scrollIntoView({block: 'start'});
  const footer = document.querySelector('#jp-main-statusbar')?.getBoundingClientRect().top
    ?? window.innerHeight;
  if (!before || img.getBoundingClientRect().bottom > footer - 8) {
    img.scrollIntoView({block: 'center'});
  }
}
"""


def launch_chromium(playwright, executable: str):
    return playwright.chromium.launch(executable_path=executable, headless=True,
                                      args=CHROMIUM_ARGS)


def main() -> None:
    """Refresh docs/img/jupyterlab.png: notebook 01 run in JupyterLab, its first chart in view."""
    import tempfile

    from playwright.sync_api import sync_playwright

    target = REPO_DIR / "docs" / "img" / "jupyterlab.png"
    executable = find_chromium() or sys.exit("chromium is missing: run `make chromium`")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        shutil.copytree(REPO_DIR / "notebooks", base / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        shutil.copytree(REPO_DIR / "data" / "raw", base / "data" / "raw",
                        ignore=shutil.ignore_patterns("lists"))
        lab = JupyterLab(root_dir=base / "notebooks", home=base / "home", extra_env={
            "ANALYSIS_DATA_DIR": str(base / "data"),
            "ANALYSIS_FIGURES_DIR": str(base / "figures")})
        lab.start()
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright, executable)
                page = browser.new_page(viewport=VIEWPORT)
                name = sorted(p.name for p in (base / "notebooks").glob("01_*.ipynb"))[0]
                driver = NotebookDriver(page, lab, name)
                driver.open()
                view = driver.run_all()
                if view.problems():
                    sys.exit("\n".join([*view.problems(), view.summary()]))
                driver.screenshot(target)
                browser.close()
        finally:
            lab.stop()
    print(f"wrote {target.relative_to(REPO_DIR)}")


if __name__ == "__main__":
    main()
