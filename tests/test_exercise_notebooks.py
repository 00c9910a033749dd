"""The exercise notebooks end to end, through the command line an instructor uses.

Solutions get full marks and exercises zero; exercise notebooks run from top to bottom with
every check "not attempted" and no check passing; adversarial submissions get the right status.
"""

import csv
import re
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from _project import ROOT
from regcourse.exercises import chapter_exercises, get
from regcourse.grading import Graded, _feedback_names, write_gradebook

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
STATUS_ICONS = {"✅": "passed", "❌": "failed", "📝": "not_attempted", "⚠️": "missing"}


def regcourse(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "regcourse", *args], cwd=cwd, capture_output=True, text=True)


def read_gradebook(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return {row["submission"]: row for row in csv.DictReader(stream)}


def feedback_statuses(path):
    """exercise id -> status, read from a feedback file as a student would see it."""
    statuses = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(✅|❌|📝|⚠️) (\S+) — ", line)
        if match:
            statuses[match.group(2)] = STATUS_ICONS[match.group(1)]
    return statuses


def test_there_are_solution_notebooks_and_each_has_its_exercise_notebook():
    assert [p.name for p in SOLUTIONS] == [p.name for p in EXERCISES] and len(SOLUTIONS) >= 2


def test_exercises_are_in_sync_with_solutions():
    result = regcourse("build-exercises", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.name)
def test_exercise_notebooks_keep_their_untouched_outputs_and_no_markers_or_solution_code(path):
    """Saved as a learner first sees them: every cell run, every check 📝, none ✅ or ❌, no error.

    nbval then re-runs them (outside strict mode) and compares these outputs."""
    exercise = nbformat.read(path, as_version=4)
    solution = nbformat.read(ROOT / "solutions" / path.name, as_version=4)
    text = path.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    chapter = exercise.metadata["regcourse"]["chapter"]
    shown = []
    for cell in exercise.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None, (
                "exercises/ must be saved executed: run `regcourse build-exercises`"
            )
            assert all(o.output_type != "error" and o.get("name") != "stderr" for o in cell.outputs)
            shown += [o.data["text/plain"] for o in cell.outputs if "text/plain" in o.get("data", {})]
    statuses = [line[:2].strip() for line in shown if line[:1] in "✅❌📝"]
    assert statuses.count("📝") == len(chapter_exercises(chapter)) and "✅" not in statuses and "❌" not in statuses
    for cell in solution.cells:  # no line of a solution region survives
        if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
            region = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            for line in filter(None, (part.strip() for part in region.splitlines())):
                assert line not in text, line


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_multiple_choice_options_shown_match_the_registry(path):
    notebook = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    chapter = notebook.metadata["regcourse"]["chapter"]
    for ex in chapter_exercises(chapter):
        if ex.kind == "choice":
            for letter, text in ex.checker.options.items():
                assert f"**{letter})** {text}" in markdown, (ex.id, letter)


def test_grading_gives_solutions_full_marks_and_untouched_exercises_zero(tmp_path):
    out, feedback = tmp_path / "gradebook.csv", tmp_path / "feedback"
    names = [f"solutions/{p.name}" for p in SOLUTIONS] + [f"exercises/{p.name}" for p in EXERCISES]
    result = regcourse("grade", *names, "--out", str(out), "--feedback", str(feedback), "--jobs", "2", "--quiet")
    assert result.returncode == 0, result.stderr
    rows = read_gradebook(out)
    assert list(rows) == names
    header = next(csv.reader(out.open(encoding="utf-8")))
    assert header[:6] == ["submission", "student", "roster", "status", "score", "max_score"]
    assert header[-4:] == ["chapter", "sha256", "reason", "graded_with"]
    for path in SOLUTIONS:
        solution, exercise = rows[f"solutions/{path.name}"], rows[f"exercises/{path.name}"]
        chapter = nbformat.read(path, as_version=4).metadata["regcourse"]["chapter"]
        total = sum(ex.points for ex in chapter_exercises(chapter))
        assert (solution["status"], int(solution["score"]), int(solution["max_score"])) == ("ok", total, total)
        assert (exercise["status"], int(exercise["score"]), int(exercise["max_score"])) == ("ok", 0, total)
        for ex in chapter_exercises(chapter):
            assert int(solution[ex.id]) == ex.points and int(exercise[ex.id]) == 0
        # Every check ran in both; all pass in the solution, none in the untouched exercise.
        solved = feedback_statuses(feedback / f"solutions__{path.stem}.txt")
        untouched = feedback_statuses(feedback / f"exercises__{path.stem}.txt")
        ids = {ex.id for ex in chapter_exercises(chapter)}
        assert solved == dict.fromkeys(ids, "passed")
        assert untouched == dict.fromkeys(ids, "not_attempted")


def make_submission(folder, name, cell_source=None, before="def l1_penalty", drop_metadata=False):
    """Chapter 04's solution with one extra cell, inserted before the first cell containing
    ``before`` (None: at the end)."""
    notebook = nbformat.read(ROOT / "solutions" / "04_l1_lasso.ipynb", as_version=4)
    if cell_source is not None:
        at = (
            len(notebook.cells)
            if before is None
            else next(i for i, cell in enumerate(notebook.cells) if before in cell.source)
        )
        notebook.cells.insert(at, new_code_cell(cell_source))
    if drop_metadata:
        notebook.metadata.pop("regcourse")
    nbformat.write(notebook, folder / name)


def test_adversarial_submissions_each_get_a_row_with_the_right_status(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    make_submission(folder, "endless_loop.ipynb", "while True:\n    pass")
    make_submission(folder, "kernel_exits.ipynb", "import os\nos._exit(3)")
    make_submission(folder, "raises_outside_check.ipynb", "undefined_name + 1", before=None)
    make_submission(folder, "prints_megabytes.ipynb", "for _ in range(100):\n    print('x' * 500_000)")
    make_submission(folder, "memory_hog.ipynb", "import numpy as np\nhog = np.ones(250_000_000)")
    make_submission(
        folder,
        "raises_inside_check.ipynb",
        "def soft_threshold(w, t):\n    raise ValueError('not today')",
        before='check("l1.soft_threshold"',
    )
    make_submission(folder, "metadata_removed.ipynb", drop_metadata=True)
    (folder / "empty.ipynb").write_text("")
    (folder / "corrupt.ipynb").write_text('{"cells": [ not json')
    (folder / "not_a_notebook.ipynb").write_text('{"hello": "world"}')

    out, feedback = tmp_path / "gradebook.csv", tmp_path / "feedback"
    submissions = sorted(str(p) for p in folder.glob("*.ipynb"))
    result = regcourse(
        "grade",
        *submissions,
        "--out",
        str(out),
        "--feedback",
        str(feedback),
        "--timeout",
        "30",
        "--memory-mb",
        "800",
        "--jobs",
        "2",
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    rows = {name.rsplit("/", 1)[-1]: row for name, row in read_gradebook(out).items()}
    full = sum(ex.points for ex in chapter_exercises(4))
    expected = {
        "endless_loop.ipynb": ("timeout", "within 30 s"),
        "kernel_exits.ipynb": ("error", "kernel died"),
        "raises_outside_check.ipynb": ("error", "NameError"),
        "prints_megabytes.ipynb": ("ok", ""),
        "memory_hog.ipynb": ("error", "memory limit of 800 MB"),
        "raises_inside_check.ipynb": ("ok", ""),
        "metadata_removed.ipynb": ("ok", ""),
        "empty.ipynb": ("invalid", "empty"),
        "corrupt.ipynb": ("invalid", "not a readable notebook"),
        "not_a_notebook.ipynb": ("invalid", "not a readable notebook"),
    }
    assert set(rows) == set(expected)
    for name, (status, reason) in expected.items():
        row = rows[name]
        assert row["status"] == status and reason in row["reason"], (name, row)
        assert int(row["max_score"]) == full, (name, row)  # every row is scored on the whole chapter
        assert (feedback / name.replace(".ipynb", ".txt")).exists()
    # Answers defined before a crash still count; a dead kernel has no answers to read.
    assert int(rows["raises_outside_check.ipynb"]["score"]) == full
    assert int(rows["prints_megabytes.ipynb"]["score"]) == full
    assert int(rows["metadata_removed.ipynb"]["score"]) == full
    assert int(rows["raises_inside_check.ipynb"]["score"]) == full - get("l1.soft_threshold").points
    assert int(rows["endless_loop.ipynb"]["score"]) == 0
    statuses = feedback_statuses(feedback / "kernel_exits.txt")
    assert set(statuses.values()) == {"missing"} and len(statuses) == len(chapter_exercises(4))
    assert (feedback / "kernel_exits.txt").read_text(encoding="utf-8").count("kernel died") == 1
    hint = (feedback / "raises_inside_check.txt").read_text(encoding="utf-8")
    assert "your code raised ValueError: not today" in hint


def test_feedback_files_get_distinct_names_for_same_named_submissions(tmp_path):
    grades = [Graded(str(tmp_path / who / "04_l1_lasso.ipynb"), "ok") for who in ("alice", "bob")]
    grades.append(Graded(str(tmp_path / "alice" / "04_l1_lasso.ipynb"), "ok"))
    assert _feedback_names(grades) == ["alice__04_l1_lasso.txt", "bob__04_l1_lasso.txt", "alice__04_l1_lasso-2.txt"]


def test_the_gradebook_is_replaced_atomically(tmp_path, monkeypatch):
    out = tmp_path / "gradebook.csv"
    out.write_text("the previous gradebook\n")

    class Exploding:
        def __init__(self, *args, **kwargs):
            pass

        def writerow(self, row):
            raise OSError("disk full")

    monkeypatch.setattr("regcourse.grading._gradebook.csv.writer", Exploding)
    with pytest.raises(OSError):
        write_gradebook([Graded("a.ipynb", "ok")], out)
    assert out.read_text() == "the previous gradebook\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]  # no temporary file left behind
    monkeypatch.undo()
    write_gradebook([Graded("a.ipynb", "ok")], out)
    assert out.read_text().startswith("submission,student,roster,status,score,max_score")


def test_the_grader_times_each_code_cell(tmp_path):
    from regcourse.grading import grade_submission

    notebook = nbformat.v4.new_notebook(
        cells=[
            new_code_cell("import time\ntime.sleep(0.6)"),
            nbformat.v4.new_markdown_cell("text"),
            new_code_cell("x = 1"),
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "timed.ipynb"
    nbformat.write(notebook, path)
    graded = grade_submission(path, timeout=60)
    assert graded.status == "ok", graded.reason
    assert set(graded.cell_seconds) == {1, 3}
    assert graded.slowest_cell[0] == 1 and 0.55 <= graded.slowest_cell[1] < 10
    assert graded.cell_seconds[3] < graded.cell_seconds[1]


@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_the_folder_readme_names_the_chapters_the_folder_has(folder):
    """Its "one per chapter (01–NN)" must follow the chapters: it said 01–09 after 10 and 11 came."""
    chapters = sorted(int(path.name[:2]) for path in (ROOT / folder).glob("[0-9][0-9]_*.ipynb"))
    assert chapters == list(range(chapters[0], chapters[-1] + 1))  # no gap for the range to hide
    text = (ROOT / folder / "README.md").read_text(encoding="utf-8")
    ranges = re.findall(r"\b(\d\d)[–-](\d\d)\b", text)
    assert ranges == [(f"{chapters[0]:02d}", f"{chapters[-1]:02d}")], ranges
