"""``positive=True``: the non-negative lasso, elastic net and ridge, against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from sklearn.linear_model import ElasticNet as SklearnElasticNet
from sklearn.linear_model import enet_path, lasso_path

from regcourse import L1, L2, ElasticNet
from regcourse.linear import default_lams, fit, path
from test_linear_newton_cg import big_support_problem

# scikit-learn's duality gap is not meaningful at l1_ratio = 0 (ridge) and it warns; our KKT checks decide
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def dense_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 30))
    X[:, 1] = X[:, 0] + 0.1 * rng.normal(size=80)  # correlated pair: the constraint bites
    return X, X[:, :5] @ np.array([2.0, -1.0, 1.5, -2.0, 1.0]) + 3.0 + rng.normal(size=80)


def sparse_data():
    rng = np.random.default_rng(1)
    X = scipy.sparse.random(120, 60, density=0.2, random_state=1, format="csr", data_rvs=rng.standard_normal)
    return X, np.asarray(X @ rng.normal(size=60)).reshape(-1) - 1.0 + rng.normal(size=120)


DATA = {"dense": dense_data, "sparse": sparse_data}


def kkt_positive(X, y, coef, l1, l2):
    """Largest violation of the conditions for min MSE + l1‖w‖₁ + l2‖w‖² over w ≥ 0 (intercept
    free): gⱼ + l1 + 2·l2·wⱼ = 0 where wⱼ > 0, gⱼ ≥ −l1 where wⱼ = 0, relative to max|∇MSE(0)|."""
    X = X.toarray() if scipy.sparse.issparse(X) else X
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    g = -(2.0 / len(y)) * Xc.T @ (yc - Xc @ coef) + 2.0 * l2 * coef
    violation = np.where(coef > 0, np.abs(g + l1), np.maximum(-g - l1, 0.0))
    violation = np.where(coef < 0, np.inf, violation)
    return float(violation.max()) / ((2.0 / len(y)) * float(np.abs(Xc.T @ yc).max()))


def sklearn_fit(X, y, pen):
    """Ours (1/n)‖r‖² + l1‖w‖₁ + l2‖w‖², halved, is theirs with α·l1_ratio = l1/2, α(1 − l1_ratio) = l2."""
    alpha = pen.l1_coef / 2 + pen.l2_coef
    model = SklearnElasticNet(
        alpha=alpha, l1_ratio=(pen.l1_coef / 2) / alpha, positive=True, tol=1e-14, max_iter=1_000_000
    )
    return model.fit(X, y)


@pytest.mark.parametrize("data", ["dense", "sparse"])
@pytest.mark.parametrize("pen", [L1(0.05), ElasticNet(l1=0.04, l2=0.03), L2(0.1)], ids=["lasso", "enet", "ridge"])
def test_a_non_negative_fit_equals_scikit_learns(data, pen):
    X, y = DATA[data]()
    ours = fit(X, y, pen, positive=True)
    theirs = sklearn_fit(X, y, pen)
    assert ours.converged and ours.solver == "active_set"
    assert kkt_positive(X, y, ours.coef, pen.l1_coef, pen.l2_coef) <= 1e-12
    np.testing.assert_allclose(ours.coef, theirs.coef_, atol=1e-10)
    assert ours.intercept == pytest.approx(theirs.intercept_, abs=1e-10)
    assert np.all(ours.coef >= 0.0)
    assert np.any(fit(X, y, pen).coef < 0.0)  # without the constraint some weight is negative: it binds


@pytest.mark.parametrize("data", ["dense", "sparse"])
@pytest.mark.parametrize("kind, rho", [("l1", 1.0), ("elastic_net", 0.5)])
def test_a_non_negative_path_equals_scikit_learns(data, kind, rho):
    X, y = DATA[data]()
    lams = default_lams(X, y, kind, l1_ratio=rho, n_lams=30)
    ours = path(X, y, kind, lams, l1_ratio=rho, positive=True)
    Xc = X.toarray() if scipy.sparse.issparse(X) else X
    Xc, yc = Xc - Xc.mean(axis=0), y - y.mean()
    if kind == "l1":
        _, theirs, _ = lasso_path(Xc, yc, alphas=lams / 2, positive=True, tol=1e-14, max_iter=1_000_000)
    else:
        _, theirs, _ = enet_path(
            Xc, yc, l1_ratio=rho / (2 - rho), alphas=lams * (1 - rho / 2), positive=True, tol=1e-14, max_iter=1_000_000
        )
    assert ours.converged
    for lam, coef in zip(lams, ours.coefs):
        assert kkt_positive(X, y, coef, rho * lam, (1 - rho) * lam) <= 1e-12
    # scikit-learn stops short of its tolerance on the correlated pair (KKT 5e-11): compare loosely
    np.testing.assert_allclose(ours.coefs, theirs.T, atol=1e-6)
    assert np.all(ours.coefs >= 0.0)


def test_a_non_negative_ridge_path_is_solved_lambda_by_lambda_and_each_is_a_non_negative_fit():
    X, y = dense_data()
    lams = np.array([10.0, 1.0, 0.1, 0.01])
    result = path(X, y, "l2", lams, positive=True)
    for lam, coef in zip(lams, result.coefs):
        np.testing.assert_allclose(coef, sklearn_fit(X, y, L2(lam)).coef_, atol=1e-10)


def test_the_large_sparse_route_keeps_weights_non_negative_too():
    X, y = big_support_problem(seed=4)
    lams = default_lams(X, y, "l1", n_lams=12, eps=1e-3, fit_intercept=False)
    ours = path(X, y, "l1", lams, fit_intercept=False, positive=True)
    _, theirs, _ = lasso_path(X.toarray(), y, alphas=lams / 2, positive=True, tol=1e-13, max_iter=100_000)
    assert ours.converged and np.all(ours.coefs >= 0.0)
    assert (ours.coefs[-1] > 0).sum() >= 500
    np.testing.assert_allclose(ours.coefs, theirs.T, atol=1e-7)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda X, y: fit(X, y, L1(0.1), positive="yes"), TypeError, "positive"),
        (lambda X, y: path(X, y, "l1", positive=1), TypeError, "positive"),
        (lambda X, y: fit(X, y, L1(0.1), positive=True, solver="cd"), ValueError, "positive=True"),
        (lambda X, y: fit(X, y, L2(0.1), positive=True, solver="closed_form"), ValueError, "positive=True"),
        (
            lambda X, y: fit(X, (y > 0).astype(float), L1(0.1), positive=True, loss="logistic"),
            ValueError,
            "positive=True",
        ),
        (
            lambda X, y: path(X, (y > 0).astype(float), "l1", positive=True, loss="logistic"),
            ValueError,
            "positive=True",
        ),
    ],
)
def test_bad_positive_arguments_are_named(call, error, words):
    X, y = dense_data()
    with pytest.raises(error, match=words):
        call(X, y)
