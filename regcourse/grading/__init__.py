"""Grade a folder of submitted exercise notebooks into a gradebook.

    regcourse grade submissions/*.ipynb --chapter 4 --out gradebook.csv --feedback feedback/

Threat model: the grade reflects what the submitted notebook's own code computes and nothing
else; no submission affects another's grade, files or feedback, or the instructor's files;
everything a submission starts dies with its grading. So:

- every original is read once, hashed (SHA-256) and copied to a private folder before any
  notebook runs; the gradebook records the hash, and an original that changed during the run
  is reported;
- each copy runs in its own kernel inside a sandbox (``_sandbox.py``: bubblewrap when present);
- the verdicts are computed outside the kernel (``_judge.py``): the grader reads each answer as
  data and calls the learner's functions on cases drawn from a secret seed per run; the
  in-notebook ``check()`` calls show feedback but do not count;
- every process of a submission is killed when its grading ends, and a run's temporary folder
  is removed, by the next run if this one was killed.

Every submission gets a row, whatever happens:
    ok       the notebook ran to the end without an error outside the checks
    error    a cell raised, the kernel died, or the memory limit was hit
    timeout  the notebook did not finish within the time limit
    invalid  the file is not a readable notebook (empty, corrupt, not a notebook)
"""

from __future__ import annotations

import math
import os
import secrets
import warnings
from concurrent.futures import ThreadPoolExecutor

from regcourse._text import path_name
from regcourse.grading._gradebook import (  # noqa: F401 (_feedback_names: for the tests)
    _feedback_names,
    feedback_text,
    gradebook_columns,
    read_gradebook_rows,
    write_feedback,
    write_gradebook,
)
from regcourse.grading import _limits
from regcourse.grading._sandbox import AUTO, MODES, SandboxUnavailable
from regcourse.grading._submission import (
    DEFAULT_CHECK_SECONDS,
    DEFAULT_DISK_MB,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    ERROR,
    INVALID,
    OK,
    TIMEOUT,
    Graded,
    grade_bytes,
    metadata_chapter,
    read_notebook,
    sha256,
    unjudged,
)

__all__ = [
    "DEFAULT_DISK_MB", "DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "ERROR", "INVALID", "OK", "TIMEOUT", "MODES", "Graded",
    "GradingToolsMissing", "SandboxUnavailable", "WeakIsolationWarning", "feedback_text", "grade_all", "grade_submission",
    "gradebook_columns", "read_gradebook_rows", "require_grading_tools", "write_feedback", "write_gradebook",
]


class WeakIsolationWarning(UserWarning):
    """Grading runs without bubblewrap: see the README's instructor section."""


class GradingToolsMissing(RuntimeError):
    """A package the grader needs is not installed."""


def require_grading_tools() -> None:
    """Fail early, and clearly, when the grader's packages are missing."""
    import importlib.util

    missing = [name for name in ("nbclient", "nbformat", "ipykernel", "psutil", "jupyter_client")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise GradingToolsMissing(
            f"grading needs {', '.join(missing)}; install them with: python -m pip install -e \".[grade]\""
        )


def _check_limits(timeout, memory_mb, jobs, chapter, disk_mb=DEFAULT_DISK_MB) -> None:
    for name, value in (("timeout", timeout), ("memory_mb", memory_mb), ("disk_mb", disk_mb)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number above 0, got {value!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    if chapter is not None and (isinstance(chapter, bool) or not isinstance(chapter, int)):
        raise ValueError(f"chapter must be a whole number, got {chapter!r}")


def _read_original(path) -> tuple[bytes | None, str]:
    try:
        with open(path, "rb") as stream:
            return stream.read(), ""
    except OSError as err:
        return None, f"could not read the file ({type(err).__name__}: {err.strerror or err})"


def _assignment_chapter(datas: list[bytes | None]) -> int | None:
    """The chapter all readable submissions agree on, if they do."""
    chapters = set()
    for data in datas:
        if data is None:
            continue
        try:
            chapters.add(metadata_chapter(read_notebook(data)))
        except ValueError:
            continue
    chapters.discard(None)
    return chapters.pop() if len(chapters) == 1 else None


def grade_all(paths, *, timeout: float = DEFAULT_TIMEOUT, memory_mb: float = DEFAULT_MEMORY_MB, jobs: int = 1,
              chapter: int | None = None, progress: bool = True, sandbox: str = AUTO,
              resume_rows: list[dict] | None = None, check_seconds: float = DEFAULT_CHECK_SECONDS,
              disk_mb: float = DEFAULT_DISK_MB, warn=None) -> list[Graded]:
    """Grade every submission (``jobs`` at a time) and return the grades in input order.

    ``chapter`` is the assignment's chapter and wins over each notebook's metadata (a
    mismatch goes into the reason); without it, each notebook's metadata decides, and a
    notebook without metadata gets the chapter all the others agree on. ``sandbox`` is
    "auto" (bubblewrap when it works here, else none with a warning), "bwrap" or "none".
    ``resume_rows`` are rows of an earlier gradebook: a submission whose file still has the
    row's SHA-256 keeps that row and is not graded again.

    Each submission's resources are limited by the operating system where it can
    (``_limits``: cgroups for memory, CPU share and processes; RLIMIT_FSIZE and a watched folder
    for ``disk_mb``); where cgroups cannot be used, ``warn`` hears once what is used instead.
    """
    from tqdm.auto import tqdm

    from regcourse.grading import _sandbox

    require_grading_tools()
    _check_limits(timeout, memory_mb, jobs, chapter, disk_mb)
    say = warn or (lambda text: warnings.warn(text, WeakIsolationWarning, stacklevel=3))
    mode, warning = _sandbox.choose(sandbox)
    if warning:
        say(warning)
    _sandbox.clean_stale_runs()
    groups, warning = _limits.run_groups()
    if warning:
        say(warning)
    cpus = max(1.0, (os.cpu_count() or 1) // jobs)

    paths = [os.fspath(p) for p in paths]
    originals = [_read_original(p) for p in paths]  # every copy is taken before any notebook runs
    datas = [data for data, _ in originals]
    assignment = _assignment_chapter(datas) if chapter is None else None
    kept = {(row.get("submission"), row.get("sha256")): row for row in resume_rows or []}
    seed = secrets.randbits(62)

    with _sandbox.RunFolder() as run, \
            tqdm(total=len(paths), desc="grading", unit="notebook", disable=not progress) as bar:

        def grade_one(index: int) -> Graded:
            path, (data, problem) = paths[index], originals[index]
            try:
                if data is None:
                    fallback = chapter if chapter is not None else assignment
                    return Graded(path, INVALID, problem, fallback, unjudged(fallback))
                row = kept.get((path_name(path), sha256(data)))
                if row is not None:
                    return Graded(path, row.get("status", ""), row.get("reason", ""), sha256=sha256(data),
                                  resumed_row=row)
                with _limits.submission_group(groups, index, memory_mb=memory_mb, cpus=cpus) as group:
                    return grade_bytes(path, data, run.path / f"s{index}", run_folder=run.path,
                                       forced_chapter=chapter, assignment_chapter=assignment, sandbox=mode,
                                       seed=seed, timeout=timeout, memory_mb=memory_mb, check_seconds=check_seconds,
                                       disk_mb=disk_mb, group=group)
            except Exception as err:  # a row even if the grader itself fails on this submission
                fallback = chapter if chapter is not None else assignment
                return Graded(path, ERROR, f"the grader failed on this submission ({type(err).__name__}: {err})",
                              fallback, unjudged(fallback), sha256=sha256(data) if data is not None else "")
            finally:
                bar.update(1)

        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                grades = list(pool.map(grade_one, range(len(paths))))
        finally:
            if groups is not None:
                groups.close()

    for grade, (data, _) in zip(grades, originals):  # the originals must be as they were
        if data is None:
            continue
        now, _ = _read_original(grade.path)
        if now is None or sha256(now) != sha256(data):
            changed = "was removed" if now is None else f"changed (now SHA-256 {sha256(now)[:12]}…)"
            note = f"the original file {changed} during grading; graded as it was when grading started"
            grade.reason = "; ".join(r for r in (grade.reason, note) if r)
            if grade.resumed_row is not None:
                grade.resumed_row = dict(grade.resumed_row, reason=grade.reason)
    return grades


def grade_submission(path, *, timeout: float = DEFAULT_TIMEOUT, memory_mb: float = DEFAULT_MEMORY_MB,
                     chapter: int | None = None, sandbox: str = AUTO) -> Graded:
    """Grade one notebook (see ``grade_all``). Never raises for the submission."""
    return grade_all([path], timeout=timeout, memory_mb=memory_mb, chapter=chapter, sandbox=sandbox,
                     progress=False)[0]
