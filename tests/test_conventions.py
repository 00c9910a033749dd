"""Every conversion in regcourse.conventions checked against the real library.

None of these tests uses the course's own solvers. scikit-learn and glmnet fit with the
converted parameters, and the test checks that their answer is optimal for the course objective
J(w, b) = (1/n)·Σ(yᵢ − xᵢ·w − b)² + λ₁·Σ|wⱼ| + λ₂·Σwⱼ², through its optimality (KKT)
conditions written out below. PyTorch and Keras are checked on the same weights and the same
training steps.
"""

import warnings

import numpy as np
import pytest
import torch
from sklearn import linear_model
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning

from regcourse import L1, L2, ElasticNet
from regcourse.conventions import (
    from_glmnet,
    from_keras,
    from_sklearn,
    from_torch_weight_decay,
    to_glmnet,
    to_keras,
    to_sklearn,
    torch_weight_decay,
)
from regcourse.data import load_diabetes, make_sparse_regression

PROBLEMS = {
    "n>p": make_sparse_regression(100, 12, 4, intercept=2.0, seed=1),
    "p>n": make_sparse_regression(30, 60, 5, seed=2),
    "correlated": make_sparse_regression(80, 20, 5, correlation=0.95, seed=3),
    "diabetes": load_diabetes(),
}


def lambda_max(X, y) -> float:
    """max|∇MSE(0)| = max|(2/n)·Xcᵀyc|: the smallest λ₁ for which w = 0 is optimal."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    return float(np.abs(2.0 / len(y) * Xc.T @ yc).max())


def penalties_for(X, y):
    """Penalties sized to the problem: λ₁ a fraction of λ_max, λ₂ a fraction of the mean feature variance."""
    l1 = 0.1 * lambda_max(X, y)
    l2 = 0.3 * float(X.var(axis=0).mean())
    return [L2(l2), L1(l1), L1(5 * l1), ElasticNet(l1=l1, l2=l2), ElasticNet(l1=l1, l2=0.0), ElasticNet(l1=0.0, l2=l2)]


def kkt_violation(X, y, w, b, l1, l2) -> float:
    """How far (w, b) is from optimal for MSE + l1·Σ|w| + l2·Σw², relative to λ_max.

    On centred data ∇_w MSE = −(2/n)·Xcᵀ(yc − Xc·w). Optimality: ∇_w MSE + 2·l2·w + l1·sign(w) = 0
    where wⱼ ≠ 0 and |∇_w MSE + 2·l2·w|ⱼ ≤ l1 where wⱼ = 0; and ∂MSE/∂b = 0, i.e. b = ȳ − x̄·w.
    """
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    smooth = -(2.0 / len(y)) * Xc.T @ (yc - Xc @ w) + 2.0 * l2 * w
    per_weight = np.where(w != 0, np.abs(smooth + l1 * np.sign(w)), np.maximum(np.abs(smooth) - l1, 0.0))
    scale = lambda_max(X, y)
    intercept_error = abs(b - (y_mean - x_mean @ w)) * float(np.abs(X).max())  # in gradient units
    return max(float(per_weight.max()), intercept_error) / scale


def sklearn_fit(name, params, X, y):
    """Fit scikit-learn's estimator tightly; its own ConvergenceWarning is an error here."""
    tight = {"tol": 1e-12, "max_iter": 1_000_000} if name in ("Lasso", "ElasticNet") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", SklearnConvergenceWarning)
        return getattr(linear_model, name)(**params, **tight).fit(X, y)


# --- scikit-learn ------------------------------------------------------------------------------

SKLEARN_TOLERANCE = 1e-8  # observed ≤ 5e-12 with tol=1e-12


@pytest.mark.parametrize("problem", PROBLEMS)
def test_sklearn_with_the_converted_parameters_minimizes_the_course_objective(problem):
    X, y = PROBLEMS[problem].X, PROBLEMS[problem].y
    for pen in penalties_for(X, y):
        name, params = to_sklearn(pen, len(y))
        model = sklearn_fit(name, params, X, y)
        assert kkt_violation(X, y, model.coef_, model.intercept_, pen.l1_coef, pen.l2_coef) < SKLEARN_TOLERANCE, pen
        assert np.count_nonzero(model.coef_) > 0, "a test where every weight is 0 would prove little"


@pytest.mark.parametrize(
    "name, wrong_params",
    [
        ("Ridge", lambda l1, l2, n: {"alpha": l2}),  # forgot the factor n
        ("Lasso", lambda l1, l2, n: {"alpha": l1}),  # forgot sklearn's 1/(2n)
        ("ElasticNet", lambda l1, l2, n: {"alpha": l1 + l2, "l1_ratio": l1 / (l1 + l2)}),  # the course's mix
    ],
)
def test_the_optimality_check_catches_a_wrong_constant(name, wrong_params):
    """The check above has teeth: plausible wrong conversions fail it by far."""
    X, y = PROBLEMS["n>p"].X, PROBLEMS["n>p"].y
    l1 = 0.1 * lambda_max(X, y) if name != "Ridge" else 0.0
    l2 = 0.3 if name != "Lasso" else 0.0
    model = sklearn_fit(name, wrong_params(l1, l2, len(y)), X, y)
    assert kkt_violation(X, y, model.coef_, model.intercept_, l1, l2) > 1e-3


@pytest.mark.parametrize(
    "estimator",
    [linear_model.Ridge(alpha=7.0), linear_model.Lasso(alpha=0.2), linear_model.ElasticNet(alpha=0.3, l1_ratio=0.3)],
    ids=lambda e: type(e).__name__,
)
def test_from_sklearn_reads_the_penalty_a_fitted_estimator_minimized(estimator):
    X, y = PROBLEMS["correlated"].X, PROBLEMS["correlated"].y
    if not isinstance(estimator, linear_model.Ridge):
        estimator.set_params(tol=1e-12, max_iter=1_000_000)
    estimator.fit(X, y)
    pen = from_sklearn(estimator, n_samples=len(y))
    assert kkt_violation(X, y, estimator.coef_, estimator.intercept_, pen.l1_coef, pen.l2_coef) < SKLEARN_TOLERANCE


def test_from_sklearn_reads_the_alpha_a_cross_validated_estimator_chose():
    X, y = PROBLEMS["n>p"].X, PROBLEMS["n>p"].y
    model = linear_model.LassoCV(cv=3, tol=1e-12, max_iter=1_000_000).fit(X, y)
    pen = from_sklearn(model)
    assert pen.kind == "l1"
    assert kkt_violation(X, y, model.coef_, model.intercept_, pen.l1_coef, 0.0) < SKLEARN_TOLERANCE
    with pytest.raises(ValueError, match="^estimator_or_name: fit the LassoCV first"):
        from_sklearn(linear_model.LassoCV())


@pytest.mark.parametrize(
    "pen",
    [L2(0.3), L1(0.2), ElasticNet(l1=0.2, l2=0.7), ElasticNet(l1=0.2, l2=0.0), ElasticNet(l1=0.0, l2=0.7)],
    ids=repr,
)
def test_to_and_from_sklearn_are_inverse(pen):
    name, params = to_sklearn(pen, 40)
    for source in ((name, params), (getattr(linear_model, name)(**params),)):
        back = from_sklearn(*source, n_samples=40)
        assert back.kind == pen.kind
        assert (back.l1_coef, back.l2_coef) == pytest.approx((pen.l1_coef, pen.l2_coef), rel=1e-12)


def test_a_zero_penalty_is_ordinary_least_squares():
    X, y = PROBLEMS["n>p"].X, PROBLEMS["n>p"].y
    for pen in (L1(0.0), L2(0.0), ElasticNet(l1=0.0, l2=0.0)):
        assert to_sklearn(pen, len(y)) == ("LinearRegression", {})
    model = sklearn_fit("LinearRegression", {}, X, y)
    assert kkt_violation(X, y, model.coef_, model.intercept_, 0.0, 0.0) < SKLEARN_TOLERANCE
    assert from_sklearn(model) == L2(0.0)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: to_sklearn(L2(0.1)), ValueError, "n_samples is required"),
        (lambda: to_sklearn(L2(0.1), 0), ValueError, "n_samples must be > 0"),
        (lambda: to_sklearn(L1(0.1), 2.5), TypeError, "n_samples must be an integer"),
        (lambda: to_sklearn("l1", 10), TypeError, "penalty must be a regcourse penalty"),
        (lambda: from_sklearn("Ridge", {"alpha": 1.0}), ValueError, "n_samples is required for Ridge"),
        (lambda: from_sklearn(linear_model.Ridge(), n_samples=-3), ValueError, "n_samples must be > 0"),
        (lambda: from_sklearn("SGDRegressor", {"alpha": 1.0}), ValueError, "estimator_or_name must be one of"),
        (lambda: from_sklearn(linear_model.HuberRegressor()), ValueError, "estimator_or_name must be a scikit-learn"),
        (lambda: from_sklearn(object()), TypeError, "estimator_or_name must be"),
        (lambda: from_sklearn("Lasso", {"alpha": -1.0}), ValueError, "alpha must be >= 0"),
        (lambda: from_sklearn("Lasso", {"alpha": float("nan")}), ValueError, "alpha must be a number"),
        (lambda: from_sklearn("ElasticNet", {"alpha": 1.0, "l1_ratio": 1.5}), ValueError, "l1_ratio must lie in"),
        (
            lambda: from_sklearn("Lasso", {"alpha": 1.0, "positive": True}),
            ValueError,
            "estimator_or_name: Lasso(positive",
        ),
        (lambda: from_sklearn("Lasso", [("alpha", 1.0)]), TypeError, "params must be a dict"),
        (lambda: from_sklearn(linear_model.Lasso(), {"alpha": 1.0}), TypeError, "params is only for a name"),
    ],
)
def test_bad_sklearn_input_is_refused_by_name(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert str(raised.value).startswith(message), str(raised.value)


# --- PyTorch -----------------------------------------------------------------------------------


def train(optimizer_class, weight_decay, penalty, steps=50, **options):
    """Train y ≈ Xw + b for a few steps: weight decay on the weight only, or a penalty in the loss."""
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(64, 5, dtype=torch.float64, generator=generator)
    noise = torch.randn(64, dtype=torch.float64, generator=generator)
    y = X @ torch.tensor([1.0, -2.0, 0.0, 0.5, 3.0], dtype=torch.float64) + 0.3 * noise
    torch.manual_seed(1)
    model = torch.nn.Linear(5, 1, dtype=torch.float64)
    groups = [{"params": [model.weight], "weight_decay": weight_decay}, {"params": [model.bias], "weight_decay": 0.0}]
    optimizer = optimizer_class(groups, **options)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X).squeeze(1), y)
        if penalty is not None:
            loss = loss + penalty(model.weight)
        loss.backward()
        optimizer.step()
    return torch.cat([model.weight.detach().ravel(), model.bias.detach()])


@pytest.mark.parametrize(
    "optimizer_class, options",
    [
        (torch.optim.SGD, {"lr": 0.05}),
        (torch.optim.SGD, {"lr": 0.02, "momentum": 0.9}),
        (torch.optim.Adam, {"lr": 0.05}),
    ],
    ids=["SGD", "SGD+momentum", "Adam"],
)
def test_weight_decay_trains_exactly_like_the_l2_penalty_in_the_loss(optimizer_class, options):
    pen = L2(0.15)
    wd = torch_weight_decay(pen)
    decayed = train(optimizer_class, wd, None, **options)
    penalized = train(optimizer_class, 0.0, pen, **options)
    torch.testing.assert_close(decayed, penalized, rtol=0.0, atol=1e-12)
    assert not torch.allclose(decayed, train(optimizer_class, 0.0, L2(wd), **options)), "λ = wd would also pass"


def test_adamw_decay_is_not_a_penalty_in_the_loss():
    """The docstring's warning: AdamW's decoupled decay differs from Adam's coupled one."""
    pen = L2(0.15)
    decoupled = train(torch.optim.AdamW, torch_weight_decay(pen), None, lr=0.05)
    assert not torch.allclose(decoupled, train(torch.optim.Adam, 0.0, pen, lr=0.05), atol=1e-6)


def test_weight_decay_conversions():
    assert from_torch_weight_decay(torch_weight_decay(L2(0.37))) == L2(0.37)
    assert torch_weight_decay(ElasticNet(l1=0.0, l2=0.2)) == torch_weight_decay(L2(0.2))
    for pen in (L1(0.1), ElasticNet(l1=0.1, l2=0.2)):
        with pytest.raises(ValueError, match="^penalty .* has an L1 part"):
            torch_weight_decay(pen)
    with pytest.raises(ValueError, match="^weight_decay must be >= 0"):
        from_torch_weight_decay(-0.1)
    with pytest.raises(ValueError, match="^weight_decay must be a number"):
        from_torch_weight_decay(float("nan"))
    with pytest.raises(TypeError, match="^penalty must be"):
        torch_weight_decay(0.1)


# --- Keras -------------------------------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize(
    "pen", [L1(0.02), L2(0.5), ElasticNet(l1=0.01, l2=0.03), ElasticNet(l1=0.0, l2=0.03)], ids=repr
)
def test_the_keras_regularizer_adds_our_penalty(pen):
    from regcourse._keras import import_keras

    keras = import_keras()
    regularizer = to_keras(pen)
    for dtype in (torch.float32, torch.float64):
        w = torch.tensor(np.random.default_rng(1).normal(size=(10, 64)), dtype=dtype)
        value = float(keras.ops.convert_to_numpy(regularizer(w)))
        assert value == pytest.approx(float(pen(w)), rel=1e-6)  # Keras keeps an L1's λ in float32
    back = from_keras(regularizer)
    assert back.kind == pen.kind
    assert (back.l1_coef, back.l2_coef) == pytest.approx((pen.l1_coef, pen.l2_coef), rel=1e-7)


@pytest.mark.keras
def test_from_keras_reads_regularizers_made_by_keras():
    from regcourse._keras import import_keras

    keras = import_keras()
    w = np.random.default_rng(2).normal(size=(4, 3)).astype("float32")
    for regularizer in (keras.regularizers.L1(0.3), keras.regularizers.L2(0.3), keras.regularizers.l1_l2(0.1, 0.2)):
        expected = float(keras.ops.convert_to_numpy(regularizer(keras.ops.convert_to_tensor(w))))
        assert float(from_keras(regularizer)(w)) == pytest.approx(expected, rel=1e-6)
    with pytest.raises(TypeError, match="^regularizer must be a Keras L1, L2 or L1L2"):
        from_keras(keras.regularizers.OrthogonalRegularizer())
    with pytest.raises(TypeError, match="^penalty must be"):
        to_keras("l2")


# --- glmnet: the Fortran code behind R's glmnet ---------------------------------------------------

# glmnet stops when a full pass moves no weight by more than about √tol (its test is on the
# squared change): tol=1e-14 left KKT violations up to 2e-6, tol=1e-20 leaves ≤ 1e-9 and
# coefficients within 3e-9 (relative) of scikit-learn's. 1e-6 keeps a wide margin and still
# fails for a wrong constant (violations above 1e-2, see the test of y_std).
GLMNET_TOLERANCE = 1e-6


def glmnet_fit(X, y, params, *, standardize=False):
    glmnet = pytest.importorskip("glmnet")
    model = glmnet.ElasticNet(
        alpha=params["alpha"],
        lambda_path=np.array([params["lambda"]]),
        standardize=standardize,
        fit_intercept=True,
        n_splits=0,
        tol=1e-20,
        max_iter=10_000_000,
    ).fit(X, y)
    return model.coef_path_[:, 0], float(model.intercept_path_[0])


def unit_sd(y):
    """y rescaled to (1/n) standard deviation 1, the y for which glmnet's documented objective holds."""
    return y / y.std()


@pytest.mark.parametrize("problem", ["n>p", "p>n", "correlated"])
def test_glmnet_with_the_converted_parameters_minimizes_the_course_objective(problem):
    X, y = PROBLEMS[problem].X, unit_sd(PROBLEMS[problem].y)
    for pen in penalties_for(X, y):
        coef, intercept = glmnet_fit(X, y, to_glmnet(pen, y_std=y.std()))
        assert kkt_violation(X, y, coef, intercept, pen.l1_coef, pen.l2_coef) < GLMNET_TOLERANCE, pen
        name, params = to_sklearn(pen, len(y))
        ours = sklearn_fit(name, params, X, y).coef_
        np.testing.assert_allclose(coef, ours, atol=GLMNET_TOLERANCE * np.abs(ours).max())


@pytest.mark.parametrize("problem", ["n>p", "diabetes"])
def test_glmnet_needs_y_std_when_y_does_not_have_unit_variance(problem):
    """glmnet scales y and λ by sd(y) internally, which rescales the L2 part: y_std corrects it."""
    X, y = PROBLEMS[problem].X, PROBLEMS[problem].y
    assert abs(y.std() - 1.0) > 0.5
    pen = penalties_for(X, y)[3]  # an elastic net with both parts
    coef, intercept = glmnet_fit(X, y, to_glmnet(pen, y_std=y.std()))
    assert kkt_violation(X, y, coef, intercept, pen.l1_coef, pen.l2_coef) < GLMNET_TOLERANCE
    coef, intercept = glmnet_fit(X, y, to_glmnet(pen, y_std=1.0))  # the documented objective's numbers alone
    assert kkt_violation(X, y, coef, intercept, pen.l1_coef, pen.l2_coef) > 1e-2
    lasso = penalties_for(X, y)[1]  # the L1 part is not affected
    coef, intercept = glmnet_fit(X, y, to_glmnet(lasso))
    assert kkt_violation(X, y, coef, intercept, lasso.l1_coef, 0.0) < GLMNET_TOLERANCE


def test_glmnet_standardizes_x_by_default_so_the_equivalence_holds_on_standardized_x():
    data = PROBLEMS["correlated"]
    X = data.X * np.linspace(0.2, 5.0, data.X.shape[1]) + 3.0  # unequal scales make the difference visible
    y = unit_sd(data.y)
    pen = ElasticNet(l1=0.1 * lambda_max(X, y), l2=0.2)
    coef, _ = glmnet_fit(X, y, to_glmnet(pen, y_std=y.std()), standardize=True)  # reported on X's scale
    sd = X.std(axis=0)  # glmnet standardizes with the 1/n standard deviation
    Xs = (X - X.mean(axis=0)) / sd
    coef_s = coef * sd
    intercept_s = y.mean() - Xs.mean(axis=0) @ coef_s
    assert kkt_violation(Xs, y, coef_s, intercept_s, pen.l1_coef, pen.l2_coef) < GLMNET_TOLERANCE
    raw, _ = glmnet_fit(X, y, to_glmnet(pen, y_std=y.std()), standardize=False)
    assert kkt_violation(Xs, y, raw * sd, intercept_s, pen.l1_coef, pen.l2_coef) > 1e-2


@pytest.mark.parametrize("pen", [L1(0.3), L2(0.3), ElasticNet(l1=0.2, l2=0.7), ElasticNet(l1=0.2, l2=0.0)], ids=repr)
@pytest.mark.parametrize("y_std", [1.0, 2.5])
def test_to_and_from_glmnet_are_inverse(pen, y_std):
    params = to_glmnet(pen, y_std=y_std)
    assert 0.0 <= params["alpha"] <= 1.0
    back = from_glmnet(params["alpha"], params["lambda"], y_std=y_std)
    assert (back.l1_coef, back.l2_coef) == pytest.approx((pen.l1_coef, pen.l2_coef), rel=1e-12)


def test_glmnet_edge_cases_and_bad_input():
    assert to_glmnet(L2(0.0)) == {"alpha": 0.0, "lambda": 0.0}
    assert to_glmnet(ElasticNet(l1=0.0, l2=0.0))["lambda"] == 0.0
    assert from_glmnet(1.0, 0.5) == L1(1.0) and from_glmnet(0.0, 0.5, y_std=1.0) == L2(0.5)
    with pytest.raises(ValueError, match="^y_std is required for a penalty with an L2 part"):
        to_glmnet(ElasticNet(l1=0.1, l2=0.1))  # without s_y the answer would be silently wrong
    with pytest.raises(ValueError, match="^y_std is required"):
        from_glmnet(0.5, 0.1)
    for call, error, message in [
        (lambda: to_glmnet(L1(0.1), y_std=0.0), ValueError, "y_std must be > 0"),
        (lambda: to_glmnet(L1(0.1), y_std=float("nan")), ValueError, "y_std must be a number"),
        (lambda: to_glmnet(None), TypeError, "penalty must be"),
        (lambda: from_glmnet(1.5, 0.1), ValueError, "alpha must lie in [0, 1]"),
        (lambda: from_glmnet(0.5, -0.1), ValueError, "lambda_ must be >= 0"),
        (lambda: from_glmnet("0.5", 0.1), TypeError, "alpha must be a real number"),
    ]:
        with pytest.raises(error) as raised:
            call()
        assert str(raised.value).startswith(message), str(raised.value)
