"""What .ci/run and the browser tests need comes from the project's own install, never from the
machine: the browser extra brings JupyterLab, .ci/run installs that extra before the browser
tests, and the test server is this interpreter's own JupyterLab (not a ``jupyter-lab`` on PATH)."""

from __future__ import annotations

import re
import sys

from _browser import JupyterLab, jupyterlab_missing
from _project import ROOT, pyproject

CI_RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def extra(name: str) -> set[str]:
    project = pyproject()["project"]
    return {re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].lower() for spec in project["optional-dependencies"][name]}


def test_browser_extra_brings_jupyterlab_and_playwright():
    assert {"jupyterlab", "playwright"} <= extra("browser")


def test_ci_installs_the_browser_extra_before_the_browser_tests():
    lines = [line.strip() for line in CI_RUN.splitlines() if not line.lstrip().startswith("#")]
    install = next(
        i for i, line in enumerate(lines) if re.search(r'pip install .*-e "\.\[[^"]*\bbrowser\b[^"]*\]"', line)
    )
    browser_tests = next(i for i, line in enumerate(lines) if "pytest -m browser" in line)
    assert install < browser_tests


def test_ci_uses_its_own_venv_without_system_site_packages():
    assert re.search(r"^python3 -m venv \.ci/venv$", CI_RUN, flags=re.MULTILINE)
    assert "--system-site-packages" not in CI_RUN


def test_server_is_this_interpreters_jupyterlab():
    server = JupyterLab(folders=())
    try:
        command = server.command()
    finally:
        server.cleanup()
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert not any(part in {"jupyter", "jupyter-lab"} for part in command)


def test_missing_jupyterlab_names_the_extra(monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *args: None if name == "jupyterlab" else real_find_spec(name, *args)
    )
    reason = jupyterlab_missing()
    assert reason is not None and ".[browser]" in reason and sys.executable in reason
