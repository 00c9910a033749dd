"""Lasso and elastic-net paths and single fits on the shapes the course and the solver benchmark
use — small (the course's notebooks, cross-validation folds, explorers), tall, wide, correlated
(Toeplitz), duplicated columns — agree with scikit-learn: at every λ our objective is at most
scikit-learn's (tight tolerance) times 1 + 1e-10, and the optimality residual is ≤ 1e-8.

The small dense route (``small_p.solve_small``) serves the small and tall shapes, and a small
lasso path is followed kink to kink (``homotopy``); the tests check that they ran, that they hand
over to the working set where they must (duplicated columns, an active set above the limit), and
that the answers are the same either way. These tests pin the NumPy routes (REGCOURSE_NUMBA=0);
``test_linear_compiled.py`` runs the same shapes through the compiled loops."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import enet_path, lasso_path

from _linear_checks import ar1_columns, kkt, objective
from regcourse.linear import default_lams, fit, path, penalty_for
from regcourse.linear import homotopy as homotopy_module
from regcourse.linear import paths as paths_module
from regcourse.linear import small_p as small_p_module
from regcourse.linear import working_set as working_set_module


def _gaussian(n, p, seed, k=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    k = k or max(p // 10, 3)
    w[rng.choice(p, size=k, replace=False)] = rng.normal(scale=2.0, size=k)
    return X, X @ w + rng.normal(size=n)


def _toeplitz(n, p, rho, seed):
    rng = np.random.default_rng(seed)
    X = ar1_columns(rng, n, p, rho)
    w = np.zeros(p)
    w[rng.choice(p, size=6, replace=False)] = rng.normal(scale=2.0, size=6)
    return X, X @ w + rng.normal(size=n)


def _duplicated(n, p, copies, seed):
    X, y = _gaussian(n, p, seed)
    return np.repeat(X, copies, axis=1), y


SHAPES = {
    "small 50×10": lambda: _gaussian(50, 10, 0, k=3),
    "small 100×20": lambda: _gaussian(100, 20, 1),
    "tall 3000×60": lambda: _gaussian(3000, 60, 2),
    "medium 400×150": lambda: _gaussian(400, 150, 3),
    "wide 80×400": lambda: _gaussian(80, 400, 4, k=8),
    "Toeplitz .95 300×80": lambda: _toeplitz(300, 80, 0.95, 5),
    "duplicated 60×(12×3)": lambda: _duplicated(60, 12, 3, 6),
}
KINDS = [("l1", 1.0), ("elastic_net", 0.5)]


def sklearn_path(X, y, lams, rho):
    """scikit-learn's coefficients on our grid: lasso alpha = λ/2; elastic net with our mix ρ is
    its l1_ratio ρ/(2 − ρ) and alpha = λ(2 − ρ)/2 (regcourse.conventions)."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its duality gap may stop short of 1e-13; J is compared instead
        if rho == 1.0:
            return lasso_path(Xc, yc, alphas=lams / 2, tol=1e-13, max_iter=1_000_000)[1].T
        return enet_path(Xc, yc, l1_ratio=rho / (2 - rho), alphas=lams * (1 - rho / 2), tol=1e-13, max_iter=1_000_000)[
            1
        ].T


@pytest.fixture(autouse=True)
def numpy_routes(monkeypatch):
    """The routes these tests name are the NumPy ones: no compiled loop (``compiled``)."""
    monkeypatch.setenv("REGCOURSE_NUMBA", "0")


@pytest.fixture
def small_route(monkeypatch):
    """Counts how the small dense route ended: "converged" or "handover"."""
    outcomes = []
    original = working_set_module.solve_small

    def counting(*args, **kwargs):
        result = original(*args, **kwargs)
        outcomes.append(result[2])
        return result

    monkeypatch.setattr(working_set_module, "solve_small", counting)
    return outcomes


def _assert_as_good_as_sklearn(X, y, coefs, theirs, lams, rho):
    for coef, reference, lam in zip(coefs, theirs, lams):
        assert kkt(X, y, coef, lam, rho) <= 1e-8
        ours_j, their_j = objective(X, y, coef, lam, rho), objective(X, y, reference, lam, rho)
        assert ours_j <= their_j * (1 + 1e-10)


@pytest.mark.parametrize("kind, rho", KINDS)
@pytest.mark.parametrize("name", SHAPES)
def test_paths_and_cold_fits_match_scikit_learn(name, kind, rho, small_route):
    X, y = SHAPES[name]()
    lams = default_lams(X, y, kind, l1_ratio=rho, n_lams=60)
    result = path(X, y, kind, lams, l1_ratio=rho, tol=1e-10)
    assert result.converged
    theirs = sklearn_path(X, y, lams, rho)
    _assert_as_good_as_sklearn(X, y, result.coefs, theirs, lams, rho)
    picks = [5, 30, 59]  # cold starts: high, middle and the bottom of the grid
    fits = [fit(X, y, penalty_for(kind, lams[i], rho), tol=1e-10) for i in picks]
    assert all(single.converged for single in fits)
    _assert_as_good_as_sklearn(X, y, [single.coef for single in fits], theirs[picks], lams[picks], rho)
    n, p = X.shape
    if p <= n and p <= small_p_module.SMALL_MAX_FEATURES:  # the Gram form: the small route ran first
        assert small_route
        if name.startswith("duplicated") and rho == 1.0:  # a singular block is never factored:
            for coef in [*result.coefs, *(single.coef for single in fits)]:  # one copy carries the weight
                assert np.all(np.count_nonzero(coef.reshape(-1, 3), axis=1) <= 1)
        elif name.startswith(("small", "tall")):
            assert set(small_route) == {"converged"}
    else:
        assert not small_route


@pytest.mark.parametrize("kind, rho", KINDS)
def test_the_small_route_hands_over_mid_path_when_the_active_set_outgrows_it(kind, rho, small_route, monkeypatch):
    """With the active-set limit lowered to 8, the route starts each λ and hands the larger
    supports to the working set (and its factor): the same answers as scikit-learn's."""
    monkeypatch.setattr(small_p_module, "SMALL_MAX_ACTIVE", 8)
    monkeypatch.setattr(working_set_module, "SMALL_MAX_ACTIVE", 8)
    X, y = _gaussian(300, 80, 7, k=15)  # p > 64: no homotopy for the lasso
    lams = default_lams(X, y, kind, l1_ratio=rho, n_lams=40)
    result = path(X, y, kind, lams, l1_ratio=rho, tol=1e-10)
    assert result.converged
    assert "converged" in small_route and "handover" in small_route
    _assert_as_good_as_sklearn(X, y, result.coefs, sklearn_path(X, y, lams, rho), lams, rho)


def test_the_small_route_reuses_its_factor_along_a_path_and_stays_exact():
    """Along a path the route keeps its Cholesky factor (``Problem.small_factor``) and appends the
    features that enter; the result equals a cold fit at every λ to rounding, not just to tol."""
    X, y = _gaussian(500, 120, 8, k=40)
    lams = default_lams(X, y, "l1", n_lams=30)
    result = path(X, y, "l1", lams, tol=1e-12)
    for i in (10, 20, 29):
        cold = fit(X, y, penalty_for("l1", lams[i]), tol=1e-12)
        np.testing.assert_allclose(result.coefs[i], cold.coef, atol=1e-9)
        assert kkt(X, y, result.coefs[i], lams[i], 1.0) <= 1e-11


@pytest.fixture
def homotopy_runs(monkeypatch):
    """Records, per call of the lasso homotopy, how many grid points it solved and of how many."""
    runs = []
    original = paths_module.lasso_homotopy

    def recording(G, c, diag, halves, *args, **kwargs):
        result = original(G, c, diag, halves, *args, **kwargs)
        runs.append((result[1], halves.size))
        return result

    monkeypatch.setattr(paths_module, "lasso_homotopy", recording)
    return runs


@pytest.mark.parametrize("name", ["small 50×10", "tall 3000×60", "Toeplitz .95 300×80"])
def test_the_homotopy_path_equals_the_per_lambda_route(name, homotopy_runs, monkeypatch):
    """A small lasso path followed kink to kink gives the per-λ solutions, grid in any order."""
    X, y = SHAPES[name]()
    X = X[:, :64]
    lams = default_lams(X, y, "l1", n_lams=50)
    shuffled = np.random.default_rng(9).permutation(np.concatenate([lams, lams[::7], [2.0 * lams[0]]]))
    ours = path(X, y, "l1", shuffled, tol=1e-10)
    assert homotopy_runs and homotopy_runs[-1][0] == homotopy_runs[-1][1]  # every grid point by homotopy
    monkeypatch.setattr(homotopy_module, "HOMOTOPY_MAX_FEATURES", 0)
    per_lambda = path(X, y, "l1", shuffled, tol=1e-12)
    np.testing.assert_allclose(ours.coefs, per_lambda.coefs, atol=1e-8 * np.abs(per_lambda.coefs).max())
    assert not ours.coefs[np.argmax(shuffled)].any()  # above λ_max: all zero
    for coef, lam in zip(ours.coefs, shuffled):
        assert kkt(X, y, coef, lam, 1.0) <= 1e-8


def test_the_homotopy_passes_exact_copies_without_letting_one_enter(homotopy_runs):
    """A copy of an active column has a pull of ±h all along the segment (uⱼ = 0, vⱼ = ±1): its
    entering ratio is 0/0, rounding noise, and it is never needed. The whole path by homotopy."""
    X, y = _duplicated(60, 12, 2, 10)
    lams = default_lams(X, y, "l1", n_lams=40)
    result = path(X, y, "l1", lams, tol=1e-10)
    done, total = homotopy_runs[-1]
    assert done == total
    assert not np.any((result.coefs[:, 0::2] != 0) & (result.coefs[:, 1::2] != 0))  # never both copies
    assert result.converged
    _assert_as_good_as_sklearn(X, y, result.coefs, sklearn_path(X, y, lams, 1.0), lams, 1.0)


def test_the_homotopy_stops_at_a_singular_block_and_the_working_set_finishes(homotopy_runs):
    """Near-copies (a relative difference of 1e-9: not flat, but a Cholesky pivot below SPAN_TOL)
    make the active block singular; the homotopy hands the rest of the grid over."""
    X, y = _gaussian(60, 12, 10)
    near = X + 1e-9 * np.random.default_rng(3).normal(size=X.shape)
    X = np.column_stack([X, near])
    lams = default_lams(X, y, "l1", n_lams=40)
    result = path(X, y, "l1", lams, tol=1e-10)
    done, total = homotopy_runs[-1]
    assert 0 < done < total
    assert result.converged
    _assert_as_good_as_sklearn(X, y, result.coefs, sklearn_path(X, y, lams, 1.0), lams, 1.0)


def test_the_homotopy_hands_over_when_its_kinks_run_out(monkeypatch, homotopy_runs):
    X, y = _gaussian(50, 10, 0, k=3)
    lams = default_lams(X, y, "l1", n_lams=30)
    original = paths_module.lasso_homotopy

    solved = []

    def three_kinks(G, c, diag, halves, goal, max_kinks):
        out = original(G, c, diag, halves, goal, 3)
        solved.append(out[1])
        return out

    monkeypatch.setattr(paths_module, "lasso_homotopy", three_kinks)
    result = path(X, y, "l1", lams, tol=1e-10)
    assert 0 < solved[-1] < lams.size  # the rest by the working set
    assert result.converged
    for coef, lam in zip(result.coefs, lams):
        assert kkt(X, y, coef, lam, 1.0) <= 1e-8
