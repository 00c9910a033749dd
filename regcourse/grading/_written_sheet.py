"""The written-answer sheet: one row per student and written question, for the instructor to grade.

``regcourse grade … --written sheet.csv`` writes it (columns ``student, submission, question,
title, answer, points, max_points, comment``) with the text each student wrote, read from the
notebook as data. The instructor fills in ``points`` (a number from 0 to ``max_points``) and, if
they like, ``comment``; ``regcourse grade … --resume --written sheet.csv`` then adds the points to
the gradebook (a column per written question, and ``total``/``total_max``), to the LMS file, and
the comment to that student's feedback. A row keeps its points only while the answer is the one
that was graded: a re-submitted answer is graded again (its points are cleared, and the command
says so).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from regcourse._text import bounded, printable
from regcourse.exercises._written import MAX_ANSWER_CHARS, chapter_written
from regcourse.grading._gradebook import FORMULA_STARTS, _write_atomically, gradebook_cell

COLUMNS = ["student", "submission", "question", "title", "answer", "points", "max_points", "comment"]
FEEDBACK_MARK = "--- Written answers, graded by your instructor ---"


def _answer_cell(text: str) -> str:
    """An answer as the sheet holds it: printable, formula-safe, at most MAX_ANSWER_CHARS."""
    text = printable(text)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return bounded(text, MAX_ANSWER_CHARS)


def read_sheet(path) -> dict[tuple[str, str], dict]:
    """The rows of an existing sheet by (student, question); {} when there is none."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            rows = list(csv.DictReader(stream))
    except FileNotFoundError:
        return {}
    return {(row.get("student", ""), row.get("question", "")): row for row in rows}


def _points(text: str, maximum: int) -> float | None:
    text = str(text or "").strip().lstrip("'")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not 0 <= value <= maximum:
        raise ValueError(f"{value:g} is not between 0 and {maximum}")
    return value


def apply_sheet(grades, previous: dict[tuple[str, str], dict]) -> tuple[list[list[str]], list[str]]:
    """The sheet's rows for ``grades`` (each graded student's written questions), taking the points
    and comments of ``previous`` for answers that did not change; sets each grade's written points
    and comments. Returns (rows, notes for the instructor)."""
    rows, notes = [], []
    for grade in grades:
        if grade.status == "missing":
            continue
        for question in chapter_written(grade.graded_chapter):
            before = previous.get((gradebook_cell(grade.student), question.id)) or previous.get(
                (grade.student, question.id)
            )
            if grade.resumed_row is not None or question.id not in grade.written:
                answer = before.get("answer", "") if before else ""  # kept row: the answer graded before
            else:
                found = grade.written[question.id]
                answer = _answer_cell("(no cell with this question was found)" if found is None else found)
            points_text, comment = "", ""
            if before is not None and before.get("answer", "") == answer:
                points_text, comment = before.get("points", ""), before.get("comment", "")
                try:
                    points = _points(points_text, question.points)
                except ValueError as err:
                    notes.append(f"{grade.student}, {question.id}: points {err}; not counted")
                    points = None
                if points is not None:
                    grade.written_points[question.id] = points
                if comment.strip():
                    grade.written_comments[question.id] = printable(comment)
            elif before is not None and str(before.get("points", "")).strip():
                notes.append(
                    f"{grade.student}, {question.id}: the answer changed since it was given points; grade it again"
                )
            rows.append(
                [
                    gradebook_cell(grade.student),
                    gradebook_cell(grade.submission),
                    question.id,
                    question.title,
                    answer,
                    points_text,
                    str(question.points),
                    comment,
                ]
            )
    made = {(row[0], row[2]) for row in rows}
    for (student, question_id), row in previous.items():  # students not graded this time: kept as they were
        if (gradebook_cell(student), question_id) not in made:
            rows.append([row.get(column, "") for column in COLUMNS])
    return rows, notes


def write_sheet(path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(target, buffer.getvalue())


def written_feedback(grade) -> str:
    """The block a student's feedback file ends with once written answers are graded ("" before)."""
    lines = []
    for question in chapter_written(grade.graded_chapter):
        if question.id not in grade.written_points and question.id not in grade.written_comments:
            continue
        points = grade.written_points.get(question.id)
        given = f"{points:g}/{question.points} points" if points is not None else "not graded yet"
        comment = grade.written_comments.get(question.id, "")
        lines.append(f"✍️ {question.title}: {given}" + (f" — {bounded(comment, 2000)}" if comment else ""))
    if not lines:
        return ""
    return "\n".join([FEEDBACK_MARK, *lines, f"Total with written answers: {grade.total:g}/{grade.total_max}"]) + "\n"


def add_to_feedback(path, grade) -> None:
    """Put the written block at the end of a student's feedback file, replacing an earlier one."""
    block = written_feedback(grade)
    target = Path(path)
    if not block or not target.is_file() or target.is_symlink():
        return
    text = target.read_text(encoding="utf-8")
    text = text.split("\n" + FEEDBACK_MARK, 1)[0].rstrip("\n") + "\n"
    _write_atomically(target, text + "\n" + block)
