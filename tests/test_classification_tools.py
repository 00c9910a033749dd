"""Classification data and figures: two blobs, the digits pair, decision boundaries, the
coefficient image and the reliability diagram."""

from __future__ import annotations

import numpy as np
import pytest

from regcourse.data import load_digits_pair, make_two_blobs
from regcourse.logistic import fit_logistic, sigmoid
from regcourse.penalties import L1, L2
from regcourse.plots import coefficient_image, decision_boundaries, reliability_diagram


def test_two_blobs_are_seeded_balanced_and_labelled_0_1():
    a, b = make_two_blobs(41, seed=3), make_two_blobs(41, seed=3)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert set(np.unique(a.y)) == {0.0, 1.0} and a.y.sum() == 21
    far = make_two_blobs(200, separation=8.0)
    assert np.linalg.norm(far.X[far.y == 1].mean(0) - far.X[far.y == 0].mean(0)) == pytest.approx(8.0, rel=0.1)


@pytest.mark.parametrize(
    "kwargs, name", [({"n_samples": 2}, "n_samples"), ({"separation": -1}, "separation"), ({"seed": "a"}, "seed")]
)
def test_two_blobs_bad_input(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        make_two_blobs(**kwargs)


def test_digits_pair():
    data = load_digits_pair(3, 8)
    assert data.X.shape[1] == 64 and data.image_shape == (8, 8)
    assert 0.0 <= data.X.min() and data.X.max() <= 1.0
    assert 0.4 < data.y.mean() < 0.6
    for args, name in (((3, 3), "different"), ((10, 1), "first"), ((1, "8"), "second")):
        with pytest.raises(ValueError, match=name):
            load_digits_pair(*args)


def test_l1_on_digits_uses_few_pixels_and_the_image_says_how_many():
    data = load_digits_pair(3, 8)
    w, _, _, converged = fit_logistic(data.X, data.y, L1(0.02), tol=1e-8)
    assert converged and 0 < np.count_nonzero(w) < 16
    fig = coefficient_image(w, data.image_shape)
    assert fig.axes[0].get_title() == f"{np.count_nonzero(w)} of 64 pixels used"
    outlines = next(c for c in fig.axes[0].collections if c.get_gid() == "used-pixel-outlines")
    corners = {tuple(np.round(path.vertices[0] + 0.5).astype(int)) for path in outlines.get_paths()}
    rows, columns = np.nonzero(w.reshape(data.image_shape))
    assert corners == set(zip(columns, rows))  # one square on each used pixel, none elsewhere
    with pytest.raises(ValueError, match="shape"):
        coefficient_image(w, (7, 7))


def test_decision_boundary_is_where_the_probability_is_one_half():
    data = make_two_blobs(40, separation=3.0, seed=1)
    w, b, _, _ = fit_logistic(data.X, data.y, L2(0.1), tol=1e-10)
    fig = decision_boundaries(data.X, data.y, [(w, b)], labels=["λ = 0.1"])
    line = next(line for line in fig.axes[0].lines if line.get_label() == "λ = 0.1")
    points = np.column_stack(line.get_data())
    np.testing.assert_allclose(sigmoid(points @ w + b), 0.5, atol=1e-9)
    with pytest.raises(ValueError, match="two features"):
        decision_boundaries(np.ones((4, 3)), data.y[:4], [(w, b)])
    with pytest.raises(ValueError, match="labels"):
        decision_boundaries(data.X, data.y, [(w, b)], labels=["a", "b"])


def test_reliability_diagram_points_are_bin_averages():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=500)
    y = (rng.uniform(size=500) < p).astype(float)  # calibrated by construction
    fig = reliability_diagram(y, {"calibrated model": p}, n_bins=5)
    line = next(line for line in fig.axes[0].lines if line.get_label() == "calibrated model")
    x_points, y_points = line.get_data()
    assert np.max(np.abs(np.asarray(x_points) - np.asarray(y_points))) < 0.1
    with pytest.raises(ValueError, match="n_bins"):
        reliability_diagram(y, {"m": p}, n_bins=1)
    with pytest.raises(ValueError, match="shape"):
        reliability_diagram(y, {"m": p[:10]})
