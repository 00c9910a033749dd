"""Property tests: every proximal operator satisfies its optimality condition and every
projection is feasible and optimal, on NumPy arrays and on torch tensors.

Optimality of a projection z of w onto a convex set C is checked exactly through the
support function σ_C: z is the projection iff z ∈ C and σ_C(w − z) ≤ ⟨w − z, z⟩. For the L1
ball of radius r, σ(v) = r·‖v‖_∞; for the L2 ball, σ(v) = r·‖v‖₂.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from regcourse import L1, L2, ElasticNet, project_l1_ball, project_l2_ball, soft_threshold

EXAMPLES = settings(max_examples=500, deadline=None)

weights = arrays(
    np.float64,
    array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6),
    elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False),
)
strengths = st.floats(0.0, 10.0)
radii = st.floats(0.0, 50.0)

BACKENDS = {"numpy": lambda a: a.copy(), "torch": lambda a: torch.tensor(a, dtype=torch.float64)}


def as_numpy(x):
    return x.numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def tolerance(w: np.ndarray) -> float:
    return 1e-9 * (1.0 + float(np.abs(w).max()))


def assert_l1_optimality(residual, z, tau, tol):
    """residual ∈ τ·∂Σ|z|: equal to τ·sign(zⱼ) where zⱼ ≠ 0, within [−τ, τ] where zⱼ = 0."""
    nonzero = z != 0
    np.testing.assert_allclose(residual[nonzero], tau * np.sign(z[nonzero]), atol=tol)
    assert np.all(np.abs(residual[~nonzero]) <= tau + tol)


@pytest.mark.parametrize("backend", BACKENDS)
@EXAMPLES
@given(w=weights, lam=strengths, step=strengths)
def test_l1_prox_satisfies_its_optimality_condition(backend, w, lam, step):
    z = as_numpy(L1(lam).prox(BACKENDS[backend](w), step))
    assert_l1_optimality(w - z, z, step * lam, tolerance(w))


@pytest.mark.parametrize("backend", BACKENDS)
@EXAMPLES
@given(w=weights, lam=strengths, step=strengths)
def test_l2_prox_satisfies_its_optimality_condition(backend, w, lam, step):
    z = as_numpy(L2(lam).prox(BACKENDS[backend](w), step))
    # 0 = z − w + step·2λ·z
    np.testing.assert_allclose(z - w + 2 * step * lam * z, 0.0, atol=tolerance(w))


@pytest.mark.parametrize("backend", BACKENDS)
@EXAMPLES
@given(w=weights, l1=strengths, l2=strengths, step=strengths)
def test_elastic_net_prox_satisfies_its_optimality_condition(backend, w, l1, l2, step):
    z = as_numpy(ElasticNet(l1=l1, l2=l2).prox(BACKENDS[backend](w), step))
    # w − z − 2·step·λ₂·z ∈ step·λ₁·∂Σ|z|
    assert_l1_optimality(w - z - 2 * step * l2 * z, z, step * l1, tolerance(w) * (1 + step * l2))


@EXAMPLES
@given(w=weights, l1=strengths, l2=strengths, step=strengths, seed=st.integers(0, 2**32 - 1))
def test_prox_is_not_beaten_by_nearby_points(w, l1, l2, step, seed):
    pen = ElasticNet(l1=l1, l2=l2)
    z = pen.prox(w, step)

    def objective(v):
        return 0.5 * np.sum((v - w) ** 2) + step * pen(v)

    rng = np.random.default_rng(seed)
    best = objective(z)
    for scale in (1e-3, 1e-1, 10.0):
        for _ in range(3):
            assert best <= objective(z + scale * rng.normal(size=w.shape)) + 1e-9 * (1 + abs(best))


@pytest.mark.parametrize("backend", BACKENDS)
@EXAMPLES
@given(w=weights, t=strengths)
def test_soft_threshold_is_the_prox_of_the_l1_norm(backend, w, t):
    z = as_numpy(soft_threshold(BACKENDS[backend](w), t))
    assert_l1_optimality(w - z, z, t, tolerance(w))
    assert np.all(z[np.abs(w) <= t] == 0)  # exact zeros, not merely small values


@pytest.mark.parametrize("backend", BACKENDS)
@EXAMPLES
@given(w=weights, radius=radii)
def test_l1_projection_is_feasible_and_optimal(backend, w, radius):
    z = as_numpy(project_l1_ball(BACKENDS[backend](w), radius))
    tol = tolerance(w) * (1 + w.size)
    assert np.abs(z).sum() <= radius + tol
    v = w - z
    assert radius * np.abs(v).max() <= np.dot(v.ravel(), z.ravel()) + tol * (1 + np.abs(w).max())
    if np.abs(w).sum() <= radius:
        np.testing.assert_array_equal(z, w)


@pytest.mark.parametrize("backend", BACKENDS)
@EXAMPLES
@given(w=weights, radius=radii)
def test_l2_projection_is_feasible_and_optimal(backend, w, radius):
    z = as_numpy(project_l2_ball(BACKENDS[backend](w), radius))
    tol = tolerance(w) * (1 + w.size)
    assert np.linalg.norm(z) <= radius + tol
    v = w - z
    assert radius * np.linalg.norm(v) <= np.dot(v.ravel(), z.ravel()) + tol * (1 + np.abs(w).max())
