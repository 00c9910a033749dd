"""The inputs users bring to regcourse.linear and selection.cross_validate (scipy.sparse, pandas,
float32, integers; data too large for float64; complex numbers), and the working-set solver on
awkward shapes: wide (p > n), strongly correlated, duplicated and constant columns, both ways of
holding the problem (Gram matrix or residuals), checked by the optimality conditions themselves
and against scikit-learn."""

import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from sklearn.linear_model import lasso_path

from _linear_checks import ar1_columns
from regcourse import L1, L2, ElasticNet
from regcourse.linear import fit, lam_max, path, penalty_for
from regcourse.linear import problem as problem_module
from regcourse.linear.problem import Problem
from regcourse.selection import cross_validate, train_val_split


def kkt(X, y, coef, pen, fit_intercept=True):
    """Largest violation of 0 ∈ ∇MSE + l1·∂‖w‖₁ + 2·l2·w, relative to max|∇MSE(0)|, computed
    with the centring written out (X may be sparse; it is not densified)."""
    n = len(y)
    means = np.asarray(X.mean(axis=0)).reshape(-1) if fit_intercept else np.zeros(X.shape[1])
    yc = y - y.mean() if fit_intercept else y

    def xt(r):
        return np.asarray(X.T @ r).reshape(-1) - means * r.sum()

    residual = yc - (np.asarray(X @ coef).reshape(-1) - means @ coef)
    g = -(2.0 / n) * xt(residual) + 2.0 * pen.l2_coef * coef
    l1 = pen.l1_coef
    violation = np.where(coef != 0, np.abs(g + l1 * np.sign(coef)), np.maximum(np.abs(g) - l1, 0.0))
    return float(violation.max()) / ((2.0 / n) * float(np.abs(xt(yc)).max()))


def sparse_data(n=60, p=150, density=0.1, seed=0):
    rng = np.random.default_rng(seed)
    X = scipy.sparse.random(n, p, density=density, format="csr", random_state=seed, data_rvs=rng.standard_normal)
    X = X + scipy.sparse.random(n, p, density=0.02, format="csr", random_state=seed + 1) * 50.0  # uneven scales
    w = np.zeros(p)
    w[:6] = rng.normal(scale=3.0, size=6)
    return X.tocsr(), np.asarray(X @ w).reshape(-1) + 2.0 + rng.normal(size=n)


# --- scipy.sparse ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(60, 150), (200, 40)], ids=["p>n", "n>p"])
@pytest.mark.parametrize("kind, l1_ratio", [("l1", 1.0), ("elastic_net", 0.4), ("l2", 0.0)])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_and_dense_paths_agree(shape, kind, l1_ratio, fit_intercept):
    X, y = sparse_data(*shape)
    dense = X.toarray()
    ours = path(X, y, kind, l1_ratio=l1_ratio, n_lams=15, fit_intercept=fit_intercept)
    reference = path(dense, y, kind, l1_ratio=l1_ratio, n_lams=15, fit_intercept=fit_intercept)
    np.testing.assert_allclose(ours.lams, reference.lams, rtol=1e-12)
    np.testing.assert_allclose(ours.coefs, reference.coefs, atol=1e-8 * np.abs(reference.coefs).max())
    np.testing.assert_allclose(ours.intercepts, reference.intercepts, atol=1e-8 * (1 + np.abs(y).max()))
    assert ours.converged
    np.testing.assert_allclose(ours.predict(X), reference.predict(dense), atol=1e-7 * np.abs(y).max())


@pytest.mark.parametrize("pen", [L1(0.05), ElasticNet(l1=0.05, l2=0.1), L2(0.3)], ids=repr)
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_sparse_fit_equals_dense_fit_and_leaves_the_input_unchanged(pen, fmt):
    X, y = sparse_data()
    X = X.asformat(fmt)
    before = X.copy()
    ours, reference = fit(X, y, pen), fit(X.toarray(), y, pen)
    np.testing.assert_allclose(ours.coef, reference.coef, atol=1e-9)
    assert ours.intercept == pytest.approx(reference.intercept, abs=1e-9)
    assert ours.objective == pytest.approx(reference.objective, rel=1e-9)
    assert (X != before).nnz == 0 and X.format == fmt


def test_a_large_sparse_matrix_is_never_densified():
    """30000×100000 at 0.005% density: 24 GB dense, a few MB sparse; the path stays small."""
    rng = np.random.default_rng(3)
    n, p, nnz = 30_000, 100_000, 150_000
    X = scipy.sparse.coo_matrix(
        (rng.normal(size=nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))), shape=(n, p)
    ).tocsc()
    y = np.asarray(X[:, :20] @ rng.normal(size=20)).reshape(-1) + 0.1 * rng.normal(size=30_000)
    tracemalloc.start()
    result = path(X, y, "l1", n_lams=8, eps=0.1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.converged and np.count_nonzero(result.coefs[-1]) > 0
    assert peak < 200e6, f"peak {peak / 1e6:.0f} MB"
    assert kkt(X, y, result.coefs[-1], result.penalty(len(result.lams) - 1)) < 1e-9


def test_cross_validate_gives_the_same_curve_for_sparse_and_dense_and_dataframes():
    X, y = sparse_data(80, 120)
    dense = X.toarray()
    reference = cross_validate(dense, y, "l1", k=4, n_lams=12)
    for variant in (X, X.tocsc(), pd.DataFrame(dense, columns=[f"f{j}" for j in range(120)])):
        cv = cross_validate(variant, pd.Series(y) if isinstance(variant, pd.DataFrame) else y, "l1", k=4, n_lams=12)
        np.testing.assert_allclose(cv.mean, reference.mean, rtol=1e-8)
        assert cv.best_index == reference.best_index and cv.index_1se == reference.index_1se


# --- pandas, float32, integers -----------------------------------------------------------------


def test_dataframe_columns_become_feature_names_and_the_numbers_do_not_change():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(50, 4)), columns=["age", "bmi", "bp", 7])
    target = pd.Series(frame["bmi"] * 2.0 - frame["bp"] + rng.normal(size=50), name="target")
    result = path(frame, target, "l1", n_lams=10)
    single = fit(frame, target, L1(0.1))
    assert result.feature_names == ("age", "bmi", "bp", "7") and single.feature_names == result.feature_names
    np.testing.assert_array_equal(result.coefs, path(frame.to_numpy(), target.to_numpy(), "l1", n_lams=10).coefs)
    np.testing.assert_allclose(single.predict(frame), single.predict(frame.to_numpy()))
    assert fit(frame.to_numpy(), target, L1(0.1)).feature_names is None


def test_a_path_fitted_on_a_dataframe_labels_its_plot_with_the_column_names():
    import matplotlib

    matplotlib.use("Agg")
    from regcourse.plots import coefficient_path

    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(40, 3)), columns=["alpha", "beta", "gamma"])
    y = frame["alpha"] - 2 * frame["gamma"] + rng.normal(size=40)
    fig = coefficient_path(path(frame, y, "l1", n_lams=8))
    from regcourse.plots._labels import EndLabels

    labels = {text.get_text() for end_labels in fig.findobj(EndLabels) for text in end_labels.texts}
    assert {"alpha", "beta", "gamma"} <= labels
    fig = coefficient_path(path(frame, y, "l1", n_lams=8), ["a", "b", "c"])  # names given explicitly win
    assert {"a", "b", "c"} <= {text.get_text() for end_labels in fig.findobj(EndLabels) for text in end_labels.texts}


def test_float32_and_integer_input_give_float64_results_equal_to_float64_input():
    rng = np.random.default_rng(4)
    X = rng.integers(-5, 6, size=(40, 6))
    y = X @ np.array([1.0, 0, 0, -2.0, 0, 0.5]) + rng.normal(size=40)
    reference = fit(X.astype(np.float64), y, L1(0.2))
    for variant in (X, X.astype(np.float32)):
        result = fit(variant, y.astype(np.float32) if variant.dtype == np.float32 else y, L1(0.2))
        assert result.coef.dtype == np.float64 and isinstance(result.intercept, float)
        tolerance = 1e-5 if variant.dtype == np.float32 else 1e-12  # y rounded to float32 moves the optimum a little
        np.testing.assert_allclose(result.coef, reference.coef, atol=tolerance * np.abs(reference.coef).max())


# --- bad input -----------------------------------------------------------------------------------


X_OK = np.random.default_rng(5).normal(size=(20, 3))
Y_OK = X_OK @ np.array([1.0, -1.0, 0.0]) + 0.1


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: fit(X_OK * 1e200, Y_OK, L1(0.1)), ValueError, "X is too large"),
        (lambda: path(X_OK * 1e200, Y_OK, "l1"), ValueError, "X is too large"),
        (lambda: fit(np.hstack([X_OK, np.full((20, 1), 1e300)]), Y_OK, L1(0.1)), ValueError, "X is too large"),
        (lambda: fit(scipy.sparse.csr_matrix(X_OK * 1e200), Y_OK, L1(0.1)), ValueError, "X is too large"),
        (lambda: fit(X_OK, Y_OK * 1e200, L1(0.1)), ValueError, "y is too large"),
        (lambda: fit(X_OK + 1j, Y_OK, L1(0.1)), TypeError, "X must hold real numbers, got complex"),
        (
            lambda: fit(scipy.sparse.csr_matrix(X_OK + 1j), Y_OK, L1(0.1)),
            TypeError,
            "X must hold real numbers, got complex",
        ),
        (lambda: fit(X_OK, Y_OK + 0j, L1(0.1)), TypeError, "y must hold real numbers"),
        (
            lambda: fit(scipy.sparse.csr_matrix(np.where(X_OK > 1, np.nan, X_OK)), Y_OK, L1(0.1)),
            ValueError,
            "X contains NaN",
        ),
        (lambda: fit(X_OK, Y_OK, L1(0.1), loss="hinge"), ValueError, "loss must be one of 'squared'"),
        (
            lambda: fit(pd.DataFrame({"a": ["x"] * 20, "b": X_OK[:, 0]}), Y_OK, L1(0.1)),
            TypeError,
            "X must be an array of numbers",
        ),
        (lambda: cross_validate(X_OK, Y_OK, "l1", seed="a"), TypeError, "seed must be an integer, got str"),
        (lambda: cross_validate(X_OK, Y_OK, "l1", seed=-1), ValueError, "seed must be >= 0"),
        (lambda: train_val_split(X_OK, Y_OK, seed=1.5), TypeError, "seed must be an integer"),
    ],
)
def test_bad_input_gets_an_error_naming_the_parameter(call, error, words):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no flood of overflow warnings before it
        with pytest.raises(error) as raised:
            call()
    assert words in str(raised.value)


# --- the working-set solver on awkward problems -----------------------------------------------------


def toeplitz(n, p, rho, seed=0):
    rng = np.random.default_rng(seed)
    X = ar1_columns(rng, n, p, rho)
    w = np.zeros(p)
    w[:: max(p // 8, 1)] = 2.0
    return X, X @ w + rng.normal(size=n)


AWKWARD = {
    "wide 50×400": lambda: toeplitz(50, 400, 0.0, 1),
    "wide correlated 60×300 ρ=.99": lambda: toeplitz(60, 300, 0.99, 2),
    "tall correlated 400×60 ρ=.95": lambda: toeplitz(400, 60, 0.95, 3),
}


@pytest.mark.parametrize("name", AWKWARD)
@pytest.mark.parametrize("kind, l1_ratio", [("l1", 1.0), ("elastic_net", 0.5)])
def test_paths_satisfy_the_optimality_conditions_in_both_forms(name, kind, l1_ratio, monkeypatch):
    X, y = AWKWARD[name]()
    results = [path(X, y, kind, l1_ratio=l1_ratio, n_lams=40)]
    monkeypatch.setattr(problem_module, "GRAM_MAX_FEATURES", 0)  # force the residual form
    results.append(path(X, y, kind, l1_ratio=l1_ratio, n_lams=40))
    for result in results:
        assert result.converged
        for i in (0, 10, 25, 39):
            assert kkt(X, y, result.coefs[i], result.penalty(i)) < 1e-9
    np.testing.assert_allclose(results[0].coefs, results[1].coefs, atol=1e-7 * np.abs(results[0].coefs).max())


def test_the_wide_lasso_path_matches_scikit_learn():
    X, y = toeplitz(40, 500, 0.5, 4)
    lams = np.geomspace(lam_max(X, y), lam_max(X, y) * 0.05, 20)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, theirs, _ = lasso_path(Xc, yc, alphas=lams / 2, tol=1e-14, max_iter=1_000_000)
    np.testing.assert_allclose(path(X, y, "l1", lams).coefs, theirs.T, atol=1e-6)


@pytest.mark.parametrize("pen", [L1(0.05), ElasticNet(l1=0.05, l2=0.02)], ids=repr)
def test_duplicated_and_constant_columns_do_not_break_the_solver(pen):
    rng = np.random.default_rng(6)
    base = rng.normal(size=(30, 5))
    X = np.hstack([base, base[:, :2], np.full((30, 1), 3.0), np.zeros((30, 1))])  # copies, a constant, zeros
    y = base @ np.array([2.0, -1.0, 0.0, 0.5, 0.0]) + 0.1 * rng.normal(size=30)
    result = fit(X, y, pen)
    assert result.converged and kkt(X, y, result.coef, pen) < 1e-9
    assert result.coef[-1] == 0.0 and result.coef[-2] == 0.0
    reference = fit(X, y, pen, solver="fista", max_iter=200_000)
    assert result.objective == pytest.approx(reference.objective, rel=1e-9)


def test_no_p_by_p_array_when_p_exceeds_n():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(100, 4000))  # a 4000×4000 Gram matrix would take 128 MB
    y = X[:, :10] @ rng.normal(size=10) + rng.normal(size=100)
    assert Problem(X, y, True).G is None
    tracemalloc.start()
    result = path(X, y, "l1", n_lams=30)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.converged and peak < 40e6, f"peak {peak / 1e6:.0f} MB"


def test_elastic_net_path_uses_every_penalty_constant():
    """ElasticNet(l1, l2) on the path equals separate fits, for a mix other than 0.5."""
    X, y = toeplitz(30, 80, 0.8, 8)
    result = path(X, y, "elastic_net", l1_ratio=0.3, n_lams=6)
    for i, lam in enumerate(result.lams):
        single = fit(X, y, penalty_for("elastic_net", lam, 0.3), solver="cd", tol=1e-12, max_iter=100_000)
        np.testing.assert_allclose(result.coefs[i], single.coef, atol=1e-7)


def test_importing_regcourse_linear_loads_numpy_only():
    import json
    import subprocess
    import sys

    heavy = ["scipy", "sklearn", "pandas", "torch", "matplotlib"]
    code = (
        "import sys, json, regcourse.linear, regcourse.selection; "
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


@pytest.mark.parametrize("form", ["gram", "rows", "columns", "sparse"])
def test_every_form_of_the_problem_gives_the_same_gram_matrix(form):
    """``Problem.gram()`` is XcᵀXc/n, written out here from the centred dense data, whichever way
    the problem holds X: the Gram form's G, a row-major or column-major centred copy, or a sparse
    X centred implicitly."""
    rng = np.random.default_rng(21)
    X = rng.normal(size=(40, 12)) + 5.0
    X[rng.random(X.shape) < 0.6] = 0.0
    y = rng.normal(size=40)
    Xc = X - X.mean(axis=0)
    expected = Xc.T @ Xc / 40
    data = scipy.sparse.csc_matrix(X) if form == "sparse" else X
    prob = Problem(data, y, True, gram=form == "gram", column_major=form == "columns")
    np.testing.assert_allclose(prob.gram(), expected, rtol=1e-12, atol=1e-12)
    assert (prob.G is not None) == (form == "gram")
