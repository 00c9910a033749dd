"""What chapter 10 states that the groundwork tests (tests/test_beyond.py) do not already cover:
torch's Dropout in train and eval mode (inverted scaling 1/(1 − p)), max-norm by torch.renorm,
image shifts for augmentation, the gallery figure, and the early-stopping shrinkage per
eigen-direction computed from the two paths themselves, as the lecture does."""

import numpy as np
import pytest

from regcourse.beyond import early_stopping_lam, gradient_descent_path, ridge_solution, shift_image

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("p", [0.1, 0.25, 0.5, 0.8])
def test_torch_dropout_zeroes_and_scales_kept_units_by_one_over_one_minus_p(p):
    torch.manual_seed(0)
    drop = torch.nn.Dropout(p).train()
    x = torch.ones(200_000, dtype=torch.float64)
    out = drop(x)
    kept = out != 0
    assert torch.allclose(out[kept], torch.full_like(out[kept], 1 / (1 - p)), rtol=0, atol=1e-12)
    assert abs(kept.double().mean().item() - (1 - p)) < 0.01  # each unit kept with probability 1 − p
    assert abs(out.mean().item() - 1.0) < 0.02  # so the mean is unchanged
    assert not torch.equal(drop(x[:100]), drop(x[:100]))  # training mode: a fresh mask per call
    drop.eval()
    assert torch.equal(drop(x[:100]), x[:100])  # evaluation mode: the identity


def test_model_eval_switches_nested_dropout_off_and_no_grad_does_not():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Sequential(torch.nn.Linear(3, 20), torch.nn.Dropout(0.5)), torch.nn.Linear(20, 1)
    ).train()
    x = torch.randn(8, 3)
    with torch.no_grad():
        assert not torch.equal(model(x), model(x))
    model.eval()
    assert torch.equal(model(x), model(x))


def test_renorm_is_max_norm_on_each_units_incoming_weights():
    torch.manual_seed(0)
    W = torch.randn(6, 4, dtype=torch.float64) * torch.tensor([[0.1], [3.0], [0.5], [2.0], [1.0], [4.0]])
    c = 1.5
    projected = torch.renorm(W, p=2, dim=0, maxnorm=c)
    norms, new_norms = W.norm(dim=1), projected.norm(dim=1)
    small = norms <= c
    assert torch.equal(projected[small], W[small])  # rows inside the ball are untouched
    assert torch.allclose(new_norms[~small], torch.full_like(new_norms[~small], c), rtol=1e-6)
    # the same direction: a positive multiple of the old row
    cos = (projected * W).sum(dim=1) / (new_norms * norms)
    assert torch.allclose(cos, torch.ones_like(cos))


def test_shift_image_moves_pixels_and_fills_with_zero():
    image = np.arange(1.0, 13.0).reshape(3, 4)
    right = shift_image(image, 0, 1)
    np.testing.assert_array_equal(right[:, 1:], image[:, :-1])
    np.testing.assert_array_equal(right[:, 0], 0.0)
    up = shift_image(image, -1, 0)
    np.testing.assert_array_equal(up[:-1], image[1:])
    np.testing.assert_array_equal(up[-1], 0.0)
    np.testing.assert_array_equal(shift_image(image, 2, -3), [[0, 0, 0, 0], [0, 0, 0, 0], [4, 0, 0, 0]])
    np.testing.assert_array_equal(shift_image(image, 3, 0), np.zeros((3, 4)))
    np.testing.assert_array_equal(shift_image(image), image)
    with pytest.raises(ValueError, match="image"):
        shift_image(np.ones(4), 1)
    with pytest.raises(TypeError, match="right"):
        shift_image(image, 0, 1.5)


def test_image_gallery_draws_one_panel_per_image_and_names_bad_input():
    from regcourse.plots import image_gallery

    fig = image_gallery({"a": np.eye(3), "b": np.ones((3, 3)), "c": np.zeros((3, 3))}, ncols=2)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:3] == ["a", "b", "c"] and len(fig.axes) == 4 and not fig.axes[3].axison
    with pytest.raises(ValueError, match="images"):
        image_gallery({})
    with pytest.raises(ValueError, match=r"images\['x'\]"):
        image_gallery({"x": np.ones(3)})


def test_the_lectures_per_direction_check_of_early_stopping_against_ridge():
    """The lecture divides GD's weights by ridge's along each eigenvector of G, with λ = 1/(2ηk):
    the ratio must lie in [1, 1.33] for a small stable step (the package's bound)."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 5)) @ rng.standard_normal((5, 5))
    y = X @ rng.standard_normal(5) + rng.standard_normal(60)
    Xc = X - X.mean(axis=0)
    s, V = np.linalg.eigh(Xc.T @ Xc / len(y))
    step = 0.025 / s[-1]  # 2η·s_max = 0.05, as in the lecture
    path = gradient_descent_path(X, y, step, 400)
    for k in (5, 20, 100, 400):
        ratio = (V.T @ path[k]) / (V.T @ ridge_solution(X, y, early_stopping_lam(step, k)))
        assert np.all(ratio >= 1 - 1e-9) and np.all(ratio <= 1.33)


def test_the_small_step_bound_is_the_maximum_of_one_minus_exp_times_one_plus_t_over_t():
    t = np.linspace(1e-4, 50, 500_001)
    ratio = (1 - np.exp(-t)) * (1 + t) / t
    assert ratio.min() >= 1 - 1e-9  # never below ridge
    assert ratio.max() == pytest.approx(1.298, abs=5e-4)
    assert t[np.argmax(ratio)] == pytest.approx(1.79, abs=0.01)


def test_noise_design_is_sklearn_ridge_with_alpha_n_sigma2():
    """Least squares on the exact noise design equals scikit-learn's Ridge (sum of squares, no ½)
    with alpha = n·σ², i.e. the course's λ = σ² (also σ² under ½·MSE + (λ/2)‖w‖², where both terms are halved)."""
    from sklearn.linear_model import LinearRegression, Ridge

    from regcourse.beyond import noise_design

    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 4)) + 2.0
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.standard_normal(40)
    sigma = 0.7
    X_big, y_big = noise_design(X, y, sigma)
    noisy = LinearRegression().fit(X_big, y_big)
    ridge = Ridge(alpha=len(y) * sigma**2).fit(X, y)
    np.testing.assert_allclose(noisy.coef_, ridge.coef_, rtol=1e-10)
    assert noisy.intercept_ == pytest.approx(ridge.intercept_, rel=1e-10)


@pytest.mark.parametrize("kind, p", [("l1", 1.0), ("l2", 2.0)])
@pytest.mark.parametrize(
    "centre, correlation, budget", [((1.6, 0.4), 0.4, 1.0), ((-1.2, 1.5), -0.6, 0.5), ((0.3, 1.9), 0.8, 1.3)]
)
def test_lp_ball_minimizer_is_the_constrained_fit_for_p_1_and_2(kind, p, centre, correlation, budget):
    from regcourse import linear
    from regcourse.beyond import lp_ball_minimizer
    from regcourse.plots.geometry import quadratic_problem

    X, y, H = quadratic_problem(centre, correlation)
    expected = linear.fit_constrained(X, y, kind, budget, fit_intercept=False).coef
    np.testing.assert_allclose(lp_ball_minimizer(H, centre, p, budget), expected, atol=3e-3)


def test_lp_ball_minimizer_corners_and_inside():
    from regcourse.beyond import lp_ball_minimizer

    H = np.array([[1.0, 0.4], [0.4, 1.0]])
    corner = lp_ball_minimizer(H, (1.6, 0.4), 0.5)
    assert corner[1] == 0.0 and corner[0] == pytest.approx(1.0)  # p < 1: the corner, exactly
    smooth = lp_ball_minimizer(H, (1.6, 0.4), 2.0)
    assert smooth[1] != 0.0  # p > 1: shrunk, not zeroed
    np.testing.assert_array_equal(lp_ball_minimizer(H, (0.2, 0.1), 1.0), [0.2, 0.1])  # inside: the centre
    square = lp_ball_minimizer(np.eye(2), (1.6, 0.4), np.inf)
    np.testing.assert_allclose(square, [1.0, 0.4], atol=2e-3)  # p = ∞: clip each coordinate
    with pytest.raises(ValueError, match="budget"):
        lp_ball_minimizer(H, (1.0, 1.0), 1.0, -1.0)
    with pytest.raises(ValueError, match="H must"):
        lp_ball_minimizer(np.eye(3), (1.0, 1.0), 1.0)


def test_the_patience_exercise_shows_the_checkers_losses_and_its_answer_is_early_stopping_epoch():
    import ast
    import json
    from pathlib import Path

    from regcourse.beyond import early_stopping_epoch
    from regcourse.exercises import ch10_beyond_penalties as ch10
    from regcourse.exercises._registry import get

    root = Path(__file__).resolve().parents[1]
    for folder in ("solutions", "exercises"):
        cells = json.loads((root / folder / "10_beyond_penalties.ipynb").read_text(encoding="utf-8"))["cells"]
        source = next("".join(c["source"]) for c in cells if "val_losses = [" in "".join(c["source"]))
        shown = ast.literal_eval(source.split("val_losses = ", 1)[1].splitlines()[0])
        assert shown == ch10.VALIDATION_LOSSES, folder
    best, stop = early_stopping_epoch(ch10.VALIDATION_LOSSES, ch10.PATIENCE)
    assert (best, stop) == (5, 8)
    assert min(range(len(shown)), key=shown.__getitem__) == 10  # the global minimum lies beyond the stop
    from regcourse.exercises import run_check

    assert run_check("beyond.patience", best).status == "passed"
    assert get("beyond.patience").points == 1
