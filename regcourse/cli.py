"""The ``regcourse`` command (also ``python -m regcourse``).

Subcommands:
    info      versions of the course and of the libraries it uses, and whether each imports; the grading set-up
    execute          (maintainers) run notebooks top to bottom and save them with their outputs
    build-exercises  (maintainers) generate exercises/ from solutions/ and run them untouched; --check only compares
    grade            (instructors) grade submitted notebooks into a CSV gradebook and feedback files
    validate         (learners) grade your own notebook exactly as the instructor's grader will
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import platform
import sys

import regcourse
from regcourse._keras import import_keras

# The libraries the notebooks use, with the module name to import.
COURSE_LIBRARIES = {
    "numpy": "numpy",
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
    "anywidget": "anywidget",
    "scikit-learn": "sklearn",
    "scipy": "scipy",
    "torch": "torch",
    "keras": "keras",
    "tqdm": "tqdm",
}


def _library_report() -> list[tuple[str, str]]:
    rows = []
    for name, module_name in COURSE_LIBRARIES.items():
        try:
            module = import_keras() if name == "keras" else importlib.import_module(module_name)
        except Exception as err:  # a broken install should be reported, not crash the report
            rows.append((name, f"missing ({type(err).__name__}: {err})"))
        else:
            rows.append((name, getattr(module, "__version__", "unknown version")))
    return rows


# JupyterLab (where learners open the notebooks) and what the grader needs: their versions are
# read from the installed distributions, without importing them.
TOOL_DISTRIBUTIONS = ("jupyterlab", "ipykernel", "nbclient", "nbformat", "jupyter_client", "psutil")
GRADING_DISTRIBUTIONS = ("ipykernel", "nbclient", "nbformat", "jupyter_client", "psutil")


def _tool_report() -> list[tuple[str, str]]:
    from importlib import metadata

    rows = []
    for name in TOOL_DISTRIBUTIONS:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "missing"))
    return rows


def _grading_report() -> list[tuple[str, str]]:
    """Whether bubblewrap works here, which resource limits the grader can use, and what
    ``--sandbox auto`` picks. Never raises: a failure is reported as the answer."""
    rows = []
    try:
        from regcourse.grading._sandbox import bwrap_works

        problem = bwrap_works()
    except Exception as err:  # the report must not fail
        problem = f"could not be checked ({type(err).__name__}: {err})"
    rows.append(("bubblewrap", "works here" if problem is None else f"does not work here: {problem}"))
    try:
        from regcourse.grading._limits import detect

        limits = detect().summary
    except Exception as err:
        limits = f"could not be checked ({type(err).__name__}: {err})"
    rows.append(("limits", limits))
    rows.append(
        (
            "--sandbox auto",
            "bwrap"
            if problem is None
            else "none: kernels would run unsandboxed, with your user's permissions (see the README)",
        )
    )
    return rows


def cmd_info(args: argparse.Namespace) -> int:
    print(f"regcourse {regcourse.__version__}")
    print(f"python    {platform.python_version()} ({sys.executable})")
    rows = _library_report()
    tools = _tool_report()
    width = max(len(name) for name, _ in rows + tools)
    for name, version in rows + tools:
        print(f"{name:<{width}}  {version}")
    grading = _grading_report()
    print("\ngrading:")
    width = max(len(name) for name, _ in grading)
    for name, value in grading:
        print(f"  {name:<{width}}  {value}")
    absent = [name for name, version in tools if version == "missing"]
    for_grading = [name for name in absent if name in GRADING_DISTRIBUTIONS]
    if "jupyterlab" in absent:
        print('\nJupyterLab is missing (only to open the notebooks here): python -m pip install -e ".[lab]"')
    if for_grading:
        print(
            f'\nMissing for grading: {", ".join(for_grading)}; install them with: python -m pip install -e ".[grade]"'
        )
    missing = [name for name, version in rows if version.startswith("missing")]
    if missing:
        print(f"\nMissing: {', '.join(missing)}. See the README for how to install the course.")
        return 1
    return 0


def cmd_execute(args: argparse.Namespace) -> int:
    from regcourse.authoring import execute_notebook

    for path in args.notebooks:
        seconds = execute_notebook(path, timeout=args.timeout)
        print(f"{path}: executed in {seconds:.1f} s")
    return 0


def cmd_build_exercises(args: argparse.Namespace) -> int:
    from regcourse.authoring import AuthoringError, build_exercises

    try:
        changed = build_exercises(args.source, args.dest, check=args.check, execute=not args.no_execute)
    except AuthoringError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.check:
        if changed:
            print(f"{args.dest}/ is out of date with {args.source}/; run `regcourse build-exercises`:")
            print("\n".join(f"  {path}" for path in changed))
            return 1
        print(f"{args.dest}/ is in sync with {args.source}/")
        return 0
    print("\n".join(f"wrote {path}" for path in changed) or f"{args.dest}/ was already up to date")
    return 0


class _Stopped(BaseException):
    """SIGINT or SIGTERM reached ``regcourse grade``."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def cmd_grade(args: argparse.Namespace) -> int:
    import signal
    import threading
    from pathlib import Path

    from regcourse._text import path_name
    from regcourse.exercises._written import chapter_written
    from regcourse.grading import (
        GradingInterrupted,
        GradingToolsMissing,
        SandboxUnavailable,
        feedback_names,
        grade_all,
        read_gradebook_rows,
        resumed_gradebook,
        usable_row,
        write_gradebook,
        write_one_feedback,
    )
    from regcourse.grading._lms import RosterError, fill, read_roster, write_lms_file
    from regcourse.grading._sources import EMPTY_SOURCE, collect, newest_per_student
    from regcourse.grading._written_sheet import add_to_feedback, apply_sheet, read_sheet, write_sheet

    def warn(text):
        print(f"warning: {text}", file=sys.stderr)

    roster = None
    if args.lms_out and not args.roster:
        print("error: --lms-out needs --roster (the file exported from the LMS, which it writes back)", file=sys.stderr)
        return 2
    if args.roster:
        try:
            roster = read_roster(args.roster, assignment=args.assignment)
        except (OSError, RosterError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    items, problems = collect(args.submissions)  # files, folders searched for notebooks, LMS zips
    empty = [problem for problem in problems if problem.startswith(EMPTY_SOURCE)]
    if empty:  # a wrong folder or zip named: say so before anything is written
        print("\n".join(f"error: {problem}" for problem in empty), file=sys.stderr)
        return 2
    for problem in problems:
        warn(problem)
    items = newest_per_student(items, key=lambda item: (item.student, _chapter_of(item, args.chapter)))
    # --resume: the earlier gradebook's rows are all written back (see resumed_gradebook); those
    # whose file is unchanged and was graded with the same settings are kept without grading it.
    # Its "missing" rows (roster students without a submission) are made anew at the end.
    earlier = read_gradebook_rows(args.out, warn=warn, every_row=True) if args.resume else []
    earlier = [row for row in earlier if row.get("status") != "missing"]
    resume_rows = [row for row in earlier if usable_row(row)] if args.resume else None
    submissions = [path_name(item.name) for item in items]
    names = feedback_names(submissions)  # fixed before any row arrives
    done: dict[int, object] = {}  # index -> Graded, as each row is final
    stop = threading.Event()

    def gradebook():
        return resumed_gradebook(earlier, submissions, done)

    def on_graded(index, grade):  # the gradebook and this student's feedback, as it goes
        if roster is not None:
            grade.roster = roster.names.get(grade.student, "not on the roster")
            if grade.resumed_row is not None:
                grade.resumed_row = dict(grade.resumed_row, roster=grade.roster)
        done[index] = grade
        write_gradebook(gradebook(), args.out)
        if args.feedback:
            write_one_feedback(grade, args.feedback, names[index])

    def on_signal(signum, frame):  # the first SIGINT or SIGTERM stops the run; later ones wait for it
        if not stop.is_set():
            stop.set()
            raise _Stopped(signum)

    previous = (
        {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        if threading.current_thread() is threading.main_thread()
        else {}
    )
    try:
        grade_all(
            items,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            disk_mb=args.disk_mb,
            jobs=args.jobs,
            chapter=args.chapter,
            progress=not args.quiet,
            sandbox=args.sandbox,
            resume_rows=resume_rows,
            warn=warn,
            on_graded=on_graded,
            stop=stop,
            cell_timeout=args.cell_timeout,
        )
        grades = gradebook()  # this run's rows and, with --resume, every earlier one
        if roster is not None:  # the roster's students without a submission get a row too
            grades = grades + _missing_rows(roster, grades, args.chapter)
        if args.written:  # the sheet of written answers, and the points already given in it
            sheet_rows, sheet_notes = apply_sheet(grades, read_sheet(args.written))
            write_sheet(args.written, sheet_rows)
            for note in sheet_notes:
                warn(note)
            if args.feedback:
                for index, grade in done.items():
                    add_to_feedback(Path(args.feedback) / names[index], grade)
        write_gradebook(grades, args.out)
        if args.lms_out:
            rows, _, _ = fill(roster, [g for g in grades if g.status != "missing"], with_written=bool(args.written))
            write_lms_file(roster, rows, args.lms_out)
    except (GradingToolsMissing, SandboxUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (_Stopped, KeyboardInterrupt, GradingInterrupted) as err:
        if done:  # every finished row, the last one included even if the signal cut its writing short
            write_gradebook(gradebook(), args.out)
        lead = "" if args.quiet else "\n"  # below the progress bar
        print(
            f"{lead}interrupted: {len(done)} of {len(items)} graded; run the same command with --resume to finish",
            file=sys.stderr,
        )
        return 128 + (err.signum if isinstance(err, _Stopped) else signal.SIGINT)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not args.quiet:  # the submissions given this time; rows only kept from the earlier gradebook say nothing new
        for grade in (done[index] for index in sorted(done)):
            reason = f" ({grade.reason})" if grade.reason else ""
            kept = " [kept from the earlier gradebook]" if grade.resumed_row is not None else ""
            print(f"{grade.submission}: {grade.status}, {grade.score}/{grade.max_score}{reason}{kept}")
        feedback = f"; feedback in {Path(args.feedback)}{os.sep}" if args.feedback else ""
        print(f"gradebook: {Path(args.out)}{feedback}")
    if roster is not None:  # never silently dropped, whatever --quiet says
        missing = [g for g in grades if g.status == "missing"]
        strangers = [g for g in grades if g.roster == "not on the roster"]
        if missing:
            print(
                f"on the roster, no submission ({len(missing)}): "
                + "; ".join(f"{g.roster} ({g.student})" for g in missing)
            )
        if strangers:
            print(
                f"submitted, not on the roster ({len(strangers)}): "
                + "; ".join(f"{g.submission} ({g.student})" for g in strangers)
            )
        if args.lms_out:
            print(f"for the LMS: {Path(args.lms_out)} (import it in {roster.kind.capitalize()})")
    if args.written:
        asked = sum(1 for g in grades if g.status != "missing" for _ in chapter_written(g.graded_chapter))
        given = sum(len(g.written_points) for g in grades)
        print(
            f"written answers: {given} of {asked} graded; give points in {Path(args.written)} and run again "
            "with --resume --written to add them"
        )
    return 0


def _missing_rows(roster, grades, chapter):
    """A gradebook row for each roster student without a graded submission (status ``missing``)."""
    from regcourse.grading import Graded
    from regcourse.grading._submission import unjudged

    seen = {g.student for g in grades}
    return [
        Graded(
            "",
            "missing",
            "on the roster; no submission was found",
            chapter,
            unjudged(chapter),
            student=student,
            roster=roster.names[student],
        )
        for student in roster.students
        if student not in seen
    ]


def _chapter_of(item, forced: int | None) -> int | None:
    """The chapter a submission will be graded as (``--chapter``, else its metadata), to keep one
    notebook per student and chapter; None when it cannot be read."""
    if forced is not None:
        return forced
    from regcourse.grading import read_submission
    from regcourse.grading._submission import metadata_chapter, read_notebook

    data, _ = read_submission(item)
    try:
        return metadata_chapter(read_notebook(data)) if data is not None else None
    except ValueError:
        return None


def cmd_validate(args: argparse.Namespace) -> int:
    """Grade one notebook as ``grade`` does (same judge, same sandbox when it works here, same
    limits) and print the feedback the instructor's run would write for it. Writes no file."""
    from regcourse.exercises._written import chapter_written
    from regcourse.grading import INVALID, GradingToolsMissing, feedback_text, grade_all

    notes = []
    try:
        grade = grade_all(
            [args.notebook], chapter=args.chapter, timeout=args.timeout, progress=False, warn=notes.append
        )[0]
    except GradingToolsMissing as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if grade.status == INVALID and not os.path.lexists(args.notebook):
        print(f"error: no such file: {args.notebook}", file=sys.stderr)
        return 2
    print(feedback_text(grade), end="")
    for question in chapter_written(grade.chapter):  # read from the file, as the instructor's sheet will
        answer = grade.written.get(question.id)
        said = (
            "no cell with this question was found"
            if answer is None
            else "not answered yet"
            if not answer
            else f"your answer begins: {answer[:120]!r}"
        )
        print(f"\n✍️ {question.title} ({question.points} points): graded by hand by your instructor; {said}")
    for note in notes:  # how this machine differs from a grader with a sandbox and limits
        print(
            f"\nnote: {note.split(':')[0]}: graded without it here; the judge is the same, so honest work "
            "gets the same grade."
        )
    if grade.chapter is None:
        print("\nnote: give --chapter N: this notebook does not say which chapter it is.")
    return 0


def _positive_number(text: str) -> float:
    """argparse type: a finite number above 0 (argparse names the option in the error)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text!r}")
    return value


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def _chapter_number(text: str) -> int:
    from regcourse.exercises import chapter_exercises

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a chapter number, got {text!r}") from None
    if not chapter_exercises(value):
        raise argparse.ArgumentTypeError(f"chapter {value} has no exercises")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regcourse",
        description="Tools for the regularization course: check your setup, build and grade exercises.",
    )
    parser.add_argument("--version", action="version", version=f"regcourse {regcourse.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    info = commands.add_parser("info", help="show the versions of the course and its libraries, and the grading set-up")
    info.set_defaults(func=cmd_info)
    execute = commands.add_parser(
        "execute", help="(maintainers) run notebooks in a fresh kernel and save their outputs"
    )
    execute.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    execute.add_argument(
        "--timeout", type=int, default=120, help="seconds allowed to each cell, not to the whole notebook (default 120)"
    )
    execute.set_defaults(func=cmd_execute)

    build = commands.add_parser("build-exercises", help="(maintainers) generate exercises/ from solutions/")
    build.add_argument("--source", default="solutions", help="folder of solution notebooks (default solutions)")
    build.add_argument("--dest", default="exercises", help="folder to write (default exercises)")
    build.add_argument("--check", action="store_true", help="write nothing; exit 1 if dest differs from a fresh build")
    build.add_argument(
        "--no-execute",
        action="store_true",
        help="write the notebooks without running them (they keep no outputs; --check reports them)",
    )
    build.set_defaults(func=cmd_build_exercises)

    from regcourse.grading import DEFAULT_CELL_TIMEOUT, DEFAULT_DISK_MB, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, MODES

    grade = commands.add_parser("grade", help="(instructors) grade submitted notebooks into a gradebook")
    grade.add_argument(
        "submissions",
        nargs="+",
        metavar="SOURCE",
        help="submitted .ipynb files, folders (searched for .ipynb) or the zips Canvas and Moodle download",
    )
    grade.add_argument("--out", required=True, help="the CSV gradebook to write")
    grade.add_argument("--feedback", metavar="DIR", help="write one feedback file per submission here")
    grade.add_argument(
        "--timeout",
        type=_positive_number,
        default=DEFAULT_TIMEOUT,
        help=f"seconds allowed per submission, all its cells together (default {DEFAULT_TIMEOUT:g}); "
        "past it the run is stopped and scores 0",
    )
    grade.add_argument(
        "--cell-timeout",
        type=_positive_number,
        default=DEFAULT_CELL_TIMEOUT,
        help="seconds allowed to one cell: a cell past it is interrupted and the next cells run, "
        "the answers of the others still count (default "
        f"{DEFAULT_CELL_TIMEOUT:g}; --timeout wins when it is shorter)",
    )
    grade.add_argument(
        "--memory-mb",
        type=_positive_number,
        default=DEFAULT_MEMORY_MB,
        help="memory allowed to all of a submission's processes together, files in its "
        f"private /tmp included, in MB (default {DEFAULT_MEMORY_MB:g})",
    )
    grade.add_argument(
        "--disk-mb",
        type=_positive_number,
        default=DEFAULT_DISK_MB,
        help=f"disk a submission may write in its working folder, in MB (default {DEFAULT_DISK_MB:g})",
    )
    grade.add_argument("--jobs", type=_at_least_one, default=1, help="submissions graded at once (default 1)")
    grade.add_argument(
        "--chapter",
        type=_chapter_number,
        help="the assignment's chapter; wins over each notebook's metadata (a mismatch is noted)",
    )
    grade.add_argument(
        "--sandbox",
        choices=MODES,
        default="auto",
        help="where kernels run: bwrap (bubblewrap), none, or auto: bwrap when it works here, "
        "else none with a warning (default auto)",
    )
    grade.add_argument(
        "--resume",
        action="store_true",
        help="keep every row of the existing --out gradebook: rows whose file has the same SHA-256 "
        "and was graded with the same settings (chapter, limits, grader version) are not graded "
        "again, rows of files not given are written back unchanged; grade the rest",
    )
    grade.add_argument(
        "--roster",
        metavar="FILE",
        help="the class list exported from Canvas (Grades → Export) or "
        "Moodle (grading worksheet): names each row's student and lists who did not submit",
    )
    grade.add_argument(
        "--lms-out",
        metavar="FILE",
        help="write the --roster file back with the grades filled in, for the LMS to import",
    )
    grade.add_argument("--assignment", metavar="NAME", help="the Canvas assignment column that gets the grade")
    grade.add_argument(
        "--written",
        metavar="FILE",
        help="the sheet of written answers (one row per student and "
        "question, the text as written): give points and comments there, then run again with --resume",
    )
    grade.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    grade.set_defaults(func=cmd_grade)

    validate = commands.add_parser(
        "validate", help="(learners) grade your notebook as the instructor's grader will, and show its feedback"
    )
    validate.add_argument("notebook", metavar="NOTEBOOK", help="your exercise notebook (.ipynb)")
    validate.add_argument(
        "--chapter", type=_chapter_number, help="the chapter to grade it as (default: the one its metadata names)"
    )
    validate.add_argument(
        "--timeout",
        type=_positive_number,
        default=DEFAULT_TIMEOUT,
        help=f"seconds allowed for the whole notebook (default {DEFAULT_TIMEOUT:g}, as grade)",
    )
    validate.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return args.func(args)
