"""Grade a folder of submitted exercise notebooks into a gradebook.

    regcourse grade submissions/*.ipynb --chapter 4 --out gradebook.csv --feedback feedback/

Threat model: the grade reflects what the submitted notebook's own code computes and nothing
else; no submission affects another's grade, files or feedback, or the instructor's files;
everything a submission starts dies with its grading. So:

- every original is read once, hashed (SHA-256) and copied to a private folder before any
  notebook runs; only regular files are read (a link is not followed; a named pipe, a device,
  a socket or a folder is not opened), up to MAX_NOTEBOOK_BYTES; the gradebook records the hash,
  and an original that changed while it was graded is reported;
- each copy runs in its own kernel inside a sandbox (``_sandbox.py``: bubblewrap when present);
- the verdicts are computed outside the kernel (``_judge.py``): the grader reads each answer as
  data and calls the learner's functions on cases drawn from a secret seed per run; the
  in-notebook ``check()`` calls show feedback but do not count;
- every process of a submission is killed when its grading ends; its folder is removed then,
  and the run's temporary folder at the end of the run (``_cleanup.remove_tree``, whatever a
  submission left there), or by the next run if this one was killed.

Each row is final, and handed to ``on_graded``, as soon as its submission is graded, so a caller
can write the gradebook as it goes. When the run is stopped (the ``stop`` event, or an exception
such as KeyboardInterrupt in the calling thread), the running submissions are killed and get no
row, the others are not started, and the run folder is removed before ``grade_all`` raises.

Every submission gets a row, whatever happens:
    ok       the notebook ran to the end without an error outside the checks
    error    a cell raised, a cell ran past ``cell_timeout`` and was interrupted (the other cells
             ran and every answer was judged, as after a cell that raised), the kernel died,
             or the memory limit was hit
    timeout  the notebook did not finish within ``timeout``, or a cell did not stop when
             interrupted (no answer is judged then)
    invalid  the file is not a readable notebook (empty, corrupt, not a notebook, larger than
             MAX_NOTEBOOK_BYTES, or not a regular file: a link, a named pipe, a device, a folder)
"""

from __future__ import annotations

import errno
import math
import os
import secrets
import stat
import threading
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from regcourse._text import path_name
from regcourse.grading import _limits
from regcourse.grading._cleanup import remove_tree
from regcourse.grading._gradebook import (  # noqa: F401 (_feedback_names: for the tests)
    _feedback_names,
    feedback_names,
    feedback_text,
    gradebook_cell,
    gradebook_columns,
    graded_with,
    read_gradebook_rows,
    resumed_gradebook,
    usable_row,
    write_feedback,
    write_gradebook,
    write_one_feedback,
)
from regcourse.grading._sandbox import AUTO, MODES, SandboxUnavailable
from regcourse.grading._sources import Submission
from regcourse.grading._submission import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_CHECK_SECONDS,
    DEFAULT_DISK_MB,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    ERROR,
    INVALID,
    OK,
    TIMEOUT,
    Graded,
    GradingInterrupted,
    grade_bytes,
    metadata_chapter,
    read_notebook,
    sha256,
    unjudged,
)

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "DEFAULT_DISK_MB",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT",
    "ERROR",
    "INVALID",
    "OK",
    "TIMEOUT",
    "MODES",
    "Graded",
    "GradingInterrupted",
    "GradingToolsMissing",
    "SandboxUnavailable",
    "WeakIsolationWarning",
    "feedback_names",
    "feedback_text",
    "grade_all",
    "grade_submission",
    "graded_with",
    "gradebook_columns",
    "read_gradebook_rows",
    "read_submission",
    "require_grading_tools",
    "resumed_gradebook",
    "usable_row",
    "write_feedback",
    "write_gradebook",
    "write_one_feedback",
]

MAX_NOTEBOOK_BYTES = 100 * 2**20  # a larger file is ``invalid``, and no more than this is read


class WeakIsolationWarning(UserWarning):
    """Grading runs without bubblewrap: see the README's instructor section."""


class GradingToolsMissing(RuntimeError):
    """A package the grader needs is not installed."""


def require_grading_tools() -> None:
    """Fail early, and clearly, when the grader's packages are missing."""
    import importlib.util

    missing = [
        name
        for name in ("nbclient", "nbformat", "ipykernel", "psutil", "jupyter_client")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise GradingToolsMissing(
            f'grading needs {", ".join(missing)}; install them with: python -m pip install -e ".[grade]"'
        )


def _check_limits(
    timeout, memory_mb, jobs, chapter, disk_mb=DEFAULT_DISK_MB, cell_timeout=DEFAULT_CELL_TIMEOUT
) -> None:
    for name, value in (
        ("timeout", timeout),
        ("memory_mb", memory_mb),
        ("disk_mb", disk_mb),
        ("cell_timeout", cell_timeout),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number above 0, got {value!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    if chapter is not None and (isinstance(chapter, bool) or not isinstance(chapter, int)):
        raise ValueError(f"chapter must be a whole number, got {chapter!r}")


_NOT_REGULAR = (
    (stat.S_ISLNK, "a symbolic link: links are not followed"),
    (stat.S_ISFIFO, "a named pipe (FIFO), not a regular file"),
    (stat.S_ISDIR, "a directory, not a regular file"),
    (stat.S_ISSOCK, "a socket, not a regular file"),
    (stat.S_ISCHR, "a character device, not a regular file"),
    (stat.S_ISBLK, "a block device, not a regular file"),
)
_MISSING = "the file does not exist"


def _not_regular(mode: int) -> str:
    for test, kind in _NOT_REGULAR:
        if test(mode):
            return kind
    return "" if stat.S_ISREG(mode) else "not a regular file"


def _read_original(path) -> tuple[bytes | None, str]:
    """(the file's bytes, "") or (None, why not). Reads a regular file only, never through a
    symbolic link, never blocking (a named pipe is not opened), and at most MAX_NOTEBOOK_BYTES.
    The reason never holds the path or anything a link points to."""
    try:
        kind = _not_regular(os.lstat(path).st_mode)
        if kind:
            return None, kind
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        if err.errno == errno.ELOOP:  # it became a link after lstat
            return None, _not_regular(stat.S_IFLNK)
        if err.errno == errno.ENOENT:
            return None, _MISSING
        return None, f"could not read the file ({type(err).__name__}: {err.strerror or 'no detail'})"
    try:
        kind = _not_regular(os.fstat(handle).st_mode)  # what was opened, whatever lstat saw
        if kind:
            return None, kind
        chunks, size = [], 0
        while size <= MAX_NOTEBOOK_BYTES:
            chunk = os.read(handle, min(MAX_NOTEBOOK_BYTES + 1 - size, 2**24))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_NOTEBOOK_BYTES:
            return None, f"the file is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB: it was not read"
        return b"".join(chunks), ""
    except OSError as err:
        return None, f"could not read the file ({type(err).__name__}: {err.strerror or 'no detail'})"
    finally:
        os.close(handle)


def read_submission(item: Submission) -> tuple[bytes | None, str]:
    """(the notebook's bytes, "") or (None, why not): a file through ``_read_original``, a zip member
    from its archive (at most MAX_NOTEBOOK_BYTES either way)."""
    if item.zip_path is None:
        return _read_original(item.path)
    try:
        return item.read(MAX_NOTEBOOK_BYTES), ""
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, RuntimeError, EOFError) as err:
        return None, f"could not read it from the zip ({type(err).__name__}: {str(err)[:200]})"


def _note_if_changed(grade: Graded, data: bytes | None, item: Submission) -> None:
    """Say in the row when the original is no longer what was graded."""
    if data is None:
        return
    now, problem = read_submission(item)
    if now is not None and sha256(now) == sha256(data):
        return
    if now is None:
        changed = "was removed" if problem == _MISSING else f"can no longer be read ({problem})"
    else:
        changed = f"changed (now SHA-256 {sha256(now)[:12]}…)"
    note = f"the original file {changed} during grading; graded as it was when grading started"
    grade.reason = "; ".join(r for r in (grade.reason, note) if r)
    if grade.resumed_row is not None:
        grade.resumed_row = dict(grade.resumed_row, reason=grade.reason)


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


def grade_all(
    paths,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: float = DEFAULT_MEMORY_MB,
    jobs: int = 1,
    chapter: int | None = None,
    progress: bool = True,
    sandbox: str = AUTO,
    resume_rows: list[dict] | None = None,
    check_seconds: float = DEFAULT_CHECK_SECONDS,
    disk_mb: float = DEFAULT_DISK_MB,
    warn=None,
    on_graded=None,
    stop: threading.Event | None = None,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
) -> list[Graded]:
    """Grade every submission (``jobs`` at a time) and return the grades in input order.

    ``paths`` holds files, or ``_sources.Submission``s (zip members, and each one's student).

    ``chapter`` is the assignment's chapter and wins over each notebook's metadata (a
    mismatch goes into the reason); without it, each notebook's metadata decides, and a
    notebook without metadata gets the chapter all the others agree on. ``sandbox`` is
    "auto" (bubblewrap when it works here, else none with a warning), "bwrap" or "none".
    ``resume_rows`` are rows of an earlier gradebook: a submission whose file still has the
    row's SHA-256, and whose row was graded with the same settings (its ``graded_with`` cell:
    chapter, limits, the grader's version), keeps that row and is not graded again; ``warn``
    hears once how many rows are graded again only because their settings differ.

    ``on_graded(index, grade)`` is called in the calling thread as each row is final: first
    those that need no run (kept rows, unreadable files), then each as its grading ends. When
    ``stop`` is set, or the calling thread gets an exception (KeyboardInterrupt) while it
    waits, the running submissions are killed, the rest are not started, the run folder is
    removed, and GradingInterrupted is raised (or that exception again): the rows already
    handed to ``on_graded`` are all that was graded.

    ``cell_timeout`` is the time one cell may run: a cell past it is interrupted and the next cells
    run (an ``error`` row naming it; the answers are judged). ``timeout`` is the whole run's: past
    it the run is killed (a ``timeout`` row, 0 points); when it is the shorter, it wins.

    Each submission's resources are limited by the operating system where it can
    (``_limits``: cgroups for memory, CPU share and processes; RLIMIT_FSIZE and a watched folder
    for ``disk_mb``); where cgroups cannot be used, ``warn`` hears once what is used instead.
    """
    from tqdm.auto import tqdm

    from regcourse.grading import _sandbox

    require_grading_tools()
    _check_limits(timeout, memory_mb, jobs, chapter, disk_mb, cell_timeout)
    say = warn or (lambda text: warnings.warn(text, WeakIsolationWarning, stacklevel=3))
    mode, warning = _sandbox.choose(sandbox)
    if warning:
        say(warning)
    _sandbox.clean_stale_runs()
    cpus = max(1.0, (os.cpu_count() or 1) // jobs)  # each submission's CPU quota

    items = [p if isinstance(p, Submission) else Submission(os.fspath(p), "", path=os.fspath(p)) for p in paths]
    paths = [item.name for item in items]
    originals = [read_submission(item) for item in items]  # every copy is taken before any notebook runs
    datas = [data for data, _ in originals]
    assignment = _assignment_chapter(datas) if chapter is None else None
    fallback = chapter if chapter is not None else assignment
    # Every option that can change a grade: a row graded with other values is not kept by --resume.
    settings = graded_with(
        {
            "chapter": chapter,
            "timeout": timeout,
            "cell_timeout": cell_timeout,
            "memory_mb": memory_mb,
            "disk_mb": disk_mb,
        }
    )
    kept = {(row.get("submission"), row.get("sha256")): row for row in resume_rows or []}
    regraded = 0  # rows of this run's files, unchanged, but graded with other settings
    seed = secrets.randbits(62)
    stop = stop if stop is not None else threading.Event()
    grades: list[Graded | None] = [None] * len(paths)

    def without_run(index: int) -> Graded | None:
        """The row of a submission that needs no run: unreadable, or kept from the earlier gradebook."""
        nonlocal regraded
        path, (data, problem) = paths[index], originals[index]
        if data is None:
            return Graded(path, INVALID, problem, fallback, unjudged(fallback))
        digest = sha256(data)
        # the name as the gradebook writes it (an apostrophe before "=..."), or as older ones did
        row = kept.get((gradebook_cell(path_name(path)), digest)) or kept.get((path_name(path), digest))
        if row is not None and row.get("graded_with") != settings:
            regraded += 1
            return None
        if row is not None:
            return Graded(
                path,
                row.get("status", ""),
                row.get("reason", ""),
                sha256=digest,
                resumed_row=row,
                student=row.get("student", ""),
                roster=row.get("roster", ""),
            )
        return None

    def finished(index: int, grade: Graded) -> None:
        if grade.resumed_row is None:  # whose it is, and which of their files were left out
            grade.student = items[index].student or Path(os.fsdecode(paths[index])).stem
            grade.reason = "; ".join(r for r in (grade.reason, *items[index].notes) if r)
            grade.graded_with = settings
        grades[index] = grade
        if on_graded is not None:
            on_graded(index, grade)

    with (
        _sandbox.RunFolder() as run,
        tqdm(total=len(paths), desc="grading", unit="notebook", disable=not progress) as bar,
    ):

        def grade_one(index: int) -> Graded:
            if stop.is_set():
                raise GradingInterrupted("not started")
            path, (data, _) = paths[index], originals[index]
            folder = run.path / f"s{index}"
            try:
                with _limits.submission_group(groups, index, memory_mb=memory_mb, cpus=cpus) as group:
                    grade = grade_bytes(
                        path,
                        data,
                        folder,
                        run_folder=run.path,
                        forced_chapter=chapter,
                        assignment_chapter=assignment,
                        sandbox=mode,
                        seed=seed,
                        timeout=timeout,
                        memory_mb=memory_mb,
                        check_seconds=check_seconds,
                        disk_mb=disk_mb,
                        group=group,
                        stop=stop,
                        cell_timeout=cell_timeout,
                    )
            except GradingInterrupted:
                raise
            except Exception as err:  # a row even if the grader itself fails on this submission
                grade = Graded(
                    path,
                    ERROR,
                    f"the grader failed on this submission ({type(err).__name__}: {err})",
                    fallback,
                    unjudged(fallback),
                    sha256=sha256(data),
                )
            finally:
                remove_tree(folder)  # this submission's copy and whatever it left: not kept until the end
            if stop.is_set():  # a Ctrl-C in a terminal reaches the worker too: its row is not trusted
                raise GradingInterrupted("stopped")
            _note_if_changed(grade, data, items[index])  # the original must be as it was
            return grade

        to_run, ready = [], []
        for index in range(len(paths)):
            grade = without_run(index)
            if grade is None:
                to_run.append(index)
            else:
                ready.append((index, grade))
        if regraded:
            say(
                f"{regraded} row{'s were' if regraded > 1 else ' was'} graded by an older grader or with other "
                f"settings: graded again (this run's settings: {settings})"
            )
        for index, grade in ready:
            _note_if_changed(grade, originals[index][0], items[index])
            bar.update(1)
            finished(index, grade)
        groups, warning = _limits.run_groups() if to_run else (None, None)
        if warning:
            say(warning)
        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = {pool.submit(grade_one, index): index for index in to_run}
            for future in as_completed(futures):
                try:
                    grade = future.result()
                except GradingInterrupted:
                    continue
                except Exception as err:  # (checking the original failed): still a row
                    index = futures[future]
                    grade = Graded(
                        paths[index],
                        ERROR,
                        f"the grader failed on this submission ({type(err).__name__}: {err})",
                        fallback,
                        unjudged(fallback),
                    )
                bar.update(1)
                finished(futures[future], grade)
        except BaseException:
            stop.set()  # the submissions running now are killed, the others not started
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=stop.is_set())
            if groups is not None:
                groups.close()

    if any(grade is None for grade in grades):
        done = sum(grade is not None for grade in grades)
        raise GradingInterrupted(f"{done} of {len(grades)} graded")
    return grades


def grade_submission(
    path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: float = DEFAULT_MEMORY_MB,
    chapter: int | None = None,
    sandbox: str = AUTO,
) -> Graded:
    """Grade one notebook (see ``grade_all``). Never raises for the submission."""
    return grade_all([path], timeout=timeout, memory_mb=memory_mb, chapter=chapter, sandbox=sandbox, progress=False)[0]
