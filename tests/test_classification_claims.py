"""Chapter 09's claims against the real libraries: PyTorch's BCE loss (with the penalty or with
SGD's weight_decay) and Keras's "binary_crossentropy" plus a regularizer minimize the course's
logistic objective; and the statements the lecture makes about separable data, the mean predicted
probability and strong λ. (scikit-learn's C is verified in tests/test_logistic.py and
tests/test_conventions_logistic.py.)"""

import numpy as np
import pytest
import torch

from regcourse import L1, L2, ElasticNet, linear
from regcourse.data import load_digits_pair, make_two_blobs
from regcourse.logistic import log_loss, sigmoid
from regcourse.nn import param_groups, penalty


@pytest.fixture(scope="module")
def blobs():
    data = make_two_blobs(60, separation=3.0, seed=3)
    return data.X, data.y


def _torch_model(coef, intercept):
    model = torch.nn.Linear(len(coef), 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor(coef).reshape(1, -1))
        model.bias.fill_(intercept)
    return model


@pytest.mark.parametrize("pen", [L2(0.05), L1(0.05), ElasticNet(l1=0.02, l2=0.03)], ids=repr)
def test_torch_bce_with_logits_plus_the_penalty_is_the_course_objective_and_minimal_at_our_fit(blobs, pen):
    X, y = blobs
    fit = linear.fit(X, y, pen, loss="logistic", tol=1e-12)
    model = _torch_model(fit.coef, fit.intercept)
    Xt, yt = torch.tensor(X), torch.tensor(y).reshape(-1, 1)
    bce = torch.nn.BCEWithLogitsLoss()(model(Xt), yt)  # reduction="mean"
    objective = bce + penalty(model, pen)
    assert objective.item() == pytest.approx(
        log_loss(y, X @ fit.coef + fit.intercept) + float(pen(fit.coef)), rel=1e-12
    )
    bce.backward()  # optimality: −∇ of the data part lies in the penalty's subdifferential
    grad_w, grad_b = model.weight.grad.numpy().ravel(), model.bias.grad.item()
    smooth = grad_w + 2 * pen.l2_coef * fit.coef
    on = fit.coef != 0
    np.testing.assert_allclose(smooth[on], -pen.l1_coef * np.sign(fit.coef[on]), atol=1e-8)
    assert np.all(np.abs(smooth[~on]) <= pen.l1_coef + 1e-8)
    assert abs(grad_b) < 1e-8  # the bias is not penalized: its own gradient is 0


def test_torch_sgd_weight_decay_on_bce_is_the_l2_penalty_with_lambda_half_of_it(blobs):
    X, y = blobs
    Xt, yt = torch.tensor(X), torch.tensor(y).reshape(-1, 1)
    lam = 0.05

    def run(weight_decay, pen, steps=3000):
        model = _torch_model(np.zeros(2), 0.0)
        optimizer = torch.optim.SGD(param_groups(model, weight_decay), lr=0.5)
        for _ in range(steps):
            optimizer.zero_grad()
            (torch.nn.functional.binary_cross_entropy_with_logits(model(Xt), yt) + penalty(model, pen)).backward()
            optimizer.step()
        return model.weight.detach().numpy().ravel(), model.bias.item()

    decayed, in_loss = run(2 * lam, L2(0.0)), run(0.0, L2(lam))
    np.testing.assert_allclose(decayed[0], in_loss[0], rtol=0, atol=1e-12)
    fit = linear.fit(X, y, L2(lam), loss="logistic", tol=1e-12)
    np.testing.assert_allclose(decayed[0], fit.coef, atol=1e-6)  # SGD has converged to the course's fit
    assert decayed[1] == pytest.approx(fit.intercept, abs=1e-6)
    wrong = run(lam, L2(0.0))[0]  # weight_decay = λ is a penalty half as strong
    assert np.abs(wrong - fit.coef).max() > 1e-2


@pytest.mark.keras
@pytest.mark.parametrize("pen", [L2(0.05), L1(0.05), ElasticNet(l1=0.02, l2=0.03)], ids=repr)
def test_keras_binary_crossentropy_plus_the_regularizer_is_the_course_objective(blobs, pen):
    from regcourse._keras import import_keras

    keras = import_keras()
    X, y = blobs
    fit = linear.fit(X, y, pen, loss="logistic", tol=1e-12)
    regularizer = keras.regularizers.L1L2(l1=pen.l1_coef, l2=pen.l2_coef)  # k·Σ|w| + k·Σw², no ½
    model = keras.Sequential(
        [keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=regularizer)]
    )
    model.compile(loss="binary_crossentropy")
    model.layers[0].set_weights([fit.coef.reshape(2, 1).astype("float32"), np.array([fit.intercept], "float32")])
    keras_loss = model.evaluate(X.astype("float32"), y.astype("float32"), verbose=0)
    ours = log_loss(y, X @ fit.coef + fit.intercept) + float(pen(fit.coef))
    assert keras_loss == pytest.approx(ours, rel=1e-5)  # float32, and Keras clips p to [1e-7, 1 − 1e-7]
    assert len(model.losses) == 1  # only the kernel is penalized, not the bias


def test_keras_l2_regularizer_has_no_half_so_lambda_equals_k():
    from regcourse._keras import import_keras

    keras = import_keras()
    w = np.array([[1.0], [-2.0]], dtype="float32")
    assert float(keras.ops.convert_to_numpy(keras.regularizers.L2(0.1)(w))) == pytest.approx(
        float(L2(0.1)(w)), rel=1e-6
    )


# --- the lecture's statements -----------------------------------------------------------------


def test_separable_blobs_unpenalized_weights_keep_growing_and_any_lambda_stops_them():
    data = make_two_blobs(40, separation=5.0, seed=0)
    norms = []
    for max_iter in (100, 1000, 10_000):
        with pytest.warns(linear.ConvergenceWarning):
            result = linear.fit(data.X, data.y, L2(0.0), loss="logistic", max_iter=max_iter)
        assert not result.converged
        norms.append(np.linalg.norm(result.coef))
    assert norms[0] < norms[1] < norms[2]
    scores = data.X @ result.coef + result.intercept
    assert np.array_equal(scores > 0, data.y == 1)  # the classes are separated by a line
    finite = [linear.fit(data.X, data.y, L2(lam), loss="logistic") for lam in (1e-1, 1e-2, 1e-3, 1e-4)]
    assert all(f.converged for f in finite)
    sizes = [np.linalg.norm(f.coef) for f in finite]
    assert sizes == sorted(sizes)  # smaller λ, larger weights — but finite for each λ > 0


@pytest.mark.parametrize("pen", [L2(1e-4), L2(0.1), L2(10.0), L1(0.2)], ids=repr)
def test_mean_predicted_probability_on_the_training_data_is_the_class_1_fraction(pen):
    data = make_two_blobs(201, separation=2.0, seed=1)
    fit = linear.fit(data.X, data.y, pen, loss="logistic", tol=1e-12)
    assert sigmoid(data.X @ fit.coef + fit.intercept).mean() == pytest.approx(data.y.mean(), abs=1e-9)


def test_the_unpenalized_fit_is_overconfident_on_200_points_and_a_small_lambda_calibrates_it():
    """Section 7's numbers: ‖w‖ 3.34 against the true 2.0, 72.6% class 1 among the points given
    0.8–0.9, and λ = 0.01 with the lowest test log-loss of the four (0.3267 against 0.3516)."""
    train, test = make_two_blobs(200, separation=2.0, seed=1), make_two_blobs(2000, separation=2.0, seed=2)
    true_w = np.full(2, 2.0 / np.sqrt(2.0))  # centres ±(1/√2)(1, 1), unit variance: w = μ₁ − μ₀
    losses, bands = {}, {}
    for lam in (0.0, 0.01, 0.1, 1.0):
        fit = linear.fit(train.X, train.y, L2(lam), loss="logistic", tol=1e-12)
        z = test.X @ fit.coef + fit.intercept
        p = sigmoid(z)
        losses[lam] = log_loss(test.y, z)
        band = (p >= 0.8) & (p < 0.9)
        bands[lam] = (p[band].mean(), test.y[band].mean()) if band.any() else None
        if lam == 0.0:
            assert np.linalg.norm(true_w) == pytest.approx(2.0)
            assert np.linalg.norm(fit.coef) == pytest.approx(3.34, abs=0.005) and np.linalg.norm(fit.coef) > 3.0
        if lam == 0.01:
            assert np.linalg.norm(fit.coef) == pytest.approx(2.13, abs=0.005)
    assert min(losses, key=losses.get) == 0.01
    assert losses[0.0] == pytest.approx(0.3516, abs=5e-5) and losses[0.01] == pytest.approx(0.3267, abs=5e-5)
    predicted, observed = bands[0.0]
    assert predicted == pytest.approx(0.85, abs=0.005) and observed == pytest.approx(0.726, abs=0.0005)
    assert observed < predicted - 0.1  # overconfident
    assert abs(bands[0.01][1] - bands[0.01][0]) < 0.01  # 85.5% observed for 0.85 predicted
    assert bands[1.0] is None  # λ = 1 gives no probability that high


def test_strong_lambda_squeezes_probabilities_towards_the_base_rate_and_makes_them_underconfident():
    train, test = make_two_blobs(200, separation=2.0, seed=1), make_two_blobs(2000, separation=2.0, seed=2)
    spreads = []
    for lam in (0.0, 0.1, 1.0):
        fit = linear.fit(train.X, train.y, L2(lam), loss="logistic")
        p = sigmoid(test.X @ fit.coef + fit.intercept)
        spreads.append(p.max() - p.min())
    assert spreads[0] > spreads[1] > spreads[2]
    # under λ = 1: where the model says "more likely class 1", class 1 is more frequent still
    confident = p > 0.55
    assert confident.sum() > 50 and test.y[confident].mean() > p[confident].mean() + 0.2
    unlikely = p < 0.45
    assert unlikely.sum() > 50 and test.y[unlikely].mean() < p[unlikely].mean() - 0.2
    assert abs(p.mean() - train.y.mean()) < 0.05 and abs(train.y.mean() - 0.5) < 0.01


def test_l1_on_digits_the_lecture_counts():
    data = load_digits_pair(3, 8)
    counts = [
        np.count_nonzero(linear.fit(data.X, data.y, L1(lam), loss="logistic").coef) for lam in (0.05, 0.01, 0.002)
    ]
    assert counts == sorted(counts) and counts[0] <= 6 and counts[-1] >= 15


def test_the_digits_exercise_counts_are_the_live_fit():
    from regcourse.exercises import ch09_classification as ch09

    fit = linear.fit(*(lambda d: (d.X, d.y))(load_digits_pair(3, 8)), L1(ch09.DIGITS_LAM), loss="logistic")
    assert np.count_nonzero(fit.coef) == ch09.DIGITS_PIXELS_USED
    assert np.count_nonzero(fit.coef > 0) == ch09.DIGITS_PIXELS_POSITIVE
    assert np.abs(fit.coef[fit.coef != 0]).min() > 0.05  # every used pixel is visibly coloured in the image


def test_the_sklearn_C_exercise_reference_is_the_conventions_module():
    from regcourse.conventions import to_sklearn
    from regcourse.exercises import ch09_classification as ch09

    for pen, kind in ((L2(0.03), "l2"), (L1(0.03), "l1")):
        assert ch09._sklearn_C(0.03, 123, kind) == pytest.approx(
            to_sklearn(pen, 123, estimator="LogisticRegression")[1]["C"]
        )


def test_sklearn_default_logistic_regression_is_l2_with_lambda_one_over_2n():
    from sklearn.linear_model import LogisticRegression

    from regcourse.conventions import from_sklearn_logistic

    default = LogisticRegression()
    assert default.get_params()["C"] == 1.0
    pen = from_sklearn_logistic(default, 357)
    assert pen.l1_coef == 0 and pen.l2_coef == pytest.approx(1 / (2 * 357))
    data = load_digits_pair(3, 8)
    fitted = LogisticRegression(tol=1e-10, max_iter=10_000).fit(data.X, data.y)  # the default penalty, fitted
    ours = linear.fit(data.X, data.y, L2(1 / (2 * len(data.y))), loss="logistic", tol=1e-10)
    np.testing.assert_allclose(ours.coef, fitted.coef_[0], atol=1e-4)
