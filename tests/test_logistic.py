"""Logistic regression under the course objective (regcourse.logistic), against scikit-learn's
LogisticRegression with the converted C (C = 1/(2nλ) for L2, 1/(nλ) for L1, 1/(n(λ₁+2λ₂)) with
l1_ratio = λ₁/(λ₁+2λ₂) for the elastic net) and PyTorch's BCEWithLogitsLoss."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from regcourse.linear import ConvergenceWarning
from regcourse.logistic import fit_logistic, kkt_residual_logistic, lam_max_logistic, log_loss, sigmoid
from regcourse.penalties import L1, L2, ElasticNet


def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y.astype(float)


def digits_3_vs_8():
    X, y = load_digits(return_X_y=True)
    keep = (y == 3) | (y == 8)
    return X[keep] / 16.0, (y[keep] == 8).astype(float)


def sklearn_equivalent(pen, n):
    """LogisticRegression(C, l1_ratio) with the same minimizer as mean log-loss + pen."""
    total = pen.l1_coef + 2.0 * pen.l2_coef
    return 1.0 / (n * total), pen.l1_coef / total


@pytest.mark.parametrize("data", [cancer, digits_3_vs_8], ids=["breast_cancer", "digits_3_vs_8"])
@pytest.mark.parametrize(
    "pen", [L2(0.01), L1(0.01), ElasticNet(l1=0.01, l2=0.005), L1(0.005)], ids=["l2", "l1", "elastic_net", "l1_weaker"]
)
def test_matches_sklearn_with_the_converted_C(data, pen):
    # (λ = 0.005 and not smaller: scikit-learn's saga needs ~90 s for λ = 0.002 on the cancer data)
    X, y = data()
    w, b, _, converged = fit_logistic(X, y, pen, tol=1e-10)
    assert converged
    C, l1_ratio = sklearn_equivalent(pen, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # saga's own ConvergenceWarning at tol=1e-12
        solver = "lbfgs" if pen.l1_coef == 0 else "saga"
        sk = LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=1e-12, max_iter=200_000).fit(X, y)
    np.testing.assert_allclose(w, sk.coef_[0], atol=1e-5)
    assert abs(b - sk.intercept_[0]) < 1e-5
    assert np.array_equal(w == 0, sk.coef_[0] == 0)  # the same features selected
    assert kkt_residual_logistic(X, y, w, b, pen) <= 1e-9


@pytest.mark.parametrize("pen", [L2(0.05), L1(0.01)])
def test_the_constants_in_words(pen):
    """L2: C = 1/(2nλ); L1: C = 1/(nλ) — the table's two rows, each checked on its own."""
    X, y = cancer()
    n = len(y)
    C = 1 / (2 * n * pen.l2_coef) if pen.l1_coef == 0 else 1 / (n * pen.l1_coef)
    assert sklearn_equivalent(pen, n)[0] == pytest.approx(C)
    wrong = C * 2 if pen.l1_coef == 0 else C / 2  # the classic slip: dropping or doubling the 2
    w, b, _, _ = fit_logistic(X, y, pen, tol=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        solver = "lbfgs" if pen.l1_coef == 0 else "saga"
        ratio = 0.0 if pen.l1_coef == 0 else 1.0
        off = LogisticRegression(C=wrong, l1_ratio=ratio, solver=solver, tol=1e-12, max_iter=200_000).fit(X, y)
    assert np.abs(w - off.coef_[0]).max() > 1e-3  # the wrong constant gives a visibly different model


def test_mean_log_loss_is_torch_bce_with_logits():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    z = rng.normal(scale=30, size=200)  # large |z| too: the formula must not overflow
    y = rng.integers(0, 2, size=200).astype(float)
    expected = torch.nn.BCEWithLogitsLoss()(torch.tensor(z), torch.tensor(y)).item()
    assert log_loss(y, z) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(sigmoid(z), torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-12)


def test_lam_max_zeroes_every_weight_and_just_below_does_not():
    X, y = digits_3_vs_8()
    top = lam_max_logistic(X, y)
    w, b, _, _ = fit_logistic(X, y, L1(top), tol=1e-10)
    assert not w.any()
    assert b == pytest.approx(np.log(y.mean() / (1 - y.mean())))
    w, _, _, _ = fit_logistic(X, y, L1(0.97 * top), tol=1e-10)
    assert np.count_nonzero(w) >= 1


def test_separable_data_without_penalty_does_not_converge_and_weights_grow():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    norms = []
    for max_iter in (100, 1000, 10000):
        with pytest.warns(ConvergenceWarning, match="separable"):
            w, _, _, converged = fit_logistic(X, y, L2(0.0), max_iter=max_iter)
        assert not converged
        norms.append(abs(w[0]))
    assert norms[0] < norms[1] < norms[2]
    w, _, _, converged = fit_logistic(X, y, L2(0.01), tol=1e-10)  # any λ > 0 gives a finite minimizer
    assert converged and np.isfinite(w).all()


def test_warm_start_reaches_the_same_solution():
    X, y = cancer()
    cold = fit_logistic(X, y, L1(0.02), tol=1e-10)
    start = fit_logistic(X, y, L1(0.03), tol=1e-10)
    warm = fit_logistic(X, y, L1(0.02), tol=1e-10, coef_init=start[0], intercept_init=start[1])
    np.testing.assert_allclose(warm[0], cold[0], atol=1e-7)


@pytest.mark.parametrize(
    "y, match",
    [
        (np.array([0.0, 1.0, 2.0, 1.0]), "labels 0 and 1"),
        (np.array([-1.0, 1.0, 1.0, -1.0]), "labels 0 and 1"),
        (np.array([1.0, 1.0, 1.0, 1.0]), "both classes"),
    ],
)
def test_bad_labels_name_y(y, match):
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match=match) as info:
        fit_logistic(X, y, L2(0.1))
    assert str(info.value).startswith("y ")


@pytest.mark.parametrize("kwargs, name", [({"tol": -1.0}, "tol"), ({"tol": 0.0}, "tol"), ({"max_iter": 0}, "max_iter")])
def test_bad_settings_name_the_parameter(kwargs, name):
    X, y = np.arange(8.0).reshape(4, 2), np.array([0.0, 1.0, 0.0, 1.0])
    with pytest.raises((ValueError, TypeError), match=name):
        fit_logistic(X, y, L2(0.1), **kwargs)


@pytest.mark.parametrize("pen", [L2(0.01), L1(0.01), ElasticNet(l1=0.01, l2=0.005)], ids=["l2", "l1", "elastic_net"])
def test_linear_fit_with_logistic_loss_matches_sklearn(pen):
    from regcourse import linear
    from regcourse.conventions import to_sklearn

    X, y = digits_3_vs_8()
    result = linear.fit(X, y, pen, loss="logistic")
    assert result.converged and result.solver == ("newton" if pen.l1_coef == 0 else "prox_newton")
    name, params = to_sklearn(pen, len(y), estimator="LogisticRegression")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = LogisticRegression(**params, tol=1e-12, max_iter=200_000).fit(X, y)
    np.testing.assert_allclose(result.coef, sk.coef_[0], atol=1e-5)
    assert result.intercept == pytest.approx(sk.intercept_[0], abs=1e-5)
    assert result.objective == pytest.approx(log_loss(y, X @ result.coef + result.intercept) + pen(result.coef))


def test_linear_fit_logistic_bad_settings_are_named():
    from regcourse import linear

    X, y = digits_3_vs_8()
    with pytest.raises(ValueError, match="solver"):
        linear.fit(X, y, L2(0.1), loss="logistic", solver="cd")
    with pytest.raises(ValueError, match="fit_intercept"):
        linear.fit(X, y, L2(0.1), loss="logistic", fit_intercept=False)
    with pytest.raises(ValueError, match="loss"):
        linear.fit(X, y, L2(0.1), loss="hinge")
    with pytest.raises(ValueError, match="labels 0 and 1"):
        linear.fit(X, 2 * y - 1, L2(0.1), loss="logistic")


@pytest.mark.parametrize("kind", ["l1", "l2", "elastic_net"])
def test_logistic_path_equals_separate_fits_and_starts_at_zero(kind):
    from regcourse import linear

    X, y = digits_3_vs_8()
    result = linear.path(X, y, kind, n_lams=6, eps=0.05, l1_ratio=0.5, loss="logistic", tol=1e-9)
    assert result.converged and result.coefs.shape == (6, 64)
    if kind != "l2":
        assert not result.coefs[0].any()  # the grid starts where every weight is 0
        assert result.coefs[1].any()
    for i in (1, 3, 5):
        single = linear.fit(X, y, result.penalty(i), loss="logistic", tol=1e-9)
        # KKT residual ≤ 1e-9 both ways; with little curvature that leaves ~1e-6 in the weights
        np.testing.assert_allclose(result.coefs[i], single.coef, atol=1e-5)
        assert result.intercepts[i] == pytest.approx(single.intercept, abs=1e-5)


def test_logistic_path_bad_input_is_named():
    from regcourse import linear

    X, y = digits_3_vs_8()
    with pytest.raises(ValueError, match="fit_intercept"):
        linear.path(X, y, "l1", loss="logistic", fit_intercept=False)
    with pytest.raises(ValueError, match="lams"):
        linear.path(X, y, "l1", lams=[], loss="logistic")
    with pytest.raises(ValueError, match="labels 0 and 1"):
        linear.path(X, y * 3, "l1", loss="logistic")
    with pytest.raises(ValueError, match="loss"):
        linear.path(X, y, "l1", loss="probit")
