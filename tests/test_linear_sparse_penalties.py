"""linear.fit with the penalties after the lasso (WeightedL1, MCP, SCAD): on an orthogonal design
the answer is each least-squares coefficient passed through the penalty's thresholding rule; the
weighted lasso is scikit-learn's lasso on rescaled columns; every fit meets the stationarity
conditions, written out here; the solver's one-coordinate prox is the global minimizer even where
the scalar problem is not convex; skglm's MCP agrees where it is installed."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Lasso

from regcourse import linear
from regcourse.linear.folded import Folded
from regcourse.penalties_sparse import MCP, SCAD, GroupLasso, WeightedL1


def stationarity(X, y, coef, intercept, slope, lam):
    """max over weights of |gⱼ + ρ'(wⱼ)| off 0 and (|gⱼ| − λ)₊ at 0, g the MSE's gradient."""
    g = -(2.0 / len(y)) * X.T @ (y - X @ coef - intercept)
    return float(np.max(np.where(coef != 0, np.abs(g + slope(coef)), np.maximum(np.abs(g) - lam, 0.0))))


def mcp_slope(lam, gamma):
    return lambda w: np.sign(w) * np.maximum(lam - np.abs(w) / gamma, 0.0)


def scad_slope(lam, a):
    return lambda w: np.sign(w) * np.where(np.abs(w) <= lam, lam, np.maximum(a * lam - np.abs(w), 0.0) / (a - 1))


@pytest.fixture(scope="module")
def orthogonal():
    """X with XᵀX/n = I (no intercept), so the MSE is ‖w − ŵ‖² + const with ŵ = Xᵀy/n."""
    rng = np.random.default_rng(0)
    n, p = 60, 12
    Q, _ = np.linalg.qr(rng.normal(size=(n, p)))
    X = np.sqrt(n) * Q
    truth = np.array([4.0, -3.0, 2.0, 1.2, -0.8, 0.5, 0.3, 0, 0, 0, 0, 0])
    return X, X @ truth + rng.normal(size=n)


def firm(x, lam, gamma):  # MCP's rule for ½(v − x)² + ½·P(v): step ½
    t = 0.5
    return np.where(np.abs(x) > gamma * lam, x, np.sign(x) * np.maximum(np.abs(x) - t * lam, 0) / (1 - t / gamma))


def scad_rule(x, lam, a):
    t = 0.5
    u = np.abs(x)
    soft = np.sign(x) * np.maximum(u - t * lam, 0)
    middle = np.sign(x) * ((a - 1) * u - t * a * lam) / (a - 1 - t)
    return np.where(u > a * lam, x, np.where(u > (1 + t) * lam, middle, soft))


@pytest.mark.parametrize("lam", [0.4, 1.5])
def test_on_an_orthogonal_design_each_weight_is_the_thresholded_least_squares_weight(orthogonal, lam):
    X, y = orthogonal
    ols = X.T @ y / len(y)
    mcp = linear.fit(X, y, MCP(lam, 3.0), fit_intercept=False, tol=1e-12)
    np.testing.assert_allclose(mcp.coef, firm(ols, lam, 3.0), atol=1e-9)
    scad = linear.fit(X, y, SCAD(lam, 3.7), fit_intercept=False, tol=1e-12)
    np.testing.assert_allclose(scad.coef, scad_rule(ols, lam, 3.7), atol=1e-9)
    big = np.abs(ols) > 3.7 * lam
    assert big.any() == (lam < 1.0)  # with λ = 0.4 some weights are past the taper
    assert np.allclose(scad.coef[big], ols[big]) and np.allclose(mcp.coef[big], ols[big])  # no bias there
    assert mcp.solver == "prox_newton" and mcp.converged


def test_the_weighted_lasso_is_the_lasso_on_rescaled_columns():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 15))
    y = X[:, :3] @ np.array([2.0, -1.0, 0.5]) + 1.0 + rng.normal(size=80)
    v = rng.uniform(0.2, 3.0, size=15)
    lam = 0.2
    ours = linear.fit(X, y, WeightedL1(v, lam), tol=1e-12)
    theirs = Lasso(alpha=lam / 2, tol=1e-14, max_iter=100_000).fit(X / v, y)  # β = v·w, α = λ/2
    np.testing.assert_allclose(ours.coef, theirs.coef_ / v, atol=1e-7)
    assert ours.intercept == pytest.approx(theirs.intercept_, abs=1e-7)


@pytest.mark.parametrize(
    "penalty, slope", [(MCP(0.3, 2.5), mcp_slope(0.3, 2.5)), (SCAD(0.3, 3.0), scad_slope(0.3, 3.0))]
)
def test_correlated_fits_meet_the_stationarity_conditions(penalty, slope):
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(150, 25))
    X = Z + 0.8 * Z[:, [0]]  # every column correlated with the first
    y = X[:, :5] @ np.array([3.0, -2.0, 1.0, 0.7, -0.4]) + 2.0 + rng.normal(size=150)
    result = linear.fit(X, y, penalty, tol=1e-11)
    assert result.converged
    scale = (2.0 / len(y)) * np.abs(X.T @ (y - y.mean())).max()
    assert stationarity(X, y, result.coef, result.intercept, slope, penalty.lam) <= 1e-9 * scale
    assert result.objective == pytest.approx(
        np.mean((y - X @ result.coef - result.intercept) ** 2) + float(penalty(result.coef)), rel=1e-12
    )


def test_logistic_mcp_meets_the_stationarity_conditions():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 10))
    y = (rng.uniform(size=200) < 1 / (1 + np.exp(-(X[:, 0] * 2 - X[:, 1])))).astype(float)
    result = linear.fit(X, y, MCP(0.05, 3.0), loss="logistic", tol=1e-10)
    p = 1 / (1 + np.exp(-(X @ result.coef + result.intercept)))
    g = X.T @ (p - y) / len(y)
    slope = mcp_slope(0.05, 3.0)(result.coef)
    assert abs(np.mean(p - y)) < 1e-9
    assert np.max(np.where(result.coef != 0, np.abs(g + slope), np.maximum(np.abs(g) - 0.05, 0))) < 1e-9


@pytest.mark.parametrize("penalty", [MCP(1.0, 1.5), SCAD(1.0, 2.5)], ids=lambda p: p.kind)
@pytest.mark.parametrize("step", [2.0, 6.0])  # at or above the bound where the scalar problem stops being convex
def test_the_one_coordinate_prox_is_the_global_minimizer_beyond_the_convex_range(penalty, step):
    plug = Folded(penalty)
    grid = np.linspace(-15, 15, 300001)
    values = np.array([float(penalty(np.array([v]))) for v in np.linspace(-15, 15, 3001)])
    fine = np.interp(grid, np.linspace(-15, 15, 3001), values)
    for x in np.linspace(-6, 6, 49):
        z = plug.prox1d(float(x), step, 0)
        objective = (grid - x) ** 2 / (2 * step) + fine
        best = objective.min()
        assert (z - x) ** 2 / (2 * step) + float(penalty(np.array([z]))) <= best + 1e-6, f"x = {x}"


def test_the_solver_says_what_it_does_not_take():
    X, y = np.random.default_rng(0).normal(size=(20, 4)), np.arange(20.0)
    with pytest.raises(ValueError, match="GroupLasso is solved for loss='squared' only"):
        linear.fit(X, (y > 9).astype(float), GroupLasso(0.1, [0, 0, 1, 1]), loss="logistic")
    with pytest.raises(ValueError, match="'auto' or 'fista' for GroupLasso"):
        linear.fit(X, y, GroupLasso(0.1, [0, 0, 1, 1]), solver="cd")
    with pytest.raises(ValueError, match="solver must be 'auto' or 'prox_newton'"):
        linear.fit(X, y, MCP(0.1), solver="cd")
    import scipy.sparse

    for penalty in (MCP(0.1), GroupLasso(0.1, [0, 0, 1, 1])):
        with pytest.raises(TypeError, match="X must be dense"):
            linear.fit(scipy.sparse.csr_matrix(X), y, penalty)
    with pytest.raises(ValueError, match="weights have 3 entries, X has 4"):
        linear.fit(X, y, WeightedL1(np.ones(3), 0.1))


def test_skglm_mcp_finds_the_same_fit_where_installed():
    skglm = pytest.importorskip("skglm")
    from skglm.datafits import Quadratic
    from skglm.estimators import GeneralizedLinearEstimator
    from skglm.penalties import MCPenalty
    from skglm.solvers import AndersonCD

    rng = np.random.default_rng(4)
    X = rng.normal(size=(120, 30))
    y = X[:, :4] @ np.array([2.0, -1.5, 1.0, 0.6]) + rng.normal(size=120)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    lam, gamma = 0.2, 3.0
    ours = linear.fit(X, y, MCP(lam, gamma), tol=1e-12)
    # skglm: ½‖y − Xw‖²/n + MCP(α, γ'); ours is twice ½MSE + ½MCP(λ, γ) = MCP(λ/2, 2γ)
    theirs = GeneralizedLinearEstimator(Quadratic(), MCPenalty(alpha=lam / 2, gamma=2 * gamma), AndersonCD(tol=1e-12))
    theirs.fit(Xc, yc)
    np.testing.assert_allclose(ours.coef, theirs.coef_, atol=1e-6)
    assert skglm is not None


@pytest.mark.parametrize("lam", [0.3, 2.0])
def test_on_orthogonal_groups_each_group_is_its_block_thresholded_least_squares_weights(orthogonal, lam):
    """With XᵀX/n = I the objective is Σ_g ‖w_g − ŵ_g‖² + λv_g‖w_g‖: w_g = ŵ_g·(1 − λv_g/(2‖ŵ_g‖))₊."""
    X, y = orthogonal
    groups = np.repeat([3, 1, 4, 0], 3)  # labels in any order; v_g = √3 for each
    ols = X.T @ y / len(y)
    result = linear.fit(X, y, GroupLasso(lam, groups), fit_intercept=False, tol=1e-12, max_iter=100_000)
    expected = ols.copy()
    for label in np.unique(groups):
        g = groups == label
        expected[g] *= max(1.0 - lam * np.sqrt(3.0) / (2.0 * np.linalg.norm(ols[g])), 0.0)
    np.testing.assert_allclose(result.coef, expected, atol=1e-9)
    kept = [bool(np.any(expected[groups == label])) for label in np.unique(groups)]
    assert result.converged and any(kept) and not all(kept)  # whole groups dropped, others kept


def test_correlated_group_lasso_fits_meet_the_group_optimality_conditions():
    rng = np.random.default_rng(5)
    Z = rng.normal(size=(150, 20))
    X = Z + 0.7 * Z[:, [0]]
    y = X[:, :4] @ np.array([2.0, -1.0, 1.5, 0.5]) + 1.0 + rng.normal(size=150)
    groups = np.repeat(np.arange(5), 4)
    penalty = GroupLasso(0.15, groups, weights=[1.0, 2.0, 1.0, 0.5, 1.0])
    result = linear.fit(X, y, penalty, tol=1e-10, max_iter=200_000)
    assert result.converged
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    g = -(2.0 / 150) * Xc.T @ (yc - Xc @ result.coef)
    scale = (2.0 / 150) * np.abs(Xc.T @ yc).max()
    for label, v in zip(range(5), penalty.weights):
        block, wg = g[groups == label], result.coef[groups == label]
        if np.any(wg):
            assert np.linalg.norm(block + 0.15 * v * wg / np.linalg.norm(wg)) <= 1e-9 * scale
        else:
            assert np.linalg.norm(block) <= 0.15 * v + 1e-9 * scale
    assert result.intercept == pytest.approx(y.mean() - X.mean(axis=0) @ result.coef)


def test_skglm_weighted_lasso_and_group_lasso_find_the_same_fits_where_installed():
    pytest.importorskip("skglm")
    from skglm.datafits import Quadratic, QuadraticGroup
    from skglm.estimators import GeneralizedLinearEstimator
    from skglm.penalties import WeightedGroupL2
    from skglm.penalties import WeightedL1 as SkWeightedL1
    from skglm.solvers import AndersonCD, GroupBCD

    rng = np.random.default_rng(6)
    X = rng.normal(size=(120, 12))
    y = X[:, :4] @ np.array([2.0, -1.5, 1.0, 0.6]) + rng.normal(size=120)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    v = rng.uniform(0.3, 2.0, size=12)
    ours = linear.fit(X, y, WeightedL1(v, 0.3), tol=1e-12)
    theirs = GeneralizedLinearEstimator(Quadratic(), SkWeightedL1(alpha=0.15, weights=v), AndersonCD(tol=1e-12))
    np.testing.assert_allclose(ours.coef, theirs.fit(Xc, yc).coef_, atol=1e-7)

    groups = np.repeat(np.arange(4), 3)
    penalty = GroupLasso(0.4, groups)
    ours = linear.fit(X, y, penalty, tol=1e-12, max_iter=200_000)
    grp_ptr, grp_indices = np.arange(0, 13, 3, dtype=np.int32), np.arange(12, dtype=np.int32)
    datafit = QuadraticGroup(grp_ptr, grp_indices)
    sk_penalty = WeightedGroupL2(alpha=0.2, weights=penalty.weights, grp_ptr=grp_ptr, grp_indices=grp_indices)
    theirs = GeneralizedLinearEstimator(datafit, sk_penalty, GroupBCD(tol=1e-12, max_iter=10_000))
    np.testing.assert_allclose(ours.coef, theirs.fit(Xc, yc).coef_, atol=1e-6)
