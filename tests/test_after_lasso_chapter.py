"""What chapter 12 (notebooks/12_after_lasso.ipynb) prints and states, recomputed independently:
scikit-learn's Lasso (alpha = λ/2 for the course's objective), LinearRegression and Ridge
(alpha = n·λ), NumPy, SciPy. Numbers are read from the saved outputs of the lecture and compared
with the recomputation; each stated condition is tested where it can be. Also the helpers the
chapter added: after_lasso.cross_validate_fits and group_lam_max, data.make_categorical_regression."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import t as student
from sklearn.linear_model import Lasso, LinearRegression, Ridge

from _lecture_outputs import printed as printed_in
from _lecture_outputs import prose as prose_of
from _project import ROOT
from regcourse import L1, after_lasso, linear
from regcourse.data import make_categorical_regression, make_sparse_regression
from regcourse.penalties_sparse import MCP, GroupLasso
from regcourse.selection import cross_validate

LECTURE = ROOT / "notebooks" / "12_after_lasso.ipynb"


def printed(fragment: str) -> str:
    return printed_in(LECTURE, fragment)


def prose() -> str:
    return prose_of(LECTURE)


def numbers(text: str) -> np.ndarray:
    return np.array([float(x) for x in re.findall(r"−?-?\d+\.\d+|−?-?\d+", text.replace("−", "-"))])


def sk_lasso(X, y, lam):
    """The course's lasso, (1/n)‖y − Xw − b‖² + λ‖w‖₁, is scikit-learn's with alpha = λ/2."""
    return Lasso(alpha=lam / 2, tol=1e-12, max_iter=200_000).fit(X, y)


def ls_on(X, y, support):
    weights = np.zeros(X.shape[1])
    if len(support):
        weights[support] = LinearRegression().fit(X[:, support], y).coef_
    return weights


# --- section 1: the bias ---------------------------------------------------------------------------


def lecture_rng_draws():
    """The lecture's rng = default_rng(0), in the order the lecture draws from it."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((50, 4))
    noise = rng.standard_normal(50)
    Z = rng.standard_normal((200, 5))
    return A, noise, Z


def orthonormal():
    A, noise, _ = lecture_rng_draws()
    Q = np.linalg.qr(A - A.mean(axis=0))[0]
    X = np.sqrt(50) * Q
    return X, X @ np.array([3.0, -1.5, 0.4, 0.0]) + noise


def test_on_an_orthonormal_design_the_lasso_soft_thresholds_at_half_lambda():
    X, y = orthonormal()
    np.testing.assert_allclose(X.T @ X / 50, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    z = LinearRegression().fit(X, y).coef_
    for lam in (0.3, 1.0, 2.5):
        soft = np.sign(z) * np.maximum(np.abs(z) - lam / 2, 0)
        np.testing.assert_allclose(sk_lasso(X, y, lam).coef_, soft, atol=1e-8)
        np.testing.assert_allclose(linear.fit(X, y, L1(lam)).coef, soft, atol=1e-8)
    lines = printed("X_orth").splitlines()
    np.testing.assert_allclose(numbers(lines[1]), np.round(z, 3), atol=1e-9)
    np.testing.assert_allclose(numbers(lines[2].split(":")[1]), np.round(sk_lasso(X, y, 1.0).coef_, 3), atol=1e-9)
    assert lines[2].split(":")[1].strip() == lines[3].split(":")[1].strip()


def sparse_data():
    data = make_sparse_regression(n_samples=1100, n_features=40, n_informative=5, correlation=0.3, noise=2.0, seed=2)
    return data, data.X[:100], data.y[:100], data.X[100:], data.y[100:]


def folds(n=100, k=5, seed=0):
    """selection.cross_validate's folds, written out: a seeded permutation cut into k parts."""
    return np.array_split(np.random.default_rng(seed).permutation(n), k)


def test_the_lasso_keeps_noise_and_its_bias_is_the_refit_minus_half_lambda_g_inverse_theta():
    data, X, y, _, _ = sparse_data()
    lam = cross_validate(X, y, "l1", k=5, n_lams=40).best_lam
    out = printed("shift = ")
    assert f"CV-best λ = {lam:.3f}" in out
    coef = sk_lasso(X, y, lam).coef_
    S = np.flatnonzero(np.abs(coef) > 1e-10)
    true = data.coef != 0
    assert f"{true[S].sum()} true features and {(~true[S]).sum()} noise features kept" in out
    assert (true[S].sum(), (~true[S]).sum()) == (5, 11)
    Xc = X - X.mean(axis=0)
    G = Xc[:, S].T @ Xc[:, S] / 100
    predicted = ls_on(X, y, S)[S] - lam / 2 * np.linalg.solve(G, np.sign(coef[S]))
    np.testing.assert_allclose(predicted, coef[S], atol=1e-7)
    rows = out.splitlines()
    np.testing.assert_allclose(numbers(rows[2].split(":")[1]), np.round(coef[true], 3), atol=1e-9)
    np.testing.assert_allclose(numbers(rows[3].split(":")[1]), np.round(coef[true], 3), atol=1e-9)
    assert np.all(np.abs(coef[true]) < np.abs(data.coef[true]))  # "come out too small", for this data


def relaxed_cv_by_hand(X, y, lams, phi):
    errors = np.zeros((5, len(lams)))
    for f, val in enumerate(folds()):
        train = np.setdiff1d(np.arange(100), val)
        for i, lam in enumerate(lams):
            lasso = sk_lasso(X[train], y[train], lam)
            S = np.flatnonzero(np.abs(lasso.coef_) > 1e-10)
            if len(S):
                refit = LinearRegression().fit(X[train][:, S], y[train])
                w = np.zeros(X.shape[1])
                w[S] = refit.coef_
                b = refit.intercept_
            else:
                w, b = np.zeros(X.shape[1]), y[train].mean()
            coef = phi * lasso.coef_ + (1 - phi) * w
            intercept = phi * lasso.intercept_ + (1 - phi) * b
            errors[f, i] = np.mean((y[val] - X[val] @ coef - intercept) ** 2)
    return errors.mean(axis=0)


def test_relaxed_lasso_cross_validation_table():
    _, X, y, _, _ = sparse_data()
    cv = cross_validate(X, y, "l1", k=5, n_lams=40)
    out = printed("relaxed_cv = {}").splitlines()
    found = {}
    for line in out:
        phi, lam, error = numbers(line)
        found[phi] = (lam, error)
    assert sorted(found) == [0.0, 0.25, 0.5, 0.75, 1.0]
    for phi, (lam, error) in found.items():
        mean = relaxed_cv_by_hand(X, y, cv.lams, phi)
        assert f"{cv.lams[np.argmin(mean)]:.3f}" == f"{lam:.3f}"
        assert abs(mean.min() - error) < 6e-4
    assert found[1.0] == (round(cv.best_lam, 3), round(cv.mean.min(), 3))  # φ = 1 is the lasso
    best = min(found, key=lambda phi: found[phi][1])
    assert best == 0.25 and 1.8 < found[best][0] / cv.best_lam < 2.2  # "about twice the lasso's"


def test_the_adaptive_lasso_is_the_lasso_on_rescaled_columns():
    _, X, y, _, _ = sparse_data()
    first = Ridge(alpha=100 * 0.1).fit(X, y).coef_  # the course's L2(0.1) is Ridge(alpha = n·0.1)
    for lam in (0.05, 0.4):
        ours = after_lasso.adaptive_lasso(X, y, lam, first)
        scaled = sk_lasso(X * np.abs(first), y, lam)
        np.testing.assert_allclose(ours.coef, scaled.coef_ * np.abs(first), atol=1e-6)


def test_the_comparison_table():
    data, X, y, X_test, y_test = sparse_data()
    true = data.coef != 0
    cv = cross_validate(X, y, "l1", k=5, n_lams=40)

    def adaptive(Xa, ya, lam):
        first = Ridge(alpha=len(ya) * 0.1).fit(Xa, ya).coef_
        fitted = sk_lasso(Xa * np.abs(first), ya, lam)
        return fitted.coef_ * np.abs(first), fitted.intercept_

    adaptive_lams = np.geomspace(5, 0.005, 30)
    errors = np.zeros((5, 30))
    for f, val in enumerate(folds()):
        train = np.setdiff1d(np.arange(100), val)
        for i, lam in enumerate(adaptive_lams):
            w, b = adaptive(X[train], y[train], lam)
            errors[f, i] = np.mean((y[val] - X[val] @ w - b) ** 2)
    best_adaptive = adaptive_lams[np.argmin(errors.mean(axis=0))]
    lasso = sk_lasso(X, y, cv.best_lam)
    relaxed_lam = cv.lams[np.argmin(relaxed_cv_by_hand(X, y, cv.lams, 0.25))]
    inner = sk_lasso(X, y, relaxed_lam)
    S = np.flatnonzero(np.abs(inner.coef_) > 1e-10)
    refit = LinearRegression().fit(X[:, S], y)
    relaxed_coef = 0.25 * inner.coef_ + 0.75 * ls_on(X, y, S)
    relaxed_b = 0.25 * inner.intercept_ + 0.75 * refit.intercept_
    models = {
        "lasso": (lasso.coef_, lasso.intercept_),
        "relaxed lasso": (relaxed_coef, relaxed_b),
        "adaptive lasso": adaptive(X, y, best_adaptive),
    }
    rows = {line[:15].strip(): numbers(line[15:]) for line in printed("adaptive_cv =").splitlines()[1:]}
    for name, (w, b) in models.items():
        kept = np.abs(w) > 1e-8
        bias = np.mean(np.abs(w[true]) - np.abs(data.coef[true]))
        mse = np.mean((y_test - X_test @ w - b) ** 2)
        np.testing.assert_allclose(rows[name], [kept[true].sum(), kept[~true].sum(), bias, mse], atol=6e-4)
    # the prose: both remedies drop most noise features, shrink less and predict better, for this data
    for name in ("relaxed lasso", "adaptive lasso"):
        assert rows[name][1] <= 2 < rows["lasso"][1] and rows[name][2] > rows["lasso"][2]
        assert rows[name][3] < rows["lasso"][3]


# --- section 2: SCAD and MCP ---------------------------------------------------------------------------


def mcp_value(w, lam, gamma):
    u = np.minimum(np.abs(w), gamma * lam)
    return np.sum(lam * u - u**2 / (2 * gamma))


def objective(X, y, w, lam, gamma):
    r = (y - y.mean()) - (X - X.mean(axis=0)) @ w
    return np.mean(r**2) + mcp_value(w, lam, gamma)


@pytest.mark.parametrize("gamma", [1.5, 3.0, 8.0])
def test_mcp_thresholding_rule_for_the_course_scaling(gamma):
    X, y = orthonormal()
    z = LinearRegression().fit(X, y).coef_
    lam = 1.2
    u = np.abs(z)
    rule = np.where(u > gamma * lam, z, np.sign(z) * np.maximum(u - lam / 2, 0) / (1 - 1 / (2 * gamma)))
    np.testing.assert_allclose(linear.fit(X, y, MCP(lam, gamma)).coef, rule, atol=1e-7)
    grid = np.linspace(-6, 6, 240_001)
    for k in range(4):  # each weight is the global minimizer of (w − z)² + P(w), on a fine grid
        best = grid[np.argmin((grid - z[k]) ** 2 + _mcp_grid(grid, lam, gamma))]
        assert abs(best - rule[k]) < 1e-3


def _mcp_grid(grid, lam, gamma):
    u = np.minimum(np.abs(grid), gamma * lam)
    return lam * u - u**2 / (2 * gamma)


def pair():
    data = make_sparse_regression(n_samples=50, n_features=2, n_informative=2, correlation=0.9, noise=0.5, seed=5)
    return data.X, data.y, data


def test_two_starts_reach_two_different_local_minima_below_the_convexity_bound():
    X, y, data = pair()
    Xc = X - X.mean(axis=0)
    s_min = np.linalg.eigvalsh(Xc.T @ Xc / 50)[0]
    out = printed("from_zero = ").splitlines()
    assert f"s_min(G) = {s_min:.3f}" in out[0] and f"γ ≥ {1 / (2 * s_min):.2f}" in out[0]
    assert 3.0 < 1 / (2 * s_min)
    results = []
    for line in out[1:]:
        w = numbers(line.split("w = [")[1].split("]")[0])
        J = float(line.split("J = ")[1])
        results.append((w, J))
        exact = linear.fit(X, y, MCP(1.0, 3.0), warm_start=w)  # a stationary point stays put
        np.testing.assert_allclose(np.round(exact.coef, 3), w, atol=1e-9)
        assert abs(objective(X, y, exact.coef, 1.0, 3.0) - J) < 1e-4
        # a local minimum: no nearby point is lower
        rng = np.random.default_rng(1)
        for step in rng.normal(scale=0.05, size=(200, 2)):
            assert objective(X, y, exact.coef + step, 1.0, 3.0) >= objective(X, y, exact.coef, 1.0, 3.0) - 1e-12
    (w0, J0), (w1, J1) = results
    assert np.abs(w0 - w1).max() > 1 and J1 < J0  # the start from 0 is not the lower one


def midpoint_gap(X, y, gamma, rng, trials=4000, J=objective):
    """The largest J((a + b)/2) − (J(a) + J(b))/2 over random pairs: > 0 means not convex."""
    worst = -np.inf
    for _ in range(trials):
        a, b = rng.uniform(-1, 6, 2), rng.uniform(-1, 6, 2)
        gap = J(X, y, (a + b) / 2, 1.0, gamma) - (J(X, y, a, 1.0, gamma) + J(X, y, b, 1.0, gamma)) / 2
        worst = max(worst, gap)
    return worst


def scad_value(w, lam, a):
    """SCAD, written out: λu up to λ, (2aλu − u² − λ²)/(2(a − 1)) up to aλ, λ²(a + 1)/2 beyond."""
    u = np.abs(w)
    middle = (2 * a * lam * u - u**2 - lam**2) / (2 * (a - 1))
    return np.sum(np.where(u <= lam, lam * u, np.where(u <= a * lam, middle, lam**2 * (a + 1) / 2)))


def scad_objective(X, y, w, lam, a):
    r = (y - y.mean()) - (X - X.mean(axis=0)) @ w
    return np.mean(r**2) + scad_value(w, lam, a)


def test_scad_objective_is_convex_exactly_from_a_minus_one_equal_to_one_over_two_s_min():
    """The lecture's parenthesis: SCAD's curvature is −1/(a − 1), so J is convex for
    a − 1 ≥ 1/(2·s_min) (and not below: the pair's s_min is small, so a = 3.7 is not convex)."""
    assert "a − 1 ≥ 1/(2·s_min)" in prose()
    X, y, _ = pair()
    Xc = X - X.mean(axis=0)
    bound = 1 / (2 * np.linalg.eigvalsh(Xc.T @ Xc / 50)[0])
    rng = np.random.default_rng(0)
    assert midpoint_gap(X, y, 1 + bound * 1.0001, rng, J=scad_objective) <= 1e-10
    assert midpoint_gap(X, y, 1 + bound * 0.9, rng, J=scad_objective) > 1e-6
    assert midpoint_gap(X, y, 3.7, rng, J=scad_objective) > 1e-3
    from regcourse.penalties_sparse import SCAD

    w = rng.normal(scale=2.0, size=50)
    assert SCAD(1.0, 3.7)(w) == pytest.approx(scad_value(w, 1.0, 3.7))  # the package's SCAD is this one


def test_mcp_objective_is_convex_exactly_from_gamma_one_over_two_s_min():
    X, y, _ = pair()
    Xc = X - X.mean(axis=0)
    bound = 1 / (2 * np.linalg.eigvalsh(Xc.T @ Xc / 50)[0])
    rng = np.random.default_rng(0)
    assert midpoint_gap(X, y, bound * 1.0001, rng) <= 1e-10
    assert midpoint_gap(X, y, bound * 0.9, rng) > 1e-6
    assert midpoint_gap(X, y, 3.0, rng) > 1e-3


def test_above_the_bound_every_start_ends_at_the_global_minimum():
    X, y, _ = pair()
    out = printed("mcp_convex = ").splitlines()
    gamma = float(re.search(r"γ = ([\d.]+)", out[0]).group(1))
    Xc = X - X.mean(axis=0)
    exact_gamma = 1.05 / (2 * np.linalg.eigvalsh(Xc.T @ Xc / 50)[0])
    assert f"{exact_gamma:.2f}" == f"{gamma:.2f}"
    best = min(
        (
            minimize(
                lambda w: objective(X, y, w, 1.0, exact_gamma),
                start,
                method="Nelder-Mead",
                options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000},
            )
            for start in ([0, 0], [4, 0], [0, 4])
        ),
        key=lambda r: r.fun,
    )
    for line in out:
        w = numbers(line.split("w = ")[-1])
        np.testing.assert_allclose(w, best.x, atol=2e-3)


# --- section 3: the group lasso -------------------------------------------------------------------------


def shop():
    data = make_categorical_regression(600, levels=(4, 6), n_numeric=4, noise=1.5, seed=3)
    groups = [name.split("=")[0] for name in data.feature_names]
    return data, data.X[:120], data.y[:120], data.X[120:], data.y[120:], groups


def group_kkt_ok(X, y, w, lam, groups, tol=1e-6):
    """The group lasso's optimality conditions, written out with v_g = √|g|."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    grad = -(2 / len(y)) * Xc.T @ (yc - Xc @ w)
    for g in dict.fromkeys(groups):
        m = np.array([name == g for name in groups])
        v = np.sqrt(m.sum())
        size = np.linalg.norm(w[m])
        if size > 0:
            if np.linalg.norm(grad[m] + lam * v * w[m] / size) > tol:
                return False
        elif np.linalg.norm(grad[m]) > lam * v + tol:
            return False
    return True


def test_group_lasso_section():
    data, X, y, X_test, y_test, groups = shop()
    out = printed("group_rule = ").splitlines()
    lasso_lam = cross_validate(X, y, "l1", k=5, n_lams=30).best_lam
    lasso = sk_lasso(X, y, lasso_lam)
    lasso_row = numbers(out[0].split("[")[1].split("]")[0])
    np.testing.assert_allclose(lasso_row, np.round(lasso.coef_, 2), atol=1e-9)
    assert np.sum(np.abs(lasso.coef_[3:8]) > 1e-8) == 2  # two of c2's five columns
    mse = np.mean((y_test - X_test @ lasso.coef_ - lasso.intercept_) ** 2)
    assert f"test MSE {mse:.3f}" in out[0]
    lams = np.geomspace(after_lasso.group_lam_max(X, y, groups), 1e-3, 20)
    for lam in lams:  # kept or dropped whole, at every λ of the grid
        w = linear.fit(X, y, GroupLasso(lam, groups)).coef
        assert group_kkt_ok(X, y, w, lam, groups)
        for g in set(groups):
            members = w[[name == g for name in groups]]
            assert np.all(members != 0) or np.all(members == 0)
    group_row = numbers(out[1].split("[")[1].split("]")[0])
    assert np.all(group_row[3:8] == 0) and np.all(group_row[:3] != 0)  # c2 dropped, c1 kept whole
    best = float(re.search(r"test MSE ([\d.]+)", out[1]).group(1))
    assert best < mse  # "a little lower", for this data


def test_group_lam_max_is_where_the_group_lasso_starts_to_select():
    _, X, y, _, _, groups = shop()
    lam_max = after_lasso.group_lam_max(X, y, groups)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    grad = (2 / len(y)) * Xc.T @ yc
    by_hand = max(np.linalg.norm(grad[[n == g for n in groups]]) / np.sqrt(groups.count(g)) for g in set(groups))
    assert lam_max == pytest.approx(by_hand, rel=1e-12)
    assert np.all(linear.fit(X, y, GroupLasso(lam_max * 1.0001, groups)).coef == 0)
    assert np.any(linear.fit(X, y, GroupLasso(lam_max * 0.99, groups)).coef != 0)


def test_make_categorical_regression_codes_levels_against_a_reference():
    data = make_categorical_regression(500, levels=(3, 5), n_numeric=3, noise=0.5, seed=4)
    assert data.feature_names == ("c1=2", "c1=3", "c2=2", "c2=3", "c2=4", "c2=5", "x1", "x2", "x3")
    for block in (slice(0, 2), slice(2, 6)):
        part = data.X[:, block]
        assert set(np.unique(part)) == {0.0, 1.0} and np.all(part.sum(axis=1) <= 1)
        assert np.any(part.sum(axis=1) == 0)  # the reference level
    assert np.all(data.coef[:2] != 0) and np.all(data.coef[2:6] == 0)
    assert np.all(data.coef[6:8] != 0) and data.coef[8] == 0
    assert np.all((np.abs(data.coef[data.coef != 0]) >= 1) & (np.abs(data.coef[data.coef != 0]) <= 2))
    assert np.std(data.y - data.X @ data.coef) == pytest.approx(0.5, rel=0.1)


# --- section 4: the irrepresentable condition; stability ----------------------------------------------------


def designs():
    _, _, Z = lecture_rng_draws()
    out = {}
    for rho in (0.3, 0.6):
        X = Z.copy()
        X[:, 2] = rho * (Z[:, 0] + Z[:, 1]) + np.sqrt(1 - 2 * rho**2) * Z[:, 2]
        out[rho] = X
    return out


def test_irrepresentable_values_decide_recovery_without_noise():
    out = printed("after_lasso.irrepresentable(").splitlines()
    for line, X in zip(out, designs().values()):
        Xc = X - X.mean(axis=0)
        S, others = [0, 1], [2, 3, 4]
        ic = np.abs(Xc[:, others].T @ Xc[:, S] @ np.linalg.solve(Xc[:, S].T @ Xc[:, S], np.ones(2))).max()
        assert f"IC = {ic:.2f}" in line
        y = X[:, 0] + X[:, 1]
        lam_max = np.abs(2 * Xc.T @ (y - y.mean()) / 200).max()
        supports = []
        for lam in np.geomspace(lam_max * 0.999, lam_max * 1e-4, 300):
            supports.append(tuple(int(j) for j in np.flatnonzero(np.abs(sk_lasso(X, y, lam).coef_) > 1e-9)))
        if ic < 1:  # only true features at every λ, and exactly S for every λ small enough
            assert all(set(s) <= {0, 1} for s in supports), supports
            first = supports.index((0, 1))
            assert all(s == (0, 1) for s in supports[first:])
            assert line.endswith("{} → {x1, x2}")
        else:
            assert (0, 1) not in supports and supports[0] == (2,)  # x3 first; {x1, x2} at no λ
            assert all(2 in s for s in supports)  # and x3 stays at every λ
            assert "{} → {x3}" in line
    assert "IC = 0.78" in out[0] and "IC = 1.31" in out[1]


def test_stability_selection_against_scikit_learn():
    data, X, y, _, _ = sparse_data()
    Xc = X - X.mean(axis=0)
    lam_max = np.max(np.abs(2 * Xc.T @ (y - y.mean()) / 100))
    lams = np.geomspace(lam_max, lam_max / 20, 20)
    rng = np.random.default_rng(0)
    counts = np.zeros((20, 40))
    for _ in range(100):
        rows = rng.choice(100, size=50, replace=False)
        for i, lam in enumerate(lams):
            counts[i] += np.abs(sk_lasso(X[rows], y[rows], lam).coef_) > 1e-9
    best = (counts / 100).max(axis=0)
    true = data.coef != 0
    out = printed("stability.stable(0.8)").splitlines()
    stable = [f"x{j + 1}" for j in np.flatnonzero(best >= 0.8)]
    assert out[0].split(": ")[1] == str(stable) and stable == [f"x{j + 1}" for j in np.flatnonzero(true)]
    np.testing.assert_allclose(numbers(out[2].split(":")[1]), np.round(np.sort(best[~true])[::-1][:3], 2), atol=0.011)
    assert out[3].endswith(
        str(int(np.sum(np.abs(sk_lasso(X, y, cross_validate(X, y, "l1", k=5, n_lams=40).best_lam).coef_) > 1e-9)))
    )


def test_a_design_that_breaks_the_condition_makes_a_wrong_feature_stable():
    """The prose: where the irrepresentable condition fails, a wrong feature can be chosen reproducibly."""
    X = designs()[0.6]
    y = X[:, 0] + X[:, 1] + 0.3 * np.random.default_rng(3).standard_normal(200)
    Xc = X - X.mean(axis=0)
    lam_max = np.max(np.abs(2 * Xc.T @ (y - y.mean()) / 200))
    result = after_lasso.stability_selection(X, y, np.geomspace(lam_max, lam_max / 20, 10), n_subsamples=50)
    assert 2 in result.stable(0.8)


# --- section 5: coverage --------------------------------------------------------------------------------


def coverage_by_hand(lam, split, n=100, p=50, sims=200, seed=0):
    rng = np.random.default_rng(seed)
    covered = total = 0
    for _ in range(sims):
        X = rng.standard_normal((n, p))
        y = rng.standard_normal(n)
        half = n // 2 if split else n
        chosen = np.flatnonzero(np.abs(sk_lasso(X[:half], y[:half], lam).coef_) > 1e-9)
        rows = slice(half, None) if split else slice(None)
        m = n - half if split else n
        if chosen.size == 0 or m - chosen.size - 1 < 2:
            continue
        XS, yS = X[rows][:, chosen], y[rows]
        design = np.column_stack([np.ones(m), XS])
        beta, *_ = np.linalg.lstsq(design, yS, rcond=None)
        dof = m - chosen.size - 1
        sigma2 = np.sum((yS - design @ beta) ** 2) / dof
        se = np.sqrt(sigma2 * np.diag(np.linalg.inv(design.T @ design))[1:])
        covered += int(np.sum(np.abs(beta[1:]) <= student.ppf(0.975, dof) * se))
        total += chosen.size
    return covered / total, total


def test_naive_intervals_undercover_and_split_ones_keep_their_level():
    rows = printed("post_selection_coverage(").splitlines()[1:]
    naive_values = []
    for line, lam in zip(rows, (0.1, 0.2, 0.3)):
        shown = numbers(line.replace("%", ""))
        naive, naive_total = coverage_by_hand(lam, split=False)
        split, split_total = coverage_by_hand(lam, split=True)
        assert shown[0] == lam
        assert abs(shown[1] - 100 * naive) < 0.15 and abs(shown[2] - naive_total) <= 3
        assert abs(shown[3] - 100 * split) < 0.15 and abs(shown[4] - split_total) <= 3
        assert abs(split - 0.95) < 0.01  # the level kept
        naive_values.append(naive)
    assert naive_values[0] > naive_values[1] > naive_values[2] and naive_values[0] < 0.9  # worse as λ grows


# --- the helper the chapter added ---------------------------------------------------------------------------


def test_cross_validate_fits_repeats_cross_validate_for_the_lasso():
    _, X, y, _, _ = sparse_data()
    cv = cross_validate(X, y, "l1", k=5, n_lams=15)

    def rule(X, y, lam):
        fitted = sk_lasso(X, y, lam)
        return SimpleNamespace(coef=fitted.coef_, intercept=fitted.intercept_)

    ours = after_lasso.cross_validate_fits(X, y, rule, cv.lams, k=5)
    np.testing.assert_allclose(ours.fold_errors, cv.fold_errors, rtol=1e-6)
    assert ours.best_lam == cv.best_lam and ours.lam_1se == cv.lam_1se
    with pytest.raises(ValueError, match="k must be"):
        after_lasso.cross_validate_fits(X, y, rule, cv.lams, k=1)
    with pytest.raises(ValueError, match="lams"):
        after_lasso.cross_validate_fits(X, y, rule, [], k=5)


def test_cross_validate_fits_names_a_fit_rule_that_is_not_a_function():
    X, y = np.ones((20, 2)) * np.arange(20.0)[:, None], np.arange(20.0)
    with pytest.raises(TypeError, match="fit_rule must be a function"):
        after_lasso.cross_validate_fits(X, y, "lasso", [0.1])
