"""Written answers: read from the notebook as text (never run), listed in a sheet for the
instructor, and the points and comments given there added to the gradebook, the LMS file and the
student's feedback on the next run."""

from __future__ import annotations

import csv
import glob
import os
import subprocess
import sys
import tempfile

import nbformat

from _project import ROOT
from regcourse.exercises._written import PLACEHOLDER, WRITTEN, written_answer
from regcourse.grading._written_sheet import FEEDBACK_MARK

SOLUTION = ROOT / "solutions" / "01_overfitting.ipynb"
EXERCISE = ROOT / "exercises" / "01_overfitting.ipynb"


def with_answer(text: str, base=EXERCISE):
    """``base`` (the exercise, or the solution: all auto-graded answers right) with the written
    question's cell as a learner leaves it after writing ``text``."""
    prompt = next(
        c.source
        for c in nbformat.read(EXERCISE, as_version=4).cells
        if c.cell_type == "markdown" and "(not auto-checked)" in c.source
    )
    notebook = nbformat.read(base, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and "(not auto-checked)" in cell.source:
            cell.source = prompt.replace(PLACEHOLDER, text)
    return notebook


def test_every_chapter_with_a_written_question_has_it_registered_and_found():
    for path in sorted(glob.glob(str(ROOT / "exercises" / "*.ipynb"))):
        notebook = nbformat.read(path, as_version=4)
        chapter = notebook.metadata["regcourse"]["chapter"]
        asks = any(c.cell_type == "markdown" and "(not auto-checked)" in c.source for c in notebook.cells)
        assert asks == (chapter in WRITTEN), path
        if asks:
            assert written_answer(notebook, WRITTEN[chapter]) == "", path  # found, not answered
            solved = nbformat.read(path.replace("exercises", "solutions"), as_version=4)
            assert len(written_answer(solved, WRITTEN[chapter])) > 40, path  # the model answer, markers gone


def test_the_answer_is_the_text_the_student_wrote():
    question = WRITTEN[1]
    assert written_answer(with_answer("Because it was minimised."), question) == "Because it was minimised."
    notebook = nbformat.read(EXERCISE, as_version=4)
    for cell in notebook.cells:  # the whole prompt line replaced
        if "(not auto-checked)" in cell.source:
            cell.source = cell.source.replace("✍️ **Your answer:** " + PLACEHOLDER, "My own line.")
    assert written_answer(notebook, question) == "My own line."
    notebook.cells = [c for c in notebook.cells if "(not auto-checked)" not in c.source]
    assert written_answer(notebook, question) is None  # the cell was deleted


def grade(folder, *args):
    grader_tmp = tempfile.mkdtemp(prefix="rcw-", dir="/tmp")
    try:
        return subprocess.run(
            [sys.executable, "-m", "regcourse", "grade", *map(str, args), "--chapter", "1", "--jobs", "2", "--quiet"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
            env=dict(os.environ, TMPDIR=grader_tmp),
        )
    finally:
        os.rmdir(grader_tmp)


def read(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


MARKER = "WRITTEN-ANSWER-RAN"


def test_the_written_round_trip(tmp_path):
    hostile = f"```python\nopen('{MARKER}', 'w')\n```\n=HYPERLINK(\"x\") <script>alert(1)</script>"
    submissions = tmp_path / "class"
    for student, notebook in (
        ("alice", with_answer("Because the fit made it small.", base=SOLUTION)),
        ("bob", with_answer(hostile)),
        ("carol", nbformat.read(EXERCISE, as_version=4)),
    ):
        (submissions / student).mkdir(parents=True)
        nbformat.write(notebook, submissions / student / "01.ipynb")
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text(
        "Identifier,Full name,Grade,Maximum Grade,Feedback comments\nParticipant 1,Alice,,100.00,\n", encoding="utf-8"
    )
    common = [submissions, "--out", "g.csv", "--feedback", "fb", "--written", "sheet.csv"]

    first = grade(tmp_path, *common)
    assert first.returncode == 0, first.stderr
    sheet = {row["student"]: row for row in read(tmp_path / "sheet.csv")}
    assert sheet["alice"]["answer"] == "Because the fit made it small." and sheet["alice"]["points"] == ""
    assert sheet["bob"]["answer"].startswith("```python") and "<script>" in sheet["bob"]["answer"]
    assert sheet["carol"]["answer"] == "" and sheet["carol"]["max_points"] == "2"
    assert not (tmp_path / MARKER).exists() and not list(tmp_path.rglob(MARKER))  # text, never run
    assert "overfit.written" not in read(tmp_path / "g.csv")[0]  # no points given yet
    assert "written answers: 0 of 3 graded" in first.stdout

    rows = read(tmp_path / "sheet.csv")
    for row in rows:
        row["points"], row["comment"] = {"alice": ("2", "Clear and right."), "bob": ("abc", ""), "carol": ("0", "")}[
            row["student"]
        ]
    with open(tmp_path / "sheet.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    for _ in range(2):  # the second time changes nothing: no duplicated feedback block
        second = grade(tmp_path, *common, "--resume")
        assert second.returncode == 0, second.stderr
    assert "bob, overfit.written: points 'abc' is not a number; not counted" in second.stderr
    book = {row["student"]: row for row in read(tmp_path / "g.csv")}
    assert (book["alice"]["overfit.written"], book["alice"]["total"], book["alice"]["total_max"]) == ("2", "6", "6")
    assert (book["bob"]["overfit.written"], book["bob"]["total"]) == ("", "0")
    assert (book["carol"]["overfit.written"], book["carol"]["total"]) == ("0", "0")
    assert "written answers: 2 of 3 graded" in second.stdout
    feedback = (tmp_path / "fb" / "alice__01.txt").read_text(encoding="utf-8")
    assert feedback.count(FEEDBACK_MARK) == 1 and "Clear and right." in feedback
    assert "Total with written answers: 6/6" in feedback and "Score: 4/4" in feedback

    # a re-submitted answer is not the one graded: its points are cleared, and the command says so
    nbformat.write(with_answer("A different answer.", base=SOLUTION), submissions / "alice" / "01.ipynb")
    third = grade(tmp_path, *common, "--resume")
    assert "alice, overfit.written: the answer changed since it was given points" in third.stderr
    alice = {row["student"]: row for row in read(tmp_path / "sheet.csv")}["alice"]
    assert (alice["answer"], alice["points"]) == ("A different answer.", "")


def test_written_points_reach_the_lms_file(tmp_path):
    download = tmp_path / "download" / "Ann Lee_401_assignsubmission_file_"  # a Moodle download, unpacked
    download.mkdir(parents=True)
    nbformat.write(nbformat.read(SOLUTION, as_version=4), download / "01.ipynb")
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_text(
        "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Feedback comments\n"
        "Participant 401,Ann Lee,ann@example.org,Submitted,,60.00,\n",
        encoding="utf-8",
    )
    common = [
        tmp_path / "download",
        "--out",
        "g.csv",
        "--roster",
        worksheet,
        "--lms-out",
        "up.csv",
        "--written",
        "sheet.csv",
    ]
    assert grade(tmp_path, *common).returncode == 0
    upload = read(tmp_path / "up.csv")[0]
    assert upload["Grade"] == "40"  # 4 of 6 points (the written 2 not given yet), scaled to 60
    rows = read(tmp_path / "sheet.csv")
    rows[0]["points"] = "1"
    with open(tmp_path / "sheet.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert grade(tmp_path, *common, "--resume").returncode == 0
    assert read(tmp_path / "up.csv")[0]["Grade"] == "50"  # 5 of 6
