"""The solvers of the penalized least-squares problem, on a ``Problem``:

    J(w) = wᵀGw − 2cᵀw + yy + l1·‖w‖₁ + l2·‖w‖²,    G = XcᵀXc/n,  c = Xcᵀyc/n.

    closed_form   ridge only: (G + λI)w = c, or the n×n dual system when p > n
    gd            gradient descent, for differentiable penalties (ridge), for teaching
    cd            coordinate descent (the textbook method, with exact solves on the support)
    ista, fista   proximal gradient: w ← prox(w − ∇/L, 1/L) with L = 2·λ_max(G); FISTA adds momentum
    active_set    the default for L1 and elastic net: a working set, solved by Newton steps on the
                  sign pattern (see ``working_set``)

Every solver stops on the same certificate: the optimality residual — how far one exact
coordinate step would still move each weight, in gradient units (``kkt_violation``; zero exactly
at the optimum) — is below ``tol`` times max|c|. A solver that runs out of iterations says so: a
ConvergenceWarning and ``converged=False``.

The loss enters through the Problem only (its gradient ``neg_half_gradient`` and its Gram
blocks); a solver for another loss (logistic, issue 16) reuses ``kkt_violation`` and the working
set, with its own inner Newton step.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from regcourse.linear.factor import Factor
from regcourse.linear.newton_cg import CG_MIN_WORKING_SET, newton_cg
from regcourse.linear.problem import Problem
from regcourse.linear.results import warn_not_converged
from regcourse.penalties import ElasticNet, Penalty

__all__ = ["SOLVERS", "DEFAULT_TOL", "choose_solver", "solve", "kkt_violation", "working_set"]

SOLVERS = ("auto", "closed_form", "gd", "cd", "ista", "fista", "active_set")
DEFAULT_TOL = 1e-10
ENTERING_MAX = 1_000_000  # how many violating zeros one Newton step may bring in


def choose_solver(solver, pen: Penalty, positive: bool = False) -> str:
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(map(repr, SOLVERS))}, got {solver!r}")
    if positive:
        if solver not in ("auto", "active_set"):
            raise ValueError(
                f"positive=True needs solver 'auto' or 'active_set' (the working set clips at 0), got solver={solver!r}"
            )
        return "active_set"
    if solver == "auto":
        return "closed_form" if pen.l1_coef == 0.0 else "active_set"
    if solver in ("closed_form", "gd") and pen.l1_coef > 0.0:
        raise ValueError(
            f"solver {solver!r} needs a differentiable penalty (no L1 part), got {pen!r}; use 'active_set', 'cd', "
            "'ista' or 'fista'"
        )
    return solver


def kkt_violation(
    q: np.ndarray, w: np.ndarray, diag: np.ndarray, half_l1: float, l2: float, positive: bool = False
) -> np.ndarray:
    """Per coordinate, how far one exact coordinate step would move wⱼ, times (Gⱼⱼ + l2):

        |S(qⱼ + Gⱼⱼwⱼ, l1/2) − (Gⱼⱼ + l2)·wⱼ|,    q = c − Gw,  S = soft-threshold.

    Zero exactly when 0 ∈ ∂J at w for that coordinate. For wⱼ = 0 it is max(|qⱼ| − l1/2, 0).
    A feature with Gⱼⱼ + l2 = 0 (constant, unpenalized by L2) has nothing to move: 0.
    With ``positive`` (weights constrained to w ≥ 0) the step is clipped at 0:
    S₊(z, t) = max(z − t, 0), so a zero violates only when qⱼ > l1/2.
    """
    denominators = diag + l2
    z = q + diag * w
    if positive:
        shrunk = np.maximum(z - half_l1, 0.0)
    else:
        shrunk = np.sign(z) * np.maximum(np.abs(z) - half_l1, 0.0)
    return np.where(denominators > 0, np.abs(shrunk - denominators * w), 0.0)


# --- ridge and the first-order methods ------------------------------------------------------


def _closed_form(prob: Problem, pen: Penalty) -> np.ndarray:
    """Ridge: solve (G + λI)w = c, or the n×n dual system when p > n; least squares when λ = 0."""
    lam = pen.l2_coef
    n, p = prob.n, prob.p
    if lam == 0.0:
        Xc, yc = prob.centred_dense()
        return np.linalg.lstsq(Xc, yc, rcond=None)[0]  # the minimum-norm solution if not unique
    if prob.G is not None:
        return np.linalg.solve(prob.G + lam * np.eye(p), prob.c)
    # w = Xcᵀα/n with (XcXcᵀ/n + λI)α = yc: the same solution through an n×n system.
    return prob.rmatvec(np.linalg.solve(prob.kernel() + lam * np.eye(n), prob.yc)) / n


def _gradient_descent(prob: Problem, pen: Penalty, w: np.ndarray, tol: float, max_iter: int):
    """w ← w − (1/L)·(2(Gw − c) + 2λw), with L = 2(λ_max(G) + λ)."""
    lam = pen.l2_coef
    step = 1.0 / (prob.lipschitz() + 2.0 * lam)
    goal = tol * prob.scale
    residual = math.inf
    for k in range(1, max_iter + 1):
        gradient = 2.0 * (prob.gram_matvec(w) - prob.c) + 2.0 * lam * w
        w = w - step * gradient
        residual = float(np.abs(gradient).max())
        if residual <= goal:
            return w, k, True
    warn_not_converged("gd", max_iter, residual, goal)
    return w, max_iter, False


def _proximal_gradient(prob: Problem, pen: Penalty, w: np.ndarray, tol: float, max_iter: int, accelerated: bool):
    """ISTA: w ← prox(w − ∇f(w)/L, 1/L). FISTA: the same step from an extrapolated point, with
    the momentum restarted whenever it points uphill (O'Donoghue & Candès, 2015)."""
    L = prob.lipschitz()
    step = 1.0 / L
    goal = tol * prob.scale
    v, t = w.copy(), 1.0
    residual = math.inf
    for k in range(1, max_iter + 1):
        gradient = 2.0 * (prob.gram_matvec(v) - prob.c)
        new = pen.prox(v - step * gradient, step)
        residual = float(np.abs(new - v).max()) * L  # the proximal-gradient mapping, in gradient units
        if accelerated:
            if (v - new) @ (new - w) > 0:  # momentum works against the step: restart
                t = 1.0
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            v = new + ((t - 1.0) / t_next) * (new - w)
            t = t_next
        else:
            v = new
        w = new
        if residual <= goal:
            return w, k, True
    warn_not_converged("fista" if accelerated else "ista", max_iter, residual, goal)
    return w, max_iter, False


def _coordinate_descent(prob: Problem, pen: Penalty, w: np.ndarray, tol: float, max_iter: int):
    """Coordinate descent, sped up by exact solves on the current support.

    One coordinate: with q = c − Gw, wⱼ ← S(qⱼ + Gⱼⱼwⱼ, l1/2) / (Gⱼⱼ + l2), S = soft-threshold.

    Between sweeps, the support A of w and its signs s are used for an exact step:
    w_A = (G_AA + l2·I)⁻¹(c_A − ½·l1·s), taken when it keeps the signs and lowers the objective.
    Then one check over every coordinate either confirms optimality or names the coordinates
    that must move; one sweep over those. ``n_iter`` counts rounds (solve + check + sweep).
    The textbook method, kept for teaching and cross-checks: ``active_set`` is faster.
    """
    c, half_l1, l2 = prob.c, 0.5 * pen.l1_coef, pen.l2_coef
    diag = prob.diag
    denominators = diag + l2
    usable = denominators > 0  # a constant (all-zero) feature with l2 = 0 stays at 0
    safe_denominators = np.where(usable, denominators, 1.0)
    w = w.copy()
    q = prob.neg_half_gradient(w)
    goal = tol * prob.scale
    residual = math.inf

    def objective(v):
        return (
            float(v @ prob.gram_matvec(v))
            - 2.0 * float(c @ v)
            + 2.0 * half_l1 * float(np.abs(v).sum())
            + l2 * float(v @ v)
        )

    for rounds in range(1, max_iter + 1):
        support = np.flatnonzero(w)
        if support.size:
            signs = np.sign(w[support])
            block = prob.gram_block(support) + l2 * np.eye(support.size)
            try:
                solved = np.linalg.solve(block, c[support] - half_l1 * signs)
            except np.linalg.LinAlgError:
                solved = None
            if solved is not None and np.all(np.sign(solved) == signs):
                candidate = np.zeros_like(w)
                candidate[support] = solved
                if objective(candidate) <= objective(w):
                    w = candidate
                    q = prob.neg_half_gradient(w)
        violation = kkt_violation(q, w, diag, half_l1, l2)
        residual = float(violation.max())
        if residual <= goal:
            return w, rounds, True
        sweep = np.union1d(support, np.flatnonzero(violation > goal))
        columns = prob.gram_columns(sweep)
        for k, j in enumerate(sweep):
            z_j = q[j] + diag[j] * w[j]
            new = math.copysign(max(abs(z_j) - half_l1, 0.0), z_j) / safe_denominators[j] if usable[j] else 0.0
            delta = new - w[j]
            if delta != 0.0:
                q -= delta * columns[:, k]
                w[j] = new
    warn_not_converged("cd", max_iter, residual, goal)
    return w, max_iter, False


# --- the working-set solver ---------------------------------------------------------------


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
            d_A = factor.solve(rhs)
            if not np.all(np.isfinite(d_A)):
                continue
            curvature = float(d_A @ rhs)
            w, q, t = _step(w, q, G, r, active, d_A, curvature, half_l1, l2, positive)
            if t > 0.0:
                break
        if t == 0.0 and rejected.size:  # swap a feature in the span of the active set for one of those
            factor.truncate(base)
            w, q, t = _exchange(w, q, G, r, W, position, rejected[0], factor, half_l1, l2, positive)
        if t == 0.0 and violators.size:  # the face alone (rounding at a degenerate point)
            factor.truncate(base)
            active = position[factor.order]
            if active.size:
                rhs = r[active] - half_l1 * np.sign(w[active])
                d_A = factor.solve(rhs)
                w, q, t = _step(w, q, G, r, active, d_A, float(d_A @ rhs), half_l1, l2, positive)
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
        q = q - G @ change  # no copy of G[:, active]
    return w, q, t


def _exchange(w, q, G, r, W, position, j, factor: Factor, half_l1, l2, positive):
    """Feature j (block position) is in the span of the factored set A: xⱼ ≈ X_A·a with
    a = G_AA⁻¹G_Aj. Along d = s·(eⱼ − a) the fit barely moves (exactly not, for an exact
    dependence) while the L1 norm changes at the rate l1·(s·sign wⱼ − s·θ_Aᵀa): the simplex
    method's exchange. The line search stops where a weight of A reaches 0, which leaves A with
    j in its place, again independent. Tries both signs s; returns (w, q, t), t = 0 if neither descends."""
    active = position[factor.order]
    if active.size == 0:
        return w, q, 0.0
    a = factor.solve(G[active, j])
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


def working_set(
    prob: Problem,
    pen: Penalty,
    w: np.ndarray,
    tol: float,
    max_iter: int,
    *,
    previous_half_l1: float | None = None,
    factor: Factor | None = None,
    positive: bool = False,
):
    """L1 and elastic net by a working set (as in celer and skglm), solved by Newton steps.

    1. One pass over every feature: q = c − Gw (a Gram product in the Gram form, else one
       Xcᵀ·residual) and the KKT violation of each weight. All below tol·max|c|: done — the
       certificate covers every feature, not only the working set.
    2. The working set W: the support plus at least as many of the zeros, chosen by how hard
       they pull (|qⱼ|). On a path, the sequential strong rule (glmnet) picks them:
       |qⱼ| ≥ l1 − l1_previous/2 in half-gradient units. Features outside W stay at 0.
    3. The problem restricted to W is solved exactly (``_newton_on_block``) on the |W|×|W| Gram
       block, which is cheap because W is small; back to 1.
    ``n_iter`` counts Newton steps; ``max_iter`` bounds them. Along a path, pass the same
    ``factor`` (a ``Factor``) to every λ: the Cholesky factor of the active set carries over.

    Duplicated or collinear columns: the lasso's solution is then not unique. J, the fitted
    values Xw and (for copies of one column) the sum of the weights over the copies are; how the
    sum is split is not. The factor admits no column in the span of the active ones
    (``Factor.append``), so from 0 or along a path one copy — the first to enter, usually the
    lowest index — carries the whole weight and the others stay at 0 (scikit-learn may split
    it); a column that is a combination of active ones is swapped in by an exchange step when it
    fits as well for less L1 norm (``_exchange``). Compare J and Xw, not the coefficients. With
    l2 > 0 the solution is unique and G_AA + l2·I is never singular.
    """
    half_l1, l2 = 0.5 * pen.l1_coef, pen.l2_coef
    if factor is None or factor.l2 != l2:
        factor = Factor(prob, l2)
    goal = tol * prob.scale
    diag = prob.diag
    max_active = prob.p if l2 > 0 else prob.rank_bound
    w = w.copy()
    steps, residual, size = 0, math.inf, 0
    while True:
        q = prob.neg_half_gradient(w)
        violation = kkt_violation(q, w, diag, half_l1, l2, positive)
        residual = float(violation.max())
        if residual <= goal:
            return w, max(steps, 1), True
        if steps >= max_iter:
            warn_not_converged("active_set", max_iter, residual, goal)
            return w, steps, False
        support = np.flatnonzero(w)
        pull = q.copy() if positive else np.abs(q)  # with w ≥ 0 only a positive pull can move a zero
        pull[support] = -1.0
        if previous_half_l1 is not None:
            threshold = min(2.0 * half_l1 - previous_half_l1, half_l1)
            previous_half_l1 = None  # the strong rule is for the first round only
            first_round = True
        else:
            threshold, first_round = half_l1, False
        candidates = np.flatnonzero((pull > threshold) & (diag + l2 > 0))
        size = max(10, support.size, 2 * size)
        if candidates.size > size:
            candidates = candidates[np.argpartition(-pull[candidates], size - 1)[:size]]
        W = np.union1d(support, candidates)
        if W.size == support.size and residual > goal:  # the violations are all on the support
            W = np.union1d(support, np.flatnonzero(violation > goal))
        if prob.sparse and W.size >= CG_MIN_WORKING_SET:
            if 2 * W.size >= prob.p:  # over half the features: take them all, no second round
                W = np.flatnonzero(diag + l2 > 0)
            solved, taken, status = newton_cg(
                prob, W, w[W], half_l1, l2, goal, max_iter - steps, first_round=first_round, positive=positive
            )
            steps += max(taken, 1)
            w = np.zeros_like(w)
            w[W] = solved
            if status != "stalled":
                continue
            q = prob.neg_half_gradient(w)
        block = prob.gram_block(W)
        solved, taken, _ = _newton_on_block(
            W, block, prob.c[W], diag[W], w[W], q[W], half_l1, l2, goal, max_iter - steps, max_active, factor, positive
        )
        steps += max(taken, 1)
        w = np.zeros_like(w)
        w[W] = solved


def _continuation(prob: Problem, pen: Penalty, tol: float, max_iter: int, positive: bool = False):
    """A cold start far below λ_max goes down a short path (as glmnet does): the L1 weight
    from max|c|·2 (where w = 0) down to l1 in steps of 10^(1/3), each warm-starting the next,
    so features enter a few at a time with the right signs. The L2 weight stays fixed, so one
    Cholesky factor serves every step. ``n_iter`` counts the Newton steps of all of them."""
    top = 2.0 * float(np.abs(prob.c).max())
    steps_down = math.ceil(3.0 * math.log10(top / pen.l1_coef)) if 0.0 < pen.l1_coef < top else 0
    factor = Factor(prob, pen.l2_coef)
    w, total, previous = np.zeros(prob.p), 0, None
    stages = list(np.geomspace(top, pen.l1_coef, steps_down + 1)[1:-1]) if steps_down else []
    for l1 in stages + [pen.l1_coef]:
        stage = ElasticNet(l1=l1, l2=pen.l2_coef) if l1 != pen.l1_coef else pen
        last = stage is pen
        with warnings.catch_warnings():
            if not last:
                warnings.simplefilter("ignore")  # only the final fit's convergence is reported
            w, taken, converged = working_set(
                prob,
                stage,
                w,
                tol,
                max(max_iter - total, 1),
                previous_half_l1=previous,
                factor=factor,
                positive=positive,
            )
        total += taken
        previous = 0.5 * l1
    return w, total, converged


def solve(prob: Problem, pen: Penalty, solver: str, w0, tol: float, max_iter: int, positive: bool = False):
    w = np.zeros(prob.p) if w0 is None else np.asarray(w0, dtype=float).copy()
    if positive:  # choose_solver allows only the working set with w ≥ 0
        w = np.maximum(w, 0.0)
        if w0 is None:
            return _continuation(prob, pen, tol, max_iter, positive=True)
        return working_set(prob, pen, w, tol, max_iter, positive=True)
    if solver == "closed_form":
        return _closed_form(prob, pen), 1, True
    if solver == "gd":
        return _gradient_descent(prob, pen, w, tol, max_iter)
    if solver == "cd":
        return _coordinate_descent(prob, pen, w, tol, max_iter)
    if solver == "active_set":
        if w0 is None:
            return _continuation(prob, pen, tol, max_iter)
        return working_set(prob, pen, w, tol, max_iter)
    return _proximal_gradient(prob, pen, w, tol, max_iter, accelerated=solver == "fista")
