"""Chapter 06 exercises: a log grid of λ, k-fold splits, the one-standard-error rule, and the test set."""

import numpy as np

from regcourse.exercises._checking import (
    as_array,
    call,
    case_rng,
    choice_exercise,
    compare,
    number_exercise,
    plain,
    require,
)
from regcourse.exercises._registry import exercise

CHAPTER = 6


def _log_grid(lam_max, n_lams, eps):
    return lam_max * np.logspace(0.0, np.log10(eps), n_lams)


@exercise("lambda.log_grid", chapter=CHAPTER, title="A log-spaced grid of λ", points=2)
def check_log_grid(log_grid):
    rng = case_rng("lambda.log_grid")
    compare(
        log_grid,
        _log_grid,
        [(1.0, 5, 1e-3), (2.0, 4, 1e-3)],
        "the grid should have n_lams values, from lam_max down to eps·lam_max, with a constant ratio between "
        "neighbours",
        mistakes=[
            (lambda g: g[::-1], "the grid should start at lam_max (the largest λ) and decrease"),
            (lambda g: np.linspace(g[0], g[-1], g.size), "the values should be evenly spaced in log λ, not in λ"),
        ],
    )
    compare(
        log_grid,
        _log_grid,
        [(lam, n, eps) for lam, n, eps in ((3.7, 10, 1e-4), (0.05, 3, 0.01))],
        "for other values of lam_max, n_lams and eps the grid is not right",
    )
    compare(
        log_grid,
        _log_grid,
        [(float(rng.uniform(0.1, 10)), int(rng.integers(2, 60)), float(10 ** rng.uniform(-4, -1))) for _ in range(3)],
        "on some random inputs the grid is wrong",
    )


def _partition_problem(folds, n, k) -> str | None:
    """What is wrong with ``folds`` as a k-fold split of range(n), or None."""
    folds = plain(folds)  # torch tensors as NumPy arrays
    if isinstance(folds, np.ndarray) and folds.ndim == 2:
        folds = list(folds)
    if isinstance(folds, np.ndarray):
        return "return a list of k arrays of indices, one per fold, not a single array"
    if not isinstance(folds, (list, tuple)):
        return f"return a list of k arrays of indices, not a {type(folds).__name__}"
    if len(folds) != k:
        return "return exactly k folds"
    arrays = [as_array(f).ravel() for f in folds]
    everything = np.concatenate(arrays) if arrays else np.array([])
    if not np.all(everything == np.round(everything)):
        return "each fold should hold sample indices (whole numbers from 0 to n − 1)"
    if everything.size != n or not np.array_equal(np.sort(everything), np.arange(n)):
        return "every index from 0 to n − 1 should appear in exactly one fold: no index missing, none twice"
    sizes = [a.size for a in arrays]
    if max(sizes) - min(sizes) > 1:
        return "the folds should be as equal in size as possible (sizes differing by at most one)"
    return None


@exercise("lambda.kfold", chapter=CHAPTER, title="k-fold splits", points=3)
def check_kfold(kfold_folds):
    for n, k in [(20, 5), (10, 2)]:
        problem = _partition_problem(call(kfold_folds, n, k, 0), n, k)
        require(problem is None, problem or "")
    for n, k in [(23, 5), (7, 3), (101, 10)]:
        problem = _partition_problem(call(kfold_folds, n, k, 1), n, k)
        require(problem is None, (problem or "") + " (try a number of samples that k does not divide)")
    first = [as_array(f).ravel() for f in call(kfold_folds, 100, 5, 0)]
    require(
        not all(np.array_equal(f, np.arange(20 * i, 20 * (i + 1))) for i, f in enumerate(first)),
        "shuffle the indices before cutting them into folds: if the data are sorted (by date, by class), "
        "consecutive blocks make folds that differ from each other",
    )
    other = [as_array(f).ravel() for f in call(kfold_folds, 100, 5, 1)]
    again = [as_array(f).ravel() for f in call(kfold_folds, 100, 5, 0)]
    require(
        all(np.array_equal(a, b) for a, b in zip(first, again)),
        "the same seed should give the same folds: create the random generator from the seed",
    )
    require(
        not all(np.array_equal(a, b) for a, b in zip(first, other)),
        "a different seed should give different folds: use the seed argument",
    )


number_exercise(
    "lambda.one_se",
    chapter=CHAPTER,
    title="The one-standard-error rule by hand",
    points=1,
    answer=0.2,
    hint="find the smallest mean error, add its standard error, and take the largest λ whose mean error is at or below "
    "that line",
    mistakes=[
        (
            0.1,
            "that λ has the lowest mean error; the rule then looks for the largest λ still within one standard error "
            "of it",
        ),
        (0.05, "simpler means larger λ: among the λ within one standard error, take the largest"),
        (
            0.5,
            "compare each mean error with the minimum plus the standard error at the minimum, not with its own "
            "standard error",
        ),
    ],
)

choice_exercise(
    "lambda.quiz_optimism",
    chapter=CHAPTER,
    title="How good is the chosen model?",
    points=1,
    options={
        "a": "It is an unbiased estimate of the error on new data, because every sample validated exactly once",
        "b": "It tends to be too optimistic, because λ was chosen for having the lowest of many noisy estimates; a "
        "test set that played no part in the choice gives an honest one",
        "c": "It is always far too pessimistic, so the error on new data will be lower",
        "d": "It equals the training error of the final model, so it says nothing about new data",
    },
    correct="b",
    hint="think about what happens when you pick the smallest of 50 noisy numbers",
    why_not={
        "a": "each single λ's CV error is a fair estimate, but picking the λ whose estimate happened to be lowest "
        "biases the winner's estimate",
        "c": "fewer training samples per fold make it slightly pessimistic for a fixed λ, but choosing the minimum "
        "pushes the other way, and that usually dominates",
        "d": "the CV error is measured on validation folds the fits never saw, so it is not the training error",
    },
)

choice_exercise(
    "lambda.quiz_grid",
    chapter=CHAPTER,
    title="Why a log grid?",
    points=1,
    options={
        "a": "Because the effect of λ is multiplicative: going from 0.001 to 0.01 changes the model about as much as "
        "going from 0.1 to 1",
        "b": "Because the validation error is a straight line in log λ",
        "c": "Because a log grid contains λ = 0, the unpenalized model",
        "d": "Because scikit-learn refuses grids that are evenly spaced in λ",
    },
    correct="a",
    hint="compare how much the model changes between λ = 0.001 and 0.002 and between λ = 1 and 1.001",
    why_not={
        "b": "the validation error has a U-shape in log λ, not a straight line",
        "c": "no log-spaced grid reaches λ = 0; its smallest value is a small positive number",
        "d": "scikit-learn accepts any grid; the spacing is a matter of how λ acts on the model",
    },
)
