"""The claims of regcourse.beyond, verified numerically: early stopping ≈ ridge with
λ ≈ c/(2ηk), noise injection = ridge with λ = σ², dropout = a data-dependent ridge, and the
bias–variance decomposition of ridge's test error."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge

from regcourse.beyond import (
    bias_variance_ridge,
    dropout_expected_design,
    dropout_lams,
    early_stopping_lam,
    fit_generalized_ridge,
    gradient_descent_path,
    noise_design,
    noisy_copies,
    ridge_path_coefs,
    ridge_solution,
)


def regression(n=100, p=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) @ np.diag(np.linspace(0.3, 2.0, p)) + 1.5  # uncentred on purpose
    y = X @ rng.normal(size=p) + rng.normal(size=n) + 3.0
    return X, y


def eigenvalues(X):
    Xc = X - X.mean(axis=0)
    return np.linalg.eigvalsh(Xc.T @ Xc / len(X))


def test_ridge_path_coefs_is_sklearn_ridge_with_alpha_n_lambda():
    X, y = regression()
    for lam in (0.0, 0.1, 3.0):
        theirs = Ridge(alpha=len(y) * lam).fit(X, y).coef_ if lam else LinearRegression().fit(X, y).coef_
        np.testing.assert_allclose(ridge_solution(X, y, lam), theirs, atol=1e-10)


def eigen_components(X, w):
    """w in the eigenbasis of G = XcᵀXc/n (ascending eigenvalues)."""
    Xc = X - X.mean(axis=0)
    _, V = np.linalg.eigh(Xc.T @ Xc / len(X))
    return V.T @ w


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_early_stopping_is_ridge_at_one_over_2_eta_k_within_a_factor_1_3(seed):
    """Along every eigenvector of G: ridge(λ = 1/(2ηk)) ≤ GD after k steps ≤ 1.3·ridge (small step)."""
    X, y = regression(n=80, p=12, seed=seed)
    step = 0.025 / eigenvalues(X)[-1]  # 2η·s_max = 0.05: the small-step regime
    path = gradient_descent_path(X, y, step, 3000)
    ratios = []
    for k in (1, 10, 100, 1000, 3000):
        gd = eigen_components(X, path[k])
        ridge = eigen_components(X, ridge_solution(X, y, early_stopping_lam(step, k)))
        ratios.append(gd / ridge)  # the same sign in every direction: both shrink the LS weight
    ratios = np.concatenate(ratios)
    assert ratios.min() >= 1 - 1e-9
    assert ratios.max() <= 1.33
    assert ratios.max() > 1.2  # the bound is nearly reached: the correspondence is rough, not exact


def test_early_stopping_shrinks_less_than_ridge_for_any_stable_step():
    X, y = regression(seed=5)
    step = 0.49 / eigenvalues(X)[-1]  # 2η·s_max = 0.98
    path = gradient_descent_path(X, y, step, 200)
    for k in (1, 5, 50, 200):
        ratio = eigen_components(X, path[k]) / eigen_components(X, ridge_solution(X, y, early_stopping_lam(step, k)))
        assert ratio.min() >= 1 - 1e-9


def test_half_mse_convention_halves_the_step():
    """Texts that minimize ½·MSE take steps η·Xcᵀ(y − Xw)/n: their k steps of size η are the
    course's k steps of size η/2, so their correspondence is λ ≈ 1/(ηk) in the same units."""
    X, y = regression()
    eta = 0.2 / eigenvalues(X)[-1]
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w = np.zeros(X.shape[1])
    for _ in range(25):
        w = w + eta * Xc.T @ (yc - Xc @ w) / len(y)
    np.testing.assert_allclose(w, gradient_descent_path(X, y, eta / 2, 25)[-1], rtol=1e-10)
    assert early_stopping_lam(eta / 2, 25) == pytest.approx(1 / (eta * 25))


def test_gradient_descent_formula_and_limits():
    X, y = regression()
    step = 0.1 / eigenvalues(X)[-1]
    path = gradient_descent_path(X, y, step, 3)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w1 = 2 * step * Xc.T @ yc / len(y)  # one step from 0: w = 2η·Xcᵀyc/n (the MSE's factor 2)
    np.testing.assert_allclose(path[1], w1, rtol=1e-12)
    assert not path[0].any()
    long = gradient_descent_path(X, y, 0.45 / eigenvalues(X)[-1], 20000)[-1]
    np.testing.assert_allclose(long, ridge_solution(X, y, 0.0), atol=1e-8)  # → least squares


def test_unstable_step_and_bad_values_are_named():
    X, y = regression()
    with pytest.raises(ValueError, match="step"):
        gradient_descent_path(X, y, 1.01 / eigenvalues(X)[-1], 5)
    with pytest.raises(ValueError, match="step"):
        early_stopping_lam(-1.0, 10)
    with pytest.raises(ValueError, match="n_steps"):
        early_stopping_lam(0.1, 0)
    with pytest.raises(ValueError, match="drop_prob"):
        dropout_lams(X, 1.0)
    with pytest.raises(ValueError, match="sigma"):
        noise_design(X, y, -0.1)


@pytest.mark.parametrize("sigma", [0.3, 1.0, 2.5])
def test_noise_with_covariance_sigma2_is_exactly_ridge_with_lambda_sigma2(sigma):
    X, y = regression()
    X_big, y_big = noise_design(X, y, sigma)
    least_squares = LinearRegression().fit(X_big, y_big)
    np.testing.assert_allclose(least_squares.coef_, ridge_solution(X, y, sigma**2), atol=1e-9)
    ridge = Ridge(alpha=len(y) * sigma**2).fit(X, y)  # λ = σ² in the course is alpha = nσ² in sklearn
    assert least_squares.intercept_ == pytest.approx(ridge.intercept_, abs=1e-9)


def test_gaussian_noise_approaches_ridge_as_copies_grow():
    X, y = regression(n=60, p=5)
    target = ridge_solution(X, y, 0.5**2)
    errors = []
    for copies in (5, 50, 500):
        X_big, y_big = noisy_copies(X, y, 0.5, copies, seed=1)
        errors.append(np.linalg.norm(LinearRegression().fit(X_big, y_big).coef_ - target))
    assert errors[2] < errors[0] / 4
    assert errors[2] < 0.02 * np.linalg.norm(target)


@pytest.mark.parametrize("q", [0.1, 0.5])
def test_dropout_in_expectation_is_a_per_feature_ridge(q):
    X, y = regression(n=40, p=5)
    X_big, y_big, weights = dropout_expected_design(X, y, q)
    assert weights.sum() == pytest.approx(len(y))
    expected = LinearRegression().fit(X_big, y_big, sample_weight=weights)
    w, b = fit_generalized_ridge(X, y, dropout_lams(X, q))
    np.testing.assert_allclose(expected.coef_, w, atol=1e-9)
    assert expected.intercept_ == pytest.approx(b, abs=1e-9)
    lams = dropout_lams(X, q)
    assert lams == pytest.approx(q / (1 - q) * (X**2).mean(axis=0))
    assert np.ptp(lams) > 0.1 * lams.mean()  # per feature and data-dependent, not one λ


def test_dropout_simulated_with_torch_matches_the_expectation():
    torch = pytest.importorskip("torch")
    X, y = regression(n=40, p=5)
    q = 0.3
    torch.manual_seed(0)
    drop = torch.nn.Dropout(p=q).train()
    Xt = torch.tensor(X).repeat(4000, 1)
    X_dropped = drop(Xt).numpy()
    fitted = LinearRegression().fit(X_dropped, np.tile(y, 4000)).coef_
    w, _ = fit_generalized_ridge(X, y, dropout_lams(X, q))
    assert np.linalg.norm(fitted - w) < 0.03 * np.linalg.norm(w)
    assert torch.equal(drop.eval()(Xt[:3]), Xt[:3])  # at evaluation dropout is the identity


def test_bias_variance_decomposition_and_trade_off():
    lams = np.logspace(-3, 2, 12)
    result = bias_variance_ridge(lams, n_sets=300, seed=0)
    np.testing.assert_allclose(result.test_mse, result.total, rtol=0.05)  # bias² + variance + σ²
    scale = result.total.max()
    assert np.all(np.diff(result.bias2) > -1e-3 * scale)  # bias² grows with λ (up to simulation noise)
    assert np.all(np.diff(result.variance) < 1e-3 * scale)  # variance falls with λ
    assert lams[0] < result.best_lam < lams[-1]  # the best λ is inside: a U-curve
    assert result.total.min() < min(result.total[0], result.total[-1]) * 0.9


def test_the_variance_floor_is_the_intercepts_and_the_best_lambda_is_the_lectures_for_this_truth():
    """Chapter 10 §4: as λ → ∞ every fit is the training mean ȳ, whose variance over training sets
    is Var(y)/n = (‖w*‖² + σ²)/n for x ~ N(0, I): 0.16 for the lecture's truth (n = 30, σ = 1);
    and the best λ of the lecture's grid is 0.15 for that truth."""
    rng = np.random.default_rng(0)
    w_true = rng.normal(scale=0.5, size=20)  # the truth bias_variance_ridge draws first from seed 0
    floor = (w_true @ w_true + 1.0) / 30
    assert floor == pytest.approx(0.16, abs=0.001)
    huge = bias_variance_ridge(np.array([1e6]), n_sets=2000, seed=0)
    assert huge.variance[0] == pytest.approx(floor, rel=0.05)  # 2000 sets: Monte Carlo error ≈ 3%
    lecture = bias_variance_ridge(np.geomspace(1e-3, 100, 40))
    assert lecture.best_lam == pytest.approx(0.15, abs=0.005)
    assert lecture.variance[-1] == pytest.approx(floor, rel=0.05)


def test_generalized_ridge_with_one_lambda_is_ridge():
    X, y = regression()
    w, b = fit_generalized_ridge(X, y, 0.7)
    np.testing.assert_allclose(w, ridge_solution(X, y, 0.7), atol=1e-12)
    np.testing.assert_allclose(ridge_path_coefs(X, y, [0.7])[0], w, atol=1e-12)


def test_closest_ridge_lam_finds_the_lambda_of_a_ridge_solution():
    from regcourse.beyond import closest_ridge_lam

    X, y = regression()
    lams = np.logspace(-3, 1, 41)
    assert closest_ridge_lam(X, y, ridge_solution(X, y, lams[17]), lams) == lams[17]
