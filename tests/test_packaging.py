"""The project's set-up files agree with each other.

pyproject.toml is the source of truth for the packages the course needs; environment.yml
(conda and Binder) must list the same ones with the same lower bounds, the test tools of the
dev extra included; postBuild installs
only the package itself; the console script and `python -m regcourse` both work.
"""

import os
import re
import subprocess
import sys

from _project import ROOT, pyproject

# conda-forge names that differ from the PyPI names.
CONDA_TO_PYPI = {"pytorch-cpu": "torch"}
NOT_COURSE_PACKAGES = {"python", "pip"}


def parse_requirement(text: str) -> tuple[str, str]:
    """'numpy>=1.24' -> ('numpy', '>=1.24'); an environment marker after ';' is ignored."""
    text = text.split(";")[0]
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*((?:[<>=!~]=?|===?)\s*[^,;\s]+)?\s*", text)
    assert match, f"cannot read requirement {text!r}"
    return match.group(1).lower(), (match.group(2) or "").replace(" ", "")


def environment_packages() -> dict[str, str]:
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("dependencies:")
    packages = {}
    for line in lines[start + 1 :]:
        if line.startswith("  #"):
            continue
        if not line.startswith("  - "):
            break
        spec = line[4:].strip()
        if spec.startswith("python="):
            continue
        name, bound = parse_requirement(spec)
        if name in NOT_COURSE_PACKAGES:
            continue
        packages[CONDA_TO_PYPI.get(name, name)] = bound
    return packages


def course_packages() -> dict[str, str]:
    """Runtime dependencies plus the lab extra: what a learner's environment needs."""
    project = pyproject()["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["lab"]
    return dict(parse_requirement(spec) for spec in specs)


# The dev extra's packages that environment.yml leaves out, and why (its comment says so too).
NOT_IN_ENVIRONMENT = {
    "tomli": "needed only on Python < 3.11; the environment has Python 3.12",
    "python-glmnet": "conda-forge's glmnet has no build for Python 3.12; the glmnet tests skip without it",
    "ruff": "a maintainer's lint tool (.ci/run, pre-commit); neither the course nor its tests use it",
    "pre-commit": "runs ruff before a maintainer's commit; neither the course nor its tests use it",
}


def dev_packages() -> dict[str, str]:
    """The dev extra: what the README's test command `python -m pytest` needs."""
    specs = pyproject()["project"]["optional-dependencies"]["dev"]
    return {name: bound for name, bound in map(parse_requirement, specs) if name not in NOT_IN_ENVIRONMENT}


def test_environment_yml_and_pyproject_need_the_same_packages_with_the_same_bounds():
    assert environment_packages() == {**course_packages(), **dev_packages()}


def test_a_conda_user_gets_the_test_tools_and_the_exceptions_are_real():
    """`conda env create -f environment.yml` must give what `python -m pytest` needs."""
    environment = environment_packages()
    assert {"pytest", "nbval", "hypothesis", "nbclient", "nbformat", "ipykernel", "psutil"} <= set(environment)
    dev = {parse_requirement(spec)[0] for spec in pyproject()["project"]["optional-dependencies"]["dev"]}
    assert set(NOT_IN_ENVIRONMENT) <= dev and not set(NOT_IN_ENVIRONMENT) & set(environment)
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert all(name in text for name in NOT_IN_ENVIRONMENT)  # the file's comment names each exception


def test_environment_uses_conda_forge_python_312_and_cpu_torch():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"channels:\n  - conda-forge\n", text)
    assert "  - python=3.12\n" in text
    assert "pytorch-cpu" in text and "\n  - pytorch>" not in text and "\n  - torch" not in text


# The one exact pin: the formatter CI checks the code against (``ruff format --check``). Another ruff
# version may format unchanged code differently and fail CI; it is a maintainer's tool in the dev
# extra, never installed for learners, and pinned to the pre-commit hook's version (test_repository).
EXACT_PINS = {"ruff"}


def test_dependencies_are_lower_bounds_only_and_torch_stays_unpinned():
    project = pyproject()["project"]
    every = project["dependencies"] + [s for extra in project["optional-dependencies"].values() for s in extra]
    for spec in every:
        name, bound = parse_requirement(spec)
        if name in EXACT_PINS:
            assert spec in project["optional-dependencies"]["dev"] and bound.startswith("=="), spec
            continue
        assert bound.startswith(">="), f"{spec}: use a lower bound, not an exact or upper pin"
    bounds = course_packages()
    assert bounds["torch"] == ">=2.1"
    assert bounds["ipywidgets"] == ">=7.7"  # Google Colab still ships ipywidgets 7.7.1
    assert bounds["keras"] == ">=3.0"
    assert project["requires-python"] == ">=3.10"
    assert set(project["optional-dependencies"]) >= {"lab", "dev"}
    assert {"pytest", "nbval", "hypothesis", "nbclient", "nbformat", "ipykernel"} <= {
        parse_requirement(s)[0] for s in project["optional-dependencies"]["dev"]
    }


def test_post_build_is_executable_and_installs_only_the_package():
    post_build = ROOT / "postBuild"
    assert os.access(post_build, os.X_OK)
    commands = [
        line.strip()
        for line in post_build.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith("set ")
    ]
    assert commands == ["python -m pip install --no-deps -e ."]


def test_ci_run_is_executable():
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_console_script_is_declared_and_python_dash_m_works():
    assert pyproject()["project"]["scripts"]["regcourse"] == "regcourse.cli:main"
    out = subprocess.run([sys.executable, "-m", "regcourse", "--version"], capture_output=True, text=True, check=True)
    import regcourse

    assert out.stdout.strip() == f"regcourse {regcourse.__version__}"
    assert pyproject()["project"]["version"] == regcourse.__version__


def test_info_lists_every_course_library_with_a_version():
    out = subprocess.run([sys.executable, "-m", "regcourse", "info"], capture_output=True, text=True, check=True)
    for name in course_packages():
        if name == "jupyterlab":
            continue
        line = next((row for row in out.stdout.splitlines() if row.split() and row.split()[0] == name), None)
        assert line is not None and "missing" not in line, out.stdout
