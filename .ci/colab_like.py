#!/usr/bin/env python3
"""Run every lecture and solution notebook the way Google Colab would, and prove it.

    python .ci/colab_like.py            # fresh venv .ci/colab-venv, then every notebook
    python .ci/colab_like.py --reuse    # keep the venv if it is there (quicker, for local runs)
    python .ci/colab_like.py notebooks/02_objective.ipynb   # only these notebooks

Colab differs from a maintainer's machine in two ways:

* **Older packages.** The venv gets Colab's versions of what matters (.ci/colab-requirements.txt:
  ipywidgets 7.7.1, IPython 7.34, ipykernel 6.x, matplotlib 3.10, numpy 2.1), after the local
  CPU build of torch. The course itself is not installed.
* **The setup cell installs the course.** On Colab, ``google.colab`` is imported in every kernel,
  so each notebook's first cell runs
  ``%pip install --quiet "regcourse @ git+https://github.com/regcourse/regcourse@v0.2.0"``: the
  release the notebook belongs to, tag ``v`` + pyproject's version. Here the same line runs
  unchanged: a stub ``google.colab`` package is imported at kernel start (an IPython startup
  file), and a throw-away global git config (GIT_CONFIG_GLOBAL) rewrites that URL
  (``url.<path>.insteadOf``) to a local git repository holding the files of this work tree
  (exactly the commit under test, in a fresh clone), where that commit carries the release's tag.
  So pip really clones, checks out the tag and builds the package, from the code under test, and
  nothing touches the network but the package registry (pip may fetch setuptools for the
  isolated build).

The first notebook starts like a new Colab runtime: the course is uninstalled, and its setup
cell must install it. Running that pip install costs ~20 s, so the other notebooks run with the
course it installed and without google.colab (their setup cells skip the install line, which is
checked to be the same line); ``--every-setup-cell`` gives every notebook a new runtime instead.
Every notebook runs on a copy (nothing in the repository changes), taken from the same snapshot
as the package, in a fresh kernel with REGCOURSE_STRICT=1, so every check in a solution notebook
must pass. A last cell, appended to the copy, reports where ``regcourse`` was imported from and
the versions in use; the run fails unless it is the copy pip installed from the repository URL
at the commit under test, and unless the versions are Colab's.

The script prints one line per notebook and ends with "colab-like: N passed, N failed"; the exit
status is non-zero when any notebook failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / ".ci" / "colab-requirements.txt"
DEFAULT_VENV = ROOT / ".ci" / "colab-venv"
TORCH = "torch==2.13.0"  # the local CPU build; see .ci/run
NOTEBOOK_DIRS = ("notebooks", "solutions")
KERNEL_NAME = "colab-like"
PROBE_TAG = "COLAB-LIKE-PROBE "
# What Colab's kernel has that a plain one does not; the stub only has to be importable.
STUB = '"""Stand-in for Google Colab\'s package: the course only asks whether it is imported."""\n'
PROBE = f"""\
import importlib.metadata as _md, json as _json, sys as _sys
import regcourse as _regcourse
_dist = _md.distribution("regcourse")
print({PROBE_TAG!r} + _json.dumps({{
    "colab": "google.colab" in _sys.modules,
    "executable": _sys.executable,
    "regcourse": _regcourse.__file__,
    "direct_url": _json.loads(_dist.read_text("direct_url.json") or "null"),
    "versions": {{name: _md.version(name) for name in
                 ("ipython", "ipykernel", "ipywidgets", "matplotlib", "numpy", "scikit-learn", "keras")}},
}}))
"""


def log(message: str) -> None:
    print(message, flush=True)


def repository_url() -> str:
    """The Homepage in pyproject.toml: the URL every setup cell installs from."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^Homepage\s*=\s*"([^"]+)"', text, flags=re.MULTILINE)
    if not match:
        raise SystemExit("pyproject.toml has no Homepage URL")
    return match.group(1)


def release_tag() -> str:
    """``v`` + the version in pyproject.toml: the tag every setup cell installs (CONTRIBUTING.md,
    "Releases")."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, flags=re.MULTILINE)
    if not match:
        raise SystemExit("pyproject.toml has no version")
    return f"v{match.group(1)}"


def setup_install_line(url: str, tag: str) -> str:
    """The install line of every notebook's setup cell."""
    return f'%pip install --quiet "regcourse @ git+{url}@{tag}"'


def pinned_versions(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """{'ipywidgets': '==7.7.1', 'numpy': '~=2.1.0', ...}: the lines pinned with == or ~=."""
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(==|~=)\s*([\w.]+)\s*", line.split("#")[0])
        if match:
            pins[match.group(1).lower()] = match.group(2) + match.group(3)
    return pins


def version_matches(installed: str, pin: str) -> bool:
    """'==7.7.1' needs exactly 7.7.1; '~=3.10.0' needs 3.10.x (PEP 440's compatible release)."""
    operator, wanted = pin[:2], pin[2:]
    if operator == "==":
        return installed == wanted
    prefix = wanted.split(".")[:-1]
    return installed.split(".")[: len(prefix)] == prefix and tuple(map(int, installed.split(".")[:3])) >= tuple(
        map(int, wanted.split(".")[:3])
    )


# --- the local "GitHub" and the Colab-like kernel ------------------------------------------------


def quiet_git_env() -> dict[str, str]:
    """git without the user's configuration, with a fixed identity for the one commit it makes."""
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    for who in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{who}_NAME"] = "colab-like"
        env[f"GIT_{who}_EMAIL"] = "colab-like@localhost"
    return env


def make_origin(source: Path, dest: Path, tag: str | None = None) -> str:
    """A git repository at dest holding source's files (tracked and untracked, not ignored), as
    one commit, annotated with ``tag`` (the release the setup cells install) when given; returns
    the commit. In a fresh clone this is exactly the commit under test; in a work tree it includes
    uncommitted changes, which is what a maintainer wants to try."""
    env = quiet_git_env()
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=source,
            env=env,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    dest.mkdir(parents=True)
    for name in filter(None, listed):
        path = source / name
        if path.is_file():  # a tracked file deleted in the work tree is left out
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / name)
    commands = [
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "--all"],
        ["-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", "the code under test"],
    ]
    if tag:
        commands.append(["-c", "tag.gpgsign=false", "tag", "--annotate", "-m", "the code under test", tag])
    for command in commands:
        subprocess.run(["git", *command], cwd=dest, env=env, check=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=dest, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def colab_runtime(workdir: Path, url: str, origin: Path, python: str = sys.executable) -> dict[str, str]:
    """Files that make a kernel Colab-like; returns the environment variables that use them.

    * google/colab/__init__.py (a namespace-package stub on PYTHONPATH) and an IPython startup
      file importing it, so ``"google.colab" in sys.modules`` holds in the kernel, as on Colab;
    * a global git config whose ``url.<origin>.insteadOf = <url>`` sends the setup cell's clone
      of the repository URL to the local origin;
    * a kernel spec for ``python`` under a name of its own, in a folder of its own (no other
      ``python3`` spec on this machine can be picked by mistake): ``KERNEL_DIRS``.
    """
    stub = workdir / "colab-stub" / "google" / "colab"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text(STUB, encoding="utf-8")
    startup = workdir / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-google-colab.py").write_text("import google.colab  # as on Colab\n", encoding="utf-8")
    gitconfig = workdir / "gitconfig"
    gitconfig.write_text(f'[url "{origin}"]\n\tinsteadOf = {url}\n', encoding="utf-8")
    spec = workdir / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [python, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (Colab-like)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    return {
        "PYTHONPATH": str(workdir / "colab-stub"),
        "IPYTHONDIR": str(workdir / "ipython"),
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "KERNEL_DIRS": str(workdir / "kernels"),
    }


def kernel_environment(runtime: dict[str, str], *, colab: bool = True) -> dict[str, str]:
    """This process's environment as Colab would have it: strict checks on, nothing that would
    hide a Colab problem (no Keras or matplotlib backend chosen for the notebook, no check log,
    no path into the repository). Without ``colab``, google.colab is importable but not imported,
    so the setup cell skips its install."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "KERAS_BACKEND",
            "MPLBACKEND",
            "REGCOURSE_CHECK_LOG",
            "PYTHONPATH",
            "PYTHONHOME",
            "IPYTHONDIR",
            "JUPYTER_PATH",
        }
    }
    env.update(runtime)
    if not colab:
        env["IPYTHONDIR"] = str(Path(runtime["IPYTHONDIR"]).with_name("ipython-plain"))
    env["REGCOURSE_STRICT"] = "1"
    return env


def setup_install_lines(notebook: Path) -> list[str]:
    """The ``%pip install`` lines of a notebook's first code cell (its setup cell)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    first = next((c for c in cells if c["cell_type"] == "code"), None)
    source = "".join(first["source"]) if first else ""
    return [line.strip() for line in source.splitlines() if line.strip().startswith("%pip install")]


# --- running one notebook ------------------------------------------------------------------------


@dataclass
class Outcome:
    path: str
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    probe: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def execute(notebook: Path, cwd: Path, env: dict[str, str], *, timeout: int = 600, probe: bool = True) -> Outcome:
    """Execute ``notebook`` (a copy: it is rewritten with its outputs) in a fresh kernel with
    environment ``env`` (which names the kernel spec's folder in KERNEL_DIRS) and working
    directory ``cwd``.

    Any error output fails it (the first one stops execution, as under nbval); with ``probe``, a
    cell appended to the copy reports where regcourse came from and the versions in use."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import (
        CellExecutionError,
        CellTimeoutError,
        DeadKernelError,
    )

    outcome = Outcome(str(notebook))
    nb = nbformat.read(notebook, as_version=4)
    if probe:
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    specs = KernelSpecManager(kernel_dirs=[env["KERNEL_DIRS"]], ensure_native_kernel=False)
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)
    started = time.perf_counter()
    try:
        NotebookClient(nb, km=km, timeout=timeout, allow_errors=False).execute(env=env, cwd=str(cwd), cleanup_kc=True)
    except CellExecutionError as err:
        outcome.problems.append(f"a cell raised {err.ename}: {err.evalue}")
    except (CellTimeoutError, DeadKernelError) as err:
        outcome.problems.append(f"{type(err).__name__}: {err}")
    finally:
        outcome.seconds = time.perf_counter() - started
        nbformat.write(nb, notebook)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and not outcome.problems:
                outcome.problems.append(f"error output {output.get('ename')}: {output.get('evalue')}")
            if output.get("output_type") == "stream" and PROBE_TAG in output.get("text", ""):
                outcome.probe = json.loads(output["text"].split(PROBE_TAG, 1)[1].splitlines()[0])
    if probe and outcome.ok and outcome.probe is None:
        outcome.problems.append("the probe cell printed nothing")
    return outcome


def judge_probe(
    outcome: Outcome,
    *,
    colab: bool,
    site_packages: Path,
    url: str,
    commit: str,
    pins: dict[str, str],
    tag: str | None = None,
) -> None:
    """Add a problem unless the notebook used the package pip installed from the repository URL
    at the commit under test (asked for as ``tag``, when given), in a kernel with Colab's versions
    (and google.colab, if ``colab``)."""
    probe = outcome.probe
    if probe is None:
        return
    if probe["colab"] != colab:
        outcome.problems.append(f"google.colab {'was not' if colab else 'was'} imported in the kernel")
    if not Path(probe["regcourse"]).resolve().is_relative_to(site_packages.resolve()):
        outcome.problems.append(f"regcourse came from {probe['regcourse']}, not from {site_packages}")
    direct = probe["direct_url"] or {}
    if direct.get("url") != url or direct.get("vcs_info", {}).get("commit_id") != commit:
        outcome.problems.append(f"regcourse was not installed from {url} at {commit[:12]}: {direct}")
    elif tag is not None and direct.get("vcs_info", {}).get("requested_revision") != tag:
        outcome.problems.append(f"regcourse was not installed as the release {tag}: {direct}")
    for name, pin in pins.items():
        installed = probe["versions"].get(name)
        if installed is not None and not version_matches(installed, pin):
            outcome.problems.append(f"{name} {installed} is not Colab's {pin}")


# --- the two phases ---------------------------------------------------------------------------------


def notebooks_to_run(names: list[str]) -> list[Path]:
    if names:
        return [Path(name).resolve() for name in names]
    return [path for folder in NOTEBOOK_DIRS for path in sorted((ROOT / folder).glob("*.ipynb"))]


def prepare_venv(venv: Path, reuse: bool) -> Path:
    python = venv / "bin" / "python"
    if not (reuse and python.exists()):
        shutil.rmtree(venv, ignore_errors=True)
        log(f"colab-like: creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, TORCH], check=True)  # first: nothing else may pull in a CUDA build
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    return python


def uninstall_course() -> None:
    """A new Colab runtime: the course is not there until a setup cell installs it."""
    subprocess.run(
        [sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes", "regcourse"], capture_output=True, check=False
    )
    shown = subprocess.run(
        [sys.executable, "-m", "pip", "show", "--quiet", "regcourse"], capture_output=True, check=False
    )
    if shown.returncode == 0:
        raise SystemExit("colab-like: regcourse is still installed in the venv; cannot start a new runtime")


def inside(names: list[str], every_setup_cell: bool, jobs: int) -> int:
    """The run itself, in the Colab-like venv's interpreter."""
    import sysconfig
    from concurrent.futures import ThreadPoolExecutor

    site_packages = Path(sysconfig.get_paths()["purelib"])
    url, tag, pins = repository_url(), release_tag(), pinned_versions()
    paths = notebooks_to_run(names)
    if not paths:
        log("colab-like: no notebooks found")
        return 1
    expected = setup_install_line(url, tag)
    results: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="colab-like-") as tmp:
        work = Path(tmp)
        commit = make_origin(ROOT, work / "origin", tag)
        runtime = colab_runtime(work, url, work / "origin")
        log(
            f"colab-like: {url} -> a local repository of the code under test ({commit[:12]}, tagged {tag}); "
            f"{len(paths)} notebooks"
        )

        def run(path: Path, colab: bool) -> Outcome:
            folder = work / "course" / path.parent.name
            folder.mkdir(parents=True, exist_ok=True)
            copy = folder / path.name
            # The notebook as it is in the local repository pip installs from: the same snapshot
            # of the work tree as the package, even while someone edits the work tree.
            snapshot = work / "origin" / path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            shutil.copy2(snapshot if snapshot.is_file() else path, copy)
            lines = setup_install_lines(copy)
            outcome = execute(copy, folder, kernel_environment(runtime, colab=colab))
            outcome.path = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
            if lines != [expected]:
                outcome.problems.insert(0, f"the setup cell's install line is {lines}, expected [{expected!r}]")
            judge_probe(outcome, colab=colab, site_packages=site_packages, url=url, commit=commit, pins=pins, tag=tag)
            how = "new runtime: its setup cell installs the course" if colab else "the course installed above"
            log(f"  {'ok  ' if outcome.ok else 'FAIL'} {outcome.path}  {outcome.seconds:5.1f} s  ({how})")
            for problem in outcome.problems:
                log(f"       {problem}")
            return outcome

        # The first notebook, or every one with --every-setup-cell, starts in a new Colab runtime
        # and its setup cell must install the course from the repository URL at the release's
        # tag. The others run with that installed copy and without google.colab, so their
        # (identical, checked above) install line is skipped: it costs ~20 s a notebook.
        for path in paths if every_setup_cell else paths[:1]:
            uninstall_course()
            results.append(run(path, colab=True))
        rest = [] if every_setup_cell else paths[1:]
        if results[0].ok:
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                results += list(pool.map(lambda path: run(path, colab=False), rest))
        else:
            log(f"colab-like: the first notebook failed; {len(rest)} not run")
            results += [Outcome(str(path), problems=["not run"]) for path in rest]
        if results[0].probe:
            versions = results[0].probe["versions"]
            log("colab-like: " + ", ".join(f"{name} {version}" for name, version in versions.items()))
    failed = sum(not r.ok for r in results)
    log(f"colab-like: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: notebooks/ and solutions/)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="the Colab-like venv (default %(default)s)")
    parser.add_argument("--reuse", action="store_true", help="keep an existing venv instead of building it afresh")
    parser.add_argument(
        "--every-setup-cell",
        action="store_true",
        help="every notebook in a new runtime whose setup cell installs the course (~20 s more each)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run at once after the first (default 1)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inside:
        return inside(args.notebooks, args.every_setup_cell, args.jobs)
    started = time.perf_counter()
    python = prepare_venv(args.venv.resolve(), args.reuse)
    log(f"colab-like: venv ready in {time.perf_counter() - started:.0f} s")
    options = ["--jobs", str(args.jobs)] + (["--every-setup-cell"] if args.every_setup_cell else [])
    status = subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--inside", *options, *args.notebooks], check=False
    ).returncode
    log(f"colab-like: finished in {time.perf_counter() - started:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
