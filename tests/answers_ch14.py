"""Chapter 14 (review): right and wrong answers, written with plain NumPy (loaded by test_checks.py)."""

import numpy as np


def one_se_lambda(lams, mean_errors, std_errors):
    lams, mean_errors, std_errors = (np.asarray(a, dtype=float) for a in (lams, mean_errors, std_errors))
    best = np.argmin(mean_errors)
    threshold = mean_errors[best] + std_errors[best]
    return lams[mean_errors <= threshold].max()


def smallest_within(lams, mean_errors, std_errors):
    best = np.argmin(mean_errors)
    return lams[mean_errors <= mean_errors[best] + std_errors[best]].min()


def own_error_bar(lams, mean_errors, std_errors):
    return lams[mean_errors - std_errors <= mean_errors.min()].max()


def first_within(lams, mean_errors, std_errors):
    best = np.argmin(mean_errors)
    return lams[np.flatnonzero(mean_errors <= mean_errors[best] + std_errors[best])[0]]


def strict_less(lams, mean_errors, std_errors):
    best = np.argmin(mean_errors)
    return lams[mean_errors < mean_errors[best] + std_errors[best]].max()


def best_lambda_only(lams, mean_errors, std_errors):
    return lams[np.argmin(mean_errors)]


def index_not_value(lams, mean_errors, std_errors):
    best = np.argmin(mean_errors)
    within = np.flatnonzero(mean_errors <= mean_errors[best] + std_errors[best])
    return within[np.argmax(lams[within])]


def two_standard_errors(lams, mean_errors, std_errors):
    best = np.argmin(mean_errors)
    return lams[mean_errors <= mean_errors[best] + 2 * std_errors[best]].max()


RIGHT = {
    "review.genomics": "c",
    "review.sensors": "a",
    "review.regulator": "b",
    "review.practice": ["a", "d"],
    "review.lasso_max_features": 50,
    "review.one_se": one_se_lambda,
}

WRONG_CODE = {
    "review.one_se": [
        (best_lambda_only, "largest λ whose mean error is at most"),
        (strict_less, "includes the boundary"),
        (smallest_within, "take the largest"),
        (own_error_bar, "not each λ's own standard error"),
        (first_within, "increasing order"),
        (index_not_value, "not its position"),
        (two_standard_errors, "largest λ whose mean error is at most"),
    ],
}

WRONG_VALUES = {
    "review.genomics": [("a", "short list"), ("b", "partners"), ("d", "infinitely many")],
    "review.sensors": [("b", "near-copies"), ("c", "extra tuning knob"), ("d", "swings")],
    "review.regulator": [("a", "justification"), ("c", "correlated groups"), ("d", "useful or not")],
    "review.practice": [
        ("a", "more than one"),
        (["d"], "more than one"),
        (["a", "b", "d"], "intercept"),
        (["a", "c", "d"], "training error"),
        ("b", "intercept"),
        ("e", "choose from"),
        ("a,d", "list of strings"),
        ("a d", "list of strings"),
    ],
    "review.lasso_max_features": [
        (1000, "how many features"),
        (0, "not none or one"),
        (950, "p − n"),
        (100, "depends on the number of samples"),
        ("fifty", "answer with a number, such as 12"),
    ],
}
