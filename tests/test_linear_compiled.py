"""The compiled loops (``regcourse.linear.compiled``: numba, optional) and their NumPy fallback.

* The loops' source runs as plain Python too: the homotopy loop gives the NumPy loop's kinks and
  solutions, the elastic-net loop the certificate, compiled or not.
* Paths and single fits through the compiled routes match scikit-learn on the shapes of
  ``test_linear_shapes`` (which pins the NumPy routes) and on wide p > n problems, and equal the
  NumPy routes' answers.
* Without numba (absent, turned off, or failing to compile) every call still works, by NumPy;
  ``import regcourse`` never imports numba; the grader's kernels run without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from _linear_checks import ar1_columns, kkt
from regcourse.linear import _enet_loop, _homotopy_loop, _logistic_loop, compiled, default_lams, fit, path, penalty_for
from regcourse.linear import homotopy as homotopy_module
from regcourse.linear.kkt import kkt_violation
from regcourse.linear.problem import Problem
from test_linear_shapes import SHAPES, _assert_as_good_as_sklearn, _gaussian, sklearn_path

numba = pytest.importorskip("numba", reason="numba is in the dev extra; the compiled loops need it")
KINDS = [("l1", 1.0), ("elastic_net", 0.5), ("elastic_net", 0.1)]


@pytest.fixture(autouse=True)
def fresh_loops(monkeypatch):
    """Each test looks its loops up again, with the compiled routes on unless it says otherwise."""
    monkeypatch.setenv("REGCOURSE_NUMBA", "1")
    compiled.reset()
    yield
    compiled.reset()


def _wide(n, p, seed):
    return _gaussian(n, p, seed, k=min(10, n // 4))


WIDE = {"wide 30×60": lambda: _wide(30, 60, 11), "wide 40×100": lambda: _wide(40, 100, 12)}


def _follow_inputs(X, y, n_lams=40):
    prob = Problem(X, y, True)
    G = prob.G if prob.G is not None else prob.X.T @ prob.X / prob.n
    top = float(np.abs(prob.c).max())
    halves = top * np.geomspace(1.0, 1e-3, n_lams)[1:]
    start = int(np.argmax(np.abs(prob.c)))
    return G, prob.c, prob.diag, halves, start


def _numpy_follow(G, c, diag, halves, start):
    W, kinks = np.zeros((halves.size, c.size)), np.ones(halves.size, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        done = homotopy_module._follow(
            G, c, diag, halves, W, kinks, 0, np.array([start]), np.array([np.sign(c[start])]), abs(c[start]), 10_000
        )
    return W, kinks, done


def _loop_follow(function, G, c, diag, halves, start):
    p = c.size
    W, kinks = np.zeros((halves.size, p)), np.ones(halves.size, dtype=np.int64)
    worst = np.full(halves.size, np.nan)
    members, signs, is_active = np.zeros(p, dtype=np.int64), np.zeros(p), np.zeros(p, dtype=np.bool_)
    members[0], signs[0], is_active[start] = start, np.sign(c[start]), True
    done = function(
        G,
        c,
        diag,
        halves,
        W,
        kinks,
        0,
        members,
        signs,
        1,
        abs(c[start]),
        10_000,
        homotopy_module.SPAN_TOL,
        homotopy_module.FLAT_PULL,
        homotopy_module.FLAT_SLOPE,
        np.empty((p + homotopy_module.EXTRA_ROWS, p)),
        is_active,
        worst,
        np.ones(p),
        0.0,
        False,
    )
    return W, kinks, done, worst


def _near_copies():
    X, y = _gaussian(60, 12, 10)
    return np.column_stack([X, X + 1e-9 * np.random.default_rng(3).normal(size=X.shape)]), y


FOLLOW_CASES = {
    "small 50×10": SHAPES["small 50×10"],
    "Toeplitz .95 300×80": SHAPES["Toeplitz .95 300×80"],
    "duplicated 60×(12×3)": SHAPES["duplicated 60×(12×3)"],
    "near copies 60×24": _near_copies,
    **WIDE,
}


@pytest.mark.parametrize("name", FOLLOW_CASES)
def test_the_homotopy_loop_takes_the_numpy_loops_kinks_compiled_or_not(name):
    """Same grid points solved, same kink counts, same solutions (to rounding) as ``_follow``;
    on near copies all three stop at the same singular block."""
    inputs = _follow_inputs(*FOLLOW_CASES[name]())
    W0, kinks0, done0 = _numpy_follow(*inputs)
    G, c, diag, halves, _ = inputs
    for function in (_homotopy_loop.follow_kinks, compiled.homotopy_loop()):
        W, kinks, done, worst = _loop_follow(function, *inputs)
        assert done == done0
        np.testing.assert_array_equal(kinks[:done], kinks0[:done0])
        np.testing.assert_allclose(W[:done], W0[:done0], atol=1e-9 * max(1.0, np.abs(W0).max()))
        # each solved grid point's certificate, as every solver computes it (kkt_violation)
        for g in range(done):
            q = c - G @ W[g]
            expected = kkt_violation(q, W[g], diag, halves[g], 0.0).max()
            assert worst[g] == pytest.approx(expected, rel=1e-6, abs=1e-12 * np.abs(c).max())
    if name.startswith("near"):
        assert 0 < done0 < inputs[3].size


@pytest.mark.parametrize("name", ["small 50×10", "Toeplitz .95 300×80", "wide 30×60", "duplicated 60×(12×3)"])
@pytest.mark.parametrize("rho", [0.5, 0.1])
@pytest.mark.parametrize("newton", [True, False])
def test_the_elastic_net_loop_meets_the_certificate_compiled_or_not(name, rho, newton):
    """With the Newton polish (supports up to p) and without it (sweeps alone, as on large supports)."""
    X, y = {**SHAPES, **WIDE}[name]()
    G, c, diag, _, _ = _follow_inputs(X, y)
    lams = default_lams(X, y, "elastic_net", l1_ratio=rho, n_lams=30)
    halves, l2s = 0.5 * rho * lams, (1.0 - rho) * lams
    goal = 1e-10 * float(np.abs(c).max())
    results = []
    for function in (_enet_loop.enet_path, compiled.enet_loop()):
        p = c.size
        W, sweeps = np.zeros((lams.size, p)), np.ones(lams.size, dtype=np.int64)
        scratch = (np.zeros(p), np.zeros(p), np.zeros(p, dtype=np.int64), np.zeros((p, p)), np.zeros(p))
        scratch += (np.zeros((6, p)), np.zeros((6, p)), np.zeros((5, 6)))  # Anderson, K = 5
        max_newton = p if newton else 0
        done = function(
            G, c, diag, halves, l2s, W, sweeps, goal, 10_000, max_newton, homotopy_module.SPAN_TOL, *scratch
        )
        assert done == lams.size
        for coef, lam in zip(W, lams):
            assert kkt(X, y, coef, lam, rho) <= 1e-9
        results.append(W)
    # Both are certified, and their decisions (Anderson's extrapolation is kept when J drops, a
    # comparison at rounding level near the end) may differ: each grid point agrees within twice
    # the certificate's bound on the distance to the minimizer, ‖w − w*‖ ≤ √p·goal/l2 (J/2 is
    # l2-strongly convex).
    for g, l2 in enumerate(l2s):
        assert np.linalg.norm(results[0][g] - results[1][g]) <= 2 * np.sqrt(c.size) * goal / l2


def test_the_elastic_net_loop_stops_at_its_sweep_budget_and_the_path_finishes(monkeypatch):
    """Two sweeps allowed per grid point: the loop returns how far it got, the working set
    solves the rest of the grid from there."""
    from regcourse.linear import paths as paths_module

    original, reached = paths_module.enet_cd_path, []

    def two_sweeps(G, c, diag, halves, l2s, goal, max_sweeps):
        out = original(G, c, diag, halves, l2s, goal, 2)
        reached.append((out[1], halves.size))
        return out

    monkeypatch.setattr(paths_module, "enet_cd_path", two_sweeps)
    X, y = SHAPES["Toeplitz .95 300×80"]()
    lams = default_lams(X, y, "elastic_net", n_lams=20)
    result = path(X, y, "elastic_net", lams)
    done, total = reached[-1]
    assert done < total
    assert result.converged
    for coef, lam in zip(result.coefs, lams):
        assert kkt(X, y, coef, lam, 0.5) <= 1e-8


@pytest.mark.parametrize("kind, rho", KINDS)
@pytest.mark.parametrize("name", [*SHAPES, *WIDE])
def test_compiled_paths_and_cold_fits_match_scikit_learn_and_the_numpy_routes(name, kind, rho, monkeypatch):
    X, y = {**SHAPES, **WIDE}[name]()
    lams = default_lams(X, y, kind, l1_ratio=rho, n_lams=40)
    ours = path(X, y, kind, lams, l1_ratio=rho, tol=1e-10)
    picks = [3, 20, 39]
    fits = [fit(X, y, penalty_for(kind, lams[i], rho), tol=1e-10) for i in picks]
    assert ours.converged and all(single.converged for single in fits)
    theirs = sklearn_path(X, y, lams, rho)
    _assert_as_good_as_sklearn(X, y, ours.coefs, theirs, lams, rho)
    _assert_as_good_as_sklearn(X, y, [single.coef for single in fits], theirs[picks], lams[picks], rho)
    monkeypatch.setenv("REGCOURSE_NUMBA", "0")
    numpy_path = path(X, y, kind, lams, l1_ratio=rho, tol=1e-10)
    if name.startswith("duplicated") and rho == 1.0:  # not unique: the fitted values are
        np.testing.assert_allclose(X @ ours.coefs.T, X @ numpy_path.coefs.T, atol=1e-7 * np.abs(y).max())
    else:
        np.testing.assert_allclose(ours.coefs, numpy_path.coefs, atol=1e-7 * np.abs(numpy_path.coefs).max())


def test_the_compiled_routes_are_the_ones_taken(monkeypatch):
    """With numba, a small lasso path, a single fit and an elastic-net path never reach the
    NumPy loops they replace (made to fail here)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the NumPy route ran")

    monkeypatch.setattr(homotopy_module, "_follow", refuse)
    X, y = SHAPES["small 100×20"]()
    assert path(X, y, "l1").converged
    assert fit(X, y, penalty_for("l1", 0.01)).converged
    X, y = WIDE["wide 40×100"]()
    assert path(X, y, "l1").converged
    from regcourse.linear import working_set

    monkeypatch.setattr(working_set, "solve_small", refuse)
    assert path(*SHAPES["small 50×10"](), "elastic_net").converged


def _check_answers(X, y):
    for kind, rho in KINDS:
        lams = default_lams(X, y, kind, l1_ratio=rho, n_lams=15)
        result = path(X, y, kind, lams, l1_ratio=rho)
        assert result.converged
        single = fit(X, y, penalty_for(kind, lams[10], rho))
        for coef, lam in [*zip(result.coefs, lams), (single.coef, lams[10])]:
            assert kkt(X, y, coef, lam, rho) <= 1e-8


def test_without_numba_the_numpy_routes_answer(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # ``import numba`` raises ImportError
    compiled.reset()
    assert compiled.homotopy_loop() is None and compiled.enet_loop() is None and compiled.logistic_loop() is None
    assert compiled.residual_loop() is None
    _check_answers(*SHAPES["small 50×10"]())
    _check_answers(*WIDE["wide 30×60"]())
    X, y = _gaussian(60, 400, 3, k=6)  # wide enough for the screened route, which hands over
    for kind in ("l1", "elastic_net"):
        lam = default_lams(X, y, kind, l1_ratio=0.5, n_lams=2)[0] / 30
        coef = fit(X, y, penalty_for(kind, lam, 0.5), tol=1e-10).coef
        assert kkt(X, y, coef, lam, 1.0 if kind == "l1" else 0.5) <= 1e-8
    X, y = LOGISTIC_CASES["80×8"]()
    assert fit(X, y, penalty_for("l1", 0.02), loss="logistic").solver == "prox_newton"


@pytest.mark.parametrize("setting", ["0", "false", "No", " off "])
def test_regcourse_numba_turns_the_loops_off(monkeypatch, setting):
    monkeypatch.setenv("REGCOURSE_NUMBA", setting)
    assert not compiled.numba_enabled()
    assert compiled.homotopy_loop() is None and compiled.enet_loop() is None and compiled.residual_loop() is None
    _check_answers(*SHAPES["small 50×10"]())


def test_a_loop_that_fails_is_given_up_and_numpy_answers(monkeypatch):
    """A loop numba cannot type (or that fails at its first call) is dropped for the session."""

    def broken(*args):
        raise numba.core.errors.TypingError("cannot type this")

    monkeypatch.setitem(compiled._LOOPS, "homotopy", broken)
    monkeypatch.setitem(compiled._LOOPS, "enet", broken)
    monkeypatch.setitem(compiled._LOOPS, "logistic", broken)
    _check_answers(*SHAPES["small 50×10"]())
    X, y = LOGISTIC_CASES["80×8"]()
    assert fit(X, y, penalty_for("l1", 0.02), loss="logistic").converged
    assert all(compiled._LOOPS[name] is None for name in ("homotopy", "enet", "logistic"))


def test_numba_that_cannot_cache_compiles_in_memory(monkeypatch):
    """A read-only install has nowhere to write numba's cache: ``cache=True`` fails, the loop is
    compiled without it."""
    original = numba.njit

    def no_cache(*args, **kwargs):
        if kwargs.get("cache"):
            raise RuntimeError("cannot cache function: no locator available")
        return original(*args, **kwargs)

    monkeypatch.setattr(numba, "njit", no_cache)
    loop = compiled.homotopy_loop()
    assert loop is not None
    _check_answers(*SHAPES["small 50×10"]())


def test_import_regcourse_does_not_import_numba():
    code = (
        "import sys, regcourse, regcourse.linear, regcourse.linear.compiled\n"
        "assert 'numba' not in sys.modules, sorted(m for m in sys.modules if 'numba' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


def test_a_notebook_of_a_few_fits_never_imports_numba(tmp_path):
    """By default ("auto"), with no cache on disk: a few fits and paths, lasso and elastic net,
    cost far less than any loop's compile, so none is compiled and numba is never imported."""
    code = (
        "import sys, numpy as np\n"
        "from regcourse import L1, ElasticNet, linear\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.normal(size=(100, 20)); y = X[:, 0] + rng.normal(size=100)\n"
        "for lam in (0.1, 0.01):\n"
        "    linear.fit(X, y, L1(lam)); linear.fit(X, y, ElasticNet(l1=lam, l2=lam))\n"
        "linear.path(X, y, 'l1', n_lams=30); linear.path(X, y, 'elastic_net', n_lams=30)\n"
        "assert 'numba' not in sys.modules, sorted(m for m in sys.modules if 'numba' in m)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "REGCOURSE_NUMBA"}
    env["NUMBA_CACHE_DIR"] = str(tmp_path)  # nothing cached: every loop would have to compile
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1], env=env)


def test_the_grader_runs_submissions_without_the_compiled_loops(tmp_path, monkeypatch):
    """Off by default; an instructor (or benchmarks/notebooks.py) can turn them on explicitly."""
    from regcourse.grading import _submission

    monkeypatch.delenv("REGCOURSE_NUMBA")
    assert _submission._worker_env(tmp_path)["REGCOURSE_NUMBA"] == "0"
    monkeypatch.setenv("REGCOURSE_NUMBA", "1")
    assert _submission._worker_env(tmp_path)["REGCOURSE_NUMBA"] == "1"


def test_wide_problems_use_the_homotopy_up_to_its_limits(monkeypatch):
    """The limits in ``homotopy_gram``: p > n small dense, a wide path up to the wide limit, never
    sparse X without a Gram matrix, and nothing compiled without numba."""
    X, y = WIDE["wide 40×100"]()
    prob = Problem(X, y, True)
    assert prob.G is None
    G = homotopy_module.homotopy_gram(prob, "fit")
    np.testing.assert_allclose(G, prob.X.T @ prob.X / prob.n)
    monkeypatch.setattr(homotopy_module, "COMPILED_MAX_FEATURES", 50)
    assert homotopy_module.homotopy_gram(prob, "fit") is None
    assert homotopy_module.homotopy_gram(prob, "path") is not None
    monkeypatch.setattr(homotopy_module, "COMPILED_WIDE_MAX_FEATURES", 50)
    assert homotopy_module.homotopy_gram(prob, "path") is None
    import scipy.sparse

    assert homotopy_module.homotopy_gram(Problem(scipy.sparse.csr_matrix(X), y, True), "path") is None
    monkeypatch.setenv("REGCOURSE_NUMBA", "0")
    assert homotopy_module.homotopy_gram(Problem(*SHAPES["small 100×20"](), True), "fit") is None
    assert homotopy_module.homotopy_gram(Problem(*SHAPES["small 100×20"](), True), "path") is not None


def _spy_enet_route(monkeypatch):
    from regcourse.linear import paths as paths_module

    original, reached = paths_module.enet_cd_path, []

    def spying(G, c, diag, halves, l2s, goal, max_sweeps):
        out = original(G, c, diag, halves, l2s, goal, max_sweeps)
        reached.append((out[1], halves.size, G.shape[0]))
        return out

    monkeypatch.setattr(paths_module, "enet_cd_path", spying)
    return reached


@pytest.mark.parametrize("rho", [0.5, 0.1])
def test_a_larger_elastic_net_path_in_the_gram_form_is_swept_to_the_end(rho, monkeypatch):
    """p = 300 > NEWTON_MAX_SUPPORT, n ≥ p, independent columns: coordinate descent alone solves
    every grid point (no handover); the path is as good as scikit-learn's and equals NumPy's."""
    from regcourse.linear import enet_cd

    X, y = _gaussian(700, 300, 23, k=40)
    reached = _spy_enet_route(monkeypatch)
    lams = default_lams(X, y, "elastic_net", l1_ratio=rho, n_lams=30)
    ours = path(X, y, "elastic_net", lams, l1_ratio=rho, tol=1e-10)
    assert ours.converged and reached == [(30, 30, 300)]
    assert 300 > enet_cd.NEWTON_MAX_SUPPORT and np.count_nonzero(ours.coefs[-1]) > enet_cd.NEWTON_MAX_SUPPORT
    _assert_as_good_as_sklearn(X, y, ours.coefs, sklearn_path(X, y, lams, rho), lams, rho)
    monkeypatch.setenv("REGCOURSE_NUMBA", "0")
    numpy_path = path(X, y, "elastic_net", lams, l1_ratio=rho, tol=1e-10)
    np.testing.assert_allclose(ours.coefs, numpy_path.coefs, atol=1e-7 * np.abs(numpy_path.coefs).max())


def test_a_correlated_elastic_net_path_hands_over_to_the_newton_steps(monkeypatch):
    """AR(1) ρ = 0.99 columns, 600×200: coordinate descent crawls, a grid point runs out of its
    ``SWEEPS_PER_POINT`` and the working set finishes the path, certified and as good as
    scikit-learn's."""
    rng = np.random.default_rng(24)
    X = ar1_columns(rng, 600, 200, 0.99)
    y = X[:, ::20] @ rng.normal(size=10) + rng.normal(size=600)
    reached = _spy_enet_route(monkeypatch)
    lams = default_lams(X, y, "elastic_net", l1_ratio=0.9, n_lams=40)
    result = path(X, y, "elastic_net", lams, l1_ratio=0.9, tol=1e-10)
    assert result.converged
    done, total, _ = reached[0]
    assert 0 < done < total
    _assert_as_good_as_sklearn(X, y, result.coefs, sklearn_path(X, y, lams, 0.9), lams, 0.9)


def test_correlated_wide_elastic_net_path(monkeypatch):
    """An awkward case: wide and strongly correlated (AR(1) ρ = 0.95, 50×120), ρ = 0.9."""
    rng = np.random.default_rng(21)
    X = ar1_columns(rng, 50, 120, 0.95)
    y = X[:, ::15] @ rng.normal(size=8) + rng.normal(size=50)
    lams = default_lams(X, y, "elastic_net", l1_ratio=0.9, n_lams=50)
    result = path(X, y, "elastic_net", lams, l1_ratio=0.9)
    assert result.converged
    _assert_as_good_as_sklearn(X, y, result.coefs, sklearn_path(X, y, lams, 0.9), lams, 0.9)


# --- logistic regression: the compiled proximal Newton loop (``_logistic_loop``) ---------------


def _labels(n, p, seed, separation=1.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = (X[:, 0] * separation + X[:, 1 % p] + rng.normal(size=n) > 0).astype(float)
    return X, y


LOGISTIC_CASES = {"80×8": lambda: _labels(80, 8, 1), "200×12 well separated": lambda: _labels(200, 12, 2, 4.0)}
LOGISTIC_PENALTIES = [("l1", 1.0, 0.02), ("elastic_net", 0.5, 0.02), ("l1", 1.0, 1e-4)]


def _logistic_goal(X, y, tol=1e-10):
    return tol * max(1.0, float(np.abs(X.T @ (y - y.mean())).max()) / len(y))


def _run_logistic_loop(function, X, y, l1, l2, u, goal, max_steps=200):
    from regcourse.linear.prox_newton import ARMIJO, DAMPING

    n, p = X.shape
    scratch = [np.empty(n), np.empty(n), np.empty(p + 1), np.empty((p + 1, p + 1)), np.empty(p + 1)]
    return function(X, y, l1, l2, u, goal, max_steps, ARMIJO, DAMPING, *scratch, np.empty(n), np.empty(p + 1))


@pytest.mark.parametrize("name", LOGISTIC_CASES)
@pytest.mark.parametrize("kind, rho, lam", LOGISTIC_PENALTIES)
def test_the_logistic_loop_meets_the_certificate_compiled_or_not(name, kind, rho, lam):
    from regcourse.linear.logistic import kkt_residual_logistic

    X, y = LOGISTIC_CASES[name]()
    pen = penalty_for(kind, lam, rho)
    goal = _logistic_goal(X, y)
    answers = []
    for function in (_logistic_loop.logistic_prox_newton, compiled.logistic_loop()):
        u = np.append(np.zeros(X.shape[1]), np.log(y.mean() / (1 - y.mean())))
        steps, status = _run_logistic_loop(function, X, y, pen.l1_coef, pen.l2_coef, u, goal)
        assert status == 0 and 1 <= steps < 200
        assert kkt_residual_logistic(X, y, u[:-1], u[-1], pen) <= goal
        answers.append(u)
    np.testing.assert_allclose(answers[0], answers[1], atol=1e-8)


@pytest.mark.parametrize("name", LOGISTIC_CASES)
@pytest.mark.parametrize("kind, rho, lam", LOGISTIC_PENALTIES)
def test_small_logistic_fits_and_paths_equal_the_numpy_solver(name, kind, rho, lam, monkeypatch):
    X, y = LOGISTIC_CASES[name]()
    pen = penalty_for(kind, lam, rho)
    ours = fit(X, y, pen, loss="logistic", tol=1e-10)
    ours_path = path(X, y, kind, l1_ratio=rho, loss="logistic", n_lams=20, eps=1e-2, tol=1e-10)
    monkeypatch.setenv("REGCOURSE_NUMBA", "0")
    theirs = fit(X, y, pen, loss="logistic", tol=1e-10)
    theirs_path = path(X, y, kind, l1_ratio=rho, loss="logistic", n_lams=20, eps=1e-2, tol=1e-10)
    assert ours.converged and ours_path.converged and ours.solver == theirs.solver == "prox_newton"
    assert abs(ours.objective - theirs.objective) <= 1e-12 * abs(theirs.objective)
    np.testing.assert_allclose(ours.coef, theirs.coef, atol=1e-6)
    np.testing.assert_allclose(ours_path.coefs, theirs_path.coefs, atol=1e-6)
    np.testing.assert_allclose(ours_path.intercepts, theirs_path.intercepts, atol=1e-6)


def test_the_logistic_loop_is_the_route_taken_and_hands_over_when_it_stops_short(monkeypatch):
    from regcourse.linear import logistic as logistic_module

    X, y = LOGISTIC_CASES["80×8"]()
    original = logistic_module.prox_newton

    def refuse(*args, **kwargs):
        raise AssertionError("the NumPy solver ran")

    monkeypatch.setattr(logistic_module, "prox_newton", refuse)
    assert fit(X, y, penalty_for("l1", 0.02), loss="logistic").converged
    assert path(X, y, "elastic_net", loss="logistic", n_lams=10).converged

    calls = []

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(logistic_module, "prox_newton", counting)
    loop = compiled.logistic_loop()

    def two_steps(X_, y_, l1, l2, u, goal, max_steps, *rest):
        return loop(X_, y_, l1, l2, u, goal, 2, *rest)  # stops short: status 1

    monkeypatch.setitem(compiled._LOOPS, "logistic", two_steps)
    result = fit(X, y, penalty_for("l1", 1e-4), loss="logistic", tol=1e-10)
    assert calls and result.converged
    from regcourse.linear.logistic import kkt_residual_logistic

    assert kkt_residual_logistic(X, y, result.coef, result.intercept, penalty_for("l1", 1e-4)) <= _logistic_goal(X, y)


def test_larger_logistic_problems_keep_the_numpy_solver(monkeypatch):
    """Above ``SMALL_MAX_WORK`` (n·(p + 1)² flops a Hessian) the compiled loop is slower: not used."""
    from regcourse.linear import logistic as logistic_module

    X, y = _labels(400, 30, 3)
    assert 400 * 31**2 > logistic_module.SMALL_MAX_WORK
    reached = []
    monkeypatch.setitem(compiled._LOOPS, "logistic", lambda *args: reached.append(args) or (0, 2))
    assert fit(X, y, penalty_for("l1", 0.01), loss="logistic").converged
    assert not reached
    assert fit(*LOGISTIC_CASES["80×8"](), penalty_for("l1", 0.01), loss="logistic").converged
    assert reached  # the same stand-in is reached on a small problem (and hands over: status 2)


def _counting_numpy_fits(monkeypatch):
    from regcourse.linear import working_set

    numpy_fits = []
    original = working_set.solve_small

    def counting(*args, **kwargs):
        numpy_fits.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(working_set, "solve_small", counting)
    return numpy_fits


def test_by_default_a_loop_is_compiled_once_the_numpy_time_reaches_its_price(monkeypatch):
    """ "auto" (REGCOURSE_NUMBA unset), a ski rental: the NumPy route answers, and each call's
    time is charged to the loop it was refused, until the charge reaches the loop's price; then
    the next request compiles it. A notebook of a few fits never imports numba."""
    monkeypatch.delenv("REGCOURSE_NUMBA")
    assert compiled.setting() == "auto"
    X, y = SHAPES["small 100×20"]()
    numpy_fits = _counting_numpy_fits(monkeypatch)
    compiled._PRICES["homotopy"] = price = 0.3  # seconds: dozens of fits of this size
    charges = [0.0]
    while "homotopy" not in compiled._LOOPS:
        assert len(charges) < 2000, "never compiled"
        started = time.perf_counter()
        assert fit(X, y, penalty_for("l1", 0.05)).converged
        elapsed = time.perf_counter() - started
        if "homotopy" in compiled._LOOPS:  # compiled during this call: its time had run past the price
            assert charges[-1] + elapsed >= price
            break
        charges.append(compiled.charged_seconds("homotopy"))
        assert charges[-1] == pytest.approx(charges[-2] + elapsed, abs=1e-3)  # each call charged
    # NumPy answered until then: a call that started with the charge past the price would have compiled
    assert charges[-2] < price and len(numpy_fits) >= len(charges) - 1 >= 10
    assert compiled._LOOPS["homotopy"] is not None
    numpy_fits.clear()
    assert fit(X, y, penalty_for("l1", 0.05)).converged
    assert not numpy_fits


def test_a_call_inside_a_call_is_charged_once(monkeypatch):
    """A path inside a cross-validation (here: fits inside one timed call) is charged by the
    outermost call only: the charge is at most that call's own wall time."""
    monkeypatch.delenv("REGCOURSE_NUMBA")
    compiled._PRICES["homotopy"] = 1e9  # never compiled here
    X, y = SHAPES["small 100×20"]()

    @compiled.timed_call
    def three_fits():
        for _ in range(3):
            fit(X, y, penalty_for("l1", 0.05))

    started = time.perf_counter()
    three_fits()
    elapsed = time.perf_counter() - started
    assert 0 < compiled.charged_seconds("homotopy") <= elapsed


def test_a_long_call_compiles_its_loop_at_a_request_once_it_has_run_past_the_price(monkeypatch):
    """The rental counts the call under way: a single long call (here, its first request after
    the price has run out) gets the compiled loop without waiting for the next call."""
    monkeypatch.delenv("REGCOURSE_NUMBA")
    compiled._PRICES["homotopy"] = 0.0
    X, y = SHAPES["small 100×20"]()
    numpy_fits = _counting_numpy_fits(monkeypatch)
    assert fit(X, y, penalty_for("l1", 0.05)).converged
    assert not numpy_fits and compiled._LOOPS["homotopy"] is not None


def _fake_loop_module(folder, monkeypatch, source="def loop(x):\n    return x\n"):
    """A package ``fakeloops`` with a module ``_fake`` (a function ``loop``) under ``folder``,
    first on sys.path, and no earlier test's copy imported."""
    for name in ("fakeloops", "fakeloops._fake"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.syspath_prepend(str(folder))
    package = folder / "fakeloops"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_fake.py").write_text(source)
    return package / "_fake.py"


def test_the_price_is_loading_when_numbas_cache_for_this_source_is_on_disk(tmp_path, monkeypatch):
    """``price``: loading (``LOAD_SECONDS``) when an index numba wrote for this very source (its
    sha256, the installed numba's version) is where numba looks; compiling otherwise: no index,
    an index for other source text, or for another numba."""
    import hashlib
    import importlib.metadata
    import pickle

    source = _fake_loop_module(tmp_path, monkeypatch)
    cache = tmp_path / "numba-cache"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(cache))
    folder = compiled._numba_cache_folder(source.resolve())
    assert folder.parent == cache and folder.name.startswith("fakeloops_")
    version = f"py{sys.version_info.major}{sys.version_info.minor}{getattr(sys, 'abiflags', '')}"
    index = folder / f"_fake.loop-1.{version}.nbi"

    def write_index(text: bytes, numba_version: str):
        folder.mkdir(parents=True, exist_ok=True)
        stamp = hashlib.sha256(text).digest()
        index.write_bytes(pickle.dumps(numba_version) + pickle.dumps((stamp, {})))

    def price():
        compiled._PRICES.clear()
        return compiled.price("fake", "fakeloops._fake", "loop")

    monkeypatch.setitem(compiled.COMPILE_SECONDS, "fake", 2.0)
    assert price() == 2.0  # nothing on disk
    write_index(source.read_bytes(), importlib.metadata.version("numba"))
    assert price() == compiled.LOAD_SECONDS
    write_index(b"def loop(x):\n    return -x\n", importlib.metadata.version("numba"))
    assert price() == 2.0  # the source changed since
    write_index(source.read_bytes(), "0.0.1")
    assert price() == 2.0  # another numba wrote it


def test_numbas_cache_folder_follows_numbas_own_locators(tmp_path, monkeypatch):
    """Where ``_cache_on_disk`` looks is where numba caches (numba.core.caching's locators, asked
    directly): under NUMBA_CACHE_DIR; else a writable ``__pycache__``; else the user's cache."""
    from numba.core import caching

    source = _fake_loop_module(tmp_path, monkeypatch)
    from fakeloops._fake import loop

    def numbas_folder():
        impl = caching.CompileResultCacheImpl(loop)
        return Path(impl.locator.get_cache_path())

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setattr(caching.config, "CACHE_DIR", str(tmp_path / "elsewhere"))
    assert compiled._numba_cache_folder(source.resolve()) == numbas_folder()
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setattr(caching.config, "CACHE_DIR", "")
    assert compiled._numba_cache_folder(source.resolve()) == numbas_folder() == source.parent / "__pycache__"


@pytest.mark.parametrize("value, expected", [("1", "eager"), ("yes", "eager"), ("0", "off"), ("auto", "auto")])
def test_the_setting_is_read_from_regcourse_numba(monkeypatch, value, expected):
    monkeypatch.setenv("REGCOURSE_NUMBA", value)
    assert compiled.setting() == expected


@pytest.mark.parametrize("name", ["mcp", "scad", "weighted_l1"])
def test_other_penalties_keep_the_numpy_logistic_solver(name, monkeypatch):
    """The compiled loop is for one L1 strength and an L2 part (the course's penalties): MCP,
    SCAD and a weighted L1 on the same small problem go to ``prox_newton``, and are right."""
    from regcourse import penalties_sparse
    from regcourse.linear import logistic as logistic_module
    from regcourse.linear.logistic import kkt_residual_logistic

    reached = []
    monkeypatch.setitem(compiled._LOOPS, "logistic", lambda *args: reached.append(args) or (0, 2))
    X, y = LOGISTIC_CASES["80×8"]()
    penalty = {
        "mcp": penalties_sparse.MCP(0.05, 3.0),
        "scad": penalties_sparse.SCAD(0.05, 3.7),
        "weighted_l1": penalties_sparse.WeightedL1(0.02 * np.arange(1, 9)),
    }[name]
    result = fit(X, y, penalty, loss="logistic", tol=1e-10)
    assert result.converged and not reached
    assert logistic_module.SMALL_MAX_WORK >= 80 * 9**2  # the shape itself would qualify
    if name == "weighted_l1":
        assert kkt_residual_logistic(X, y, result.coef, result.intercept, penalty) <= _logistic_goal(X, y)


def test_a_wide_path_lands_every_grid_point_without_polish():
    """The benchmark's p > n 40×100 path (the same data): its kink loop once took a branch at
    |A| = rank(Xc) that depended on rounding and left grid points the certificate rejected (then
    polished, at twice the cost). Crossings now count only towards the threshold: the NumPy loop,
    the compiled one and its uncompiled twin land all 100 grid points exactly, no polish."""
    rng = np.random.default_rng(17)
    X = rng.normal(size=(40, 100))
    truth = np.zeros(100)
    truth[rng.choice(100, size=20, replace=False)] = rng.normal(scale=2.0, size=20)
    y = X @ truth + rng.normal(size=40)
    prob = Problem(X, y, True)
    G = prob.X.T @ prob.X / prob.n
    halves = 0.5 * default_lams(X, y, "l1", n_lams=100)
    goal = 1e-10 * prob.scale
    start = int(np.argmax(np.abs(prob.c)))
    W0, _, done0 = _numpy_follow(G, prob.c, prob.diag, halves, start)
    assert done0 == halves.size
    for g in range(done0):
        assert kkt_violation(prob.c - G @ W0[g], W0[g], prob.diag, halves[g], 0.0).max() <= goal
    for function in (_homotopy_loop.follow_kinks, compiled.homotopy_loop()):
        W, _, done, worst = _loop_follow(function, G, prob.c, prob.diag, halves, start)
        assert done == halves.size and worst.max() <= goal
        np.testing.assert_allclose(W, W0, atol=1e-9 * np.abs(W0).max())


def test_anderson_weights_find_the_fixed_point_of_a_linear_iteration():
    """xₖ₊₁ = A·xₖ + b in 3 dimensions (a slow contraction): 4 differences of 5 iterates are
    dependent, and Anderson's combination of the last 4 iterates is the fixed point (I − A)⁻¹b
    (to the ridge's bias, here 0.2%), where the iterates themselves are still far from it.
    Iterates that stopped moving give no weights. The function runs as plain Python here (the
    loops that call it run compiled)."""
    from regcourse.linear._loops_common import anderson_weights

    rng = np.random.default_rng(4)
    Q = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    A, b = Q @ np.diag([0.99, 0.9, -0.5]) @ Q.T, rng.normal(size=3)
    fixed = np.linalg.solve(np.eye(3) - A, b)
    history = [rng.normal(size=3)]
    for _ in range(4):
        history.append(A @ history[-1] + b)
    history = np.array(history)
    small = np.zeros((4, 5))
    assert anderson_weights(history, small)
    z = small[:, 4]
    assert z.sum() == pytest.approx(1.0)
    last_error = np.linalg.norm(history[-1] - fixed)
    assert last_error > 0.5 * np.linalg.norm(fixed)
    assert np.linalg.norm(z @ history[1:] - fixed) <= 0.01 * last_error  # exact but for the ridge ε
    assert not anderson_weights(np.ones((6, 3)), np.zeros((5, 6)))  # no movement


@pytest.mark.parametrize("name", ["Toeplitz .95 300×80", "wide 120×400"])
def test_the_elastic_net_loops_extrapolation_saves_sweeps_and_keeps_the_answer(name):
    """λ = λ_max/1000, ρ = 0.5, sweeps only (no Newton step): with Anderson's extrapolation every
    ``ANDERSON_DEPTH`` + 1 sweeps the loop needs at most three quarters of the sweeps (measured: 0.64
    on Toeplitz .95, 0.28 on the wide problem), and lands on the same minimizer (within the
    certificate's bound)."""
    from regcourse.linear.enet_cd import ANDERSON_DEPTH

    X, y = {"Toeplitz .95 300×80": SHAPES["Toeplitz .95 300×80"], "wide 120×400": lambda: _gaussian(120, 400, 0, k=8)}[
        name
    ]()
    G, c, diag, _, _ = _follow_inputs(X, y)
    lam = default_lams(X, y, "elastic_net", l1_ratio=0.5, n_lams=2)[0] / 1000
    halves, l2s = np.array([0.25 * lam]), np.array([0.5 * lam])
    goal = 1e-10 * float(np.abs(c).max())
    loop, p = compiled.enet_loop(), c.size
    results = {}
    for depth in (0, ANDERSON_DEPTH):
        W, sweeps = np.zeros((1, p)), np.ones(1, dtype=np.int64)
        scratch = (np.zeros(p), np.zeros(p), np.zeros(p, dtype=np.int64), np.zeros((1, 1)), np.zeros(p))
        history = (np.zeros((depth + 1, p)), np.zeros((depth + 1, p)), np.zeros((max(depth, 1), depth + 1)))
        args = (G, c, diag, halves, l2s, W, sweeps, goal, 100_000, 0, homotopy_module.SPAN_TOL)
        assert loop(*args, *scratch, *history) == 1
        assert kkt(X, y, W[0], lam, 0.5) <= 1e-9
        results[depth] = (W[0], int(sweeps[0]))
    assert results[ANDERSON_DEPTH][1] <= 3 / 4 * results[0][1], {d: sweeps for d, (_, sweeps) in results.items()}
    bound = 2 * np.sqrt(p) * goal / l2s[0]  # twice the certificate's distance to the minimizer
    assert np.linalg.norm(results[ANDERSON_DEPTH][0] - results[0][0]) <= bound
