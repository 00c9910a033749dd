"""The class list an LMS exports, and the same file back with the grades filled in.

- Canvas, Grades → Export: columns ``Student, ID, SIS User ID, SIS Login ID, Section``, then one
  column per assignment named ``Assignment name (assignment id)`` and a few totals; the second
  row is ``Points Possible``. The student of a row is ``canvas:<ID>`` (the user id Canvas also puts
  in submission file names). The grade goes into the column ``--assignment`` names.
- Moodle, Assignment → "Download grading worksheet": ``Identifier`` ("Participant 401"),
  ``Full name``, ``Email address``, ``Status``, ``Grade``, ``Maximum Grade``, …, ``Feedback
  comments``. The student is ``moodle:401``; the grade goes into ``Grade`` and a summary into
  ``Feedback comments``.

The file written back has the same columns, rows, order and encoding (a byte-order mark is kept):
only the grade (and Moodle's comment) of each graded student changes. A score is scaled to the
points the LMS gives the assignment (``score / max_score × points possible``, two decimals) when
it names them, else written as it is.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

CANVAS, MOODLE = "canvas", "moodle"
_CANVAS_HEAD = ["Student", "ID"]
_ASSIGNMENT_COLUMN = re.compile(r"^(?P<name>.*?)\s*\((?P<id>\d+)\)$")


class RosterError(ValueError):
    """The roster file is not a Canvas or Moodle export the grader can read."""


@dataclass
class Roster:
    kind: str
    rows: list[list[str]]  # every row as read, the header first
    bom: bool
    grade_column: int
    students: dict[str, int] = field(default_factory=dict)  # student -> row index
    names: dict[str, str] = field(default_factory=dict)  # student -> name as the LMS shows it
    points_possible: float | None = None
    maximum_column: int | None = None  # Moodle: each row's Maximum Grade
    feedback_column: int | None = None


def _number(text: str) -> float | None:
    try:
        return float(str(text).strip().replace(",", ""))
    except ValueError:
        return None


def assignment_columns(header: list[str]) -> list[str]:
    return [cell for cell in header if _ASSIGNMENT_COLUMN.match(cell.strip())]


def read_roster(path, *, assignment: str | None = None) -> Roster:
    """Read a Canvas gradebook export or a Moodle grading worksheet, recognised by its header."""
    raw = Path(path).read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"{path}: not UTF-8 text; export the CSV again from the LMS") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise RosterError(f"{path}: the file is empty")
    header = [cell.strip() for cell in rows[0]]
    if header[:2] == _CANVAS_HEAD:
        return _canvas(path, rows, header, bom, assignment)
    if "Identifier" in header and "Grade" in header and "Full name" in header:
        return _moodle(rows, header, bom)
    raise RosterError(
        f"{path}: neither a Canvas gradebook export (columns Student, ID, …) nor a Moodle grading "
        "worksheet (Identifier, Full name, …, Grade)"
    )


def _canvas(path, rows, header, bom, assignment) -> Roster:
    choices = assignment_columns(header)
    if not assignment:
        raise RosterError(
            f"{path} is a Canvas export: say which column gets the grade with --assignment "
            f"(one of: {', '.join(choices) or 'no assignment column found'})"
        )
    wanted = [
        i
        for i, cell in enumerate(header)
        if cell == assignment
        or (_ASSIGNMENT_COLUMN.match(cell) and _ASSIGNMENT_COLUMN.match(cell)["name"] == assignment)
    ]
    if len(wanted) != 1:
        problem = "matches no column" if not wanted else "matches several columns"
        raise RosterError(
            f"--assignment {assignment!r} {problem} of {path}; its assignment columns: {', '.join(choices) or 'none'}"
        )
    roster = Roster(CANVAS, rows, bom, wanted[0])
    for index, row in enumerate(rows[1:], start=1):
        first = row[0].strip() if row else ""
        if first == "Points Possible":
            roster.points_possible = _number(row[roster.grade_column]) if len(row) > roster.grade_column else None
            continue
        if len(row) > 1 and row[1].strip().isdigit():
            student = f"canvas:{row[1].strip()}"
            roster.students[student], roster.names[student] = index, first
    return roster


def _moodle(rows, header, bom) -> Roster:
    column = {name: header.index(name) for name in header}
    roster = Roster(
        MOODLE,
        rows,
        bom,
        column["Grade"],
        maximum_column=column.get("Maximum Grade"),
        feedback_column=column.get("Feedback comments"),
    )
    for index, row in enumerate(rows[1:], start=1):
        if len(row) <= column["Identifier"]:
            continue
        found = re.search(r"(\d+)\s*$", row[column["Identifier"]])
        if found:
            student = f"moodle:{found.group(1)}"
            roster.students[student] = index
            roster.names[student] = row[column["Full name"]] if len(row) > column["Full name"] else ""
    return roster


def _grade_text(score: float, max_score: int, possible: float | None) -> str:
    if possible is None or max_score <= 0 or abs(possible - max_score) < 1e-9:
        return f"{score:g}"
    return f"{round(score / max_score * possible, 2):g}"


def _comment(grade) -> str:
    parts = [f"{grade.score}/{grade.max_score} ({grade.status})"]
    parts += [f"{result.id}: {result.status}" for result in grade.results.values()]
    return "; ".join(parts)


def fill(roster: Roster, grades, *, with_written: bool = False) -> tuple[list[list[str]], list[str], list]:
    """(the rows with grades filled in, roster students without a graded submission, grades of
    students not on the roster). ``with_written``: the grade is the total with the written answers'
    points (out of the auto-graded and written points together)."""
    rows = [list(row) for row in roster.rows]
    unmatched, graded = [], set()
    for grade in grades:
        index = roster.students.get(grade.student)
        if index is None:
            unmatched.append(grade)
            continue
        graded.add(grade.student)
        row = rows[index]
        width = max(roster.grade_column, roster.feedback_column or 0) + 1
        row.extend([""] * (width - len(row)))
        possible = roster.points_possible
        if roster.maximum_column is not None and roster.maximum_column < len(row):
            possible = _number(row[roster.maximum_column])
        score, maximum = (grade.total, grade.total_max) if with_written else (grade.score, grade.max_score)
        row[roster.grade_column] = _grade_text(score, maximum, possible)
        if roster.feedback_column is not None:
            row[roster.feedback_column] = _comment(grade)
    missing = [student for student in roster.students if student not in graded]
    return rows, missing, unmatched


def write_lms_file(roster: Roster, rows: list[list[str]], out) -> None:
    """The roster's own CSV with ``rows``, in its encoding, written atomically."""
    from regcourse.grading._gradebook import _write_atomically

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    _write_atomically(Path(out), ("\ufeff" if roster.bom else "") + buffer.getvalue())
