"""Separable penalties as plug-ins for the second-order solvers: P(w) = Σⱼ Pⱼ(wⱼ).

A penalty plug-in gives a solver

    value(w)                    P(w)
    subdiff_distance(w, grad, W=None)
                                per weight, dist(−gradⱼ, ∂Pⱼ(wⱼ)): 0 exactly where wⱼ is optimal
                                for the smooth part's gradient ``grad`` (the KKT certificate);
                                with W, w and grad hold the coordinates W only
    prox1d(x, step, j)          argmin_v (v − x)²/(2·step) + Pⱼ(v), one coordinate
    pieces(W)                   optional: (a, c) with Pⱼ(v) = aⱼ|v| + cⱼv² on the coordinates W,
                                which lets ``prox_newton`` solve its model exactly on sign patterns
                                instead of by coordinate descent

``L1L2`` is the course's L1, L2 and ElasticNet (``as_plugin`` converts them) and, with a vector
of L1 strengths, the weighted lasso. A penalty that is not piecewise quadratic (SCAD, MCP) leaves
out ``pieces``; the solvers then use ``prox1d``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["L1L2", "as_plugin"]


class L1L2:
    """P(w) = Σⱼ aⱼ|wⱼ| + l2·Σⱼ wⱼ², a = ``l1`` (a number, or one strength per weight)."""

    def __init__(self, l1, l2: float = 0.0):
        self.l1 = l1 if np.ndim(l1) else float(l1)
        self.l2 = float(l2)

    @property
    def smooth(self) -> bool:
        """True when P is differentiable (no L1 part): plain Newton applies."""
        return not np.any(self.l1)

    def value(self, w: np.ndarray) -> float:
        return float(np.sum(self.l1 * np.abs(w))) + self.l2 * float(w @ w)

    def _l1(self, W):
        return self.l1[W] if W is not None and np.ndim(self.l1) else self.l1

    def subdiff_distance(self, w: np.ndarray, grad: np.ndarray, W=None) -> np.ndarray:
        """dist(−gⱼ − 2·l2·wⱼ, aⱼ·∂|wⱼ|): |gⱼ + 2l2wⱼ + aⱼsign wⱼ| off 0, (|gⱼ| − aⱼ)₊ at 0."""
        smooth = grad + 2.0 * self.l2 * w
        a = self._l1(W)
        return np.where(w != 0, np.abs(smooth + a * np.sign(w)), np.maximum(np.abs(smooth) - a, 0.0))

    def prox1d(self, x: float, step: float, j: int) -> float:
        a = float(self.l1[j]) if np.ndim(self.l1) else self.l1
        shrunk = max(abs(x) - step * a, 0.0)
        return float(np.copysign(shrunk, x)) / (1.0 + 2.0 * step * self.l2)

    def pieces(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.broadcast_to(self._l1(W), W.shape).astype(float), np.full(W.size, self.l2)

    def strong_threshold(self, previous_l1) -> np.ndarray | float | None:
        """The sequential strong rule's bound 2aⱼ − aⱼ(previous λ) on |∇ⱼ|, or None without L1."""
        return None if previous_l1 is None or self.smooth else 2.0 * np.asarray(self.l1) - previous_l1


def as_plugin(penalty):
    """A penalty as a solver plug-in: the course's L1, L2, ElasticNet (l1·Σ|w| + l2·Σw²) and the
    weighted L1 as ``L1L2``, MCP and SCAD as ``folded.Folded``; a plug-in as is."""
    if hasattr(penalty, "subdiff_distance"):
        return penalty
    kind = getattr(penalty, "kind", "")
    if kind == "weighted_l1":
        return L1L2(penalty.lam * np.asarray(penalty.weights, dtype=float).reshape(-1), 0.0)
    if kind in ("mcp", "scad"):
        from regcourse.linear.folded import Folded

        return Folded(penalty)
    if kind == "group_lasso":
        raise TypeError("GroupLasso is not separable by coordinate; the solvers do not take it yet")
    return L1L2(penalty.l1_coef, penalty.l2_coef)
