"""The grading run around the judge: command-line values, resuming, a killed grader, the probe
registry, the secret cases, and text that must survive any submission."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from _project import ROOT
from regcourse.exercises import all_exercises, check, run_check
from regcourse.exercises._checking import case_rng, secret_cases
from regcourse.exercises._probes import ANSWER_NAMES
from regcourse.grading import INVALID, Graded, feedback_text
from regcourse.grading._sandbox import RUN_PREFIX, bwrap_works, clean_stale_runs
from regcourse.grading._submission import unjudged

SOLUTION = ROOT / "solutions" / "01_overfitting.ipynb"


def regcourse(*args, env=None):
    return subprocess.run([sys.executable, "-m", "regcourse", *args], cwd=ROOT, capture_output=True, text=True, env=env)


# --- command line ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option, value",
    [
        ("--timeout", "inf"),
        ("--timeout", "nan"),
        ("--timeout", "0"),
        ("--timeout", "-5"),
        ("--timeout", "soon"),
        ("--memory-mb", "nan"),
        ("--memory-mb", "0"),
        ("--memory-mb", "-1"),
        ("--jobs", "0"),
        ("--jobs", "-3"),
        ("--jobs", "1.5"),
        ("--chapter", "42"),
        ("--sandbox", "docker"),
    ],
)
def test_bad_command_line_values_exit_2_naming_the_option(tmp_path, option, value):
    result = regcourse("grade", str(tmp_path / "a.ipynb"), "--out", str(tmp_path / "g.csv"), f"{option}={value}")
    assert result.returncode == 2
    assert f"argument {option}" in result.stderr, result.stderr
    assert not (tmp_path / "g.csv").exists()


def test_the_summary_names_the_feedback_folder_once(tmp_path):
    (tmp_path / "empty.ipynb").write_text("")
    result = regcourse(
        "grade",
        str(tmp_path / "empty.ipynb"),
        "--out",
        str(tmp_path / "g.csv"),
        "--feedback",
        str(tmp_path / "fb") + "/",
        "--chapter",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert f"feedback in {tmp_path / 'fb'}/" in result.stdout and "//" not in result.stdout


def test_the_python_api_rejects_bad_limits_naming_the_parameter():
    from regcourse.grading import grade_all

    for kwargs, name in [
        ({"timeout": float("nan")}, "timeout"),
        ({"memory_mb": -1}, "memory_mb"),
        ({"jobs": 0}, "jobs"),
        ({"chapter": True}, "chapter"),
        ({"sandbox": "docker"}, "sandbox"),
    ]:
        with pytest.raises(ValueError, match=name):
            grade_all([], progress=False, **kwargs)


# --- feedback after grading ----------------------------------------------------------------------------


def test_an_unreadable_file_gets_its_reason_once():
    text = feedback_text(Graded("x.ipynb", INVALID, "the file is empty", 1, unjudged(1)))
    assert text.count("the file is empty") == 1
    assert "None of the 3 exercises could be graded" in text
    assert "deleted" not in text and "not reached" not in text


def test_feedback_speaks_to_a_student_after_grading(tmp_path):
    (tmp_path / "empty.ipynb").write_text("")
    untouched = tmp_path / "untouched.ipynb"
    untouched.write_bytes((ROOT / "exercises" / "01_overfitting.ipynb").read_bytes())
    result = regcourse(
        "grade",
        str(untouched),
        str(tmp_path / "empty.ipynb"),
        "--out",
        str(tmp_path / "g.csv"),
        "--feedback",
        str(tmp_path / "fb"),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "fb" / "untouched.txt").read_text(encoding="utf-8")
    assert "run this check again" not in text and "run the cell" not in text
    assert text.count("was left empty") == 2 and "still the empty stub" in text
    empty = (tmp_path / "fb" / "empty.txt").read_text(encoding="utf-8")
    assert empty.count("the file is empty") == 1 and "chapter 01" in empty  # the batch's chapter


def test_check_never_raises_on_odd_text_in_a_learners_exception(tmp_path, monkeypatch):
    monkeypatch.setenv("REGCOURSE_CHECK_LOG", str(tmp_path / "log.jsonl"))

    def mse(y, y_hat):
        raise ValueError("bad \udce9 byte \x1b[2J")

    result = run_check("overfit.mse", mse)
    assert result.hint == "your code raised ValueError: bad \\udce9 byte \\x1b[2J"
    check("overfit.mse", mse)  # shows and logs it without raising
    assert "\\\\udce9" in (tmp_path / "log.jsonl").read_text(encoding="utf-8")


# --- probes and secret cases ---------------------------------------------------------------------------


def test_every_exercise_says_where_its_answer_is_and_its_solution_defines_it():
    sources = {}
    for path in [*sorted((ROOT / "solutions").glob("*.ipynb")), ROOT / "notebooks" / "00_welcome.ipynb"]:
        notebook = nbformat.read(path, as_version=4)
        chapter = notebook.metadata.get("regcourse", {}).get("chapter", 0)
        sources.setdefault(chapter, "")
        sources[chapter] += "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert set(ANSWER_NAMES) == {ex.id for ex in all_exercises()}
    for ex in all_exercises():
        name = ANSWER_NAMES[ex.id]
        assert re.search(rf"^(def {name}\(|{name}\s*=)", sources[ex.chapter], re.M), (ex.id, name)


def test_only_a_whole_number_in_the_metadata_is_a_chapter():
    from regcourse.grading._submission import metadata_chapter

    for value, expected in [(4, 4), (0, 0), (True, None), (4.0, None), ("4", None), (None, None)]:
        assert metadata_chapter({"metadata": {"regcourse": {"chapter": value}}}) == expected, value
    assert metadata_chapter({"metadata": {"regcourse": "chapter 4"}}) is None


def test_secret_cases_change_the_random_cases_only_inside_the_block():
    plain = case_rng("l1.penalty").normal(size=3)
    with secret_cases(12345):
        secret = case_rng("l1.penalty").normal(size=3)
    with secret_cases(54321):
        other = case_rng("l1.penalty").normal(size=3)
    assert (case_rng("l1.penalty").normal(size=3) == plain).all()
    assert not (secret == plain).any() and not (secret == other).any()


# --- resuming, and a grader that was killed ------------------------------------------------------------


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_resume_keeps_rows_whose_file_is_unchanged_and_grades_the_rest(tmp_path):
    kept, changed = tmp_path / "kept.ipynb", tmp_path / "changed.ipynb"
    kept.write_bytes(SOLUTION.read_bytes())
    changed.write_text("")
    out = tmp_path / "g.csv"
    assert regcourse("grade", str(kept), str(changed), "--out", str(out), "--quiet").returncode == 0
    rows = read_rows(out)
    assert [r["status"] for r in rows] == ["ok", "invalid"] and rows[0]["score"] == "4"
    # Mark the kept row, so that a regrade would show; then change the other file.
    rows[0]["reason"] = "marked"
    with open(out, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    changed.write_bytes(SOLUTION.read_bytes())
    started = time.monotonic()
    result = regcourse("grade", str(kept), str(changed), "--out", str(out), "--resume")
    assert result.returncode == 0, result.stderr
    assert "kept from the earlier gradebook" in result.stdout
    rows = read_rows(out)
    assert rows[0]["reason"] == "marked" and rows[0]["score"] == "4"  # kept, not regraded
    assert rows[1]["status"] == "ok" and rows[1]["score"] == "4"  # graded now
    assert time.monotonic() - started < 120


def running_under(folder: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "cwd", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if any(folder in part for part in process.info["cmdline"] or []) or (process.info["cwd"] or "").startswith(
                folder
            ):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return found


def kernel_running_under(folder: str) -> bool:
    """An ipykernel among ``running_under(folder)``, by the command line read when the processes
    were listed: asking a process for it again races with its exit (psutil.ZombieProcess)."""
    return any("ipykernel" in " ".join(process.info["cmdline"] or []) for process in running_under(folder))


@pytest.mark.parametrize("sandbox", ["bwrap", "none"])
def test_a_killed_grader_takes_its_kernels_along_and_the_next_run_cleans_up(tmp_path, sandbox):
    if sandbox == "bwrap" and bwrap_works() is not None:
        pytest.skip(bwrap_works())
    grader_tmp = tempfile.mkdtemp(prefix="rcg-kill-", dir="/tmp")
    try:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("while True:\n    pass")])
        notebook.metadata["regcourse"] = {"chapter": 1}
        nbformat.write(notebook, tmp_path / "loop.ipynb")
        env = dict(os.environ, TMPDIR=grader_tmp)
        grader = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "regcourse",
                "grade",
                str(tmp_path / "loop.ipynb"),
                "--out",
                str(tmp_path / "g.csv"),
                "--timeout",
                "300",
                "--quiet",
                "--sandbox",
                sandbox,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not kernel_running_under(grader_tmp):
            time.sleep(0.2)
        assert kernel_running_under(grader_tmp), "no kernel started"
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and running_under(grader_tmp):
            time.sleep(0.2)
        assert running_under(grader_tmp) == []
        stale = list(Path(grader_tmp).glob(RUN_PREFIX + "*"))
        assert len(stale) == 1  # the killed run's folder is still there ...
        assert clean_stale_runs(grader_tmp) == [str(stale[0])]  # ... until the next run removes it
        assert list(Path(grader_tmp).iterdir()) == []
    finally:
        for process in running_under(grader_tmp):
            process.kill()
        import shutil

        shutil.rmtree(grader_tmp, ignore_errors=True)


def test_a_live_runs_folder_is_left_alone(monkeypatch):
    from regcourse.grading._sandbox import RunFolder

    root = tempfile.mkdtemp(prefix="rcg-live-", dir="/tmp")
    monkeypatch.setattr(tempfile, "tempdir", root)
    try:
        with RunFolder() as run:
            assert run.path.parent == Path(root)
            assert clean_stale_runs(root) == [] and run.path.exists()
        assert not run.path.exists()
    finally:
        os.rmdir(root)


def test_auto_falls_back_to_no_sandbox_with_a_warning_and_bwrap_insists(monkeypatch, tmp_path):
    from regcourse.grading import _sandbox

    monkeypatch.setattr(_sandbox.shutil, "which", lambda name: None)
    mode, warning = _sandbox.choose("auto")
    assert mode == "none" and "bubblewrap (bwrap) is not installed" in warning
    assert "read and change your files" in warning and "apt-get install bubblewrap" in warning
    with pytest.raises(_sandbox.SandboxUnavailable, match="--sandbox none"):
        _sandbox.choose("bwrap")
    assert _sandbox.choose("none") == ("none", None)


def test_the_command_line_stops_when_the_sandbox_asked_for_is_missing(tmp_path):
    (tmp_path / "empty.ipynb").write_text("")
    env = dict(os.environ, PATH=str(tmp_path))  # no bwrap on this PATH
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "regcourse",
            "grade",
            str(tmp_path / "empty.ipynb"),
            "--out",
            str(tmp_path / "g.csv"),
            "--sandbox",
            "bwrap",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2 and "bubblewrap" in result.stderr and not (tmp_path / "g.csv").exists()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "regcourse",
            "grade",
            str(tmp_path / "empty.ipynb"),
            "--out",
            str(tmp_path / "g.csv"),
            "--chapter",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0 and "warning: bubblewrap (bwrap) is not installed" in result.stderr


def test_the_python_installation_is_mounted_over_the_private_tmp(tmp_path, monkeypatch):
    """bwrap mounts in order: a venv under /tmp (where CI's clones live) must be bound after the
    private /tmp, or the sandbox cannot even start Python."""
    import sys

    from regcourse.grading import _sandbox

    venv = "/tmp/regcourse-test-venv-under-tmp"
    monkeypatch.setattr(_sandbox, "readable_paths", lambda exclude=None: [venv, sys.base_prefix])
    args = _sandbox.bwrap_prefix(tmp_path)
    tmpfs = args.index("--tmpfs")
    assert args[tmpfs + 1] == "/tmp"
    bound = [i for i, a in enumerate(args) if a == "--ro-bind" and args[i + 1] == venv]
    assert bound and all(i > tmpfs for i in bound)
    work = args.index("--bind")
    assert work > tmpfs and args[work + 1] == str(tmp_path.resolve())


def test_the_sandbox_follows_every_link_to_the_interpreter(tmp_path, monkeypatch):
    """A venv made by a python3 that is a symbolic link elsewhere (CI's hermetic run puts one
    under /tmp) starts in the sandbox only if each hop's folder is bound."""
    import os
    import sys

    from regcourse.grading import _sandbox

    hop = tmp_path / "links"
    hop.mkdir()
    os.symlink(os.path.realpath(sys.executable), hop / "python3")
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    os.symlink(hop / "python3", venv_bin / "python")
    monkeypatch.setattr(sys, "executable", str(venv_bin / "python"))
    folders = _sandbox._interpreter_chain()
    assert {str(venv_bin), str(hop), os.path.dirname(os.path.realpath(sys.executable))} <= folders
