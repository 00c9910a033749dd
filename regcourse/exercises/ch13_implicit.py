"""Chapter 13 exercises: the minimum-norm exact fit, the double-descent formula, label-smoothed
targets, dropout's average over masks for a linear model, and where gradient descent points on
separable data."""

from __future__ import annotations

import numpy as np

from regcourse.exercises._checking import (
    Failed,
    LearnerError,
    as_array,
    call,
    case_rng,
    choice_exercise,
    close,
    expect_shape,
    matches,
    number_exercise,
    precision,
)
from regcourse.exercises._registry import exercise

CHAPTER = 13


# --- exercise 1: the minimum-norm exact fit --------------------------------------------------------


def _min_norm(X, y):
    return np.linalg.pinv(X) @ y


def _another_interpolant(X, y):
    """An exact fit that is not the smallest: X⁺y plus a vector of the null space."""
    null = np.eye(X.shape[1]) - np.linalg.pinv(X) @ X
    return _min_norm(X, y) + null @ np.ones(X.shape[1])


def _ridge(X, y, lam):
    n, p = X.shape
    return np.linalg.solve(X.T @ X + n * lam * np.eye(p), X.T @ y)


@exercise("implicit.min_norm", chapter=CHAPTER, title="The minimum-norm exact fit", points=2)
def check_min_norm(min_norm_fit):
    rng = case_rng("implicit.min_norm")
    for n, p in ((5, 12), (20, 60), (3, 4), (30, 31)):
        X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
        got = call(min_norm_fit, X, y)
        eps = precision(got)
        array = as_array(got)
        expect_shape(array, (p,))
        expected = _min_norm(X, y)
        if matches(array, expected, eps=eps):
            continue
        if matches(X @ array, y, eps=eps, atol=1e-6):
            raise Failed(
                "your weights fit the data exactly, but they are not the exact fit of smallest norm: the one "
                "gradient descent from 0 finds lies in the row space of X (a combination of the rows)"
            )
        for lam in (1e-1, 1e-2, 1e-3):
            if matches(array, _ridge(X, y, lam), eps=eps, rtol=1e-4):
                raise Failed("that is ridge with a noticeable λ: the minimum-norm fit is its limit as λ goes to 0")
        raise Failed("the weights should fit every training point exactly (X·w = y) with the smallest possible ‖w‖")
    # more rows than columns: the least-squares solution (then unique), which X⁺y also gives
    X, y = rng.standard_normal((15, 4)), rng.standard_normal(15)
    tall = (
        "with more rows than columns there is no exact fit; the same formula should give the least-squares "
        "solution (a method that inverts XXᵀ fails here: it is singular)"
    )
    try:
        got = call(min_norm_fit, X, y)
    except LearnerError as err:  # numpy may or may not notice that XXᵀ is singular
        raise Failed(f"{tall}; your code raised {err}") from None
    close(got, _min_norm(X, y), tall)


# --- exercise 2: the double-descent formula -------------------------------------------------------------

number_exercise(
    "implicit.double_descent",
    chapter=CHAPTER,
    title="The minimum-norm risk above the threshold",
    points=1,
    answer=2 / 3 + 0.5 / 2,
    hint="γ = p/n is above the threshold here: use the formula's second case, with both its bias and its variance part",
    mistakes=[
        (-0.75, "that is the formula below the threshold, which gives nonsense (a negative risk) above it"),
        (2 / 3, "the risk above the threshold has two parts, a bias and a variance part: add the variance σ²/(γ − 1)"),
        (0.25, "the risk above the threshold has two parts: add the bias r²(1 − 1/γ)"),
        (1.25, "check the bias part: it is r² times (1 − 1/γ), not r² itself"),
        (2 / 3 + 0.5 / 4, "check the variance part's denominator: σ² divided by γ − 1"),
    ],
)


# --- exercise 3: a label-smoothed target ------------------------------------------------------------------

number_exercise(
    "implicit.smoothed_target",
    chapter=CHAPTER,
    title="The smoothed target of the true class",
    points=1,
    answer=0.91,
    hint="the target is (1 − ε)·onehot + ε/K: the true class gets both parts",
    mistakes=[
        (0.9, "PyTorch and Keras spread ε/K over all K classes, the true one included: add that share too"),
        (0.01, "that is the target of each wrong class; the question asks for the true class's"),
        (0.9 + 0.1 / 9, "that spreads ε over the K − 1 other classes only; PyTorch and Keras spread ε/K over all K"),
        (0.1, "ε is what is taken away from the true class and spread out, not the target itself"),
    ],
)


# --- exercise 4: dropout's average over masks for a linear model -----------------------------------------

number_exercise(
    "implicit.dropout_average",
    chapter=CHAPTER,
    title="Dropout's average over masks, for a linear model",
    points=1,
    answer=-1.5,
    hint="average the prediction over the four masks, each with its probability, remembering that kept inputs "
    "are divided by 1 − p during training",
    mistakes=[
        (
            -0.5,
            "PyTorch divides each kept input by 1 − p during training; with that scaling the average is the same"
            " as with every input kept",
        ),
        (-2.0, "the intercept b is not dropped: it belongs in every thinned model"),
        (
            -1.0,
            "two things to check: the kept inputs are divided by 1 − p during training, and the intercept b is "
            "part of every thinned model",
        ),
        (0.0, "check the scaling: the kept inputs are divided by 1 − p, not multiplied by it"),
    ],
)


# --- exercise 5: gradient descent on separable data ------------------------------------------------------

choice_exercise(
    "implicit.separable",
    chapter=CHAPTER,
    title="Gradient descent on separable data",
    points=1,
    options={
        "a": "‖w‖ grows without bound, and w/‖w‖ turns slowly toward the hard-margin SVM's direction",
        "b": "w converges to the finite minimizer of the logistic loss, as on data that are not separable",
        "c": "‖w‖ grows without bound, and w/‖w‖ stays where the first steps pointed it",
        "d": "‖w‖ stays bounded, because a small step size acts like an L2 penalty",
    },
    correct="a",
    hint="ask whether the loss has a minimizer on separable data, and what the direction does as the loss falls",
    why_not={
        "b": "on separable data the logistic loss keeps falling as ‖w‖ grows along a separating direction: there is "
        "no finite minimizer",
        "c": "the direction keeps changing: the points with the smallest margins dominate the gradient as ‖w‖ grows",
        "d": "a small step slows gradient descent down but does not stop the loss from falling as ‖w‖ grows",
    },
)
