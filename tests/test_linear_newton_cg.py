"""The inexact Newton solver for sparse X with a large working set (regcourse.linear.newton_cg)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from sklearn.linear_model import enet_path, lasso_path

from regcourse import ElasticNet
from regcourse.linear import default_lams, fit, path
from regcourse.linear import working_set as working_set_module
from regcourse.linear.newton_cg import _pcg
from regcourse.linear.results import ConvergenceWarning
from test_linear_inputs import kkt


def big_support_problem(n=2500, p=1200, density=0.02, seed=0):
    """Sparse, n > p, a noisy target: at the bottom of the path over 1000 weights are non-zero."""
    rng = np.random.default_rng(seed)
    nnz = int(density * n * p)
    X = scipy.sparse.coo_matrix(
        (rng.normal(size=nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))), shape=(n, p)
    ).tocsc()
    X = X + scipy.sparse.random(n, p, density=0.002, format="csc", random_state=seed) * 20.0  # uneven scales
    w = np.zeros(p)
    w[rng.choice(p, 40, replace=False)] = rng.normal(scale=2.0, size=40)
    return X.tocsc(), np.asarray(X @ w).reshape(-1) + 3.0 + 2.0 * rng.normal(size=n)


@pytest.fixture
def calls(monkeypatch):
    """Counts the calls of newton_cg from the working-set solver (so a test knows it ran)."""
    counter = {"newton_cg": 0}
    original = working_set_module.newton_cg

    def counting(*args, **kwargs):
        counter["newton_cg"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(working_set_module, "newton_cg", counting)
    return counter


@pytest.mark.parametrize(
    "kind, rho, fit_intercept", [("l1", 1.0, False), ("l1", 1.0, True), ("elastic_net", 0.6, True)]
)
def test_large_sparse_paths_match_scikit_learn_and_meet_the_optimality_conditions(kind, rho, fit_intercept, calls):
    X, y = big_support_problem()
    lams = default_lams(X, y, kind, l1_ratio=rho, n_lams=25, eps=1e-3, fit_intercept=fit_intercept)
    result = path(X, y, kind, lams, l1_ratio=rho, fit_intercept=fit_intercept)
    assert calls["newton_cg"] > 0
    assert (result.coefs[-1] != 0).sum() >= 1000  # the regime the solver is for
    assert result.converged
    for coef, lam in zip(result.coefs, lams):
        assert kkt(X, y, coef, ElasticNet(l1=rho * lam, l2=(1 - rho) * lam), fit_intercept) <= 1e-11
    Xc = X.toarray() - (X.mean(axis=0).A1 if fit_intercept else 0.0)
    yc = y - (y.mean() if fit_intercept else 0.0)
    if kind == "l1":
        _, theirs, _ = lasso_path(Xc, yc, alphas=lams / 2, tol=1e-12, max_iter=100_000)
    else:
        _, theirs, _ = enet_path(
            Xc, yc, l1_ratio=rho / (2 - rho), alphas=lams * (1 - rho / 2), tol=1e-12, max_iter=100_000
        )
    np.testing.assert_allclose(result.coefs, theirs.T, atol=1e-7)


def test_the_matrix_free_steps_and_the_factor_steps_reach_the_same_solution(monkeypatch, calls):
    X, y = big_support_problem(seed=1)
    lams = default_lams(X, y, "l1", n_lams=15, eps=2e-3)
    with_cg = path(X, y, "l1", lams)
    assert calls["newton_cg"] > 0
    monkeypatch.setattr(working_set_module, "CG_MIN_WORKING_SET", 10**9)
    calls["newton_cg"] = 0
    with_factor = path(X, y, "l1", lams)
    assert calls["newton_cg"] == 0
    np.testing.assert_allclose(with_cg.coefs, with_factor.coefs, atol=1e-9)
    assert np.array_equal(with_cg.coefs != 0, with_factor.coefs != 0)


def near_interpolation_problem():
    """Sparse 600×1800 (0.8%): at the bottom of a 20-λ path the support reaches 592 of n = 600,
    where G_AA is nearly singular (the regime of the benchmark's sparse 20000×50000 path)."""
    rng = np.random.default_rng(16)
    n, p = 600, 1800
    nnz = int(0.008 * n * p)
    X = scipy.sparse.coo_matrix(
        (rng.normal(size=nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))), shape=(n, p)
    ).tocsc()
    w = np.zeros(p)
    w[rng.choice(p, 50, replace=False)] = rng.normal(size=50)
    return X, np.asarray(X @ w).reshape(-1) + 0.5 * rng.normal(size=n)


def test_near_interpolation_the_damped_steps_keep_the_path_short(calls):
    """Near interpolation the undamped Newton-CG steps crawl (the line search cuts each long
    direction at a kink after a sliver of it): 3254 steps for this path, 13.6 s, measured with
    the damping off (``SHORT_STEP`` = 0). The damped ones (μ raised after a short step, back to 0
    after full ones) take 933, 2 s; every λ is certified."""
    X, y = near_interpolation_problem()
    lams = default_lams(X, y, "l1", n_lams=20, fit_intercept=False)
    result = path(X, y, "l1", lams, fit_intercept=False, max_iter=5000)
    assert calls["newton_cg"] > 0 and result.converged
    assert (result.coefs[-1] != 0).sum() >= 0.98 * 600  # near the rank
    for coef, lam in zip(result.coefs, lams):
        assert kkt(X, y, coef, ElasticNet(l1=lam, l2=0.0), False) <= 1e-10
    assert int(result.n_iters.sum()) <= 1500


def test_a_cold_single_fit_uses_the_matrix_free_steps_too(calls):
    X, y = big_support_problem(seed=2)
    pen = ElasticNet(l1=1e-3, l2=1e-3)
    result = fit(X, y, pen)
    assert calls["newton_cg"] > 0 and result.converged
    assert kkt(X, y, result.coef, pen) <= 1e-11


def test_a_stalled_matrix_free_solve_falls_back_to_the_exact_steps(monkeypatch, calls):
    X, y = big_support_problem(seed=3)
    pen = ElasticNet(l1=2e-3, l2=0.0)
    monkeypatch.setattr(working_set_module, "newton_cg", lambda prob, W, w, *args, **kwargs: (w, 0, "stalled"))
    result = fit(X, y, pen)
    assert result.converged and kkt(X, y, result.coef, pen) <= 1e-11


def test_after_a_stall_the_exact_steps_never_cut_a_gram_block_beyond_their_limit(monkeypatch):
    """A stall on a working set of thousands must not make a dense |W|² Gram block (it once
    reached 10 GB on a 20000×50000 path): the exact route takes the support and the strongest
    pulls, at most BLOCK_MAX_COLUMNS of them, and the solve still converges."""
    from regcourse.linear.problem import Problem

    X, y = big_support_problem(seed=3)
    pen = ElasticNet(l1=2e-3, l2=0.0)
    real = working_set_module.newton_cg
    log = []

    def stalls_once(prob, W, w, *args, **kwargs):
        if not any(entry == "stall" for entry in log):
            log.append("stall")
            return w, 0, "stalled"
        return real(prob, W, w, *args, **kwargs)

    original = Problem.gram_block

    def recording(self, columns):
        log.append(columns.size)
        return original(self, columns)

    monkeypatch.setattr(working_set_module, "newton_cg", stalls_once)
    monkeypatch.setattr(Problem, "gram_block", recording)
    for limit in (10**9, 990):
        monkeypatch.setattr(working_set_module, "BLOCK_MAX_COLUMNS", limit)
        log.clear()
        result = fit(X, y, pen)
        assert "stall" in log and result.converged and kkt(X, y, result.coef, pen) <= 1e-11
        after_the_stall = log[log.index("stall") + 1]
        if limit > 1000:
            assert after_the_stall >= working_set_module.CG_MIN_WORKING_SET  # unbounded: the whole working set
        else:
            assert after_the_stall <= limit


def test_a_stall_with_a_support_beyond_the_limit_stops_with_a_warning(monkeypatch):
    X, y = big_support_problem(seed=3)
    pen = ElasticNet(l1=2e-4, l2=0.0)
    real = working_set_module.newton_cg
    state = {"calls": 0}

    def stalls_on_second_call(prob, W, w, *args, **kwargs):  # one real solve (a large support), then a stall
        state["calls"] += 1
        return real(prob, W, w, *args, **kwargs) if state["calls"] == 1 else (w, 0, "stalled")

    monkeypatch.setattr(working_set_module, "newton_cg", stalls_on_second_call)
    monkeypatch.setattr(working_set_module, "BLOCK_MAX_COLUMNS", 50)
    with pytest.warns(ConvergenceWarning, match="stalled with .* non-zero weights"):
        result = fit(X, y, pen)
    assert not result.converged


def test_a_step_blocked_by_entering_zeros_is_retried_with_fewer_of_them(monkeypatch):
    """If the step with every violating zero does not descend, Newton-CG retries with the
    strongest one only, then with none, instead of reporting a stall: the line search is made
    to refuse steps that bring several zeros in."""
    from regcourse.linear import newton_cg as newton_cg_module
    from regcourse.linear.problem import Problem

    X, y = big_support_problem(seed=4)
    prob = Problem(X, y, True)
    real_line_minimum = newton_cg_module._line_minimum
    entering_per_call, refused = [], []

    def refusing(w_A, d, r_A, curvature, half_l1, positive=False):
        entering_per_call.append(int(np.count_nonzero(w_A == 0.0)))
        if len(refused) < 3 and entering_per_call[-1] > 1:  # no descent while several zeros enter
            refused.append(entering_per_call[-1])
            return 0.0, -1
        return real_line_minimum(w_A, d, r_A, curvature, half_l1, positive)

    monkeypatch.setattr(newton_cg_module, "_line_minimum", refusing)
    w, _, status = newton_cg_module.newton_cg(
        prob, np.arange(prob.p), np.zeros(prob.p), 0.5 * 3e-3, 0.0, 1e-10 * prob.scale, 500
    )
    assert refused  # the situation arose ...
    assert status == "converged"  # ... and did not end the solve as a stall


def test_conjugate_gradients_solve_the_system_and_use_a_guess():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(80, 40))
    H = A.T @ A / 80 + np.diag(rng.uniform(0.5, 5.0, size=40))  # uneven diagonal: Jacobi helps
    b = rng.normal(size=40)
    exact = np.linalg.solve(H, b)
    products = []

    def product(v):
        products.append(1)
        return H @ v

    x = _pcg(product, b, np.diag(H).copy(), 1e-12, 500)
    assert np.linalg.norm(H @ x - b) <= 1e-11 * np.linalg.norm(b)
    cold = len(products)
    products.clear()
    x = _pcg(product, b, np.diag(H).copy(), 1e-12, 500, guess=3.0 * exact)  # the right direction, wrong size
    np.testing.assert_allclose(x, exact, rtol=1e-10)
    assert len(products) <= 2 < cold  # the best multiple of the guess is already the solution
    for k in range(1, 6):  # every early stop is a descent direction: bᵀx ≥ ½xᵀHx
        x = _pcg(lambda v: H @ v, b, np.diag(H).copy(), 0.0, k, guess=rng.normal(size=40))
        assert b @ x >= 0.5 * x @ H @ x - 1e-12
