"""regcourse.implicit against independent computations: NumPy's pseudo-inverse, scikit-learn's
Ridge and LinearSVC, the finite-n expectation of least squares' risk, and simulations of the
double-descent formula of Hastie, Montanari, Rosset & Tibshirani (2019)."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.svm import LinearSVC

from regcourse import implicit


def wide(seed=0, n=20, p=60):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, p)), rng.standard_normal(n)


def test_gradient_descent_from_zero_ends_at_the_minimum_norm_interpolant():
    X, y = wide()
    step = 0.9 / np.linalg.eigvalsh(X.T @ X / len(y)).max()
    w = implicit.gd_least_squares(X, y, step, 20_000)
    np.testing.assert_allclose(w, np.linalg.pinv(X) @ y, atol=1e-10)
    np.testing.assert_allclose(X @ w, y, atol=1e-10)  # it interpolates
    np.testing.assert_allclose(implicit.min_norm_solution(X, y), np.linalg.pinv(X) @ y, atol=1e-12)


def test_ridge_tends_to_the_same_solution_as_lambda_goes_to_zero():
    X, y = wide(1)
    pinv = np.linalg.pinv(X) @ y
    gaps = [
        np.abs(Ridge(alpha=len(y) * lam, fit_intercept=False).fit(X, y).coef_ - pinv).max()
        for lam in (1e-2, 1e-4, 1e-6)
    ]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-5


def test_a_start_outside_the_row_space_keeps_its_component_there():
    """The condition matters: GD changes w only within the row space of X."""
    X, y = wide(2)
    w0 = np.random.default_rng(3).standard_normal(X.shape[1])
    step = 0.9 / np.linalg.eigvalsh(X.T @ X / len(y)).max()
    w = implicit.gd_least_squares(X, y, step, 20_000, w0=w0)
    null_projector = np.eye(X.shape[1]) - np.linalg.pinv(X) @ X
    np.testing.assert_allclose(w, np.linalg.pinv(X) @ y + null_projector @ w0, atol=1e-10)
    assert np.linalg.norm(w) > np.linalg.norm(np.linalg.pinv(X) @ y)


def test_the_double_descent_formula_matches_a_simulation_within_its_error():
    ps = np.array([30, 60, 130, 200, 400])
    sim = implicit.min_norm_risk_simulated(100, ps, snr_r2=1.0, noise_var=0.25, n_sims=60, seed=1)
    formula = implicit.min_norm_risk(ps / 100, 1.0, 0.25)
    # finite n: below the threshold E‖ŵ − β‖² = σ²·p/(n − p − 1) exactly (Gaussian X); the limit is σ²γ/(1 − γ)
    exact_below = 0.25 * ps / (100 - ps - 1)
    for p, mean, se, limit, exact in zip(ps, sim.risk, sim.standard_error, formula, exact_below):
        if p < 100:
            assert abs(mean - exact) < 4 * se, p
        assert abs(mean - limit) < 4 * se + 0.05 * limit, p
    assert sim.risk[2] > sim.risk[1] and sim.risk[2] > sim.risk[3]  # the peak sits near p = n
    assert implicit.min_norm_risk(1.0, 1.0, 0.25) == np.inf


def test_the_formula_names_its_bad_inputs():
    with pytest.raises(ValueError, match="gamma"):
        implicit.min_norm_risk(0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="snr_r2"):
        implicit.min_norm_risk(0.5, -1.0, 1.0)
    with pytest.raises(ValueError, match="noise_var"):
        implicit.min_norm_risk(0.5, 1.0, np.nan)
    with pytest.raises(ValueError, match="n_features"):
        implicit.min_norm_risk_simulated(10, [0, 5])
    with pytest.raises(ValueError, match="step"):
        implicit.gd_least_squares(*wide(), step=-1.0, n_steps=3)
    with pytest.raises(ValueError, match="w0"):
        implicit.gd_least_squares(*wide(), step=0.01, n_steps=3, w0=np.zeros(2))


def separable(seed=0, k=20):
    rng = np.random.default_rng(seed)
    plus = np.column_stack([2 + 2 * rng.random(k), 1.5 * rng.standard_normal(k)])
    X = np.vstack([plus, [[0.5, 2.0]], -plus, [[-0.5, -2.0]]])
    return X, np.r_[np.ones(k + 1), np.zeros(k + 1)]


def test_the_max_margin_direction_is_scikit_learns_hard_margin_svm():
    X, y = separable()
    ours = implicit.max_margin_direction(X, y)
    theirs = LinearSVC(fit_intercept=False, loss="hinge", C=1e6, tol=1e-12, max_iter=10_000_000).fit(X, 2 * y - 1)
    assert implicit.angle_between(ours, theirs.coef_.ravel()) < 1e-3
    s = 2 * y - 1
    margins = s * (X @ ours)
    # the SVM's w has smallest margin exactly 1; its direction's margins are all ≥ the smallest
    assert np.isclose(ours @ ours, 1.0) and margins.min() > 0


def test_logistic_gradient_descent_turns_toward_the_max_margin_direction():
    X, y = separable()
    direction = implicit.max_margin_direction(X, y)
    steps = [1, 10, 100, 1000, 10_000, 100_000]
    W = implicit.logistic_gd_directions(X, y, 1.0, steps)
    angles = [implicit.angle_between(w, direction) for w in W]
    norms = np.linalg.norm(W, axis=1)
    assert all(a > b for a, b in zip(angles, angles[1:])) and angles[0] > 20 and angles[-1] < 1
    assert all(a < b for a, b in zip(norms, norms[1:]))  # the norm grows without bound…
    growth = np.diff(norms[-4:])
    assert growth.max() < 1.5 * growth.min()  # …by about the same amount per decade of steps: like log t


def test_max_margin_refuses_data_that_are_not_separable_through_the_origin():
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])  # XOR through the origin
    with pytest.raises(ValueError, match="not linearly separable"):
        implicit.max_margin_direction(X, np.array([1, 1, 0, 0]))
    with pytest.raises(ValueError, match="two classes"):
        implicit.max_margin_direction(X, np.array([1, 2, 1, 2]))


def test_angle_between_is_in_degrees_and_names_a_zero_vector():
    assert implicit.angle_between([1, 0], [0, 2]) == pytest.approx(90.0)
    assert implicit.angle_between([1, 1], [2, 2]) == pytest.approx(0.0, abs=1e-12)
    assert implicit.angle_between([1, 0], [1, 1e-9]) == pytest.approx(np.degrees(1e-9), rel=1e-6)
    with pytest.raises(ValueError, match="zero vector"):
        implicit.angle_between([0, 0], [1, 0])


# --- label smoothing: the constant each library uses -------------------------------------------------


def _logits(seed=0, n=12, K=4):
    rng = np.random.default_rng(seed)
    return 3 * rng.standard_normal((n, K)), rng.integers(0, K, n)


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.3])
def test_smoothed_cross_entropy_is_torchs_cross_entropy_with_label_smoothing(eps):
    torch = pytest.importorskip("torch")
    z, labels = _logits()
    theirs = torch.nn.CrossEntropyLoss(label_smoothing=eps)(torch.tensor(z), torch.tensor(labels))
    assert implicit.smoothed_cross_entropy(z, labels, eps) == pytest.approx(theirs.item(), rel=1e-12)


@pytest.mark.keras
@pytest.mark.parametrize("eps", [0.1, 0.3])
def test_smoothed_cross_entropy_is_keras_categorical_crossentropy_with_label_smoothing(eps):
    from regcourse._keras import import_keras

    keras = import_keras()
    z, labels = _logits(1)
    loss = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=eps)
    theirs = float(keras.ops.convert_to_numpy(loss(np.eye(4)[labels], z)))
    assert implicit.smoothed_cross_entropy(z, labels, eps) == pytest.approx(theirs, rel=1e-6)  # float32 inside


def test_keras_binary_smoothing_is_the_same_rule_with_two_classes():
    """BinaryCrossentropy(label_smoothing=ε) moves a 0/1 label to y(1 − ε) + ε/2: q of K = 2."""
    q = implicit.smoothed_targets(np.array([0, 1]), 2, 0.2)
    np.testing.assert_allclose(q[:, 1], np.array([0.0, 1.0]) * (1 - 0.2) + 0.2 / 2)


def test_the_smoothed_loss_of_one_sample_is_smallest_at_the_capped_logit_gap():
    from scipy.optimize import minimize

    eps, K = 0.1, 5
    best = minimize(lambda z: implicit.smoothed_cross_entropy(z[None, :], np.array([2]), eps), np.zeros(K), tol=1e-12)
    gaps = best.x[2] - np.delete(best.x, 2)
    np.testing.assert_allclose(gaps, implicit.optimal_logit_gap(eps, K), rtol=1e-4)
    # without smoothing the loss keeps falling as the gap grows: no finite optimum
    losses = [implicit.smoothed_cross_entropy(np.array([[g, 0.0, 0.0]]), np.array([0]), 0.0) for g in (5, 10, 20)]
    assert losses[0] > losses[1] > losses[2] > 0 and implicit.optimal_logit_gap(0.0, 3) == np.inf


def test_label_smoothing_names_its_bad_inputs():
    with pytest.raises(ValueError, match="eps"):
        implicit.smoothed_targets(np.array([0]), 3, 1.5)
    with pytest.raises(ValueError, match="labels"):
        implicit.smoothed_targets(np.array([3]), 3, 0.1)
    with pytest.raises(ValueError, match="same number of samples"):
        implicit.smoothed_cross_entropy(np.zeros((2, 3)), np.array([0]), 0.1)
    with pytest.raises(ValueError, match="n_classes"):
        implicit.optimal_logit_gap(0.1, 1)


# --- dropout as an ensemble ----------------------------------------------------------------------------


@pytest.mark.parametrize("drop", [0.1, 0.5, 0.8])
def test_for_a_linear_model_the_average_over_all_masks_is_weight_scaling(drop):
    rng = np.random.default_rng(4)
    w, x = rng.standard_normal(5), rng.standard_normal(5)  # 5 inputs: 32 masks, as in chapter 10
    assert implicit.linear_dropout_average(w, 0.7, x, drop) == pytest.approx(w @ x + 0.7, rel=1e-12)


def test_torch_dropout_on_a_linear_layer_averages_to_its_eval_output():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Dropout(0.5), torch.nn.Linear(5, 1)).double()
    x = torch.randn(3, 5, dtype=torch.float64)
    mean, error, evaluated = implicit.network_dropout_average(model, x, n_masks=20_000, seed=1)
    assert np.all(np.abs(mean - evaluated) < 4 * error)  # equal in expectation
    assert model.training  # the mode is restored


def test_for_a_network_weight_scaling_is_only_an_approximation_of_the_average():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(1, 64),
        torch.nn.Tanh(),
        torch.nn.Dropout(0.5),
        torch.nn.Linear(64, 64),
        torch.nn.Tanh(),
        torch.nn.Dropout(0.5),
        torch.nn.Linear(64, 1),
    ).double()
    model.eval()
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)[:, None]
    mean, error, evaluated = implicit.network_dropout_average(model, x, n_masks=20_000, seed=2)
    gap = np.abs(mean - evaluated)
    assert np.any(gap > 6 * error)  # a real difference, not simulation noise
    assert gap.max() < 0.5 * np.abs(evaluated).max() + 0.1  # but of the same order: an approximation
    assert not model.training  # eval mode restored


def test_tuned_ridge_removes_the_peak():
    """λ = σ²p/(n·r²) (the posterior mean for β ~ N(0, r²/p·I)): no peak at p = n, and never worse than
    the minimum-norm fit (Nakkiran et al. 2021 show the tuned risk is monotone in p for this model)."""
    ps = np.array([30, 60, 90, 100, 110, 150, 300])
    tuned = implicit.min_norm_risk_simulated(
        100, ps, snr_r2=1.0, noise_var=0.25, n_sims=60, seed=5, ridge_lam=lambda p: 0.25 * p / (100 * 1.0)
    )
    plain = implicit.min_norm_risk_simulated(100, ps, snr_r2=1.0, noise_var=0.25, n_sims=60, seed=5)
    assert np.all(tuned.risk <= plain.risk + 2 * plain.standard_error)
    assert tuned.risk.max() < 1.0 < plain.risk.max()  # the min-norm peak is far above 1 near p = n
    steps = np.diff(tuned.risk)
    assert np.all(steps > -3 * np.hypot(tuned.standard_error[1:], tuned.standard_error[:-1]))  # no descent


def test_the_tuned_lambda_is_the_best_of_a_grid_within_the_simulations_error():
    ps, factors = np.array([80]), [0.25, 0.5, 1.0, 2.0, 4.0]
    risks = [
        implicit.min_norm_risk_simulated(
            100, ps, snr_r2=1.0, noise_var=0.5, n_sims=200, seed=6, ridge_lam=lambda p, f=f: f * 0.5 * p / 100
        )
        for f in factors
    ]
    best = int(np.argmin([r.risk[0] for r in risks]))
    assert factors[best] == 1.0


def test_ridge_lam_must_be_positive():
    with pytest.raises(ValueError, match="ridge_lam"):
        implicit.min_norm_risk_simulated(10, [5], n_sims=2, ridge_lam=0.0)
