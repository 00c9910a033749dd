"""Ridge's closed form and the first-order methods, on a ``Problem``:

    closed_form   ridge only: (G + λI)w = c, or the n×n dual system when p > n
    gd            gradient descent, for differentiable penalties (ridge), for teaching
    ista, fista   proximal gradient: w ← prox(w − ∇f/L, 1/L), L = 2·λ_max(G); FISTA adds momentum

Each stops when its step, in gradient units, is below ``tol``·max|c| (see ``solvers``).
"""

from __future__ import annotations

import math

import numpy as np

from regcourse.linear.problem import Problem
from regcourse.linear.results import warn_not_converged
from regcourse.penalties import Penalty

__all__ = ["closed_form", "gradient_descent", "proximal_gradient"]


def closed_form(prob: Problem, pen: Penalty) -> np.ndarray:
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


def gradient_descent(prob: Problem, pen: Penalty, w: np.ndarray, tol: float, max_iter: int):
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


def proximal_gradient(prob: Problem, pen: Penalty, w: np.ndarray, tol: float, max_iter: int, accelerated: bool):
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
