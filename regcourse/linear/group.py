"""The group lasso on the squared loss: accelerated proximal gradient (FISTA with restarts) with
block soft-thresholding, stopped by the groups' optimality conditions.

    minimize  (1/n)·‖yc − Xc·w‖² + λ·Σ_g v_g·‖w_g‖₂        (b = ȳ − x̄·w, unpenalized)

Optimality, with g = ∇MSE(w) = −(2/n)·Xcᵀ(yc − Xc·w):
    w_g ≠ 0:  g_g + λv_g·w_g/‖w_g‖ = 0          w_g = 0:  ‖g_g‖ ≤ λv_g
The residual reported per group is the norm of the first, or (‖g_g‖ − λv_g)₊.
"""

from __future__ import annotations

import numpy as np

__all__ = ["group_lasso_fista", "group_kkt"]


def group_kkt(gradient: np.ndarray, w: np.ndarray, penalty) -> float:
    """The largest group optimality residual (see the module docstring)."""
    worst = 0.0
    for members, v in zip(penalty.members, penalty.weights):
        g, wg = gradient[members], w[members]
        size = float(np.linalg.norm(wg))
        if size > 0:
            worst = max(worst, float(np.linalg.norm(g + penalty.lam * v * wg / size)))
        else:
            worst = max(worst, float(np.linalg.norm(g)) - penalty.lam * v)
    return worst


def group_lasso_fista(Xc: np.ndarray, yc: np.ndarray, penalty, w: np.ndarray, goal: float, max_iter: int):
    """(w, iterations, converged, residual) from the start ``w``; ``goal`` bounds ``group_kkt``."""
    n = Xc.shape[0]
    lipschitz = 2.0 * float(np.linalg.norm(Xc, 2)) ** 2 / n  # of ∇MSE: 2·λ_max(XcᵀXc/n)
    step = 1.0 / max(lipschitz, 1e-300)

    def gradient(v):
        return -(2.0 / n) * (Xc.T @ (yc - Xc @ v))

    def objective(v):
        r = yc - Xc @ v
        return float(r @ r) / n + float(penalty(v))

    z, t, previous = w.copy(), 1.0, objective(w)
    residual = group_kkt(gradient(w), w, penalty)
    for iteration in range(1, max_iter + 1):
        new = penalty.prox(z - step * gradient(z), step)
        value = objective(new)
        if value > previous:  # restart the momentum (O'Donoghue & Candès), keep the plain step
            z, t = w.copy(), 1.0
            new = penalty.prox(w - step * gradient(w), step)
            value = objective(new)
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        z = new + ((t - 1.0) / t_next) * (new - w)
        w, t, previous = new, t_next, value
        if iteration % 10 == 0 or iteration == max_iter:
            residual = group_kkt(gradient(w), w, penalty)
            if residual <= goal:
                return w, iteration, True, residual
    return w, max_iter, False, residual
