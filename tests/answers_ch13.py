"""Chapter 13 (implicit regularization): right and wrong answers, written with plain NumPy (loaded by
test_checks.py)."""

import numpy as np


def min_norm_fit(X, y):
    return np.linalg.pinv(X) @ y


def min_norm_by_lstsq(X, y):  # right too: lstsq returns the minimum-norm solution
    return np.linalg.lstsq(X, y, rcond=None)[0]


def min_norm_by_svd(X, y):  # right too: V·diag(1/d)·Uᵀy over the non-zero singular values
    U, d, Vt = np.linalg.svd(X, full_matrices=False)
    keep = d > d.max() * 1e-12
    return Vt[keep].T @ ((U[:, keep].T @ y) / d[keep])


OTHER_RIGHT = {"implicit.min_norm": [min_norm_by_lstsq, min_norm_by_svd]}

RIGHT = {
    "implicit.min_norm": min_norm_fit,
    "implicit.double_descent": 2 / 3 + 0.5 / 2,
    "implicit.smoothed_target": 0.91,
    "implicit.dropout_average": -1.5,
    "implicit.separable": "a",
}


def row_space_formula(X, y):  # Xᵀ(XXᵀ)⁻¹y: right for wide X, singular for tall X
    return X.T @ np.linalg.solve(X @ X.T, y)


def another_interpolant(X, y):  # an exact fit, but not the smallest
    return np.linalg.pinv(X) @ y + (np.eye(X.shape[1]) - np.linalg.pinv(X) @ X) @ np.ones(X.shape[1])


def ridge_with_a_real_lambda(X, y):
    n, p = X.shape
    return np.linalg.solve(X.T @ X + n * 0.01 * np.eye(p), X.T @ y)


def transposed(X, y):
    return np.linalg.pinv(X).T[: X.shape[1]] @ y[: X.shape[0]] if X.shape[0] == X.shape[1] else np.zeros(X.shape[0])


WRONG_CODE = {
    "implicit.min_norm": [
        (another_interpolant, "not the exact fit of smallest norm"),
        (ridge_with_a_real_lambda, "ridge with a noticeable λ"),
        (row_space_formula, "inverts XXᵀ"),
        (transposed, "wrong shape"),
    ],
}

WRONG_VALUES = {
    "implicit.double_descent": [
        (-0.75, "below the threshold"),
        (2 / 3, "add the variance"),
        (0.25, "add the bias"),
        (1.25, "check the bias part"),
        (2 / 3 + 0.5 / 4, "denominator"),
        (3.0, "second case"),
    ],
    "implicit.smoothed_target": [
        (0.9, "the true one included"),
        (0.01, "each wrong class"),
        (0.9 + 0.1 / 9, "K − 1 other classes"),
        (0.1, "taken away"),
        (0.5, "the true class gets both parts"),
    ],
    "implicit.dropout_average": [
        (-0.5, "divides each kept input"),
        (-2.0, "intercept b is not dropped"),
        (-1.0, "two things to check"),
        (0.0, "not multiplied by it"),
        (1.5, "average the prediction"),
    ],
    "implicit.separable": [
        ("b", "no finite minimizer"),
        ("c", "keeps changing"),
        ("d", "does not stop"),
        ("e", "choose from"),
    ],
}
