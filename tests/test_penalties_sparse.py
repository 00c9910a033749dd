"""The penalties after the lasso (regcourse.penalties_sparse): each prox against a brute-force
minimization, each gradient against finite differences and torch's autograd, NumPy against
torch, the closed forms' breakpoints, the group lasso's optimality conditions, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.optimize import minimize_scalar

from regcourse.penalties import L1, soft_threshold
from regcourse.penalties_sparse import MCP, SCAD, GroupLasso, WeightedL1

SCALAR_PENALTIES = {
    "MCP(1, γ=3)": MCP(1.0, 3.0),
    "MCP(0.4, γ=1.5)": MCP(0.4, 1.5),
    "SCAD(1, a=3.7)": SCAD(1.0, 3.7),
    "SCAD(0.7, a=2.5)": SCAD(0.7, 2.5),
}
XS = np.concatenate([np.linspace(-6.0, 6.0, 121), [0.55, 1.05, 2.95, 3.05, 3.65, 3.75]])


def elementwise(penalty, z: np.ndarray) -> np.ndarray:
    """P(zⱼ) for each entry, from the piecewise definitions written out here (independently of
    regcourse's formulas)."""
    u, lam = np.abs(z), penalty.lam
    if isinstance(penalty, MCP):
        g = penalty.gamma
        return np.where(u <= g * lam, lam * u - u**2 / (2 * g), g * lam**2 / 2)
    a = penalty.a
    return np.where(
        u <= lam,
        lam * u,
        np.where(u <= a * lam, (2 * a * lam * u - u**2 - lam**2) / (2 * (a - 1)), lam**2 * (a + 1) / 2),
    )


def brute_prox(penalty, x: float, step: float) -> float:
    """argmin_z ½(z − x)² + step·P(z), by a grid then a bounded 1-D search around its best point."""
    grid = np.linspace(-12.0, 12.0, 48001)
    best = grid[np.argmin(0.5 * (grid - x) ** 2 + step * elementwise(penalty, grid))]
    found = minimize_scalar(
        lambda z: 0.5 * (z - x) ** 2 + step * float(elementwise(penalty, np.array([z]))[0]),
        bounds=(best - 1e-3, best + 1e-3),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(found.x)


def test_the_values_are_the_piecewise_definitions():
    z = np.linspace(-9, 9, 721)
    for penalty in SCALAR_PENALTIES.values():
        np.testing.assert_allclose(
            [float(penalty(np.array([v]))) for v in z], elementwise(penalty, z), rtol=1e-12, atol=1e-15
        )
        assert float(penalty(z)) == pytest.approx(elementwise(penalty, z).sum(), rel=1e-12)


@pytest.mark.parametrize("name", SCALAR_PENALTIES)
@pytest.mark.parametrize("step", [0.3, 1.0])
def test_the_prox_is_the_minimizer_of_the_scalar_problem(name, step):
    penalty = SCALAR_PENALTIES[name]
    limit = penalty.gamma if isinstance(penalty, MCP) else penalty.a - 1.0
    if step >= limit:
        pytest.skip("the prox is not unique at this step (tested below)")
    got = penalty.prox(XS, step)
    for x, z in zip(XS, got):
        assert z == pytest.approx(brute_prox(penalty, x, step), abs=2e-6), f"x = {x}"


def test_at_step_one_the_rules_are_the_classic_thresholding_rules():
    """SCAD's rule of Fan & Li (2001) and MCP's firm threshold (Zhang 2010), written out."""
    x = np.linspace(-8, 8, 161)
    lam, a, gamma = 1.2, 3.7, 2.5
    scad = np.where(
        np.abs(x) <= 2 * lam,
        np.sign(x) * np.maximum(np.abs(x) - lam, 0),
        np.where(np.abs(x) <= a * lam, ((a - 1) * x - np.sign(x) * a * lam) / (a - 2), x),
    )
    np.testing.assert_allclose(SCAD(lam, a).prox(x, 1.0), scad, atol=1e-12)
    firm = np.where(np.abs(x) <= gamma * lam, np.sign(x) * np.maximum(np.abs(x) - lam, 0) * gamma / (gamma - 1), x)
    np.testing.assert_allclose(MCP(lam, gamma).prox(x, 1.0), firm, atol=1e-12)


@pytest.mark.parametrize("name", SCALAR_PENALTIES)
def test_the_gradient_is_the_derivative_and_torchs_autograd(name):
    penalty = SCALAR_PENALTIES[name]
    lam = penalty.lam
    top = (penalty.gamma if isinstance(penalty, MCP) else penalty.a) * lam
    w = np.array([-5.0, -top, -lam * 1.3, -lam, -0.3 * lam, 0.0, 0.2 * lam, lam, 1.7 * lam, top, 4.0 * top])
    grad = penalty.grad(w)
    away = np.abs(w) > 0
    h = 1e-6
    numeric = np.array(
        [(float(penalty(np.array([v + h]))) - float(penalty(np.array([v - h])))) / (2 * h) for v in w[away]]
    )
    np.testing.assert_allclose(grad[away], numeric, atol=1e-6)  # differentiable everywhere but at 0
    assert grad[w == 0] == 0.0  # the subgradient of smallest norm at 0
    tensor = torch.tensor(w, requires_grad=True)
    penalty(tensor).backward()
    np.testing.assert_allclose(tensor.grad.numpy(), grad, atol=1e-12)


@pytest.mark.parametrize("name", SCALAR_PENALTIES)
def test_the_penalties_level_off_and_are_continuous(name):
    penalty = SCALAR_PENALTIES[name]
    lam = penalty.lam
    if isinstance(penalty, MCP):
        top, plateau = penalty.gamma * lam, penalty.gamma * lam**2 / 2
    else:
        top, plateau = penalty.a * lam, lam**2 * (penalty.a + 1) / 2
    for u in (top, top * 1.5, 100.0 * top):
        assert float(penalty(np.array([u]))) == pytest.approx(plateau, rel=1e-12)
    for kink in (lam, top):
        left, right = float(penalty(np.array([kink - 1e-9]))), float(penalty(np.array([kink + 1e-9])))
        assert abs(left - right) < 1e-8
    small = 0.3 * lam
    assert float(penalty(np.array([small]))) < lam * small + 1e-15  # below the L1 line, touching it at 0


@pytest.mark.parametrize(
    "penalty",
    [
        MCP(0.8, 2.0),
        SCAD(0.8, 3.0),
        WeightedL1(np.linspace(0.0, 2.0, 9), 0.5),
        GroupLasso(0.6, [0, 0, 1, 1, 1, 2, 2, 2, 3]),
    ],
    ids=lambda p: p.kind,
)
def test_numpy_and_torch_give_the_same_value_gradient_and_prox(penalty):
    w = np.array([-2.5, -0.9, -0.1, 0.0, 0.4, 0.8, 1.3, 2.2, 0.0])
    tensor = torch.tensor(w)
    assert float(penalty(tensor)) == pytest.approx(float(penalty(w)), rel=1e-14)
    np.testing.assert_allclose(penalty.grad(tensor).numpy(), penalty.grad(w), atol=1e-14)
    np.testing.assert_allclose(penalty.prox(tensor, 0.5).numpy(), penalty.prox(w, 0.5), atol=1e-14)
    assert penalty.prox(tensor, 0.5).dtype == torch.float64


def test_weighted_l1_with_unit_weights_is_l1_and_zero_weights_leave_entries_alone():
    w = np.array([-1.5, 0.2, 0.0, 3.0])
    assert float(WeightedL1(np.ones(4), 0.7)(w)) == pytest.approx(float(L1(0.7)(w)))
    np.testing.assert_allclose(WeightedL1(np.ones(4), 0.7).prox(w, 0.5), soft_threshold(w, 0.35))
    free = WeightedL1(np.array([0.0, 1.0, 1.0, 0.0]), 10.0)
    np.testing.assert_allclose(free.prox(w, 1.0), [-1.5, 0.0, 0.0, 3.0])


def test_mcp_tends_to_l1_as_gamma_grows():
    x = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(MCP(0.5, 1e9).prox(x, 1.0), soft_threshold(x, 0.5), atol=1e-8)


def test_the_group_lasso_prox_meets_its_optimality_conditions_and_beats_perturbations():
    rng = np.random.default_rng(0)
    groups = np.array([2, 2, 0, 0, 0, 5, 1, 1, 1, 1])  # labels need not be sorted or contiguous
    penalty = GroupLasso(0.4, groups)
    step = 0.9
    for _ in range(20):
        w = rng.normal(scale=1.5, size=10)
        z = penalty.prox(w, step)
        for label, v in zip(np.unique(groups), penalty.weights):
            g = groups == label
            if np.any(z[g]):  # z_g − w_g + step·λ·v_g·z_g/‖z_g‖ = 0
                np.testing.assert_allclose(z[g] - w[g] + step * 0.4 * v * z[g] / np.linalg.norm(z[g]), 0, atol=1e-12)
            else:  # the whole group dropped: ‖w_g‖ ≤ step·λ·v_g
                assert np.linalg.norm(w[g]) <= step * 0.4 * v + 1e-12

        def objective(x, w=w):
            return 0.5 * np.sum((x - w) ** 2) + step * float(penalty(x))

        for _ in range(30):
            assert objective(z) <= objective(z + rng.normal(scale=0.05, size=10)) + 1e-12
    assert penalty.weights.tolist() == pytest.approx(np.sqrt([3, 4, 2, 1]).tolist())  # √|g|, by sorted label


def test_the_group_lasso_gradient_is_autograds_and_zero_on_a_zero_group():
    penalty = GroupLasso(0.5, [0, 0, 1, 1, 2], weights=[1.0, 2.0, 0.5])
    w = np.array([0.6, -0.8, 0.0, 0.0, -2.0])
    np.testing.assert_allclose(penalty.grad(w), [0.3, -0.4, 0.0, 0.0, -0.25], atol=1e-15)
    assert float(penalty(w)) == pytest.approx(0.5 * (1.0 + 0.0 + 0.5 * 2.0))
    tensor = torch.tensor(w, requires_grad=True)
    penalty(tensor).backward()
    np.testing.assert_allclose(tensor.grad.numpy(), penalty.grad(w), atol=1e-15)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: MCP(1.0, 1.0), "gamma must be > 1"),
        (lambda: MCP(-0.1), "lam must be >= 0"),
        (lambda: SCAD(1.0, 2.0), "a must be > 2"),
        (lambda: SCAD(float("nan")), "lam"),
        (lambda: MCP(1.0, 2.0).prox(np.ones(3), 2.0), "step must be < gamma"),
        (lambda: SCAD(1.0, 3.0).prox(np.ones(3), 2.5), "step must be < a − 1"),
        (lambda: MCP(1.0).prox(np.ones(3), -1.0), "step must be >= 0"),
        (lambda: WeightedL1(np.array([1.0, -1.0])), "weights must be >= 0"),
        (lambda: WeightedL1(np.ones(3))(np.ones(4)), "shape"),
        (lambda: GroupLasso(1.0, [0, 0, 1], weights=[1.0]), "one entry per group"),
        (lambda: GroupLasso(1.0, [0, 0, 1])(np.ones(4)), "vector of 3 weights"),
        (lambda: GroupLasso(1.0, [])(np.ones(0)), "non-empty"),
        (lambda: MCP(1.0)(np.array([1.0, np.nan])), "NaN"),
    ],
)
def test_bad_input_is_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()
