"""The written questions: one per chapter, answered in a markdown cell, graded by the instructor.

Each exercise notebook has a markdown cell headed ``## Exercise N · <title> (not auto-checked)``
whose prompt line ``✍️ **Your answer:** …`` the learner replaces with prose. The grader reads that
text from the notebook file as data (it is never run) for the instructor's written-answer sheet
(``regcourse grade --written FILE``), and adds the points the instructor gives to the gradebook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROMPT_MARK = "**Your answer:**"
PLACEHOLDER = "*replace this line with your answer.*"
MAX_ANSWER_CHARS = 20_000


@dataclass(frozen=True)
class Written:
    id: str
    chapter: int
    title: str
    points: int

    @property
    def heading(self) -> re.Pattern:
        return re.compile(rf"^#+\s*Exercise\s+\d+\s*·\s*{re.escape(self.title)}(?=\s|\(|$)")


_OWN_WORDS = "In your own words"
WRITTEN = {
    w.chapter: w
    for w in (
        Written("overfit.written", 1, _OWN_WORDS, 2),
        Written("objective.written", 2, _OWN_WORDS, 2),
        Written("l2.written", 3, _OWN_WORDS, 2),
        Written("l1.written", 4, _OWN_WORDS, 2),
        Written("enet.written", 5, _OWN_WORDS, 2),
        Written("lambda.written", 6, _OWN_WORDS, 2),
        Written("nn.written", 7, _OWN_WORDS, 2),
        Written("frameworks.written", 8, "Sum or mean?", 2),
        Written("classify.written", 9, _OWN_WORDS, 2),
        Written("beyond.written", 10, _OWN_WORDS, 2),
        Written("ridge.written", 11, _OWN_WORDS, 2),
        Written("select.written", 12, _OWN_WORDS, 2),
        Written("implicit.written", 13, _OWN_WORDS, 2),
        Written("review.written", 14, _OWN_WORDS, 2),
    )
}


def chapter_written(chapter: int | None) -> list[Written]:
    """The written questions of a chapter (none for chapter 00 or an unknown chapter)."""
    return [WRITTEN[chapter]] if chapter in WRITTEN else []


def written_answer(notebook, question: Written) -> str | None:
    """The learner's answer to ``question`` in ``notebook`` (an nbformat notebook), as text.

    None when the notebook has no cell with the question's heading (deleted or renamed); "" when
    the prompt is still there untouched. The answer is what follows the prompt's marker, or, when
    the learner replaced the whole prompt line, everything after the heading's paragraph.
    """
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        lines = source.splitlines()
        if not lines or not question.heading.match(lines[0].strip()):
            continue
        if PROMPT_MARK in source:
            answer = source.split(PROMPT_MARK, 1)[1]
        else:  # the prompt line replaced: drop the heading and the question's first paragraph
            answer = "\n".join(lines[1:]).strip().split("\n\n", 1)
            answer = answer[1] if len(answer) > 1 else ""
        for marker in (PLACEHOLDER, "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"):  # (a solution's own markers)
            answer = answer.replace(marker, "")
        answer = answer.strip()
        return answer[:MAX_ANSWER_CHARS]
    return None
