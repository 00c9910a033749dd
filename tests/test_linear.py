"""Our solvers against scikit-learn, against each other, and the budget form against the penalized one.

scikit-learn's objectives, converted to the course's MSE + penalty (each constant is derived in
regcourse.conventions and verified in tests/test_conventions.py):
    Ridge(alpha):          ‖y − Xw‖² + α‖w‖²                 → L2(λ) with α = n·λ
    Lasso(alpha):          (1/2n)‖y − Xw‖² + α‖w‖₁           → L1(λ) with α = λ/2
    ElasticNet(alpha, ρ):  (1/2n)‖·‖² + αρ‖w‖₁ + ½α(1−ρ)‖w‖² → ElasticNet(λ₁, λ₂) with α = λ₁/2 + λ₂, ρ = λ₁/(λ₁ + 2λ₂)
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import Lasso, Ridge, lasso_path

from regcourse import L1, L2, ElasticNet
from regcourse.linear import (
    ConvergenceWarning,
    default_lams,
    fit,
    fit_constrained,
    lam_for_radius,
    lam_max,
    path,
    penalty_for,
    radius_for_lam,
)
from regcourse.penalties_sparse import GroupLasso

TIGHT = dict(tol=1e-13, max_iter=1_000_000)


def problem(n, p, correlation=0.0, seed=0, informative=5):
    rng = np.random.default_rng(seed)
    X = np.sqrt(1 - correlation) * rng.normal(size=(n, p)) + np.sqrt(correlation) * rng.normal(size=(n, 1))
    X = X * rng.uniform(0.5, 3.0, size=p) + rng.normal(size=p)  # uneven scales and non-zero means
    w = np.zeros(p)
    w[:informative] = rng.normal(scale=3.0, size=informative)
    return X, X @ w + 1.5 + rng.normal(size=n)


PROBLEMS = {
    "n>p": problem(120, 15),
    "p>n": problem(40, 120, seed=1),
    "correlated": problem(80, 10, correlation=0.95, seed=2),
}


def sklearn_fit(pen, X, y, fit_intercept=True):
    n = len(y)
    if isinstance(pen, L2):
        model = Ridge(alpha=pen.lam * n, fit_intercept=fit_intercept, solver="svd")
    elif isinstance(pen, L1):
        model = Lasso(alpha=pen.lam / 2, fit_intercept=fit_intercept, **TIGHT)
    else:
        model = SkElasticNet(
            alpha=pen.l1 / 2 + pen.l2, l1_ratio=pen.l1 / (pen.l1 + 2 * pen.l2), fit_intercept=fit_intercept, **TIGHT
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


PENALTIES = [L2(0.5), L2(0.01), L1(0.3), L1(2.0), ElasticNet(l1=0.3, l2=0.2), ElasticNet(l1=1.0, l2=0.01)]


@pytest.mark.parametrize("name", PROBLEMS)
@pytest.mark.parametrize("pen", PENALTIES, ids=repr)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_coefficients_match_scikit_learn(name, pen, fit_intercept):
    X, y = PROBLEMS[name]
    ours = fit(X, y, pen, fit_intercept=fit_intercept)
    theirs = sklearn_fit(pen, X, y, fit_intercept)
    assert ours.converged
    np.testing.assert_allclose(ours.coef, theirs.coef_, atol=1e-6)
    assert ours.intercept == pytest.approx(float(theirs.intercept_), abs=1e-6)


@pytest.mark.parametrize("name", PROBLEMS)
@pytest.mark.parametrize(
    "pen, solvers",
    [
        (L2(0.3), ["closed_form", "gd", "cd", "ista", "fista"]),
        (L1(0.5), ["cd", "ista", "fista"]),
        (ElasticNet(l1=0.4, l2=0.1), ["cd", "ista", "fista"]),
    ],
    ids=["ridge", "lasso", "enet"],
)
def test_every_solver_reaches_the_same_optimum(name, pen, solvers):
    X, y = PROBLEMS[name]
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # keeps the first-order solvers' iteration counts small
    results = {s: fit(X, y, pen, solver=s, tol=1e-11, max_iter=500_000) for s in solvers}
    reference = results[solvers[0]]
    for solver, result in results.items():
        assert result.converged and result.solver == solver
        np.testing.assert_allclose(result.coef, reference.coef, atol=1e-6, err_msg=solver)
        assert result.objective == pytest.approx(reference.objective, rel=1e-9)


def test_the_objective_is_mse_plus_penalty_and_predict_uses_the_intercept():
    X, y = PROBLEMS["n>p"]
    pen = ElasticNet(l1=0.2, l2=0.1)
    result = fit(X, y, pen)
    residual = y - X @ result.coef - result.intercept
    assert result.objective == pytest.approx(np.mean(residual**2) + pen(result.coef), rel=1e-12)
    np.testing.assert_allclose(result.predict(X), X @ result.coef + result.intercept)


def test_lasso_sets_coefficients_exactly_to_zero_and_ridge_does_not():
    X, y = PROBLEMS["n>p"]
    assert np.sum(fit(X, y, L1(1.0)).coef == 0.0) > 5
    assert np.all(fit(X, y, L2(1.0)).coef != 0.0)


def test_non_convergence_is_reported_not_hidden():
    X, y = PROBLEMS["correlated"]
    for solver in ("ista", "fista", "gd", "cd"):
        pen = L2(0.01) if solver == "gd" else L1(0.01)
        with pytest.warns(ConvergenceWarning, match=f"solver '{solver}' stopped after max_iter=2"):
            result = fit(X, y, pen, solver=solver, max_iter=2)
        assert not result.converged and result.n_iter == 2


# --- paths ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, l1_ratio", [("l1", 1.0), ("elastic_net", 0.5), ("elastic_net", 0.1)])
def test_lam_max_is_exactly_where_the_first_coefficient_appears(kind, l1_ratio):
    X, y = PROBLEMS["n>p"]
    top = lam_max(X, y, kind, l1_ratio=l1_ratio)
    assert np.all(fit(X, y, penalty_for(kind, top, l1_ratio)).coef == 0.0)
    assert np.count_nonzero(fit(X, y, penalty_for(kind, top * (1 - 1e-6), l1_ratio)).coef) >= 1
    grid = default_lams(X, y, kind, l1_ratio=l1_ratio, n_lams=30, eps=1e-2)
    assert grid[0] == pytest.approx(top) and grid[-1] == pytest.approx(top * 1e-2) and len(grid) == 30
    assert np.all(np.diff(np.log(grid)) == pytest.approx(np.log(1e-2) / 29))


def test_ridge_has_no_lam_max_but_a_default_grid():
    X, y = PROBLEMS["n>p"]
    assert lam_max(X, y, "l2") == np.inf
    grid = default_lams(X, y, "l2", n_lams=20)
    coefs = path(X, y, "l2", grid).coefs
    ols = fit(X, y, L2(0.0)).coef
    assert np.abs(coefs[0]).max() < 1e-3 * np.abs(ols).max()  # strongly shrunk at the top of the grid
    assert grid[-1] == pytest.approx(grid[0] * 1e-6)  # six decades: down to barely shrunk
    assert np.abs(coefs[-1] - ols).max() < 0.1 * np.abs(ols).max()


@pytest.mark.parametrize("name", PROBLEMS)
@pytest.mark.parametrize("kind, l1_ratio", [("l1", 1.0), ("l2", 0.0), ("elastic_net", 0.7)])
def test_path_equals_separate_fits_in_the_order_given(name, kind, l1_ratio):
    X, y = PROBLEMS[name]
    lams = default_lams(X, y, "l1", n_lams=12)[[3, 0, 7, 11, 5]]  # deliberately unsorted
    result = path(X, y, kind, lams, l1_ratio=l1_ratio)
    np.testing.assert_array_equal(result.lams, lams)
    for i, lam in enumerate(lams):
        single = fit(X, y, penalty_for(kind, lam, l1_ratio), **TIGHT)
        np.testing.assert_allclose(result.coefs[i], single.coef, atol=1e-7)
        assert result.intercepts[i] == pytest.approx(single.intercept, abs=1e-7)
        assert result.penalty(i) == penalty_for(kind, lam, l1_ratio)


def test_lasso_path_matches_scikit_learn_on_the_same_grid():
    X, y = PROBLEMS["correlated"]
    lams = default_lams(X, y, "l1", n_lams=40)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, theirs, _ = lasso_path(Xc, yc, alphas=lams / 2, tol=1e-12, max_iter=1_000_000)
    np.testing.assert_allclose(path(X, y, "l1", lams).coefs, theirs.T, atol=1e-6)


def test_path_predict_gives_one_row_per_lambda():
    X, y = PROBLEMS["n>p"]
    result = path(X, y, "l1", n_lams=7)
    assert result.coefs.shape == (7, X.shape[1]) and result.predict(X).shape == (7, len(y))


# --- the budget form ------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROBLEMS)
@pytest.mark.parametrize("kind, l1_ratio", [("l1", 1.0), ("l2", 0.0), ("elastic_net", 0.5)])
def test_budget_solution_equals_the_penalized_solution_at_the_matching_lambda(name, kind, l1_ratio):
    X, y = PROBLEMS[name]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    pen = penalty_for(kind, 1.0, l1_ratio)
    weak = default_lams(X, y, "l1", n_lams=30)[-1]  # a small λ: the budget its solution uses is generous
    radius = 0.3 * pen.budget(fit(X, y, penalty_for(kind, weak, l1_ratio)).coef)  # so this one binds
    constrained = fit_constrained(X, y, kind, radius, l1_ratio=l1_ratio)
    assert constrained.converged and constrained.lam > 0
    assert pen.budget(constrained.coef) == pytest.approx(radius, rel=1e-7)
    penalized = fit(X, y, penalty_for(kind, constrained.lam, l1_ratio), **TIGHT)
    np.testing.assert_allclose(constrained.coef, penalized.coef, atol=1e-6)
    # and back: the penalized solution uses exactly that budget
    assert radius_for_lam(X, y, penalty_for(kind, constrained.lam, l1_ratio)) == pytest.approx(radius, rel=1e-6)
    assert lam_for_radius(X, y, kind, radius, l1_ratio=l1_ratio) == pytest.approx(constrained.lam, rel=1e-6)


def test_a_budget_that_does_not_bind_gives_least_squares_and_lambda_zero():
    X, y = PROBLEMS["n>p"]
    ols = fit(X, y, L2(0.0)).coef
    constrained = fit_constrained(X, y, "l1", 10 * np.abs(ols).sum())
    assert constrained.lam == 0.0
    np.testing.assert_allclose(constrained.coef, ols, atol=1e-6)


def test_smaller_budgets_need_larger_lambdas():
    X, y = PROBLEMS["n>p"]
    lams = [lam_for_radius(X, y, "l1", radius) for radius in (8.0, 4.0, 2.0, 1.0)]
    assert all(a < b for a, b in zip(lams, lams[1:]))


# --- bad input -------------------------------------------------------------------------------


X_OK, Y_OK = problem(20, 3, informative=2)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (
            lambda: fit(X_OK, Y_OK[:-1], L1(0.1)),
            ValueError,
            "X and y must have the same number of samples, got 20 and 19",
        ),
        (lambda: fit(np.where(X_OK > 2, np.nan, X_OK), Y_OK, L1(0.1)), ValueError, "X contains NaN"),
        (lambda: fit(X_OK, np.where(Y_OK > 0, np.inf, Y_OK), L1(0.1)), ValueError, "y contains an infinite value"),
        (lambda: fit(X_OK[:, 0], Y_OK, L1(0.1)), ValueError, "X must be 2-D"),
        (lambda: fit(X_OK, Y_OK[:, None], L1(0.1)), ValueError, "y must be 1-D"),
        (lambda: fit(X_OK, Y_OK, L1(-0.1)), ValueError, "lam must be >= 0"),
        (
            lambda: fit(X_OK, Y_OK, 0.1),
            TypeError,
            "penalty must be L1(...), L2(...), ElasticNet(...) or, for linear.fit, WeightedL1, MCP, SCAD or "
            "GroupLasso (regcourse.penalties_sparse), got float",
        ),
        (lambda: fit(X_OK, Y_OK, GroupLasso(0.1, [0, 0, 1, 1])), ValueError, "4 group labels, X has 3 columns"),
        (lambda: path(X_OK, Y_OK, GroupLasso(0.1, [0, 0, 1])), ValueError, "kind must be one of"),
        (lambda: fit(X_OK, Y_OK, L1(0.1), solver="newton"), ValueError, "solver must be one of"),
        (lambda: fit(X_OK, Y_OK, L1(0.1), solver="closed_form"), ValueError, "needs a differentiable penalty"),
        (lambda: fit(X_OK, Y_OK, L1(0.1), max_iter=0), ValueError, "max_iter must be a positive integer"),
        (lambda: fit(X_OK, Y_OK, L1(0.1), tol=-1), ValueError, "tol must be >= 0"),
        (lambda: fit("X", Y_OK, L1(0.1)), TypeError, "X must be an array of numbers"),
        (lambda: path(X_OK, Y_OK, "ridge"), ValueError, "kind must be one of 'l1', 'l2', 'elastic_net', got 'ridge'"),
        (lambda: path(X_OK, Y_OK, "elastic_net", l1_ratio=1.5), ValueError, "l1_ratio must lie in [0, 1], got 1.5"),
        (lambda: path(X_OK, Y_OK, "elastic_net", l1_ratio=-0.1), ValueError, "l1_ratio must lie in [0, 1]"),
        (lambda: path(X_OK, Y_OK, "l1", [0.1, -1.0]), ValueError, "lams must be >= 0"),
        (lambda: path(X_OK, Y_OK, "l1", []), ValueError, "lams must contain at least one value"),
        (lambda: fit_constrained(X_OK, Y_OK, "l1", 0.0), ValueError, "radius must be > 0"),
        (lambda: fit_constrained(X_OK, Y_OK, "l1", -2.0), ValueError, "radius must be >= 0"),
        (lambda: fit_constrained(X_OK, Y_OK, "lasso", 1.0), ValueError, "kind must be one of"),
        (lambda: default_lams(X_OK, Y_OK, "l1", eps=2.0), ValueError, "eps must lie strictly between 0 and 1"),
    ],
)
def test_bad_input_gets_an_error_naming_the_parameter(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)
