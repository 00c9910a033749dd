"""Chapter 02 exercises: the penalized objective, the role of λ, and MSE versus SSE."""

import numpy as np

from regcourse.exercises._checking import case_rng, choice_exercise, compare, number_exercise
from regcourse.exercises._registry import exercise
from regcourse.penalties import L2

CHAPTER = 2


@exercise("objective.ridge", chapter=CHAPTER, title="The ridge objective", points=2)
def check_ridge_objective(objective):
    rng = case_rng("objective.ridge")

    def reference(w, b, X, y, lam):
        return np.mean((y - X @ w - b) ** 2) + L2(lam)(w)

    X, y = rng.normal(size=(6, 3)), rng.normal(size=6)
    w = rng.normal(size=3)
    compare(
        objective,
        reference,
        [(w, 0.0, X, y, 0.0)],
        "with λ = 0 the objective is the mean squared error of the predictions X·w + b",
        scalar=True,
        mistakes=[(lambda v: v * 6, "that is the sum of squared errors: take the mean")],
    )
    compare(objective, reference, [(w, 1.5, X, y, 0.0)], "the intercept b is added to every prediction", scalar=True)
    compare(
        objective,
        reference,
        [(w, 0.0, X, y, lam) for lam in (0.5, 2.0)],
        "add λ times the sum of the squared weights (no ½)",
        scalar=True,
    )
    compare(
        objective,
        reference,
        [(w, 3.0, X, y, 1.0)],
        "the penalty is on the weights only: the intercept is not penalized",
        scalar=True,
    )
    Xs, ys = rng.normal(size=(20, 5)), rng.normal(size=20)
    compare(
        objective,
        reference,
        [(rng.normal(size=5), rng.normal(), Xs, ys, rng.uniform(0, 2)) for _ in range(3)],
        "on some random inputs the value is not MSE + λ·Σw²",
        scalar=True,
    )


number_exercise(
    "objective.sse_lambda",
    chapter=CHAPTER,
    title="From MSE to SSE",
    points=1,
    answer=10.0,
    hint="write SSE = n·MSE and ask which λ makes SSE + λ_SSE·R(w) a multiple of MSE + λ·R(w)",
    mistakes=[
        (0.05 / 200, "the other way round: the SSE is n times larger, so its λ must be n times larger too"),
        (20.0, "no factor 2 here: both objectives count each squared error once"),
    ],
)

choice_exercise(
    "objective.huge_lambda",
    chapter=CHAPTER,
    title="λ = 10⁹",
    points=1,
    options={
        "a": "The model fits the training data perfectly",
        "b": "Every weight is pushed to almost 0, so the model predicts nearly the mean of y everywhere",
        "c": "The weights grow without bound",
        "d": "Nothing changes: λ only matters when it is between 0 and 1",
    },
    correct="b",
    hint="compare the size of the penalty with the size of the data error when λ is enormous",
    why_not={
        "a": "a perfect fit of the training data is what λ = 0 allows, not a huge λ",
        "c": "large weights would make a huge penalty enormous; the minimum avoids them",
        "d": "λ has no upper limit; its effect keeps growing with it",
    },
)
