"""What grading writes: the CSV gradebook (atomically) and one feedback file per student.

Both are written to a temporary file in the target's folder and then renamed over the
target: a reader sees the old file or the complete new one, and a symbolic link planted at a
target's name is replaced, never followed. Feedback file names are made from the submissions'
names with anything but printable characters replaced, so no name leads outside the folder.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from regcourse._text import printable
from regcourse.exercises import _registry
from regcourse.grading._submission import ERROR, INVALID, OK, TIMEOUT, Graded

FIXED_COLUMNS = ["submission", "status", "score", "max_score"]
TAIL_COLUMNS = ["chapter", "sha256", "reason"]


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


def gradebook_text(grades: list[Graded]) -> str:
    ids = gradebook_columns(grades)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*FIXED_COLUMNS, *ids, *TAIL_COLUMNS])
    for grade in grades:
        if grade.resumed_row is not None:
            row = grade.resumed_row
            writer.writerow([printable(row.get(c, "")) for c in [*FIXED_COLUMNS, *ids, *TAIL_COLUMNS]])
            continue
        cells = [grade.results[i].points if i in grade.results else "" for i in ids]
        chapter = "" if grade.chapter is None else grade.chapter
        writer.writerow([grade.submission, grade.status, grade.score, grade.max_score, *cells, chapter, grade.sha256,
                         grade.reason])
    return buffer.getvalue()


def write_gradebook(grades: list[Graded], out: str | Path) -> None:
    """Write the CSV atomically: a temporary file in the same folder, then a rename.

    Columns: submission, status, score, max_score, one per exercise id (points earned; empty
    when the exercise is not part of that submission's chapter), chapter, sha256 (of the
    original file as graded) and reason.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = gradebook_text(grades)
    _write_atomically(out, text)


def read_gradebook_rows(path: str | Path) -> list[dict]:
    """The rows of an existing gradebook (for --resume); [] when there is none."""
    try:
        with open(path, newline="", encoding="utf-8") as stream:
            return [row for row in csv.DictReader(stream) if row.get("sha256") and row.get("submission")]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


_RUN_WORDS = {
    OK: "your notebook ran from top to bottom",
    ERROR: "your notebook stopped with an error",
    TIMEOUT: "your notebook took too long and was stopped",
    INVALID: "your file could not be read as a notebook",
}


def feedback_text(grade: Graded) -> str:
    """What one student reads after grading: how the run went, the score, each exercise.

    When no answer could be read (an unreadable file, a kernel that died, a notebook that ran
    too long), the reason is said once, not repeated for every exercise.
    """
    chapter = f", chapter {grade.chapter:02d}" if grade.chapter is not None else ""
    lines = [f"Feedback on {grade.submission}{chapter}", ""]
    run = _RUN_WORDS.get(grade.status, grade.status)
    lines.append(f"How it ran: {grade.status}: {run}" + (f" ({grade.reason})." if grade.reason else "."))
    lines.append(f"Score: {grade.score}/{grade.max_score}")
    results = list(grade.results.values())
    if results and all(r.status == "missing" and not r.hint for r in results):
        lines += ["", f"None of the {len(results)} exercises could be graded, for the reason above. Each scores 0:"]
    lines.append("")
    for result in results:
        lines.append(str(result))
    lines += ["", "Each exercise was graded from the answer your notebook held after running, on test cases "
                  "drawn for this grading; the checks inside the notebook did not count."]
    return "\n".join(lines) + "\n"


def _safe_stem(name: str) -> str:
    stem = "".join(c if (c.isalnum() or c in "-_.+=,@") else "_" for c in name)
    stem = stem.lstrip(".") or "submission"
    return stem[:150]


def _feedback_names(grades: list[Graded]) -> list[str]:
    """A distinct, safe file name for each submission: its path relative to the submissions'
    common folder, with "/" turned into "__" (alice/04.ipynb -> alice__04.txt)."""
    paths = [Path(os.path.abspath(g.submission)) for g in grades]
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


def write_feedback(grades: list[Graded], folder: str | Path) -> list[Path]:
    """One feedback file per graded submission (a resumed row keeps the file it has)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for grade, name in zip(grades, _feedback_names(grades)):
        target = folder / name
        if grade.resumed_row is not None and target.is_file() and not target.is_symlink():
            written.append(target)
            continue
        _write_atomically(target, feedback_text(grade))
        written.append(target)
    return written
