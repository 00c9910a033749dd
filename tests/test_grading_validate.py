"""``regcourse validate``: a learner grades their own notebook as the instructor's grader will."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from _project import ROOT

SOLUTION = ROOT / "solutions" / "01_overfitting.ipynb"
EXERCISE = ROOT / "exercises" / "01_overfitting.ipynb"


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "regcourse", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("source, score", [(SOLUTION, "4/4"), (EXERCISE, "0/4")])
def test_validate_prints_the_feedback_the_instructor_gets_and_writes_nothing(tmp_path, source, score):
    shutil.copy(source, tmp_path / "mine.ipynb")
    result = run("validate", "mine.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Score: {score}" in result.stdout
    assert sorted(os.listdir(tmp_path)) == ["mine.ipynb"]  # no gradebook, no feedback folder
    graded = run("grade", "mine.ipynb", "--out", "g.csv", "--feedback", "fb", "--quiet", cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr
    instructor = (tmp_path / "fb" / "mine.txt").read_text(encoding="utf-8")
    assert result.stdout.split("\n✍️ ")[0].split("\nnote: ")[0] == instructor  # the same text, word for word
    assert "✍️ In your own words (2 points): graded by hand by your instructor" in result.stdout


def test_validate_names_what_is_not_attempted(tmp_path):
    shutil.copy(EXERCISE, tmp_path / "mine.ipynb")
    out = run("validate", "mine.ipynb", cwd=tmp_path).stdout
    assert out.count("not attempted") >= 3, out


def test_validate_says_when_this_machine_grades_without_limits(tmp_path):
    shutil.copy(SOLUTION, tmp_path / "mine.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "regcourse", "validate", "mine.ipynb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, REGCOURSE_NO_CGROUPS="1"),
    )
    assert result.returncode == 0 and "Score: 4/4" in result.stdout
    assert "note: no cgroups" in result.stdout and "honest work gets the same grade" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "missing.ipynb"],
        ["validate", "x.ipynb", "--chapter", "42"],
        ["validate", "x.ipynb", "--timeout", "0"],
    ],
)
def test_validate_bad_input_exits_2_with_a_message(tmp_path, args):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.strip(), result
    assert "Traceback" not in result.stderr
