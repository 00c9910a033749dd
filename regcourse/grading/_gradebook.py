"""What grading writes: the CSV gradebook (atomically) and one feedback file per student.

Both are written to a temporary file in the target's folder and then renamed over the
target: a reader sees the old file or the complete new one, and a symbolic link planted at a
target's name is replaced, never followed. Feedback file names are made from the submissions'
names with anything but printable characters replaced, so no name leads outside the folder.

Whatever produced it, every gradebook cell goes through ``gradebook_cell`` when written: text
cut to ``CELL_LIMIT`` characters (so ``csv`` reads the file back with its default field limit)
and, when it begins like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, a tab), prefixed with
an apostrophe. Each text of a feedback file is cut the same way.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import sys
import tempfile
from pathlib import Path

from regcourse._text import bounded, printable
from regcourse.exercises import _registry
from regcourse.exercises._written import WRITTEN
from regcourse.grading._submission import ERROR, INVALID, OK, TIMEOUT, Graded

FIXED_COLUMNS = ["submission", "student", "roster", "status", "score", "max_score"]
# graded_with comes last: a gradebook written before it existed keeps every other column's position.
TAIL_COLUMNS = ["chapter", "sha256", "reason", "graded_with"]
CELL_LIMIT = 2000  # characters in one gradebook cell or one text of a feedback file
# A cell that begins with one of these is run as a formula by spreadsheets (the full-width
# forms too, in some locales); "\r" never begins a cell, printable() spells it \x0d.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def gradebook_cell(value) -> str:
    """How ``value`` is written in a gradebook cell: printable, at most CELL_LIMIT characters, and
    with an apostrophe before text a spreadsheet would run as a formula (``=HYPERLINK(...)`` is
    written ``'=HYPERLINK(...)``). Applying it twice changes nothing, so a row read back and
    written again stays the same."""
    text = printable(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return bounded(text, CELL_LIMIT)


def graded_with(settings: dict) -> str:
    """The settings a row is graded with, as its ``graded_with`` cell says them, e.g.
    ``chapter=9;timeout=300;memory_mb=2000;disk_mb=1000;regcourse=0.4.0``.

    ``settings`` holds every option that can change a grade (None is written ``none``: for
    ``chapter``, each notebook's metadata decided); the grader's version is added. ``--resume``
    keeps a row only when this text is the same as the run's, so an option added later is taken
    into account by adding it to ``settings``: rows graded before it existed are graded again.
    """
    import regcourse

    def said(value) -> str:
        if value is None:
            return "none"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    pairs = [f"{name}={said(value)}" for name, value in settings.items()]
    return ";".join([*pairs, f"regcourse={regcourse.__version__}"])


def _write_atomically(target: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def gradebook_columns(grades: list[Graded]) -> list[str]:
    """The exercise ids that appear in any grade (or resumed row), in registry order."""
    seen = {exercise_id for grade in grades for exercise_id in grade.results}
    seen |= {key for grade in grades if grade.resumed_row for key in grade.resumed_row}
    return [ex.id for ex in _registry.all_exercises() if ex.id in seen]


def written_columns(grades: list[Graded]) -> list[str]:
    """The written questions given points in any grade (``--written``), then ``total`` and ``total_max``."""
    given = {question_id for grade in grades for question_id in grade.written_points}
    ids = [question.id for question in WRITTEN.values() if question.id in given]
    return [*ids, "total", "total_max"] if ids else []


def gradebook_text(grades: list[Graded]) -> str:
    ids = gradebook_columns(grades)
    by_hand = written_columns(grades)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*FIXED_COLUMNS, *ids, *by_hand, *TAIL_COLUMNS])
    for grade in grades:
        if grade.resumed_row is not None:
            row = grade.resumed_row
            cells = [row.get(c, "") for c in [*FIXED_COLUMNS, *ids]]
            tail = [row.get(c, "") for c in TAIL_COLUMNS]
        else:
            points = [grade.results[i].points if i in grade.results else "" for i in ids]
            chapter = "" if grade.chapter is None else grade.chapter
            cells = [grade.submission, grade.student, grade.roster, grade.status, grade.score, grade.max_score, *points]
            tail = [chapter, grade.sha256, grade.reason, grade.graded_with]
        extra = (
            {
                **{k: f"{v:g}" for k, v in grade.written_points.items()},
                "total": f"{grade.total:g}",
                "total_max": grade.total_max,
            }
            if by_hand
            else {}
        )
        cells += [extra.get(column, "") for column in by_hand] + tail
        writer.writerow([gradebook_cell(cell) for cell in cells])
    return buffer.getvalue()


def write_gradebook(grades: list[Graded], out: str | Path) -> None:
    """Write the CSV atomically: a temporary file in the same folder, then a rename.

    Columns: submission, status, score, max_score, one per exercise id (points earned; empty
    when the exercise is not part of that submission's chapter), chapter, sha256 (of the
    original file as graded), reason and graded_with (the settings, see ``graded_with``).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = gradebook_text(grades)
    _write_atomically(out, text)


def _warn_stderr(text: str) -> None:
    print(f"warning: {text}", file=sys.stderr)


def usable_row(row: dict) -> bool:
    """Whether ``--resume`` can keep this row instead of grading its file: it names a submission and
    has a SHA-256 and whole-number scores."""
    return bool(row.get("submission") and row.get("sha256")) and all(
        str(row.get(c) or "").isdigit() for c in ("score", "max_score")
    )


def read_gradebook_rows(path: str | Path, warn=None, *, every_row: bool = False) -> list[dict]:
    """The rows of an existing gradebook (for --resume), as far as they can be read.

    Never raises: when the file is missing or a row cannot be used, ``warn`` (default: a line on
    stderr) is called with what happened. Only the rows ``usable_row`` accepts are returned, unless
    ``every_row``: then every row that names a submission, in the file's order (``--resume`` writes
    back those of files not given again, whatever they hold).
    """
    warn = warn or _warn_stderr
    rows, unusable = [], 0
    try:
        with open(path, newline="", encoding="utf-8") as stream:
            reader = csv.DictReader(stream)
            read_to = 1  # the last line of the last row read (the header's, at first)
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except (csv.Error, UnicodeDecodeError) as err:
                    # the reader cannot find the next row's start again: stop here
                    warn(
                        f"{path}: line {read_to + 1} could not be read ({type(err).__name__}: "
                        f"{bounded(err, 200)}); it and the rows after it are not kept: their submissions are "
                        "graded again when given"
                    )
                    break
                read_to = reader.line_num
                if usable_row(row):
                    rows.append(row)
                    continue
                if not (row.get("status") == INVALID and not row.get("sha256")):  # (an unreadable file: no hash)
                    unusable += 1
                if every_row and row.get("submission"):
                    rows.append(row)
    except FileNotFoundError:
        warn(f"{path} does not exist: nothing to resume, every submission is graded")
        return []
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        warn(f"{path} could not be read ({type(err).__name__}: {bounded(err, 200)}): every submission is graded")
        return rows
    if unusable:
        warn(
            f"{path}: {unusable} row{'s' if unusable > 1 else ''} without a submission, a SHA-256 or whole-number "
            "scores; their submissions are graded again when given"
        )
    return rows


def resumed_gradebook(earlier: list[dict], names: list[str], done: dict[int, Graded]) -> list[Graded]:
    """The rows ``--resume`` writes: the earlier gradebook's rows in their order, each replaced by its
    submission's new row once that is final (``done``: index in ``names`` -> grade), then the rows of
    submissions the earlier gradebook did not have, in the order given. A row whose file is not
    given again (its ``submission`` is none of ``names``, as the gradebook writes them or as older
    ones did) is written back unchanged; so is the earlier row of a file given again until its new
    row is final, so that a stopped run loses no row."""
    given: dict[str, int] = {}
    for index, name in enumerate(names):
        given.setdefault(gradebook_cell(name), index)
        given.setdefault(name, index)
    rows, placed = [], set()
    for row in earlier:
        index = given.get(row.get("submission", ""))
        if index is not None and index in done:
            if index not in placed:
                rows.append(done[index])
                placed.add(index)
            continue
        rows.append(
            Graded(
                row.get("submission", ""),
                row.get("status", ""),
                row.get("reason", ""),
                sha256=row.get("sha256", ""),
                resumed_row=row,
                student=row.get("student", ""),
                roster=row.get("roster", ""),
            )
        )
    rows += [done[index] for index in sorted(done) if index not in placed]
    return rows


_RUN_WORDS = {
    OK: "your notebook ran from top to bottom",
    ERROR: "not everything in your notebook ran as it should",
    TIMEOUT: "your notebook took too long and was stopped",
    INVALID: "your file could not be read as a notebook",
}


def feedback_text(grade: Graded) -> str:
    """What one student reads after grading: how the run went, the score, each exercise.

    When no answer could be read (an unreadable file, a kernel that died, a notebook that ran
    too long), the reason is said once, not repeated for every exercise.
    """
    chapter = f", chapter {grade.chapter:02d}" if grade.chapter is not None else ""
    reason = bounded(grade.reason, CELL_LIMIT)
    lines = [f"Feedback on {bounded(grade.submission, CELL_LIMIT)}{chapter}", ""]
    run = _RUN_WORDS.get(grade.status, grade.status)
    lines.append(f"How it ran: {grade.status}: {run}" + (f" ({reason})." if reason else "."))
    lines.append(f"Score: {grade.score}/{grade.max_score}")
    results = [dataclasses.replace(r, hint=bounded(r.hint, CELL_LIMIT)) for r in grade.results.values()]
    if results and all(r.status == "missing" and not r.hint for r in results):
        lines += ["", f"None of the {len(results)} exercises could be graded, for the reason above. Each scores 0:"]
    lines.append("")
    for result in results:
        lines.append(str(result))
    lines += [
        "",
        "Each exercise was graded from the answer your notebook held after running, on test cases "
        "drawn for this grading; the checks inside the notebook did not count.",
    ]
    return "\n".join(lines) + "\n"


def _safe_stem(name: str) -> str:
    stem = "".join(c if (c.isalnum() or c in "-_.+=,@") else "_" for c in name)
    stem = stem.lstrip(".") or "submission"
    return stem[:150]


def feedback_names(submissions: list[str]) -> list[str]:
    """A distinct, safe file name for each submission (its readable name, as in ``Graded.submission``):
    its path relative to the submissions' common folder, with "/" turned into "__"
    (alice/04.ipynb -> alice__04.txt). Made from all the names at once, before any is graded."""
    paths = [Path(os.path.abspath(name)) for name in submissions]
    common = Path(os.path.commonpath([p.parent for p in paths])) if paths else Path(".")
    names, used = [], set()
    for path in paths:
        relative = path.relative_to(common).with_suffix("").as_posix()
        stem = "__".join(_safe_stem(part) for part in relative.split("/")) or "submission"
        name, n = f"{stem}.txt", 2
        while name in used:
            name, n = f"{stem}-{n}.txt", n + 1
        used.add(name)
        names.append(name)
    return names


def _feedback_names(grades: list[Graded]) -> list[str]:
    return feedback_names([g.submission for g in grades])


def write_one_feedback(grade: Graded, folder: str | Path, name: str) -> Path:
    """The feedback file ``name`` of one submission (a resumed row keeps the file it has)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not (grade.resumed_row is not None and target.is_file() and not target.is_symlink()):
        _write_atomically(target, feedback_text(grade))
    return target


def write_feedback(grades: list[Graded], folder: str | Path) -> list[Path]:
    """One feedback file per graded submission (a resumed row keeps the file it has)."""
    return [write_one_feedback(grade, folder, name) for grade, name in zip(grades, _feedback_names(grades))]
