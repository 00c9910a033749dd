"""Chapter 11 (ridge through the SVD): right and wrong answers, written with plain NumPy (loaded by
test_checks.py)."""

import numpy as np


def shrink_factors(X, lam):
    d = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    return d**2 / (d**2 + len(X) * lam)


def shrink_factors_from_eigenvalues(X, lam):  # right too: the eigenvalues of XcᵀXc/n, largest first
    Xc = X - X.mean(axis=0)
    g = np.sort(np.linalg.eigvalsh(Xc.T @ Xc / len(X)))[::-1]
    return g / (g + lam)


def loo_mse(X, y, lam):
    n, p = X.shape
    Xc = X - X.mean(axis=0)
    H = np.ones((n, n)) / n + Xc @ np.linalg.solve(Xc.T @ Xc + n * lam * np.eye(p), Xc.T)
    residuals = y - H @ y
    return np.mean((residuals / (1 - np.diag(H))) ** 2)


def loo_by_refits_at_the_adjusted_lambda(X, y, lam):  # right too: the refits the shortcut equals
    n = len(y)
    errors = []
    for i in range(n):
        keep = np.arange(n) != i
        Xk, yk = X[keep], y[keep]
        Xc = Xk - Xk.mean(axis=0)
        w = np.linalg.solve(Xc.T @ Xc + (n - 1) * (lam * n / (n - 1)) * np.eye(X.shape[1]), Xc.T @ (yk - yk.mean()))
        errors.append(y[i] - yk.mean() - (X[i] - Xk.mean(axis=0)) @ w)
    return np.mean(np.square(errors))


def loo_with_an_intercept_column(X, y, lam):  # right too: the intercept as an unpenalized column
    n, p = X.shape
    A = np.column_stack([np.ones(n), X])
    penalty = n * lam * np.eye(p + 1)
    penalty[0, 0] = 0.0
    H = A @ np.linalg.solve(A.T @ A + penalty, A.T)
    return np.mean(((y - H @ y) / (1 - np.diag(H))) ** 2)


OTHER_RIGHT = {
    "ridge.shrink_factors": [shrink_factors_from_eigenvalues],
    "ridge.loo": [loo_by_refits_at_the_adjusted_lambda, loo_with_an_intercept_column],
}

RIGHT = {
    "ridge.shrink_factors": shrink_factors,
    "ridge.df_wide": 50,
    "ridge.loo": loo_mse,
    "ridge.loo_lambda": 0.2 * 50 / 49,
    "ridge.criteria": "a",
}


# --- wrong shrinkage factors ---------------------------------------------------------------------------


def not_centred(X, lam):
    d = np.linalg.svd(X, compute_uv=False)
    return d**2 / (d**2 + len(X) * lam)


def lam_without_n(X, lam):
    d = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    return d**2 / (d**2 + lam)


def singular_values_not_squared(X, lam):
    d = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    return d / (d + len(X) * lam)


def part_removed(X, lam):
    return 1 - shrink_factors(X, lam)


def smallest_first(X, lam):
    return np.sort(shrink_factors(X, lam))


def one_factor_per_row(X, lam):
    d = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    return np.resize(d**2 / (d**2 + len(X) * lam), len(X))


def forgot_return(X, lam):
    d = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    factors = d**2 / (d**2 + len(X) * lam)  # noqa: F841 -- computed, never returned


# --- wrong leave-one-out errors ------------------------------------------------------------------------


def _hat(X, lam, n_lam=True):
    n, p = X.shape
    Xc = X - X.mean(axis=0)
    return np.ones((n, n)) / n + Xc @ np.linalg.solve(Xc.T @ Xc + (n * lam if n_lam else lam) * np.eye(p), Xc.T)


def gcv_instead(X, y, lam):
    H = _hat(X, lam)
    return np.mean((y - H @ y) ** 2) / (1 - np.trace(H) / len(y)) ** 2


def training_error(X, y, lam):
    H = _hat(X, lam)
    return np.mean((y - H @ y) ** 2)


def alpha_is_lambda(X, y, lam):
    H = _hat(X, lam, n_lam=False)
    return np.mean(((y - H @ y) / (1 - np.diag(H))) ** 2)


def refits_at_the_same_lambda(X, y, lam):
    return loo_by_refits_at_the_adjusted_lambda(X, y, lam * (len(y) - 1) / len(y))


def leverage_without_the_intercept(X, y, lam):
    H = _hat(X, lam)
    h = np.diag(H) - 1 / len(y)
    return np.mean(((y - H @ y) / (1 - h)) ** 2)


def divided_once(X, y, lam):
    H = _hat(X, lam)
    return np.mean((y - H @ y) ** 2 / (1 - np.diag(H)))


def residuals_per_row(X, y, lam):
    H = _hat(X, lam)
    return (y - H @ y) / (1 - np.diag(H))


WRONG_CODE = {
    "ridge.shrink_factors": [
        (not_centred, "centre the columns first"),
        (lam_without_n, "a mean over the n rows"),
        (singular_values_not_squared, "squares of the singular values"),
        (part_removed, "the part of the fit ridge removes"),
        (smallest_first, "largest first"),
        (one_factor_per_row, "wrong shape"),
        (forgot_return, "returned None"),
    ],
    "ridge.loo": [
        (gcv_instead, "generalized cross-validation"),
        (training_error, "that is the training error"),
        (alpha_is_lambda, "a mean over the n rows, not a sum"),
        (refits_at_the_same_lambda, "refitting the course's objective with the same λ"),
        (leverage_without_the_intercept, "adds to every leverage"),
        (divided_once, "not by 1 − Hᵢᵢ"),
        (residuals_per_row, "return one number"),
    ],
}

WRONG_VALUES = {
    "ridge.df_wide": [
        (201, "more rows than features"),
        (200, "how many directions can the rows span"),
        (51, "centring costs one direction"),
        (49, "the intercept is a parameter too"),
        (1, "limit for a huge λ"),
        (30, "count how many singular values"),
        ("fifty", "such as 12"),
    ],
    "ridge.loo_lambda": [
        (0.2, "a slightly different problem"),
        (0.2 * 49 / 50, "direction of the correction"),
        (10, "α = nλ of the sum-of-squares form"),
        (9.8, "that is an α"),
        (0.25, "write both problems in the sum-of-squares form"),
    ],
    "ridge.criteria": [
        ("b", "compare 2 with log(500)"),
        ("c", "different amounts per degree of freedom"),
        ("d", "no σ² appears"),
        ("e", "choose from"),
    ],
}
