"""The figures and explorers refuse nonsense with an error naming the argument, before drawing."""

import matplotlib
import numpy as np
import pytest
import torch
from torch import nn

from regcourse import linear
from regcourse.plots.paths import coefficient_path, path_with_fits
from regcourse.plots.weights import weight_histogram

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def small_path():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 4))
    return linear.path(X, X @ np.array([1.0, 0.0, -2.0, 0.5]) + rng.standard_normal(30), "l1", n_lams=8)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda p: coefficient_path("x"), TypeError, "path must be the result of regcourse.linear.path(...), got str"),
        (lambda p: coefficient_path(None), TypeError, "path must be the result of regcourse.linear.path"),
        (
            lambda p: coefficient_path(p, ["a", "b", "c"]),
            ValueError,
            "feature_names must have one name per coefficient: 4 expected, got 3",
        ),
        (lambda p: coefficient_path(p, "abcd"), TypeError, "feature_names must be a list of 4 names"),
        (lambda p: coefficient_path(p, mark_lam=-1.0), ValueError, "mark_lam must be a λ > 0"),
        (lambda p: coefficient_path(p, mark_lam="big"), TypeError, "mark_lam must be a real number"),
        (
            lambda p: path_with_fits(p, {"tool": (p.lams, p.coefs)}, ["a"] * 5),
            ValueError,
            "feature_names must have one name per coefficient: 4 expected, got 5",
        ),
    ],
)
def test_coefficient_paths_refuse_bad_input_by_name(small_path, call, error, words):
    with pytest.raises(error) as raised:
        call(small_path)
    assert words in str(raised.value)


def test_the_right_number_of_names_still_draws(small_path):
    fig = coefficient_path(small_path, ["a", "b", "c", "d"], mark_lam=float(small_path.lams[3]))
    from regcourse.plots._labels import EndLabels

    assert [t.get_text() for labels in fig.findobj(EndLabels) for t in labels.texts] == ["a", "b", "c", "d"]


def net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(weights={"a": net()}, bins=0), ValueError, "bins must be a positive integer, got 0"),
        (dict(weights={"a": net()}, bins=2.5), ValueError, "bins must be a positive integer"),
        (dict(weights={"a": net()}, tol=-1), ValueError, "tol must be >= 0"),
        (dict(weights={}), ValueError, "weights must be a non-empty dict"),
        (dict(weights=[net()]), ValueError, "weights must be a non-empty dict"),
        (dict(weights={"a": "not weights"}), TypeError, "weights['a'] must be a torch model, a tensor or an array"),
        (dict(weights={"a": np.array([1.0, np.nan])}), ValueError, "weights['a'] contains NaN or infinite values"),
    ],
)
def test_the_weight_histogram_refuses_bad_input_by_name(kwargs, error, words):
    with pytest.raises(error) as raised:
        weight_histogram(**kwargs)
    assert words in str(raised.value)


def test_the_weight_histogram_draws_every_label_even_beyond_the_palette():
    weights = {f"model {i}": np.linspace(-1, 1, 5) * (i + 1) for i in range(10)}
    fig = weight_histogram(weights, bins=5)
    assert len(fig.axes[0].get_legend().get_texts()) == 10


@pytest.mark.widgets
@pytest.mark.parametrize(
    "make, kwargs, words",
    [
        ("geometry_explorer", dict(kind="l3"), "kind must be one of 'l1', 'l2', 'elastic_net', got 'l3'"),
        ("geometry_explorer", dict(radius=-1.0), "radius must lie in [0.05, 3]"),
        ("geometry_explorer", dict(lam=100.0), "lam must lie in [0.001, 10]"),
        ("geometry_explorer", dict(l1_ratio=1.5), "l1_ratio must lie in [0.05, 0.95]"),
        ("geometry_explorer", dict(correlation=1.0), "correlation must lie in [-0.9, 0.9]"),
        ("geometry_explorer", dict(centre=(5.0, 0.0)), "centre[0] must lie in [-2, 2]"),
        ("geometry_explorer", dict(centre=1.0), "centre must be a pair"),
        ("overfitting_explorer", dict(degree=99), "degree must lie in [1, 15]"),
        ("overfitting_explorer", dict(degree=0), "degree must be a positive integer"),
        ("overfitting_explorer", dict(lam=-1.0), "lam must lie in [0, 10]"),
        ("overfitting_explorer", dict(n_samples=3), "n_samples must be at least 10"),
        ("path_explorer", dict(kind="l3"), "kind must be one of 'l1', 'l2', 'elastic_net', got 'l3'"),
        (
            "path_explorer",
            dict(feature_names=["a", "b"]),
            "feature_names must have one name per coefficient: 10 expected, got 2",
        ),
        ("path_explorer", dict(X=np.ones((5, 2)), y=np.ones(4)), "X and y must have the same number of samples"),
    ],
)
def test_explorers_refuse_bad_settings_by_name(make, kwargs, words):
    from regcourse import widgets

    with pytest.raises((ValueError, TypeError)) as raised:
        getattr(widgets, make)(**kwargs)
    assert words in str(raised.value)
    assert "TraitError" not in type(raised.value).__name__
