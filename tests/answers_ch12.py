"""Right and wrong answers to chapter 12's exercises (after the lasso selects), written with plain
NumPy and SciPy, without regcourse."""

import numpy as np
from scipy.linalg import lstsq


def refit_on_support(X, y, coef):
    support = np.flatnonzero(coef)
    weights = np.zeros(X.shape[1])
    if support.size:
        XS = X[:, support] - X[:, support].mean(axis=0)
        weights[support] = np.linalg.lstsq(XS, y - y.mean(), rcond=None)[0]
    return weights


def mcp_threshold(z, lam, gamma):
    z = np.asarray(z, dtype=float)
    u = np.abs(z)
    firm = np.sign(z) * np.maximum(u - lam, 0.0) / (1.0 - 1.0 / gamma)
    return np.where(u > gamma * lam, z, firm)


def group_threshold(w, t):
    w = np.asarray(w, dtype=float)
    size = np.linalg.norm(w)
    if size == 0:
        return np.zeros_like(w)
    return max(0.0, 1.0 - t / size) * w


# --- right answers written another way ---------------------------------------------------------------


def refit_with_a_column_of_ones(X, y, coef):  # the intercept as a column, its weight dropped
    support = coef != 0
    design = np.column_stack([np.ones(len(y)), X[:, support]])
    solution = lstsq(design, y)[0]
    weights = np.zeros(X.shape[1])
    weights[support] = solution[1:]
    return weights


def mcp_threshold_by_cases(z, lam, gamma):
    out = np.zeros_like(np.asarray(z, dtype=float))
    for index, value in np.ndenumerate(np.asarray(z, dtype=float)):
        if abs(value) > gamma * lam:
            out[index] = value
        elif abs(value) > lam:
            out[index] = np.sign(value) * (abs(value) - lam) * gamma / (gamma - 1.0)
    return out


def group_threshold_with_where(w, t):
    size = np.sqrt(np.sum(np.square(w)))
    return np.where(size > t, (1 - t / np.where(size > 0, size, 1.0)) * np.asarray(w, dtype=float), 0.0)


OTHER_RIGHT = {
    "select.refit_on_support": [refit_with_a_column_of_ones],
    "select.mcp_threshold": [mcp_threshold_by_cases],
    "select.group_threshold": [group_threshold_with_where],
}

RIGHT = {
    "select.refit_on_support": refit_on_support,
    "select.mcp_threshold": mcp_threshold,
    "select.group_threshold": group_threshold,
    "select.lasso_bias": 1.7,
    "select.irrepresentable": 0.75,
    "select.naive_intervals": "b",
}


# --- wrong refits ---------------------------------------------------------------------------------


def refit_on_all_columns(X, y, coef):
    Xc = X - X.mean(axis=0)
    return np.linalg.lstsq(Xc, y - y.mean(), rcond=None)[0]


def refit_without_intercept(X, y, coef):
    support = np.flatnonzero(coef)
    weights = np.zeros(X.shape[1])
    if support.size:
        weights[support] = np.linalg.lstsq(X[:, support], y, rcond=None)[0]
    return weights


def lasso_weights_unchanged(X, y, coef):
    return coef.copy()


def positive_support_only(X, y, coef):
    support = np.flatnonzero(coef > 0)
    weights = np.zeros(X.shape[1])
    if support.size:
        XS = X[:, support] - X[:, support].mean(axis=0)
        weights[support] = np.linalg.lstsq(XS, y - y.mean(), rcond=None)[0]
    return weights


def support_weights_only(X, y, coef):  # the refit's weights on S alone, not a full-length vector
    support = np.flatnonzero(coef)
    XS = X[:, support] - X[:, support].mean(axis=0)
    return np.linalg.lstsq(XS, y - y.mean(), rcond=None)[0]


def crashes_on_an_empty_support(X, y, coef):  # column_stack of no columns raises
    support = np.flatnonzero(coef)
    XS = np.column_stack([X[:, j] - X[:, j].mean() for j in support])
    weights = np.zeros(X.shape[1])
    weights[support] = np.linalg.lstsq(XS, y - y.mean(), rcond=None)[0]
    return weights


def ridge_on_support(X, y, coef):  # a little shrinkage left in
    support = np.flatnonzero(coef)
    weights = np.zeros(X.shape[1])
    if support.size:
        XS = X[:, support] - X[:, support].mean(axis=0)
        weights[support] = np.linalg.solve(XS.T @ XS + 5.0 * np.eye(support.size), XS.T @ (y - y.mean()))
    return weights


# --- wrong thresholding rules -----------------------------------------------------------------------


def soft(z, lam, gamma):
    z = np.asarray(z, dtype=float)
    return np.sign(z) * np.maximum(np.abs(z) - lam, 0.0)


def hard(z, lam, gamma):
    z = np.asarray(z, dtype=float)
    return np.where(np.abs(z) > lam, z, 0.0)


def soft_then_unchanged(z, lam, gamma):  # the lasso's bias left in the middle region
    z = np.asarray(z, dtype=float)
    return np.where(np.abs(z) > gamma * lam, z, soft(z, lam, gamma))


def boundary_gamma_not_gamma_lambda(z, lam, gamma):
    z = np.asarray(z, dtype=float)
    u = np.abs(z)
    firm = np.sign(z) * np.maximum(u - lam, 0.0) / (1.0 - 1.0 / gamma)
    return np.where(u > gamma, z, firm)


def lecture_scaling(z, lam, gamma):  # the lecture's (w − z)² + P(w), not the exercise's ½(w − z)²
    z = np.asarray(z, dtype=float)
    u = np.abs(z)
    middle = np.sign(z) * np.maximum(u - lam / 2, 0.0) / (1.0 - 1.0 / (2 * gamma))
    return np.where(u > gamma * lam, z, middle)


def mcp_flattened(z, lam, gamma):
    return mcp_threshold(z, lam, gamma).ravel()


# --- wrong block thresholds ---------------------------------------------------------------------------


def entrywise(w, t):
    w = np.asarray(w, dtype=float)
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def without_max(w, t):
    w = np.asarray(w, dtype=float)
    return (1.0 - t / np.linalg.norm(w)) * w


def squared_norm(w, t):
    w = np.asarray(w, dtype=float)
    size = np.sum(w**2)
    return max(0.0, 1.0 - t / size) * w if size > 0 else w


def zero_vector_nan(w, t):
    w = np.asarray(w, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.maximum(0.0, 1.0 - t / np.linalg.norm(w)) * w


WRONG_CODE = {
    "select.refit_on_support": [
        (refit_on_all_columns, "least squares on all the columns"),
        (refit_without_intercept, "needs an intercept"),
        (lasso_weights_unchanged, "the weights you were given"),
        (positive_support_only, "negative weights are part of the support"),
        (support_weights_only, "wrong shape"),
        (crashes_on_an_empty_support, "your code raised"),
        (ridge_on_support, "not the least-squares weights"),
    ],
    "select.mcp_threshold": [
        (soft, "not shrunk at all under MCP"),
        (hard, "hard thresholding"),
        (soft_then_unchanged, "soft-thresholding is not the answer"),
        (boundary_gamma_not_gamma_lambda, "both boundaries scale with λ"),
        (mcp_flattened, "wrong shape"),
        (lecture_scaling, "the scaling of the lecture"),
    ],
    "select.group_threshold": [
        (entrywise, "soft-thresholded on its own"),
        (squared_norm, "not with its square"),
        (without_max, "never negative"),
        (zero_vector_nan, "NaN"),
    ],
}

WRONG_VALUES = {
    "select.lasso_bias": [
        (1.4, "½·MSE convention"),
        (2.0, "least-squares weight"),
        (1.85, "check the factor"),
        (2.3, "not away from it"),
        (1.0, "set the derivative to 0"),
    ],
    "select.irrepresentable": [
        (0.9, "not by the identity"),
        (1.125, "off-diagonal sign"),
        (0.5, "not only the larger"),
        (0.125, "signs θ are (+1, +1)"),
        (0.6, "weighted sum"),
    ],
    "select.naive_intervals": [
        ("a", "fixed before seeing the data"),
        ("c", "no shrinkage at all"),
        ("d", "same data as well"),
        ("e", "choose from"),
    ],
}
