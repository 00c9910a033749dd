"""scikit-learn's LogisticRegression in course terms, both ways: the parameters to_sklearn gives
fit the same model as regcourse.logistic under mean log-loss + penalty, and from_sklearn_logistic
inverts them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import linear_model
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from regcourse.conventions import from_sklearn_logistic, to_sklearn, to_sklearn_logistic
from regcourse.logistic import fit_logistic
from regcourse.penalties import L1, L2, ElasticNet


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y.astype(float)


@pytest.mark.parametrize("pen", [L2(0.02), L1(0.02), ElasticNet(l1=0.01, l2=0.01)], ids=["l2", "l1", "enet"])
def test_the_converted_estimator_fits_the_course_objective(cancer, pen):
    X, y = cancer
    name, params = to_sklearn(pen, len(y), estimator="LogisticRegression")
    assert name == "LogisticRegression"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga's ConvergenceWarning at this tolerance
        sk = getattr(linear_model, name)(**params, tol=1e-12, max_iter=100_000).fit(X, y)
    w, b, _, _ = fit_logistic(X, y, pen, tol=1e-10)
    np.testing.assert_allclose(sk.coef_[0], w, atol=1e-5)
    assert sk.intercept_[0] == pytest.approx(b, abs=1e-5)


@pytest.mark.parametrize(
    "pen, C",
    [(L2(0.05), 1 / (2 * 100 * 0.05)), (L1(0.05), 1 / (100 * 0.05)), (ElasticNet(l1=0.03, l2=0.01), 1 / (100 * 0.05))],
)
def test_the_constants(pen, C):
    _, params = to_sklearn_logistic(pen, 100)
    assert params["C"] == pytest.approx(C)
    assert params.get("l1_ratio", 0.0 if pen.l1_coef == 0 else 1.0) == pytest.approx(
        pen.l1_coef / (pen.l1_coef + 2 * pen.l2_coef)
    )


@pytest.mark.parametrize("pen", [L2(0.02), L1(0.3), ElasticNet(l1=0.01, l2=0.04), L2(0.0)])
def test_round_trip(pen):
    _, params = to_sklearn_logistic(pen, 250)
    back = from_sklearn_logistic(params, 250)
    assert back.l1_coef == pytest.approx(pen.l1_coef) and back.l2_coef == pytest.approx(pen.l2_coef)
    estimator = linear_model.LogisticRegression(**params)
    again = from_sklearn_logistic(estimator, 250)
    assert again.l1_coef == pytest.approx(pen.l1_coef) and again.l2_coef == pytest.approx(pen.l2_coef)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="n_samples"):
        to_sklearn_logistic(L2(0.1), None)
    with pytest.raises(ValueError, match="estimator"):
        to_sklearn(L2(0.1), 10, estimator="SVC")
    with pytest.raises(ValueError, match="liblinear"):
        from_sklearn_logistic({"C": 1.0, "solver": "liblinear"}, 10)
    with pytest.raises(TypeError, match="estimator_or_params"):
        from_sklearn_logistic(linear_model.Ridge(), 10)
    with pytest.raises(ValueError, match="C must be positive"):
        from_sklearn_logistic({"C": 0.0, "l1_ratio": 0.0}, 10)
