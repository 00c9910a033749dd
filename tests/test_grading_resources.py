"""Submissions that try to take more than their share: memory in forms no process's resident size
shows (a kernel's message to the grader, tmpfs), disk, CPU, processes; and, without a sandbox,
modules planted for the grader's worker and processes that fork and exit in a loop.

Each batch grades attacks beside honest classmates and asserts the classmates' exact scores, a
row naming the limit for each attack, the bounds on the grader's and the host's memory, and that
nothing is left behind (processes, control groups, temporary folders). The limits come from the
operating system (``regcourse/grading/_limits.py``: cgroups, tmpfs sizes, RLIMIT_FSIZE); the
batches run where this machine has cgroups and bubblewrap, as CI's machines do
(REGCOURSE_REQUIRE_BWRAP=1 and REGCOURSE_REQUIRE_CGROUPS=1 turn a missing one into a failure).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell

from _project import ROOT
from regcourse.grading import _limits
from regcourse.grading._cleanup import remove_tree
from regcourse.grading._sandbox import bwrap_works, kill_descendants
from test_grading_attacks import EXERCISE, FULL, SOLUTION, leftovers, notebook_with, read_rows, write

TOKEN = f"RCRES{os.getpid()}x{int(time.time())}"
MEMORY_MB, DISK_MB = 400, 200
SUPPORT = _limits.detect()

needs_cgroups = pytest.mark.skipif(
    SUPPORT.version is None and os.environ.get("REGCOURSE_REQUIRE_CGROUPS") != "1",
    reason=f"no usable cgroups here ({SUPPORT.reason})",
)
needs_bwrap = pytest.mark.skipif(
    bwrap_works() is not None and os.environ.get("REGCOURSE_REQUIRE_BWRAP") != "1",
    reason=f"bubblewrap does not work here ({bwrap_works()})",
)

# --- attacks: cells appended to the untouched chapter-01 exercise (0/4 when honest) ----------------

RESOURCE_ATTACKS = {
    # One validly signed message with 20 frames of 60 MB (each under ZeroMQ's per-frame cap).
    "message_frames": "k = get_ipython().kernel\nblock = b'x' * (60 * 2**20)\n"
    "k.session.send(k.iopub_socket, 'display_data', {'data': {'text/plain': 'hi'}, 'metadata': {}}, "
    "parent=k.get_parent(), buffers=[block] * 20)\nimport time\ntime.sleep(5)",
    # A 5 MB "signature" frame: jupyter_client's error would quote all of it.
    "signature_frame": "k = get_ipython().kernel\nk.iopub_socket.send_multipart([b'display_data', b'<IDS|MSG>', "
    "b'@TOKEN@' * 250_000, b'{}', b'{}', b'{}', b'{}'])\nimport time\ntime.sleep(5)",
    # 3 GB into the sandbox's private /tmp and /dev/shm: memory that is in no process's RSS.
    # (in files of 50 MB: one file may not pass --disk-mb, wherever it is)
    "tmpfs_fill": "chunk = b'x' * (50 * 2**20)\nfor i in range(60):\n    with open(f'/tmp/fill{i}', 'wb') as f:\n"
    "        f.write(chunk)",
    "shm_fill": "chunk = b'x' * (50 * 2**20)\nfor i in range(60):\n    with open(f'/dev/shm/fill{i}', 'wb') as f:\n"
    "        f.write(chunk)",
    # (without a sandbox /dev/shm is the host's: files named for this test run, removed by it)
    "host_shm_fill": "chunk = b'x' * (50 * 2**20)\nfor i in range(60):\n"
    "    with open(f'/dev/shm/@TOKEN@-{i}', 'wb') as f:\n        f.write(chunk)",
    "tmpfs_one_file": "chunk = b'x' * (50 * 2**20)\nwith open('/tmp/fill', 'wb') as f:\n    for i in range(60):\n"
    "        f.write(chunk)\n        f.flush()",
    # bwrap's own /dev is a memory file system too
    "dev_fill": "with open('/dev/fill', 'wb') as f:\n    f.write(b'x' * (300 * 2**20))",
    # 5 GB into the working copy, as one file and as many files each under the limit.
    "disk_one_file": "chunk = b'x' * (50 * 2**20)\nwith open('fill', 'wb') as f:\n    for i in range(100):\n"
    "        f.write(chunk)\n        f.flush()",
    "disk_many_files": "chunk = b'x' * (20 * 2**20)\nfor i in range(250):\n    with open(f'fill{i}', 'wb') as f:\n"
    "        f.write(chunk)",
    # More entries than a working folder may hold (empty files: no bytes to count)
    "many_entries": "import os\nos.mkdir('many')\nfor i in range(120_000):\n    open(f'many/{i}', 'w').close()\n"
    "import time\ntime.sleep(3)",
    # More processes than a submission may have (small ones: the memory limit is not what stops them).
    "process_flood": "import subprocess\nchildren = []\nfor i in range(1500):\n    try:\n"
    "        children.append(subprocess.Popen(['sh', '-c', 'sleep 120; :', '@TOKEN@']))\n"
    "    except OSError:\n        break\nimport time\ntime.sleep(3)",
    # Plain memory, in the kernel itself
    "memory_hog": "block = bytearray(700 * 2**20)\nfor i in range(0, len(block), 4096):\n    block[i] = 1\n"
    "import time\ntime.sleep(5)",
    # A process that forks and exits in a loop, in its own session: always one step ahead of a scan.
    "fork_exit_loop": "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import os, time  # @TOKEN@\\n"
    "end = time.time() + 120\\nwhile time.time() < end:\\n    if os.fork():\\n        os._exit(0)\\n'], "
    "start_new_session=True)\nimport time\ntime.sleep(2)",
}
BUSY_SESSIONS = (
    "import subprocess\nfor i in range(150):\n    subprocess.Popen(['sh', '-c', 'while :; do :; done # @TOKEN@'], "
    "start_new_session=True)\nimport time\ntime.sleep(25)"
)


def _cells(source: str) -> list[str]:
    return [source.replace("@TOKEN@", TOKEN)]


def _meminfo_mb() -> dict[str, float]:
    values = {}
    with open("/proc/meminfo") as stream:
        for line in stream:
            key, _, rest = line.partition(":")
            values[key] = int(rest.split()[0]) / 1024
    return values


class Peaks:
    """Samples, every 50 ms while grading runs: the host's shared memory (tmpfs) above its level at
    the start, and the largest resident memory of any grading worker."""

    def __init__(self):
        self.start = _meminfo_mb()["Shmem"]
        self.shmem = self.worker = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self.shmem = max(self.shmem, _meminfo_mb()["Shmem"] - self.start)
            for process in psutil.process_iter(["cmdline", "memory_info"]):
                try:
                    if "regcourse.grading._worker" in " ".join(process.info["cmdline"] or []):
                        self.worker = max(self.worker, process.info["memory_info"].rss / 2**20)
                except (psutil.NoSuchProcess, TypeError):
                    pass
            time.sleep(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join(5)


def run_groups_left() -> list[str]:
    """Run groups whose grader has ended (other graders may be running on the machine), and this
    process's own."""
    left = []
    for parent in SUPPORT.parents.values():
        for group in parent.glob(_limits.RUN_GROUP_PREFIX + "*"):
            numbers = [part for part in group.name[len(_limits.RUN_GROUP_PREFIX) :].split("-") if part.isdigit()]
            owner = int(numbers[0]) if numbers else 0  # (a probe's or a v2 grader leaf's name: its pid after a word)
            if owner in (0, os.getpid()) or not psutil.pid_exists(owner):
                left.append(str(group))
    return left


def grade_batch(tmp_path, notebooks: dict, *extra, env=None):
    folder = tmp_path / "submissions"
    folder.mkdir()
    paths = {name: write(folder, f"{name}.ipynb", notebook) for name, notebook in notebooks.items()}
    grader_tmp = Path(tempfile.mkdtemp(prefix="rcr-test-", dir="/tmp"))
    out = tmp_path / "gradebook.csv"
    peaks = Peaks()
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "regcourse",
                "grade",
                *paths.values(),
                "--out",
                str(out),
                "--feedback",
                str(tmp_path / "feedback"),
                "--timeout",
                "120",
                "--memory-mb",
                str(MEMORY_MB),
                "--disk-mb",
                str(DISK_MB),
                "--quiet",
                *extra,
            ],
            cwd=ROOT,
            env=dict(os.environ, TMPDIR=str(grader_tmp), **(env or {})),
            capture_output=True,
            timeout=900,
        )
    finally:
        peaks.stop()
    time.sleep(1.0)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    rows = dict(zip(paths, read_rows(out)))
    return {
        "rows": rows,
        "out": out,
        "peaks": peaks,
        "stderr": result.stderr.decode(errors="replace"),
        "left": leftovers(TOKEN) + leftovers(str(grader_tmp)),
        "grader_tmp": grader_tmp,
        "groups": run_groups_left(),
        "tmp_left": sorted(p.name for p in grader_tmp.iterdir()),
    }


def honest_notebooks() -> dict:
    partial = nbformat.read(SOLUTION, as_version=4)
    partial.cells.append(new_code_cell("answer_definition = 'a'"))  # mse and symptom right: 3/4
    return {
        "honest_solution": nbformat.read(SOLUTION, as_version=4),
        "honest_partial": partial,
        "untouched": nbformat.read(EXERCISE, as_version=4),
    }


EXPECTED_HONEST = {"honest_solution": FULL, "honest_partial": 3, "untouched": 0}


def assert_honest_exact(rows):
    for name, score in EXPECTED_HONEST.items():
        row = rows[name]
        assert (row["status"], int(row["score"]), int(row["max_score"])) == ("ok", score, FULL), (name, row)


# --- with bubblewrap and cgroups: every resource attack in one batch, two at a time -----------------


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if SUPPORT.version is None:
        pytest.fail(f"REGCOURSE_REQUIRE_CGROUPS=1 but {SUPPORT.reason}")
    if bwrap_works() is not None:
        pytest.fail(f"REGCOURSE_REQUIRE_BWRAP=1 but {bwrap_works()}")
    notebooks = honest_notebooks()
    notebooks.update({name: notebook_with(_cells(source)) for name, source in RESOURCE_ATTACKS.items()})
    return grade_batch(
        tmp_path_factory.mktemp("resources"), notebooks, "--chapter", "1", "--jobs", "2", "--sandbox", "bwrap"
    )


@needs_bwrap
@needs_cgroups
class TestEveryResourceIsCounted:
    def test_honest_classmates_keep_their_exact_scores(self, batch):
        assert_honest_exact(batch["rows"])

    def test_no_attack_earns_a_point(self, batch):
        for name in RESOURCE_ATTACKS:
            assert batch["rows"][name]["score"] == "0", (name, batch["rows"][name])

    def test_a_message_of_many_frames_is_refused_and_the_worker_stays_bounded(self, batch):
        row = batch["rows"]["message_frames"]
        assert row["status"] == "error", row
        assert (
            "the kernel sent a message of 1,200 MB" in row["reason"]
            or "the grader's worker for this submission ran out of memory" in row["reason"]
            or f"memory limit of {MEMORY_MB} MB" in row["reason"]
        ), row
        # the worker shares the submission's group: at most --memory-mb + its allowance
        assert batch["peaks"].worker < MEMORY_MB + _limits.WORKER_MEMORY_MB + 50, batch["peaks"].worker

    def test_a_huge_signature_gives_a_short_reason(self, batch):
        row = batch["rows"]["signature_frame"]
        assert row["status"] == "error" and "byte signature" in row["reason"], row
        assert len(row["reason"]) < 2000 and TOKEN not in row["reason"]
        assert batch["out"].stat().st_size < 100_000

    @pytest.mark.parametrize("name", ["tmpfs_fill", "shm_fill"])
    def test_files_in_memory_count_against_the_memory_limit(self, batch, name):
        row = batch["rows"][name]
        assert row["status"] == "error", row
        assert f"memory limit of {MEMORY_MB} MB" in row["reason"] or "No space left" in row["reason"], row

    def test_nothing_can_be_written_to_dev(self, batch):
        row = batch["rows"]["dev_fill"]
        assert row["status"] == "error" and "Read-only file system" in row["reason"], row

    def test_the_host_never_held_more_tmpfs_than_the_limits_allow(self, batch):
        # two jobs at a time, each's /tmp and /dev/shm capped at --memory-mb and its group at --memory-mb
        assert batch["peaks"].shmem < 2 * MEMORY_MB + 100, batch["peaks"].shmem

    @pytest.mark.parametrize("name", ["disk_one_file", "disk_many_files", "tmpfs_one_file"])
    def test_disk_written_is_limited(self, batch, name):
        row = batch["rows"][name]
        assert row["status"] == "error" and f"disk limit of {DISK_MB} MB" in row["reason"], row

    def test_too_many_files_are_over_the_disk_limit(self, batch):
        row = batch["rows"]["many_entries"]
        assert row["status"] == "error" and f"more than {_limits.MAX_FILES:,} files" in row["reason"], row

    def test_too_many_processes_are_refused_and_named(self, batch):
        row = batch["rows"]["process_flood"]
        assert row["status"] == "error" and f"more than {_limits.MAX_TASKS} processes" in row["reason"], row

    def test_nothing_is_left_behind(self, batch):
        assert batch["left"] == []
        assert batch["groups"] == []
        assert batch["tmp_left"] == []

    def test_the_gradebook_reads_with_csv_defaults(self, batch):
        with open(batch["out"], newline="", encoding="utf-8") as stream:
            assert len(list(csv.DictReader(stream))) == len(batch["rows"])


# --- with bubblewrap and without cgroups: the fallback still bounds memory, disk and processes -------

FALLBACK_ATTACKS = ["message_frames", "tmpfs_fill", "shm_fill", "dev_fill", "disk_one_file", "fork_exit_loop"]


@needs_bwrap
def test_without_cgroups_the_sandbox_still_bounds_memory_disk_and_processes(tmp_path):
    notebooks = honest_notebooks()
    notebooks.update({name: notebook_with(_cells(RESOURCE_ATTACKS[name])) for name in FALLBACK_ATTACKS})
    result = grade_batch(
        tmp_path, notebooks, "--chapter", "1", "--jobs", "2", "--sandbox", "bwrap", env={_limits.DISABLE_VARIABLE: "1"}
    )
    rows = result["rows"]
    assert_honest_exact(rows)
    assert result["stderr"].count("no cgroups") == 1
    # The worker may allocate at most its allowance more once the kernel runs (RLIMIT_DATA; polling
    # its resident memory alone let 1.3 GB through on a loaded machine). The 1.2 GB message then
    # either is refused whole (too large: error) or never arrives (zmq could not allocate it: the
    # row is what the notebook earned without it); either way the worker stays within its allowance.
    frames = rows["message_frames"]
    assert frames["status"] == "error" or (frames["status"], frames["score"]) == ("ok", "0"), dict(frames)
    assert result["peaks"].worker < MEMORY_MB + _limits.WORKER_MEMORY_MB + 300, result["peaks"].worker
    for name in ("tmpfs_fill", "shm_fill"):  # the sandbox's memory file systems are capped at --memory-mb
        assert rows[name]["status"] == "error" and "No space left on device" in rows[name]["reason"], rows[name]
    assert result["peaks"].shmem < 2 * MEMORY_MB + 100
    assert "Read-only file system" in rows["dev_fill"]["reason"]
    assert f"disk limit of {DISK_MB} MB" in rows["disk_one_file"]["reason"]
    assert result["left"] == [] and result["tmp_left"] == []


# --- CPU: a classmate beside 150 busy sessions keeps its time -----------------------------------------


@needs_bwrap
@needs_cgroups
def test_a_classmate_beside_150_busy_sessions_keeps_its_time():
    from regcourse.grading import grade_all

    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        honest = [write(folder, f"honest{i}.ipynb", nbformat.read(SOLUTION, as_version=4)) for i in range(3)]
        busy = write(folder, "busy.ipynb", notebook_with(_cells(BUSY_SESSIONS)))
        alone = grade_all(honest[:1], chapter=1, progress=False, sandbox="bwrap")[0]
        beside = grade_all([busy, *honest], chapter=1, jobs=2, progress=False, sandbox="bwrap", timeout=120)
    assert leftovers(TOKEN) == []
    assert beside[0].status == "ok" and beside[0].seconds > 20  # the busy one ran beside all three
    for grade in beside[1:]:
        assert (grade.status, grade.score) == ("ok", FULL), grade
        # without a CPU quota per submission these took 20-35 s (1.1 s alone)
        assert grade.seconds < max(3 * alone.seconds, alone.seconds + 5), (grade.seconds, alone.seconds)


# --- without a sandbox: planted modules, fork loops; with cgroups and without -------------------------

PLANTED = (
    "import os\nfor name in ('torch', 'scipy', 'sklearn', 'matplotlib', 'pandas', 'nbformat', 'zmq'):\n"
    "    for folder in ('..', '.'):\n"
    "        open(os.path.join(folder, name + '.py'), 'w').write(\"open('@MARKER@-' + __name__, 'w').write('x')\\n\")\n"
)


def planted_chapter_07(marker: Path):
    """The untouched chapter-07 exercise with a module planted for every library the worker may import,
    and a (wrong) function for every answer, so that the judge builds torch models in the worker."""
    from regcourse.exercises._probes import ANSWER_NAMES

    stubs = "\n".join(
        f"def {name}(*args, **kwargs):\n    return 0.0" for key, name in ANSWER_NAMES.items() if key.startswith("nn.")
    )
    notebook = nbformat.read(ROOT / "exercises" / "07_neural_networks.ipynb", as_version=4)
    notebook.cells.append(new_code_cell(PLANTED.replace("@MARKER@", str(marker)) + stubs))
    return notebook


def none_batch(tmp_path, env=None, attacks=("fork_exit_loop", "disk_one_file", "memory_hog")):
    marker = tmp_path / "PLANTED"
    notebooks = {"honest_solution": nbformat.read(SOLUTION, as_version=4), "planted": planted_chapter_07(marker)}
    notebooks.update({name: notebook_with(_cells(RESOURCE_ATTACKS[name])) for name in attacks})
    result = grade_batch(tmp_path, notebooks, "--sandbox", "none", "--jobs", "1", env=env)
    result["planted_ran"] = sorted(p.name for p in tmp_path.glob("PLANTED*"))
    return result


def assert_none_batch(result):
    rows = result["rows"]
    assert (rows["honest_solution"]["status"], rows["honest_solution"]["score"]) == ("ok", str(FULL))
    assert rows["planted"]["chapter"] == "7" and rows["planted"]["score"] == "0", rows["planted"]
    assert result["planted_ran"] == []  # no planted module was imported by the grader
    disk = rows["disk_one_file"]
    assert disk["status"] == "error" and f"disk limit of {DISK_MB} MB" in disk["reason"], disk
    hog = rows["memory_hog"]
    assert hog["status"] == "error" and f"memory limit of {MEMORY_MB} MB" in hog["reason"], hog
    assert result["left"] == []  # the fork loop did not survive
    assert result["tmp_left"] == []


@needs_cgroups
def test_without_a_sandbox_planted_modules_never_run_and_fork_loops_die(tmp_path):
    try:
        result = none_batch(
            tmp_path, attacks=("fork_exit_loop", "disk_one_file", "memory_hog", "process_flood", "host_shm_fill")
        )
    finally:
        for left in Path("/dev/shm").glob(f"{TOKEN}-*"):
            left.unlink()
    assert_none_batch(result)
    # the cgroup limits hold without a sandbox too (its /tmp is then the host's)
    flood = result["rows"]["process_flood"]
    assert flood["status"] == "error" and f"more than {_limits.MAX_TASKS} processes" in flood["reason"], flood
    fill = result["rows"]["host_shm_fill"]
    assert fill["status"] == "error" and f"memory limit of {MEMORY_MB} MB" in fill["reason"], fill
    assert result["groups"] == []
    assert "warning" not in result["stderr"]


def test_without_a_sandbox_or_cgroups_the_sweep_still_kills_fork_loops(tmp_path):
    result = none_batch(tmp_path, env={_limits.DISABLE_VARIABLE: "1"})
    assert_none_batch(result)
    # the fallback is said once, with what it does instead
    assert result["stderr"].count("no cgroups") == 1 and "polling" in result["stderr"], result["stderr"]


# --- the mechanisms, without grading ----------------------------------------------------------------


def test_the_sweep_outruns_a_process_that_forks_and_exits_in_a_loop():
    code = (
        "import os, subprocess, sys\n"
        "from regcourse.grading import _sandbox\n"
        "_sandbox.become_subreaper()\n"
        f"subprocess.Popen([sys.executable, '-c', 'import os, time  # {TOKEN}sweep\\nend = time.time() + 60\\n"
        "while time.time() < end:\\n    if os.fork():\\n        os._exit(0)\\n'], start_new_session=True)\n"
        "import time\ntime.sleep(1)\n"
        "print(_sandbox.kill_descendants(os.getpid()))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    time.sleep(0.5)
    assert result.stdout.strip() == "True", result.stderr
    assert leftovers(f"{TOKEN}sweep") == []


def test_kill_descendants_sweeps_a_fork_loop_from_outside_the_subreaper():
    # as the grader does on a timeout: the worker (a subreaper) is alive, the loop runs under it
    # (the stand-in collects its adopted zombies, as the worker does: a killed subreaper's zombies
    # go to init, and not every init collects them)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from regcourse.grading import _sandbox\n_sandbox.become_subreaper()\n"
            "import os, subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', 'import os, time  # {TOKEN}outer\\n"
            "end = time.time() + 60\\nwhile time.time() < end:\\n    if os.fork():\\n"
            "        os._exit(0)\\n'], start_new_session=True)\n"
            "end = time.time() + 60\nwhile time.time() < end:\n"
            "    try:\n        os.waitpid(-1, 0)\n    except ChildProcessError:\n"
            "        time.sleep(0.01)\n",
        ]
    )
    try:
        time.sleep(1.5)
        assert leftovers(f"{TOKEN}outer") != []
        assert kill_descendants(worker.pid)
    finally:
        worker.kill()
        worker.wait()
    time.sleep(0.5)
    assert leftovers(f"{TOKEN}outer") == []


def test_folder_usage_walks_any_depth_without_following_links(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 1_000_000)
    (tmp_path / "link").symlink_to("/usr")
    fd = os.open(tmp_path, os.O_RDONLY)
    for _ in range(3000):  # deeper than PATH_MAX allows by name, and than the open-file limit
        os.mkdir("deep", dir_fd=fd)
        below = os.open("deep", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = below
    with open(os.open("hidden", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "wb") as stream:
        stream.write(b"y" * 3_000_000)
    os.close(fd)
    usage = _limits.folder_usage(tmp_path)
    assert usage.largest_file == 3_000_000
    assert usage.entries == 3000 + 3  # a, link, the 3,000 folders and the file at the bottom
    assert 4_000_000 <= usage.bytes < 4_000_000 + 3001 * 64 * 1024
    assert _limits.folder_usage(tmp_path, max_entries=10).entries == 11  # stops past the cap
    assert remove_tree(tmp_path / "deep")  # (shutil.rmtree, pytest's clean-up, recurses)


V1_MOUNTINFO = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
V1_CGROUP = "8:pids:/user.slice\n4:memory:/docker/abc/inner\n2:cpu,cpuacct:/\n0::/\n"


def test_v1_hierarchies_are_found_per_controller(monkeypatch):
    monkeypatch.setattr(_limits, "_usable", lambda support: support)
    support = _limits.detect(mountinfo=V1_MOUNTINFO, proc_cgroup=V1_CGROUP)
    assert support.version == 1
    assert support.parents == {
        "cpu": Path("/sys/fs/cgroup/cpu,cpuacct"),
        "cpuacct": Path("/sys/fs/cgroup/cpu,cpuacct"),
        "memory": Path("/sys/fs/cgroup/memory/inner"),  # the mount's root is /docker/abc
        "pids": Path("/sys/fs/cgroup/pids/user.slice"),
    }


def test_a_missing_controller_is_said_not_guessed():
    support = _limits.detect(mountinfo=V1_MOUNTINFO.replace(" rw,pids\n", " rw,net_cls\n"), proc_cgroup=V1_CGROUP)
    assert support.version is None and "pids" in support.reason


def fake_v2(tmp_path, controllers="cpuset cpu io memory pids"):
    parent = tmp_path / "grader.scope"
    parent.mkdir()
    (parent / "cgroup.controllers").write_text(controllers + "\n")
    (parent / "cgroup.subtree_control").write_text("")
    (parent / "cgroup.procs").write_text("")
    mountinfo = f"41 31 0:38 / {tmp_path} rw,relatime - cgroup2 cgroup2 rw\n"
    return parent, mountinfo


def test_v2_groups_get_every_limit_in_its_own_file(tmp_path, monkeypatch):
    parent, mountinfo = fake_v2(tmp_path)
    monkeypatch.setattr(_limits, "_usable", lambda support: support)
    support = _limits.detect(mountinfo=mountinfo, proc_cgroup="0::/grader.scope\n")
    assert (support.version, support.parents) == (2, {"": parent})
    run = _limits.RunGroups(support)
    group = run.submission(3, memory_mb=400, cpus=1.5)
    top = parent / run.name / "s3"
    assert (parent / "cgroup.subtree_control").read_text() == "+memory +cpu +pids"
    assert (top / "memory.max").read_text() == str((400 + _limits.WORKER_MEMORY_MB) * 2**20)
    assert (top / "kernel" / "memory.max").read_text() == str(400 * 2**20)
    assert (top / "cpu.max").read_text() == "150000 100000"
    assert (top / "pids.max").read_text() == str(_limits.MAX_TASKS)
    group.add_worker(12345)
    assert (top / "worker" / "cgroup.procs").read_text() == "12345"
    assert (
        group.kernel_launcher()[:2] == ["/bin/sh", "-c"]
        and str(top / "kernel" / "cgroup.procs") in group.kernel_launcher()[2]
    )
    (top / "kernel" / "memory.events").write_text("low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n")
    (top / "memory.events").write_text("oom_kill 1\n")
    (top / "pids.events").write_text("max 4\n")
    (top / "kernel" / "memory.stat").write_text("anon 104857600\nfile 999999999\nshmem 52428800\n")
    assert group.oom_kills() == (1, 1) and group.hit_task_limit() and group.memory_mb() == 150.0


def test_v2_without_the_memory_controller_falls_back_with_the_reason(tmp_path):
    _, mountinfo = fake_v2(tmp_path, controllers="cpu io pids")
    support = _limits.detect(mountinfo=mountinfo, proc_cgroup="0::/grader.scope\n")
    assert support.version is None and "memory" in support.reason


@needs_cgroups
def test_this_machine_runs_a_group_end_to_end():
    """Real groups: the memory limit stops a process and is counted; the group is removed after."""
    groups, warning = _limits.run_groups()
    assert warning is None and groups is not None
    try:
        with _limits.submission_group(groups, 0, memory_mb=100, cpus=1) as group:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys; sys.stdin.read(1)\nimport subprocess\n"
                    f"subprocess.run({group.kernel_launcher()!r} + [sys.executable, '-c', "
                    "'b = bytearray(300 * 2**20)\\nfor i in range(0, len(b), 4096): b[i] = 1'])",
                ],
                stdin=subprocess.PIPE,
            )
            group.add_worker(worker.pid)
            worker.communicate(b"x", timeout=60)
            assert group.oom_kills()[0] >= 1
    finally:
        groups.close()
    assert run_groups_left() == []
