"""Grading one submission: its private copy, its worker, the limits, and its row.

The original file is read once, hashed (SHA-256) and copied into a private folder; the worker
(``_worker.py``) runs the copy in a sandboxed kernel and judges it; this process watches the
worker's whole process tree for the time and memory limits and kills all of it when one is
crossed. Whatever happens, the submission gets a ``Graded``.

Two time limits: ``cell_timeout`` per cell, enforced by the worker (the cell is interrupted, the
next cells run and the answers are judged: an ``error`` row naming the cell, graded as if the
cell had raised; a kernel that does not stop when interrupted gives a ``timeout`` row, 0 points),
and ``timeout`` for the whole run, enforced here (a ``timeout`` row, 0 points).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from regcourse._text import bounded, path_name, printable
from regcourse.exercises import _registry
from regcourse.exercises._result import FAILED, MISSING, PASSED, STATUSES, Result
from regcourse.exercises._written import chapter_written, written_answer
from regcourse.grading import _limits, _sandbox

OK, ERROR, TIMEOUT, INVALID = "ok", "error", "timeout", "invalid"
DEFAULT_TIMEOUT = 300.0
DEFAULT_CELL_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 2000.0
DEFAULT_CHECK_SECONDS = 10.0
DEFAULT_DISK_MB = 1000.0
_POLL_SECONDS = 0.1


class GradingInterrupted(Exception):
    """The run was asked to stop (``stop`` was set): this submission was not graded, and everything
    it started has been killed. It gets no row, so that ``--resume`` grades it next time."""


@dataclass
class Graded:
    """The grade of one submission."""

    submission: str  # the file name as given, readable (non-UTF-8 bytes as \\xNN)
    status: str
    reason: str = ""
    chapter: int | None = None
    results: dict[str, Result] = field(default_factory=dict)  # by exercise id, in registry order
    seconds: float = 0.0  # wall time of the run
    peak_memory_mb: float = 0.0  # the submission's processes' largest total resident memory seen
    cpu_seconds: float = 0.0  # CPU time of the worker, the kernel and its children, as last polled
    cell_seconds: dict[int, float] = field(default_factory=dict)  # code cell number (from 1) -> run time
    sha256: str = ""  # of the original file, as graded
    path: str | None = None  # the original path (may hold non-UTF-8 bytes as surrogates)
    resumed_row: dict | None = None  # the gradebook row kept by --resume
    written: dict[str, str | None] = field(default_factory=dict)  # written question id -> the answer's text
    written_points: dict[str, float] = field(default_factory=dict)  # -> the points the instructor gave
    written_comments: dict[str, str] = field(default_factory=dict)  # -> the instructor's comment
    student: str = ""  # the LMS id, the student's folder, or the file's stem (see _sources.py)
    roster: str = ""  # the student's name on --roster, or "not on the roster"
    graded_with: str = ""  # the settings it was graded with, as the gradebook's graded_with column says them

    def __post_init__(self):
        self.path = self.path if self.path is not None else self.submission
        self.submission = path_name(self.submission)
        self.reason = bounded(printable(self.reason))

    @property
    def slowest_cell(self) -> tuple[int, float] | None:
        """(cell number, seconds) of the slowest code cell, or None when no timing was recorded."""
        if not self.cell_seconds:
            return None
        number = max(self.cell_seconds, key=self.cell_seconds.get)
        return number, self.cell_seconds[number]

    @property
    def score(self) -> int:
        if self.resumed_row is not None:
            return int(self.resumed_row.get("score") or 0)
        return sum(r.points for r in self.results.values())

    @property
    def graded_chapter(self) -> int | None:
        """The chapter graded, also for a row kept by --resume."""
        if self.chapter is not None or self.resumed_row is None:
            return self.chapter
        text = str(self.resumed_row.get("chapter", "")).strip()
        return int(text) if text.isdigit() else None

    @property
    def total(self) -> float:
        """The score plus the points given by hand to written answers."""
        return self.score + sum(self.written_points.values())

    @property
    def total_max(self) -> int:
        return self.max_score + sum(q.points for q in chapter_written(self.graded_chapter))

    @property
    def max_score(self) -> int:
        if self.resumed_row is not None:
            return int(self.resumed_row.get("max_score") or 0)
        return sum(r.max_points for r in self.results.values())


def unjudged(chapter: int | None) -> dict[str, Result]:
    """Every exercise of the chapter at 0 points, for a run that gave no answers to read.

    No hint: the reason is the run's, said once in the feedback.
    """
    if chapter is None:
        return {}
    return {ex.id: Result(ex.id, ex.title, MISSING, 0, ex.points, "") for ex in _registry.chapter_exercises(chapter)}


def _results_from_report(chapter: int, entries) -> dict[str, Result]:
    """The worker's verdicts, with points taken from the registry."""
    by_id = {e.get("id"): e for e in entries if isinstance(e, dict)} if isinstance(entries, list) else {}
    results = {}
    for ex in _registry.chapter_exercises(chapter):
        entry = by_id.get(ex.id, {})
        status = entry.get("status") if entry.get("status") in STATUSES else (MISSING if not entry else FAILED)
        results[ex.id] = Result(
            ex.id, ex.title, status, ex.points if status == PASSED else 0, ex.points, str(entry.get("hint", ""))
        )
    return results


def _cell_list(entries, shown: int = 2) -> str:
    """ "cell 14", "cells 14, 15" or "cells 14, 15 (and 3 more)" from the worker's entries."""
    numbers = [str(entry.get("cell")) for entry in entries if isinstance(entry, dict)]
    if len(numbers) == 1:
        return f"cell {numbers[0]}"
    more = len(numbers) - shown
    return f"cells {', '.join(numbers[:shown])}" + (f" (and {more} more)" if more > 0 else "")


def _status_from_report(outcome: dict | None, returncode: int | None) -> tuple[str, str]:
    if outcome is None:
        return ERROR, f"the grading worker stopped unexpectedly (exit code {returncode})"
    if outcome.get("kernel_died"):
        return ERROR, f"the kernel died: {outcome['kernel_died']}"
    limit = outcome.get("cell_timeout")
    limit = f"{limit:g}" if isinstance(limit, (int, float)) else "?"
    if isinstance(outcome.get("stuck"), dict):
        return TIMEOUT, (
            f"cell {outcome['stuck'].get('cell')} ran for more than {limit} s and did not stop when "
            "interrupted: the notebook was stopped there and its answers could not be read"
        )
    reasons = []
    interrupted = outcome.get("interrupted") if isinstance(outcome.get("interrupted"), list) else []
    if interrupted:
        were = "was" if len(interrupted) == 1 else "were"
        reasons.append(f"{_cell_list(interrupted)} ran for more than {limit} s and {were} interrupted")
    if outcome.get("errors"):
        first = outcome["errors"][0]
        more = len(outcome["errors"]) - 1
        extra = f" (and {more} more cell{'s' if more > 1 else ''})" if more else ""
        reasons.append(f"cell {first['cell']} raised {first['ename']}: {first['evalue']}{extra}")
    if reasons:
        return ERROR, "; ".join(reasons)
    return OK, ""


def metadata_chapter(notebook) -> int | None:
    """The chapter a notebook's metadata names, if it is a whole number (not True or 4.0)."""
    metadata = notebook.get("metadata", {}).get("regcourse", {})
    chapter = metadata.get("chapter") if isinstance(metadata, dict) else None
    return chapter if isinstance(chapter, int) and not isinstance(chapter, bool) else None


def read_notebook(data: bytes):
    """The notebook in ``data``; raises ValueError with a readable reason when it is not one."""
    import nbformat

    if not data.strip():
        raise ValueError("the file is empty")
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        nbformat.validate(notebook)
    except Exception as err:
        detail = str(err).splitlines()[0] if str(err) else ""
        raise ValueError(f"not a readable notebook ({type(err).__name__}: {detail[:200]})") from None
    return notebook


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _worker_env(work: Path) -> dict[str, str]:
    """The environment of the worker and the kernel: nothing of the grader's beyond what Python needs."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(work),
        "TMPDIR": str(work / ".tmp"),
        "MPLBACKEND": "Agg",
        "KERAS_BACKEND": "torch",
        "MPLCONFIGDIR": str(work / ".matplotlib"),
        "IPYTHONDIR": str(work / ".ipython"),
        "JUPYTER_RUNTIME_DIR": str(work / ".runtime"),
        "JUPYTER_CONFIG_DIR": str(work / ".jupyter"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        # no JIT compiling inside a submission's limits (regcourse.linear's NumPy routes), unless the
        # grader's own environment says otherwise (benchmarks/notebooks.py measures a learner's kernel)
        "REGCOURSE_NUMBA": os.environ.get("REGCOURSE_NUMBA", "0"),
        **_sandbox.THREAD_LIMITS,
    }
    for name in ("PYTHONPATH", "VIRTUAL_ENV", "COVERAGE_PROCESS_START"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _prepare_work(work: Path) -> None:
    for sub in (".tmp", ".matplotlib", ".ipython", ".runtime", ".jupyter"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    try:  # matplotlib's font list, so that each kernel does not rebuild it
        import matplotlib

        for cached in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
            shutil.copy(cached, work / ".matplotlib" / cached.name)
    except Exception:
        pass


# Started with -c, not -m: -m puts the working directory (the submission's folder, which a kernel
# without a sandbox can write to) first on sys.path, so a planted torch.py would run in the grader.
_WORKER_COMMAND = "import sys; del sys.path[0]; from regcourse.grading._worker import main; main()"
_DISK_POLL_SECONDS = 1.0


def _over_disk(usage, disk_mb: float) -> str | None:
    if usage.entries > _limits.MAX_FILES:
        return f"created more than {_limits.MAX_FILES:,} files and folders (the disk limit)"
    if usage.bytes > disk_mb * 2**20 or usage.largest_file >= int(disk_mb * 2**20):
        return f"wrote more than the disk limit of {disk_mb:g} MB"
    return None


def _watch(worker_pid: int | None, group, cpu: dict, peak: float, memory_mb: float) -> tuple[str | None, str, float]:
    """(status or None, reason, peak memory) from one look at the submission's memory.

    With a group, the operating system enforces the limits and this reads what it did: a
    process of the kernel's group stopped by the OOM killer is over --memory-mb; one of the
    worker's, over what the worker may hold of what the kernel sends. Without one, the resident
    memory of the worker's descendants (the kernel and all it started) is compared with the limit.
    """
    if group is not None:
        peak = max(peak, group.memory_mb())
        in_kernel, in_submission = group.oom_kills()
        if in_kernel:
            return ERROR, f"used more than the memory limit of {memory_mb:g} MB", peak
        if in_submission:
            return (
                ERROR,
                (
                    "the grader's worker for this submission ran out of memory: the kernel sent it more "
                    f"than it may hold ({_limits.WORKER_MEMORY_MB} MB)"
                ),
                peak,
            )
        return None, "", peak
    if worker_pid is None:
        return None, "", peak
    memory = _sandbox.tree_memory_mb(worker_pid, cpu)
    peak = max(peak, memory)
    if memory > memory_mb:
        return ERROR, f"used more than the memory limit of {memory_mb:g} MB", peak
    if _sandbox.process_memory_mb(worker_pid) > memory_mb + _limits.WORKER_MEMORY_MB:
        return (
            ERROR,
            (
                "the grader's worker for this submission ran out of memory: the kernel sent it more "
                f"than it may hold ({_limits.WORKER_MEMORY_MB} MB)"
            ),
            peak,
        )
    return None, "", peak


def _stop_worker(worker: subprocess.Popen, group) -> None:
    """Kill the worker and everything the submission started.

    The worker is asked first (SIGTERM): it sweeps its tree and collects the processes it adopted,
    which would otherwise stay as zombies of a process that is gone (not every init collects them).
    Then the group, or the worker's tree, is killed outright, whatever the worker did."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(3)
        except subprocess.TimeoutExpired:
            pass
    if group is not None:
        group.kill()
    if worker.poll() is None:  # not yet collected, so its PID is still its own and not a classmate's
        _sandbox.kill_descendants(worker.pid)
        worker.kill()
    worker.wait()


def run_in_sandbox(
    data: bytes,
    folder: Path,
    *,
    run_folder: Path,
    chapter: int | None,
    sandbox: str,
    seed: int,
    timeout: float,
    memory_mb: float,
    check_seconds: float = DEFAULT_CHECK_SECONDS,
    disk_mb: float = DEFAULT_DISK_MB,
    group=None,
    stop=None,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
) -> dict:
    """Run a notebook (its bytes) in a worker and a sandboxed kernel; what happened, as a dict:
    status, reason, results (or None), seconds, peak_memory_mb, cell_seconds, cpu_seconds.

    ``group`` (a ``_limits.SubmissionGroup``) holds the worker and everything it starts: the
    operating system then enforces memory, CPU and processes, and kills all of it at the end.
    Without one, this process polls the processes' resident memory instead. Disk is limited per
    file (RLIMIT_FSIZE, in the worker) and for the working folder as a whole (polled here).
    ``stop`` (a ``threading.Event``), when set, kills the run and raises GradingInterrupted."""
    folder.mkdir(parents=True)
    work = folder / "w"
    work.mkdir()
    _prepare_work(work)
    copy, report = folder / "submission.ipynb", folder / "report.json"
    # (short names: the kernel's Unix sockets live in work/.ipc, and their paths have a length limit)
    copy.write_bytes(data)
    with open(folder / "worker.log", "wb") as log:
        # its own session: a Ctrl-C in the instructor's terminal reaches the grader only, which stops
        # the run in order (a worker interrupted mid-judging would otherwise leave a false row)
        worker = subprocess.Popen(
            [sys.executable, "-c", _WORKER_COMMAND],
            cwd=folder,
            start_new_session=True,
            env=_worker_env(work),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=log,
        )
    started, status, reason, peak, cpu = time.monotonic(), None, "", 0.0, {}
    if group is not None:  # the worker waits for its configuration: nothing of it runs outside the group
        try:
            group.add_worker(worker.pid)
        except OSError:
            group = None  # polled instead, as on a machine without cgroups
    config = {
        "notebook": str(copy),
        "report": str(report),
        "work": str(work),
        "run_folder": str(run_folder),
        "timeout": timeout,
        "cell_timeout": cell_timeout,
        "chapter": chapter,
        "sandbox": sandbox,
        "seed": seed,
        "check_seconds": check_seconds,
        "parent_pid": os.getpid(),
        "memory_mb": memory_mb,
        "disk_bytes": int(disk_mb * 2**20),
        "kernel_prefix": group.kernel_launcher() if group else [],
    }
    try:
        worker.stdin.write(json.dumps(config).encode())
        worker.stdin.close()
    except OSError:
        pass
    next_disk_check = started + _DISK_POLL_SECONDS
    try:
        while worker.poll() is None:
            status, reason, peak = _watch(worker.pid, group, cpu, peak, memory_mb)
            now = time.monotonic()
            if status is None and now >= next_disk_check:
                next_disk_check = now + _DISK_POLL_SECONDS
                over = _over_disk(_limits.folder_usage(work), disk_mb)
                if over:
                    status, reason = ERROR, over
            if status is None and now - started > timeout:
                status, reason = TIMEOUT, f"did not finish within {timeout:g} s"
            if status or (stop is not None and stop.is_set()):
                break
            time.sleep(_POLL_SECONDS)
    finally:  # everything the submission started dies here, whatever happened
        _stop_worker(worker, group)
    if stop is not None and stop.is_set() and status is None:
        raise GradingInterrupted(str(folder))
    if status is None:  # a limit the kernel enforced (a process killed, a file cut) ends the run too
        status, reason, peak = _watch(None, group, cpu, peak, memory_mb)
    if status is None:
        over = _over_disk(_limits.folder_usage(work), disk_mb)
        if over:
            status, reason = ERROR, over
    notes = []
    if group is not None:
        if group.hit_task_limit():
            notes.append(
                f"tried to run more than {_limits.MAX_TASKS} processes and threads at once (the limit "
                "per submission): starting more failed"
            )
        cpu_total = group.cpu_seconds()
        if cpu_total is not None:
            cpu = {0: cpu_total}
    seconds = time.monotonic() - started
    outcome = None
    if status is None:
        try:
            outcome = json.loads(report.read_text(encoding="utf-8"))
            if not isinstance(outcome, dict):
                outcome = None
        except (OSError, ValueError):
            outcome = None
        status, reason = _status_from_report(outcome, worker.returncode)
    if "[Errno 27]" in reason:  # EFBIG: RLIMIT_FSIZE stopped a file, wherever it was
        notes.append(f"no file may pass the disk limit of {disk_mb:g} MB")
    if notes:
        status = ERROR if status == OK else status
        reason = "; ".join(r for r in (reason, *notes) if r)
    results = None
    if outcome is not None and chapter is not None and isinstance(outcome.get("results"), list):
        results = _results_from_report(chapter, outcome["results"])
    cell_seconds = {}
    if outcome is not None and isinstance(outcome.get("cell_seconds"), dict):
        try:
            cell_seconds = {int(k): float(v) for k, v in outcome["cell_seconds"].items()}
        except (TypeError, ValueError):
            cell_seconds = {}
    return {
        "status": status,
        "reason": reason,
        "results": results,
        "seconds": seconds,
        "peak_memory_mb": peak,
        "cell_seconds": cell_seconds,
        "cpu_seconds": sum(cpu.values()),
    }


def resolve_chapter(notebook, forced: int | None, assignment: int | None) -> tuple[int | None, str]:
    """(the chapter to grade, a note for the reason). ``forced`` is --chapter and wins."""
    own = metadata_chapter(notebook)
    if forced is not None:
        if own is not None and own != forced:
            return forced, f"the notebook's metadata says chapter {own}; graded as chapter {forced} (--chapter)"
        return forced, ""
    if own is not None:
        return own, ""
    if assignment is not None:
        return assignment, ""
    return None, "the notebook does not say which chapter it is and --chapter was not given: nothing was graded"


def grade_bytes(
    name,
    data: bytes,
    folder: Path,
    *,
    run_folder: Path,
    forced_chapter: int | None,
    assignment_chapter: int | None,
    sandbox: str,
    seed: int,
    timeout: float,
    memory_mb: float,
    check_seconds: float = DEFAULT_CHECK_SECONDS,
    disk_mb: float = DEFAULT_DISK_MB,
    group=None,
    stop=None,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
) -> Graded:
    """Grade one submission from its bytes. Never raises for the submission; raises
    GradingInterrupted when ``stop`` is set while it runs."""
    digest = sha256(data)
    try:
        notebook = read_notebook(data)
    except ValueError as err:
        chapter = forced_chapter if forced_chapter is not None else assignment_chapter
        return Graded(name, INVALID, str(err), chapter, unjudged(chapter), sha256=digest)
    chapter, note = resolve_chapter(notebook, forced_chapter, assignment_chapter)
    if chapter is not None and not _registry.chapter_exercises(chapter):
        chapter, note = None, f"chapter {chapter} has no exercises: nothing was graded"
    run = run_in_sandbox(
        data,
        folder,
        run_folder=run_folder,
        chapter=chapter,
        sandbox=sandbox,
        seed=seed,
        timeout=timeout,
        memory_mb=memory_mb,
        check_seconds=check_seconds,
        disk_mb=disk_mb,
        group=group,
        stop=stop,
        cell_timeout=cell_timeout,
    )
    results = run["results"] if run["results"] is not None else unjudged(chapter)
    reason = "; ".join(r for r in (run["reason"], note) if r)
    written = {question.id: written_answer(notebook, question) for question in chapter_written(chapter)}
    return Graded(
        name,
        run["status"],
        reason,
        chapter,
        results,
        seconds=run["seconds"],
        written=written,
        peak_memory_mb=run["peak_memory_mb"],
        cell_seconds=run["cell_seconds"],
        sha256=digest,
        cpu_seconds=run["cpu_seconds"],
    )
