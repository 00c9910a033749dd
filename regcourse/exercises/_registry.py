"""The registry of every exercise in the course: id, chapter, title, points and its checker.

Chapter modules (``ch03_l2_ridge.py``, …) register their exercises with ``@exercise``. The
grader uses the registry to list, for a chapter, every exercise a submission should have
checked, so a check that never ran scores 0 and is reported as missing.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Checker = Callable[[Any], None]


@dataclass(frozen=True)
class Exercise:
    """One auto-checked exercise.

    ``checker(answer)`` returns None when the answer is right and raises ``Failed(hint)``
    when it is not. ``kind`` is "code", "choice" or "number" (for display and authoring).
    """

    id: str
    chapter: int
    title: str
    points: int
    kind: str
    checker: Checker


_REGISTRY: dict[str, Exercise] = {}
_LOADED = False


def exercise(id: str, *, chapter: int, title: str, points: int, kind: str = "code"):
    """Register the decorated function as the checker of exercise ``id``."""
    if kind not in ("code", "choice", "number"):
        raise ValueError(f"kind must be 'code', 'choice' or 'number', got {kind!r}")
    if points <= 0:
        raise ValueError(f"points must be positive, got {points}")

    def register(checker: Checker) -> Checker:
        if id in _REGISTRY:
            raise ValueError(f"exercise id {id!r} is registered twice")
        _REGISTRY[id] = Exercise(id, chapter, title, points, kind, checker)
        return checker

    return register


def _load_chapters() -> None:
    """Import every chapter module once, so their exercises are registered."""
    global _LOADED
    if _LOADED:
        return
    package = importlib.import_module("regcourse.exercises")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("ch"):
            importlib.import_module(f"regcourse.exercises.{module.name}")
    _LOADED = True


def get(exercise_id: str) -> Exercise | None:
    """The exercise with this id, or None."""
    _load_chapters()
    return _REGISTRY.get(exercise_id)


def all_exercises() -> list[Exercise]:
    """Every exercise, ordered by chapter and then by registration order."""
    _load_chapters()
    return sorted(_REGISTRY.values(), key=lambda ex: ex.chapter)


def chapter_exercises(chapter: int) -> list[Exercise]:
    """The exercises of one chapter, in the order they appear in its notebook."""
    return [ex for ex in all_exercises() if ex.chapter == chapter]
