"""JupyterLab in headless Chromium, driven by Playwright: the helpers of tests/test_browser.py.

The server runs on a temporary copy of the course (JupyterLab autosaves: the repository's own
notebooks are never opened), on a loopback port with a random token, with its own settings,
workspaces and runtime folders, and is torn down with every kernel it started. Chromium is
Debian's (Playwright's own browser download does not work on the project's machines); set
REGCOURSE_CHROMIUM to use another binary.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _project import ROOT

# Headless Chromium on a machine with no network but the loopback: without the
# background-networking flags it keeps trying (and failing) to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STDERR = "application/vnd.jupyter.stderr"  # how JupyterLab renders tracebacks and stderr alike


def chromium_path() -> str | None:
    """REGCOURSE_CHROMIUM, else Debian's chromium on PATH."""
    if os.environ.get("REGCOURSE_CHROMIUM"):
        return os.environ["REGCOURSE_CHROMIUM"]
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot_dir() -> Path:
    """REGCOURSE_SCREENSHOTS, else build/screenshots/ (git-ignored)."""
    folder = Path(os.environ.get("REGCOURSE_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyterlab_missing() -> str | None:
    """Why this interpreter cannot serve JupyterLab, or None when it can.

    The server always comes from the running interpreter's own ``jupyterlab`` package (never a
    ``jupyter-lab`` found on PATH, which may belong to another Python)."""
    if importlib.util.find_spec("jupyterlab") is None:
        return (
            f"JupyterLab is not installed in this Python ({sys.executable}): "
            'python -m pip install -e ".[browser]" (the browser extra brings JupyterLab and Playwright)'
        )
    return None


class JupyterLab:
    """``python -m jupyterlab`` (this interpreter's own) on 127.0.0.1 serving a temporary copy
    of the course."""

    def __init__(self, folders=("notebooks", "exercises", "solutions")):
        self.tmp = Path(tempfile.mkdtemp(prefix="regcourse-lab-"))
        self.root = self.tmp / "course"
        for folder in folders:
            shutil.copytree(ROOT / folder, self.root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        self.token = secrets.token_hex(16)
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log = self.tmp / "jupyterlab.log"

    def environment(self) -> dict[str, str]:
        """A learner's kernel: no strict checks, check log or backends chosen by the test run;
        no user configuration; this interpreter first on PATH (ipykernel's kernel spec says
        only ``python``)."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key
            not in {
                "REGCOURSE_STRICT",
                "REGCOURSE_CHECK_LOG",
                "MPLBACKEND",
                "KERAS_BACKEND",
                "JUPYTER_PATH",
                "IPYTHONDIR",
            }
        }
        for name in (
            "JUPYTER_CONFIG_DIR",
            "JUPYTER_RUNTIME_DIR",
            "JUPYTERLAB_SETTINGS_DIR",
            "JUPYTERLAB_WORKSPACES_DIR",
            "IPYTHONDIR",
        ):
            env[name] = str(self.tmp / name.lower())
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        return env

    def command(self) -> list[str]:
        """The server's command line: this interpreter's JupyterLab, on the current port."""
        return [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run commands, read models
        ]

    def start(self, timeout: float = 90.0) -> None:
        # No "get Jupyter news?" toast over the screenshots, and no request to a news feed.
        settings = self.tmp / "jupyterlab_settings_dir" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8"
        )
        for _ in range(3):  # a port taken between free_port() and the server's bind: try another
            self.port = free_port()
            command = self.command()
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(
                    command,
                    cwd=self.root,
                    env=self.environment(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                if self.status() is not None:
                    return
                time.sleep(0.25)
            self.stop()
        raise RuntimeError(f"JupyterLab did not start; its log:\n{self.log.read_text(errors='replace')[-3000:]}")

    def status(self) -> dict | None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/status", headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return json.load(response)
        except OSError:
            return None

    def url(self, path: str) -> str:
        """The page of one notebook, in a fresh workspace (``reset``: nothing restored)."""
        return f"http://127.0.0.1:{self.port}/lab/tree/{path}?reset&token={self.token}"

    def stop(self) -> None:
        """Stop the server and every kernel it started, even the ones in sessions of their own."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            import psutil
        except ImportError:  # without psutil, kernels still stop with the server (it shuts them down)
            psutil = None
        descendants = []
        if psutil is not None:
            try:
                descendants = psutil.Process(process.pid).children(recursive=True)
            except psutil.Error:  # the server already gone
                pass
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if process.poll() is not None:
                break
            try:
                os.killpg(process.pid, sig)  # the server's own process group (start_new_session)
            except ProcessLookupError:
                break
            try:
                process.wait(wait)
            except subprocess.TimeoutExpired:
                pass
        for child in descendants:  # kernels start in sessions of their own
            try:
                child.kill()
            except psutil.Error:  # already gone, as it should be
                pass

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- driving a notebook page -----------------------------------------------------------------------

# The notebook panel of PATH among JupyterLab's main-area widgets, or null. Synchronous on
# purpose: page.wait_for_function takes a Promise for a truthy answer, so predicates must not be async.
_PANEL_OF = """
function panelOf(path) {
  if (!window.jupyterapp) return null;
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path && widget.content) return widget;
  }
  return null;
}
"""


def _script(params: str, body: str, *, asynchronous: bool = True) -> str:
    """A function for page.evaluate or page.wait_for_function, with panelOf() in scope."""
    return f"{'async ' if asynchronous else ''}({params}) => {{{_PANEL_OF}{body}}}"


def open_notebook(page, lab: JupyterLab, path: str, timeout: float = 120.0) -> None:
    """Open ``path`` (relative to the course root) and wait until its kernel is ready and idle."""
    page.goto(lab.url(path))
    page.wait_for_function(
        _script("path", "return panelOf(path) !== null;", asynchronous=False),
        arg=path,
        timeout=timeout * 1000,
        polling=250,
    )
    page.evaluate(
        _script(
            "path",
            """
      const panel = panelOf(path);
      await panel.context.ready;
      await panel.sessionContext.ready;
      window.jupyterapp.shell.activateById(panel.id);
    """,
        ),
        path,
    )
    wait_until_idle(page, path, timeout)


def wait_until_idle(page, path: str, timeout: float = 300.0) -> None:
    """Until the kernel is idle and no cell shows the [*] of a pending execution."""
    page.wait_for_function(
        _script(
            "path",
            """
      const panel = panelOf(path);
      const session = panel && panel.sessionContext.session;
      if (!session || !session.kernel || session.kernel.status !== 'idle') return false;
      const prompts = [...panel.content.node.querySelectorAll('.jp-InputArea-prompt')];
      return !prompts.some(prompt => prompt.textContent.includes('*'));
    """,
            asynchronous=False,
        ),
        arg=path,
        timeout=timeout * 1000,
        polling=250,
    )


def run_all(page, path: str, timeout: float = 300.0) -> None:
    """Run all cells, as Run ▸ Run All Cells does, and wait until the kernel is done.

    Execution stops at the first cell that raises, as in JupyterLab itself."""
    page.evaluate(
        _script(
            "path",
            """
      const panel = panelOf(path);
      window.jupyterapp.shell.activateById(panel.id);
      window.__regcourseRunAllDone = false;
      window.jupyterapp.commands.execute('notebook:run-all-cells')
        .finally(() => { window.__regcourseRunAllDone = true; });
    """,
        ),
        path,
    )
    # The command settles when the last cell has run (or one raised); then the kernel goes idle.
    page.wait_for_function("() => window.__regcourseRunAllDone === true", timeout=timeout * 1000, polling=250)
    wait_until_idle(page, path, timeout)


def problems(page, path: str) -> dict[str, list[dict]]:
    """What a learner would see as an error, read twice.

    ``saved``: error outputs and stderr streams in the notebook's model (what would be saved);
    ``rendered``: output areas JupyterLab rendered as stderr (tracebacks and stderr look alike,
    with mime type application/vnd.jupyter.stderr), including those inside widgets."""
    return page.evaluate(
        _script(
            "[path, stderr]",
            """
      const panel = panelOf(path);
      const saved = [], rendered = [];
      panel.content.widgets.forEach((cell, index) => {
        if (cell.model.type !== 'code') return;
        for (const output of cell.model.outputs.toJSON()) {
          if (output.output_type === 'error') {
            saved.push({cell: index, kind: 'error', text: output.ename + ': ' + output.evalue});
          } else if (output.output_type === 'stream' && output.name === 'stderr') {
            saved.push({cell: index, kind: 'stderr', text: [].concat(output.text).join('')});
          }
        }
        for (const node of cell.node.querySelectorAll(`.jp-OutputArea-output[data-mime-type="${stderr}"]`)) {
          rendered.push({cell: index, text: node.innerText});
        }
      });
      return {saved, rendered};
    """,
        ),
        [path, STDERR],
    )


def cell_locator(page, path: str, index: int):
    """The DOM node of cell ``index`` of the open notebook ``path``."""
    page.evaluate(
        _script(
            "[path, index]",
            """
      const panel = panelOf(path);
      panel.content.widgets[index].node.setAttribute('data-regcourse-cell', String(index));
    """,
        ),
        [path, index],
    )
    return page.locator(f'[data-regcourse-cell="{index}"]')


def html_outputs(page, path: str, index: int) -> list[str]:
    """The text of the HTML outputs JupyterLab rendered for cell ``index``."""
    return (
        cell_locator(page, path, index).locator('.jp-OutputArea-output[data-mime-type="text/html"]').all_inner_texts()
    )
