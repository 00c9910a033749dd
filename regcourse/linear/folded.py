"""The non-convex MCP and SCAD (``regcourse.penalties_sparse``) as plug-ins for ``prox_newton``.

A plug-in gives the solver P(w), the stationarity residual per weight and a one-coordinate
prox (see ``separable``). For a folded concave penalty P(w) = Σ ρ(|wⱼ|) with ρ'(0+) = λ:

    stationarity   wⱼ ≠ 0:  |gⱼ + ρ'(|wⱼ|)·sign wⱼ|        wⱼ = 0:  (|gⱼ| − λ)₊

(the Clarke subdifferential at 0 is [−λ, λ], as for L1). These are the conditions a local
minimizer meets; with a non-convex penalty they do not make it the global one, and the solver
finds the stationary point its path leads to (from 0, or from a warm start).

``prox1d`` returns the global minimizer of (v − x)²/(2·step) + ρ(|v|) for any step: below the
uniqueness bound (step < γ, < a − 1) the penalty's own thresholding rule; above it the problem
is not convex, and the minimizer is the best of a few candidates (0, the ends of the pieces, x,
and the stationary points inside them).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Folded"]


class Folded:
    """``MCP`` or ``SCAD`` (from ``regcourse.penalties_sparse``) for the second-order solvers."""

    smooth = False

    def __init__(self, penalty):
        self.penalty = penalty
        self.lam = float(penalty.lam)
        self.top = self.lam * (penalty.gamma if penalty.kind == "mcp" else penalty.a)
        self.limit = penalty.gamma if penalty.kind == "mcp" else penalty.a - 1.0

    def value(self, w: np.ndarray) -> float:
        return float(self.penalty(w))

    def subdiff_distance(self, w: np.ndarray, grad: np.ndarray, W=None) -> np.ndarray:
        slope = self.penalty.grad(w)
        return np.where(w != 0, np.abs(grad + slope), np.maximum(np.abs(grad) - self.lam, 0.0))

    def prox1d(self, x: float, step: float, j: int) -> float:
        if step < self.limit:
            return float(self.penalty.prox(np.array([x]), step)[0])
        s, u = (1.0 if x >= 0 else -1.0), abs(x)
        candidates = [0.0, min(max(u - step * self.lam, 0.0), self.lam), self.lam, self.top, max(u, self.top)]
        values = [(v - u) ** 2 / (2.0 * step) + float(self.penalty(np.array([v]))) for v in candidates]
        return s * candidates[int(np.argmin(values))]
