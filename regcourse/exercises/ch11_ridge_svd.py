"""Chapter 11 exercises: ridge's shrinkage factors from the SVD, degrees of freedom with more
features than rows, the leave-one-out shortcut and which refit it equals, and the information
criteria."""

from __future__ import annotations

import numpy as np

from regcourse.exercises._checking import (
    Failed,
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
from regcourse.ridge_svd import ridge_gcv, ridge_loo_mse

CHAPTER = 11


def _design(rng, n: int, p: int) -> np.ndarray:
    """Correlated columns with means far from 0 and unequal scales, full column rank."""
    shared = rng.standard_normal((n, 1))
    X = rng.standard_normal((n, p)) + 0.6 * shared
    return X * rng.uniform(0.5, 3.0, p) + rng.uniform(-4.0, 4.0, p)


# --- exercise 1: the shrinkage factors -------------------------------------------------------------


def _singular_values(X, centre: bool = True) -> np.ndarray:
    return np.linalg.svd(X - X.mean(axis=0) if centre else X, compute_uv=False)


def _factors(X, lam):
    d = _singular_values(X)
    return d**2 / (d**2 + len(X) * lam)


FACTOR_MISTAKES = [
    (
        lambda X, lam: _singular_values(X, centre=False) ** 2 / (_singular_values(X, centre=False) ** 2 + len(X) * lam),
        "centre the columns first: the intercept is not penalized, so ridge works on X minus its column means",
    ),
    (
        lambda X, lam: _singular_values(X) ** 2 / (_singular_values(X) ** 2 + lam),
        "look at how λ enters: the course's loss is a mean over the n rows, so the normal equations have "
        "XᵀX + (something)·λ·I, not XᵀX + λ·I",
    ),
    (
        lambda X, lam: _singular_values(X) / (_singular_values(X) + len(X) * lam),
        "the factor involves the squares of the singular values (d² is the sum of squares along a direction)",
    ),
    (
        lambda X, lam: 1.0 - _factors(X, lam),
        "that is the part of the fit ridge removes; the factor is the part it keeps",
    ),
    (
        lambda X, lam: _factors(X, lam)[::-1],
        "return the factors in the order of the singular values, largest first (as NumPy's SVD gives them)",
    ),
]


@exercise("ridge.shrink_factors", chapter=CHAPTER, title="Ridge's shrinkage factors from the SVD", points=2)
def check_shrink_factors(shrink_factors):
    rng = case_rng("ridge.shrink_factors")
    cases = [(_design(rng, n, p), lam) for n, p, lam in ((40, 3, 0.5), (25, 6, 0.05), (200, 10, 2.0), (12, 11, 0.3))]
    for X, lam in cases:
        got = call(shrink_factors, X, lam)
        eps = precision(got)
        array = as_array(got)
        expected = _factors(X, lam)
        expect_shape(array, expected.shape)
        if matches(array, expected, eps=eps):
            continue
        for wrong, hint in FACTOR_MISTAKES:
            if matches(array, wrong(X, lam), eps=eps):
                raise Failed(hint)
        close(
            array,
            expected,
            "the factors are not right: compare yours with the lecture's shrinkage factor, computed from the "
            "singular values of the centred X",
            eps=eps,
        )
    X = _design(rng, 30, 4)
    close(
        call(shrink_factors, X, 0.0),
        np.ones(4),
        "with λ = 0 (least squares) every factor should be 1: nothing is shrunk",
        eps=precision(call(shrink_factors, X, 0.0)),
    )


# --- exercise 2: degrees of freedom with more features than rows --------------------------------------

number_exercise(
    "ridge.df_wide",
    chapter=CHAPTER,
    title="Degrees of freedom with p > n",
    points=1,
    answer=50.0,
    count=True,
    hint="df(λ) = 1 + Σ dⱼ²/(dⱼ² + nλ): count how many singular values of the centred features can be "
    "non-zero, and what each factor is for a tiny λ",
    mistakes=[
        (201.0, "p + 1 holds when there are more rows than features; here the centred rows span fewer directions"),
        (200.0, "a direction counts only if the centred data vary along it: how many directions can the rows span?"),
        (
            51.0,
            "centring costs one direction: the centred rows add up to the zero vector, so they span one "
            "direction fewer than there are rows",
        ),
        (49.0, "the intercept is a parameter too: df = 1 + Σ dⱼ²/(dⱼ² + nλ)"),
        (1.0, "that is the limit for a huge λ; here λ is tiny, so each factor with dⱼ > 0 is close to 1"),
    ],
)


# --- exercise 3: leave-one-out without refitting --------------------------------------------------


def _brute_loo(X, y, alpha):
    """Leave-one-out by refitting Σ(yᵢ − b − xᵢw)² + α‖w‖² on each n − 1 rows."""
    n = len(y)
    errors = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        Xk, yk = X[keep], y[keep]
        mean_x, mean_y = Xk.mean(axis=0), yk.mean()
        Xc = Xk - mean_x
        w = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ (yk - mean_y))
        errors[i] = y[i] - mean_y - (X[i] - mean_x) @ w
    return float(np.mean(errors**2))


def _ridge_fit_values(X, y, alpha, centre=True):
    Xc = X - X.mean(axis=0) if centre else X
    yc = y - y.mean() if centre else y
    H = Xc @ np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T)
    return yc - H @ yc, np.diag(H)


def _uncentred_leverages(X, y, lam):
    """Residuals of the model with intercept, but leverages without the intercept's 1/n."""
    residuals, h = _ridge_fit_values(X, y, len(y) * lam)
    return float(np.mean((residuals / (1 - h)) ** 2))


def _once_divided(X, y, lam):
    residuals, h = _ridge_fit_values(X, y, len(y) * lam)
    h = h + 1 / len(y)
    return float(np.mean(residuals**2 / (1 - h)))


LOO_MISTAKES = [
    (
        lambda X, y, lam: float(ridge_gcv(X, y, lam)),
        "that is generalized cross-validation, which uses the mean leverage df/n for every row; leave-one-out "
        "divides each residual by 1 − Hᵢᵢ with its own leverage",
    ),
    (
        lambda X, y, lam: float(np.mean(_ridge_fit_values(X, y, len(y) * lam)[0] ** 2)),
        "that is the training error: each residual must be divided by 1 − Hᵢᵢ, which makes it the error on the "
        "row left out",
    ),
    (
        lambda X, y, lam: float(ridge_loo_mse(X, y, lam / len(y))),
        "look at how λ enters the hat matrix: the course's loss is a mean over the n rows, not a sum",
    ),
    (
        lambda X, y, lam: _brute_loo(X, y, (len(y) - 1) * lam),
        "that is leave-one-out by refitting the course's objective with the same λ on n − 1 rows, a slightly "
        "different problem: the shortcut keeps α = nλ fixed, which is what this exercise asks for",
    ),
    (
        _uncentred_leverages,
        "the intercept is fitted too, and its part of the hat matrix adds to every leverage: take Hᵢᵢ from the "
        "hat matrix of the whole model (section 2 of the lecture)",
    ),
    (
        _once_divided,
        "the leave-one-out residual is eᵢ/(1 − Hᵢᵢ); its square divides eᵢ² by (1 − Hᵢᵢ)², not by 1 − Hᵢᵢ",
    ),
]


@exercise("ridge.loo", chapter=CHAPTER, title="Leave-one-out without refitting", points=3)
def check_loo(loo_mse):
    rng = case_rng("ridge.loo")
    for n, p, lam in ((30, 4, 0.2), (18, 6, 0.05), (60, 12, 1.5), (25, 2, 3.0), (15, 30, 0.4)):
        X = _design(rng, n, p)
        y = X @ rng.normal(0, 1, p) + rng.uniform(-5, 5) + rng.normal(0, 1.5, n)
        got = call(loo_mse, X, y, lam)
        eps = precision(got)
        array = as_array(got)
        if array.size != 1:
            raise Failed(f"return one number, the mean of the squared leave-one-out residuals, not shape {array.shape}")
        expected = float(ridge_loo_mse(X, y, lam))
        if matches(array.reshape(()), expected, eps=eps):
            continue
        for wrong, hint in LOO_MISTAKES:
            value = wrong(X, y, lam)
            if not np.isclose(value, expected, rtol=1e-6) and matches(array.reshape(()), value, eps=eps):
                raise Failed(hint)
        close(
            array.reshape(()),
            expected,
            "the value is not the leave-one-out error: (1/n)·Σ(eᵢ/(1 − Hᵢᵢ))², with eᵢ and Hᵢᵢ from the ridge fit "
            "with intercept on all n rows" + (" (also with more features than rows)" if p > n else ""),
            eps=eps,
        )


# --- exercise 4: which refit the shortcut equals -----------------------------------------------------

number_exercise(
    "ridge.loo_lambda",
    chapter=CHAPTER,
    title="The refit the leave-one-out shortcut equals",
    points=1,
    answer=0.2 * 50 / 49,
    hint="write both problems in the sum-of-squares form Σ(yᵢ − b − xᵢ·w)² + α‖w‖²: what is α for the fit on all "
    "50 rows, and which λ gives the same α on 49 rows?",
    mistakes=[
        (
            0.2,
            "with the same λ the refit on 49 rows has α = 49λ, not the α = 50λ the shortcut keeps: a slightly "
            "different problem",
        ),
        (0.2 * 49 / 50, "check the direction of the correction: the refit needs the same α = nλ with one row fewer"),
        (10.0, "that is α = nλ of the sum-of-squares form; the question asks for λ of the course's objective"),
        (9.8, "that is an α, not a λ of the course's objective, which divides the loss by the number of rows"),
    ],
)


# --- exercise 5: the criteria ---------------------------------------------------------------------

choice_exercise(
    "ridge.criteria",
    chapter=CHAPTER,
    title="Cp, AIC, BIC and GCV along a ridge path",
    points=1,
    options={
        "a": "Cp and AIC choose the same λ, and BIC chooses a λ at least as large",
        "b": "AIC chooses a larger λ than BIC, because its charge of 2 per degree of freedom is the larger one",
        "c": "All four choose the same λ, because all four use the same df(λ)",
        "d": "GCV, like Cp, needs an estimate of the noise variance σ²",
    },
    correct="a",
    hint="write each criterion as the training error plus a charge per degree of freedom, and compare the charges",
    why_not={
        "b": "compare 2 with log(500): which charge per degree of freedom is larger?",
        "c": "they charge different amounts per degree of freedom (and GCV divides instead of adding), so their "
        "minima can differ",
        "d": "GCV is the training error divided by (1 − df/n)²: no σ² appears in it",
    },
)
