"""The vocabulary checkers are written in.

A checker calls the learner's code through ``call`` and compares with ``close``,
``expect_number`` and friends. Each comparison carries a *hint*: a sentence about the
property being tested ("inputs with |w| ≤ t should become 0"). When a comparison fails, the
hint is all the learner sees — never the case, the expected value or the test's source.
Order the comparisons from the most basic property to the subtlest, so the first failure
points at the first thing to fix.

``number_exercise`` and ``choice_exercise`` register whole exercises for short numeric
answers and multiple-choice questions.
"""

from __future__ import annotations

import re
import sys
import zlib
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager

import numpy as np

from regcourse.exercises._registry import exercise


class Failed(Exception):
    """The answer is wrong; the message is the hint shown to the learner."""


class LearnerError(Exception):
    """The learner's code raised; the original exception is ``__cause__``."""


# A seed the grader draws for each grading run (see secret_cases); empty in a learner's kernel.
_SECRET: list[int] = []


def case_rng(exercise_id: str) -> np.random.Generator:
    """A generator seeded by the exercise id: random cases, the same on every run.

    Under ``secret_cases(seed)`` the grader's secret seed is mixed in, so the random cases of a
    grading run cannot be known in advance.
    """
    base = zlib.crc32(exercise_id.encode())
    return np.random.default_rng([base, *_SECRET] if _SECRET else base)


@contextmanager
def secret_cases(seed: int):
    """Within this block, every checker draws its random cases from ``seed`` as well."""
    _SECRET[:] = [int(seed)]
    try:
        yield
    finally:
        _SECRET.clear()


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def call(fn: Callable, *args):
    """Call the learner's ``fn`` on copies of ``args``; report exceptions and in-place edits."""
    copies = [_copy(a) for a in args]
    try:
        result = fn(*copies)
    except Exception as err:
        raise LearnerError(f"{type(err).__name__}: {err}") from err
    for original, passed in zip(args, copies):
        if isinstance(original, np.ndarray) and not np.array_equal(original, passed):
            raise Failed("your function changed its input array in place; compute a new array instead")
    return result


FLOAT64_EPS = float(np.finfo(np.float64).eps)
FLOAT32_EPS = float(np.finfo(np.float32).eps)


def _torch_tensor(value) -> bool:
    """True for a torch tensor, found through sys.modules: whoever holds one imported torch already."""
    torch = sys.modules.get("torch")
    return torch is not None and torch.is_tensor(value)


def plain(value):
    """The learner's value with torch tensors (gradients, any device, any dtype) as NumPy arrays,
    also inside lists and tuples; NumPy converts everything else that is array-like."""
    if _torch_tensor(value):
        tensor = value.detach().cpu()
        if tensor.is_complex():
            return tensor.resolve_conj().numpy()
        return tensor.double().numpy() if tensor.is_floating_point() else tensor.numpy()
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def precision(value) -> float:
    """The machine epsilon of the learner's numbers: float32's for float32 arrays, tensors and
    scalars (also inside lists), float64's for everything else."""
    dtype = getattr(value, "dtype", None)
    if _torch_tensor(value):
        return float(sys.modules["torch"].finfo(dtype).eps) if dtype.is_floating_point else FLOAT64_EPS
    if isinstance(value, (list, tuple)):
        return max((precision(item) for item in value), default=FLOAT64_EPS)
    try:
        floating = dtype is not None and np.issubdtype(dtype, np.floating)
    except TypeError:  # a dtype NumPy does not know (pandas' extension types)
        floating = False
    return float(np.finfo(dtype).eps) if floating else FLOAT64_EPS


def tolerances(eps: float, expected, rtol: float, atol: float) -> tuple[float, float]:
    """(rtol, atol) for numbers computed with machine epsilon ``eps``.

    In float64 the checker's own tolerances stand. Arithmetic in float32 is judged by float32's
    standards instead: a relative error of 128 ulps, and an absolute error of 16 ulps of the
    largest expected entry (for entries that cancel to nearly 0, such as |w| − t). Every mistake
    a check looks for is off by far more.
    """
    if eps <= FLOAT64_EPS:
        return rtol, atol
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return max(rtol, 128 * eps), max(atol, 16 * eps * scale)


def as_array(value) -> np.ndarray:
    """The learner's result as a float array, or a hint about what to return.

    Anything array-like is accepted: lists, NumPy arrays and scalars, and torch tensors, also
    ones that require gradients or live on another device.
    """
    if value is None:
        raise Failed("your function returned None: did you forget the return statement?")
    if isinstance(value, (str, bytes)):
        raise Failed(f"return a NumPy array of numbers, not a {type(value).__name__}")
    if precision(value) > FLOAT32_EPS:
        raise Failed(
            "your result is in half precision (float16 or bfloat16), too coarse to check: compute in float32 or float64"
        )
    try:
        array = np.asarray(plain(value), dtype=float)
    except (TypeError, ValueError, RuntimeError):
        raise Failed(f"return a NumPy array of numbers, not a {type(value).__name__}") from None
    return array


def as_number(value) -> float:
    """The learner's result as one float, or a hint about what to return."""
    array = as_array(value)
    if array.size != 1:
        raise Failed(f"return one number, not an array of shape {array.shape}")
    return float(array.reshape(()))


def expect_shape(got: np.ndarray, shape: tuple) -> None:
    if got.shape != tuple(shape):
        raise Failed(f"wrong shape: expected {tuple(shape)}, got {got.shape}")


def matches(got, expected, *, rtol: float = 1e-6, atol: float = 1e-9, eps: float | None = None) -> bool:
    """True when ``got`` has ``expected``'s shape and values, to tolerances that suit the precision
    ``eps`` the learner computed in (by default: read from ``got``'s dtype)."""
    eps = precision(got) if eps is None else eps
    got_array, expected_array = as_array(got), np.asarray(expected, dtype=float)
    if got_array.shape != expected_array.shape:
        return False
    rtol, atol = tolerances(eps, expected_array, rtol, atol)
    return bool(np.allclose(got_array, expected_array, rtol=rtol, atol=atol))


def close(got, expected, hint: str, *, rtol: float = 1e-6, atol: float = 1e-9, eps: float | None = None) -> None:
    """Fail with ``hint`` unless ``got`` equals ``expected`` to the tolerance (shapes first).

    ``got`` may be anything array-like. Its tolerance follows the precision it was computed in
    (see ``tolerances``); pass ``eps=FLOAT32_EPS`` when float32 results may sit in float64 storage.
    """
    got_array, expected_array = as_array(got), np.asarray(expected, dtype=float)
    expect_shape(got_array, expected_array.shape)
    if not np.all(np.isfinite(got_array)):
        raise Failed("your result contains NaN or infinity")
    if not matches(got, expected_array, rtol=rtol, atol=atol, eps=eps):
        raise Failed(hint)


def require(condition: bool, hint: str) -> None:
    if not condition:
        raise Failed(hint)


def compare(
    fn: Callable,
    reference: Callable,
    cases: Iterable[tuple],
    hint: str,
    *,
    scalar: bool = False,
    mistakes: Iterable[tuple[Callable, str]] = (),
) -> None:
    """Call the learner's ``fn`` and ``reference`` on each case (a tuple of arguments); fail
    with ``hint`` at the first disagreement.

    ``scalar=True`` requires one number back. ``mistakes`` pairs a function of the reference
    value with a specific hint: when the learner's result equals ``mistake(expected)``
    (for instance ``lambda v: v / 2`` for a stray ½), that hint is shown instead.
    """
    mistakes = tuple(mistakes)
    for args in cases:
        got = call(fn, *args)
        eps = precision(got)
        got = as_number(got) if scalar else got
        expected = reference(*args)
        try:
            close(got, expected, hint, eps=eps)
        except Failed:
            for mistake, specific in mistakes:
                wrong = np.asarray(mistake(np.asarray(expected, dtype=float)))
                if matches(got, wrong, eps=eps):
                    raise Failed(specific) from None
            raise


# --- whole exercises for short answers -------------------------------------------------


# The example a non-number answer is shown: a fraction for most short answers, a whole number
# for those that count something (pixels, zeros, an epoch), where "such as 0.5" would mislead.
FRACTION_EXAMPLE = "0.5"
COUNT_EXAMPLE = "12"


def _as_float_answer(answer, example: str = FRACTION_EXAMPLE) -> float:
    if isinstance(answer, bool):
        raise Failed("answer with a number, not True or False")
    if isinstance(answer, str):
        try:
            return float(answer.replace(",", "."))
        except ValueError:
            raise Failed(f"answer with a number, such as {example}; {answer!r} is not one") from None
    try:
        return as_number(answer)
    except Failed:
        raise Failed("answer with a single number") from None


def number_exercise(
    id: str,
    *,
    chapter: int,
    title: str,
    points: int,
    answer: float,
    hint: str,
    rtol: float = 1e-3,
    atol: float = 1e-9,
    mistakes: Iterable[tuple[float, str]] = (),
    count: bool = False,
) -> None:
    """Register a short numeric question.

    ``hint`` is shown for a wrong answer; ``mistakes`` pairs known wrong values with a more
    specific hint (for instance the value you get by putting in a ½ the course does not use).
    ``count=True`` for an answer that counts something: a non-number answer is then shown a whole
    number as the example (``COUNT_EXAMPLE``), not a fraction.
    """
    mistakes = tuple(mistakes)
    example = COUNT_EXAMPLE if count else FRACTION_EXAMPLE
    if count:
        assert float(answer).is_integer(), f"{id}: count=True but the answer is not a whole number"
    # The example must never give the answer away.
    assert not np.isclose(float(example), answer, rtol=rtol, atol=atol), f"{id}: the example {example} is the answer"

    @exercise(id, chapter=chapter, title=title, points=points, kind="number")
    def check_number(given):
        value = _as_float_answer(given, example)
        if np.isclose(value, answer, rtol=rtol, atol=atol):
            return
        for wrong, specific in mistakes:
            if np.isclose(value, wrong, rtol=rtol, atol=atol):
                raise Failed(specific)
        raise Failed(hint)


def _normalise_letters(answer, options: Mapping[str, str]) -> frozenset[str]:
    items = answer if isinstance(answer, (list, tuple, set, frozenset)) else [answer]
    letters = set()
    for item in items:
        if not isinstance(item, str):
            raise Failed("answer with the letter of an option, as a string in quotes")
        letter = item.strip().strip(")").strip().lower()
        if letter not in options:
            pieces = [piece.strip(" )").lower() for piece in re.split(r"[,;\s]+", item.strip()) if piece.strip(" )")]
            if len(pieces) > 1 and all(piece in options for piece in pieces):
                raise Failed(
                    f'{item!r} is one string; give several letters as a list of strings, one letter each: ["…", "…"]'
                )
            raise Failed(f"{item!r} is not one of the options; choose from {', '.join(options)}")
        letters.add(letter)
    return frozenset(letters)


def choice_exercise(
    id: str,
    *,
    chapter: int,
    title: str,
    points: int,
    options: Mapping[str, str],
    correct: str | Iterable[str],
    hint: str,
    why_not: Mapping[str, str] | None = None,
) -> None:
    """Register a multiple-choice question.

    ``options`` maps letters to the options' text (the notebook shows the same text, which a
    test checks). ``correct`` is one letter, or several when more than one option is right.
    ``why_not`` explains, for a wrong option, what is wrong with it without naming the right one.
    """
    correct_set = frozenset([correct] if isinstance(correct, str) else correct)
    assert correct_set <= set(options), f"{id}: correct options must be among {list(options)}"
    why_not = dict(why_not or {})

    @exercise(id, chapter=chapter, title=title, points=points, kind="choice")
    def check_choice(given):
        chosen = _normalise_letters(given, options)
        if chosen == correct_set:
            return
        if len(correct_set) > 1 and chosen < correct_set:
            raise Failed("right so far, but more than one option is correct")
        wrong = sorted(chosen - correct_set)
        if wrong and wrong[0] in why_not:
            raise Failed(why_not[wrong[0]])
        raise Failed(hint)

    check_choice.options = dict(options)  # for the test that the notebook shows these options
    check_choice.correct, check_choice.why_not = correct_set, why_not  # for the tests of the hints
