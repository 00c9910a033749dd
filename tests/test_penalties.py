"""The penalties against their formulas, written out independently, and against autograd."""

import math

import numpy as np
import pytest
import torch

from regcourse import L1, L2, ElasticNet, Penalty, project_l1_ball, project_l2_ball, soft_threshold

PENALTIES = [L1(0.3), L2(0.7), ElasticNet(l1=0.2, l2=0.9), ElasticNet(l1=0.0, l2=0.0)]


def reference_value(pen: Penalty, w) -> float:
    """The penalty written out entry by entry, in plain Python."""
    entries = [float(x) for x in np.asarray(w, dtype=float).ravel()]
    if isinstance(pen, L1):
        return pen.lam * sum(abs(x) for x in entries)
    if isinstance(pen, L2):
        return pen.lam * sum(x * x for x in entries)
    return pen.l1 * sum(abs(x) for x in entries) + pen.l2 * sum(x * x for x in entries)


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)


@pytest.mark.parametrize("pen", PENALTIES, ids=repr)
@pytest.mark.parametrize("shape", [(1,), (7,), (4, 5), (2, 3, 3)])
def test_value_matches_formula_on_arrays(pen, shape, rng):
    w = rng.normal(scale=3.0, size=shape)
    assert pen(w) == pytest.approx(reference_value(pen, w), rel=1e-12, abs=1e-12)
    assert pen(w.tolist()) == pytest.approx(reference_value(pen, w), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("pen", PENALTIES, ids=repr)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_value_matches_formula_on_tensors_and_stays_a_tensor(pen, dtype, rng):
    w = torch.tensor(rng.normal(size=(6, 4)), dtype=dtype)
    value = pen(w)
    assert isinstance(value, torch.Tensor) and value.dtype == dtype and value.ndim == 0
    assert float(value) == pytest.approx(reference_value(pen, w.numpy()), rel=1e-5)


def test_the_l2_penalty_has_no_half():
    assert L2(1.0)(np.array([3.0, 4.0])) == pytest.approx(25.0)
    assert L1(2.0)(np.array([3.0, -4.0])) == pytest.approx(14.0)
    assert ElasticNet(l1=1.0, l2=1.0)(np.array([3.0, -4.0])) == pytest.approx(32.0)


def test_integer_input_is_treated_as_float():
    assert L2(0.5)([1, 2, 3]) == pytest.approx(7.0)
    assert soft_threshold(np.array([3, -1]), 2).dtype == np.float64


@pytest.mark.parametrize("pen", PENALTIES[:3], ids=repr)
def test_grad_equals_autograd_away_from_zero(pen, rng):
    values = rng.normal(size=(5, 3))
    values[np.abs(values) < 1e-3] = 0.5  # keep away from the kink of |w|
    w = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    pen(w).backward()
    assert torch.allclose(pen.grad(w.detach()), w.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("pen", PENALTIES[:3], ids=repr)
def test_grad_on_arrays_equals_central_differences(pen, rng):
    w = rng.normal(size=6)
    w[np.abs(w) < 1e-2] = 0.3
    h = 1e-6
    numeric = np.array([(pen(w + h * e) - pen(w - h * e)) / (2 * h) for e in np.eye(w.size)])
    np.testing.assert_allclose(pen.grad(w), numeric, rtol=1e-6, atol=1e-6)


def test_l1_grad_is_zero_at_zero_minimum_norm_subgradient():
    w = np.array([0.0, 2.0, -3.0, 0.0])
    np.testing.assert_array_equal(L1(0.5).grad(w), [0.0, 0.5, -0.5, 0.0])
    np.testing.assert_array_equal(ElasticNet(l1=0.5, l2=1.0).grad(w), [0.0, 4.5, -6.5, 0.0])
    assert torch.equal(L1(0.5).grad(torch.zeros(3)), torch.zeros(3))


def test_values_are_differentiable_through_every_operation():
    w = torch.tensor([1.5, -0.2, 0.7], requires_grad=True)
    total = (
        ElasticNet(l1=0.1, l2=0.2)(w)
        + L1(0.1).prox(w, 1.0).sum()
        + soft_threshold(w, 0.5).sum()
        + project_l1_ball(w, 1.0).sum()
        + project_l2_ball(w, 1.0).sum()
    )
    total.backward()
    assert w.grad is not None and torch.isfinite(w.grad).all()


def test_tensors_keep_shape_dtype_and_device():
    w = torch.randn(3, 4, dtype=torch.float32)
    for result in (
        L1(0.1).grad(w),
        L2(0.1).prox(w, 0.5),
        soft_threshold(w, 0.2),
        project_l1_ball(w, 1.0),
        project_l2_ball(w, 1.0),
    ):
        assert isinstance(result, torch.Tensor)
        assert result.shape == w.shape and result.dtype == w.dtype and result.device == w.device


def test_soft_threshold_zeroes_small_entries_and_moves_the_others_by_t():
    w = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5])
    result = soft_threshold(w, 1.0)
    np.testing.assert_allclose(result, [-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5])
    assert not np.any(np.signbit(result[1:6]))  # zeros print as 0, not -0


def test_prox_closed_forms():
    w = np.array([-3.0, 0.2, 2.0])
    np.testing.assert_allclose(L1(0.5).prox(w, 2.0), soft_threshold(w, 1.0))
    np.testing.assert_allclose(L2(0.5).prox(w, 2.0), w / 3.0)
    np.testing.assert_allclose(ElasticNet(l1=0.5, l2=0.5).prox(w, 2.0), soft_threshold(w, 1.0) / 3.0)
    np.testing.assert_allclose(L1(0.5).prox(w, 0.0), w)


def test_projections_on_known_cases():
    np.testing.assert_allclose(project_l2_ball(np.array([3.0, 4.0]), 1.0), [0.6, 0.8])
    np.testing.assert_allclose(project_l1_ball(np.array([3.0, 1.0, -0.5]), 2.0), [2.0, 0.0, 0.0])
    np.testing.assert_allclose(project_l1_ball(np.array([1.0, 1.0]), 1.0), [0.5, 0.5])
    inside = np.array([0.1, -0.2])
    np.testing.assert_array_equal(project_l1_ball(inside, 1.0), inside)
    np.testing.assert_array_equal(project_l1_ball(np.array([1.0, -2.0]), 0.0), [0.0, 0.0])
    assert project_l2_ball(inside, 1.0) is not inside  # a new array, never the input itself


def test_reprs_are_readable_and_penalties_compare_by_value():
    assert repr(L1(0.01)) == "L1(lam=0.01)"
    assert repr(L2(lam=0.5)) == "L2(lam=0.5)"
    assert repr(ElasticNet(l1=0.01, l2=0.01)) == "ElasticNet(l1=0.01, l2=0.01)"
    assert L1(np.float64(0.25)) == L1(0.25) and repr(L1(np.float64(0.25))) == "L1(lam=0.25)"
    assert L1(0.1) != L2(0.1)
    assert {L1(0.1), L1(0.1), L2(0.1)} == {L1(0.1), L2(0.1)}
    assert (L1.kind, L2.kind, ElasticNet.kind) == ("l1", "l2", "elastic_net")


# --- the ball and the budget ---------------------------------------------------------


@pytest.mark.parametrize(
    "pen", [L1(0.3), L1(0.0), L2(2.0), ElasticNet(l1=0.3, l2=0.1), ElasticNet(l1=0.0, l2=1.0)], ids=repr
)
@pytest.mark.parametrize("radius", [0.5, 1.0, 4.0])
def test_ball_points_lie_on_the_boundary(pen, radius):
    points = pen.ball(radius, n=101)
    assert points.shape == (101, 2)
    assert all(pen.budget(p) == pytest.approx(radius, rel=1e-9) for p in points)
    np.testing.assert_array_equal(points[0], points[-1])  # closed curve


def test_ball_shapes_diamond_disk_and_sharp_corners():
    diamond = L1(5.0).ball(2.0, n=50)  # λ does not change the shape
    np.testing.assert_allclose(np.abs(diamond).sum(axis=1), 2.0)
    for corner in ([2.0, 0.0], [0.0, 2.0], [-2.0, 0.0], [0.0, -2.0]):
        assert any(np.array_equal(p, corner) for p in diamond), corner
    disk = L2(0.1).ball(4.0, n=50)
    np.testing.assert_allclose(np.hypot(*disk.T), 2.0)  # Σw² ≤ 4 is the disk of radius 2
    angles = np.unwrap(np.arctan2(disk[:, 1], disk[:, 0]))
    assert np.all(np.diff(angles) > 0)  # goes once round, counter-clockwise
    assert np.all(L1(1).ball(0.0, n=9) == 0.0)


def test_elastic_net_ball_lies_between_diamond_and_disk():
    # Σ|w| ≤ 1 ⊂ {½Σ|w| + ½Σw² ≤ 1} ⊂ Σw² ≤ 1 fails in general, but along the diagonal the
    # elastic-net boundary sits strictly between the diamond (0.5) and the disk (0.707).
    point = ElasticNet(l1=1.0, l2=1.0).ball(1.0, n=9)[1]
    assert point[0] == pytest.approx(point[1])
    assert 0.5 < point[0] < math.sqrt(0.5)
    assert point[0] == pytest.approx((math.sqrt(5) - 1) / 2)  # x + x² = 1


def test_budget_is_the_penalty_with_its_strength_divided_out(rng):
    w = rng.normal(size=5)
    for pen in (L1(0.4), L2(3.0), ElasticNet(l1=0.2, l2=0.6)):
        assert pen.budget(w) == pytest.approx(pen(w) / pen.strength)
    assert L1(0.0).budget(w) == pytest.approx(np.abs(w).sum())
    assert ElasticNet(l1=0.2, l2=0.6).mix == pytest.approx(0.25)
