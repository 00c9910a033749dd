"""One cold fit of a wide dense problem on a screened working set (``regcourse.linear.screened``:
the lasso by the homotopy, cold or warm-started, or by sweeps once its support is large; the
elastic net by coordinate descent, on the Gram block or in the residual form). It must give the
whole problem's solution — certified on every feature, as good as scikit-learn's, equal to the
NumPy routes' — on awkward shapes (p > n, n = p, strongly correlated, duplicated columns, a λ near
the interpolation regime), and hand over to the usual route when it cannot finish (no numba, a
singular block, a working set over its limit).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse

from _linear_checks import ar1_columns, kkt
from regcourse.linear import compiled, default_lams, fit, penalty_for, screened
from regcourse.linear import homotopy as homotopy_module
from regcourse.linear.kkt import kkt_violation
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
    original = homotopy_module.lasso_homotopy_from

    def spying(G, *args, **kwargs):
        sizes.append(G.shape[0])
        return original(G, *args, **kwargs)

    monkeypatch.setattr(homotopy_module, "lasso_homotopy_from", spying)
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


@pytest.mark.parametrize("kind", ["l1", "elastic_net"])
def test_near_interpolation_the_lasso_hands_over_and_the_elastic_net_is_swept_through(kind, monkeypatch):
    """p > n, λ = 10⁻⁴·λ_max: the support nears n. The lasso's blocks are too ill-conditioned for
    the homotopy's accuracy and its short polish (``POLISH_STEPS``): it hands over, and the
    continuation solves it. The elastic net's coordinate descent, extrapolated (Anderson), gets
    there within ``max_iter`` sweeps (about 8000; 3× faster than handing over was)."""
    X, y = _gaussian(120, 400, 0, k=8)
    top = default_lams(X, y, "l1", n_lams=2)[0]
    outcomes = _record(monkeypatch, "screened_fit")
    result = fit(X, y, penalty_for(kind, top * 1e-4, 0.5), tol=1e-10)
    assert (outcomes == [None]) == (kind == "l1")
    rho = 1.0 if kind == "l1" else 0.5
    assert result.converged and kkt(X, y, result.coef, top * 1e-4, rho) <= 1e-8
    lams = np.array([top * 1e-4])
    _assert_as_good_as_sklearn(X, y, [result.coef], sklearn_path(X, y, lams, rho), lams, rho)


def test_a_wide_elastic_net_fit_sweeps_its_blocks_from_the_last_w(monkeypatch):
    """l2 > 0: every block is solved by coordinate descent (never the homotopy), each started from
    the last round's w, loosely while W grows and to the goal at the end; on the Gram block while
    |W| ≤ n, in the residual form once W is wider than n. The answer is certified."""
    X, y = _gaussian(120, 400, 0, k=8)
    lam = default_lams(X, y, "elastic_net", l1_ratio=0.5, n_lams=2)[0] / 100
    sizes = _spy_blocks(monkeypatch)
    calls = []
    by_gram, by_residual = screened._block_by_sweeps, screened._block_by_residual

    def gram(prob, W, w, half_l1, l2, goal, max_sweeps):
        calls.append(("gram", W.size, np.count_nonzero(w[W]), goal))
        return by_gram(prob, W, w, half_l1, l2, goal, max_sweeps)

    def residual(prob, X, columns, start, diag, half_l1, l2, goal, max_sweeps):
        calls.append(("residual", columns.size, np.count_nonzero(start), goal))
        return by_residual(prob, X, columns, start, diag, half_l1, l2, goal, max_sweeps)

    monkeypatch.setattr(screened, "_block_by_sweeps", gram)
    monkeypatch.setattr(screened, "_block_by_residual", residual)
    result = fit(X, y, penalty_for("elastic_net", lam, 0.5), tol=1e-10)
    assert result.converged and kkt(X, y, result.coef, lam, 0.5) <= 1e-10
    assert not sizes and len(calls) >= 2
    assert all((form == "residual") == (size > 120) for form, size, _, _ in calls)
    assert {form for form, *_ in calls} == {"gram", "residual"}  # W outgrew n on the way
    assert calls[0][2] == 0 and all(started > 0 for _, _, started, _ in calls[1:])  # warm from the 2nd round
    goals = [goal for *_, goal in calls]
    assert goals[0] > goals[-1] and goals[-1] == pytest.approx(1e-10 * float(np.abs(Problem(X, y, True).c).max()))


WARM_CASES = {
    "p > n 150×500": lambda: _gaussian(150, 500, 8, k=15),
    "Toeplitz .95 150×500": _toeplitz_wide,
    "duplicated 120×(150×3)": _duplicated,
}


@pytest.mark.parametrize("name", WARM_CASES)
@pytest.mark.parametrize("depth", [1 / 20, 1 / 200])
def test_the_warm_homotopy_lands_where_the_cold_one_does(name, depth):
    """``lasso_homotopy_from``: the solution on W0 (60 features), then 20 more join and only their
    thresholds fall from their largest pull down to h. It lands on the block's exact solution with
    no polish at all (a feature re-entering with the wrong sign, as rounding once made it do,
    would leave it far off), equal to the cold homotopy's on the same block, in fewer kinks."""
    X, y = WARM_CASES[name]()
    prob = Problem(X, y, True, gram=False)
    h = 0.5 * depth * default_lams(X, y, "l1", n_lams=2)[0]
    goal = 1e-10 * prob.scale
    W0 = np.argsort(-np.abs(prob.c))[:60]
    first = homotopy_module.lasso_homotopy_from(
        prob.gram_block(W0), prob.c[W0], prob.diag[W0], h, np.zeros(60), np.ones(60, dtype=bool), goal, 10_000, 0
    )
    assert first is not None
    w = np.zeros(prob.p)
    w[W0] = first[0]
    pull = np.abs(prob.neg_half_gradient(w))
    pull[W0] = -1.0
    W1 = np.concatenate([W0, np.argsort(-pull)[:20]])
    G, c, diag = prob.gram_block(W1), prob.c[W1], prob.diag[W1]
    moving = np.arange(80) >= 60
    warm = homotopy_module.lasso_homotopy_from(G, c, diag, h, w[W1], moving, goal, 10_000, 0)
    cold = homotopy_module.lasso_homotopy_from(G, c, diag, h, np.zeros(80), np.ones(80, dtype=bool), goal, 10_000, 20)
    assert warm is not None and cold is not None
    assert float(kkt_violation(c - G @ warm[0], warm[0], diag, h, 0.0).max()) <= goal
    if name.startswith("duplicated"):  # not unique: the fitted values are
        Xc = prob.X[:, W1]
        np.testing.assert_allclose(Xc @ warm[0], Xc @ cold[0], atol=1e-8 * np.abs(y).max())
    else:
        np.testing.assert_allclose(warm[0], cold[0], atol=1e-9 * max(np.abs(cold[0]).max(), 1.0))
    assert warm[1] < cold[1]


def test_a_warm_start_with_nothing_to_move_returns_its_start():
    """No newcomer pulls harder than h: w0 is already the answer (certified, no kink)."""
    X, y = _gaussian(120, 400, 1, k=15)
    prob = Problem(X, y, True, gram=False)
    h = 0.5 * default_lams(X, y, "l1", n_lams=2)[0] / 20
    W = np.arange(400)
    goal = 1e-10 * prob.scale
    first = homotopy_module.lasso_homotopy_from(
        prob.gram_block(W), prob.c, prob.diag, h, np.zeros(400), np.ones(400, dtype=bool), goal, 10_000, 0
    )
    moving = np.zeros(400, dtype=bool)
    moving[np.flatnonzero(first[0] == 0.0)[:5]] = True
    again = homotopy_module.lasso_homotopy_from(prob.gram_block(W), prob.c, prob.diag, h, first[0], moving, goal, 10, 0)
    np.testing.assert_array_equal(again[0], first[0])
    assert again[1] == 0


def test_the_gram_cache_hands_out_its_own_block_only_in_its_own_order():
    X, y = _gaussian(50, 400, 2, k=5)
    prob = Problem(X, y, True, gram=False)
    grown = np.array([7, 300, 2, 150, 9])
    first = prob.gram_block(grown[:3])
    block = prob.gram_block(grown)
    expected = prob.X[:, grown].T @ prob.X[:, grown] / prob.n
    np.testing.assert_allclose(block, expected, rtol=1e-12, atol=1e-14)
    assert np.shares_memory(block, prob._cache_block) and not np.shares_memory(first, prob._cache_block)
    shuffled = prob.gram_block(grown[::-1])
    np.testing.assert_allclose(shuffled, expected[::-1, ::-1], rtol=1e-12, atol=1e-14)
    assert not np.shares_memory(shuffled, prob._cache_block)


@pytest.mark.parametrize("n, p, depth", [(100, 400, 3e-3), (150, 500, 1e-3), (120, 400, 1e-3)])
def test_every_warm_round_lands_without_polish(n, p, depth, monkeypatch):
    """Every round warm-started, no polish allowed. Rounding once put a feature that had just left
    (its pull exactly at its threshold) straight back in with the wrong sign, or took out one that
    had just entered; the block solution then missed by far. A crossing now counts only when the
    pull moves towards the threshold (a weight towards 0) as h falls. These seeds failed before."""
    monkeypatch.setattr(screened, "WARM_MAX", 1.0)
    monkeypatch.setattr(screened, "POLISH_STEPS", 0)
    X, y = _gaussian(n, p, 2 if n != 120 else 0, k=10)
    lam = depth * default_lams(X, y, "l1", n_lams=2)[0]
    solved = screened.screened_fit(Problem(X, y, True, gram=False), penalty_for("l1", lam), 1e-10, 100_000)
    assert solved is not None
    assert kkt(X, y, solved[0], lam, 1.0) <= 1e-9


RESIDUAL_CASES = {
    "tall 400×60": lambda: _gaussian(400, 60, 11, k=8),
    "wide 80×200": lambda: _gaussian(80, 200, 12, k=8),
    "Toeplitz .95 150×120": lambda: (_toeplitz_wide()[0][:, :120], _toeplitz_wide()[1]),
}


def _anderson_history(m, n, depth=5):
    """The residual loop's scratch for Anderson's extrapolation (depth < 2: off)."""
    return np.zeros((depth + 1, m)), np.zeros((depth + 1, n)), np.zeros((max(depth, 1), depth + 1))


def _sweep_every_column(function, prob, h, l2, goal, max_sweeps=100_000, depth=5):
    """``function`` (``residual_sweeps``, plain or compiled) on all of Xc's columns, from w = 0:
    (w, r, sweeps)."""
    w, r = np.zeros(prob.p), np.empty(prob.n)
    history = _anderson_history(prob.p, prob.n, depth)
    columns = np.asfortranarray(prob.X)
    sweeps = function(columns, np.arange(prob.p), prob.yc, w, r, prob.diag, h, l2, goal, max_sweeps, *history)
    return w, r, sweeps


@pytest.mark.parametrize("name", RESIDUAL_CASES)
@pytest.mark.parametrize("rho", [1.0, 0.5])
def test_the_residual_sweeps_meet_the_certificate_compiled_or_not(name, rho):
    """``_residual_loop.residual_sweeps`` on a whole problem as one block, as plain Python and
    compiled: every weight meets its condition to the goal, the residual it hands back is
    yc − Xc·w, and the answer is the Gram-form coordinate descent's (``enet_cd``)."""
    from regcourse.linear import _residual_loop
    from regcourse.linear.enet_cd import enet_cd_path

    X, y = RESIDUAL_CASES[name]()
    prob = Problem(X, y, True, gram=False)
    lam = default_lams(X, y, "l1" if rho == 1.0 else "elastic_net", l1_ratio=rho, n_lams=2)[0] / 30
    h, l2 = 0.5 * rho * lam, (1.0 - rho) * lam
    goal = 1e-10 * prob.scale
    G = prob.X.T @ prob.X / prob.n
    reference = enet_cd_path(G, prob.c, prob.diag, np.array([h]), np.array([l2]), goal, 100_000, per_point=100_000)
    for function in (_residual_loop.residual_sweeps, compiled.residual_loop()):
        w, r, sweeps = _sweep_every_column(function, prob, h, l2, goal)
        assert sweeps > 0
        np.testing.assert_allclose(r, prob.yc - prob.X @ w, atol=1e-10 * np.abs(prob.yc).max())
        q = prob.X.T @ r / prob.n
        assert float(kkt_violation(q, w, prob.diag, h, l2).max()) <= goal
        if rho < 1.0 or not name.startswith("wide"):  # unique solutions
            np.testing.assert_allclose(w, reference[0][0], atol=1e-8 * max(np.abs(w).max(), 1e-3))
    assert _sweep_every_column(compiled.residual_loop(), prob, h, l2, goal, max_sweeps=2)[2] == -1


@pytest.mark.parametrize("kind", ["l1", "elastic_net"])
def test_large_blocks_are_swept_in_the_residual_form(kind, monkeypatch):
    """Past ``GRAM_BLOCK_FLOPS`` (here 0: every block) the elastic net's blocks, and the lasso's
    once its homotopy would cost more than ``HOMOTOPY_ROUND_FLOPS`` (here 0: every round after
    the first), are swept in the residual form, each from the last w; the fit is certified and
    as good as scikit-learn's."""
    monkeypatch.setattr(screened, "GRAM_BLOCK_FLOPS", 0.0)
    monkeypatch.setattr(screened, "HOMOTOPY_ROUND_FLOPS", 0.0)
    calls, original = [], screened._block_by_residual

    def recording(prob, X, columns, start, *args):
        calls.append((columns.size, np.count_nonzero(start)))
        return original(prob, X, columns, start, *args)

    monkeypatch.setattr(screened, "_block_by_residual", recording)
    X, y = _gaussian(300, 500, 13, k=12)
    rho = 1.0 if kind == "l1" else 0.5
    lam = default_lams(X, y, kind, l1_ratio=rho, n_lams=2)[0] / 50
    result = fit(X, y, penalty_for(kind, lam, rho), tol=1e-10)
    assert result.converged and kkt(X, y, result.coef, lam, rho) <= 1e-10
    assert len(calls) >= 2 and all(started > 0 for _, started in calls[1:])
    lams = np.array([lam])
    _assert_as_good_as_sklearn(X, y, [result.coef], sklearn_path(X, y, lams, rho), lams, rho)


def test_the_lasso_keeps_its_homotopy_on_small_supports(monkeypatch):
    """Below ``HOMOTOPY_ROUND_FLOPS`` every lasso round is the homotopy's (no sweeps at all)."""
    swept = _record_calls(monkeypatch, "_block_by_sweeps") + _record_calls(monkeypatch, "_block_by_residual")
    sizes = _spy_blocks(monkeypatch)
    X, y = _gaussian(300, 1000, 4, k=15)
    lam = default_lams(X, y, "l1", n_lams=2)[0] / 20
    assert fit(X, y, penalty_for("l1", lam), tol=1e-10).converged
    assert sizes and not swept


def _record_calls(monkeypatch, name):
    calls, original = [], getattr(screened, name)

    def recording(*args, **kwargs):
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(screened, name, recording)
    return calls


def test_the_gathered_columns_are_xc_in_column_major_order_as_w_grows():
    """``_Columns`` gathers bands of rows (n not a multiple of the band) into one buffer."""
    X, y = _gaussian(screened.GATHER_ROWS * 2 + 37, 90, 14, k=5)
    prob = Problem(X, y, True, gram=False)
    columns = screened._Columns(prob, 20)
    W = np.array([5, 80, 3, 41])
    first = columns.of(W)
    assert first.flags.f_contiguous
    np.testing.assert_array_equal(first, prob.X[:, W])
    W = np.concatenate([W, [0, 89, 17]])
    grown = columns.of(W)
    assert grown.flags.f_contiguous and np.shares_memory(first, grown)
    np.testing.assert_array_equal(grown, prob.X[:, W])
    np.testing.assert_array_equal(columns.of(W), grown)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_a_column_major_problem_holds_the_same_centred_data(fit_intercept):
    """``Problem(..., column_major=True)`` centres X in bands of rows (n not a multiple of the
    band) into a column-major copy: the same Xc, c and diag as the row-major one, and the
    caller's X untouched."""
    from regcourse.linear import problem as problem_module

    X, y = _gaussian(problem_module.CENTRING_ROWS * 2 + 37, 90, 16, k=5)
    X = X + 3.0  # a mean to remove
    before = X.copy()
    rows = Problem(X, y, fit_intercept, gram=False)
    columns = Problem(X, y, fit_intercept, gram=False, column_major=True)
    assert columns.X.flags.f_contiguous and rows.X.flags.c_contiguous
    np.testing.assert_array_equal(columns.X, rows.X)
    np.testing.assert_allclose(columns.c, rows.c, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(columns.diag, rows.diag, rtol=1e-13)
    np.testing.assert_array_equal(X, before)


def test_the_residual_sweeps_on_columns_in_place_equal_the_sweeps_on_a_gathered_copy():
    """``residual_sweeps`` on a shuffled subset of a column-major X's columns, read in place, takes
    the same steps as on those columns gathered into their own array: the same w, r and sweeps."""
    X, y = _gaussian(150, 300, 17, k=10)
    prob = Problem(X, y, True, gram=False, column_major=True)
    W = np.random.default_rng(3).permutation(prob.p)[:120]
    lam = default_lams(X, y, "elastic_net", l1_ratio=0.5, n_lams=2)[0] / 50
    h, l2, goal = 0.25 * lam, 0.5 * lam, 1e-10 * prob.scale
    answers = []
    for block, at in ((prob.X, W), (np.asfortranarray(prob.X[:, W]), np.arange(W.size))):
        w, r = np.zeros(W.size), np.empty(prob.n)
        history = _anderson_history(W.size, prob.n)
        sweeps = compiled.residual_loop()(block, at, prob.yc, w, r, prob.diag[W], h, l2, goal, 100_000, *history)
        assert sweeps > 0
        answers.append((w, r, sweeps))
    np.testing.assert_array_equal(answers[0][0], answers[1][0])
    np.testing.assert_array_equal(answers[0][1], answers[1][1])
    assert answers[0][2] == answers[1][2]


@pytest.mark.parametrize("kind, rho", [("l1", 1.0), ("elastic_net", 0.5)])
def test_a_tall_fit_sweeps_xc_in_place(kind, rho, monkeypatch):
    """A tall X (n > p, p past the compiled homotopy's limit) is held column-major, and its
    residual-form blocks read Xc's own columns (no gathered copy); a wide X's are gathered. Both
    fits are certified and as good as scikit-learn's."""
    monkeypatch.setattr(screened, "GRAM_BLOCK_FLOPS", 0.0)  # every swept block in the residual form
    monkeypatch.setattr(screened, "HOMOTOPY_ROUND_FLOPS", 0.0)
    seen, original = [], screened._block_by_residual

    def recording(prob, X, columns, *args):
        seen.append((X is prob.X, X.flags.f_contiguous, prob.X.flags.f_contiguous))
        return original(prob, X, columns, *args)

    monkeypatch.setattr(screened, "_block_by_residual", recording)
    for (n, p), in_place in (((700, 400), True), ((200, 400), False)):
        seen.clear()
        X, y = _gaussian(n, p, 18, k=12)
        lam = default_lams(X, y, kind, l1_ratio=rho, n_lams=2)[0] / 30
        result = fit(X, y, penalty_for(kind, lam, rho), tol=1e-10)
        assert result.converged and kkt(X, y, result.coef, lam, rho) <= 1e-10
        assert seen and all(entry == (in_place, True, in_place) for entry in seen), seen
        lams = np.array([lam])
        _assert_as_good_as_sklearn(X, y, [result.coef], sklearn_path(X, y, lams, rho), lams, rho)


def test_a_tall_problem_reserves_within_the_byte_limit_and_doubles_as_w_grows(monkeypatch):
    """Where W's limit of columns would exceed ``RESERVED_BYTES``, the buffer starts with what
    fits and doubles (copying what it had) as W outgrows it, never past the limit."""
    X, y = _gaussian(300, 120, 15, k=5)
    prob = Problem(X, y, True, gram=False)
    monkeypatch.setattr(screened, "RESERVED_BYTES", 8 * 300 * 4)  # room for 4 columns
    columns = screened._Columns(prob, 50)
    assert columns.transposed.shape == (4, 300)
    W = np.array([7, 3, 100])
    np.testing.assert_array_equal(columns.of(W), prob.X[:, W])
    W = np.concatenate([W, [9, 11, 60, 2, 5]])  # 8 > 4: doubled to 2·8
    grown = columns.of(W)
    assert columns.transposed.shape == (16, 300) and grown.flags.f_contiguous
    np.testing.assert_array_equal(grown, prob.X[:, W])
    W = np.concatenate([W, np.arange(20, 60)])  # 48: doubled to 96, capped at the limit
    np.testing.assert_array_equal(columns.of(W), prob.X[:, W])
    assert columns.transposed.shape == (50, 300)


def test_the_residual_sweeps_extrapolation_saves_sweeps_and_keeps_the_answer():
    """The residual loop's Anderson extrapolation (every ``ANDERSON_DEPTH`` + 1 sweeps, kept when
    it lowers J): on a wide 120×400 elastic net at λ_max/1000, at most two thirds of the sweeps, and
    the same minimizer (within the certificate's bound)."""
    from regcourse.linear.enet_cd import ANDERSON_DEPTH

    X, y = _gaussian(120, 400, 0, k=8)
    prob = Problem(X, y, True, gram=False)
    lam = default_lams(X, y, "elastic_net", l1_ratio=0.5, n_lams=2)[0] / 1000
    h, l2, goal = 0.25 * lam, 0.5 * lam, 1e-10 * prob.scale
    results = {}
    for depth in (0, ANDERSON_DEPTH):
        w, r, sweeps = _sweep_every_column(compiled.residual_loop(), prob, h, l2, goal, depth=depth)
        assert sweeps > 0
        np.testing.assert_allclose(r, prob.yc - prob.X @ w, atol=1e-10 * np.abs(prob.yc).max())
        assert float(kkt_violation(prob.X.T @ r / prob.n, w, prob.diag, h, l2).max()) <= goal
        results[depth] = (w, sweeps)
    assert results[ANDERSON_DEPTH][1] <= 2 / 3 * results[0][1], {d: s for d, (_, s) in results.items()}
    bound = 2 * np.sqrt(prob.p) * goal / l2  # twice the certificate's distance to the minimizer
    assert np.linalg.norm(results[ANDERSON_DEPTH][0] - results[0][0]) <= bound


def test_near_interpolation_the_lasso_goes_back_from_sweeps_to_the_homotopy(monkeypatch):
    """Every lasso round with a support would be swept (``HOMOTOPY_ROUND_FLOPS`` = 0), but once
    the support reaches ``NEAR_RANK``·n (here 90 of n = 120), where coordinate descent crawls,
    the rounds go back to the homotopy, from 0 (the swept w is loose) and then warm; the fit is
    certified and as good as scikit-learn's."""
    monkeypatch.setattr(screened, "HOMOTOPY_ROUND_FLOPS", 0.0)
    calls = []
    by_homotopy, by_gram, by_residual = (
        screened.homotopy.lasso_homotopy_from,
        screened._block_by_sweeps,
        screened._block_by_residual,
    )

    def homotopy_round(G, c, diag, half_l1, start, moving, *args):
        calls.append(("homotopy", int(np.count_nonzero(start)), bool(moving.all())))
        return by_homotopy(G, c, diag, half_l1, start, moving, *args)

    def gram_round(prob, W, w, *args):
        calls.append(("swept", int(np.count_nonzero(w[W])), None))
        return by_gram(prob, W, w, *args)

    def residual_round(prob, X, columns, start, *args):
        calls.append(("swept", int(np.count_nonzero(start)), None))
        return by_residual(prob, X, columns, start, *args)

    monkeypatch.setattr(screened.homotopy, "lasso_homotopy_from", homotopy_round)
    monkeypatch.setattr(screened, "_block_by_sweeps", gram_round)
    monkeypatch.setattr(screened, "_block_by_residual", residual_round)
    X, y = _gaussian(120, 400, 0, k=8)
    lam = default_lams(X, y, "l1", n_lams=2)[0] / 300
    result = fit(X, y, penalty_for("l1", lam, 1.0), tol=1e-10)
    assert result.converged and kkt(X, y, result.coef, lam, 1.0) <= 1e-10
    assert np.count_nonzero(result.coef) >= screened.NEAR_RANK * 120
    kinds = [kind for kind, _, _ in calls]
    assert kinds[0] == "homotopy" and "swept" in kinds and kinds[-1] == "homotopy"
    assert all(support < screened.NEAR_RANK * 120 for kind, support, _ in calls if kind == "swept")
    back = kinds.index("homotopy", kinds.index("swept"))
    assert calls[back][1:] == (0, True)  # from 0: everything moves
    lams = np.array([lam])
    _assert_as_good_as_sklearn(X, y, [result.coef], sklearn_path(X, y, lams, 1.0), lams, 1.0)
