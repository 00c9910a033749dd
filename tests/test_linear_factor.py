"""The working-set solver's Cholesky factor (regcourse.linear.factor.Factor), checked against
dense NumPy: RᵀR equals G_AA + σ·I after appends, removals and refactoring, and the shifted
solve (preconditioned CG with a factor for a nearby l2) solves (G_AA + l2·I)x = b to its goal."""

from __future__ import annotations

import numpy as np
import pytest

from regcourse.linear import path
from regcourse.linear.factor import Factor
from regcourse.linear.problem import Problem, symmetric_times
from tests._linear_checks import ar1_columns, kkt


@pytest.fixture(autouse=True)
def conjugate_gradients_on_small_blocks(monkeypatch):
    """The CG route on these small blocks too (in use it starts at ``CG_MIN_ACTIVE`` features)."""
    monkeypatch.setattr(Factor, "CG_MIN_ACTIVE", 0)


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    X = ar1_columns(rng, 120, 40, 0.7)
    return Problem(X, rng.normal(size=120), fit_intercept=True)


def gram_plus(prob, order, shift):
    return prob.G[np.ix_(order, order)] + shift * np.eye(order.size)


def test_appends_and_removals_keep_the_factor_of_the_active_block(problem):
    factor = Factor(problem, 0.3)
    assert factor.append(np.array([7, 2, 30, 11, 0, 25])).all()
    assert factor.append(np.array([19, 4])).all()
    for positions in ([0], [3, 5], "last"):  # first, middle, last
        factor.remove([factor.order.size - 1] if positions == "last" else positions)
        np.testing.assert_allclose(factor.R.T @ factor.R, gram_plus(problem, factor.order, 0.3), atol=1e-12)
        assert np.allclose(np.triu(factor.R), factor.R)
    assert list(factor.order) == [2, 30, 11, 25]
    with pytest.raises(IndexError, match="positions"):
        factor.remove([4])


def test_refactor_changes_the_shift_and_keeps_the_order(problem):
    factor = Factor(problem, 1.0)
    factor.append(np.array([5, 9, 1, 33]))
    factor.refactor(0.25)
    assert factor.l2 == 0.25 and list(factor.order) == [5, 9, 1, 33]
    np.testing.assert_allclose(factor.R.T @ factor.R, gram_plus(problem, factor.order, 0.25), atol=1e-12)


@pytest.mark.parametrize("l2", [0.5, 0.3, 1.6, 0.01])  # below and above the factor's shift σ = 0.8
def test_the_shifted_solve_reaches_its_goal_and_returns_the_curvature(problem, l2):
    factor = Factor(problem, 0.8)
    factor.append(np.arange(0, 40, 2))
    order = factor.order
    rhs = np.random.default_rng(0).normal(size=order.size)
    H = gram_plus(problem, order, l2)
    x, curvature = factor.solve_shifted(rhs, l2, lambda v: problem.G[np.ix_(order, order)] @ v, 1e-12)
    assert np.abs(H @ x - rhs).max() <= 1e-11
    assert curvature == pytest.approx(x @ H @ x, rel=1e-10)


def test_a_nearby_shift_is_served_without_refactoring(problem):
    factor = Factor(problem, 0.8)
    factor.append(np.arange(0, 40, 2))
    order = factor.order
    rhs = np.random.default_rng(0).normal(size=order.size)
    x, _ = factor.solve_shifted(rhs, 0.7, lambda v: problem.G[np.ix_(order, order)] @ v, 1e-10)
    assert factor.l2 == 0.8
    assert np.abs(gram_plus(problem, order, 0.7) @ x - rhs).max() <= 1e-10


def test_a_shifted_solve_that_does_not_converge_refactors_and_solves_directly(problem):
    factor = Factor(problem, 50.0)
    factor.CG_MAX_ITER = 2  # far too few for σ/l2 = 500 at this goal
    factor.append(np.arange(30))
    order = factor.order
    rhs = np.ones(order.size)
    x, _ = factor.solve_shifted(rhs, 0.1, lambda v: problem.G[np.ix_(order, order)] @ v, 1e-13)
    assert factor.l2 == 0.1
    np.testing.assert_allclose(gram_plus(problem, order, 0.1) @ x, rhs, atol=1e-10)


def test_a_slow_shifted_solve_refactors_for_the_next_ones(problem):
    factor = Factor(problem, 1.0)
    factor.CG_STALE_AFTER = 0
    factor.append(np.arange(10))
    order = factor.order
    factor.solve_shifted(np.ones(10), 0.7, lambda v: problem.G[np.ix_(order, order)] @ v, 1e-12)
    assert factor.l2 == 0.7


def test_which_shifts_a_factor_serves(problem):
    lasso, ridge = Factor(problem, 0.0), Factor(problem, 1.0)
    assert lasso.serves(0.0) and not lasso.serves(1e-9)  # the lasso's factor is exact or nothing
    assert ridge.serves(1.0) and not ridge.serves(0.0)
    assert ridge.serves(1.0 / ridge.SHIFT_RATIO) and ridge.serves(ridge.SHIFT_RATIO)
    assert not ridge.serves(0.99 / ridge.SHIFT_RATIO) and not ridge.serves(1.01 * ridge.SHIFT_RATIO)


def test_below_the_size_for_cg_a_new_shift_is_factored_afresh(problem, monkeypatch):
    monkeypatch.setattr(Factor, "CG_MIN_ACTIVE", 300)
    factor = Factor(problem, 0.8)
    factor.append(np.arange(12))
    order = factor.order
    x, curvature = factor.solve_shifted(np.ones(12), 0.7, lambda v: problem.G[np.ix_(order, order)] @ v, 1e-10)
    assert factor.l2 == 0.7
    np.testing.assert_allclose(gram_plus(problem, order, 0.7) @ x, np.ones(12), atol=1e-13)
    assert curvature == pytest.approx(x.sum(), rel=1e-13)


def test_symmetric_times_is_the_matrix_product():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(30, 30))
    G, v = A + A.T, rng.normal(size=30)
    np.testing.assert_allclose(symmetric_times(G, v), G @ v, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(symmetric_times(np.asfortranarray(G), v), G @ v, rtol=1e-13, atol=1e-13)
    assert symmetric_times(G.astype(np.float32), v.astype(np.float32)).dtype == np.float32


def test_the_elastic_net_path_reuses_factors_across_lambda_and_stays_exact(monkeypatch):
    """p > the small route's limit, so the working set with its factor runs; l2 changes at
    every λ, yet far fewer fresh factors than λs are made, and every λ is certified."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(1500, 1100))
    y = X[:, :30] @ rng.normal(size=30) + rng.normal(size=1500)
    fresh = {"factors": 0, "refactors": 0}
    original_init, original_refactor = Factor.__init__, Factor.refactor

    def counting_init(self, *args, **kwargs):
        fresh["factors"] += 1
        original_init(self, *args, **kwargs)

    def counting_refactor(self, l2):
        fresh["refactors"] += 1
        original_refactor(self, l2)

    monkeypatch.setattr(Factor, "__init__", counting_init)
    monkeypatch.setattr(Factor, "refactor", counting_refactor)
    result = path(X, y, "elastic_net", n_lams=30, l1_ratio=0.5, eps=1e-2, tol=1e-10)
    assert fresh["factors"] + fresh["refactors"] <= 15
    for coef, lam in zip(result.coefs, result.lams):
        assert kkt(X, y, coef, lam, 0.5) <= 1e-8
