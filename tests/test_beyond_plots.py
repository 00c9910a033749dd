"""Early stopping with patience, the Lp balls, and the figures of regularization beyond penalties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from regcourse.beyond import bias_variance_ridge, early_stopping_epoch, lp_ball
from regcourse.plots import bias_variance_curves, early_stopping_vs_ridge, lp_balls, patience_curve


@pytest.mark.parametrize(
    "losses, patience, expected",
    [
        ([5, 4, 3, 3.5, 3.6, 3.7, 2.0], 3, (2, 5)),  # three epochs without a new best: stop at 5
        ([5, 4, 3, 3.5, 3.6, 2.0, 1.0], 3, (6, 6)),  # a new best in time: runs to the end
        ([1, 2, 3], 1, (0, 1)),
        ([3, 3, 3], 2, (0, 2)),  # a tie is no improvement
        ([2.0], 5, (0, 0)),
    ],
)
def test_early_stopping_epoch(losses, patience, expected):
    assert early_stopping_epoch(losses, patience) == expected


@pytest.mark.parametrize(
    "losses, patience, name",
    [
        ([], 3, "val_losses"),
        ([1.0, float("nan")], 3, "val_losses"),
        ([[1.0, 2.0]], 3, "val_losses"),
        ([1.0, 2.0], 0, "patience"),
        ([1.0, 2.0], 1.5, "patience"),
    ],
)
def test_early_stopping_epoch_bad_input_names_the_parameter(losses, patience, name):
    with pytest.raises((ValueError, TypeError), match=name):
        early_stopping_epoch(losses, patience)


@pytest.mark.parametrize("p", [0.5, 1.0, 1.5, 2.0, 4.0])
@pytest.mark.parametrize("radius", [0.5, 1.0, 2.0])
def test_lp_ball_points_lie_on_the_boundary(p, radius):
    points = lp_ball(p, radius)
    np.testing.assert_allclose(np.sum(np.abs(points) ** p, axis=1), radius, rtol=1e-10)
    assert np.abs(points).max() == pytest.approx(radius ** (1 / p), rel=1e-9)  # it meets the axes there


def test_max_norm_ball_is_a_square():
    points = lp_ball(math.inf, 2.0)
    np.testing.assert_allclose(np.max(np.abs(points), axis=1), 2.0)


@pytest.mark.parametrize("p", [0.0, -1.0, float("nan")])
def test_lp_ball_bad_p(p):
    with pytest.raises(ValueError, match="p must be positive"):
        lp_ball(p)


def test_early_stopping_vs_ridge_draws_both_paths():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    y = X @ np.array([1.5, -1.0, 0.5, 0.0]) + rng.normal(size=60)
    fig = early_stopping_vs_ridge(X, y, 0.05, 400, n_marks=10)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    dots = [line for line in ax.lines if line.get_marker() == "o" and len(line.get_xdata())]
    assert len(dots) == 4 and all(len(d.get_xdata()) == 10 for d in dots)
    with pytest.raises(ValueError, match="feature_names"):
        early_stopping_vs_ridge(X, y, 0.05, 400, feature_names=["a"])


def test_bias_variance_curves_mark_the_best_lambda():
    result = bias_variance_ridge(np.logspace(-2, 2, 8), n_sets=40)
    fig = bias_variance_curves(result)
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert any(label.startswith(f"best λ = {result.best_lam:.3g}") for label in labels)
    assert {"bias²", "variance", "bias² + variance + σ²"} <= set(labels)


def test_patience_curve_and_lp_balls():
    fig = patience_curve([3, 2, 1.5, 1.2, 1.0], [3, 2.2, 2.0, 2.1, 2.3], patience=2)
    assert "best epoch 2 (weights kept)" in [line.get_label() for line in fig.axes[0].lines]
    with pytest.raises(ValueError, match="same length"):
        patience_curve([1, 2], [1, 2, 3], 1)
    fig = lp_balls()
    assert len(fig.axes[0].lines) == 4 + 2  # four balls and the two axes
