"""Choosing λ: hold-out, grid search, k-fold cross-validation and the one-standard-error rule."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

from regcourse import selection
from regcourse.linear import fit, penalty_for
from regcourse.selection import cross_validate, grid_search, holdout, train_val_split


def problem(seed, n=60, p=12, noise=2.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[:3] = rng.normal(scale=2.0, size=3)
    return X, X @ w + noise * rng.normal(size=n)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("kind", ["l1", "l2", "elastic_net"])
def test_the_one_standard_error_lambda_is_never_smaller_than_the_best(seed, kind):
    X, y = problem(seed)
    cv = cross_validate(X, y, kind, k=5, seed=seed, n_lams=25)
    assert cv.lam_1se >= cv.best_lam
    assert cv.mean[cv.index_1se] <= cv.mean[cv.best_index] + cv.se[cv.best_index]
    assert cv.mean[cv.best_index] == cv.mean.min()
    larger = cv.lams > cv.lam_1se  # every simpler model is more than one SE worse
    assert np.all(cv.mean[larger] > cv.mean[cv.best_index] + cv.se[cv.best_index])


def test_fold_errors_are_the_validation_mse_of_a_model_fitted_on_the_other_folds():
    X, y = problem(3)
    cv = cross_validate(X, y, "l1", k=4, seed=11, n_lams=10)
    folds = np.array_split(np.random.default_rng(11).permutation(len(y)), 4)
    for f, val in enumerate(folds):
        train = np.setdiff1d(np.arange(len(y)), val)
        for i in (0, 4, 9):
            model = fit(X[train], y[train], penalty_for("l1", cv.lams[i]))
            expected = np.mean((y[val] - model.predict(X[val])) ** 2)
            assert cv.fold_errors[f, i] == pytest.approx(expected, rel=1e-8)
    np.testing.assert_allclose(cv.mean, cv.fold_errors.mean(axis=0))
    np.testing.assert_allclose(cv.se, cv.fold_errors.std(axis=0, ddof=1) / 2.0)


def test_cross_validation_is_seeded_and_the_seed_matters():
    X, y = problem(5)
    a, b, c = (cross_validate(X, y, "l1", seed=s, n_lams=10) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.fold_errors, b.fold_errors)
    assert not np.array_equal(a.fold_errors, c.fold_errors)


def test_on_the_diabetes_data_the_1se_rule_keeps_fewer_features():
    X, y = load_diabetes(return_X_y=True)
    cv = cross_validate(X, y, "l1")
    best = np.count_nonzero(fit(X, y, penalty_for("l1", cv.best_lam)).coef)
    simpler = np.count_nonzero(fit(X, y, penalty_for("l1", cv.lam_1se)).coef)
    assert simpler < best


def test_grid_search_picks_the_lowest_validation_error_and_breaks_ties_toward_larger_lambda():
    X, y = problem(7, n=80)
    X_train, X_val, y_train, y_val = train_val_split(X, y, seed=3)
    result = grid_search(X_train, y_train, X_val, y_val, "l1", n_lams=30)
    assert result.val_errors[result.best_index] == result.val_errors.min()
    i = 10
    model = fit(X_train, y_train, penalty_for("l1", result.lams[i]))
    assert result.val_errors[i] == pytest.approx(np.mean((y_val - model.predict(X_val)) ** 2), rel=1e-8)
    assert result.train_errors[-1] <= result.train_errors[0]  # less penalty fits the training data better
    # At λ ≥ λ_max every model is the constant ȳ: equal errors, and the tie goes to the largest λ.
    flat = grid_search(X_train, y_train, X_val, y_val, "l1", lams=[1e6, 1e5, 1e4])
    assert flat.best_lam == 1e6


def test_holdout_splits_then_grid_searches():
    X, y = problem(9, n=100)
    result = holdout(X, y, "elastic_net", val_fraction=0.2, seed=4, l1_ratio=0.5, n_lams=15)
    X_train, X_val, y_train, y_val = train_val_split(X, y, val_fraction=0.2, seed=4)
    assert len(y_val) == 20 and len(y_train) == 80
    same = grid_search(X_train, y_train, X_val, y_val, "elastic_net", result.lams, l1_ratio=0.5)
    np.testing.assert_allclose(result.val_errors, same.val_errors)
    assert result.best_lam == same.best_lam


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda X, y: cross_validate(X, y, "l1", k=1), "k must be between 2 and n/2"),
        (lambda X, y: cross_validate(X, y, "l1", k=40), "k must be between 2 and n/2"),
        (lambda X, y: cross_validate(X, y, "lasso"), "kind must be one of"),
        (lambda X, y: cross_validate(X, y[:-1], "l1"), "X and y must have the same number of samples"),
        (lambda X, y: cross_validate(X, y, "elastic_net", l1_ratio=2.0), "l1_ratio must lie in [0, 1]"),
        (lambda X, y: holdout(X, y, "l1", val_fraction=1.0), "val_fraction must lie strictly between 0 and 1"),
        (lambda X, y: holdout(X, y, "l1", val_fraction=0.001), "leaves 0 of 60 samples for validation"),
        (lambda X, y: grid_search(X, y, X[:, :3], y, "l1"), "X_val must have the 12 features of X_train, got 3"),
    ],
)
def test_bad_input_is_refused_by_name(call, words):
    X, y = problem(0)
    with pytest.raises(ValueError) as raised:
        call(X, y)
    assert words in str(raised.value)


def test_standardize_scales_each_fold_with_its_training_part_as_a_sklearn_pipeline_does():
    from sklearn.linear_model import Lasso
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from regcourse.selection import _folds

    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 6)) * np.array([0.01, 100.0, 1.0, 5.0, 0.3, 2.0]) + 3.0
    y = X[:, 0] * 80 + X[:, 1] * 0.01 + rng.normal(size=40)
    lams = np.array([1.0, 0.3, 0.05])
    cv = selection.cross_validate(X, y, "l1", lams, k=4, seed=2, standardize=True)
    for f, val in enumerate(_folds(40, 4, 2)):
        train = np.setdiff1d(np.arange(40), val)
        for i, lam in enumerate(lams):  # the course's λ is 2·alpha of scikit-learn's Lasso
            pipe = make_pipeline(StandardScaler(), Lasso(alpha=lam / 2, tol=1e-12, max_iter=100_000))
            pipe.fit(X[train], y[train])
            expected = np.mean((y[val] - pipe.predict(X[val])) ** 2)
            assert cv.fold_errors[f, i] == pytest.approx(expected, rel=1e-5)
    # scaling on all rows first (the leak) gives different fold errors
    leaky = selection.cross_validate((X - X.mean(0)) / X.std(0), y, "l1", lams, k=4, seed=2)
    assert not np.allclose(leaky.fold_errors, cv.fold_errors, rtol=1e-6)
    with pytest.raises(TypeError, match="standardize"):
        selection.cross_validate(X, y, "l1", lams, standardize="yes")
