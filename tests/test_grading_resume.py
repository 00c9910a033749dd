"""``regcourse grade --resume`` keeps every row of the earlier gradebook and grades again the rows
graded with other settings; folders given to ``grade`` are searched for notebooks; ``regcourse
info`` shows the grading set-up.

The grading runs use chapter 01 (the solution scores 4/4, the untouched exercise 0/4), ``--jobs 2``
and a private TMPDIR, as tests/test_grading_robustness.py does.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from _project import ROOT
from regcourse.grading import Graded
from regcourse.grading._cleanup import remove_tree
from regcourse.grading._limits import detect
from regcourse.grading._sandbox import bwrap_works

SOLUTION = ROOT / "solutions" / "01_overfitting.ipynb"
EXERCISE = ROOT / "exercises" / "01_overfitting.ipynb"
KEPT = "[kept from the earlier gradebook]"
REGRADED = "graded by an older grader or with other settings: graded again"
OPTIONS = ["--chapter", "1", "--jobs", "2", "--timeout", "120"]


@pytest.fixture(scope="module")
def grader_tmp():
    folder = Path(tempfile.mkdtemp(prefix="rcg-res-", dir="/tmp"))  # short: see _sandbox.runs_root()
    yield folder
    remove_tree(folder)


def grade(*args, cwd, grader_tmp):
    env = dict(os.environ, TMPDIR=str(grader_tmp))
    return subprocess.run(
        [sys.executable, "-m", "regcourse", "grade", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def line_of(stdout: str, name: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith(f"{name}:"))


@pytest.fixture(scope="module")
def first(tmp_path_factory, grader_tmp):
    """a.ipynb (4/4) and b.ipynb (0/4) graded once; each test resumes from a copy of the gradebook."""
    folder = tmp_path_factory.mktemp("class")
    shutil.copyfile(SOLUTION, folder / "a.ipynb")
    shutil.copyfile(EXERCISE, folder / "b.ipynb")
    result = grade("a.ipynb", "b.ipynb", "--out", "first.csv", *OPTIONS, "--quiet", cwd=folder, grader_tmp=grader_tmp)
    assert result.returncode == 0, result.stderr[-3000:]
    text = (folder / "first.csv").read_text(encoding="utf-8")
    rows = read_rows(folder / "first.csv")
    assert [(r["submission"], r["status"], r["score"]) for r in rows] == [
        ("a.ipynb", "ok", "4"),
        ("b.ipynb", "ok", "0"),
    ]
    return folder, text, rows


def earlier_gradebook(first, tmp_path) -> Path:
    out = tmp_path / "g.csv"
    out.write_text(first[1], encoding="utf-8")
    return out


def test_rows_record_the_settings_they_were_graded_with(first):
    import regcourse

    for row in first[2]:
        assert row["graded_with"] == (
            f"chapter=1;timeout=120;cell_timeout=60;memory_mb=2000;disk_mb=1000;regcourse={regcourse.__version__}"
        )
    assert first[1].splitlines()[0].endswith(",chapter,sha256,reason,graded_with")  # the older columns keep their place


def test_resume_with_only_a_new_file_keeps_every_earlier_row(first, tmp_path, grader_tmp):
    folder, text, _ = first
    out = earlier_gradebook(first, tmp_path)
    shutil.copyfile(SOLUTION, folder / "c.ipynb")
    result = grade("c.ipynb", "--out", str(out), *OPTIONS, "--resume", cwd=folder, grader_tmp=grader_tmp)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == text.splitlines()[:3]  # the header and the rows of a and b, byte for byte
    rows = read_rows(out)
    assert [(r["submission"], r["status"], r["score"]) for r in rows] == [
        ("a.ipynb", "ok", "4"),
        ("b.ipynb", "ok", "0"),
        ("c.ipynb", "ok", "4"),
    ]
    assert rows[2]["graded_with"] == rows[0]["graded_with"]
    assert line_of(result.stdout, "c.ipynb") == "c.ipynb: ok, 4/4"
    assert "a.ipynb" not in result.stdout and "b.ipynb" not in result.stdout  # nothing new to say of them
    assert "warning" not in result.stderr


def test_resume_regrades_rows_graded_with_other_limits_and_keeps_those_with_the_same(first, tmp_path, grader_tmp):
    folder = first[0]
    out = earlier_gradebook(first, tmp_path)
    other = grade(
        "a.ipynb",
        "b.ipynb",
        "--out",
        str(out),
        *OPTIONS,
        "--timeout",
        "200",
        "--resume",
        cwd=folder,
        grader_tmp=grader_tmp,
    )
    assert other.returncode == 0, other.stderr[-3000:]
    for name in ("a.ipynb", "b.ipynb"):
        assert KEPT not in line_of(other.stdout, name)
    assert other.stderr.count(REGRADED) == 1 and f"2 rows were {REGRADED}" in other.stderr
    rows = read_rows(out)
    assert [(r["submission"], r["score"]) for r in rows] == [("a.ipynb", "4"), ("b.ipynb", "0")]
    assert all(";timeout=200;" in r["graded_with"] for r in rows)

    same = grade(
        "a.ipynb",
        "b.ipynb",
        "--out",
        str(out),
        *OPTIONS,
        "--timeout",
        "200",
        "--resume",
        cwd=folder,
        grader_tmp=grader_tmp,
    )
    assert same.returncode == 0, same.stderr[-3000:]
    for name in ("a.ipynb", "b.ipynb"):
        assert line_of(same.stdout, name).endswith(KEPT)
    assert REGRADED not in same.stderr and read_rows(out) == rows

    memory = grade(
        "b.ipynb",
        "--out",
        str(out),
        *OPTIONS,
        "--timeout",
        "200",
        "--memory-mb",
        "1500",
        "--resume",
        cwd=folder,
        grader_tmp=grader_tmp,
    )
    assert memory.returncode == 0, memory.stderr[-3000:]
    assert KEPT not in line_of(memory.stdout, "b.ipynb") and f"1 row was {REGRADED}" in memory.stderr
    final = read_rows(out)
    assert final[0] == rows[0]  # a.ipynb, not given: kept as it was
    assert ";memory_mb=1500;" in final[1]["graded_with"] and final[1]["score"] == "0"


def test_resume_with_another_chapter_regrades(first, tmp_path, grader_tmp):
    folder = first[0]
    out = earlier_gradebook(first, tmp_path)
    result = grade(
        "a.ipynb",
        "--out",
        str(out),
        "--chapter",
        "2",
        "--jobs",
        "2",
        "--timeout",
        "120",
        "--resume",
        cwd=folder,
        grader_tmp=grader_tmp,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert KEPT not in line_of(result.stdout, "a.ipynb") and f"1 row was {REGRADED}" in result.stderr
    rows = read_rows(out)
    assert rows[0]["submission"] == "a.ipynb" and rows[0]["chapter"] == "2"
    assert rows[0]["graded_with"].startswith("chapter=2;")
    assert {k: v for k, v in rows[1].items() if v} == {k: v for k, v in first[2][1].items() if v}  # b: kept


def test_an_older_gradebook_without_graded_with_is_graded_again_and_says_so(first, tmp_path, grader_tmp):
    folder = first[0]
    out = tmp_path / "old.csv"
    with open(out, "w", newline="", encoding="utf-8") as stream:  # as graders before graded_with wrote
        writer = csv.writer(stream)
        writer.writerow(["submission", "status", "score", "max_score", "chapter", "sha256", "reason"])
        for name, score in (("a.ipynb", "4"), ("b.ipynb", "0")):
            digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
            writer.writerow([name, "ok", score, "4", "1", digest, "marked"])
        writer.writerow(["gone.ipynb", "ok", "3", "4", "1", "cc" * 32, "from last year"])
    result = grade("a.ipynb", "b.ipynb", "--out", str(out), *OPTIONS, "--resume", cwd=folder, grader_tmp=grader_tmp)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count(REGRADED) == 1 and f"2 rows were {REGRADED}" in result.stderr
    assert KEPT not in result.stdout and "gone.ipynb" not in result.stdout
    rows = read_rows(out)
    assert [(r["submission"], r["score"], r["reason"]) for r in rows] == [
        ("a.ipynb", "4", ""),
        ("b.ipynb", "0", ""),
        ("gone.ipynb", "3", "from last year"),
    ]
    assert rows[0]["graded_with"].startswith("chapter=1;") and rows[2]["graded_with"] == ""


def test_a_folder_is_searched_for_notebooks_once_each(tmp_path, grader_tmp):
    submissions, outside = tmp_path / "submissions", tmp_path / "outside"
    (submissions / "alice").mkdir(parents=True)
    (submissions / "bob" / "deep").mkdir(parents=True)
    (submissions / "alice" / ".ipynb_checkpoints").mkdir()
    outside.mkdir()
    shutil.copyfile(SOLUTION, submissions / "alice" / "01.ipynb")
    shutil.copyfile(EXERCISE, submissions / "bob" / "deep" / "01.ipynb")
    shutil.copyfile(SOLUTION, submissions / "top.ipynb")
    shutil.copyfile(SOLUTION, submissions / "alice" / ".ipynb_checkpoints" / "01-checkpoint.ipynb")
    shutil.copyfile(SOLUTION, outside / "stranger.ipynb")
    (submissions / "elsewhere").symlink_to(outside, target_is_directory=True)
    (submissions / "link.ipynb").symlink_to(outside / "stranger.ipynb")
    (submissions / "notes.txt").write_text("not a notebook")
    os.mkfifo(submissions / "pipe.ipynb")
    out = tmp_path / "g.csv"
    result = grade(
        "submissions",
        "submissions/top.ipynb",
        "--out",
        str(out),
        *OPTIONS,
        "--quiet",
        cwd=tmp_path,
        grader_tmp=grader_tmp,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = read_rows(out)
    assert [(r["submission"], r["score"]) for r in rows] == [
        ("submissions/alice/01.ipynb", "4"),
        ("submissions/bob/deep/01.ipynb", "0"),
        ("submissions/top.ipynb", "4"),
    ]


def test_a_folder_without_a_notebook_is_an_error_naming_it(tmp_path):
    empty, checkpoints_only = tmp_path / "empty-class", tmp_path / "only-checkpoints"
    empty.mkdir()
    (checkpoints_only / ".ipynb_checkpoints").mkdir(parents=True)
    shutil.copyfile(SOLUTION, checkpoints_only / ".ipynb_checkpoints" / "01-checkpoint.ipynb")
    (checkpoints_only / "notes.txt").write_text("")
    shutil.copyfile(SOLUTION, tmp_path / "fine.ipynb")
    for folder in (empty, checkpoints_only):
        out = tmp_path / "g.csv"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "regcourse",
                "grade",
                str(tmp_path / "fine.ipynb"),
                str(folder),
                "--out",
                str(out),
                "--feedback",
                str(tmp_path / "fb"),
                "--chapter",
                "1",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (
            result.returncode == 2
            and f"error: nothing to grade: {folder}: a folder with no notebook in it" in result.stderr
        )
        assert not out.exists() and not (tmp_path / "fb").exists()


def test_a_stopped_resume_loses_no_earlier_row():
    from regcourse.grading import resumed_gradebook

    earlier = [
        {"submission": name, "status": "ok", "score": "1", "max_score": "4", "sha256": "aa" * 32}
        for name in ("'=x.ipynb", "b.ipynb", "c.ipynb")
    ]
    new = Graded("b.ipynb", "ok", sha256="bb" * 32)
    d = Graded("d.ipynb", "ok", sha256="dd" * 32)
    names = ["b.ipynb", "=x.ipynb", "d.ipynb"]  # =x.ipynb is written '=x.ipynb in a gradebook
    # only d finished: b and =x keep their earlier rows until their new rows are final
    rows = resumed_gradebook(earlier, names, {2: d})
    assert [g.resumed_row for g in rows[:3]] == earlier and rows[3] is d
    rows = resumed_gradebook(earlier, names, {0: new, 2: d})
    assert rows[0].resumed_row is earlier[0] and rows[1] is new and rows[2].resumed_row is earlier[2] and rows[3] is d


# --- regcourse info -----------------------------------------------------------------------------------


def info(env=None):
    return subprocess.run(
        [sys.executable, "-m", "regcourse", "info"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300
    )


def value(stdout: str, name: str) -> str:
    line = next(line for line in stdout.splitlines() if line.split() and line.split()[0] == name)
    return line.split(None, 1)[1].strip() if name != "--sandbox" else line.split(None, 2)[2].strip()


def test_info_shows_the_grading_tools_and_set_up():
    problem = bwrap_works()
    if problem is not None and os.environ.get("REGCOURSE_REQUIRE_BWRAP") != "1":
        pytest.skip(problem)
    result = info()
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("jupyterlab", "ipykernel", "nbclient", "nbformat", "jupyter_client", "psutil"):
        assert value(result.stdout, name), name  # a version, or "missing"
    for name in ("ipykernel", "nbclient", "nbformat", "jupyter_client", "psutil"):
        assert value(result.stdout, name)[0].isdigit(), result.stdout
    assert "\ngrading:\n" in result.stdout
    assert value(result.stdout, "bubblewrap") == "works here"
    assert value(result.stdout, "limits") == detect().summary
    assert value(result.stdout, "--sandbox") == "bwrap"


def test_info_without_bubblewrap_says_why_and_still_succeeds(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # an empty folder: no bwrap
    result = info(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert value(result.stdout, "bubblewrap") == "does not work here: bubblewrap (bwrap) is not installed"
    assert value(result.stdout, "--sandbox").startswith("none: kernels would run unsandboxed")


def test_info_says_what_is_missing_for_grading_without_failing(monkeypatch, capsys):
    from importlib import metadata

    from regcourse import cli

    real_version = metadata.version

    def version(name):
        if name in ("nbclient", "jupyterlab"):
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(metadata, "version", version)
    monkeypatch.setattr(cli, "_library_report", lambda: [("numpy", "2.0")])  # (no torch import here)
    assert cli.cmd_info(None) == 0
    out = capsys.readouterr().out
    assert value(out, "nbclient") == "missing" and value(out, "jupyterlab") == "missing"
    assert 'Missing for grading: nbclient; install them with: python -m pip install -e ".[grade]"' in out
    monkeypatch.setattr(cli, "_library_report", lambda: [("numpy", "missing (ImportError: x)")])
    assert cli.cmd_info(None) == 1  # a missing course library still fails, as before
