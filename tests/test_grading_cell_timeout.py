"""A cell that runs too long costs that cell, not the notebook (``--cell-timeout``).

Chapter-01 submissions (the solution is 4/4: ``overfit.mse`` 2 points, ``overfit.definition`` and
``overfit.symptom`` 1 each) with slow cells inserted, graded through the command line in batches
(``--jobs 2 --cell-timeout 3``). A cell past the limit is interrupted and the next cells run: the
row is ``error``, names the cell, and scores what the same notebook scores when that cell raises.
A cell that will not stop when interrupted ends the run early (``timeout``, 0 points) without
touching its classmates; a notebook whose cells are each under the limit but together pass
``--timeout`` is stopped as before (``timeout``, 0 points).

The bubblewrap batch is skipped where bubblewrap does not work unless REGCOURSE_REQUIRE_BWRAP=1
(``.ci/run`` sets it), which turns that into a failure.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from _project import ROOT
from regcourse.grading._sandbox import bwrap_works

SOLUTION = ROOT / "solutions" / "01_overfitting.ipynb"
FULL = 4
LOOP = "while True:\n    pass"
STUBBORN = "import time\nwhile True:\n    try:\n        time.sleep(1)\n    except KeyboardInterrupt:\n        pass"
# Solution cells (from 1): 4 defines mse, 7 answer_definition, 9 answer_symptom. A cell inserted
# at position 5 (0-based) becomes cell 6: after the first answer, before the later ones.
MIDDLE = 5
APPENDED = len(nbformat.read(SOLUTION, as_version=4).cells) + 1  # 14

needs_bwrap = pytest.mark.skipif(
    bwrap_works() is not None and os.environ.get("REGCOURSE_REQUIRE_BWRAP") != "1",
    reason=f"bubblewrap does not work here ({bwrap_works()})",
)


def solution_with(*, append=(), insert=None):
    notebook = nbformat.read(SOLUTION, as_version=4)
    if insert is not None:
        notebook.cells.insert(MIDDLE, new_code_cell(insert))
    for source in append:
        notebook.cells.append(new_code_cell(source))
    return notebook


def grade(tmp_path, notebooks: dict, *options):
    """Grade the notebooks with the command line; (rows by name, feedback texts by name, seconds, result)."""
    folder, feedback, out = tmp_path / "submissions", tmp_path / "feedback", tmp_path / "gradebook.csv"
    folder.mkdir()
    paths = []
    for name, notebook in notebooks.items():
        nbformat.write(notebook, folder / f"{name}.ipynb")
        paths.append(str(folder / f"{name}.ipynb"))
    grader_tmp = tempfile.mkdtemp(prefix="rcg-cell-", dir="/tmp")  # short: the kernels' sockets live there
    try:
        started = time.monotonic()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "regcourse",
                "grade",
                *paths,
                "--out",
                str(out),
                "--feedback",
                str(feedback),
                "--chapter",
                "1",
                "--quiet",
                *options,
            ],
            cwd=ROOT,
            env=dict(os.environ, TMPDIR=grader_tmp),
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
    finally:
        shutil.rmtree(grader_tmp, ignore_errors=True)
    assert result.returncode == 0, result.stderr
    with open(out, newline="", encoding="utf-8") as stream:
        rows = {row["submission"].rsplit("/", 1)[-1].removesuffix(".ipynb"): row for row in csv.DictReader(stream)}
    texts = {name: (feedback / f"{name}.txt").read_text(encoding="utf-8") for name in notebooks}
    assert set(rows) == set(notebooks)
    return rows, texts, seconds, result


EXERCISES = ("overfit.mse", "overfit.definition", "overfit.symptom")


def points(row) -> dict:
    return {exercise: row[exercise] for exercise in (*EXERCISES, "score", "max_score")}


# --- one batch in bubblewrap ---------------------------------------------------------------------------

CELL_OPTIONS = ("--jobs", "2", "--cell-timeout", "3", "--timeout", "120")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if bwrap_works() is not None:
        pytest.fail(f"REGCOURSE_REQUIRE_BWRAP=1 but {bwrap_works()}")
    partial = solution_with(append=["answer_definition = 'a'"])  # mse and symptom right: 3/4
    notebooks = {
        "loop_at_end": solution_with(append=[LOOP]),
        "loop_in_middle": solution_with(insert=LOOP),
        "raise_in_middle": solution_with(insert="raise RuntimeError('stopped here')"),
        "four_loops": solution_with(append=[LOOP] * 4),
        "stubborn": solution_with(insert=STUBBORN),
        "honest_solution": solution_with(),
        "honest_partial": partial,
    }
    return grade(tmp_path_factory.mktemp("cells"), notebooks, "--sandbox", "bwrap", *CELL_OPTIONS)


@needs_bwrap
def test_a_loop_at_the_end_keeps_every_point_and_names_its_cell(batch):
    rows, texts, seconds, _ = batch
    row = rows["loop_at_end"]
    assert (row["status"], row["score"], row["max_score"]) == ("error", str(FULL), str(FULL))
    reason = f"cell {APPENDED} ran for more than 3 s and was interrupted"
    assert row["reason"] == reason
    assert reason in texts["loop_at_end"] and "Score: 4/4" in texts["loop_at_end"]
    # Without interrupting, the loop alone would hold its job for the whole --timeout (120 s).
    assert seconds < 90, seconds


@needs_bwrap
def test_a_loop_in_the_middle_is_graded_as_a_cell_that_raised(batch):
    rows, _, _, _ = batch
    looped, raised = rows["loop_in_middle"], rows["raise_in_middle"]
    assert looped["status"] == raised["status"] == "error"
    assert points(looped) == points(raised)
    assert looped["score"] == str(FULL)  # the answers defined after the loop were computed and judged
    assert looped["reason"] == f"cell {MIDDLE + 1} ran for more than 3 s and was interrupted"
    assert raised["reason"] == f"cell {MIDDLE + 1} raised RuntimeError: stopped here"


@needs_bwrap
def test_many_interrupted_cells_are_named_within_bounds(batch):
    rows, texts, _, _ = batch
    row = rows["four_loops"]
    assert (row["status"], row["score"]) == ("error", str(FULL))
    reason = f"cells {APPENDED}, {APPENDED + 1} (and 2 more) ran for more than 3 s and were interrupted"
    assert row["reason"] == reason and reason in texts["four_loops"]


@needs_bwrap
def test_a_loop_that_swallows_the_interrupt_ends_the_run_early_and_spares_its_classmates(batch):
    rows, texts, seconds, _ = batch
    row = rows["stubborn"]
    assert (row["status"], row["score"]) == ("timeout", "0")
    assert row["reason"] == (
        f"cell {MIDDLE + 1} ran for more than 3 s and did not stop when interrupted: the "
        "notebook was stopped there and its answers could not be read"
    )
    assert row["reason"] in texts["stubborn"]
    assert seconds < 90, seconds  # not held until --timeout 120
    assert (rows["honest_solution"]["status"], rows["honest_solution"]["score"]) == ("ok", str(FULL))
    assert (rows["honest_partial"]["status"], rows["honest_partial"]["score"]) == ("ok", "3")
    assert rows["honest_solution"]["reason"] == rows["honest_partial"]["reason"] == ""


# --- without a sandbox: the interrupt reaches the kernel another way ------------------------------------


def test_without_a_sandbox_a_loop_at_the_end_keeps_every_point(tmp_path):
    notebooks = {
        "loop_at_end": solution_with(append=[LOOP]),
        "loop_in_middle": solution_with(insert=LOOP),
        "raise_in_middle": solution_with(insert="raise RuntimeError('stopped here')"),
    }
    rows, texts, seconds, _ = grade(tmp_path, notebooks, "--sandbox", "none", *CELL_OPTIONS)
    row = rows["loop_at_end"]
    assert (row["status"], row["score"]) == ("error", str(FULL))
    assert row["reason"] == f"cell {APPENDED} ran for more than 3 s and was interrupted"
    assert points(rows["loop_in_middle"]) == points(rows["raise_in_middle"])
    assert rows["loop_in_middle"]["score"] == str(FULL)
    assert seconds < 90, seconds


# --- the whole-run limit is unchanged -------------------------------------------------------------------


def test_cells_each_under_the_cell_limit_but_together_over_the_timeout_score_0(tmp_path):
    sleepy = solution_with(append=["import time\ntime.sleep(2.5)"] * 10)  # 25 s in all
    rows, texts, seconds, _ = grade(
        tmp_path,
        {"sleepy": sleepy, "honest_solution": solution_with()},
        "--sandbox",
        "auto",
        "--jobs",
        "2",
        "--cell-timeout",
        "3",
        "--timeout",
        "15",
    )
    row = rows["sleepy"]
    assert (row["status"], row["score"]) == ("timeout", "0")
    assert row["reason"] == "did not finish within 15 s"
    assert (rows["honest_solution"]["status"], rows["honest_solution"]["score"]) == ("ok", str(FULL))
    assert seconds < 60, seconds


# --- values -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "nan", "0", "-1", "soon"])
def test_bad_cell_timeouts_exit_2_naming_the_option(tmp_path, value):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "regcourse",
            "grade",
            str(tmp_path / "a.ipynb"),
            "--out",
            str(tmp_path / "g.csv"),
            f"--cell-timeout={value}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "argument --cell-timeout" in result.stderr, result.stderr
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.parametrize("value", [0, -3, float("inf"), float("nan"), True, "60"])
def test_the_python_api_rejects_a_bad_cell_timeout_naming_the_parameter(value):
    from regcourse.grading import grade_all

    with pytest.raises(ValueError, match="cell_timeout"):
        grade_all([], progress=False, cell_timeout=value)


def test_the_reason_names_interrupted_cells_and_errors_together():
    from regcourse.grading._submission import ERROR, TIMEOUT, _status_from_report

    base = {"cell_timeout": 60.0, "errors": [], "interrupted": []}
    assert _status_from_report({**base, "interrupted": [{"cell": 14}]}, 0) == (
        ERROR,
        "cell 14 ran for more than 60 s and was interrupted",
    )
    both = {
        **base,
        "interrupted": [{"cell": c} for c in (3, 5, 8)],
        "errors": [{"cell": 9, "ename": "ValueError", "evalue": "bad"}],
    }
    assert _status_from_report(both, 0) == (
        ERROR,
        "cells 3, 5 (and 1 more) ran for more than 60 s and were interrupted; cell 9 raised ValueError: bad",
    )
    assert _status_from_report({**base, "stuck": {"cell": 4}}, 0)[0] == TIMEOUT
