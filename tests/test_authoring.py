"""Building exercises/ from solutions/: stubs, prompts, cleared outputs, clear errors."""

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from _project import ROOT
from regcourse.authoring import (
    ANSWER_PROMPT,
    AuthoringError,
    build_exercises,
    exercise_notebook,
    prompt_markdown,
    stub_code,
)


def test_a_solution_inside_a_function_becomes_a_stub_with_signature_docstring_and_indentation():
    source = '''def f(w, lam):
    """Doc."""
    ### BEGIN SOLUTION
    total = abs(w)
    return lam * total
    ### END SOLUTION'''
    assert stub_code(source, "nb") == 'def f(w, lam):\n    """Doc."""\n    # YOUR CODE HERE\n    ...'


def test_a_whole_function_between_markers_keeps_decorators_signature_and_docstring():
    source = '''### BEGIN SOLUTION
@staticmethod
def g(x,
      y=2):
    """Multi-line
    docstring."""
    return x + y
### END SOLUTION
print(1)'''
    expected = '''@staticmethod
def g(x,
      y=2):
    """Multi-line
    docstring."""
    # YOUR CODE HERE
    ...
print(1)'''
    assert stub_code(source, "nb") == expected


def test_top_level_answers_keep_their_names_so_the_check_below_still_runs():
    source = (
        '### BEGIN SOLUTION\nanswer = "a"\nx, (y, z) = 1, (2, 3)\nprint(answer)\n### END SOLUTION\ncheck("id", answer)'
    )
    stubbed = stub_code(source, "nb")
    assert stubbed.splitlines() == [
        "answer = ...  # YOUR CODE HERE",
        "x = ...  # YOUR CODE HERE",
        "y = ...  # YOUR CODE HERE",
        "z = ...  # YOUR CODE HERE",
        'check("id", answer)',
    ]
    namespace = {"check": lambda *args: None}
    exec(stubbed, namespace)  # runs: every name is defined
    assert namespace["answer"] is ...


def test_code_without_markers_is_unchanged():
    source = "import numpy as np\nx = np.ones(3)  # ### not a marker"
    assert stub_code(source, "nb") == source


@pytest.mark.parametrize(
    "source, words",
    [
        ("### BEGIN SOLUTION\nx = 1", "without a matching '### END SOLUTION'"),
        ("x = 1\n### END SOLUTION", "'### END SOLUTION' without a '### BEGIN SOLUTION' before it"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "without a matching"),
        ("### BEGIN SOLUTION\nx = (\n### END SOLUTION", "does not parse"),
    ],
)
def test_unpaired_or_broken_code_markers_name_the_notebook_and_cell(source, words):
    with pytest.raises(AuthoringError, match="^solutions/04_l1_lasso.ipynb, cell 7: ") as error:
        stub_code(source, "solutions/04_l1_lasso.ipynb, cell 7")
    assert words in str(error.value)


def test_written_answers_become_a_prompt():
    source = "Why?\n\n<!-- BEGIN SOLUTION -->\nBecause of the kink.\n<!-- END SOLUTION -->\n\nNext."
    assert prompt_markdown(source, "nb") == f"Why?\n\n{ANSWER_PROMPT}\n\nNext."


@pytest.mark.parametrize(
    "source",
    [
        "<!-- BEGIN SOLUTION --> answer",
        "answer <!-- END SOLUTION -->",
        "<!-- BEGIN SOLUTION --> <!-- BEGIN SOLUTION --> <!-- END SOLUTION -->",
    ],
)
def test_unpaired_markdown_markers_name_the_notebook_and_cell(source):
    with pytest.raises(AuthoringError, match="^sol.ipynb, cell 2: "):
        prompt_markdown(source, "sol.ipynb, cell 2")


def solution_notebook(
    chapter=4,
    code="from regcourse.exercises import check\n"
    "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\ncheck('l1.zeros_count', x)",
):
    cell = new_code_cell(code, execution_count=3, outputs=[new_output("stream", name="stdout", text="hi\n")])
    cell.metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    notebook = new_notebook(
        cells=[
            new_markdown_cell("[Colab](https://colab.research.google.com/github/o/r/blob/main/solutions/x.ipynb)"),
            cell,
        ]
    )
    if chapter is not None:
        notebook.metadata["regcourse"] = {"chapter": chapter}
    return notebook


def test_exercise_notebook_clears_outputs_counts_and_timing_and_points_links_at_exercises():
    exercise = exercise_notebook(solution_notebook(), "sol.ipynb")
    cell = exercise.cells[1]
    assert cell.outputs == [] and cell.execution_count is None and "execution" not in cell.metadata
    assert "blob/main/exercises/x.ipynb" in exercise.cells[0].source
    assert exercise.metadata["regcourse"] == {"chapter": 4}


def test_a_solution_notebook_must_say_its_chapter():
    with pytest.raises(AuthoringError, match="sol.ipynb: metadata.regcourse.chapter"):
        exercise_notebook(solution_notebook(chapter=None), "sol.ipynb")


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "regcourse", *args], cwd=cwd, capture_output=True, text=True)


def test_build_then_check_reports_sync_and_drift(tmp_path):
    source, dest = tmp_path / "solutions", tmp_path / "exercises"
    source.mkdir()
    nbformat.write(solution_notebook(), source / "04_x.ipynb")
    assert run_cli("build-exercises", "--check", "--source", str(source), "--dest", str(dest)).returncode == 1
    assert run_cli("build-exercises", "--source", str(source), "--dest", str(dest)).returncode == 0
    assert run_cli("build-exercises", "--check", "--source", str(source), "--dest", str(dest)).returncode == 0
    (dest / "04_x.ipynb").write_text((dest / "04_x.ipynb").read_text().replace("YOUR CODE", "MY CODE"))
    (dest / "99_stale.ipynb").write_text("{}")
    drift = run_cli("build-exercises", "--check", "--source", str(source), "--dest", str(dest))
    assert drift.returncode == 1 and "04_x.ipynb" in drift.stdout and "99_stale.ipynb" in drift.stdout
    assert build_exercises(source, dest) and not (dest / "99_stale.ipynb").exists()
    assert build_exercises(source, dest, check=True) == []


def test_built_exercises_keep_their_untouched_outputs_and_check_ignores_only_what_running_adds(tmp_path, monkeypatch):
    source, dest = tmp_path / "solutions", tmp_path / "exercises"
    source.mkdir()
    nbformat.write(solution_notebook(), source / "04_x.ipynb")
    monkeypatch.setenv("REGCOURSE_STRICT", "1")  # a maintainer's shell in strict mode must not leak into exercises
    assert build_exercises(source, dest) == [str(dest / "04_x.ipynb")]
    built = nbformat.read(dest / "04_x.ipynb", as_version=4)
    code = built.cells[1]
    assert code.execution_count == 1
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in code.outputs)
    assert shown.startswith("📝 l1.zeros_count") and "not attempted" in shown
    assert build_exercises(source, dest, check=True) == []
    # Outputs cleared by hand: in sync in content, but no longer executed.
    code.outputs, code.execution_count = [], None
    nbformat.write(built, dest / "04_x.ipynb")
    assert build_exercises(source, dest, check=True) == [str(dest / "04_x.ipynb")]
    assert build_exercises(source, dest, execute=False) == [str(dest / "04_x.ipynb")]
    assert build_exercises(source, dest, check=True) == [str(dest / "04_x.ipynb")]  # written, not run


def test_an_exercise_that_fails_untouched_stops_the_build_naming_it(tmp_path):
    source = tmp_path / "solutions"
    source.mkdir()
    nbformat.write(
        solution_notebook(code="### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n1 / 0"), source / "04_bad.ipynb"
    )
    with pytest.raises(AuthoringError, match="04_bad.ipynb: an untouched exercise notebook must run without an error"):
        build_exercises(source, tmp_path / "exercises")


def test_build_with_an_unpaired_marker_fails_naming_notebook_and_cell(tmp_path):
    source = tmp_path / "solutions"
    source.mkdir()
    nbformat.write(solution_notebook(code="### BEGIN SOLUTION\nx = 1"), source / "04_broken.ipynb")
    result = run_cli("build-exercises", "--source", str(source), "--dest", str(tmp_path / "exercises"))
    assert result.returncode == 2
    assert "04_broken.ipynb, cell 2: '### BEGIN SOLUTION' without a matching '### END SOLUTION'" in result.stderr
    assert not (tmp_path / "exercises").exists()


def test_executed_notebooks_use_torchs_portable_cpu_kernels(tmp_path, monkeypatch):
    """Saved outputs must not depend on the processor that made them (AVX-512 kernels round differently)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from regcourse.authoring import execute_notebook

    monkeypatch.delenv("ATEN_CPU_CAPABILITY", raising=False)
    monkeypatch.delenv("MKL_CBWR", raising=False)
    path = tmp_path / "probe.ipynb"
    source = "import os, torch\nprint(torch.backends.cpu.get_cpu_capability(), os.environ.get('MKL_CBWR'))"
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), path)
    execute_notebook(path)
    assert nbformat.read(path, as_version=4).cells[0].outputs[0]["text"].split() == ["DEFAULT", "COMPATIBLE"]


def test_the_test_run_uses_the_same_portable_kernels_as_the_saved_outputs():
    """nbval's kernels inherit the test process's environment (the root conftest.py sets it)."""
    import os

    from regcourse.authoring import REPRODUCIBLE

    assert {name: os.environ.get(name) for name in REPRODUCIBLE} == REPRODUCIBLE
