"""The logistic solvers inside regcourse.linear (issue 23): proximal Newton on working sets for L1
and the elastic net, Newton for L2, the old FISTA kept; datafits and penalties as plug-ins; no
import circle between regcourse.logistic and regcourse.linear."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from regcourse import linear
from regcourse.conventions import to_sklearn_logistic
from regcourse.linear import smooth_newton
from regcourse.linear.datafits import Logistic, Quadratic
from regcourse.linear.logistic import kkt_residual_logistic, log_loss, solve_logistic
from regcourse.linear.prox_newton import prox_newton
from regcourse.linear.separable import L1L2
from regcourse.logistic import fit_logistic
from regcourse.penalties import L1, L2, ElasticNet


def _labels(rng, X, w, b=0.3):
    return (rng.random(X.shape[0]) < 1.0 / (1.0 + np.exp(-(X @ w + b)))).astype(float)


def dataset(kind, seed=0):
    """small 80×8, wide 40×80 (p > n), correlated 100×30 (corr ρ^|i−j|, ρ = 0.9)."""
    rng = np.random.default_rng(seed)
    n, p = {"small": (80, 8), "wide": (40, 80), "correlated": (100, 30)}[kind]
    X = rng.normal(size=(n, p))
    if kind == "correlated":
        C = 0.9 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
        X = X @ np.linalg.cholesky(C).T
    w = np.zeros(p)
    w[:5] = [1.5, -1.0, 0.8, 0.0, -0.5]
    return X, _labels(rng, X, w)


def objective(X, y, w, b, pen):
    return log_loss(y, X @ w + b) + float(pen(w))


PENALTIES = [L1(0.02), L2(0.02), ElasticNet(l1=0.01, l2=0.01)]


@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("pen", PENALTIES, ids=["l1", "l2", "elastic_net"])
@pytest.mark.parametrize("kind", ["small", "wide", "correlated"])
def test_agrees_with_sklearn_objective_and_kkt(kind, pen, fit_intercept):
    X, y = dataset(kind)
    w, b, _, converged = fit_logistic(X, y, pen, tol=1e-12, fit_intercept=fit_intercept)
    assert converged
    assert fit_intercept or b == 0.0
    _, params = to_sklearn_logistic(pen, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga's ConvergenceWarning at this tolerance
        sk = LogisticRegression(**params, fit_intercept=fit_intercept, tol=1e-14, max_iter=100_000).fit(X, y)
    ours = objective(X, y, w, b, pen)
    theirs = objective(X, y, sk.coef_[0], sk.intercept_[0] if fit_intercept else 0.0, pen)
    assert abs(ours - theirs) <= 1e-10 * theirs
    assert kkt_residual_logistic(X, y, w, b, pen, fit_intercept=fit_intercept) <= 1e-8


@pytest.mark.parametrize("pen", PENALTIES, ids=["l1", "l2", "elastic_net"])
def test_new_solver_and_the_old_fista_agree(pen):
    X, y = dataset("correlated")
    new = fit_logistic(X, y, pen, tol=1e-13)
    old = fit_logistic(X, y, pen, tol=1e-13, solver="fista", max_iter=1_000_000)
    assert new[3] and old[3]
    np.testing.assert_allclose(new[0], old[0], atol=1e-8)
    assert new[1] == pytest.approx(old[1], abs=1e-8)
    assert new[2] < old[2] / 20  # Newton steps against gradient steps


def test_fit_reports_the_solver_that_ran():
    X, y = dataset("small")
    assert linear.fit(X, y, L1(0.02), loss="logistic").solver == "prox_newton"
    assert linear.fit(X, y, L2(0.02), loss="logistic").solver == "newton"
    old = linear.fit(X, y, L1(0.02), loss="logistic", solver="fista")
    assert old.solver == "fista" and old.converged
    new = linear.fit(X, y, L1(0.02), loss="logistic", solver="prox_newton")
    np.testing.assert_allclose(new.coef, old.coef, atol=1e-6)


@pytest.mark.parametrize("kind", ["l1", "elastic_net"])
def test_path_warm_starts_and_strong_rule_give_the_cold_fits(kind):
    X, y = dataset("wide", seed=1)
    result = linear.path(X, y, kind, n_lams=12, eps=0.02, loss="logistic", tol=1e-12)
    assert result.converged and not result.coefs[0].any()
    for i in range(1, 12):
        pen = result.penalty(i)
        w, b, _, _ = fit_logistic(X, y, pen, tol=1e-12)  # cold, from w = 0
        warm, cold = objective(X, y, result.coefs[i], result.intercepts[i], pen), objective(X, y, w, b, pen)
        assert abs(warm - cold) <= 1e-12 * cold
        assert kkt_residual_logistic(X, y, result.coefs[i], result.intercepts[i], pen) <= 1e-10
    assert result.n_iters[1:].max() <= 15  # a warm start needs a few Newton steps per λ


def test_newton_cg_route_matches_the_cholesky_route(monkeypatch):
    X, y = dataset("wide")
    dense = fit_logistic(X, y, L2(0.01), tol=1e-12)
    monkeypatch.setattr(smooth_newton, "DENSE_MAX", 5)  # Hessian-vector products and CG instead
    cg = fit_logistic(X, y, L2(0.01), tol=1e-12)
    assert cg[3]
    np.testing.assert_allclose(cg[0], dense[0], atol=1e-9)


def test_unpenalized_separable_data_warn_and_leave_it_to_fista():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    with pytest.warns(linear.ConvergenceWarning, match="separable"):
        result = linear.fit(X, y, L2(0.0), loss="logistic", max_iter=200)
    assert not result.converged and result.solver == "fista"
    overlapping = np.array([0.0, 1.0, 0.0, 1.0])  # not separable: a finite minimizer, found by Newton
    result = linear.fit(X, overlapping, L2(0.0), loss="logistic")
    assert result.converged and result.solver == "newton"


def test_importing_regcourse_linear_does_not_import_regcourse_logistic():
    code = "import sys, json, regcourse.linear; print(json.dumps('regcourse.logistic' in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False


# --- plug-ins -----------------------------------------------------------------------------


class ProxOnlyL1:
    """A weighted L1 penalty that gives only value, subdifferential distance and a 1-D prox (no
    ``pieces``): the solver must use its coordinate-descent route, as for SCAD or MCP."""

    def __init__(self, weights):
        self.weights = np.asarray(weights, dtype=float)

    def value(self, w):
        return float(self.weights @ np.abs(w))

    def subdiff_distance(self, w, grad, W=None):
        a = self.weights if W is None else self.weights[W]
        return np.where(w != 0, np.abs(grad + a * np.sign(w)), np.maximum(np.abs(grad) - a, 0.0))

    def prox1d(self, x, step, j):
        return float(np.sign(x) * max(abs(x) - step * self.weights[j], 0.0))


def test_a_penalty_plugin_without_pieces_gives_the_same_weighted_lasso():
    X, y = dataset("correlated")
    weights = np.linspace(0.005, 0.04, X.shape[1])
    datafit = Logistic(y)
    start = (np.zeros(X.shape[1]), datafit.null_predictor())
    exact = prox_newton(X, datafit, L1L2(weights), *start, fit_intercept=True, goal=1e-12, max_iter=100)
    by_cd = prox_newton(X, datafit, ProxOnlyL1(weights), *start, fit_intercept=True, goal=1e-12, max_iter=100)
    assert exact[3] and by_cd[3]
    np.testing.assert_allclose(by_cd[0], exact[0], atol=1e-9)
    via_api = solve_logistic(
        X,
        y,
        L1L2(weights),
        solver="auto",
        fit_intercept=True,
        tol=1e-12,
        max_iter=100,
        coef_init=None,
        intercept_init=None,
    )
    np.testing.assert_allclose(via_api[0], exact[0], atol=1e-9)


def test_the_squared_loss_datafit_in_the_same_solver_is_the_lasso():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 25))
    y = X[:, :3] @ np.array([2.0, -1.0, 0.5]) + rng.normal(size=60)
    pen = ElasticNet(l1=0.1, l2=0.05)
    datafit = Quadratic(y)
    w, b, _, converged, _ = prox_newton(
        X,
        datafit,
        L1L2(pen.l1_coef, pen.l2_coef),
        np.zeros(25),
        datafit.null_predictor(),
        fit_intercept=True,
        goal=1e-12,
        max_iter=100,
    )
    reference = linear.fit(X, y, pen, tol=1e-12)
    assert converged
    np.testing.assert_allclose(w, reference.coef, atol=1e-9)
    assert b == pytest.approx(reference.intercept, abs=1e-9)


def test_bad_solver_settings_are_named():
    X, y = dataset("small")
    with pytest.raises(ValueError, match="solver 'newton'"):
        fit_logistic(X, y, L1(0.1), solver="newton")
    with pytest.raises(ValueError, match="solver"):
        fit_logistic(X, y, L1(0.1), solver="lbfgs")
    with pytest.raises(ValueError, match="coef_init"):
        fit_logistic(X, y, L1(0.1), coef_init=np.zeros(3))


@pytest.mark.parametrize("seed", range(6))
def test_the_inner_lasso_model_is_solved_exactly_from_any_start(seed):
    """½vᵀAv − cᵀv + Σaⱼ|vⱼ| (the proximal Newton model) on random data, ill-conditioned and with
    an unpenalized coordinate: the KKT conditions hold to rounding, from 0 and from a random start."""
    from regcourse.linear.prox_newton import _lasso_model

    rng = np.random.default_rng(seed)
    m = 40
    B = rng.normal(size=(m, m)) @ np.diag(np.geomspace(1, 1e-3, m))
    A = B @ B.T + 1e-6 * np.eye(m)
    c = rng.normal(size=m)
    a = np.full(m, 0.3)
    a[-1] = 0.0  # the intercept
    for start in (np.zeros(m), rng.normal(size=m)):
        v = _lasso_model(A, c, a, start, 20 * m + 50)
        r = A @ v - c
        on = v != 0
        assert np.abs(r[on] + a[on] * np.sign(v[on])).max() <= 1e-9 * np.abs(c).max()
        assert np.all(np.abs(r[~on]) <= a[~on] + 1e-9)
