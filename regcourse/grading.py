"""Grade a folder of submitted exercise notebooks into a gradebook.

    regcourse grade submissions/*.ipynb --out gradebook.csv --feedback feedback/

Each submission runs in a fresh kernel, inside a worker process, with a wall-clock limit and
a memory limit enforced from outside: the parent process watches the worker's whole process
tree (the kernel included) and kills it when a limit is crossed. The kernel writes one JSON
line per check to a log (``REGCOURSE_CHECK_LOG``); scores come from that log and the registry,
so a check that never ran counts as missing with 0 points.

Every submission gets a row, whatever happens:
    ok       the notebook ran to the end without an error outside the checks
    error    a cell raised outside a check, the kernel died, or the memory limit was hit
    timeout  the notebook did not finish within the time limit
    invalid  the file is not a readable notebook (empty, corrupt, not a notebook)
The gradebook is written atomically: it is either the old file or the complete new one.

Student code is untrusted and runs with the grader's permissions. The limits stop runaway
notebooks, not attackers: see the README for grading inside a container or on JupyterHub.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from regcourse.exercises import _registry
from regcourse.exercises._result import MISSING, PASSED, Result

OK, ERROR, TIMEOUT, INVALID = "ok", "error", "timeout", "invalid"
DEFAULT_TIMEOUT = 300
DEFAULT_MEMORY_MB = 2000
_POLL_SECONDS = 0.1


@dataclass
class Graded:
    """The grade of one submission."""

    submission: str
    status: str
    reason: str = ""
    chapter: int | None = None
    results: dict[str, Result] = field(default_factory=dict)  # by exercise id, in registry order
    seconds: float = 0.0  # wall time of the run
    peak_memory_mb: float = 0.0  # the kernel's largest resident memory seen while polling
    cell_seconds: dict[int, float] = field(default_factory=dict)  # code cell number (from 1) -> run time

    @property
    def slowest_cell(self) -> tuple[int, float] | None:
        """(cell number, seconds) of the slowest code cell, or None when no timing was recorded."""
        if not self.cell_seconds:
            return None
        number = max(self.cell_seconds, key=self.cell_seconds.get)
        return number, self.cell_seconds[number]

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results.values())

    @property
    def max_score(self) -> int:
        return sum(r.max_points for r in self.results.values())


# --- reading what the kernel logged --------------------------------------------------


def _read_log(path: Path) -> dict[str, dict]:
    """The last logged result of each exercise id; malformed lines are skipped."""
    latest: dict[str, dict] = {}
    if not path.exists():
        return latest
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            latest[entry["id"]] = entry
    return latest


def _score(chapter: int | None, logged: dict[str, dict]) -> tuple[int | None, dict[str, Result]]:
    """Results for every exercise of the chapter, points taken from the registry."""
    if chapter is None:  # metadata removed: infer the chapter from the checks that ran
        chapters = {ex.chapter for ex in map(_registry.get, logged) if ex is not None}
        chapter = chapters.pop() if len(chapters) == 1 else None
    expected = _registry.chapter_exercises(chapter) if chapter is not None else []
    results = {}
    for ex in expected:
        entry = logged.get(ex.id)
        if entry is None:
            results[ex.id] = Result(ex.id, ex.title, MISSING, 0, ex.points,
                                    "this check never ran: its cell was deleted, changed, or not reached")
            continue
        status = entry.get("status") if entry.get("status") in ("passed", "failed", "not_attempted") else "failed"
        points = ex.points if status == PASSED else 0
        results[ex.id] = Result(ex.id, ex.title, status, points, ex.points, str(entry.get("hint", "")))
    return chapter, results


# --- running one submission ------------------------------------------------------------


def _kill_tree(process: subprocess.Popen) -> None:
    import psutil

    try:
        parent = psutil.Process(process.pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        family = []
    for member in family:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass
    process.wait()


def _tree_memory_mb(pid: int) -> float:
    """Resident memory of the worker's descendants (the kernel and anything it started)."""
    import psutil

    total = 0
    try:
        for child in psutil.Process(pid).children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.NoSuchProcess:
                pass
    except psutil.NoSuchProcess:
        pass
    return total / 2**20


def _read_chapter(path: Path) -> int | None:
    """The chapter from a readable notebook's metadata; raises on an unreadable file."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    chapter = notebook.metadata.get("regcourse", {}).get("chapter")
    return chapter if isinstance(chapter, int) else None


def grade_submission(path: str | Path, *, timeout: float = DEFAULT_TIMEOUT, memory_mb: float = DEFAULT_MEMORY_MB,
                     chapter: int | None = None) -> Graded:
    """Run one submitted notebook in a fresh kernel and grade it. Never raises for the submission.

    ``chapter`` is the assignment's chapter, used when the notebook does not say (an
    unreadable file, or metadata the student removed).
    """
    path = Path(path)
    try:
        chapter = _read_chapter(path) or chapter
    except Exception as err:
        detail = str(err).splitlines()[0] if str(err) else ""
        reason = "the file is empty" if path.exists() and path.stat().st_size == 0 else \
            f"not a readable notebook ({type(err).__name__}: {detail})"
        return Graded(str(path), INVALID, reason, *_score(chapter, {}))

    with tempfile.TemporaryDirectory(prefix="regcourse-grade-") as scratch:
        scratch = Path(scratch)
        log, report = scratch / "checks.jsonl", scratch / "report.json"
        env = {k: v for k, v in os.environ.items() if k != "REGCOURSE_STRICT"}
        env.update(REGCOURSE_CHECK_LOG=str(log), KERAS_BACKEND="torch", MPLBACKEND="Agg")
        worker = subprocess.Popen(
            [sys.executable, "-m", "regcourse.grading", "--worker", str(path.resolve()), str(report), str(timeout)],
            cwd=scratch, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        started, status, reason, peak = time.monotonic(), None, "", 0.0
        while worker.poll() is None:
            memory = _tree_memory_mb(worker.pid)
            peak = max(peak, memory)
            if time.monotonic() - started > timeout:
                status, reason = TIMEOUT, f"did not finish within {timeout:g} s"
            elif memory > memory_mb:
                status, reason = ERROR, f"used more than the memory limit of {memory_mb:g} MB"
            if status:
                _kill_tree(worker)
                break
            time.sleep(_POLL_SECONDS)
        if status is None:
            status, reason = _status_from_report(report, worker.returncode)
        return Graded(str(path), status, reason, *_score(chapter, _read_log(log)),
                      seconds=time.monotonic() - started, peak_memory_mb=peak, cell_seconds=_cell_seconds(report))


def _cell_seconds(report: Path) -> dict[int, float]:
    try:
        timings = json.loads(report.read_text(encoding="utf-8")).get("cell_seconds", {})
    except (OSError, json.JSONDecodeError):
        return {}
    return {int(number): float(seconds) for number, seconds in timings.items()}


def _duration(execution: dict) -> float | None:
    """Seconds between the kernel starting and finishing a cell, from nbclient's timing metadata."""
    from datetime import datetime

    try:
        start = datetime.fromisoformat(execution["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(execution["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError, AttributeError):
        return None
    return (end - start).total_seconds()


def _status_from_report(report: Path, returncode: int) -> tuple[str, str]:
    try:
        outcome = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return ERROR, f"the grading worker stopped unexpectedly (exit code {returncode})"
    if outcome.get("kernel_died"):
        return ERROR, f"the kernel died: {outcome['kernel_died']}"
    if outcome.get("timeout"):
        return TIMEOUT, outcome["timeout"]
    if outcome.get("errors"):
        first = outcome["errors"][0]
        more = len(outcome["errors"]) - 1
        extra = f" (and {more} more cell{'s' if more > 1 else ''})" if more else ""
        return ERROR, f"cell {first['cell']} raised {first['ename']}: {first['evalue']}{extra}"
    return OK, ""


def _worker(notebook_path: str, report_path: str, timeout: float) -> None:
    """Executed in the worker process: run the notebook, write what happened as JSON."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    class GradingClient(NotebookClient):
        # Keep error outputs only: the grade comes from the check log, and dropping the rest
        # keeps a cell that prints megabytes from filling the worker's memory.
        def output(self, outs, msg, display_id, cell_index):
            if msg["msg_type"] == "error":
                return super().output(outs, msg, display_id, cell_index)
            return None

    notebook = nbformat.read(notebook_path, as_version=4)
    client = GradingClient(
        notebook, timeout=int(timeout) + 1, kernel_name="python3", allow_errors=True,
        record_timing=True, resources={"metadata": {"path": os.getcwd()}},
    )
    outcome: dict = {}
    try:
        client.execute()
    except DeadKernelError as err:
        outcome["kernel_died"] = str(err).splitlines()[0] if str(err) else "DeadKernelError"
    except CellTimeoutError:
        outcome["timeout"] = f"a cell ran for more than {timeout:g} s"
    errors = []
    for index, cell in enumerate(notebook.cells, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append({"cell": index, "ename": out.get("ename", ""), "evalue": str(out.get("evalue", ""))[:300]})
    outcome["errors"] = errors
    outcome["cell_seconds"] = {
        index: seconds for index, cell in enumerate(notebook.cells, start=1)
        if cell.cell_type == "code" and (seconds := _duration(cell.get("metadata", {}).get("execution", {}))) is not None
    }
    Path(report_path).write_text(json.dumps(outcome), encoding="utf-8")


# --- many submissions: gradebook and feedback -----------------------------------------


class GradingToolsMissing(RuntimeError):
    """A package the grader needs is not installed."""


def require_grading_tools() -> None:
    """Fail early, and clearly, when the grader's packages are missing."""
    import importlib.util

    missing = [name for name in ("nbclient", "nbformat", "ipykernel", "psutil") if importlib.util.find_spec(name) is None]
    if missing:
        raise GradingToolsMissing(
            f"grading needs {', '.join(missing)}; install them with: python -m pip install -e \".[grade]\""
        )


def _grade_safely(path: Path, **options) -> Graded:
    """grade_submission, with a row even if the grader itself fails on this submission."""
    try:
        return grade_submission(path, **options)
    except Exception as err:
        return Graded(str(path), ERROR, f"the grader failed on this submission ({type(err).__name__}: {err})",
                      *_score(options.get("chapter"), {}))


def _assignment_chapter(paths: list[Path]) -> int | None:
    """The chapter all readable submissions agree on, if they do."""
    chapters = set()
    for path in paths:
        try:
            chapters.add(_read_chapter(path))
        except Exception:
            continue
    chapters.discard(None)
    return chapters.pop() if len(chapters) == 1 else None


def grade_all(paths, *, timeout: float = DEFAULT_TIMEOUT, memory_mb: float = DEFAULT_MEMORY_MB,
              jobs: int = 1, chapter: int | None = None, progress: bool = True) -> list[Graded]:
    """Grade every submission (``jobs`` at a time) and return the grades in input order.

    ``chapter`` defaults to the one chapter all readable submissions belong to, if any.
    """
    from tqdm.auto import tqdm

    require_grading_tools()
    paths = [Path(p) for p in paths]
    chapter = chapter if chapter is not None else _assignment_chapter(paths)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool, \
            tqdm(total=len(paths), desc="grading", unit="notebook", disable=not progress) as bar:
        futures = [pool.submit(_grade_safely, p, timeout=timeout, memory_mb=memory_mb, chapter=chapter)
                   for p in paths]
        for future in futures:
            future.add_done_callback(lambda _: bar.update(1))
        return [future.result() for future in futures]


def gradebook_columns(grades: list[Graded]) -> list[str]:
    """The exercise ids that appear in any grade, in registry order."""
    seen = {exercise_id for grade in grades for exercise_id in grade.results}
    return [ex.id for ex in _registry.all_exercises() if ex.id in seen]


def write_gradebook(grades: list[Graded], out: str | Path) -> None:
    """Write the CSV atomically: a temporary file in the same folder, then a rename.

    Columns: submission, status, score, max_score, one per exercise id (points earned;
    empty when the exercise is not part of that submission's chapter), and reason.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    ids = gradebook_columns(grades)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["submission", "status", "score", "max_score", *ids, "reason"])
            for grade in grades:
                cells = [grade.results[i].points if i in grade.results else "" for i in ids]
                writer.writerow([grade.submission, grade.status, grade.score, grade.max_score, *cells, grade.reason])
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def feedback_text(grade: Graded) -> str:
    """What one student reads: how the run went, the score, each exercise with its hint."""
    lines = [f"Feedback for {grade.submission}", ""]
    run = {OK: "your notebook ran from top to bottom", ERROR: "your notebook stopped with an error",
           TIMEOUT: "your notebook took too long", INVALID: "your file could not be read as a notebook"}[grade.status]
    lines.append(f"Run: {grade.status} — {run}" + (f" ({grade.reason})" if grade.reason else ""))
    if grade.chapter is not None:
        lines.append(f"Chapter {grade.chapter:02d}")
    lines += [f"Score: {grade.score}/{grade.max_score}", ""]
    lines += [str(result) for result in grade.results.values()]
    return "\n".join(lines) + "\n"


def _feedback_names(grades: list[Graded]) -> list[str]:
    """A distinct file name for each submission: its path relative to the submissions'
    common folder, with "/" turned into "__" (alice/04.ipynb -> alice__04.txt)."""
    paths = [Path(os.path.abspath(g.submission)) for g in grades]
    common = Path(os.path.commonpath([p.parent for p in paths])) if paths else Path(".")
    names, used = [], set()
    for path in paths:
        stem = path.relative_to(common).with_suffix("").as_posix().replace("/", "__") or "submission"
        name, n = f"{stem}.txt", 2
        while name in used:
            name, n = f"{stem}-{n}.txt", n + 1
        used.add(name)
        names.append(name)
    return names


def write_feedback(grades: list[Graded], folder: str | Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for grade, name in zip(grades, _feedback_names(grades)):
        target = folder / name
        target.write_text(feedback_text(grade), encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--worker":
    _worker(sys.argv[2], sys.argv[3], float(sys.argv[4]))
