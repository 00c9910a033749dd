"""Binder builds the course from environment.yml, then runs postBuild; the README's badge opens it.

tests/test_packaging.py checks that environment.yml lists pyproject's packages with the same
bounds and that postBuild's one command is ``python -m pip install --no-deps -e .``. Here:
that command really installs the package into an environment that has the dependencies (as
Binder's has, from environment.yml), and the badge opens JupyterLab at the first lecture.
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from _project import ROOT, pyproject
from test_packaging import course_packages, environment_packages

# Import names of the course's packages, where they differ from the distribution's name.
MODULES = {"scikit-learn": "sklearn"}


def repository() -> str:
    homepage = pyproject()["project"]["urls"]["Homepage"]
    return re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)", homepage).group(1)


def first_lecture() -> str:
    return min((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")).name


def test_environment_yml_has_what_post_build_and_the_badge_need():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "\n  - pip\n" in text  # postBuild runs `python -m pip`
    assert "jupyterlab" in environment_packages()  # the badge opens JupyterLab (urlpath=lab/...)
    python = re.search(r"\n  - python=(\d+)\.(\d+)\n", text)
    lowest = re.fullmatch(r">=(\d+)\.(\d+)", pyproject()["project"]["requires-python"])
    assert tuple(map(int, python.groups())) >= tuple(map(int, lowest.groups()))


def test_the_readme_badges_open_the_first_lecture_of_this_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lecture = f"notebooks/{first_lecture()}"
    binder = f"https://mybinder.org/v2/gh/{repository()}/main?urlpath=lab/tree/{lecture}"
    colab = f"https://colab.research.google.com/github/{repository()}/blob/main/{lecture}"
    assert f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder})" in readme
    assert f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})" in readme


def test_post_build_installs_the_package_into_an_environment_that_has_the_dependencies(tmp_path):
    # The repository as Binder checks it out (only what the build reads) ...
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "postBuild"):
        shutil.copy2(ROOT / name, repo / name)
    shutil.copytree(ROOT / "regcourse", repo / "regcourse", ignore=shutil.ignore_patterns("__pycache__"))
    # ... and an environment with the dependencies but not the course: a venv that sees this
    # interpreter's site-packages through a .pth file (plain paths: the .pth files there, such
    # as an editable install of regcourse, are not run).
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    outer = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(site) / "course_dependencies.pth").write_text("\n".join(outer) + "\n", encoding="utf-8")
    probe = (
        "import importlib.util, sys; names = sys.argv[1:]; "
        "print(' '.join(n for n in names if importlib.util.find_spec(n) is None))"
    )
    modules = [MODULES.get(name, name) for name in course_packages() if name != "jupyterlab"] + ["regcourse"]
    missing = subprocess.run(
        [str(python), "-c", probe, *modules], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.split()
    assert missing == ["regcourse"], f"the environment should have every dependency and not the course: {missing}"

    env = dict(os.environ, PATH=f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}", VIRTUAL_ENV=str(env_dir))
    env.pop("PYTHONPATH", None)
    build = subprocess.run(["bash", "postBuild"], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stdout + build.stderr

    where = subprocess.run(
        [str(python), "-c", "import regcourse; print(regcourse.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).resolve() == (repo / "regcourse" / "__init__.py").resolve()  # editable, from the checkout
    version = subprocess.run(
        [str(env_dir / "bin" / "regcourse"), "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == f"regcourse {pyproject()['project']['version']}"
