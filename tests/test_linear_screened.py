"""One cold fit of a wide dense problem by the homotopy on a screened working set
(``regcourse.linear.screened``): it must give the whole problem's solution — certified on every
feature, as good as scikit-learn's, equal to the NumPy routes' — on awkward shapes (p > n, n = p,
strongly correlated, duplicated columns, a λ near the interpolation regime), and hand over to the
usual route when it cannot finish (no numba, a singular block, a working set over its limit).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from _linear_checks import ar1_columns, kkt
from regcourse.linear import compiled, default_lams, fit, penalty_for, screened
from regcourse.linear import homotopy as homotopy_module
from regcourse.linear.problem import Problem
from test_linear_compiled import fresh_loops  # noqa: F401 (autouse: compiled loops on, looked up afresh)
from test_linear_shapes import _assert_as_good_as_sklearn, _gaussian, sklearn_path

pytest.importorskip("numba", reason="numba is in the dev extra; the screened route needs the compiled homotopy")


def _toeplitz_wide():
    rng = np.random.default_rng(5)
    X = ar1_columns(rng, 150, 500, 0.95)
    return X, X[:, ::60] @ rng.normal(size=9) + rng.normal(size=150)


def _duplicated():
    X, y = _gaussian(120, 150, 6)
    return np.repeat(X, 3, axis=1), y


CASES = {
    "p > n 120×400": lambda: _gaussian(120, 400, 1, k=15),
    "n = p 400×400": lambda: _gaussian(400, 400, 2, k=20),
    "tall 900×360": lambda: _gaussian(900, 360, 3, k=12),
    "Toeplitz .95 150×500": _toeplitz_wide,
    "duplicated 120×(150×3)": _duplicated,
}
FRACTIONS = [0.5, 0.05, 0.002]  # λ/λ_max: few active, many, near the interpolation regime (p > n)


@pytest.mark.parametrize("kind, rho", [("l1", 1.0), ("elastic_net", 0.5)])
@pytest.mark.parametrize("name", CASES)
def test_screened_fits_match_scikit_learn_and_the_numpy_routes(name, kind, rho, monkeypatch):
    X, y = CASES[name]()
    top = default_lams(X, y, kind, l1_ratio=rho, n_lams=2)[0]
    lams = top * np.array(FRACTIONS)
    ours = [fit(X, y, penalty_for(kind, lam, rho), tol=1e-10) for lam in lams]
    assert all(single.converged for single in ours)
    _assert_as_good_as_sklearn(X, y, [single.coef for single in ours], sklearn_path(X, y, lams, rho), lams, rho)
    monkeypatch.setenv("REGCOURSE_NUMBA", "0")
    compiled.reset()
    for single, lam in zip(ours, lams):
        reference = fit(X, y, penalty_for(kind, lam, rho), tol=1e-10)
        if name.startswith("duplicated") and rho == 1.0:  # not unique: the fitted values are
            np.testing.assert_allclose(X @ single.coef, X @ reference.coef, atol=1e-7 * np.abs(y).max())
        else:
            np.testing.assert_allclose(single.coef, reference.coef, atol=1e-7 * max(np.abs(reference.coef).max(), 1e-3))


def _spy_blocks(monkeypatch):
    sizes = []
    original = homotopy_module.lasso_homotopy

    def spying(G, *args, **kwargs):
        sizes.append(G.shape[0])
        return original(G, *args, **kwargs)

    monkeypatch.setattr(homotopy_module, "lasso_homotopy", spying)
    return sizes


def test_a_wide_cold_fit_never_forms_the_whole_gram_matrix(monkeypatch):
    """The homotopy only ever sees blocks of the working set, far smaller than p, and the first
    block is ``FIRST_SIZE`` wide; the fit is the whole problem's solution."""
    X, y = _gaussian(300, 1000, 4, k=15)
    lam = default_lams(X, y, "l1", n_lams=2)[0] / 20
    sizes = _spy_blocks(monkeypatch)
    formed = []
    original_init = Problem.__init__

    def recording(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        formed.append(self.G is not None)

    monkeypatch.setattr(Problem, "__init__", recording)
    result = fit(X, y, penalty_for("l1", lam), tol=1e-10)
    assert result.converged and kkt(X, y, result.coef, lam, 1.0) <= 1e-10
    assert formed == [False]
    assert sizes[0] == screened.FIRST_SIZE and max(sizes) < 1000 / 4
    assert all(later > earlier for earlier, later in zip(sizes, sizes[1:]))  # it grows every round


def test_a_warm_start_or_a_path_keeps_its_usual_route(monkeypatch):
    X, y = _gaussian(120, 400, 1, k=15)
    sizes = _spy_blocks(monkeypatch)
    lam = default_lams(X, y, "l1", n_lams=2)[0] / 20
    result = fit(X, y, penalty_for("l1", lam), warm_start=np.zeros(400))
    assert result.converged and not sizes
    assert fit(X, y, penalty_for("l1", lam), positive=True).converged and not sizes


def test_the_rule_for_skipping_the_gram_matrix():
    assert screened.gram_too_costly(np.zeros((10, homotopy_module.COMPILED_MAX_FEATURES + 1)))
    assert not screened.gram_too_costly(np.zeros((10_000, homotopy_module.COMPILED_MAX_FEATURES)))
    assert not screened.gram_too_costly(scipy.sparse.csr_matrix((10, 1000)))
    assert not screened.gram_too_costly([[1.0] * 1000] * 3)  # no shape: the usual route decides


def test_it_hands_over_when_the_working_set_outgrows_its_limit(monkeypatch):
    X, y = _gaussian(120, 400, 1, k=15)
    monkeypatch.setattr(homotopy_module, "COMPILED_WIDE_MAX_FEATURES", 40)
    prob = Problem(X, y, True, gram=False)
    lam = default_lams(X, y, "l1", n_lams=2)[0] / 100
    assert screened.screened_fit(prob, penalty_for("l1", lam), 1e-10, 10_000) is None
    result = fit(X, y, penalty_for("l1", lam), tol=1e-10)
    assert result.converged and kkt(X, y, result.coef, lam, 1.0) <= 1e-8


def test_it_hands_over_on_a_singular_block_and_without_numba(monkeypatch):
    """Near copies (X and X + 1e-9·noise): the entering copy is numerically in the span of the
    active one, the homotopy stops, and so does the screened route; fit still answers."""
    X, y = _gaussian(120, 200, 6, k=10)
    X = np.column_stack([X, X + 1e-9 * np.random.default_rng(3).normal(size=X.shape)])
    prob = Problem(X, y, True, gram=False)
    lam = default_lams(X, y, "l1", n_lams=2)[0] / 50
    assert screened.screened_fit(prob, penalty_for("l1", lam), 1e-10, 10_000) is None
    result = fit(X, y, penalty_for("l1", lam), tol=1e-10)
    assert result.converged and kkt(X, y, result.coef, lam, 1.0) <= 1e-8
    monkeypatch.setenv("REGCOURSE_NUMBA", "0")
    compiled.reset()
    prob = Problem(*_gaussian(120, 400, 1, k=15), True, gram=False)
    assert screened.screened_fit(prob, penalty_for("l1", 0.1), 1e-10, 10_000) is None


def test_constant_columns_are_never_chosen():
    """Columns with no variance have nothing to fit (Gⱼⱼ = 0): never in W, always 0."""
    X, y = _gaussian(100, 400, 7, k=10)
    X[:, :50] = 3.0
    lam = default_lams(X, y, "l1", n_lams=2)[0] / 30
    result = fit(X, y, penalty_for("l1", lam), tol=1e-10)
    assert result.converged and not np.any(result.coef[:50])
    assert kkt(X, y, result.coef, lam, 1.0) <= 1e-10


def _record(monkeypatch, name):
    """Replace ``working_set.<name>`` by a wrapper that records what it returned."""
    from regcourse.linear import working_set

    outcomes, original = [], getattr(working_set, name)

    def recording(*args, **kwargs):
        outcomes.append(original(*args, **kwargs))
        return outcomes[-1]

    monkeypatch.setattr(working_set, name, recording)
    return outcomes


@pytest.mark.parametrize("kind, route", [("l1", "screened_fit"), ("elastic_net", "_wide_enet_fit")])
def test_near_interpolation_the_fast_routes_hand_over(kind, route, monkeypatch):
    """p > n, λ = 10⁻⁴·λ_max: the support nears n. The lasso's blocks are too ill-conditioned for
    the homotopy's accuracy and its short polish (``POLISH_STEPS``); the elastic net's coordinate
    descent needs more than ``max_iter`` sweeps. Both hand over, and the continuation solves it."""
    X, y = _gaussian(120, 400, 0, k=8)
    top = default_lams(X, y, "l1", n_lams=2)[0]
    outcomes = _record(monkeypatch, route)
    result = fit(X, y, penalty_for(kind, top * 1e-4, 0.5), tol=1e-10)
    assert outcomes == [None]
    rho = 1.0 if kind == "l1" else 0.5
    assert result.converged and kkt(X, y, result.coef, top * 1e-4, rho) <= 1e-8
    lams = np.array([top * 1e-4])
    _assert_as_good_as_sklearn(X, y, [result.coef], sklearn_path(X, y, lams, rho), lams, rho)


def test_a_wide_elastic_net_fit_is_solved_by_coordinate_descent(monkeypatch):
    """n < p ≤ 1000, l2 > 0: compiled coordinate descent on G from 0 (not the screened homotopy)."""
    X, y = _gaussian(120, 400, 0, k=8)
    lam = default_lams(X, y, "elastic_net", l1_ratio=0.5, n_lams=2)[0] / 100
    outcomes, screened_calls = _record(monkeypatch, "_wide_enet_fit"), _record(monkeypatch, "screened_fit")
    result = fit(X, y, penalty_for("elastic_net", lam, 0.5), tol=1e-10)
    assert len(outcomes) == 1 and outcomes[0] is not None and not screened_calls
    assert result.converged and kkt(X, y, result.coef, lam, 0.5) <= 1e-10
