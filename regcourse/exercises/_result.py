"""What a check found, and how it is shown: HTML in Jupyter, plain text elsewhere."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass

from regcourse._text import printable

PASSED = "passed"
FAILED = "failed"  # a wrong answer, including code that raised or ran too long
NOT_ATTEMPTED = "not_attempted"
MISSING = "missing"  # the grader's word for a check that never ran
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED, MISSING)

_LOOK = {
    PASSED: ("✅", "passed", "#1b7837", "#e9f5ec"),
    FAILED: ("❌", "not yet", "#b2182b", "#fbeaea"),
    NOT_ATTEMPTED: ("📝", "not attempted", "#5e5e5e", "#f3f3f3"),
    MISSING: ("⚠️", "never checked", "#8c510a", "#fdf3e4"),
}


@dataclass(frozen=True)
class Result:
    """The outcome of one check. ``hint`` says what to look at, never what to get."""

    id: str
    title: str
    status: str
    points: int
    max_points: int
    hint: str = ""

    def __post_init__(self):
        # A learner's exception message or a hint may carry lone surrogates or control
        # characters; the result is shown, logged as UTF-8 and written to feedback files.
        object.__setattr__(self, "hint", printable(self.hint))
        object.__setattr__(self, "title", printable(self.title))

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def to_json(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        icon, word, _, _ = _LOOK[self.status]
        line = f"{icon} {self.id} — {self.title}: {word} ({self.points}/{self.max_points} points)"
        return f"{line}\n   {self.hint}" if self.hint else line

    def _repr_pretty_(self, printer, cycle) -> None:  # IPython's text/plain
        printer.text(str(self))

    def _repr_html_(self) -> str:
        icon, word, colour, background = _LOOK[self.status]
        hint = f'<div style="margin-top:0.3em">{html.escape(self.hint)}</div>' if self.hint else ""
        return (
            f'<div style="border-left:5px solid {colour};background:{background};'
            f'padding:0.5em 0.8em;margin:0.3em 0;font-family:sans-serif;color:#222">'
            f"{icon} <b>{html.escape(self.title)}</b> <code>{html.escape(self.id)}</code>: "
            f'<span style="color:{colour};font-weight:bold">{word}</span> '
            f"({self.points}/{self.max_points} points){hint}</div>"
        )
