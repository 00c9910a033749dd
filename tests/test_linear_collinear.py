"""Duplicated and collinear columns: the working set keeps its Cholesky factor non-singular (a
column in the span of the active ones is not admitted, and is swapped in by an exchange step when
it should be), and the answers agree with scikit-learn where the solution is unique — the
objective J and the fitted values — while the lasso's coefficients need not be."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse
from sklearn.linear_model import enet_path, lasso_path

from _linear_checks import ar1_columns, kkt, objective
from regcourse.linear import default_lams, fit, path, penalty_for
from regcourse.linear import newton_block as newton_block_module


def _truth(rng, X, k=8):
    w = np.zeros(X.shape[1])
    w[rng.choice(X.shape[1], size=k, replace=False)] = rng.normal(scale=2.0, size=k)
    return X @ w + rng.normal(size=X.shape[0])


def duplicated(copies, n=80, p=25, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    return np.repeat(X, copies, axis=1), _truth(rng, X)


def collinear(seed=1):
    """Column 20 = column 0 + column 1, column 21 = column 2 − column 3."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(90, 20))
    y = _truth(rng, X) + 2.0 * (X[:, 0] + X[:, 1])
    return np.column_stack([X, X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]]), y


def toeplitz(rho=0.999, n=150, p=50, seed=2):
    rng = np.random.default_rng(seed)
    X = ar1_columns(rng, n, p, rho)
    return X, _truth(rng, X)


def wide(seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 120))
    X = np.column_stack([X, X[:, :40], X[:, :10] + X[:, 10:20]])  # p ≫ n, with duplicates and sums
    return X, _truth(rng, X[:, :120])


def tall(seed=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3000, 15))
    return np.column_stack([X, X[:, :5], X[:, 5] + X[:, 6]]), _truth(rng, X)


DATA = {
    "duplicated 2×": lambda: duplicated(2),
    "duplicated 3×": lambda: duplicated(3),
    "collinear": collinear,
    "Toeplitz .999": toeplitz,
    "wide": wide,
    "tall": tall,
}
KINDS = [("l1", 1.0), ("elastic_net", 0.5)]


def sklearn_path(X, y, lams, rho):
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its duality gap may stop short of 1e-14; J is compared at 1e-9
        if rho == 1.0:
            return lasso_path(Xc, yc, alphas=lams / 2, tol=1e-14, max_iter=1_000_000)[1].T
        mix, alphas = rho / (2 - rho), lams * (1 - rho / 2)
        return enet_path(Xc, yc, l1_ratio=mix, alphas=alphas, tol=1e-14, max_iter=1_000_000)[1].T


@pytest.fixture
def no_lstsq(monkeypatch):
    """The working set must never fall back to a least-squares solve."""

    def refuse(*args, **kwargs):
        raise AssertionError("np.linalg.lstsq called by the working set")

    monkeypatch.setattr(newton_block_module.np.linalg, "lstsq", refuse)


@pytest.mark.parametrize("kind, rho", KINDS)
@pytest.mark.parametrize("name", DATA)
def test_path_and_fit_reach_the_optimum_without_a_least_squares_fallback(name, kind, rho, no_lstsq):
    X, y = DATA[name]()
    lams = default_lams(X, y, kind, l1_ratio=rho, n_lams=30)
    result = path(X, y, kind, lams, l1_ratio=rho, tol=1e-10)
    theirs = sklearn_path(X, y, lams, rho)
    assert result.converged
    for coef, reference, lam in zip(result.coefs, theirs, lams):
        assert kkt(X, y, coef, lam, rho) <= 1e-8
        ours_j, their_j = objective(X, y, coef, lam, rho), objective(X, y, reference, lam, rho)
        assert ours_j <= their_j + 1e-9 * their_j  # as low as scikit-learn's (its tolerance is the gap)
    single = fit(X, y, penalty_for(kind, lams[-3], rho), tol=1e-10)  # a cold start, far down the path
    assert single.converged and kkt(X, y, single.coef, lams[-3], rho) <= 1e-8
    assert objective(X, y, single.coef, lams[-3], rho) == pytest.approx(
        objective(X, y, theirs[-3], lams[-3], rho), rel=1e-9
    )


@pytest.mark.parametrize("sparse", [False, True])
def test_duplicate_columns_fitted_values_and_objective_are_unique_the_coefficients_are_not(sparse):
    """Two copies of every column: the lasso's J and fitted values are unique, and so is the sum of
    the weights over each copy pair; how that sum is split is not. Ours puts it all on the copy
    that entered the active set first (a copy in the span of the active ones is not admitted)."""
    X, y = duplicated(2, n=60, p=12, seed=5)
    lam = 0.05 * default_lams(X, y, "l1", n_lams=2)[0]
    ours = fit(scipy.sparse.csc_matrix(X) if sparse else X, y, penalty_for("l1", lam), tol=1e-12)
    theirs = sklearn_path(X, y, np.array([lam]), 1.0)[0]
    assert objective(X, y, ours.coef, lam, 1.0) == pytest.approx(objective(X, y, theirs, lam, 1.0), rel=1e-10)
    Xc = X - X.mean(axis=0)
    np.testing.assert_allclose(Xc @ ours.coef, Xc @ theirs, atol=1e-7)
    pairs = ours.coef.reshape(-1, 2)
    np.testing.assert_allclose(pairs.sum(axis=1), theirs.reshape(-1, 2).sum(axis=1), atol=1e-7)
    assert np.all((pairs[:, 0] == 0) | (pairs[:, 1] == 0))  # never split: one copy per pair carries it
    assert np.count_nonzero(pairs.sum(axis=1)) > 3  # the test has something to show


@pytest.mark.parametrize("positive", [False, True])
def test_a_column_that_is_a_sum_of_two_active_ones_is_swapped_in(positive, monkeypatch):
    """x₂ = x₀ + x₁ with y ≈ 2x₂, started from weights on x₀ and x₁: x₂ is in their span, so it
    is not admitted to the factor; but weight on x₂ alone costs half the L1 norm of equal weights
    on x₀ and x₁ for the same fit, so an exchange step swaps it in and x₀, x₁ drop to 0."""
    rng = np.random.default_rng(6)
    X = rng.normal(size=(100, 2))
    X = np.column_stack([X, X.sum(axis=1), rng.normal(size=(100, 3))])
    y = 2.0 * X[:, 2] + 0.1 * rng.normal(size=100)
    lam = 0.01
    exchanges = []
    original = newton_block_module._exchange
    monkeypatch.setattr(newton_block_module, "_exchange", lambda *a, **k: exchanges.append(1) or original(*a, **k))
    start = np.array([1.0, 1.0, 0.0, 0.0, 0.0, 0.0])
    ours = fit(X, y, penalty_for("l1", lam), tol=1e-12, warm_start=start, positive=positive)
    assert exchanges
    assert ours.converged and kkt(X, y, ours.coef, lam, 1.0) <= 1e-10
    assert ours.coef[0] == 0.0 and ours.coef[1] == 0.0 and ours.coef[2] > 1.9


def test_positive_lasso_with_duplicate_columns():
    X, y = duplicated(2, n=60, p=12, seed=7)
    lam = 0.05 * default_lams(X, y, "l1", n_lams=2)[0]
    ours = fit(X, y, penalty_for("l1", lam), positive=True, tol=1e-12)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    theirs = lasso_path(Xc, yc, alphas=[lam / 2], tol=1e-14, max_iter=1_000_000, positive=True)[1][:, 0]
    assert ours.converged and ours.coef.min() >= 0.0
    assert objective(X, y, ours.coef, lam, 1.0) == pytest.approx(objective(X, y, theirs, lam, 1.0), rel=1e-9)
