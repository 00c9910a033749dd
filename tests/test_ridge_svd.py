"""Ridge through the SVD (regcourse.ridge_svd, re-exported by regcourse.selection): degrees of
freedom against the trace of an explicit hat matrix, leave-one-out against brute-force refits
and scikit-learn's RidgeCV, GCV against its formula; tall, wide (p > n) and rank-deficient data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import RidgeCV

from regcourse import selection
from regcourse.linear import fit
from regcourse.penalties import L2
from regcourse.ridge_svd import ridge_df, ridge_gcv, ridge_loo_mse, ridge_shrinkage

LAMS = np.array([0.0, 1e-3, 0.05, 0.7, 20.0])


def data(n, p, seed, duplicate=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.2, 3.0, size=p)
    if duplicate:
        X[:, -1] = X[:, 0]  # rank-deficient
    return X, X[:, :3] @ np.array([1.5, -2.0, 0.7]) + 3.0 + rng.normal(size=n)


def hat_matrix(X, lam, fit_intercept=True):
    """ŷ = H·y for the course's ridge (mean loss, unpenalized intercept), written out directly."""
    n, p = X.shape
    Xc = X - X.mean(axis=0) if fit_intercept else X
    inner = (
        np.linalg.pinv(Xc.T @ Xc + n * lam * np.eye(p)) if lam == 0 else np.linalg.inv(Xc.T @ Xc + n * lam * np.eye(p))
    )
    H = Xc @ inner @ Xc.T
    return H + np.full((n, n), 1.0 / n) if fit_intercept else H


def refit_loo(X, y, alpha, fit_intercept=True):
    """Leave each row out and refit Σ(yⱼ − b − xⱼw)² + α‖w‖² on the rest (α fixed), brute force."""
    n = len(y)
    errors = []
    for i in range(n):
        keep = np.arange(n) != i
        Xk, yk = X[keep], y[keep]
        mean_x, mean_y = (Xk.mean(axis=0), yk.mean()) if fit_intercept else (0.0, 0.0)
        Xc = Xk - mean_x
        w = np.linalg.lstsq(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ (yk - mean_y), rcond=None)[0]
        errors.append(y[i] - mean_y - (X[i] - mean_x) @ w)
    return float(np.mean(np.square(errors)))


SHAPES = {"tall 40×6": (40, 6, 0, False), "wide 15×30": (15, 30, 1, False), "rank-deficient 25×8": (25, 8, 2, True)}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_degrees_of_freedom_are_the_trace_of_the_hat_matrix(shape, fit_intercept):
    X, _ = data(*SHAPES[shape])
    df = ridge_df(X, LAMS, fit_intercept=fit_intercept)
    for lam, value in zip(LAMS, df):
        assert value == pytest.approx(np.trace(hat_matrix(X, lam, fit_intercept)), rel=1e-9)
    assert np.all(np.diff(df) < 0)  # more penalty, fewer degrees of freedom
    rank = np.linalg.matrix_rank(X - X.mean(axis=0) if fit_intercept else X)
    assert df[0] == pytest.approx(rank + fit_intercept)  # λ = 0: the rank (+1 for the intercept)
    assert ridge_df(X, 1e12, fit_intercept=fit_intercept) == pytest.approx(float(fit_intercept), abs=1e-6)


def test_a_wide_problem_with_an_intercept_has_at_most_n_degrees_of_freedom():
    X, _ = data(15, 30, 1)
    assert ridge_df(X, 0.0) == pytest.approx(15.0)  # rank of Xc is n − 1, plus the intercept


def test_shrinkage_factors_are_largest_on_the_directions_of_largest_variance():
    X, _ = data(40, 6, 0)
    d, s = ridge_shrinkage(X, 0.3)
    assert np.all(np.diff(d) <= 0) and np.all(np.diff(s) <= 0)
    np.testing.assert_allclose(s, d**2 / (d**2 + 40 * 0.3))
    assert s.sum() + 1 == pytest.approx(ridge_df(X, 0.3))


@pytest.mark.parametrize("shape", ["tall 40×6", "wide 15×30", "rank-deficient 25×8"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_leave_one_out_equals_brute_force_refits_with_alpha_fixed(shape, fit_intercept):
    X, y = data(*SHAPES[shape])
    lams = LAMS[1:]  # λ = 0 interpolates the wide problem (tested below)
    loo = ridge_loo_mse(X, y, lams, fit_intercept=fit_intercept)
    for lam, value in zip(lams, loo):
        assert value == pytest.approx(refit_loo(X, y, len(y) * lam, fit_intercept), rel=1e-8)


def test_the_shortcut_is_the_mean_loss_refit_at_n_over_n_minus_1_times_lambda_not_at_lambda():
    """The convention trap: refitting the course objective on n − 1 rows with the same λ is a
    different problem; with λ·n/(n − 1) it is the shortcut's."""
    X, y = data(30, 5, 3)
    n, lam = len(y), 0.5
    shortcut = ridge_loo_mse(X, y, lam)

    def loo_with(strength):
        errors = []
        for i in range(n):
            keep = np.arange(n) != i
            model = fit(X[keep], y[keep], L2(strength), tol=1e-12)
            errors.append(y[i] - model.intercept - X[i] @ model.coef)
        return float(np.mean(np.square(errors)))

    assert loo_with(lam * n / (n - 1)) == pytest.approx(shortcut, rel=1e-8)
    same_lambda = loo_with(lam)
    assert abs(same_lambda - shortcut) / shortcut > 1e-4  # a real difference, though small


@pytest.mark.parametrize("shape", ["tall 40×6", "wide 15×30"])
def test_leave_one_out_equals_scikit_learns_ridgecv(shape):
    X, y = data(*SHAPES[shape])
    n = len(y)
    lams = LAMS[1:]
    model = RidgeCV(alphas=n * lams, fit_intercept=True, store_cv_results=True).fit(X, y)
    theirs = model.cv_results_.mean(axis=0)  # squared LOO errors, one column per α = nλ
    np.testing.assert_allclose(ridge_loo_mse(X, y, lams), theirs, rtol=1e-7)


@pytest.mark.parametrize("shape", SHAPES)
def test_gcv_is_the_mean_residual_over_one_minus_average_leverage_squared(shape):
    X, y = data(*SHAPES[shape])
    n = len(y)
    for lam, value in zip(LAMS[1:], ridge_gcv(X, y, LAMS[1:])):
        H = hat_matrix(X, lam)
        residual = y - H @ y
        # the explicit inverse loses digits where df is near n (wide, small λ): 1e-7, not 1e-9
        assert value == pytest.approx(np.mean(residual**2) / (1 - np.trace(H) / n) ** 2, rel=1e-7)


def test_an_interpolating_fit_has_infinite_loo_and_gcv():
    X, y = data(15, 30, 1)
    assert ridge_loo_mse(X, y, 0.0) == np.inf
    assert ridge_gcv(X, y, 0.0) == np.inf
    assert np.isfinite(ridge_loo_mse(X, y, 1e-3))


def test_one_lambda_gives_a_float_and_an_array_gives_an_array():
    X, y = data(40, 6, 0)
    assert isinstance(ridge_df(X, 0.1), float) and isinstance(ridge_gcv(X, y, 0.1), float)
    assert ridge_loo_mse(X, y, [0.1, 1.0]).shape == (2,)


def test_selection_re_exports_them():
    assert selection.ridge_df is ridge_df and selection.ridge_loo_mse is ridge_loo_mse
    assert selection.ridge_gcv is ridge_gcv


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda X, y: ridge_df(X, -0.1), "lams must be >= 0"),
        (lambda X, y: ridge_df(X, [0.1, np.nan]), "lams must be finite"),
        (lambda X, y: ridge_df(X, []), "non-empty"),
        (lambda X, y: ridge_loo_mse(X, y[:-1], 0.1), "y"),
        (lambda X, y: ridge_gcv(np.where(X > 2, np.nan, X), y, 0.1), "NaN"),
        (lambda X, y: ridge_df(X[0], 0.1), "2-D"),
        (lambda X, y: ridge_shrinkage(X, [0.1, 0.2]), "one number"),
    ],
)
def test_bad_input_is_named(call, match):
    X, y = data(40, 6, 0)
    with pytest.raises(ValueError, match=match):
        call(X, y)
