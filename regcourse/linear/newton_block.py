"""The exact solve of the lasso / elastic net on a small block of features (the working set's
inner problem): Newton steps on sign patterns with the Cholesky factor of the active set
(``factor.Factor``), an exact line search over the kinks, exchange steps for features in the
span of the active ones, and a coordinate sweep as the last resort.

    min over w_W:  w_Wᵀ G_WW w_W − 2c_Wᵀw_W + l1·‖w_W‖₁ + l2·‖w_W‖²
"""

from __future__ import annotations

import math

import numpy as np

from regcourse.linear.factor import Factor
from regcourse.linear.kkt import kkt_violation
from regcourse.linear.problem import symmetric_times

__all__ = ["ENTERING_MAX", "_newton_on_block", "_line_minimum", "_exchange"]

ENTERING_MAX = 1_000_000  # how many violating zeros one Newton step may bring in


def _line_minimum(w, direction, r, curvature, half_l1, positive: bool = False) -> tuple[float, int]:
    """The exact minimizer t ≥ 0 of φ(t) = J(w + t·d) on the ray, and the index of the weight
    that lands exactly on 0 there (−1 if none).

    φ is a convex piecewise quadratic: φ'(t) = −2rᵀd + 2t·dᵀHd + l1·Σⱼ dⱼ·sign(wⱼ + t·dⱼ),
    with r = c − Hw and H = G + l2·I. Its slope jumps up by 2·l1·|dⱼ| where a weight crosses 0.
    With ``positive`` no weight may cross 0: the first crossing is a wall, the step stops there
    (the caller has already removed directions that push a zero weight below 0).
    """
    moving = direction != 0.0
    crossing = moving & (w != 0.0) & (np.sign(direction) != np.sign(w))
    signs = np.where(w != 0.0, np.sign(w), np.sign(direction))
    slope = -2.0 * float(r @ direction) + 2.0 * half_l1 * float(signs @ direction)
    if slope >= 0.0:
        return 0.0, -1
    breaks = -w[crossing] / direction[crossing]
    indices = np.flatnonzero(crossing)
    order = np.argsort(breaks, kind="stable")
    breaks, indices = breaks[order], indices[order]
    jumps = 4.0 * half_l1 * np.abs(direction[indices])
    slopes = slope + np.concatenate([[0.0], np.cumsum(jumps)])  # the slope's constant part, per segment
    starts = np.concatenate([[0.0], breaks])
    a = 2.0 * curvature
    if positive:
        t = -slope / a if a > 0 else math.inf
        if breaks.size and t >= breaks[0]:
            return float(breaks[0]), int(indices[0])
        return (t if math.isfinite(t) else 1.0), -1
    for k in range(slopes.size):
        if slopes[k] >= -a * starts[k]:  # the slope is already ≥ 0 where segment k starts: stop at its start
            return float(starts[k]), int(indices[k - 1]) if k > 0 else -1
        t = -slopes[k] / a if a > 0 else math.inf
        if k == breaks.size or t <= breaks[k]:
            return (t if math.isfinite(t) else 1.0), (int(indices[k]) if k < breaks.size and t == breaks[k] else -1)
    return 1.0, -1  # not reached


def _newton_on_block(
    W, G, c, diag, w, q, half_l1, l2, goal, max_steps, max_active, factor: Factor, positive: bool = False
):
    """Minimize wᵀGw − 2cᵀw + l1‖w‖₁ + l2‖w‖² over a small block W of features exactly.

    A Newton step on a sign pattern: with A the non-zero weights plus the violating zeros,
    signs θ (the zeros take the sign of their gradient pull), the objective is a quadratic on
    that face, minimized by w_A + d_A with (G_AA + l2·I)·d_A = r_A − ½·l1·θ_A, r = c − (G + l2)w.
    The step is followed by an exact line search over the kinks (``_line_minimum``), so the
    objective falls at every step and weights that cross zero stop there. As in feature-sign
    search, zeros enter only once the current face is optimal; if adding every violator at once
    gives no descent, only the worst one enters (always a descent direction). ``q = c − Gw``
    comes from the caller, computed from the full data (so each call refines the solution),
    and is then updated with the steps. Returns (w, steps, converged).

    A feature in the span of the factored ones (a duplicate, a sum of active columns) is not
    admitted to A: it keeps its value through the step, and the KKT check still covers it. If no
    Newton step descends and such a feature violates, an exchange step (``_exchange``) swaps it
    for a weight of A; only if that fails too, one coordinate sweep. No step solves a singular
    system, so there is no least-squares fallback.
    """
    position = np.full(int(W.max()) + 1, -1)
    position[W] = np.arange(W.size)  # feature number → place in the block
    for steps in range(max_steps + 1):
        violation = kkt_violation(q, w, diag, half_l1, l2, positive)
        if violation.max() <= goal:
            return w, steps, True
        if steps == max_steps:
            return w, steps, False
        r = q - l2 * w
        nonzero = np.flatnonzero(w)
        if nonzero.size and violation[nonzero].max() > goal:  # first the optimum on the current face
            violators = nonzero[:0]
        else:
            violators = np.flatnonzero(violation > goal)
            violators = violators[np.argsort(-violation[violators], kind="stable")]
            violators = violators[: max(min(max_active - nonzero.size, ENTERING_MAX), 1)]
        left_out = position[factor.sync(W[nonzero])]  # non-zero weights in the span of the others
        base = factor.order.size
        attempts = (violators, violators[:1]) if violators.size else (violators,)
        t, rejected = 0.0, left_out
        for entering in attempts:
            factor.truncate(base)
            admitted = factor.append(W[entering])
            rejected = np.concatenate([entering[~admitted], left_out])
            if entering.size and not admitted.any():
                continue  # all in the span of the active set: an exchange step below
            active = position[factor.order]
            if active.size == 0:
                continue
            theta = np.sign(w[active])
            is_new = w[active] == 0.0
            theta[is_new] = np.sign(q[active[is_new]])
            rhs = r[active] - half_l1 * theta
            d_A, curvature = _face_solve(factor, rhs, G, active, l2, goal)
            if not np.all(np.isfinite(d_A)):
                continue
            w, q, t = _step(w, q, G, r, active, d_A, curvature, half_l1, l2, positive)
            if t > 0.0:
                break
        if t == 0.0 and rejected.size:  # swap a feature in the span of the active set for one of those
            factor.truncate(base)
            w, q, t = _exchange(w, q, G, r, W, position, rejected[0], factor, half_l1, l2, goal, positive)
        if t == 0.0 and violators.size:  # the face alone (rounding at a degenerate point)
            factor.truncate(base)
            active = position[factor.order]
            if active.size:
                rhs = r[active] - half_l1 * np.sign(w[active])
                d_A, curvature = _face_solve(factor, rhs, G, active, l2, goal)
                w, q, t = _step(w, q, G, r, active, d_A, curvature, half_l1, l2, positive)
        if t == 0.0:  # no Newton step descends: one coordinate sweep
            H = G + l2 * np.eye(c.size)
            w = _sweep(H, c, diag, w, half_l1, l2, np.union1d(nonzero, violators), positive)
            q = c - G @ w
    return w, max_steps, False


def _step(w, q, G, r, active, d_A, curvature, half_l1, l2, positive):
    """The exact line search along d_A on ``active`` and the step; returns (w, q, t)."""
    if positive:
        d_A, curvature = _feasible(d_A, w[active], G, active, l2, curvature)
    t, landing = _line_minimum(w[active], d_A, r[active], curvature, half_l1, positive)
    if t > 0.0:
        old = w[active]
        w = w.copy()
        w[active] += t * d_A
        if landing >= 0:
            w[active[landing]] = 0.0
        change = np.zeros(w.size)
        change[active] = w[active] - old
        q = q - symmetric_times(G, change)  # no copy of G[:, active]
    return w, q, t


def _face_solve(factor: Factor, rhs, G, active, l2, goal) -> tuple[np.ndarray, float]:
    """The Newton step d on the face, (G_AA + l2·I)d = rhs, and its curvature dᵀ(G_AA + l2·I)d.

    With the factor's own shift, d = R⁻¹R⁻ᵀrhs. Otherwise (the elastic net's factor from a
    nearby λ, ``Factor.solve_shifted``) d is solved to ``goal`` by preconditioned CG, whose
    curvature is that of the d it returns, so the line search stays exact for it.
    G is the block's Gram matrix and ``active`` the factor's features as block positions.
    """
    if factor.l2 == l2:
        d = factor.solve(rhs)
        return d, float(d @ rhs)
    lifted = np.zeros(G.shape[0])

    def gram_times(v):
        lifted[active] = v
        return symmetric_times(G, lifted)[active]

    return factor.solve_shifted(rhs, l2, gram_times, 0.1 * goal)  # the step 10× finer than the KKT goal


def _exchange(w, q, G, r, W, position, j, factor: Factor, half_l1, l2, goal, positive):
    """Feature j (block position) is in the span of the factored set A: xⱼ ≈ X_A·a with
    a = G_AA⁻¹G_Aj. Along d = s·(eⱼ − a) the fit barely moves (exactly not, for an exact
    dependence) while the L1 norm changes at the rate l1·(s·sign wⱼ − s·θ_Aᵀa): the simplex
    method's exchange. The line search stops where a weight of A reaches 0, which leaves A with
    j in its place, again independent. Tries both signs s; returns (w, q, t), t = 0 if neither descends."""
    active = position[factor.order]
    if active.size == 0:
        return w, q, 0.0
    a, _ = _face_solve(factor, G[active, j], G, active, l2, goal)
    block = np.concatenate([active, [j]])
    H = G[np.ix_(block, block)] + l2 * np.eye(block.size)
    first = np.sign(w[j]) if w[j] != 0.0 else np.sign(q[j])
    for s in (first or 1.0, -(first or 1.0)):
        if positive and w[j] == 0.0 and s < 0:
            continue
        d = np.concatenate([-s * a, [s]])
        w, q, t = _step(w, q, G, r, block, d, float(d @ (H @ d)), half_l1, l2, positive)
        if t > 0.0:
            return w, q, t
    return w, q, 0.0


def _feasible(d_A, w_A, G, active, l2, curvature):
    """With w ≥ 0: the step without the components that push a zero weight below 0, and its
    curvature dᵀ(G_AA + l2·I)d (recomputed only when a component was removed)."""
    blocked = (w_A == 0.0) & (d_A < 0.0)
    if not blocked.any():
        return d_A, curvature
    d_A = np.where(blocked, 0.0, d_A)
    return d_A, float(d_A @ (G[np.ix_(active, active)] @ d_A)) + l2 * float(d_A @ d_A)


def _sweep(H, c, diag, w, half_l1, l2, indices, positive: bool = False):
    """One pass of coordinate descent over ``indices`` of a block (H = G + l2·I)."""
    w = w.copy()
    r = c - H @ w
    for j in indices:
        denominator = diag[j] + l2
        if denominator <= 0:
            continue
        z = r[j] + denominator * w[j]
        if positive:
            new = max(z - half_l1, 0.0) / denominator
        else:
            new = math.copysign(max(abs(z) - half_l1, 0.0), z) / denominator
        if new != w[j]:
            r -= (new - w[j]) * H[:, j]
            w[j] = new
    return w
