"""The check API: statuses, hints that never reveal answers, time limits, strict mode, the log."""

import html
import json
import re
import threading
import time

import numpy as np
import pytest

from _project import chapter_answer_modules
from regcourse.exercises import CheckError, all_exercises, check, get, run_check
from regcourse.exercises._result import FAILED, NOT_ATTEMPTED, PASSED

# --- learner answers, written independently of regcourse ---------------------------------


def l1_penalty(w, lam):
    return lam * np.abs(w).sum()


def l1_subgradient(w, lam):
    return lam * np.sign(w)


def soft_threshold(w, t):
    return np.where(np.abs(w) <= t, 0.0, w - t * np.sign(w))


def l2_penalty(w, lam):
    return lam * (np.asarray(w) ** 2).sum()


def l2_gradient(w, lam):
    return 2 * lam * np.asarray(w)


def double(w):
    return w + w


def mse(y, y_hat):
    return float(((np.asarray(y) - np.asarray(y_hat)) ** 2).sum() / len(y))


def ridge_objective(w, b, X, y, lam):
    residual = y - (X @ w + b)
    return residual @ residual / len(y) + lam * w @ w


RIGHT = {
    "welcome.double": double,
    "objective.ridge": ridge_objective,
    "objective.sse_lambda": "10",
    "objective.huge_lambda": "b",
    "overfit.mse": mse,
    "overfit.definition": "b",
    "overfit.symptom": "B)",
    "l1.penalty": l1_penalty,
    "l1.subgradient": l1_subgradient,
    "l1.soft_threshold": soft_threshold,
    "l1.zeros_count": 4,
    "l1.quiz_prefer": "a",
    "l2.penalty": l2_penalty,
    "l2.gradient": l2_gradient,
    "l2.value_by_hand": 7.0,
    "l2.shrink_factor": 0.9,
    "l2.quiz_zeros": "b",
}

# Chapters 05 on keep their answers in tests/answers_chNN.py (RIGHT, WRONG_CODE, WRONG_VALUES).
ANSWER_MODULES = chapter_answer_modules()
for _module in ANSWER_MODULES:
    assert not set(_module.RIGHT) & set(RIGHT), f"{_module.__name__} repeats ids"
    RIGHT.update(_module.RIGHT)


def stub(w, lam):
    """An untouched exercise stub."""
    # YOUR CODE HERE
    ...


def test_every_registered_exercise_is_covered_here():
    assert {ex.id for ex in all_exercises()} == set(RIGHT)


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answers_pass_with_full_points(exercise_id):
    result = run_check(exercise_id, RIGHT[exercise_id])
    assert result.status == PASSED, result
    assert result.points == result.max_points == get(exercise_id).points > 0


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("untouched", [..., None, "", "   ", stub], ids=["ellipsis", "None", "empty", "blank", "stub"])
def test_untouched_answers_are_not_attempted_and_score_nothing(exercise_id, untouched):
    result = run_check(exercise_id, untouched)
    assert result.status == NOT_ATTEMPTED and result.points == 0


def test_a_function_with_only_pass_is_not_attempted_but_a_real_attempt_is():
    def only_pass(w, lam):
        pass

    assert run_check("l1.penalty", only_pass).status == NOT_ATTEMPTED
    assert run_check("l1.penalty", lambda w, lam: 0.0).status == FAILED


# --- hints: the failed property, never the expected value ------------------------------


def forgot_return(w, lam):
    total = lam * np.abs(w).sum()  # noqa: F841 -- computed, never returned


WRONG_CODE = {
    "objective.ridge": [
        (lambda w, b, X, y, lam: np.sum((y - X @ w - b) ** 2) + lam * w @ w, "sum of squared errors"),
        (lambda w, b, X, y, lam: np.mean((y - X @ w) ** 2) + lam * w @ w, "intercept b is added"),
        (lambda w, b, X, y, lam: np.mean((y - X @ w - b) ** 2) + 0.5 * lam * w @ w, "no ½"),
        (lambda w, b, X, y, lam: np.mean((y - X @ w - b) ** 2) + lam * (w @ w + b * b), "not penalized"),
    ],
    "overfit.mse": [
        (lambda y, y_hat: np.sum((y - y_hat) ** 2), "divide by n"),
        (lambda y, y_hat: np.mean(y - y_hat), "squared"),
        (lambda y, y_hat: np.sqrt(np.mean((y - y_hat) ** 2)), "square root"),
        (lambda y, y_hat: np.mean(np.abs(y - y_hat)), "squared"),
    ],
    "welcome.double": [
        (lambda w: w / 2, "halves the weights"),
        (lambda w: w * 3, "multiplied by 2"),
        (lambda w: (2 * w).ravel(), "wrong shape: expected (2, 3)"),
    ],
    "l1.penalty": [
        (lambda w, lam: lam * np.sum(w), "negative weights should add to the penalty"),
        (lambda w, lam: lam * np.abs(w), "return one number, not an array"),
        (lambda w, lam: np.abs(w).sum(), "proportional to λ"),
        (lambda w, lam: lam * np.abs(w).sum(axis=0), "return one number"),
        (forgot_return, "forget the return statement"),
        (lambda w, lam: "0.5", "return a NumPy array of numbers"),
    ],
    "l1.subgradient": [
        (lambda w, lam: lam * np.where(w >= 0, 1.0, -1.0), "at wⱼ = 0 take the subgradient of smallest size"),
        (lambda w, lam: -lam * np.sign(w), "wrong sign"),
        (lambda w, lam: np.sign(w), "proportional to λ"),
        (lambda w, lam: lam * np.abs(w), "for wⱼ ≠ 0 the derivative"),
        (lambda w, lam: lam * np.sign(w).ravel(), "wrong shape: expected (2, 3)"),
    ],
    "l1.soft_threshold": [
        (lambda w, t: w - t * np.sign(w), "inputs with |w| ≤ t should become 0"),
        (lambda w, t: np.where(np.abs(w) < t, 0.0, w - t * np.sign(w)) + (np.abs(w) == t) * w, "exactly equal to t"),
        (lambda w, t: np.where(np.abs(w) <= t, 0.0, w), "move toward 0 by exactly t"),
        (lambda w, t: np.where(np.abs(w) <= t, 0.0, w - t), "inputs below −t"),
        (lambda w, t: np.where(np.abs(w) <= t, 0.0, w - t * np.sign(w)).ravel(), "wrong shape"),
    ],
    "l2.penalty": [
        (lambda w, lam: 0.5 * lam * np.sum(np.asarray(w) ** 2), "no ½"),
        (lambda w, lam: lam * np.sum(np.abs(w)), "a single weight w should cost its square"),
        (lambda w, lam: lam * np.sum(np.asarray(w)) ** 2, "add up the squares"),
    ],
    "l2.gradient": [
        (lambda w, lam: lam * np.asarray(w), "off by a constant factor"),
        (lambda w, lam: -2 * lam * np.asarray(w), "wrong sign"),
        (lambda w, lam: 2 * np.asarray(w), "proportional to λ"),
    ],
}

WRONG_VALUES = {
    "overfit.definition": [("a", "how it overfits"), ("d", "labels stay")],
    "objective.sse_lambda": [(0.05 / 200, "the other way round"), (20.0, "no factor 2"), (0.05, "n·MSE")],
    "objective.huge_lambda": [("a", "λ = 0"), ("c", "enormous"), ("d", "no upper limit")],
    "overfit.symptom": [("a", "underfitting"), ("d", "still helping")],
    "l1.zeros_count": [
        (3, "equals t exactly"),
        (2, "sizes count"),
        (5, "at most t"),
        ("four", "answer with a number, such as 12"),
    ],
    "l2.value_by_hand": [(3.5, "½"), (1.0, "square each weight"), (3.0, "L1 penalty"), (14.0, "then multiply by λ")],
    "l2.shrink_factor": [(0.95, "factor 2"), (1.1, "against the gradient"), (0.5, "factor out w"), (True, "not True")],
    "l1.quiz_prefer": [
        ("b", "correlated"),
        ("c", "kink"),
        ("d", "common factor"),
        ("e", "choose from a, b, c, d"),
        (2, "letter of an option"),
    ],
    "l2.quiz_zeros": [("a", "L1 does"), ("C", "no rule"), ("d) ", "λ → ∞")],
}

for _module in ANSWER_MODULES:
    for _name in ("WRONG_CODE", "WRONG_VALUES"):
        _extra = getattr(_module, _name, {})
        assert not set(_extra) & set(globals()[_name]), f"{_module.__name__} repeats ids of {_name}"
        globals()[_name].update(_extra)

CASES = [(i, fn, words) for i, items in WRONG_CODE.items() for fn, words in items] + [
    (i, value, words) for i, items in WRONG_VALUES.items() for value, words in items
]


@pytest.mark.parametrize("exercise_id, answer, words", CASES, ids=lambda x: x if isinstance(x, str) else "")
def test_wrong_answers_fail_with_the_hint_for_the_property_they_miss(exercise_id, answer, words):
    result = run_check(exercise_id, answer)
    assert result.status == FAILED and result.points == 0
    assert words in result.hint, result.hint


# Short answers that count something: a word instead of a number is shown a whole number as the
# example, never "such as 0.5" (a pixel count of 0.5 makes no sense).
COUNT_EXERCISES = {
    "l1.zeros_count",
    "classify.pixels_used",
    "beyond.patience",
    "review.lasso_max_features",
    "ridge.df_wide",
}


@pytest.mark.parametrize("exercise_id", sorted(ex.id for ex in all_exercises() if ex.kind == "number"))
def test_a_word_for_a_number_is_shown_an_example_of_the_right_kind(exercise_id):
    result = run_check(exercise_id, "many")
    assert result.status == FAILED
    example = re.fullmatch(r"answer with a number, such as (\S+); 'many' is not one", result.hint).group(1)
    if exercise_id in COUNT_EXERCISES:
        assert example.isdigit(), result.hint
    else:
        assert example == "0.5", result.hint
    assert float(example) != RIGHT[exercise_id]


@pytest.mark.parametrize("exercise_id, answer, words", CASES, ids=lambda x: x if isinstance(x, str) else "")
def test_feedback_never_contains_an_expected_value(exercise_id, answer, words):
    result = run_check(exercise_id, answer)
    # The hint is the only part of the feedback that depends on the answer.
    assert str(result).split("\n", 1)[1].strip() == result.hint
    assert html.escape(result.hint) in result._repr_html_()
    numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", result.hint)]
    right = RIGHT[exercise_id]
    if isinstance(right, str):  # a multiple-choice letter
        assert f"'{right}'" not in result.hint and f"{right})" not in result.hint
    elif isinstance(right, (int, float)):
        assert not any(np.isclose(n, right) for n in numbers), result.hint
    else:  # the reference outputs of the code exercises are not whole numbers
        assert not re.search(r"\d\.\d", result.hint), result.hint


def test_learner_exceptions_are_reported_by_type_and_message_never_raised():
    result = run_check("l1.penalty", lambda w, lam: 1 / 0)
    assert result.status == FAILED and "ZeroDivisionError: division by zero" in result.hint

    def recurse(w, lam):
        return recurse(w, lam)

    assert "RecursionError" in run_check("l1.penalty", recurse).hint


def test_changing_the_input_array_in_place_is_pointed_out():
    def in_place(w, t):
        w[np.abs(w) <= t] = 0.0
        w[w > t] -= t
        w[w < -t] += t
        return w

    assert "changed its input array in place" in run_check("l1.soft_threshold", in_place).hint


def test_passing_the_course_reference_instead_of_your_own_function_fails():
    from regcourse.penalties import soft_threshold as reference

    result = run_check("l1.soft_threshold", reference)
    assert result.status == FAILED and "your own function" in result.hint


def test_an_unknown_id_is_reported_not_raised():
    result = run_check("l1.penalyt", l1_penalty)
    assert result.status == FAILED and "'l1.penalyt'" in result.hint


# --- time limits ---------------------------------------------------------------------------


def endless(w, t):
    while True:
        try:
            pass
        except Exception:  # learner code catching everything must still be stopped
            pass


def test_code_that_runs_too_long_is_stopped_and_reported(monkeypatch):
    monkeypatch.setenv("REGCOURSE_CHECK_TIMEOUT", "0.5")
    started = time.monotonic()
    result = run_check("l1.soft_threshold", endless)
    assert time.monotonic() - started < 3
    assert result.status == FAILED and "more than 0.5 s" in result.hint


def test_time_limit_also_works_outside_the_main_thread(monkeypatch):
    monkeypatch.setenv("REGCOURSE_CHECK_TIMEOUT", "0.5")
    results = []
    thread = threading.Thread(target=lambda: results.append(run_check("l1.soft_threshold", endless)))
    thread.start()
    thread.join(5)
    assert not thread.is_alive() and results[0].status == FAILED and "more than 0.5 s" in results[0].hint
    assert run_check("l1.soft_threshold", soft_threshold).status == PASSED  # nothing left behind


# --- check(): display, strict mode, the log ---------------------------------------------


def test_check_prints_plain_text_outside_jupyter_and_returns_none(capsys):
    assert check("l1.penalty", l1_penalty) is None
    assert capsys.readouterr().out.startswith("✅ l1.penalty")
    check("l1.penalty", stub)
    assert capsys.readouterr().out.startswith("📝 l1.penalty")
    check("l1.penalty", lambda w, lam: lam * np.sum(w))
    out = capsys.readouterr().out
    assert out.startswith("❌ l1.penalty") and "negative weights" in out


def test_html_rendering_shows_status_and_escapes_text():
    html = (
        run_check("l1.quiz_prefer", "<b>").__class__("x", "a <title>", FAILED, 0, 1, "use <code> & such")._repr_html_()
    )
    assert "a &lt;title&gt;" in html and "use &lt;code&gt; &amp; such" in html and "❌" in html
    assert "✅" in run_check("l1.quiz_prefer", "a")._repr_html_()


@pytest.mark.parametrize("answer", [lambda w, lam: 0.0, stub, ...])
def test_strict_mode_raises_on_anything_but_a_pass(monkeypatch, answer, capsys):
    monkeypatch.setenv("REGCOURSE_STRICT", "1")
    with pytest.raises(CheckError, match="l1.penalty"):
        check("l1.penalty", answer)
    check("l1.penalty", l1_penalty)  # a pass does not raise


def test_each_check_appends_one_json_line_to_the_log(monkeypatch, tmp_path, capsys):
    log = tmp_path / "checks.jsonl"
    monkeypatch.setenv("REGCOURSE_CHECK_LOG", str(log))
    check("l1.penalty", l1_penalty)
    check("l1.zeros_count", 3)
    check("l1.quiz_prefer", ...)
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["id"], e["status"], e["points"], e["max_points"]) for e in entries] == [
        ("l1.penalty", "passed", 2, 2),
        ("l1.zeros_count", "failed", 0, 1),
        ("l1.quiz_prefer", "not_attempted", 0, 1),
    ]


def test_summary_lists_every_exercise_of_the_chapter_including_unchecked(capsys):
    from regcourse.exercises import summary
    from regcourse.exercises._runner import SESSION

    SESSION.clear()
    check("l2.penalty", l2_penalty)
    capsys.readouterr()
    summary(3)
    out = capsys.readouterr().out
    assert out.startswith("Chapter 03: 2/7 points")
    assert out.count("never checked") == 4 and "✅ l2.penalty" in out


# --- the registry ----------------------------------------------------------------------------


def test_registry_entries_are_complete_and_ids_follow_the_chapter():
    prefixes = {
        0: "welcome.",
        1: "overfit.",
        2: "objective.",
        3: "l2.",
        4: "l1.",
        5: "enet.",
        6: "lambda.",
        7: "nn.",
        8: "frameworks.",
        9: "classify.",
        10: "beyond.",
        11: "ridge.",
        12: "select.",
        13: "implicit.",
        14: "review.",
    }
    for ex in all_exercises():
        assert ex.title and ex.points > 0 and ex.kind in ("code", "choice", "number")
        assert ex.id.startswith(prefixes[ex.chapter]), ex.id


def test_registering_an_id_twice_is_refused():
    from regcourse.exercises._registry import exercise

    with pytest.raises(ValueError, match="registered twice"):
        exercise("l1.penalty", chapter=4, title="again", points=1)(lambda answer: None)
