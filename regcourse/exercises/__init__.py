"""Auto-checked exercises: ``from regcourse.exercises import check``.

    check("l1.penalty", l1_penalty)     # ✅ passed / ❌ not yet, with a hint / 📝 not attempted
    summary(4)                          # your progress on chapter 4's exercises

Each exercise has an id, a chapter, a title and points (see ``all_exercises()``). A check
runs your answer on random and edge cases against the course's reference implementation and
tells you which property failed, never the expected value.
"""

from __future__ import annotations

from regcourse.exercises._checking import Failed
from regcourse.exercises._registry import Exercise, all_exercises, chapter_exercises, get
from regcourse.exercises._result import MISSING, Result
from regcourse.exercises._runner import SESSION, CheckError, check, run_check, show

__all__ = [
    "check",
    "run_check",
    "summary",
    "all_exercises",
    "chapter_exercises",
    "get",
    "Exercise",
    "Result",
    "CheckError",
    "Failed",
]


class Summary:
    """A chapter's exercises with the latest result of each (in this session)."""

    def __init__(self, chapter: int):
        self.chapter = chapter
        self.results = [
            SESSION.get(ex.id) or Result(ex.id, ex.title, MISSING, 0, ex.points, "")
            for ex in chapter_exercises(chapter)
        ]

    @property
    def score(self) -> int:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.max_points for r in self.results)

    def __str__(self) -> str:
        lines = [f"Chapter {self.chapter:02d}: {self.score}/{self.max_score} points"]
        lines += [str(r).splitlines()[0] for r in self.results]
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        rows = "".join(r._repr_html_() for r in self.results)
        heading = f"Chapter {self.chapter:02d}: {self.score}/{self.max_score} points"
        return f"<h4 style='font-family:sans-serif'>{heading}</h4>{rows}"


def summary(chapter: int) -> None:
    """Show your progress on a chapter's exercises: the latest result of each check."""
    show(Summary(chapter))
