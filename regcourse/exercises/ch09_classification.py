"""Chapter 09 exercises: scikit-learn's C, the penalized logistic gradient, reading an L1
coefficient image, and what λ does on separable data and to the probabilities."""

from __future__ import annotations

import numpy as np

from regcourse.exercises._checking import (
    Failed,
    as_array,
    call,
    case_rng,
    choice_exercise,
    close,
    compare,
    matches,
    number_exercise,
    plain,
    precision,
    require,
)
from regcourse.exercises._registry import exercise

CHAPTER = 9

# The digits exercise: L1(DIGITS_LAM) on load_digits_pair(3, 8); tests/test_classification_claims.py
# refits it and checks these counts against the live solver.
DIGITS_LAM = 0.01
DIGITS_PIXELS_USED = 8
DIGITS_PIXELS_POSITIVE = 6


# --- scikit-learn's C ------------------------------------------------------------------------


def _sklearn_C(lam, n_samples, kind):
    """C of LogisticRegression for the course's L2(λ) (C = 1/(2nλ)) or L1(λ) (C = 1/(nλ))."""
    return 1.0 / (2.0 * n_samples * lam) if kind == "l2" else 1.0 / (n_samples * lam)


FORGOT_TWO = (
    "for L2 your C is off by a factor 2: look at the constant in front of scikit-learn's L2 term "
    "and at the course's (no ½)"
)
EXTRA_TWO = "for L1 your C is off by a factor 2: compare the constants in front of the two L1 terms"
FORGOT_N = (
    "your C does not depend on the number of samples: scikit-learn weighs the sum of the losses, "
    "the course the mean, so divide scikit-learn's objective by C·n"
)
INVERTED = "C is an inverse strength: a larger λ must give a smaller C"


def _mistakes_C(n, kind):
    wrong_two = [(lambda c: 2.0 * c, FORGOT_TWO)] if kind == "l2" else [(lambda c: c / 2.0, EXTRA_TWO)]
    return wrong_two + [
        (lambda c: c * n, FORGOT_N),
        (lambda c: 2.0 * c * n if kind == "l2" else c * n / 2.0, FORGOT_N),
        (lambda c: 1.0 / c, INVERTED),
        (lambda c: 1.0 / (c * n * n), INVERTED),
    ]


@exercise("classify.sklearn_C", chapter=CHAPTER, title="scikit-learn's C from the course's λ", points=3)
def check_sklearn_C(sklearn_C):
    rng = case_rng("classify.sklearn_C")
    for kind, cases, hint in (
        (
            "l2",
            [(0.01, 200), (0.5, 40)],
            "for kind='l2' the value of C is not right: derive it from scikit-learn's objective",
        ),
        (
            "l1",
            [(0.01, 200), (0.5, 40)],
            "for kind='l1' the value of C is not right: derive it from scikit-learn's objective",
        ),
    ):
        for lam, n in cases:
            compare(sklearn_C, _sklearn_C, [(lam, n, kind)], hint, scalar=True, mistakes=_mistakes_C(n, kind))
    for _ in range(4):
        kind = str(rng.choice(["l1", "l2"]))
        lam, n = float(10 ** rng.uniform(-4, 0)), int(rng.integers(10, 5000))
        compare(
            sklearn_C,
            _sklearn_C,
            [(lam, n, kind)],
            "on some random λ, n and kind the value of C is wrong",
            scalar=True,
            mistakes=_mistakes_C(n, kind),
        )


# --- the gradient of the penalized mean log-loss ---------------------------------------------------


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1/(1 + e⁻ᶻ), without overflow


def _gradient(X, y, w, b, lam):
    residual = _sigmoid(X @ w + b) - y
    return X.T @ residual / len(y) + 2.0 * lam * w, float(residual.mean())


def _case(rng, n, p, *, scale=1.0):
    X = rng.normal(size=(n, p))
    y = (rng.random(n) < 0.5).astype(float)
    y[:2] = (0.0, 1.0)  # both classes present
    return X, y, scale * rng.normal(size=p), float(scale * rng.normal())


def _pair(result):
    """The learner's (grad_w, grad_b), or a hint about the form."""
    if result is None:
        raise Failed("your function returned None: did you forget the return statement?")
    result = plain(result)
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        raise Failed("return a pair (grad_w, grad_b): the gradient for the weights, then the derivative for the bias")
    return result


def _compare_gradient(fn, X, y, w, b, lam, hint):
    grad_w, grad_b = _pair(call(fn, X, y, w, b, lam))
    expected_w, expected_b = _gradient(X, y, w, b, lam)
    eps_w, eps_b = precision(grad_w), precision(grad_b)
    got_b = as_array(grad_b)
    require(got_b.size == 1, "the derivative for the bias should be a single number")
    got_b = got_b.reshape(())
    data_w = X.T @ (_sigmoid(X @ w + b) - y) / len(y)
    n = len(y)
    mistakes_w = [
        (
            data_w * n + 2.0 * lam * w,
            "the data part of your gradient is n times too large: the loss is a mean over the samples",
        ),
        (-data_w + 2.0 * lam * w, "the data part has the wrong sign: it is Xᵀ(p − y)/n, predictions minus labels"),
        (
            X.T @ (X @ w + b - y) / n + 2.0 * lam * w,
            "apply the sigmoid: the residual is p − y with p = σ(Xw + b), not the raw scores",
        ),
        (data_w + lam * w, "the penalty's part is off by a factor: differentiate λ·Σw² carefully"),
        (data_w, "the penalty λ·Σw² is part of the objective: add its gradient for the weights"),
    ]
    if not matches(grad_w, expected_w, eps=eps_w):
        for wrong, specific in mistakes_w:
            if matches(grad_w, wrong, eps=eps_w):
                raise Failed(specific)
        close(grad_w, expected_w, hint, eps=eps_w)
    if not matches(got_b, expected_b, eps=eps_b):
        if matches(got_b, expected_b + 2.0 * lam * b, eps=eps_b) or matches(got_b, expected_b + lam * b, eps=eps_b):
            raise Failed("the bias is not penalized: its derivative has no penalty term")
        if matches(got_b, expected_b * n, eps=eps_b):
            raise Failed("the bias's derivative is n times too large: the loss is a mean over the samples")
        close(got_b, expected_b, "the derivative for the bias is not right: it is the mean of p − y", eps=eps_b)


@exercise("classify.gradient", chapter=CHAPTER, title="The gradient of the penalized log-loss", points=3)
def check_gradient(logistic_gradient):
    rng = case_rng("classify.gradient")
    X, y, w, b = _case(rng, 6, 3)
    _compare_gradient(
        logistic_gradient,
        X,
        y,
        w,
        b,
        0.0,
        "with λ = 0 the gradient for the weights should be Xᵀ(p − y)/n, with p = σ(Xw + b)",
    )
    _compare_gradient(
        logistic_gradient,
        X,
        y,
        w,
        b,
        0.3,
        "with λ > 0 the gradient for the weights is not right: add the penalty's gradient to the data part",
    )
    X, y, w, b = _case(rng, 4, 2)
    _compare_gradient(
        logistic_gradient, X, y, np.zeros(2), 1.5, 2.0, "at w = 0 with a non-zero bias the gradient is not right"
    )
    for n, p in ((30, 5), (7, 12), (50, 1)):
        X, y, w, b = _case(rng, n, p, scale=2.0)
        _compare_gradient(
            logistic_gradient,
            X,
            y,
            w,
            b,
            float(rng.uniform(0.0, 1.0)),
            "on some random inputs (more features than samples too) the gradient is wrong",
        )
    result = _pair(call(logistic_gradient, X, y, w, b, 0.1))
    require(
        np.asarray(plain(result[0])).shape == (X.shape[1],),
        "the gradient for the weights should have one entry per weight",
    )


# --- reading a coefficient image ----------------------------------------------------------------

number_exercise(
    "classify.pixels_used",
    chapter=CHAPTER,
    title="How many pixels does the L1 model use?",
    points=1,
    answer=DIGITS_PIXELS_USED,
    atol=0.0,
    count=True,
    hint="count the outlined squares, red and blue: every pixel whose weight is not exactly zero",
    mistakes=[
        (
            DIGITS_PIXELS_USED - 1,
            "one used pixel is missing: a small weight is only faintly tinted; count the outlined squares, "
            "or count the non-zero weights in code",
        ),
        (
            DIGITS_PIXELS_USED + 1,
            "one too many: a zero weight is drawn pale grey, not white, and has no outline; count the outlined "
            "squares, or count the non-zero weights in code",
        ),
        (DIGITS_PIXELS_POSITIVE, "blue pixels are used too: a negative weight pushes towards the other digit"),
        (DIGITS_PIXELS_USED - DIGITS_PIXELS_POSITIVE, "red pixels are used too, not only blue ones"),
        (64, "count only the pixels whose weight is not exactly zero; pale grey ones are ignored by the model"),
        (64 - DIGITS_PIXELS_USED, "that is the number of ignored pixels; count the used ones"),
    ],
)

choice_exercise(
    "classify.pixels_meaning",
    chapter=CHAPTER,
    title="What a red pixel means",
    points=1,
    options={
        "a": "Those are the only pixels in which 3s and 8s differ; in every white pixel the two digits look alike",
        "b": "Those are the pixels where 3s have the most ink",
        "c": "Ink in a red pixel raises the score x·w + b, so an image with ink there is more likely to be called an 8",
        "d": "A red pixel has more ink than a blue pixel in every image",
    },
    correct="c",
    hint="write the score x·w + b and ask what a positive weight does when its pixel is dark",
    why_not={
        "a": "L1 keeps a few pixels that suffice; other pixels can differ between the digits too, but "
        "add little once the kept ones are known (neighbouring pixels carry much the same information)",
        "b": "a weight does not measure how much ink one digit has in its pixel: a pixel that is dark in most 3s and "
        "in most 8s alike does not help to tell them apart, however much ink the 3s have there",
        "d": "a weight says how much a pixel's ink moves the score, not how much ink the pixel holds",
    },
)

# --- separable data and probabilities --------------------------------------------------------------

choice_exercise(
    "classify.separable",
    chapter=CHAPTER,
    title="Separable classes without a penalty",
    points=1,
    options={
        "a": "The weights converge to a finite solution, as they do for least squares",
        "b": "The weights shrink to zero, because no separating line is better than another",
        "c": "‖w‖ keeps growing, and the training probabilities head for 0 and 1; any λ > 0 gives finite weights",
        "d": "The solver stops as soon as every training point is classified correctly, so a penalty is never needed",
    },
    correct="c",
    hint="take a w and b that separate the classes and multiply both by 2: what happens to every log-loss term?",
    why_not={
        "a": "scaling a separating w up lowers every log-loss term, so the mean log-loss has no minimum to converge to",
        "b": "the loss rewards larger scores on the correct side, so the weights grow rather than shrink",
        "d": "correct classification does not make the log-loss 0: it keeps decreasing as the scores grow",
    },
)

choice_exercise(
    "classify.strong_lambda",
    chapter=CHAPTER,
    title="Probabilities under a very strong L2 penalty",
    points=1,
    options={
        "a": "They all approach 0, because the penalty pulls everything towards zero",
        "b": "They all approach the fraction of class 1 in the training data",
        "c": "They spread out towards 0 and 1, so the model becomes overconfident",
        "d": "They do not change, because λ only moves the decision boundary",
    },
    correct="b",
    hint="as λ grows, w goes to 0; the bias is not penalized. What probability does every point then get?",
    why_not={
        "a": "the bias is not penalized, so the scores approach the bias, not 0, and the sigmoid of the bias need not "
        "be small",
        "c": "a smaller ‖w‖ makes the scores, and so the probabilities, closer together, not further apart",
        "d": "λ changes ‖w‖, which sets how steeply the probability changes across the boundary",
    },
)
