"""regcourse.after_lasso: the relaxed lasso's ends and blend, the adaptive lasso as a lasso on
rescaled columns, the irrepresentable condition against its formula and against what the lasso
path actually recovers, and stability selection's frequencies."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Lasso, LinearRegression

from regcourse.after_lasso import adaptive_lasso, irrepresentable, relaxed_lasso, stability_selection
from regcourse.linear import fit, path
from regcourse.penalties import L1


def regression(seed=0, n=120, p=15):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    truth = np.zeros(p)
    truth[:4] = [3.0, -2.0, 1.5, 1.0]
    return X, X @ truth + 2.0 + rng.normal(size=n), truth


def test_the_relaxed_lasso_runs_from_the_refit_to_the_lasso():
    X, y, _ = regression()
    lam = 0.3
    lasso = fit(X, y, L1(lam))
    support = np.flatnonzero(lasso.coef)
    refit = LinearRegression().fit(X[:, support], y)
    for phi in (0.0, 0.4, 1.0):
        relaxed = relaxed_lasso(X, y, lam, phi)
        expected = np.zeros(15)
        expected[support] = refit.coef_
        np.testing.assert_allclose(relaxed.coef, phi * lasso.coef + (1 - phi) * expected, atol=1e-8)
        assert relaxed.intercept == pytest.approx(phi * lasso.intercept + (1 - phi) * refit.intercept_, abs=1e-8)
    assert np.array_equal(relaxed_lasso(X, y, lam).support, support)


def test_on_an_orthogonal_design_the_refit_undoes_the_lassos_shrinkage_exactly():
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.normal(size=(50, 6)))
    X = np.sqrt(50) * (Q - Q.mean(axis=0))  # centred columns, XᵀX/n close to I
    Xc = X - X.mean(axis=0)
    X = Xc @ np.linalg.inv(np.linalg.cholesky(Xc.T @ Xc / 50).T)  # exactly XᵀX/n = I
    y = X @ np.array([2.0, -1.0, 0.5, 0.0, 0.0, 0.0]) + 0.3 * rng.normal(size=50)
    ols = X.T @ (y - y.mean()) / 50
    lam = 0.6
    relaxed = relaxed_lasso(X, y, lam, 0.0)
    kept = np.abs(ols) > lam / 2
    np.testing.assert_allclose(relaxed.lasso_coef, np.sign(ols) * np.maximum(np.abs(ols) - lam / 2, 0), atol=1e-9)
    np.testing.assert_allclose(relaxed.refit_coef[kept], ols[kept], atol=1e-9)  # the shrinkage λ/2 is gone
    assert not relaxed.refit_coef[~kept].any()


def test_the_adaptive_lasso_is_the_lasso_on_columns_scaled_by_the_first_fit():
    X, y, _ = regression(seed=2)
    first = fit(X, y, L1(0.05)).coef
    first[7] = 0.0  # a feature the first fit dropped stays out
    lam, gamma = 0.2, 1.0
    ours = adaptive_lasso(X, y, lam, first, gamma=gamma)
    kept = np.flatnonzero(first)
    scale = np.abs(first[kept]) ** gamma
    theirs = Lasso(alpha=lam / 2, tol=1e-14, max_iter=200_000).fit(X[:, kept] * scale, y)
    expected = np.zeros(15)
    expected[kept] = theirs.coef_ * scale
    np.testing.assert_allclose(ours.coef, expected, atol=1e-7)
    assert ours.coef[7] == 0.0 and ours.converged


def test_the_irrepresentable_value_is_its_formula_and_zero_on_an_orthogonal_design():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100, 8))
    support, signs = np.array([0, 2, 5]), np.array([1.0, -1.0, 1.0])
    Xc = X - X.mean(axis=0)
    others = np.setdiff1d(np.arange(8), support)
    expected = np.abs(
        Xc[:, others].T @ Xc[:, support] @ np.linalg.pinv(Xc[:, support]) @ np.linalg.pinv(Xc[:, support].T) @ signs
    ).max()
    assert irrepresentable(X, support, signs) == pytest.approx(expected, rel=1e-10)
    Q, _ = np.linalg.qr(rng.normal(size=(40, 5)))
    Q -= Q.mean(axis=0)
    assert irrepresentable(np.linalg.qr(Q)[0], [0, 1], [1, -1]) < 1e-12


def recovers(X, y, support, signs) -> bool:
    """Whether some λ on a fine lasso path selects exactly ``support`` with ``signs``."""
    lams = np.geomspace(5.0, 1e-4, 300)
    for coef in path(X, y, "l1", lams).coefs:
        if np.array_equal(np.flatnonzero(coef), np.sort(support)) and np.array_equal(
            np.sign(coef[np.sort(support)]), signs[np.argsort(support)]
        ):
            return True
    return False


def test_the_condition_decides_whether_the_lasso_path_ever_finds_the_right_features():
    """Without noise the condition decides: a column built from the true ones puts the value above
    1 and no λ picks exactly the true features; on independent columns (below 1) a λ does."""
    rng = np.random.default_rng(4)
    n = 2000
    X = rng.normal(size=(n, 4))
    X[:, 3] = (2.0 / 3.0) * (X[:, 0] + X[:, 1]) + 0.3 * rng.normal(size=n)  # correlated with both true ones
    support, signs = np.array([0, 1]), np.array([1.0, 1.0])
    y = X[:, :2] @ np.array([1.0, 1.0]) + 3.0
    assert irrepresentable(X, support, signs) > 1.2
    assert not recovers(X, y, support, signs)
    independent = rng.normal(size=(n, 4))
    y2 = independent[:, :2] @ np.array([1.0, 1.0]) + 3.0
    assert irrepresentable(independent, support, signs) < 0.2
    assert recovers(independent, y2, support, signs)


def test_stability_selection_counts_selections_over_subsamples():
    X, y, truth = regression(seed=5, n=100, p=20)
    lams = np.geomspace(1.0, 0.05, 6)
    result = stability_selection(X, y, lams, n_subsamples=30, seed=1)
    again = stability_selection(X, y, lams, n_subsamples=30, seed=1)
    assert np.array_equal(result.frequency, again.frequency)  # seeded
    assert result.frequency.shape == (6, 20) and np.all((0 <= result.frequency) & (result.frequency <= 1))
    assert np.all(result.frequency * 30 == np.round(result.frequency * 30))  # counts over 30 subsamples
    assert set(result.stable(0.9)) >= {0, 1, 2, 3}  # the strong true features, every time
    noise = np.flatnonzero(truth == 0)
    assert result.frequency[0, noise].max() <= result.frequency[0, :4].min()
    assert np.all(np.diff(result.frequency.sum(axis=1)) >= 0)  # smaller λ, more selections


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda X, y: relaxed_lasso(X, y, 0.1, phi=1.5), "phi must lie in"),
        (lambda X, y: relaxed_lasso(X, y, -0.1), "lam must be >= 0"),
        (lambda X, y: adaptive_lasso(X, y, 0.1, np.ones(3)), "one weight per column"),
        (lambda X, y: irrepresentable(X, [0, 1], [1.0]), "same length"),
        (lambda X, y: irrepresentable(X, [0, 1], [1.0, 0.0]), "signs must be ±1"),
        (lambda X, y: stability_selection(X, y, [0.1, -1.0]), "λ > 0"),
        (lambda X, y: stability_selection(X, y, [0.1], fraction=0.01), "at least 3 rows"),
    ],
)
def test_bad_input_is_named(call, match):
    X, y, _ = regression()
    with pytest.raises(ValueError, match=match):
        call(X, y)


def test_sparse_x_is_refused_not_densified():
    import scipy.sparse

    X, y, _ = regression()
    with pytest.raises(TypeError, match="X must be dense"):
        relaxed_lasso(scipy.sparse.csr_matrix(X), y, 0.1)


def test_naive_intervals_after_selection_undercover_and_sample_splitting_restores_the_level():
    from regcourse.after_lasso import post_selection_coverage

    naive = post_selection_coverage(lam=0.3, n_sims=200, seed=0)
    split = post_selection_coverage(lam=0.3, n_sims=200, seed=0, split=True)
    assert naive.n_intervals > 500 and split.n_intervals > 500
    assert naive.coverage < 0.75  # nominal 0.95
    assert 0.92 <= split.coverage <= 0.98
    everything = post_selection_coverage(lam=0.0, n_sims=40, seed=1)  # no selection: every feature kept
    assert everything.n_intervals == 40 * 50 and 0.92 <= everything.coverage <= 0.98  # the intervals are right
    with pytest.raises(ValueError, match="truth must have"):
        post_selection_coverage(truth=np.ones(3))
    with pytest.raises(ValueError, match="noise must be >= 0"):
        post_selection_coverage(noise=-1.0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        post_selection_coverage(seed="a")
