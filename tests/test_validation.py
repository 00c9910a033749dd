"""Bad input gets a clear error that names the parameter and says what was wrong."""

import math
import re

import numpy as np
import pytest
import torch

from regcourse import L1, L2, ElasticNet, project_l1_ball, project_l2_ball, soft_threshold

BAD_STRENGTHS = [
    (-0.1, ValueError, "must be >= 0"),
    (float("nan"), ValueError, "NaN"),
    (math.inf, ValueError, "finite"),
    (-math.inf, ValueError, "finite"),
    ("0.1", TypeError, "real number"),
    (None, TypeError, "real number"),
    (True, TypeError, "real number"),
    ([0.1], TypeError, "real number"),
    (1 + 2j, TypeError, "real number"),
]


@pytest.mark.parametrize("value, error, words", BAD_STRENGTHS)
@pytest.mark.parametrize(
    "make, name",
    [
        (lambda v: L1(v), "lam"),
        (lambda v: L2(lam=v), "lam"),
        (lambda v: ElasticNet(l1=v, l2=0.1), "l1"),
        (lambda v: ElasticNet(l1=0.1, l2=v), "l2"),
        (lambda v: L1(0.1).prox(np.ones(2), v), "step"),
        (lambda v: soft_threshold(np.ones(2), v), "t"),
        (lambda v: project_l1_ball(np.ones(2), v), "radius"),
        (lambda v: project_l2_ball(np.ones(2), v), "radius"),
        (lambda v: L2(0.1).ball(v), "radius"),
    ],
)
def test_bad_strengths_and_sizes_are_refused_by_name(make, name, value, error, words):
    with pytest.raises(error, match=rf"^{name} .*{re.escape(words)}"):
        make(value)


BAD_WEIGHTS = [
    (np.array([1.0, np.nan]), ValueError, "w contains NaN"),
    (np.array([[1.0], [np.inf]]), ValueError, "w contains an infinite value"),
    (torch.tensor([0.5, float("nan")]), ValueError, "w contains NaN"),
    (torch.tensor([float("-inf")]), ValueError, "w contains an infinite value"),
    ([1.0, float("nan")], ValueError, "w contains NaN"),
    ("1, 2, 3", TypeError, "w must be an array of numbers, got str"),
    (None, TypeError, "w must be an array of numbers, got NoneType"),
    ({"a": 1.0}, TypeError, "w must be an array of numbers, got dict"),
    (object(), TypeError, "w must be a NumPy array or a torch tensor, got object"),
    (np.array(["a", "b"]), TypeError, "w must hold real numbers"),
    (np.array([1 + 1j]), TypeError, "w must hold real numbers"),
    (np.array([True, False]), TypeError, "w must hold real numbers"),
    (torch.tensor([True]), TypeError, "w must hold real numbers"),
    ([[1.0, 2.0], [3.0]], TypeError, "w must be a rectangular array"),
]


@pytest.mark.parametrize("w, error, message", BAD_WEIGHTS)
@pytest.mark.parametrize(
    "use",
    [
        L1(0.1),
        L2(0.1).grad,
        lambda w: ElasticNet(l1=0.1, l2=0.1).prox(w, 1.0),
        lambda w: soft_threshold(w, 0.1),
        lambda w: project_l1_ball(w, 1.0),
        lambda w: project_l2_ball(w, 1.0),
        L2(0.1).budget,
    ],
)
def test_bad_weights_are_refused_by_name(use, w, error, message):
    with pytest.raises(error, match=re.escape(message)):
        use(w)


def test_ball_needs_a_sensible_number_of_points_and_a_shape():
    with pytest.raises(ValueError, match="n must be an integer >= 5"):
        L1(1.0).ball(1.0, n=3)
    with pytest.raises(ValueError, match="n must be an integer >= 5"):
        L1(1.0).ball(1.0, n=10.5)
    with pytest.raises(ValueError, match="both coefficients are 0"):
        ElasticNet(l1=0.0, l2=0.0).ball(1.0)


def test_elastic_net_takes_its_coefficients_by_name():
    with pytest.raises(TypeError):
        ElasticNet(0.1, 0.2)  # which is λ₁? Named arguments make it unambiguous.


def test_penalties_are_immutable():
    pen = L1(0.1)
    with pytest.raises(AttributeError):
        pen.lam = -1.0
