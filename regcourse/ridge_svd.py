"""Ridge regression seen through the SVD of the centred features: how much each principal
direction is shrunk, the effective degrees of freedom, and the leave-one-out and generalized
cross-validation errors of a whole grid of λ from one decomposition, with no refitting.

The course's ridge objective, with an unpenalized intercept b:

    J(w, b) = (1/n)·‖y − b·1 − Xw‖² + λ‖w‖²

With Xc = X − x̄ = U·diag(d)·Vᵀ (thin SVD, rank r) and yc = y − ȳ, the minimizer and its fit are

    ŵ = V·diag(dⱼ/(dⱼ² + nλ))·Uᵀyc,    ŷ = ȳ + U·diag(sⱼ)·Uᵀyc,    sⱼ = dⱼ²/(dⱼ² + nλ),

so the fit along principal direction j is shrunk by the factor sⱼ, the directions of small
variance dⱼ²/n the most. The fit is linear in y, ŷ = H·y, with the hat matrix

    H = 11ᵀ/n + U·diag(s)·Uᵀ,    df(λ) = tr H = 1 + Σⱼ sⱼ,

from r + 1 at λ = 0 down to 1 (the intercept alone) as λ → ∞.

Leave-one-out: removing row i and refitting gives the residual eᵢ/(1 − Hᵢᵢ), eᵢ = yᵢ − ŷᵢ, exactly
— for the sum-of-squares form Σ(yᵢ − b − xᵢw)² + α‖w‖² with α = nλ held fixed (Sherman–Morrison).
Refitting the course's mean-loss objective on the n − 1 rows with the *same* λ is a slightly
different problem (its α is (n − 1)λ); the shortcut equals refits at λ' = nλ/(n − 1).
Generalized cross-validation replaces every Hᵢᵢ by their mean df/n:

    LOO(λ) = (1/n)·Σᵢ (eᵢ/(1 − Hᵢᵢ))²,    GCV(λ) = (1/n)·Σᵢ eᵢ² / (1 − df(λ)/n)².

Both are +inf where the fit interpolates a point (Hᵢᵢ = 1: λ = 0 with rank Xc = n − 1).
Cp, AIC and BIC (``ridge_criteria``) charge each fit 2·df, 2·df or log(n)·df on top of its
training error; see ``regcourse.degrees_of_freedom``.

Without an intercept (``fit_intercept=False``) X and y are used as they are and the 1/n and
the 1 above drop out.
"""

from __future__ import annotations

import numpy as np

from regcourse._arrays import check_xy

__all__ = ["principal_directions", "ridge_shrinkage", "ridge_df", "ridge_loo_mse", "ridge_gcv", "ridge_criteria"]


def _check_lams(lams) -> tuple[np.ndarray, bool]:
    """(λ values as a 1-D float array, whether one number was given)."""
    values = np.asarray(lams, dtype=float)
    scalar = values.ndim == 0
    values = values.reshape(-1)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("lams must be a number or a non-empty 1-D array of λ ≥ 0")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"lams must be finite, got {values.tolist() if values.size < 8 else 'a NaN or inf'}")
    if np.any(values < 0):
        raise ValueError(f"lams must be >= 0 (λ is a penalty strength), got {float(values.min()):g}")
    return values, scalar


def _check_features(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"X must be a 2-D array with at least 2 rows, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or inf")
    return X


def _decompose(X: np.ndarray, fit_intercept: bool):
    """(U, d) of the thin SVD of the (centred) features, keeping the directions with d > 0."""
    Xc = X - X.mean(axis=0) if fit_intercept else X
    U, d, _ = np.linalg.svd(Xc, full_matrices=False)
    keep = d > d.max(initial=0.0) * max(X.shape) * np.finfo(float).eps
    return U[:, keep], d[keep]


def _shrink(d: np.ndarray, n: int, lams: np.ndarray) -> np.ndarray:
    """sⱼ(λ) = dⱼ²/(dⱼ² + nλ), shape (r, len(lams))."""
    d2 = (d**2)[:, None]
    return d2 / (d2 + n * lams[None, :])


def _out(values: np.ndarray, scalar: bool):
    return float(values[0]) if scalar else values


def principal_directions(X, *, fit_intercept: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(variances, directions): the variances dⱼ²/n of the data along its principal directions,
    largest first (the eigenvalues of XcᵀXc/n that are not 0), and the directions vⱼ as the rows of
    an array. An SVD fixes each direction only up to its sign; here the entry of largest size is
    made positive, so the directions print the same with every LAPACK."""
    X = _check_features(X)
    Xc = X - X.mean(axis=0) if fit_intercept else X
    _, d, Vt = np.linalg.svd(Xc, full_matrices=False)
    keep = d > d.max(initial=0.0) * max(X.shape) * np.finfo(float).eps
    Vt = Vt[keep]
    signs = np.sign(Vt[np.arange(Vt.shape[0]), np.argmax(np.abs(Vt), axis=1)])
    return d[keep] ** 2 / X.shape[0], Vt * signs[:, None]


def ridge_shrinkage(X, lam, *, fit_intercept: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(d, s): the singular values dⱼ of the centred X, largest first, and the factors
    sⱼ = dⱼ²/(dⱼ² + nλ) by which ridge shrinks the fit along each principal direction."""
    X = _check_features(X)
    lams, scalar = _check_lams(lam)
    if not scalar:
        raise ValueError("lam must be one number here; ridge_df takes an array")
    _, d = _decompose(X, fit_intercept)
    return d, _shrink(d, X.shape[0], lams)[:, 0]


def ridge_df(X, lams, *, fit_intercept: bool = True):
    """Effective degrees of freedom df(λ) = tr H = 1 + Σⱼ dⱼ²/(dⱼ² + nλ) (without the 1 when
    ``fit_intercept=False``): a float for one λ, an array for several."""
    X = _check_features(X)
    lams, scalar = _check_lams(lams)
    _, d = _decompose(X, fit_intercept)
    df = _shrink(d, X.shape[0], lams).sum(axis=0) + (1.0 if fit_intercept else 0.0)
    return _out(df, scalar)


def _residuals_and_leverages(X, y, lams, fit_intercept):
    X, y = check_xy(X, y)
    X = _check_features(X)
    n = X.shape[0]
    U, d = _decompose(X, fit_intercept)
    s = _shrink(d, n, lams)  # (r, L)
    yc = y - y.mean() if fit_intercept else y
    z = U.T @ yc
    residuals = yc[:, None] - U @ (s * z[:, None])  # eᵢ for each λ, shape (n, L)
    leverages = (U**2) @ s + (1.0 / n if fit_intercept else 0.0)  # Hᵢᵢ, shape (n, L)
    df = s.sum(axis=0) + (1.0 if fit_intercept else 0.0)
    return residuals, leverages, df, n


def ridge_loo_mse(X, y, lams, *, fit_intercept: bool = True):
    """The leave-one-out mean squared error (1/n)·Σᵢ(eᵢ/(1 − Hᵢᵢ))² for each λ, without refitting
    (exact for α = nλ held fixed; see the module docstring). +inf where some Hᵢᵢ = 1."""
    lams, scalar = _check_lams(lams)
    residuals, leverages, _, _ = _residuals_and_leverages(X, y, lams, fit_intercept)
    with np.errstate(divide="ignore", invalid="ignore"):
        slack = 1.0 - leverages
        loo = np.where(slack > 1e-12, residuals / np.where(slack > 1e-12, slack, 1.0), np.inf)
    return _out(np.mean(loo**2, axis=0), scalar)


def ridge_gcv(X, y, lams, *, fit_intercept: bool = True):
    """Generalized cross-validation (1/n)·Σᵢeᵢ² / (1 − df(λ)/n)² for each λ (+inf where df = n)."""
    lams, scalar = _check_lams(lams)
    residuals, _, df, n = _residuals_and_leverages(X, y, lams, fit_intercept)
    slack = 1.0 - df / n
    mse = np.mean(residuals**2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        gcv = np.where(slack > 1e-12, mse / np.where(slack > 1e-12, slack, 1.0) ** 2, np.inf)
    return _out(gcv, scalar)


def ridge_criteria(X, y, lams, *, noise_variance=None, fit_intercept: bool = True):
    """Cp, AIC and BIC of ridge for each λ (a ``degrees_of_freedom.Criteria``), with df(λ) from
    ``ridge_df`` and RSS from the fit; σ² is ``noise_variance`` if given, else estimated once by
    least squares on every feature (``degrees_of_freedom.noise_variance``, needs n > p + 1)."""
    from regcourse import degrees_of_freedom

    lams, _ = _check_lams(lams)
    residuals, _, df, n = _residuals_and_leverages(X, y, lams, fit_intercept)
    sigma2 = degrees_of_freedom.noise_variance(X, y) if noise_variance is None else noise_variance
    return degrees_of_freedom.information_criteria(np.sum(residuals**2, axis=0), df, n, sigma2)
