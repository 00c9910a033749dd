"""The pieces of the Colab-like run (.ci/colab_like.py), quickly and in this environment.

The run itself needs its own venv with Colab's packages and takes minutes, so CI runs it
separately (`python .ci/colab_like.py`). These tests prove that its parts do what it relies on:
a kernel started its way sees ``google.colab``, the repository URL reaches the local copy of the
code under test, a failing cell fails the run, and a package from anywhere else is noticed.
"""

import importlib.util
import json
import re
import sys

import nbformat
import pytest

from _project import ROOT, pyproject

spec = importlib.util.spec_from_file_location("colab_like", ROOT / ".ci" / "colab_like.py")
colab_like = importlib.util.module_from_spec(spec)
sys.modules["colab_like"] = colab_like  # dataclasses look their module up by name
spec.loader.exec_module(colab_like)

URL = pyproject()["project"]["urls"]["Homepage"]
TAG = "v" + pyproject()["project"]["version"]


def notebook(*sources: str, path) -> object:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


def stdout(path) -> list[str]:
    cells = nbformat.read(path, as_version=4).cells
    return ["".join(o.get("text", "") for o in c.outputs if o.output_type == "stream") for c in cells]


def test_the_requirements_pin_colabs_versions_and_leave_out_torch_and_the_course():
    pins = colab_like.pinned_versions()
    assert pins["ipywidgets"] == "==7.7.1"
    assert pins["ipython"] == "==7.34.0"
    assert pins["ipykernel"].startswith("==6.")
    assert pins["matplotlib"].startswith("~=3.10.")
    assert pins["numpy"].startswith("~=2.1.")
    text = colab_like.REQUIREMENTS.read_text(encoding="utf-8")
    requirement_lines = [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]
    assert not any(line.startswith(("torch", "regcourse")) for line in requirement_lines)
    assert colab_like.TORCH == "torch==2.13.0"
    assert colab_like.repository_url() == URL
    assert colab_like.release_tag() == TAG


@pytest.mark.parametrize(
    "installed, pin, ok",
    [
        ("7.7.1", "==7.7.1", True),
        ("7.7.2", "==7.7.1", False),
        ("3.10.9", "~=3.10.0", True),
        ("3.11.0", "~=3.10.0", False),
        ("2.1.3", "~=2.1.0", True),
        ("2.0.2", "~=2.1.0", False),
    ],
)
def test_version_matches(installed, pin, ok):
    assert colab_like.version_matches(installed, pin) is ok


def test_every_setup_cell_installs_the_release_from_the_repository_url():
    """The released version (the tag of pyproject's version), not main: a learner on Colab gets
    the package the notebook was written for, even after main has moved on."""
    expected = [f'%pip install --quiet "regcourse @ git+{URL}@{TAG}"']
    assert colab_like.setup_install_line(URL, TAG) == expected[0]
    paths = sorted(ROOT.glob("*/[0-9][0-9]_*.ipynb"))  # notebooks/, solutions/, exercises/
    assert paths
    for path in paths:
        assert colab_like.setup_install_lines(path) == expected, path


def test_a_colab_like_kernel_sees_google_colab_and_the_url_leads_to_the_code_under_test(tmp_path):
    commit = colab_like.make_origin(ROOT, tmp_path / "origin", TAG)
    assert (tmp_path / "origin" / "regcourse" / "__init__.py").is_file()
    runtime = colab_like.colab_runtime(tmp_path, URL, tmp_path / "origin")
    cells = ('import sys; print("google.colab" in sys.modules)', f"!git ls-remote {URL} HEAD refs/tags/{TAG}^{{}}")
    for colab in (True, False):
        path = notebook(*cells, path=tmp_path / f"probe_{colab}.ipynb")
        outcome = colab_like.execute(path, tmp_path, colab_like.kernel_environment(runtime, colab=colab), probe=False)
        assert outcome.ok, outcome.problems
        seen, remote = stdout(path)
        assert seen.strip() == str(colab)
        # The URL was rewritten to the local origin, whose release tag is the commit under test.
        assert remote.split() == [commit, "HEAD", commit, f"refs/tags/{TAG}^{{}}"]


def test_a_failing_cell_fails_the_notebook(tmp_path):
    runtime = colab_like.colab_runtime(tmp_path, URL, tmp_path / "origin")
    path = notebook('print("fine")', "1 / 0", 'print("never runs")', path=tmp_path / "failing.ipynb")
    outcome = colab_like.execute(path, tmp_path, colab_like.kernel_environment(runtime), probe=False)
    assert not outcome.ok and "ZeroDivisionError" in outcome.problems[0]
    assert stdout(path) == ["fine\n", "", ""]


def test_a_course_from_anywhere_but_the_setup_cells_install_is_noticed(tmp_path):
    site = tmp_path / "site-packages"
    good = {
        "colab": True,
        "regcourse": str(site / "regcourse" / "__init__.py"),
        "direct_url": {"url": URL, "vcs_info": {"vcs": "git", "commit_id": "abc123", "requested_revision": TAG}},
        "versions": {"ipywidgets": "7.7.1", "numpy": "2.1.3"},
    }
    pins = {"ipywidgets": "==7.7.1", "numpy": "~=2.1.0"}

    def judged(probe, colab=True):
        outcome = colab_like.Outcome("x.ipynb", probe=json.loads(json.dumps(probe)))
        colab_like.judge_probe(outcome, colab=colab, site_packages=site, url=URL, commit="abc123", pins=pins, tag=TAG)
        return outcome.problems

    assert judged(good) == []
    from_main = {"url": URL, "vcs_info": {"vcs": "git", "commit_id": "abc123"}}
    assert "not installed as the release" in judged(dict(good, direct_url=from_main))[0]
    assert "not from" in judged(dict(good, regcourse=str(ROOT / "regcourse" / "__init__.py")))[0]
    assert "not installed from" in judged(dict(good, direct_url={"url": "file:///elsewhere"}))[0]
    assert "was not imported" in judged(dict(good, colab=False))[0]
    assert "not Colab's" in judged(dict(good, versions={"ipywidgets": "8.1.5", "numpy": "2.1.3"}))[0]


def test_the_documents_that_quote_the_setup_cell_quote_the_current_release():
    for path in (ROOT / "CONTRIBUTING.md", ROOT / ".ci" / "colab_like.py"):
        quoted = re.findall(r"git\+https://github\.com/[\w.-]+/[\w.-]+?(@[\w.]+)?\"", path.read_text(encoding="utf-8"))
        quoted = [tag for tag in quoted if tag != "@vX.Y.Z"]  # the placeholder of "Releases"
        assert quoted and set(quoted) == {f"@{TAG}"}, (path.name, quoted)
