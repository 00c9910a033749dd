"""regcourse.degrees_of_freedom and ridge_svd.ridge_criteria / principal_directions against
independent computations: scikit-learn's LassoLarsIC (the same AIC and BIC), an explicit hat
matrix, scikit-learn's PCA, and simulations of the covariance definition of df."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import LassoLarsIC, LinearRegression, Ridge, lars_path

from regcourse import L1, linear
from regcourse.degrees_of_freedom import covariance_df, information_criteria, noise_variance
from regcourse.ridge_svd import principal_directions, ridge_criteria, ridge_df


def _data(n=60, p=8, seed=0, noise=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.5 * rng.standard_normal((n, 1)) + rng.uniform(-3, 3, p)
    y = X @ rng.normal(0, 1, p) + 2.0 + noise * rng.standard_normal(n)
    return X, y


def _hat(X, lam):
    """The hat matrix of ridge with intercept under the course's objective, built from sklearn fits:
    column i is the fit to the i-th unit vector."""
    n = len(X)
    return np.column_stack([Ridge(alpha=n * lam).fit(X, e).predict(X) for e in np.eye(n)])


@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_information_criteria_equal_scikit_learns_lassolarsic_on_its_own_path(criterion):
    X, y = _data(n=80, p=10, seed=3)
    model = LassoLarsIC(criterion=criterion).fit(X, y)
    # its path: LARS on the centred data (the intercept fitted at each step), as LassoLarsIC runs it
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    _, _, coefs = lars_path(Xc, yc, method="lasso", alpha_min=0.0)
    rss = np.sum((yc[:, None] - Xc @ coefs) ** 2, axis=0)
    df = np.count_nonzero(np.abs(coefs) > np.finfo(float).eps, axis=0)  # the weights only, as scikit-learn counts
    ours = information_criteria(rss, df, len(y), model.noise_variance_)
    np.testing.assert_allclose(getattr(ours, criterion), model.criterion_, rtol=1e-10)
    assert noise_variance(X, y) == pytest.approx(model.noise_variance_, rel=1e-10)


def test_cp_and_aic_are_the_same_criterion_up_to_scale_and_bic_never_picks_a_smaller_lambda():
    X, y = _data(n=200, p=15, seed=4, noise=3.0)
    lams = np.geomspace(1e-4, 10, 60)
    c = ridge_criteria(X, y, lams)
    n, s2 = len(y), c.noise_variance
    np.testing.assert_allclose(c.aic, n / s2 * c.cp + n * np.log(2 * np.pi * s2), rtol=1e-12)
    assert np.argmin(c.aic) == np.argmin(c.cp)
    assert lams[np.argmin(c.bic)] >= lams[np.argmin(c.cp)]


def test_ridge_criteria_follow_their_definitions_with_an_explicit_hat_matrix():
    X, y = _data(n=40, p=6, seed=5)
    lams = np.array([0.01, 0.3, 2.0])
    c = ridge_criteria(X, y, lams, noise_variance=1.7)
    for i, lam in enumerate(lams):
        H = _hat(X, lam)
        rss = np.sum((y - H @ y) ** 2)
        assert c.df[i] == pytest.approx(np.trace(H), rel=1e-9)
        assert c.rss[i] == pytest.approx(rss, rel=1e-9)
        assert c.cp[i] == pytest.approx(rss / 40 + 2 * np.trace(H) * 1.7 / 40, rel=1e-9)
        assert c.bic[i] == pytest.approx(40 * np.log(2 * np.pi * 1.7) + rss / 1.7 + np.log(40) * np.trace(H), rel=1e-9)


def test_the_noise_variance_estimate_is_least_squares_rss_over_n_minus_p_minus_1():
    X, y = _data(n=50, p=7, seed=6)
    fit = LinearRegression().fit(X, y)
    assert noise_variance(X, y) == pytest.approx(np.sum((y - fit.predict(X)) ** 2) / (50 - 8), rel=1e-10)
    with pytest.raises(ValueError, match="more rows than features"):
        noise_variance(X[:8], y[:8])


def test_training_error_falls_short_of_in_sample_error_by_two_sigma2_df_over_n():
    """The optimism that Cp adds back, E[Err_in − err] = 2σ²·df/n, for a linear fit: simulated."""
    X, _ = _data(n=30, p=5, seed=7)
    rng = np.random.default_rng(8)
    mu, sigma, lam = X @ np.ones(5), 1.5, 0.2
    H = _hat(X, lam)
    gaps = []
    for _ in range(4000):
        y, y_new = mu + sigma * rng.standard_normal(30), mu + sigma * rng.standard_normal(30)
        fitted = H @ y
        gaps.append(np.mean((y_new - fitted) ** 2) - np.mean((y - fitted) ** 2))
    expected = 2 * sigma**2 * ridge_df(X, lam) / 30
    assert abs(np.mean(gaps) - expected) < 4 * np.std(gaps) / np.sqrt(len(gaps))


def test_covariance_df_of_a_linear_fit_is_the_trace_of_its_hat_matrix_within_its_error():
    X, _ = _data(n=40, p=6, seed=9)
    H = _hat(X, 0.5)
    mu = X @ np.arange(6.0)
    est = covariance_df(lambda y: H @ y, mu, 2.0, n_sims=2000, seed=3)
    assert abs(est.df - np.trace(H)) < 4 * est.standard_error
    assert est.mean_count is None and est.n_sims == 2000


def test_the_lasso_df_is_one_plus_the_expected_number_of_non_zero_weights():
    """Zou, Hastie & Tibshirani (2007): simulated with scikit-learn's Lasso (α = λ/2)."""
    from sklearn.linear_model import Lasso

    X, _ = _data(n=50, p=8, seed=10)
    mu = X @ np.array([2.0, -1.5, 1.0, 0, 0, 0, 0.5, 0])
    lam = 0.6

    def fit(y):
        model = Lasso(alpha=lam / 2, tol=1e-10, max_iter=100_000).fit(X, y)
        return model.predict(X), model

    est = covariance_df(fit, mu, 1.0, n_sims=1500, count=lambda m: 1 + np.count_nonzero(m.coef_), seed=4)
    assert abs(est.df - est.mean_count) < 4 * est.standard_error
    assert 2 < est.mean_count < 9  # a λ where the count really varies


def test_covariance_df_names_its_bad_inputs():
    with pytest.raises(ValueError, match="noise"):
        covariance_df(lambda y: y, np.zeros(5), 0.0)
    with pytest.raises(ValueError, match="mean"):
        covariance_df(lambda y: y, np.array([np.nan, 1.0]), 1.0)
    with pytest.raises(ValueError, match="n_sims"):
        covariance_df(lambda y: y, np.zeros(5), 1.0, n_sims=1)
    with pytest.raises(ValueError, match="fitted values"):
        covariance_df(lambda y: y[:3], np.zeros(5), 1.0, n_sims=3)
    with pytest.raises(TypeError, match="seed"):
        covariance_df(lambda y: y, np.zeros(5), 1.0, seed=1.5)


def test_information_criteria_name_their_bad_inputs():
    with pytest.raises(ValueError, match="noise_variance"):
        information_criteria([1.0], [2.0], 10, 0.0)
    with pytest.raises(ValueError, match="same shape"):
        information_criteria([1.0, 2.0], [2.0], 10, 1.0)
    with pytest.raises(ValueError, match="rss"):
        information_criteria([-1.0], [2.0], 10, 1.0)
    with pytest.raises(ValueError, match="df"):
        information_criteria([1.0], [np.nan], 10, 1.0)
    with pytest.raises(ValueError, match="n_samples"):
        information_criteria([1.0], [1.0], 0, 1.0)


def test_principal_directions_are_pca_with_a_fixed_sign():
    X, _ = _data(n=70, p=5, seed=11)
    variances, directions = principal_directions(X)
    pca = PCA().fit(X)
    np.testing.assert_allclose(variances, pca.explained_variance_ * (70 - 1) / 70, rtol=1e-10)
    for ours, theirs in zip(directions, pca.components_):
        assert abs(abs(ours @ theirs) - 1) < 1e-10
        assert ours[np.argmax(np.abs(ours))] > 0
    _, flipped = principal_directions(-X)  # the same directions, whatever the data's sign
    np.testing.assert_allclose(flipped, directions, atol=1e-10)


def test_lasso_path_count_helper_agrees_with_linear_fit():
    """The lecture's df figure counts the lasso's non-zero weights along linear.path: the same as
    single fits at those λ."""
    X, y = _data(n=50, p=6, seed=12)
    lams = np.array([5.0, 1.0, 0.1])
    counts = np.count_nonzero(linear.path(X, y, "l1", lams).coefs, axis=1)
    assert counts.tolist() == [np.count_nonzero(linear.fit(X, y, L1(lam)).coef) for lam in lams]
