"""Right and wrong answers to chapter 06's exercises (choosing λ), written without regcourse."""

import numpy as np


def log_grid(lam_max, n_lams, eps):
    return np.exp(np.linspace(np.log(lam_max), np.log(eps * lam_max), n_lams))


def kfold_folds(n, k, seed):
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]  # round-robin: sizes differ by at most one


def contiguous_folds(n, k, seed):
    return np.array_split(np.arange(n), k)


def unseeded_folds(n, k, seed):
    return np.array_split(np.random.permutation(n), k)


def fixed_seed_folds(n, k, seed):
    return np.array_split(np.random.default_rng(0).permutation(n), k)


def uneven_folds(n, k, seed):
    order = np.random.default_rng(seed).permutation(n)
    size = n // k
    return [order[i * size : (i + 1) * size] if i < k - 1 else order[i * size :] for i in range(k)]


def overlapping_folds(n, k, seed):
    rng = np.random.default_rng(seed)
    return [rng.choice(n, size=n // k, replace=False) for _ in range(k)]


RIGHT = {
    "lambda.log_grid": log_grid,
    "lambda.kfold": kfold_folds,
    "lambda.one_se": 0.2,
    "lambda.quiz_optimism": "b",
    "lambda.quiz_grid": "a",
}

WRONG_CODE = {
    "lambda.log_grid": [
        (lambda lam_max, n, eps: np.linspace(lam_max, eps * lam_max, n), "evenly spaced in log λ"),
        (lambda lam_max, n, eps: np.exp(np.linspace(np.log(eps * lam_max), np.log(lam_max), n)), "start at lam_max"),
        (lambda lam_max, n, eps: np.logspace(0, -3, n) * lam_max, "for other values"),
        (lambda lam_max, n, eps: lam_max * np.logspace(0, np.log10(eps), n + 1)[:-1], "constant ratio"),
    ],
    "lambda.kfold": [
        (contiguous_folds, "shuffle the indices"),
        (fixed_seed_folds, "a different seed should give different folds"),
        (unseeded_folds, "the same seed should give the same folds"),
        (uneven_folds, "as equal in size as possible"),
        (overlapping_folds, "exactly one fold"),
        (lambda n, k, seed: [np.arange(n)] * (k - 1), "exactly k folds"),
        (lambda n, k, seed: np.array_split(np.random.default_rng(seed).permutation(n), k)[0], "one per fold"),
        (lambda n, k, seed: "0 1 2", "not a str"),
    ],
}

WRONG_VALUES = {
    "lambda.one_se": [
        (0.1, "lowest mean error"),
        (0.05, "simpler means larger λ"),
        (0.5, "not with its own"),
        (1.0, "at or below that line"),
    ],
    "lambda.quiz_optimism": [
        ("a", "biases the winner"),
        ("c", "pushes the other way"),
        ("d", "not the training error"),
    ],
    "lambda.quiz_grid": [("b", "U-shape"), ("c", "no log-spaced grid"), ("d", "accepts any grid")],
}
