"""Grading survives any one student: files that are not notebooks, folders a student leaves
behind, text too long for a gradebook, names a spreadsheet would run, and a grader stopped
half-way (Ctrl-C, SIGTERM, SIGKILL).

The first batch grades several attacks together with honest classmates (``--jobs 2``, chapter
01: the solution scores 4/4, the untouched exercise 0/4) in a private TMPDIR, then grades the
same files again with ``--resume``; the unit tests below need no grading.
"""

from __future__ import annotations

import csv
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell

from _project import ROOT
from regcourse._text import bounded
from regcourse.exercises._result import FAILED, Result
from regcourse.grading import Graded, _read_original, feedback_text, read_gradebook_rows, write_gradebook
from regcourse.grading._cleanup import remove_tree
from regcourse.grading._gradebook import gradebook_cell
from regcourse.grading._sandbox import bwrap_works
from test_grading_runs import running_under

EXERCISE = ROOT / "exercises" / "01_overfitting.ipynb"
SOLUTION = ROOT / "solutions" / "01_overfitting.ipynb"
FORMULA = ("=", "+", "-", "@", "\t", "\r")
# Where the symbolic link points: this text must appear nowhere in what grading writes.
LINK_TARGET_DIR = "secret-link-target-QWERTYUIOPASDFGHJKLZXCVBNM-qwertyuiopasdfghjklzxcvbnm-1234567890-ENDOFPATH"
LINK_TARGET_TEXT = "LINKEDCONTENTSECRET"

DEEP_TREE = (
    "import os\nfd = os.open('.', os.O_RDONLY)\nfor i in range(1500):\n    os.mkdir('d', dir_fd=fd)\n"
    "    new = os.open('d', os.O_RDONLY, dir_fd=fd)\n    os.close(fd)\n    fd = new"
)
LOCKED_AND_ODD = (
    "import os\nos.makedirs('locked/inner')\nfor name in ('locked/a', 'locked/inner/b'):\n"
    "    open(name, 'w').write('x')\nos.chmod('locked/inner', 0)\nos.chmod('locked', 0)\n"
    "os.mkdir('half')\nopen('half/c', 'w').write('x')\nos.chmod('half', 0o500)\n"
    "for name in (b'odd\\n\\xff\\xfe name', b'-\\x1b[31m', b'\\xe9\\n\\n'):\n"
    "    open(name, 'wb').write(b'x')\nos.symlink('/etc/passwd', 'to-passwd')\nos.symlink('.', 'loop')"
)


def notebook_with(cells, *, base=EXERCISE):
    notebook = nbformat.read(base, as_version=4)
    notebook.cells.extend(new_code_cell(source) for source in cells)
    return notebook


def write(folder: Path, name: str, notebook) -> None:
    (folder / name).write_text(nbformat.writes(notebook), encoding="utf-8")


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as stream:  # csv's default field limit
        return list(csv.DictReader(stream))


def under(folder: str) -> list[str]:
    """Processes whose command line or working folder is in ``folder`` (the grader's TMPDIR)."""
    found = []
    for process in running_under(folder):
        try:
            found.append(" ".join(process.cmdline())[:200])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return found


def grader(args, *, cwd, grader_tmp, **popen):
    env = dict(os.environ, TMPDIR=str(grader_tmp))
    return [sys.executable, "-m", "regcourse", "grade", *args], dict(cwd=cwd, env=env, **popen)


def run_grader(args, *, cwd, grader_tmp, timeout=600):
    command, options = grader(args, cwd=cwd, grader_tmp=grader_tmp)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **options)


@pytest.fixture
def private_tmp():
    folder = Path(tempfile.mkdtemp(prefix="rcg-rob-", dir="/tmp"))  # short: see runs_root()
    yield folder
    remove_tree(folder)


# --- one batch: odd files, leftovers, long text and formula names, graded with honest classmates --------

HONEST = {
    "honest.ipynb": 4,
    "untouched.ipynb": 0,
    "=HYPERLINK(1).ipynb": 4,
    "+1.ipynb": 0,
    "-2.ipynb": 4,
    "@SUM(1).ipynb": 0,
}
NOT_FILES = {
    "x.ipynb": "a named pipe (FIFO), not a regular file",
    "y.ipynb": "a symbolic link: links are not followed",
    "z.ipynb": "a directory, not a regular file",
}


@pytest.fixture(scope="module", params=["bwrap", "none"])
def batch(tmp_path_factory, request):
    if request.param == "bwrap" and bwrap_works() is not None:
        if os.environ.get("REGCOURSE_REQUIRE_BWRAP") == "1":
            pytest.fail(f"REGCOURSE_REQUIRE_BWRAP=1 but {bwrap_works()}")
        pytest.skip(f"bubblewrap does not work here ({bwrap_works()})")
    base = tmp_path_factory.mktemp("robust")
    folder, feedback = base / "submissions", base / "feedback"
    folder.mkdir()
    grader_tmp = Path(tempfile.mkdtemp(prefix="rcg-rob-", dir="/tmp"))
    for name, score in HONEST.items():
        write(folder, name, nbformat.read(SOLUTION if score else EXERCISE, as_version=4))
    write(folder, "deep.ipynb", notebook_with([DEEP_TREE], base=SOLUTION))
    write(folder, "locked.ipynb", notebook_with([LOCKED_AND_ODD], base=SOLUTION))
    write(folder, "long_hint.ipynb", notebook_with(["answer_definition = 'y' * 4_000_000"]))
    write(folder, "long_error.ipynb", notebook_with(["raise ValueError('x' * 5_000_000)"]))
    os.mkfifo(folder / "x.ipynb")  # no writer: opening it to read would block
    target = base / LINK_TARGET_DIR / "target.ipynb"
    target.parent.mkdir()
    notebook = nbformat.read(SOLUTION, as_version=4)
    notebook.cells.append(new_code_cell(f"# {LINK_TARGET_TEXT}"))
    write(target.parent, target.name, notebook)
    (folder / "y.ipynb").symlink_to(target)
    (folder / "z.ipynb").mkdir()
    names = sorted(p.name for p in folder.iterdir())
    out = base / "gradebook.csv"
    options = [
        "--out",
        str(out),
        "--feedback",
        str(feedback),
        "--chapter",
        "1",
        "--jobs",
        "2",
        "--timeout",
        "120",
        "--sandbox",
        request.param,
    ]
    started = time.monotonic()  # "--": a name such as -2.ipynb is not an option
    first = run_grader([*options, "--", *names], cwd=folder, grader_tmp=grader_tmp, timeout=600)
    seconds = time.monotonic() - started
    left, tmp_after = under(str(grader_tmp)), sorted(p.name for p in grader_tmp.iterdir())
    rows = read_rows(out)
    resumed = run_grader([*options, "--resume", "--", *names], cwd=folder, grader_tmp=grader_tmp, timeout=600)
    result = {
        "first": first,
        "seconds": seconds,
        "rows": rows,
        "names": names,
        "out": out,
        "feedback": feedback,
        "left": left,
        "tmp_after": tmp_after,
        "resumed": resumed,
        "resumed_rows": read_rows(out),
        "tmp_after_resume": sorted(p.name for p in grader_tmp.iterdir()),
    }
    remove_tree(grader_tmp)
    return result


def row(batch, name, key="rows"):
    found = [r for r in batch[key] if r["submission"] == gradebook_cell(name)]
    assert len(found) == 1, (name, [r["submission"] for r in batch[key]])
    return found[0]


def test_the_run_ends_normally_with_a_row_for_everyone(batch):
    assert batch["first"].returncode == 0, batch["first"].stderr[-3000:]
    assert len(batch["rows"]) == len(batch["names"])


def test_honest_classmates_keep_their_exact_scores(batch):
    for name, score in {**HONEST, "deep.ipynb": 4, "locked.ipynb": 4}.items():
        r = row(batch, name)
        assert (r["status"], r["score"], r["max_score"]) == ("ok", str(score), "4"), r


def test_what_is_not_a_regular_file_is_invalid_and_never_opened_or_followed(batch):
    for name, reason in NOT_FILES.items():
        r = row(batch, name)
        assert (r["status"], r["score"], r["reason"], r["sha256"]) == ("invalid", "0", reason, ""), r
        text = (batch["feedback"] / name.replace(".ipynb", ".txt")).read_text(encoding="utf-8")
        assert reason in text
    written = (
        batch["out"].read_text(encoding="utf-8")
        + batch["first"].stdout
        + batch["first"].stderr
        + "".join(p.read_text(encoding="utf-8") for p in batch["feedback"].iterdir())
    )
    for secret in (LINK_TARGET_DIR[:20], LINK_TARGET_DIR[-20:], LINK_TARGET_TEXT, "target.ipynb"):
        assert secret not in written


def test_whatever_a_submission_leaves_in_its_folder_is_removed(batch):
    assert batch["tmp_after"] == [] and batch["left"] == []
    assert "RecursionError" not in batch["first"].stderr


def test_long_text_is_cut_and_the_gradebook_reads_back_whole(batch):
    error = row(batch, "long_error.ipynb")
    assert error["status"] == "error" and error["reason"].startswith("cell ") and len(error["reason"]) <= 2000
    hint = (batch["feedback"] / "long_hint.txt").read_text(encoding="utf-8")
    assert len(hint) < 10_000 and "[cut: 3,99" in hint, len(hint)  # the quoted 4,000,000-character answer
    assert row(batch, "long_hint.ipynb")["overfit.definition"] == "0"
    for path in batch["feedback"].iterdir():
        assert path.stat().st_size < 20_000, path
    assert len(read_gradebook_rows(batch["out"])) == len(batch["names"]) - len(NOT_FILES)  # invalid: no hash


def test_no_cell_begins_like_a_formula(batch):
    for r in batch["rows"] + batch["resumed_rows"]:
        for value in r.values():
            assert not value.startswith(FORMULA), r
    assert row(batch, "=HYPERLINK(1).ipynb")["submission"] == "'=HYPERLINK(1).ipynb"
    assert row(batch, "-2.ipynb")["score"] == "4"


def test_resume_keeps_every_row_it_can_formula_names_included(batch):
    resumed = batch["resumed"]
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    for name in [*HONEST, "deep.ipynb", "locked.ipynb", "long_hint.ipynb", "long_error.ipynb"]:
        line = next(ln for ln in resumed.stdout.splitlines() if ln.startswith(f"{name}:"))
        assert line.endswith("[kept from the earlier gradebook]"), line
        assert row(batch, name, "resumed_rows") == row(batch, name)
    for name in NOT_FILES:  # graded again (no hash to compare), and again invalid
        assert row(batch, name, "resumed_rows")["status"] == "invalid"
    assert "warning" not in resumed.stderr
    assert batch["tmp_after_resume"] == []


# --- interrupted: Ctrl-C, SIGTERM, SIGKILL -----------------------------------------------------------------


SLOW = 6  # submissions; each sleeps, so that the run is stopped half-way


def slow_class(folder: Path) -> list[str]:
    names = [f"student{i}.ipynb" for i in range(SLOW)]
    for name in names:
        write(folder, name, notebook_with(["import time\ntime.sleep(2)"], base=SOLUTION))
    return names


def wait_for_rows(out: Path, process, seconds=300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if read_rows(out):
                return
        except (OSError, csv.Error):
            pass
        time.sleep(0.1)
    raise AssertionError(f"no row appeared (exit code {process.poll()})")


def assert_gone(grader_tmp: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and under(str(grader_tmp)):
        time.sleep(0.2)
    assert under(str(grader_tmp)) == []


@pytest.mark.parametrize("how, code", [("ctrl-c", 130), ("sigterm", 143), ("sigkill", None)])
def test_a_stopped_run_keeps_its_finished_rows_and_resume_finishes_it(tmp_path, private_tmp, how, code):
    names = slow_class(tmp_path)
    out = tmp_path / "g.csv"
    args = [*names, "--out", str(out), "--feedback", str(tmp_path / "fb"), "--jobs", "1", "--chapter", "1"]
    command, options = grader(
        [*args, "--quiet"],
        cwd=tmp_path,
        grader_tmp=private_tmp,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process = subprocess.Popen(command, **options)
    try:
        wait_for_rows(out, process)
        if how == "ctrl-c":  # as a terminal does: the whole foreground process group gets SIGINT
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    rows = read_rows(out)
    assert 1 <= len(rows) < SLOW, rows
    for r in rows:  # only real rows: a stopped submission gets none
        assert (r["status"], r["score"]) == ("ok", "4"), r
    assert_gone(private_tmp)
    if code is not None:
        assert process.returncode == code, stderr[-3000:]
        assert f"interrupted: {len(rows)} of {SLOW} graded; run the same command with --resume to finish" in stderr
        assert sorted(p.name for p in (tmp_path / "fb").iterdir()) == sorted(
            r["submission"].replace(".ipynb", ".txt") for r in rows
        )
        assert list(private_tmp.iterdir()) == []
    else:
        assert process.returncode == -signal.SIGKILL
        assert len(list(private_tmp.iterdir())) == 1  # the killed run's folder, until the next run
    result = run_grader([*args, "--resume"], cwd=tmp_path, grader_tmp=private_tmp)
    assert result.returncode == 0, result.stderr[-3000:]
    final = read_rows(out)
    assert [r["submission"] for r in final] == names
    assert all((r["status"], r["score"]) == ("ok", "4") for r in final), final
    kept = [ln for ln in result.stdout.splitlines() if ln.endswith("[kept from the earlier gradebook]")]
    assert sorted(kept) == sorted(f"{r['submission']}: ok, 4/4 [kept from the earlier gradebook]" for r in rows)
    assert list(private_tmp.iterdir()) == [] and under(str(private_tmp)) == []


# --- units: removing folders, cutting text, reading the gradebook back, reading originals ---------------


def deep_tree(top: Path, levels: int) -> None:
    """``levels`` nested folders under ``top``, each with odd names, a link out and a locked folder."""
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    try:
        for i in range(levels):
            os.mkdir("d", dir_fd=fd)
            if i % 500 == 0:
                for name in (b"odd\n\xff name", b"\xe9\n"):
                    os.close(os.open(name, os.O_WRONLY | os.O_CREAT, dir_fd=fd))
                os.symlink("/etc", "to-etc", dir_fd=fd)
                os.mkdir("locked", dir_fd=fd)
                os.close(os.open("locked/inside", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
                os.chmod("locked", 0, dir_fd=fd)
                os.mkdir("read-only", dir_fd=fd)
                os.close(os.open("read-only/inside", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
                os.chmod("read-only", 0o500, dir_fd=fd)
            new = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
    finally:
        os.close(fd)


def test_remove_tree_removes_a_tree_deeper_than_any_path(private_tmp):
    top = private_tmp / "top"
    deep_tree(top, 3000)  # 6,000 characters of path: beyond PATH_MAX (4,096)
    before = os.listdir("/etc")
    assert remove_tree(top) is True
    assert list(private_tmp.iterdir()) == [] and os.listdir("/etc") == before  # the link was not followed


def test_remove_tree_fixes_permissions_when_not_root(private_tmp):
    """As an ordinary user (a child process drops root), folders with mode 000 and 0o500 are
    opened up and removed; a folder it may not change is reported, not raised."""
    if os.geteuid() != 0:
        pytest.skip("needs root to become another user")
    nobody = 65534
    private_tmp.chmod(0o755)
    top = private_tmp / "top"
    deep_tree(top, 600)
    for folder, subfolders, files in os.walk(top):
        for name in [*subfolders, *files]:
            os.chown(os.path.join(folder, name), nobody, nobody, follow_symlinks=False)
    os.chown(top, nobody, nobody)
    os.chown(private_tmp, nobody, nobody)
    foreign = private_tmp / "foreign"  # root's, and mode 0o555: nobody cannot empty it
    foreign.mkdir()
    (foreign / "f").write_text("x")
    foreign.chmod(0o555)

    def as_nobody(path) -> int:
        child = os.fork()
        if child == 0:
            try:
                os.setgroups([])
                os.setgid(nobody)
                os.setuid(nobody)
                os._exit(0 if remove_tree(path) is True else 1)
            except BaseException:
                os._exit(2)
        return os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])

    assert as_nobody(top) == 0 and not top.exists()
    assert as_nobody(foreign) == 1 and (foreign / "f").exists()  # False, and no exception


def test_remove_tree_never_raises_and_never_follows_a_link(tmp_path):
    assert remove_tree(tmp_path / "missing") is True
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "file").write_text("x")
    (tmp_path / "link").symlink_to(kept)
    assert remove_tree(tmp_path / "link") is True and (kept / "file").exists()
    assert remove_tree(kept / "file") is True and kept.exists()
    assert remove_tree("/") is False


def test_bounded_cuts_and_says_how_much():
    assert bounded("short") == "short"
    text = bounded("x" * 5_242_880)
    assert len(text) == 2000 and text.endswith(f" … [cut: {5_242_880 - 1965:,} more characters]")
    assert bounded(text) == text


def test_the_gradebook_bounds_whatever_produced_its_text(tmp_path):
    huge = "=" + "z" * 5_000_000
    grade = Graded(
        "=cmd|' /C calc'!A0.ipynb",
        "error",
        "",
        1,
        {"overfit.mse": Result("overfit.mse", "t", FAILED, 0, 2, huge)},
        sha256="ab" * 32,
    )
    grade.reason = huge  # set after construction: the writer must bound it all the same
    resumed = Graded(
        "-kept.ipynb",
        "ok",
        resumed_row={
            "submission": "-kept.ipynb",
            "status": "ok",
            "score": "2",
            "max_score": "2",
            "sha256": "cd" * 32,
            "reason": huge,
        },
    )
    out = tmp_path / "g.csv"
    write_gradebook([grade, resumed], out)
    rows = read_rows(out)  # csv's default field limit (131,072) would refuse a longer cell
    assert len(rows) == 2 and all(len(v) <= 2000 for r in rows for v in r.values())
    assert rows[0]["reason"].startswith("'=zzz") and "[cut: " in rows[0]["reason"]
    assert [r["submission"] for r in rows] == ["'=cmd|' /C calc'!A0.ipynb", "'-kept.ipynb"]
    assert len(read_gradebook_rows(out)) == 2
    write_gradebook([Graded(r["submission"], "ok", resumed_row=r) for r in rows], out)  # read back, written again
    assert read_rows(out) == rows
    text = feedback_text(grade)
    assert len(text) < 6000 and text.count("[cut: ") == 2


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\uff1d1"])
def test_every_formula_start_gets_an_apostrophe(value):
    cell = gradebook_cell(value)
    assert cell == "'" + value and gradebook_cell(cell) == cell
    assert gradebook_cell("\r=1") == "\\x0d=1"  # a carriage return is spelled out, so never first


def test_an_unreadable_gradebook_row_is_said_not_silently_dropped(tmp_path):
    out = tmp_path / "old.csv"
    with open(out, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["submission", "status", "score", "max_score", "sha256", "reason"])
        writer.writerow(["a.ipynb", "ok", "4", "4", "aa" * 32, ""])
        writer.writerow(["b.ipynb", "error", "0", "4", "bb" * 32, "x" * 5_000_000])  # as older graders wrote
        writer.writerow(["c.ipynb", "ok", "4", "4", "cc" * 32, ""])
    said = []
    rows = read_gradebook_rows(out, warn=said.append)
    assert [r["submission"] for r in rows] == ["a.ipynb"]
    assert len(said) == 1 and "line 3 could not be read" in said[0] and "graded again" in said[0]
    said.clear()
    assert read_gradebook_rows(tmp_path / "none.csv", warn=said.append) == [] and "does not exist" in said[0]


def test_resume_through_the_command_line_warns_when_rows_are_unreadable(tmp_path):
    out = tmp_path / "g.csv"
    out.write_text(
        "submission,status,score,max_score,sha256,reason\n" + f'a.ipynb,ok,4,4,{"aa" * 32},"' + "x" * 200_000 + '"\n',
        encoding="utf-8",
    )
    (tmp_path / "empty.ipynb").write_text("")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "regcourse",
            "grade",
            str(tmp_path / "empty.ipynb"),
            "--out",
            str(out),
            "--chapter",
            "1",
            "--resume",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "warning:" in result.stderr and "could not be read" in result.stderr


def test_originals_are_read_without_blocking_following_or_reading_too_much(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    started = time.monotonic()
    assert _read_original(tmp_path / "pipe") == (None, "a named pipe (FIFO), not a regular file")
    assert time.monotonic() - started < 5
    (tmp_path / "real").write_text("{}")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert _read_original(tmp_path / "link") == (None, "a symbolic link: links are not followed")
    assert _read_original("/dev/null") == (None, "a character device, not a regular file")
    big = tmp_path / "big.ipynb"
    with open(big, "wb") as stream:
        stream.truncate(100 * 2**20 + 1)  # sparse: no disk used
    assert _read_original(big) == (None, "the file is larger than 100 MB: it was not read")
    assert _read_original(tmp_path / "missing") == (None, "the file does not exist")
    assert stat.S_ISREG(os.stat(tmp_path / "real").st_mode) and _read_original(tmp_path / "real") == (b"{}", "")
