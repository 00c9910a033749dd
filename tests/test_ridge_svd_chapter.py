"""What chapter 11 (ridge through the SVD) prints and states, recomputed without regcourse's
solvers: scikit-learn's Ridge (α = nλ), Lasso (α = λ/2), PCA and LinearRegression, and NumPy.

Each test recomputes a number and finds it, formatted as the lecture formats it, in the output the
notebook saved (nbval separately checks that the notebook still prints what it saved)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import Lasso, LinearRegression, Ridge

from _lecture_outputs import printed as printed_in
from _lecture_outputs import prose as prose_of
from _project import ROOT
from regcourse.data import load_diabetes, make_sparse_regression

LECTURE = ROOT / "notebooks" / "11_ridge_svd.ipynb"


def printed(fragment: str) -> str:
    return printed_in(LECTURE, fragment)


def prose() -> str:
    return prose_of(LECTURE)


@pytest.fixture(scope="module")
def diabetes():
    data = load_diabetes(scaled=False)
    X = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0)
    return X, data.y, list(data.feature_names)


def ridge(X, y, lam):
    return Ridge(alpha=len(y) * lam, solver="svd").fit(X, y)


# --- section 1 --------------------------------------------------------------------------------------


def test_the_variances_and_shrinkage_factors_printed(diabetes):
    X, y, _ = diabetes
    variances = PCA().fit(X).explained_variance_ * (len(y) - 1) / len(y)
    factors = variances / (variances + 0.05)  # d²/(d² + nλ) = g/(g + λ) with g = d²/n
    text = printed("ridge_svd.principal_directions(X)")
    assert str(variances.round(4))[1:-1].split() == text.splitlines()[0].split("[")[1].rstrip("]").split()
    assert str(factors.round(3))[1:-1].split() == text.splitlines()[1].split("[")[1].rstrip("]").split()
    assert variances.sum() == pytest.approx(10.0)  # "add up to 10"
    assert round(variances[0] / variances[-1], -1) == 470  # "about 470 times less"
    assert (round(factors[0], 2), round(factors[-1], 2)) == (0.99, 0.15)  # "99% … 15%"
    assert "about 470 times less" in prose() and "99% of the fit along the first direction and 15%" in prose()


def test_the_svd_formula_is_ridge(diabetes):
    X, y, _ = diabetes
    n = len(y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    U, d, Vt = np.linalg.svd(Xc, full_matrices=False)
    w = Vt.T @ (d / (d**2 + n * 0.05) * (U.T @ yc))
    np.testing.assert_allclose(w, ridge(X, y, 0.05).coef_, rtol=0, atol=1e-10)
    assert "agree to 1e-10: True" in printed("w_svd = Vt.T")


def test_the_direction_of_least_variance_is_cholesterol_against_its_parts(diabetes):
    X, _, names = diabetes
    last = PCA().fit(X).components_[-1]
    last = last * np.sign(last[np.argmax(np.abs(last))])
    top = np.argsort(-np.abs(last))[:4]
    assert [names[j] for j in top] == ["s1", "s2", "s3", "s5"]
    expected = "  ".join(f"{last[j]:+.2f}·{names[j]}" for j in top)
    assert printed("the last direction") == f"the last direction: {expected}\n"
    assert last[4] > 0 and np.all(last[[5, 6, 8]] < 0)  # s1 against s2, s3 and s5: opposite signs


def test_least_squares_gives_s1_and_s2_large_weights_of_opposite_signs(diabetes):
    X, y, names = diabetes
    coef = LinearRegression().fit(X, y).coef_
    s1, s2 = coef[names.index("s1")], coef[names.index("s2")]
    assert s1 * s2 < 0
    assert min(abs(s1), abs(s2)) > np.median(np.abs(coef))  # large: s1 the largest of all
    assert abs(s1) == np.abs(coef).max()


def test_a_weight_changes_sign_and_grows_while_the_norm_falls(diabetes):
    X, y, names = diabetes
    s3 = names.index("s3")
    small, large = ridge(X, y, 1e-4).coef_, ridge(X, y, 0.15).coef_
    assert abs(large[s3]) > 1.9 * abs(small[s3]) and np.sign(large[s3]) != np.sign(small[s3])
    assert np.linalg.norm(large) < np.linalg.norm(small)
    text = printed("weight of s3")
    assert f"{small[s3]:6.2f}" in text and f"{large[s3]:6.2f}" in text
    assert f"{np.linalg.norm(small):6.2f}" in text and f"{np.linalg.norm(large):6.2f}" in text
    lams = np.geomspace(1e-4, 100, 200)  # ‖ŵ‖ falls at every step of λ
    norms = [np.linalg.norm(ridge(X, y, lam).coef_) for lam in lams]
    assert np.all(np.diff(norms) < 0)


# --- section 2 --------------------------------------------------------------------------------------


def _simulated_df(X, mu, sigma, model, seed):
    """The covariance definition of df simulated as the lecture does (500 draws of y, seed 1)."""
    rng = np.random.default_rng(seed)
    sums, counts = [], []
    for _ in range(500):
        eps = rng.standard_normal(len(mu))
        fitted = model.fit(X, mu + sigma * eps)
        sums.append((fitted.predict(X) - mu) @ eps / sigma)
        counts.append(1 + np.count_nonzero(getattr(fitted, "coef_", [])))
    return np.mean(sums), np.std(sums, ddof=1) / np.sqrt(len(sums)), np.mean(counts)


@pytest.fixture(scope="module")
def simulation_truth(diabetes):
    X, y, _ = diabetes
    ls = LinearRegression().fit(X, y)
    mu = ls.predict(X)
    return mu, np.sqrt(np.sum((y - mu) ** 2) / (len(y) - 11))


def test_the_simulated_degrees_of_freedom_printed_and_their_formulas(diabetes, simulation_truth):
    X, y, _ = diabetes
    mu, sigma = simulation_truth
    n = len(y)
    text = printed("for lam in (0.1, 1.0):")
    for lam in (0.1, 1.0):
        df, se, _ = _simulated_df(X, mu, sigma, Ridge(alpha=n * lam), seed=1)
        g = PCA().fit(X).explained_variance_ * (n - 1) / n
        formula = 1 + np.sum(g / (g + lam))
        line = f"ridge λ = {lam:4}: simulated df {df:5.2f} ± {se:.2f}   formula {formula:5.2f}"
        assert line in text
        assert abs(df - formula) < 2 * se  # "within about two standard errors"
    for lam in (1.0, 5.0, 20.0):
        df, se, count = _simulated_df(X, mu, sigma, Lasso(alpha=lam / 2, tol=1e-12, max_iter=100_000), seed=1)
        line = f"lasso λ = {lam:4}: simulated df {df:5.2f} ± {se:.2f}   1 + mean non-zeros {count:5.2f}"
        assert line in text
        assert abs(df - count) < 2 * se


def test_df_with_more_features_than_rows_stops_at_n():
    wide = make_sparse_regression(n_samples=40, n_features=100, n_informative=5, seed=0)
    traces = []
    for lam in (1e-8, 1.0):
        H = np.column_stack([Ridge(alpha=40 * lam).fit(wide.X, e).predict(wide.X) for e in np.eye(40)])
        traces.append(np.trace(H))
    assert round(traces[0], 2) == 40.0
    assert printed("wide = make_sparse_regression") == (
        f"df at λ = 1e-8: {traces[0]:.2f}   at λ = 1: {traces[1]:.2f}   (p + 1 = 101, n = 40)\n"
    )


# --- sections 3 and 4 ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def problem():
    data = make_sparse_regression(n_samples=5080, n_features=40, n_informative=40, correlation=0.5, noise=6.0, seed=0)
    return data.X[:80], data.y[:80], data.X[80:], data.y[80:], np.geomspace(1e-3, 10, 41)


def _loo_by_refits(X, y, alpha):
    errors = [
        y[i] - Ridge(alpha=alpha).fit(np.delete(X, i, 0), np.delete(y, i)).predict(X[i : i + 1])[0]
        for i in range(len(y))
    ]
    return np.mean(np.square(errors))


def _loo_shortcut(X, y, lam):
    n = len(y)
    H = np.column_stack([Ridge(alpha=n * lam).fit(X, e).predict(X) for e in np.eye(n)])
    return np.mean(((y - H @ y) / (1 - np.diag(H))) ** 2), H


def _loo_by_solves(X, y, alphas):
    """Leave-one-out by refitting Σ(yᵢ − b − xᵢw)² + α‖w‖² on each n − 1 rows, plain NumPy."""
    out = []
    for alpha in alphas:
        errors = []
        for i in range(len(y)):
            Xk, yk = np.delete(X, i, 0), np.delete(y, i)
            mx, my = Xk.mean(axis=0), yk.mean()
            w = np.linalg.solve((Xk - mx).T @ (Xk - mx) + alpha * np.eye(X.shape[1]), (Xk - mx).T @ (yk - my))
            errors.append(y[i] - my - (X[i] - mx) @ w)
        out.append(np.mean(np.square(errors)))
    return np.array(out)


def test_both_leave_one_outs_pick_the_same_lambda_of_the_whole_grid(problem):
    X, y, _, _, lams = problem
    m = len(y)
    shortcut = _loo_by_solves(X, y, m * lams)  # α = nλ: what the shortcut equals
    same_lam = _loo_by_solves(X, y, (m - 1) * lams)
    text = printed("same_lam = np.array")
    assert (
        f"best λ: shortcut {lams[np.argmin(shortcut)]:.4f}, refits at the same λ {lams[np.argmin(same_lam)]:.4f}"
        in text
    )
    assert np.argmin(shortcut) == np.argmin(same_lam)
    assert f"largest relative difference {np.max(np.abs(same_lam / shortcut - 1)):.1%}" in text


def test_the_shortcut_is_the_refit_at_n_lambda_over_n_minus_1_and_one_percent_from_the_same_lambda(problem):
    X, y, _, _, lams = problem
    m = len(y)
    picked = lams[::5]  # every fifth λ of the grid, the largest included
    shortcut = np.array([_loo_shortcut(X, y, lam)[0] for lam in picked])
    fixed_alpha = np.array([_loo_by_refits(X, y, m * lam) for lam in picked])  # α = nλ on n − 1 rows
    same_lam = np.array([_loo_by_refits(X, y, (m - 1) * lam) for lam in picked])
    np.testing.assert_allclose(fixed_alpha, shortcut, rtol=1e-9)
    gap = np.max(np.abs(same_lam / shortcut - 1))
    assert f"largest relative difference {gap:.1%}" in printed("same_lam = np.array")
    assert np.argmax(np.abs(same_lam / shortcut - 1)) == len(picked) - 1  # the most at the largest λ
    assert "shortcut = refits at nλ/(n − 1) to 1e-10: True" in printed("same_lam = np.array")


def _criteria_table(problem):
    X, y, X_new, y_new, lams = problem
    n = len(y)
    sigma2 = np.sum((y - LinearRegression().fit(X, y).predict(X)) ** 2) / (n - 40 - 1)
    rows = {"leave-one-out": [], "GCV": [], "Cp (= AIC)": [], "BIC": []}
    dfs, tests = [], []
    for lam in lams:
        loo, H = _loo_shortcut(X, y, lam)
        rss, df = np.sum((y - H @ y) ** 2), np.trace(H)
        rows["leave-one-out"].append(loo)
        rows["GCV"].append(rss / n / (1 - df / n) ** 2)
        rows["Cp (= AIC)"].append(rss / n + 2 * df * sigma2 / n)
        rows["BIC"].append(rss / n + np.log(n) * df * sigma2 / n)
        dfs.append(df)
        tests.append(np.mean((ridge(X, y, lam).predict(X_new) - y_new) ** 2))
    return sigma2, {k: np.array(v) for k, v in rows.items()}, np.array(dfs), np.array(tests)


def test_the_criteria_table(problem):
    X, y, _, _, lams = problem
    sigma2, rows, dfs, tests = _criteria_table(problem)
    text = printed("criteria = ridge_criteria(X_train, y_train, lams)")
    assert f"σ̂² = {sigma2:.1f} (the truth: 6² = 36)" in text
    for name, curve in rows.items():
        i = np.argmin(curve)
        assert f"{name:<15} {lams[i]:8.4f} {dfs[i]:5.1f} {tests[i]:9.1f}" in text, name
    best = np.argmin(tests)
    assert f"{'best possible':<15} {lams[best]:8.4f} {dfs[best]:5.1f} {tests[best]:9.1f}" in text
    # 5-fold CV on the lecture's folds (regcourse's seeded split), each fold fitted by scikit-learn
    from regcourse.selection import _folds

    errors = np.zeros(lams.size)
    for val in _folds(len(y), 5, 0):
        train = np.setdiff1d(np.arange(len(y)), val)
        for j, lam in enumerate(lams):
            errors[j] += np.mean((ridge(X[train], y[train], lam).predict(X[val]) - y[val]) ** 2) / 5
    i = np.argmin(errors)
    assert f"{'5-fold CV':<15} {lams[i]:8.4f} {dfs[i]:5.1f} {tests[i]:9.1f}" in text
    # the reading below the figure: factor 3.2, test errors 51.0 to 58.9 within 17% of 50.6
    chosen = [np.argmin(curve) for curve in rows.values()] + [i]
    ratios = [max(lams[c] / lams[best], lams[best] / lams[c]) for c in chosen]
    assert round(max(ratios), 1) == 3.2
    assert (round(min(tests[chosen]), 1), round(max(tests[chosen]), 1), round(tests[best], 1)) == (51.0, 58.9, 50.6)
    assert max(tests[chosen]) / tests[best] - 1 < 0.17
    assert "within a factor 3.2" in prose() and "51.0 to 58.9, are within 17% of the best possible 50.6" in prose()
    assert lams[np.argmin(rows["BIC"])] == max(lams[c] for c in chosen)  # "BIC picks the largest λ"


def test_leave_one_out_by_refitting_is_far_slower_than_the_shortcut(problem):
    """The lecture's timing table is not compared (its cell is tagged nbval-ignore-output); the
    order it shows is: one SVD for 41 λ is at least 10× faster than 80 refits per λ."""
    import time

    from regcourse import L2, linear
    from regcourse.selection import ridge_loo_mse

    X, y, _, _, lams = problem
    start = time.perf_counter()
    ridge_loo_mse(X, y, lams)
    shortcut = time.perf_counter() - start
    start = time.perf_counter()
    for lam in lams[:10]:
        for i in range(len(y)):
            keep = np.arange(len(y)) != i
            linear.fit(X[keep], y[keep], L2(lam), solver="closed_form")
    refits = (time.perf_counter() - start) * len(lams) / 10
    assert refits > 10 * shortcut
