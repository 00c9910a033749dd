"""The tools of chapter 14 (the review): compare_penalties and one_se_lam against scikit-learn, and the
coefficient_spread figure."""

import math

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet, ElasticNetCV, Lasso, LassoCV, LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV

from regcourse.linear import default_lams
from regcourse.plots import coefficient_spread
from regcourse.selection import compare_penalties, cross_validate, one_se_lam

K, SEED, N_LAMS = 5, 3, 20


def problem(seed, n_train=100, n_test=200, p=15):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_train + n_test, p))
    w = np.zeros(p)
    w[:4] = rng.normal(scale=2.0, size=4)
    y = X @ w + 1.5 + 2.0 * rng.normal(size=n_train + n_test)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def folds(n):
    """The (train, validation) index pairs of cross_validate(k=K, seed=SEED), written out."""
    parts = np.array_split(np.random.default_rng(SEED).permutation(n), K)
    return [(np.setdiff1d(np.arange(n), part), part) for part in parts]


def one_se_by_hand(lams, fold_errors):
    """The one-standard-error rule in plain NumPy from a (folds × λ) table of errors."""
    mean = fold_errors.mean(axis=0)
    se = fold_errors.std(axis=0, ddof=1) / math.sqrt(fold_errors.shape[0])
    best = np.argmin(mean)
    return lams[mean <= mean[best] + se[best]].max()


def compare(kind, rule, X, y, X_test, y_test, l1_ratio=0.5):
    (model,) = compare_penalties(
        X, y, X_test, y_test, kinds=[kind], k=K, seed=SEED, n_lams=N_LAMS, rule=rule, l1_ratio=l1_ratio
    )
    return model


def check_refit(model, sklearn_model, X, y, X_test, y_test):
    np.testing.assert_allclose(model.coef, sklearn_model.coef_, atol=1e-6)
    assert model.intercept == pytest.approx(sklearn_model.intercept_, abs=1e-6)
    assert model.train_error == pytest.approx(np.mean((y - sklearn_model.predict(X)) ** 2), rel=1e-6)
    assert model.test_error == pytest.approx(np.mean((y_test - sklearn_model.predict(X_test)) ** 2), rel=1e-6)
    assert model.n_nonzero == np.count_nonzero(np.abs(sklearn_model.coef_) > 1e-8)


@pytest.mark.parametrize("rule", ["best", "1se"])
def test_the_lasso_is_tuned_like_lasso_cv_on_the_same_folds(rule):
    X, y, X_test, y_test = problem(0)
    lams = default_lams(X, y, "l1", n_lams=N_LAMS)
    sk = LassoCV(alphas=lams / 2, cv=folds(len(y)), tol=1e-12, max_iter=100_000).fit(X, y)
    chosen = 2 * sk.alpha_ if rule == "best" else 2 * one_se_by_hand(sk.alphas_, sk.mse_path_.T)
    model = compare("l1", rule, X, y, X_test, y_test)
    assert model.lam == pytest.approx(chosen, rel=1e-9)
    refit = Lasso(alpha=chosen / 2, tol=1e-12, max_iter=100_000).fit(X, y)
    check_refit(model, refit, X, y, X_test, y_test)
    index = int(np.flatnonzero(np.isclose(sk.alphas_, chosen / 2, rtol=1e-12))[0])
    assert model.cv_error == pytest.approx(sk.mse_path_[index].mean(), rel=1e-6)


@pytest.mark.parametrize("rule", ["best", "1se"])
def test_ridge_is_tuned_like_a_grid_search_over_sklearn_ridge(rule):
    X, y, X_test, y_test = problem(1)
    lams = default_lams(X, y, "l2", n_lams=N_LAMS)
    n_fold = len(y) * (K - 1) // K  # 100 rows, 5 folds: every training part has 80 rows
    search = GridSearchCV(Ridge(), {"alpha": lams * n_fold}, cv=folds(len(y)), scoring="neg_mean_squared_error").fit(
        X, y
    )
    fold_errors = -np.array([search.cv_results_[f"split{f}_test_score"] for f in range(K)])
    chosen = search.best_params_["alpha"] / n_fold if rule == "best" else one_se_by_hand(lams, fold_errors)
    model = compare("l2", rule, X, y, X_test, y_test)
    assert model.lam == pytest.approx(chosen, rel=1e-9)
    check_refit(model, Ridge(alpha=chosen * len(y)).fit(X, y), X, y, X_test, y_test)
    assert model.cv_error == pytest.approx(fold_errors.mean(axis=0)[np.isclose(lams, chosen)][0], rel=1e-6)


@pytest.mark.parametrize("rho", [0.5, 0.8])
def test_the_elastic_net_is_tuned_like_elastic_net_cv(rho):
    X, y, X_test, y_test = problem(2)
    lams = default_lams(X, y, "elastic_net", l1_ratio=rho, n_lams=N_LAMS)
    # Course penalty ρλ·Σ|w| + (1 − ρ)λ·Σw²; scikit-learn's (1/2n)RSS + αr‖w‖₁ + ½α(1 − r)‖w‖²
    # times 2 is MSE + 2αr‖w‖₁ + α(1 − r)‖w‖²: α = ρλ/2 + (1 − ρ)λ and r = ρ / (ρ + 2(1 − ρ)).
    alpha_per_lam, r = rho / 2 + (1 - rho), rho / (rho + 2 * (1 - rho))
    sk = ElasticNetCV(l1_ratio=r, alphas=lams * alpha_per_lam, cv=folds(len(y)), tol=1e-12, max_iter=100_000).fit(X, y)
    model = compare("elastic_net", "best", X, y, X_test, y_test, l1_ratio=rho)
    assert model.lam == pytest.approx(sk.alpha_ / alpha_per_lam, rel=1e-9)
    refit = ElasticNet(alpha=sk.alpha_, l1_ratio=r, tol=1e-12, max_iter=100_000).fit(X, y)
    check_refit(model, refit, X, y, X_test, y_test)


def test_none_is_plain_least_squares_and_the_kinds_keep_their_order():
    X, y, X_test, y_test = problem(4)
    models = compare_penalties(X, y, X_test, y_test, kinds=("l2", "none", "l1"), k=K, seed=SEED, n_lams=N_LAMS)
    assert [m.kind for m in models] == ["l2", "none", "l1"]
    none = models[1]
    assert none.lam == 0.0 and math.isnan(none.cv_error)
    check_refit(none, LinearRegression().fit(X, y), X, y, X_test, y_test)
    assert none.train_error < min(m.train_error for m in (models[0], models[2]))


def test_a_single_kind_may_be_given_as_a_string():
    X, y, X_test, y_test = problem(5)
    (model,) = compare_penalties(X, y, X_test, y_test, kinds="l1", n_lams=5)
    assert model.kind == "l1"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kinds": ["lasso"]}, "kinds must contain only 'none', 'l1', 'l2' or 'elastic_net', got 'lasso'"),
        ({"kinds": []}, "kinds must name at least one"),
        ({"rule": "2se"}, "rule must be 'best' or '1se'"),
        ({"k": 1}, "k must be between"),
        ({"l1_ratio": 1.5, "kinds": ["elastic_net"]}, "l1_ratio must lie in"),
    ],
)
def test_compare_penalties_names_the_bad_parameter(kwargs, message):
    X, y, X_test, y_test = problem(6)
    with pytest.raises(ValueError, match=message):
        compare_penalties(X, y, X_test, y_test, **kwargs)


def test_test_data_must_have_the_training_features():
    X, y, X_test, y_test = problem(6)
    with pytest.raises(ValueError, match="X_test must have the 15 features"):
        compare_penalties(X, y, X_test[:, :3], y_test)


# --- one_se_lam -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("kind", ["l1", "l2", "elastic_net"])
def test_one_se_lam_is_the_rule_behind_cross_validate(seed, kind):
    X, y, _, _ = problem(seed, n_train=60, p=10)
    cv = cross_validate(X, y, kind, k=5, seed=seed, n_lams=15)
    assert one_se_lam(cv.lams, cv.mean, cv.se) == cv.lam_1se
    assert one_se_lam(cv.lams[::-1], cv.mean[::-1], cv.se[::-1]) == cv.lam_1se  # any order
    assert one_se_lam(cv.lams, cv.mean, cv.se) == pytest.approx(one_se_by_hand(cv.lams, cv.fold_errors))


def test_one_se_lam_uses_the_standard_error_at_the_minimum():
    lams = np.array([8.0, 4.0, 2.0, 1.0, 0.5])
    mean = np.array([3.0, 2.0, 1.5, 1.0, 1.2])
    se = np.array([2.5, 0.1, 0.1, 0.2, 0.1])  # λ = 8's own error bar reaches the minimum: not enough
    assert one_se_lam(lams, mean, se) == 1.0
    assert one_se_lam(lams, mean, np.full(5, 0.6)) == 2.0
    assert one_se_lam(lams, mean, np.zeros(5)) == 1.0


@pytest.mark.parametrize(
    "args, error, message",
    [
        (([1.0, 0.5], [1.0], [0.1, 0.1]), ValueError, "mean must have one value per λ"),
        (([1.0, 0.5], [1.0, 2.0], [0.1, -0.1]), ValueError, "se must be >= 0"),
        (([1.0, -0.5], [1.0, 2.0], [0.1, 0.1]), ValueError, "lams must be >= 0"),
        (([1.0, 0.5], [1.0, np.nan], [0.1, 0.1]), ValueError, "mean contains NaN"),
        (([], [], []), ValueError, "lams must be a non-empty 1-D array"),
        (("ab", [1.0], [0.1]), TypeError, "lams must be an array of numbers"),
    ],
)
def test_one_se_lam_names_the_bad_parameter(args, error, message):
    with pytest.raises(error, match=message):
        one_se_lam(*args)


# --- coefficient_spread ---------------------------------------------------------------------


def test_coefficient_spread_draws_every_refit_and_counts_the_selected_sets():
    rng = np.random.default_rng(0)
    lasso = rng.normal(size=(12, 4))
    lasso[:6, 1] = 0.0  # two different sets of non-zero weights
    ridge = rng.normal(size=(12, 4))
    fig = coefficient_spread({"l1": lasso, "l2": ridge}, ["a", "b", "c", "d"], truth=[1.0, 0.0, -1.0, 0.5])
    ax = fig.axes[0]
    points = [c.get_offsets() for c in ax.collections if c.get_label().startswith(("L1", "L2"))]
    assert [len(p) for p in points] == [48, 48]
    np.testing.assert_allclose(np.sort(points[0][:, 1]), np.sort(lasso.ravel()))  # the weights are the y values
    for p in points:  # each dot stays next to its feature
        assert np.all(np.abs(p[:, 0] - np.round(p[:, 0])) < 0.5)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "L1 (lasso): 2 different sets of non-zero weights in 12 refits" in labels
    assert "L2 (ridge): 1 different set of non-zero weights in 12 refits" in labels
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]


def test_coefficient_spread_draws_on_a_given_axes_and_checks_its_input():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert coefficient_spread({"refits": np.zeros((3, 2))}, ax=ax) is fig
    with pytest.raises(ValueError, match="same number of features"):
        coefficient_spread({"a": np.zeros((3, 2)), "b": np.zeros((3, 3))})
    with pytest.raises(ValueError, match=r"refits\['a'\] must be 2-D"):
        coefficient_spread({"a": np.zeros(3)})
    with pytest.raises(ValueError, match="feature_names must name the 2 features"):
        coefficient_spread({"a": np.zeros((3, 2))}, ["x"])
    with pytest.raises(ValueError, match="truth must have one value per feature"):
        coefficient_spread({"a": np.zeros((3, 2))}, truth=[1.0])
    with pytest.raises(TypeError, match="refits must be a non-empty dict"):
        coefficient_spread([np.zeros((3, 2))])
