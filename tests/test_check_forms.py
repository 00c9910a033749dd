"""Checks judge the answer, not its form: NumPy or torch, float64 or float32, gradients or not,
flat or nested models. And a hint about a wrong option never names the right one."""

import re

import numpy as np
import pytest
import torch
from torch import nn

import answers_ch07
from _project import chapter_answer_modules
from regcourse.exercises import all_exercises, get, run_check
from regcourse.exercises._result import FAILED, PASSED
from test_checks import RIGHT

# --- answers to the NumPy exercises, returned in other array forms ------------------------------

CODE_EXERCISES = sorted(i for i, answer in RIGHT.items() if callable(answer) and get(i).chapter != 7)


def _convert(value, form):
    if isinstance(value, (list, tuple)):  # k-fold splits: a list of index arrays
        return [_convert(item, form) for item in value]
    array = np.asarray(value)
    floating = np.issubdtype(array.dtype, np.floating)
    if form == "tensor with gradient":
        return torch.tensor(array, requires_grad=floating)
    if form == "float32 tensor with gradient":
        return torch.tensor(array, dtype=torch.float32 if floating else None, requires_grad=floating)
    if form == "float32 array":
        return array.astype(np.float32) if floating else array
    if form == "nested list":
        return array.tolist()
    raise ValueError(form)


def _returning(fn, form):
    def answer(*args):
        return _convert(fn(*args), form)

    return answer


@pytest.mark.parametrize(
    "form", ["tensor with gradient", "float32 tensor with gradient", "float32 array", "nested list"]
)
@pytest.mark.parametrize("exercise_id", CODE_EXERCISES)
def test_a_right_answer_passes_whatever_array_form_it_comes_in(exercise_id, form):
    result = run_check(exercise_id, _returning(RIGHT[exercise_id], form))
    assert result.status == PASSED, result


def test_the_audit_covers_every_numpy_code_exercise():
    assert {
        "l1.penalty",
        "l2.penalty",
        "enet.penalty",
        "l1.soft_threshold",
        "enet.prox",
        "lambda.kfold",
        "review.one_se",
        "welcome.double",
    } <= set(CODE_EXERCISES)


# --- answers written in torch, as chapter 00 invites -----------------------------------------------


def l1_penalty_with_gradient(w, lam):
    w = torch.tensor(w, requires_grad=True)
    return lam * w.abs().sum()


def l2_penalty_in_float32(w, lam):
    w = torch.Tensor(w)  # torch.Tensor(...) makes float32
    return lam * (w**2).sum()


def enet_penalty_with_gradient(w, l1, l2):
    w = torch.from_numpy(w).requires_grad_()
    return l1 * w.abs().sum() + l2 * w.pow(2).sum()


def soft_threshold_in_float32(w, t):
    w = torch.as_tensor(w, dtype=torch.float32)
    return torch.sign(w) * torch.relu(w.abs() - t)


def l1_penalty_as_1x1(w, lam):
    return (lam * torch.as_tensor(w).abs().sum()).reshape(1, 1)


@pytest.mark.parametrize(
    "exercise_id, answer",
    [
        ("l1.penalty", l1_penalty_with_gradient),
        ("l1.penalty", l1_penalty_as_1x1),
        ("l2.penalty", l2_penalty_in_float32),
        ("enet.penalty", enet_penalty_with_gradient),
        ("l1.soft_threshold", soft_threshold_in_float32),
    ],
    ids=lambda x: x if isinstance(x, str) else x.__name__,
)
def test_right_answers_written_in_torch_pass(exercise_id, answer):
    result = run_check(exercise_id, answer)
    assert result.status == PASSED, result


@pytest.mark.parametrize(
    "exercise_id, answer, words",
    [
        ("l1.penalty", lambda w, lam: lam * torch.tensor(w, requires_grad=True).sum(), "negative weights"),
        ("l2.penalty", lambda w, lam: 0.5 * lam * (torch.Tensor(w) ** 2).sum(), "no ½"),
        (
            "l1.soft_threshold",
            lambda w, t: torch.Tensor(w) - t * torch.sign(torch.Tensor(w)),
            "|w| ≤ t should become 0",
        ),
        ("l1.penalty", lambda w, lam: lam * torch.tensor(w, dtype=torch.float16).abs().sum(), "half precision"),
        ("l1.penalty", lambda w, lam: lam * torch.tensor(w, dtype=torch.bfloat16).abs().sum(), "half precision"),
        # float32's tolerance is about 1e-5: an error of 1e-3 is still an error
        ("l1.penalty", lambda w, lam: (1 + 1e-3) * lam * torch.Tensor(w).abs().sum(), "the sum of the weights"),
        # and float64 answers keep the checker's own tolerance
        ("l1.penalty", lambda w, lam: (1 + 1e-5) * lam * np.abs(w).sum(), "the sum of the weights"),
    ],
)
def test_wrong_answers_in_torch_or_float32_still_fail_with_their_hint(exercise_id, answer, words):
    result = run_check(exercise_id, answer)
    assert result.status == FAILED and words in result.hint, result.hint


# --- networks: nested, a bare layer, a custom Module with its own nn.Parameter ---------------------

OTHER_RIGHT = [
    (i, answer)
    for module in chapter_answer_modules()
    for i, answers in getattr(module, "OTHER_RIGHT", {}).items()
    for answer in answers
]


@pytest.mark.parametrize("exercise_id, answer", OTHER_RIGHT, ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_right_answers_written_another_way_pass(exercise_id, answer):
    result = run_check(exercise_id, answer)
    assert result.status == PASSED, result


def _kinds():
    from regcourse.exercises.ch07_neural_networks import KINDS

    return KINDS


@pytest.mark.parametrize("kind", _kinds())
def test_the_checkers_weights_are_the_weights_regcourse_nn_penalizes(kind):
    from regcourse.exercises.ch07_neural_networks import _models, weight_names
    from regcourse.nn import regularized_parameters

    model = _models(np.random.default_rng(0), kind)
    assert weight_names(model) == [name for name, _ in regularized_parameters(model)]


def test_the_checkers_models_hold_what_the_hints_promise():
    from regcourse.exercises.ch07_neural_networks import _models, weight_names

    rng = np.random.default_rng(0)
    nested, bare, custom = (_models(rng, kind) for kind in ("nested", "bare layer", "custom module"))
    # children() of the nested model reach one nn.Linear of three; a bare layer has no children
    assert sum(isinstance(m, nn.Linear) for m in nested.children()) == 1
    assert sum(isinstance(m, nn.Linear) for m in nested.modules()) == 3
    assert list(bare.children()) == [] and weight_names(bare) == ["weight"]
    assert weight_names(custom) == ["mix", "hidden.weight"]
    assert not any(name.endswith("bias") or "norm" in name for name in weight_names(nested))


def test_the_issues_children_loop_gives_a_smaller_penalty_and_fails():
    """The failure the issue found: on a nested Sequential a loop over children() misses weights."""
    from regcourse.exercises.ch07_neural_networks import _models

    model = _models(np.random.default_rng(1), "nested")
    assert answers_ch07.over_children_tensor(model, 1.0).item() < answers_ch07.weight_penalty(model, 1.0).item()
    result = run_check("nn.weight_penalty", answers_ch07.over_children_tensor)
    assert result.status == FAILED and "layers inside layers" in result.hint


# --- multiple choice: a why-not text explains the wrong option, never states the right one --------

CHOICES = [ex for ex in all_exercises() if ex.kind == "choice"]


@pytest.mark.parametrize("ex", CHOICES, ids=lambda ex: ex.id)
def test_why_not_texts_do_not_repeat_the_right_option(ex):
    words = lambda text: re.findall(r"\w+", text.lower())  # noqa: E731
    for letter in ex.checker.correct:
        right = words(ex.checker.options[letter])
        runs = {tuple(right[i : i + 4]) for i in range(len(right) - 3)}
        for wrong, text in ex.checker.why_not.items():
            assert wrong not in ex.checker.correct
            said = words(text)
            assert not runs & {tuple(said[i : i + 4]) for i in range(len(said) - 3)}, (ex.id, wrong)


def test_grouping_why_not_a_does_not_say_what_each_penalty_does():
    """Option b pairs the lasso with "any split" and the elastic net with "equal weights"; the
    old why-not text of a said the first half of that. The new one names neither method."""
    text = get("enet.quiz_grouping").checker.why_not["a"]
    assert not re.search(r"lasso|elastic|L1|L2|any (split|proportion)", text, flags=re.IGNORECASE), text


def test_red_pixel_why_not_b_says_why_b_is_wrong_without_the_right_option():
    """Exercise 4 of chapter 09: the old why-not text of b ("a positive weight pushes the score
    towards class 1, which is the second digit of the pair") said option c in other words. The
    new one explains what is wrong with b (the ink one digit has is not a weight) and names
    neither the score, its direction nor the class a red pixel stands for."""
    text = get("classify.pixels_meaning").checker.why_not["b"]
    assert not re.search(r"score|class|second digit|rais|push|towards|more likely|called", text, flags=re.I), text
    assert "ink" in text and "3s" in text


@pytest.mark.parametrize("kind", _kinds())
def test_every_test_model_can_be_sent_to_a_kernel(kind):
    """The grader sends test models as torch.save bytes, which the kernel loads by class name:
    a model class defined inside a function would make every answer fail under the grader."""
    import io

    import torch

    from regcourse.exercises.ch07_neural_networks import _models

    model = _models(np.random.default_rng(0), kind)
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    assert [name for name, _ in loaded.named_parameters()] == [name for name, _ in model.named_parameters()]
