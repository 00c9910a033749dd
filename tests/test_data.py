"""The course's data: shapes, seeding, the promised statistics, and clear errors."""

import numpy as np
import pytest

from regcourse.data import (
    Polynomial,
    Regression,
    load_diabetes,
    make_polynomial,
    make_sparse_regression,
    polynomial_features,
)

# --- make_sparse_regression --------------------------------------------------------------------


def test_sparse_regression_shapes_and_truth():
    data = make_sparse_regression(50, 8, 3, intercept=1.5, seed=4)
    assert isinstance(data, Regression)
    assert data.X.shape == (50, 8) and data.y.shape == (50,) and data.coef.shape == (8,)
    assert data.intercept == 1.5
    assert data.feature_names == tuple(f"x{j}" for j in range(1, 9))


@pytest.mark.parametrize("k, p", [(0, 5), (1, 5), (5, 20), (20, 20)])
def test_the_true_weights_have_exactly_n_informative_nonzeros_sized_1_to_3(k, p):
    coef = make_sparse_regression(30, p, k, seed=k).coef
    assert np.count_nonzero(coef) == k
    assert np.all((np.abs(coef[coef != 0]) >= 1.0) & (np.abs(coef[coef != 0]) <= 3.0))


def test_without_noise_y_is_exactly_the_linear_model():
    data = make_sparse_regression(40, 6, 2, noise=0.0, intercept=-2.0, seed=5)
    np.testing.assert_allclose(data.y, data.X @ data.coef - 2.0, rtol=0, atol=1e-12)


def test_the_noise_has_the_requested_standard_deviation():
    data = make_sparse_regression(20_000, 3, 2, noise=2.5, seed=6)
    residual = data.y - data.X @ data.coef - data.intercept
    assert residual.std() == pytest.approx(2.5, rel=0.03)  # sd of the estimate ≈ 2.5/√40000


def test_same_seed_same_data_and_another_seed_other_data():
    a, b = make_sparse_regression(seed=11), make_sparse_regression(seed=11)
    for field in ("X", "y", "coef"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    c = make_sparse_regression(seed=12)
    assert not np.allclose(a.X, c.X) and not np.allclose(a.y, c.y)


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_features_are_standard_normal_with_the_requested_pairwise_correlation(rho):
    X = make_sparse_regression(20_000, 6, 2, correlation=rho, seed=7).X
    corr = np.corrcoef(X, rowvar=False)
    off_diagonal = corr[~np.eye(6, dtype=bool)]
    # The standard error of a sample correlation is (1 − ρ²)/√n ≤ 0.007 here.
    np.testing.assert_allclose(off_diagonal, rho, atol=0.03)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=0.05)
    np.testing.assert_allclose(X.std(axis=0), 1.0, atol=0.03)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_informative": 21}, ValueError, "n_informative must be <= n_features"),
        ({"n_informative": -1}, ValueError, "n_informative must be >= 0"),
        ({"n_samples": 1}, ValueError, "n_samples must be >= 2"),
        ({"n_samples": 10.5}, TypeError, "n_samples must be an integer"),
        ({"n_features": "20"}, TypeError, "n_features must be an integer"),
        ({"n_features": True}, TypeError, "n_features must be an integer"),
        ({"correlation": 1.0}, ValueError, "correlation must lie in [0, 1)"),
        ({"correlation": -0.1}, ValueError, "correlation must lie in [0, 1)"),
        ({"correlation": float("nan")}, ValueError, "correlation must be a number"),
        ({"noise": -1.0}, ValueError, "noise must be >= 0"),
        ({"noise": None}, TypeError, "noise must be a real number"),
        ({"intercept": float("inf")}, ValueError, "intercept must be finite"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"seed": 1.5}, TypeError, "seed must be an integer"),
    ],
)
def test_bad_parameters_are_refused_by_name(kwargs, error, message):
    with pytest.raises(error) as raised:
        make_sparse_regression(**kwargs)
    assert str(raised.value).startswith(message), str(raised.value)


# --- make_polynomial and polynomial_features ---------------------------------------------------


def test_polynomial_data_is_sorted_in_the_interval_and_follows_the_documented_curve():
    data = make_polynomial(25, noise=0.0, seed=3)
    assert isinstance(data, Polynomial)
    assert data.x.shape == data.y.shape == (25,)
    assert np.all(np.diff(data.x) >= 0) and np.all(np.abs(data.x) <= 1.0)
    np.testing.assert_allclose(data.y, np.sin(2 * data.x) + 0.5 * np.cos(3 * data.x), atol=1e-12)
    np.testing.assert_allclose(data.truth(data.x), data.y, atol=1e-12)


def test_polynomial_noise_and_seeding():
    a, b = make_polynomial(seed=8), make_polynomial(seed=8)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.allclose(a.y, make_polynomial(seed=9).y)
    big = make_polynomial(20_000, noise=0.3, seed=1)
    assert (big.y - big.truth(big.x)).std() == pytest.approx(0.3, rel=0.03)


def test_polynomial_features_are_the_powers_without_a_constant():
    x = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(polynomial_features(x, 3), [[-1, 1, -1], [0.5, 0.25, 0.125], [2, 4, 8]])
    assert polynomial_features([1, 2], 1).shape == (2, 1)
    for bad, error, message in [
        (lambda: polynomial_features(x, 0), ValueError, "degree must be >= 1"),
        (lambda: polynomial_features(x, 2.0), TypeError, "degree must be an integer"),
        (lambda: polynomial_features(x[:, None], 2), ValueError, "x must be 1-D"),
        (lambda: polynomial_features([1.0, np.nan], 2), ValueError, "x contains NaN"),
    ]:
        with pytest.raises(error) as raised:
            bad()
        assert str(raised.value).startswith(message), str(raised.value)


def test_the_default_polynomial_data_show_underfitting_and_overfitting():
    """What the data are for, over 20 seeds: degree 1 underfits, degree 3 fits, degree 15 overfits.

    The error is measured against the true curve on a fine grid, so it is the error a new point
    would see (less the noise); the fits are plain least squares with an intercept.
    """
    errors = {1: [], 3: [], 15: []}
    for seed in range(20):
        data = make_polynomial(seed=seed)
        grid = np.linspace(data.x.min(), data.x.max(), 500)
        for degree, found in errors.items():
            design = np.column_stack([np.ones_like(data.x), polynomial_features(data.x, degree)])
            coef = np.linalg.lstsq(design, data.y, rcond=None)[0]
            fitted = np.column_stack([np.ones_like(grid), polynomial_features(grid, degree)]) @ coef
            found.append(np.mean((fitted - data.truth(grid)) ** 2))
    median = {degree: np.median(found) for degree, found in errors.items()}
    assert median[1] > 3 * median[3]
    assert median[15] > 3 * median[3]


# --- load_diabetes -----------------------------------------------------------------------------


def test_diabetes_is_the_scikit_learn_data_with_names_and_no_known_truth():
    data = load_diabetes()
    assert data.X.shape == (442, 10) and data.y.shape == (442,)
    assert data.feature_names == ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
    assert data.coef is None and data.intercept is None
    np.testing.assert_allclose(data.X.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose((data.X**2).sum(axis=0), 1.0, rtol=1e-6)  # unit Euclidean norm
    assert 25 <= data.y.min() and data.y.max() <= 346


def test_diabetes_in_original_units():
    raw = load_diabetes(scaled=False)
    assert raw.X.shape == (442, 10)
    assert 19 <= raw.X[:, 0].min() and raw.X[:, 0].max() <= 79  # ages in years
    np.testing.assert_array_equal(raw.y, load_diabetes().y)
    with pytest.raises(TypeError, match="^scaled must be True or False"):
        load_diabetes(scaled="yes")


def test_regression_checks_its_feature_names():
    with pytest.raises(ValueError, match="^feature_names must name the 2 columns"):
        Regression(np.zeros((3, 2)), np.zeros(3), feature_names=("a",))
